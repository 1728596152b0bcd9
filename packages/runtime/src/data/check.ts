import { QuantforgeError } from '@quantforge/core';
import { makeSource, type DataSource, type Feed, type InputSpec } from './source.js';

/**
 * Checks one feed against the model inputs: every input present (`QF_DATA_MISSING`), no unknown names, and each
 * tensor of the declared dtype and rank with matching fixed dims (`QF_DATA_MISMATCH`). Symbolic or unknown dims
 * match any size. Errors name the input and, when given, the sample index.
 *
 * @example
 * ```ts
 * checkFeed({ input: t }, [{ name: 'input', dtype: 'float32', shape: ['N', 1, 28, 28] }]);
 * ```
 */
export function checkFeed(feed: Feed, modelInputs: readonly InputSpec[], where: { sample?: number } = {}): void {
  const at = where.sample === undefined ? '' : ` (sample ${where.sample})`;
  const sample = where.sample === undefined ? {} : { sample: where.sample };
  const expected = new Set(modelInputs.map((i) => i.name));
  for (const name of Object.keys(feed)) {
    if (!expected.has(name)) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `data has a tensor "${name}" but the model has no input of that name${at}`, {
        details: { input: name, modelInputs: [...expected], ...sample },
        hint: `Name the data after the model inputs: ${[...expected].join(', ')}.`,
      });
    }
  }
  for (const spec of modelInputs) {
    const t = feed[spec.name];
    if (!t) {
      throw new QuantforgeError('QF_DATA_MISSING', `no data for model input "${spec.name}"${at}`, {
        details: { input: spec.name, provided: Object.keys(feed), ...sample },
        hint: `Provide a tensor named "${spec.name}" in every sample.`,
      });
    }
    if (spec.dtype !== undefined && t.dtype !== spec.dtype) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `input "${spec.name}" expects ${spec.dtype} data, got ${t.dtype}${at}`, {
        details: { input: spec.name, expected: spec.dtype, actual: t.dtype, ...sample },
        hint: `Convert the data to ${spec.dtype} (numpy: array.astype(np.${spec.dtype})).`,
      });
    }
    if (spec.shape !== undefined && !shapeMatches(t.dims, spec.shape)) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `input "${spec.name}" expects shape [${formatShape(spec.shape)}], got [${t.dims.join(', ')}]${at}`, {
        details: { input: spec.name, expected: [...spec.shape], actual: [...t.dims], ...sample },
        hint: 'Per-sample data needs a leading batch dimension of 1; check the layout (NCHW vs NHWC) and the image size.',
      });
    }
  }
}

/** True when dims fit shape: same rank, fixed sizes equal, symbolic/unknown sizes free. */
export function shapeMatches(dims: readonly number[], shape: readonly (number | string | null)[]): boolean {
  if (dims.length !== shape.length) return false;
  return shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
}

function formatShape(shape: readonly (number | string | null)[]): string {
  return shape.map((d) => (d === null ? '?' : String(d))).join(', ');
}

/**
 * A source that runs {@link checkFeed} on every feed as it streams, so a bad sample fails with its index instead of
 * deep inside the executor.
 *
 * @example
 * ```ts
 * for await (const feed of checkedSource(source, inputSpecsFromGraph(model.graph))) run(feed);
 * ```
 */
export function checkedSource(source: DataSource, modelInputs: readonly InputSpec[]): DataSource {
  async function* samples(): AsyncGenerator<Feed> {
    let i = 0;
    for await (const feed of source) {
      checkFeed(feed, modelInputs, { sample: i++ });
      yield feed;
    }
  }
  const info = { description: source.description, isSynthetic: source.isSynthetic };
  return makeSource(samples, source.count === undefined ? info : { ...info, count: source.count });
}
