/**
 * Float32 values sorted ascending, widened to float64: an LSD radix sort (three 11-bit passes) over order-preserving
 * keys of the float32 bit patterns. O(n); about twice as fast as V8's typed-array sort at a million values, and the
 * sort is most of scalar k-means' time. −0 sorts just below +0; values must be finite (callers check).
 *
 * @example
 * ```ts
 * sortFloat32(Float32Array.of(3, -1, 2)); // Float64Array [-1, 2, 3]
 * ```
 */
export function sortFloat32(values: Float32Array): Float64Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  let keys = new Uint32Array(n);
  // Negative floats flip every bit (larger magnitude sorts first), positive ones only the sign bit.
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  let spare = new Uint32Array(n);
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0x7ff]!++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      spare[counts[(key >>> shift) & 0x7ff]!++] = key;
    }
    [keys, spare] = [spare, keys];
  }
  const out = new Float64Array(n);
  const back = new Float32Array(keys.buffer);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
    out[i] = back[i]!;
  }
  return out;
}
