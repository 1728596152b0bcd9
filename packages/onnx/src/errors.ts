import { QuantforgeError, type ErrorCode } from '@quantforge/core';

/** A QuantforgeError with one of the codes of core's table. */
export function qfError(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options: { hint?: string; cause?: unknown } = {}): QuantforgeError {
  return new QuantforgeError(code, message, { details, ...options });
}

/** The model decodes but breaks an ONNX rule. */
export function invalidModel(message: string, details: Record<string, unknown> = {}): QuantforgeError {
  return qfError('QF_ONNX_INVALID_MODEL', message, details);
}
