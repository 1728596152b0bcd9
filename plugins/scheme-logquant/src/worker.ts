/**
 * Worker module of the logquant scheme (manifest `worker`): core's pipeline calls these exports in its worker pool
 * with JSON options and the tensors, so weight ladders and fsr searches run off the main thread.
 */
import { defineSchemeWorker } from '@quantforge/core';
import { logQuantScheme } from './scheme.js';

export const { quantizeWeight, encodeActivation } = defineSchemeWorker(logQuantScheme);
