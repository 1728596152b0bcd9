/** The Fashion-MNIST demo of Quantforge: W8A8 post-training quantization of a small CNN, float vs int8. */
export { EXAMPLE_DIR, formatDemoTable, runDemo, type DemoOptions, type DemoResult } from './demo.js';
