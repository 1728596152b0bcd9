/**
 * @quantforge/testing — the conformance kit every Quantforge plugin runs. `describeConformance` (vitest) lives in
 * `@quantforge/testing/vitest` so that using the kit from a script does not need vitest.
 */
export {
  BASE_CHECKS, fixturesDirOf, pluginDirPath, runConformance,
  type ConformanceCheck, type ConformanceOptions, type ConformanceResult,
} from './conformance.js';
export { listCases, readCase, type ConformanceCase } from './case.js';
export { DEFAULT_FLOAT_TOLERANCE, compareTensors, type Tolerance } from './compare.js';
export { parseNpy } from './npy.js';
export { tensorFromJson, tensorToJson, type TensorJson } from './tensor-json.js';
export type { ProbeOptions, ProbeReport } from './worker.js';
export * from './plugin-tests/index.js';
