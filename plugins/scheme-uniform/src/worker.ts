/**
 * Worker module of the uniform scheme (manifest `worker`): core's pipeline calls these exports in its worker pool with
 * JSON options and the tensors, so weight quantization and calibration finalization (entropy / MSE threshold
 * searches) run off the main thread.
 */
import { defineSchemeWorker } from '@quantforge/core';
import { uniformScheme } from './scheme.js';

export const { quantizeWeight, encodeActivation } = defineSchemeWorker(uniformScheme);
