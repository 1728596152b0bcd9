import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeNpy, readNpy } from '../src/index.js';
import { firstDiff } from './helpers.js';

// Fixtures written by numpy 2.4 (np.save); expected.json holds their shapes and values.
const DIR = fileURLToPath(new URL('./fixtures/npy/', import.meta.url));
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<string, { shape: number[]; values: unknown[] }>;
const read = (name: string) => readFileSync(`${DIR}${name}.npy`);
/** Cases numpy.save writes the way encodeNpy does (C order, little-endian, format 1.0, unicode strings). */
const SAVED = Object.keys(expected).filter((n) => !['fortran', 'big_endian', 'bytes_S', 'v2'].includes(n));

function values(data: unknown): unknown[] {
  return Array.from(data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? String(v) : v));
}

describe('.npy', () => {
  it.each(Object.keys(expected))('reads %s.npy', (name) => {
    const t = readNpy(read(name));
    expect(t.dims).toEqual(expected[name]!.shape);
    if (name !== 'long_dim') expect(values(t.data)).toEqual(expected[name]!.values);
  });

  it('maps numpy dtypes to IR dtypes and storage', () => {
    expect(readNpy(read('f16')).dtype).toBe('float16');
    expect(readNpy(read('f16')).data).toBeInstanceOf(Uint16Array);
    expect(readNpy(read('i64')).data).toBeInstanceOf(BigInt64Array);
    expect(readNpy(read('bool')).dtype).toBe('bool');
    expect(readNpy(read('c64')).dtype).toBe('complex64');
    expect(readNpy(read('str')).dtype).toBe('string');
  });

  it.each(SAVED)('encodeNpy(%s) writes the same bytes as numpy.save', (name) => {
    const bytes = read(name);
    expect(firstDiff(encodeNpy(readNpy(bytes)), bytes)).toBe(-1);
  });

  it('bad files are QF_DATA_FORMAT', () => {
    const code = (bytes: Uint8Array) => {
      try {
        readNpy(bytes);
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(new TextEncoder().encode('not numpy'))).toBe('QF_DATA_FORMAT');
    expect(code(read('object'))).toBe('QF_DATA_FORMAT'); // pickled objects
    expect(code(read('structured'))).toBe('QF_DATA_FORMAT');
    expect(code(read('f32_2x3').subarray(0, 140))).toBe('QF_DATA_FORMAT'); // truncated data
    expect(code(read('f32_2x3').subarray(0, 20))).toBe('QF_DATA_FORMAT'); // truncated header
    const wrongVersion = new Uint8Array(read('i8'));
    wrongVersion[6] = 9;
    expect(code(wrongVersion)).toBe('QF_DATA_FORMAT');
  });

  it('dtypes numpy lacks are QF_DTYPE_UNSUPPORTED', () => {
    expect(() => encodeNpy({ dtype: 'bfloat16', dims: [1], data: new Uint16Array(1) })).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
    expect(() => encodeNpy({ dtype: 'int4', dims: [2], data: new Int8Array(2) })).toThrow(expect.objectContaining({ code: 'QF_DTYPE_UNSUPPORTED' }));
  });

  it('owns its data (aligned, not a view into the file)', () => {
    const bytes = read('f32_2x3');
    const t = readNpy(bytes.subarray(0));
    expect((t.data as Float32Array).buffer).not.toBe(bytes.buffer);
  });
});
