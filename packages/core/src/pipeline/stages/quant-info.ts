import type { DType } from '../../ir/dtype.js';
import type { SerializedEncoding } from '../../quant/encoding-json.js';
import type { PlanEntry } from '../../quant/plan.js';
import type { SerializedQuantInfo } from '../scheme-worker.js';

/** What a scheme is told about a plan entry when it encodes it (JSON, for the worker protocol). */
export function quantInfo(e: PlanEntry, seed: number, dependencies: Record<string, SerializedEncoding>): SerializedQuantInfo {
  const info: SerializedQuantInfo = { name: e.tensor, role: e.role, consumers: e.consumers, bits: e.bits, granularity: e.granularity, seed, dependencies };
  if (e.axis !== undefined) info.axis = e.axis;
  if (e.blockSize !== undefined) info.blockSize = e.blockSize;
  if (e.dims !== undefined) info.dims = e.dims;
  if (e.dtype !== undefined) info.dtype = e.dtype as DType;
  return info;
}
