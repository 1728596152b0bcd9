/**
 * |x| of every value, ascending. Non-negative float32 values order like their bit patterns as unsigned integers, so
 * this is an LSD radix sort (three 11-bit passes) on the bits with the sign cleared — several times faster than
 * `Float32Array.prototype.sort` on a million weights, and exact.
 *
 * @example
 * ```ts
 * sortedMagnitudes(Float32Array.of(-3, 1, -0, 2)); // Float32Array [0, 1, 2, 3]
 * ```
 */
export function sortedMagnitudes(values: Float32Array): Float32Array {
  const n = values.length;
  let keys = new Uint32Array(n);
  keys.set(new Uint32Array(values.buffer, values.byteOffset, n));
  for (let i = 0; i < n; i++) keys[i] = keys[i]! & 0x7fffffff;
  let spare = new Uint32Array(n);
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      spare[counts[(k >>> shift) & 2047]!++] = k;
    }
    [keys, spare] = [spare, keys];
  }
  return new Float32Array(keys.buffer);
}
