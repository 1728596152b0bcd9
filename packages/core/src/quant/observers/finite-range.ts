/**
 * Exact min/max of a Float32Array through a 4-lane WebAssembly SIMD scan: calibration folds every exposed
 * activation of every sample into a min/max observer, and the scalar JS loop was most of the calibrate stage on
 * small models (several ns per element; the scan is memory-bound). The result is the one the scalar loop
 * `if (v < min) min = v; if (v > max) max = v` gives: lanes use pmin/pmax (strict compare, the earlier value wins),
 * distinct finite floats compare unequal except ±0, and a zero result takes the sign of the array's first zero.
 */

const SIMD = 0xfd;
const V128 = 0x7b;
const I32 = 0x7f;
/** Byte offset of the scanned data in the module's memory; bytes 0–31 receive the min and max lanes. */
const DATA = 64;
/** Below this many elements the copy and call cost more than the scalar loop. */
const MIN_ELEMENTS = 256;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

const f32x4 = (bits: number[]) => [SIMD, 0x0c, ...bits, ...bits, ...bits, ...bits];
const POS_INF = [0x00, 0x00, 0x80, 0x7f];
const NEG_INF = [0x00, 0x00, 0x80, 0xff];

/**
 * `scan(end: i32) → i32` over the f32 values at [DATA, end) (end − DATA a positive multiple of 16): stores the lane
 * minima at 0 and maxima at 16; returns 1 when any value is NaN or ±∞ (v − v is then NaN, and NaN ≠ NaN).
 * Locals: 0 end, 1 p, 2 min, 3 max, 4 bad, 5 v, 6 v − v.
 */
function moduleBytes(): Uint8Array {
  const code = [
    0x41, ...[0xc0, 0x00], 0x21, 1, // p = DATA (64 as signed LEB128)
    ...f32x4(POS_INF), 0x21, 2,
    ...f32x4(NEG_INF), 0x21, 3,
    0x03, 0x40, // loop
    0x20, 1, SIMD, 0x00, 0x00, 0x00, 0x21, 5, // v = v128.load(p)
    0x20, 2, 0x20, 5, SIMD, 0xea, 0x01, 0x21, 2, // min = f32x4.pmin(min, v): v < min ? v : min
    0x20, 3, 0x20, 5, SIMD, 0xeb, 0x01, 0x21, 3, // max = f32x4.pmax(max, v): max < v ? v : max
    0x20, 4, 0x20, 5, 0x20, 5, SIMD, 0xe5, 0x01, 0x22, 6, 0x20, 6, SIMD, 0x42, SIMD, 0x50, 0x21, 4, // bad |= (v − v) ≠ (v − v)
    0x20, 1, 0x41, 0x10, 0x6a, 0x22, 1, 0x20, 0, 0x49, 0x0d, 0, // p += 16; continue while p < end
    0x0b,
    0x41, 0, 0x20, 2, SIMD, 0x0b, 0x00, 0x00, // store min lanes at 0
    0x41, 0, 0x20, 3, SIMD, 0x0b, 0x00, 0x10, // store max lanes at 16
    0x20, 4, SIMD, 0x53, // v128.any_true(bad)
    0x0b,
  ];
  const body = [0x02, 0x01, I32, 0x05, V128, ...code];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, I32, 0x01, I32]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('scan'), 0x00, 0x00, ...name('mem'), 0x02, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

/** The slice of the WebAssembly API used here (the ES2022 lib this package compiles against does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

interface Scanner {
  scan: (end: number) => number;
  memory: WasmMemory;
}

let scanner: Scanner | null | undefined;

function load(): Scanner | null {
  if (scanner !== undefined) return scanner;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    const instance = new wasm!.Instance(new wasm!.Module(moduleBytes()));
    scanner = { scan: instance.exports.scan as Scanner['scan'], memory: instance.exports.mem as WasmMemory };
  } catch {
    // A runtime without WebAssembly SIMD keeps the scalar loop.
    scanner = null;
  }
  return scanner;
}

function firstZero(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (values[i] === 0) return values[i]!;
  return 0;
}

/**
 * The exact `{ min, max }` of `values` when every value is finite; undefined when some value is NaN or ±∞, the array
 * is short, or WebAssembly SIMD is unavailable (callers then run their scalar loop, which also counts non-finite
 * values). The module's memory grows to the largest array seen and is kept for the next call.
 *
 * @example
 * ```ts
 * finiteRange(new Float32Array(1024).fill(2)); // { min: 2, max: 2 }
 * ```
 */
export function finiteRange(values: Float32Array): { min: number; max: number } | undefined {
  const n = values.length;
  if (n < MIN_ELEMENTS) return undefined;
  const s = load();
  if (s === null) return undefined;
  const body = n - (n % 4);
  const end = DATA + body * 4;
  if (s.memory.buffer.byteLength < end) s.memory.grow(Math.ceil((end - s.memory.buffer.byteLength) / 65536));
  new Float32Array(s.memory.buffer, DATA, body).set(body === n ? values : values.subarray(0, body));
  if (s.scan(end) !== 0) return undefined;
  const lanes = new Float32Array(s.memory.buffer, 0, 8);
  let min = lanes[0]!;
  let max = lanes[4]!;
  for (let k = 1; k < 4; k++) {
    if (lanes[k]! < min) min = lanes[k]!;
    if (lanes[4 + k]! > max) max = lanes[4 + k]!;
  }
  for (let i = body; i < n; i++) {
    const v = values[i]!;
    if (v - v !== 0) return undefined;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Lanes saw interleaved elements, so among equal values (only +0 and −0) the winner may not be the first one.
  if (min === 0) min = firstZero(values);
  if (max === 0) max = firstZero(values);
  return { min, max };
}
