/**
 * Worker module of the k-means and PQ schemes (manifest `worker`): core's pipeline calls these exports in its worker
 * pool with JSON options and the weight. A task does not name its scheme, so both share one adapter and the scheme's
 * `quantizeWeight` dispatches on `options.method` (every resolved option set carries it).
 */
import { defineSchemeWorker } from '@quantforge/core';
import { kmeansScheme } from './scheme.js';

export const { quantizeWeight, encodeActivation } = defineSchemeWorker(kmeansScheme);
