// Shared pieces of the scheme plugins' own tests that need no test runner (the vitest ones are in ./vitest.ts).
export { f32, gaussian, heavyTailed, laplace, rng } from './random.js';
export { observedState, quantInfo, serializedQuantInfo } from './quant-info.js';
export { dequantizingExporter, encodingBytes, encodingOf, inProcess } from './pipeline.js';
export { SCHEME_PLUGIN_IMPORTS, findImportProblems, type ImportProblems } from './import-walls.js';
