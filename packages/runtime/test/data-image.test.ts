import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage, fromImageFolder, fromNpyFile, preprocessImage, type Feed, type RgbaImage } from '../src/data/index.js';
import { jpegBytes, pngBytes, rgba, tempFolder } from './data-fixtures.js';

async function collect(source: AsyncIterable<Feed>): Promise<Feed[]> {
  const out: Feed[] = [];
  for await (const f of source) out.push(f);
  return out;
}

const values = (f: Feed, name = 'input') => [...(f[name]!.data as Float32Array)];
const near = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 5));
};

// 2×2 image: red, green / blue, white
const quad = rgba(2, 2, (x, y) => ([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [255, 255, 255]]] as const)[y]![x]! as [number, number, number]);
const quadImage: RgbaImage = { width: 2, height: 2, data: quad };

describe('preprocessImage', () => {
  it('applies scale, mean and std per channel in NCHW RGB order by default', () => {
    const t = preprocessImage(quadImage, { mean: [0.5, 0, 0], std: [0.5, 1, 2] });
    expect(t.dims).toEqual([1, 3, 2, 2]);
    near(t.data, [1, -1, -1, 1, 0, 1, 0, 1, 0, 0, 0.5, 0.5]);
  });

  it('reorders channels to BGR and lays them out NHWC', () => {
    const t = preprocessImage(quadImage, { scale: 1, channelOrder: 'BGR', layout: 'NHWC' });
    expect(t.dims).toEqual([1, 2, 2, 3]);
    expect([...t.data.slice(0, 6)]).toEqual([0, 0, 255, 0, 255, 0]);
  });

  it('makes one BT.601 luma channel for grayscale', () => {
    const t = preprocessImage(quadImage, { scale: 1, grayscale: true });
    expect(t.dims).toEqual([1, 1, 2, 2]);
    const expected = [0.299 * 255, 0.587 * 255, 0.114 * 255, 255];
    [...t.data].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
  });

  it('resizes bilinearly with half-pixel centers', () => {
    // a 2-pixel ramp 0, 100 stretched to 4 pixels: samples at -0.25, 0.25, 0.75, 1.25 (edges clamp)
    const ramp: RgbaImage = { width: 2, height: 1, data: rgba(2, 1, (x) => [x * 100, 0, 0]) };
    const t = preprocessImage(ramp, { resize: [1, 4], scale: 1 });
    expect([...t.data.slice(0, 4)]).toEqual([0, 25, 75, 100]);
  });

  it('shorter-side fit keeps the aspect ratio and center-crops', () => {
    // 4×2 image with column values 0,1,2,3 → scale 1 to cover 2×2, crop the middle columns 1,2
    const wide: RgbaImage = { width: 4, height: 2, data: rgba(4, 2, (x) => [x, 0, 0]) };
    const t = preprocessImage(wide, { resize: [2, 2], fit: 'shorter-side', scale: 1 });
    expect(t.dims).toEqual([1, 3, 2, 2]);
    expect([...t.data.slice(0, 4)]).toEqual([1, 2, 1, 2]);
    const stretched = preprocessImage(wide, { resize: [2, 2], scale: 1 });
    expect([...stretched.data.slice(0, 2)]).toEqual([0.5, 2.5]);
  });

  it('center-crops after the resize', () => {
    const img: RgbaImage = { width: 4, height: 4, data: rgba(4, 4, (x, y) => [x + 10 * y, 0, 0]) };
    const t = preprocessImage(img, { crop: [2, 2], scale: 1 });
    expect([...t.data.slice(0, 4)]).toEqual([11, 12, 21, 22]);
    expect(() => preprocessImage(img, { crop: [5, 2] })).toThrow(expect.objectContaining({ code: 'QF_DATA_MISMATCH' }));
  });

  it('rejects bad recipes', () => {
    expect(() => preprocessImage(quadImage, { resize: [0, 2] })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => preprocessImage(quadImage, { mean: [1, 2] })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => preprocessImage(quadImage, { std: [0] })).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe('fromImageFolder', () => {
  const gray = (v: number) => rgba(3, 3, () => [v, v, v]);
  const dir = tempFolder({
    'b10.png': pngBytes(3, 3, gray(30)),
    'b2.png': pngBytes(3, 3, gray(20)),
    'a.jpg': jpegBytes(3, 3, gray(200)),
    'notes.txt': 'ignored',
  });

  it('reads PNG and JPEG files in natural name order into [1, C, H, W] feeds', async () => {
    const source = await fromImageFolder(dir, { grayscale: true, scale: 1 }, { input: 'img' });
    expect(source.count).toBe(3);
    const feeds = await collect(source);
    expect(feeds.map((f) => f.img!.dims)).toEqual([[1, 1, 3, 3], [1, 1, 3, 3], [1, 1, 3, 3]]);
    expect(values(feeds[0]!, 'img').every((v) => Math.abs(v - 200) < 3)).toBe(true); // JPEG is lossy
    expect(values(feeds[1]!, 'img').every((v) => Math.abs(v - 20) < 1e-3)).toBe(true);
    expect(values(feeds[2]!, 'img').every((v) => Math.abs(v - 30) < 1e-3)).toBe(true);
  });

  it('batches and limits like every source', async () => {
    const feeds = await collect(await fromImageFolder(dir, { resize: [2, 2] }, { batch: 2, limit: 3 }));
    expect(feeds.map((f) => f.input!.dims)).toEqual([[2, 3, 2, 2], [1, 3, 2, 2]]);
  });

  it('fails on an empty folder (QF_DATA_MISSING) and on a broken image (QF_DATA_FORMAT)', async () => {
    await expect(fromImageFolder(tempFolder({ 'x.txt': 'no images' }), {})).rejects.toMatchObject({ code: 'QF_DATA_MISSING', details: { input: 'input' } });
    const broken = await fromImageFolder(tempFolder({ 'bad.png': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }), {});
    await expect(collect(broken)).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
    const notImage = await fromImageFolder(tempFolder({ 'fake.jpg': 'hello' }), {});
    await expect(collect(notImage)).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
  });

  it('decodes by signature, not by file name', () => {
    const img = decodeImage(pngBytes(2, 2, quad), 'misnamed.jpg');
    expect([img.width, img.height]).toEqual([2, 2]);
    expect([...img.data.slice(0, 4)]).toEqual([255, 0, 0, 255]);
  });
});

const skimage = '/usr/lib/python3/dist-packages/skimage/data';

describe.skipIf(!existsSync(`${skimage}/chelsea.png`))('real photos (Debian python3-skimage)', () => {
  it('resizes chelsea.png (451×300) shorter-side to 224×224 with ImageNet normalization', async () => {
    const raw = decodeImage(readFileSync(`${skimage}/chelsea.png`));
    expect([raw.width, raw.height]).toEqual([451, 300]);
    const dir = tempFolder({ 'chelsea.png': readFileSync(`${skimage}/chelsea.png`) });
    const recipe = { resize: [224, 224] as [number, number], fit: 'shorter-side' as const, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    const [feed] = await collect(await fromImageFolder(dir, recipe, { input: 'x' }));
    expect(feed!.x!.dims).toEqual([1, 3, 224, 224]);
    const data = feed!.x!.data as Float32Array;
    let min = Infinity, max = -Infinity;
    for (const v of data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(-0.485 / 0.229 - 1e-4);
    expect(max).toBeLessThanOrEqual((1 - 0.406) / 0.225 + 1e-4);
    expect(max - min).toBeGreaterThan(2); // a real photo spans most of the range
  });
});

const fmnist = '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
const evalSlice = fileURLToPath(new URL('../../../examples/fashion-mnist/data/eval/input.npy', import.meta.url));

describe.skipIf(!existsSync(fmnist) || !existsSync(evalSlice))('Fashion-MNIST as PNG files (Debian dataset-fashion-mnist)', () => {
  it('the README recipe reproduces the committed, Python-normalized eval slice', async () => {
    const raw = gunzipSync(readFileSync(fmnist));
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 8; i++) {
      const pixels = raw.subarray(16 + i * 784, 16 + (i + 1) * 784);
      files[`${i}.png`] = pngBytes(28, 28, rgba(28, 28, (x, y) => { const v = pixels[y * 28 + x]!; return [v, v, v]; }));
    }
    const recipe = { resize: [28, 28] as [number, number], grayscale: true, scale: 1 / 255, mean: [0.286], std: [0.353] };
    const feeds = await collect(await fromImageFolder(tempFolder(files), recipe));
    const [expected] = await collect(await fromNpyFile(evalSlice, 'input', { limit: 8, batch: 8 }));
    const want = expected!.input!.data as Float32Array;
    feeds.forEach((f, i) => {
      const got = f.input!.data as Float32Array;
      let worst = 0;
      for (let k = 0; k < 784; k++) worst = Math.max(worst, Math.abs(got[k]! - want[i * 784 + k]!));
      expect(worst).toBeLessThan(1e-5);
    });
  });
});
