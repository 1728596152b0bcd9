export * from './dtype.js';
export * from './half.js';
export * from './tensor.js';
export * from './graph.js';
export * from './attributes.js';
