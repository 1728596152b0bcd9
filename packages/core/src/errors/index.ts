export { QuantforgeError, isQuantforgeError, toErrorData, type ErrorData } from './error.js';
export { ERROR_CODES, type ErrorCode } from './codes.js';
