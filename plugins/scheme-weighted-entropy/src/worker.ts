/**
 * Worker module of the weighted-entropy scheme (manifest `worker`): core's pipeline calls these exports in its
 * worker pool with JSON options and the tensors, so the weight clustering and the activation ladder search run off
 * the main thread.
 */
import { defineSchemeWorker } from '@quantforge/core';
import { weightedEntropyScheme } from './scheme.js';

export const { quantizeWeight, encodeActivation } = defineSchemeWorker(weightedEntropyScheme);
