/**
 * The one error type of Quantforge. Errors are data: a stable `code` (`QF_...`), a short message, structured details
 * and a hint the CLI prints. They cross worker boundaries as {@link ErrorData} and are rehydrated on the other side.
 *
 * @example
 * ```ts
 * throw new QuantforgeError('QF_ONNX_DECODE', 'model.onnx is not an ONNX model', { details: { path } , hint: 'Check the file is a .onnx export' });
 * ```
 */
export class QuantforgeError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { details?: Record<string, unknown>; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QuantforgeError';
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  /** Plain, structured-clone-safe form for crossing a worker boundary or writing to a report. */
  toData(): ErrorData {
    const data: ErrorData = { code: this.code, message: this.message, details: this.details };
    if (this.hint !== undefined) data.hint = this.hint;
    return data;
  }

  static fromData(data: ErrorData): QuantforgeError {
    const opts: { details: Record<string, unknown>; hint?: string } = { details: data.details ?? {} };
    if (data.hint !== undefined) opts.hint = data.hint;
    return new QuantforgeError(data.code, data.message, opts);
  }
}

/** The serialized form of a {@link QuantforgeError}. */
export interface ErrorData {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  hint?: string;
}

/** True when `value` is a QuantforgeError, also one thrown by another copy of core. */
export function isQuantforgeError(value: unknown): value is QuantforgeError {
  return (
    value instanceof QuantforgeError ||
    (value instanceof Error && typeof (value as unknown as { code?: unknown }).code === 'string' && (value as unknown as { code: string }).code.startsWith('QF_'))
  );
}

/** Turns anything thrown into error data; foreign errors get `QF_INTERNAL` and keep their message. */
export function toErrorData(error: unknown): ErrorData {
  if (isQuantforgeError(error)) {
    const e = error as unknown as QuantforgeError;
    const data: ErrorData = { code: e.code, message: e.message, details: e.details ?? {} };
    if (e.hint !== undefined) data.hint = e.hint;
    return data;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'QF_INTERNAL', message, details: error instanceof Error && error.stack ? { stack: error.stack } : {} };
}
