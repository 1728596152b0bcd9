import { isQuantforgeError, type QuantforgeError } from '@quantforge/core';
import type { TextSink } from './io.js';

/** Exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  /** The command line was wrong (`QF_CLI_USAGE`). */
  usage: 1,
  /** Anything else failed: bad model, bad input data, unsupported op, I/O, internal error. */
  failure: 2,
} as const;

/** A hint for errors that do not carry their own. */
const GENERIC_HINTS: Record<string, string> = {
  QF_CLI_USAGE: 'run "quantforge --help" for usage',
  QF_IO: 'check that the path exists and that you may read (or write) it',
  QF_ONNX_DECODE: 'check that the file is an ONNX model (.onnx) and is not truncated; re-export it if needed',
  QF_ONNX_INVALID_MODEL: 'the model breaks an ONNX rule; re-export it or check it with onnx.checker',
  QF_ONNX_EXTERNAL_DATA: 'keep the external data file next to the model, under the name the model refers to',
  QF_ONNX_EXTERNAL_DATA_PATH: 'external data must live in the model folder; move the data file there',
  QF_ONNX_TOO_LARGE: 'write the model with external data (--external-data)',
  QF_ONNX_ENCODE: 'rerun with --debug and report the details',
  QF_OP_UNSUPPORTED: 'the reference executor cannot run these operators; "quantforge inspect <model>" lists them',
  QF_RUNTIME_INPUT: 'run "quantforge inspect <model>" to see the names, dtypes and shapes of the model inputs',
  QF_RUNTIME_KERNEL: 'rerun with --debug to see which node failed',
  QF_DATA_FORMAT: 'input files must be ONNX TensorProto (.pb) or NumPy (.npy) files',
  QF_DATA_MISMATCH: 'run "quantforge inspect <model>" to see the expected names, dtypes and shapes',
  QF_INTERNAL: 'this is a bug in Quantforge; rerun with --debug and report the stack trace',
};

const FALLBACK_HINT = 'rerun with --debug for details';

/** Exit code for an error. */
export function exitCodeOf(error: unknown): number {
  return isQuantforgeError(error) && (error as QuantforgeError).code === 'QF_CLI_USAGE' ? EXIT.usage : EXIT.failure;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/**
 * Prints an error as exactly two lines, `error QF_CODE: message` and `hint: ...`; with `debug` also its details and
 * stack. Errors that are not QuantforgeErrors are reported as `QF_INTERNAL` with their own message.
 */
export function reportError(error: unknown, stream: TextSink, debug: boolean): number {
  let code = 'QF_INTERNAL';
  let message: string;
  let hint: string | undefined;
  let details: Record<string, unknown> = {};
  if (isQuantforgeError(error)) {
    const e = error as QuantforgeError;
    code = e.code;
    message = e.message;
    hint = e.hint;
    details = e.details ?? {};
  } else {
    message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  stream.write(`error ${code}: ${oneLine(message)}\n`);
  stream.write(`hint: ${oneLine(hint ?? GENERIC_HINTS[code] ?? FALLBACK_HINT)}\n`);
  if (debug) {
    if (Object.keys(details).length > 0) stream.write(`details: ${safeJson(details)}\n`);
    if (error instanceof Error && error.stack) stream.write(`${error.stack}\n`);
    let cause = error instanceof Error ? error.cause : undefined;
    while (cause instanceof Error) {
      stream.write(`caused by: ${cause.stack ?? cause.message}\n`);
      cause = cause.cause;
    }
  }
  return exitCodeOf(error);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  } catch {
    return String(value);
  }
}
