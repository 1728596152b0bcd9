import { checkLength, outputBuffer } from './types.js';

/**
 * int8 elementwise table lookup, TFLite's `reference_integer_ops::LookupTable` for int8: `y[i] = lut[(uint8)x[i]]`.
 * The table comes from `lutPopulateS8` (the op's float function through its input and output encodings), so the
 * kernel has no parameters of its own; it may run in place; bit-identical with the C kernel `qf_lut_s8`.
 *
 * @example
 * ```ts
 * const lut = new Int8Array(256).map((_, i) => (i << 24) >> 25); // halves every code
 * lookupTableS8(Int8Array.of(10, -10), lut); // Int8Array [5, -5]
 * ```
 */
export function lookupTableS8(input: Int8Array, lut: Int8Array, output?: Int8Array): Int8Array {
  checkLength('lut', lut, 256);
  const out = outputBuffer(output, input.length);
  for (let i = 0; i < input.length; i++) out[i] = lut[(input[i] as number) & 0xff] as number;
  return out;
}
