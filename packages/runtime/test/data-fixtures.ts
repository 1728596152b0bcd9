// Builders for the data-source tests: tiny .npy / TensorProto writers (independent of the codecs under test),
// temp folders, and PNG / JPEG images made with pngjs and jpeg-js.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

const NPY_DESCR: Record<string, string> = { float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', uint8: '|u1' };

/** NPY format 1.0 bytes for a C-order array. */
export function npyBytes(dtype: keyof typeof NPY_DESCR, dims: number[], data: ArrayBufferView): Uint8Array {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${NPY_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

/** A float32 onnx.TensorProto: dims (1), data_type (2) = 1, name (8), raw_data (9). */
export function tensorProtoBytes(name: string, dims: number[], values: Float32Array): Uint8Array {
  const nameBytes = [...new TextEncoder().encode(name)];
  const raw = [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];
  const bytes = [
    ...dims.flatMap((d) => [0x08, ...varint(d)]),
    0x10, 1,
    0x42, ...varint(nameBytes.length), ...nameBytes,
    0x4a, ...varint(raw.length), ...raw,
  ];
  return Uint8Array.from(bytes);
}

/** A fresh temp folder with the given files (paths relative to it). */
export function tempFolder(files: Record<string, Uint8Array | string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'qf-data-'));
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

/** RGBA pixels of a w×h image where pixel (x, y) has channels f(x, y). */
export function rgba(w: number, h: number, f: (x: number, y: number) => [number, number, number]): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  }
  return data;
}

export function pngBytes(w: number, h: number, data: Uint8Array): Uint8Array {
  const png = new pngjs.PNG({ width: w, height: h });
  png.data = Buffer.from(data);
  return pngjs.PNG.sync.write(png);
}

export function jpegBytes(w: number, h: number, data: Uint8Array, quality = 100): Uint8Array {
  return jpeg.encode({ width: w, height: h, data }, quality).data;
}
