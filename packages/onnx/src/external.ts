import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { basename, relative, resolve, sep, isAbsolute } from 'node:path';
import { sizeOf, type ExternalDataRef, type Model, type NamedTensor } from '@quantforge/core';
import { qfError } from './errors.js';
import { checkLocation } from './external-ref.js';
import type { FilePiece } from './fs-atomic.js';
import { rawByteLength, rawFromTyped } from './packing.js';
import { checkTensor } from './tensor-data.js';
import { forEachTensor } from './walk.js';

// External data: reading tensor bytes from files next to the model, and deciding, when saving, which tensors go to
// which file at which offset.

/** Reads external tensor data relative to a base folder; files stay open until close(). */
export class ExternalReader {
  private readonly files = new Map<string, { fd: number; size: number }>();
  private readonly realBase: string;

  constructor(private readonly baseDir: string) {
    try {
      this.realBase = realpathSync(resolve(baseDir));
    } catch (error) {
      throw qfError('QF_ONNX_EXTERNAL_DATA', `external data folder ${baseDir} does not exist`, { baseDir }, { cause: error });
    }
  }

  private file(location: string, tensor: string): { fd: number; size: number } {
    const cached = this.files.get(location);
    if (cached) return cached;
    checkLocation(location, tensor);
    const full = resolve(this.realBase, location);
    let real: string;
    try {
      real = realpathSync(full);
    } catch (error) {
      throw qfError('QF_ONNX_EXTERNAL_DATA', `external data file "${location}" of tensor "${tensor}" is missing`, { location, tensor, path: full }, { cause: error });
    }
    const rel = relative(this.realBase, real);
    if (rel === '' || rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) {
      // A symbolic link inside the folder that points outside of it.
      throw qfError('QF_ONNX_EXTERNAL_DATA_PATH', `external data location "${location}" resolves outside the model folder`, { location, tensor, resolved: real });
    }
    try {
      const fd = openSync(real, 'r');
      const entry = { fd, size: fstatSync(fd).size };
      this.files.set(location, entry);
      return entry;
    } catch (error) {
      throw qfError('QF_ONNX_EXTERNAL_DATA', `cannot read external data file "${location}": ${(error as Error).message}`, { location, tensor }, { cause: error });
    }
  }

  /** The bytes of one tensor (a fresh, aligned buffer). */
  read(ref: ExternalDataRef, tensor: string, byteLength: number): Uint8Array {
    const { fd, size } = this.file(ref.location, tensor);
    const offset = ref.offset ?? 0;
    const length = ref.length ?? byteLength;
    const details = { tensor, location: ref.location, offset, length, fileSize: size, expected: byteLength };
    if (length !== byteLength) {
      throw qfError('QF_ONNX_EXTERNAL_DATA', `tensor "${tensor}" has ${length} bytes of external data, its dims and type need ${byteLength}`, details);
    }
    if (offset + length > size) {
      throw qfError('QF_ONNX_EXTERNAL_DATA', `external data of tensor "${tensor}" runs past the end of "${ref.location}"`, details);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, Math.min(length - done, 1 << 30), offset + done);
      if (n <= 0) throw qfError('QF_ONNX_EXTERNAL_DATA', `short read of external data for tensor "${tensor}"`, details);
      done += n;
    }
    return out;
  }

  close(): void {
    for (const { fd } of this.files.values()) closeSync(fd);
    this.files.clear();
  }
}

/** How saveModel treats external data (see {@link SaveOptions}). */
export type ExternalDataOption = boolean | { location?: string; threshold?: number; sizeLimit?: number };

/** Tensors smaller than this stay inline (onnx's default size_threshold). */
export const DEFAULT_THRESHOLD = 1024;
/** Above this many bytes of inline tensor data, saveModel moves tensors to external data (protobuf stops at 2 GiB). */
export const DEFAULT_SIZE_LIMIT = 2_000_000_000;
/** The protobuf limit for one message. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;
const ALIGN = 64;

/** The external-data layout of one save. */
export interface ExternalPlan {
  /** Ref to write for each tensor (null: inline). Tensors not in the map keep their own `externalData`. */
  refs: Map<NamedTensor, ExternalDataRef | null>;
  /** Pieces of each external file, by location. */
  files: Map<string, { pieces: FilePiece[]; size: number }>;
}

function byteLength(t: NamedTensor): number {
  return t.tensor.dtype === 'string' ? 0 : rawByteLength(t.tensor.dtype, sizeOf(t.tensor.dims));
}

/** Existing refs of a file are kept when each one still fits its tensor and none overlap. */
function layoutStillFits(tensors: readonly NamedTensor[], location: string): boolean {
  const spans: [number, number][] = [];
  for (const t of tensors) {
    const ref = t.externalData;
    if (!ref || ref.location !== location || ref.offset === undefined || ref.length !== byteLength(t)) return false;
    spans.push([ref.offset, ref.offset + ref.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) return false;
  return true;
}

/**
 * Decides where every tensor's data goes when saving `model` to `modelPath`:
 * - `true` or `{ location?, threshold? }`: initializers and attribute tensors of at least `threshold` bytes
 *   (default 1024) go to `location` (default `<model file name>.data`); the rest is inline.
 * - `false` / undefined / `{ sizeLimit, ... }`: tensors keep the layout they were loaded with (inline, or their own
 *   external file); only when the inline tensor data would exceed `sizeLimit` bytes (default 2e9, under the
 *   protobuf limit of 2 GiB) do the tensors of at least `threshold` bytes move to `location` automatically.
 * A file whose tensors all still fit their recorded offsets keeps them (so an unchanged model is saved as loaded);
 * otherwise its tensors are laid out again, each at a 64-byte-aligned offset.
 */
export function planExternalData(model: Model, modelPath: string, option: ExternalDataOption | undefined): ExternalPlan {
  const opts = typeof option === 'object' && option !== null ? option : {};
  const forced = option === true || (typeof option === 'object' && option !== null && opts.sizeLimit === undefined);
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const sizeLimit = opts.sizeLimit ?? DEFAULT_SIZE_LIMIT;
  const location = opts.location ?? `${basename(modelPath)}.data`;
  checkLocation(location);
  if (resolve(resolve(modelPath, '..'), location) === resolve(modelPath)) {
    throw qfError('QF_ONNX_EXTERNAL_DATA_PATH', `external data location "${location}" is the model file itself`, { location });
  }

  const all: { t: NamedTensor; movable: boolean }[] = [];
  forEachTensor(model, (t, place) => {
    all.push({ t, movable: place !== 'other' && t.tensor.dtype !== 'string' });
  });
  const target = new Map<NamedTensor, string | null>(); // location, or null for inline
  for (const { t, movable } of all) {
    if (forced) target.set(t, movable && byteLength(t) >= threshold ? location : (t.externalData && !movable ? t.externalData.location : null));
    else target.set(t, t.externalData?.location ?? null);
  }
  if (!forced) {
    let inline = 0;
    for (const { t } of all) if (target.get(t) === null) inline += byteLength(t);
    if (inline > sizeLimit) {
      for (const { t, movable } of all) if (target.get(t) === null && movable && byteLength(t) >= threshold) target.set(t, location);
    }
  }

  const byFile = new Map<string, NamedTensor[]>();
  for (const { t } of all) {
    const loc = target.get(t);
    if (loc) (byFile.get(loc) ?? byFile.set(loc, []).get(loc)!).push(t);
  }
  const refs = new Map<NamedTensor, ExternalDataRef | null>();
  for (const { t } of all) if (target.get(t) === null) refs.set(t, null);
  const files = new Map<string, { pieces: FilePiece[]; size: number }>();
  for (const [loc, tensors] of byFile) {
    const pieces: FilePiece[] = [];
    let size = 0;
    const keep = layoutStillFits(tensors, loc);
    for (const t of tensors) {
      const n = byteLength(t);
      let offset: number;
      if (keep) {
        offset = t.externalData!.offset!;
        refs.set(t, t.externalData!);
      } else {
        offset = Math.ceil(size / ALIGN) * ALIGN;
        const ref: ExternalDataRef = { location: loc, offset, length: n };
        if (t.externalData?.entries) ref.entries = t.externalData.entries;
        refs.set(t, ref);
      }
      checkTensor(t);
      pieces.push({ offset, bytes: rawFromTyped(t.tensor.dtype, t.tensor.data, sizeOf(t.tensor.dims)) });
      size = Math.max(size, offset + n);
    }
    files.set(loc, { pieces, size });
  }
  let inline = 0;
  for (const { t } of all) if (refs.get(t) === null) inline += byteLength(t);
  if (inline > PROTOBUF_LIMIT) {
    throw qfError('QF_ONNX_TOO_LARGE', `the model's inline tensors take ${inline} bytes, more than protobuf's 2 GiB limit`, { inlineBytes: inline }, {
      hint: 'Save with { externalData: true } (or a lower threshold) so that large tensors go to a side file.',
    });
  }
  return { refs, files };
}
