/** Bit-for-bit comparison of a runner's float32 outputs with the expected ones (see {@link compareOutputs}). */
export interface OutputComparison {
  samples: number;
  /** Every byte of every sample equals the expected output (and the file has exactly the expected length). */
  identical: boolean;
  /** Samples with at least one differing byte, or missing from the file. */
  mismatches: number;
  /** Index of the first such sample. */
  firstMismatch?: number;
}

/**
 * Compares output bytes with the expected float32 values sample by sample, as bytes — so `-0` vs `0` or two NaN
 * payloads count as different, which is what "bit-exact" means. Samples absent from `got` count as mismatches; extra
 * bytes make the result not identical.
 *
 * @example
 * ```ts
 * const c = compareOutputs(readFileSync('out.f32'), simulated, 10); // 10 logits per sample
 * c.identical; // true when the C runner matches the simulator bit for bit
 * ```
 */
export function compareOutputs(got: Uint8Array, want: Float32Array, valuesPerSample: number): OutputComparison {
  const bytesPerSample = valuesPerSample * 4;
  const samples = valuesPerSample === 0 ? 0 : Math.floor(want.length / valuesPerSample);
  const w = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
  let mismatches = 0;
  let firstMismatch: number | undefined;
  for (let s = 0; s < samples; s++) {
    const start = s * bytesPerSample;
    let same = start + bytesPerSample <= got.length;
    for (let i = start; same && i < start + bytesPerSample; i++) same = got[i] === w[i];
    if (!same) {
      mismatches++;
      firstMismatch ??= s;
    }
  }
  const out: OutputComparison = { samples, identical: mismatches === 0 && got.length === w.length, mismatches };
  if (firstMismatch !== undefined) out.firstMismatch = firstMismatch;
  return out;
}
