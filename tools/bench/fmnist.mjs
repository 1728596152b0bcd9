// Fashion-MNIST straight from Debian's IDX files, normalized exactly as examples/fashion-mnist/README.md says
// (x = (pixel / 255 - 0.2860) / 0.3530), so Node and the PyTorch peer see the same floats.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FMNIST_DIR = process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const MEAN = 0.2860;
const STD = 0.3530;

function readIdx(path, magic) {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0);
  if (got !== magic) throw new Error(`${path}: IDX magic ${got.toString(16)}, expected ${magic.toString(16)}`);
  const rank = magic & 0xff;
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * rank) };
}

/**
 * The test split (or train) as normalized float32 images `[N, 784]` and int32 labels.
 * @param {'t10k' | 'train'} split
 */
export function loadSplit(split = 't10k') {
  const img = readIdx(join(FMNIST_DIR, `${split}-images-idx3-ubyte.gz`), 0x00000803);
  const lab = readIdx(join(FMNIST_DIR, `${split}-labels-idx1-ubyte.gz`), 0x00000801);
  const [n, h, w] = img.dims;
  if (lab.dims[0] !== n || h !== 28 || w !== 28) throw new Error(`unexpected IDX dims ${img.dims} / ${lab.dims}`);
  // Float32 arithmetic in the same order as numpy's float32 pipeline: pixel/255 then (x - mean)/std.
  const images = new Float32Array(n * 784);
  const f = Math.fround;
  for (let i = 0; i < images.length; i++) images[i] = f(f(f(img.data[i] / 255) - f(MEAN)) / f(STD));
  return { n, images, labels: Int32Array.from(lab.data) };
}

/** One feed per image, `{ input: [1, 1, 28, 28] }`, re-iterable (a plain array). */
export function feeds(images, n, inputName = 'input') {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({ [inputName]: { dtype: 'float32', dims: [1, 1, 28, 28], data: images.slice(i * 784, (i + 1) * 784) } });
  }
  return out;
}
