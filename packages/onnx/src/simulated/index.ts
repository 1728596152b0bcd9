export { simulatedExporter } from './exporter.js';
export { logFakeQuant, LOG_FAKE_QUANT_OPSET } from './log-fake-quant.js';
export { logLadder, type LogLadder } from './log-ladder.js';
