import type { Tensor } from '../ir/tensor.js';
import type { TransferMode } from './protocol.js';

type Typed = Exclude<Tensor['data'], string[]>;
type TypedCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => Typed;

function isTyped(data: Tensor['data']): data is Typed {
  return ArrayBuffer.isView(data);
}

function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
}

/** One shared copy per source array, so sharing the same weights with many tasks copies them once. */
const sharedCopies = new WeakMap<Typed, Typed>();

/**
 * A tensor whose data lives in a SharedArrayBuffer: workers given it (transfer `share`) read and write the same
 * memory. The copy is made once per source array and reused; an already shared tensor is returned as is.
 *
 * @example
 * ```ts
 * const shared = shareTensor(weights);
 * await mapInWorkers(pool, rows, (r) => ({ workerUrl, export: 'row', options: { r }, tensors: { w: shared }, transfer: 'share' }));
 * ```
 */
export function shareTensor<T extends Tensor>(t: T): T {
  if (!isTyped(t.data) || isShared(t.data.buffer)) return t;
  let copy = sharedCopies.get(t.data);
  if (copy === undefined) {
    const Ctor = t.data.constructor as TypedCtor;
    copy = new Ctor(new SharedArrayBuffer(t.data.byteLength), 0, t.data.length);
    (copy as unknown as { set(src: Typed): void }).set(t.data);
    sharedCopies.set(t.data, copy);
  }
  return { ...t, dims: [...t.dims], data: copy };
}

/**
 * Makes a tensor record movable: views that do not span their whole buffer are copied (moving a view would detach
 * its parent, e.g. every weight decoded from one file buffer), shared buffers are left alone (they cannot be moved
 * and need not be). Returns the tensors to send and the buffers to transfer, each listed once.
 */
export function movableTensors(tensors: Record<string, Tensor>): { tensors: Record<string, Tensor>; transfer: ArrayBuffer[] } {
  const out: Record<string, Tensor> = {};
  const transfer = new Set<ArrayBuffer>();
  for (const [name, t] of Object.entries(tensors)) {
    if (!isTyped(t.data) || isShared(t.data.buffer)) {
      out[name] = t;
      continue;
    }
    const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength;
    const data = whole ? t.data : (t.data.slice() as Typed);
    transfer.add(data.buffer as ArrayBuffer);
    out[name] = { ...t, data } as Tensor;
  }
  return { tensors: out, transfer: [...transfer] };
}

/** Prepares a task's tensors for the chosen transfer mode. */
export function prepareTensors(tensors: Record<string, Tensor>, mode: TransferMode): { tensors: Record<string, Tensor>; transfer: ArrayBuffer[] } {
  if (mode === 'move') return movableTensors(tensors);
  if (mode === 'share') {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(tensors)) out[name] = shareTensor(t);
    return { tensors: out, transfer: [] };
  }
  return { tensors, transfer: [] };
}
