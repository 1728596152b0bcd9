import type { ErrorCode } from '../errors/codes.js';

/**
 * What a target does with one node: `mapped` to a kernel (or a no-op such as Reshape), `fused` into its producer's
 * kernel (Relu after Conv), `fallback` to float on the CPU (only when the caller allowed it), or `error`.
 */
export type NodeStatus = 'mapped' | 'fused' | 'fallback' | 'error';

/**
 * The backend's verdict on one node: the target op and kernel it maps to, or a coded reason why not.
 *
 * @example
 * ```ts
 * const d: NodeDiagnostic = { node: 'conv1', opType: 'Conv', status: 'mapped', targetOp: 'conv2d', kernel: 'arm_convolve_wrapper_s8' };
 * const e: NodeDiagnostic = { node: 'lrn', opType: 'LRN', status: 'error', code: 'QF_TARGET_OP_UNSUPPORTED', reason: 'no int8 kernel' };
 * ```
 */
export interface NodeDiagnostic {
  node: string;
  opType: string;
  status: NodeStatus;
  /** Target op (a key of the profile's op table). */
  targetOp?: string;
  kernel?: string;
  /** The node whose kernel absorbs this one (status `fused`). */
  fusedInto?: string;
  /** Why the node is not mapped (status `fallback` or `error`). */
  code?: ErrorCode;
  reason?: string;
  details?: Record<string, unknown>;
}

/** Options of a backend's `check`. */
export interface CheckOptions {
  /** Report unsupported nodes as `fallback` (float on the CPU) instead of `error`. */
  allowFallback?: boolean;
}

/**
 * Counts diagnostics by status.
 *
 * @example
 * ```ts
 * summarizeDiagnostics(diags); // { mapped: 5, fused: 2, fallback: 0, error: 1 }
 * ```
 */
export function summarizeDiagnostics(diagnostics: readonly NodeDiagnostic[]): Record<NodeStatus, number> {
  const out: Record<NodeStatus, number> = { mapped: 0, fused: 0, fallback: 0, error: 0 };
  for (const d of diagnostics) out[d.status] += 1;
  return out;
}
