import { invalid } from './types.js';

/**
 * NumPy/TFLite broadcast of two shapes (right-aligned; a dimension of 1 stretches).
 *
 * @example
 * ```ts
 * broadcastShape([2, 1, 3], [4, 1]); // [2, 4, 3]
 * ```
 */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw invalid(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`, { a, b });
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * For every output element, the flat index into each operand (`Int32Array`s of the output's length). Equal shapes
 * and scalar operands take the simple paths CMSIS-NN's elementwise kernels have; other shapes broadcast generally.
 */
export function broadcastIndices(
  len1: number,
  len2: number,
  dims1?: readonly number[],
  dims2?: readonly number[],
): { size: number; index1: Int32Array; index2: Int32Array } {
  const d1 = dims1 ?? [len1];
  const d2 = dims2 ?? [len2];
  const prod = (d: readonly number[]): number => d.reduce((p, x) => p * x, 1);
  for (const [name, d, len] of [['input1Dims', d1, len1], ['input2Dims', d2, len2]] as const) {
    if (d.some((x) => !Number.isInteger(x) || x < 1) || prod(d) !== len) {
      throw invalid(`${name} [${d.join(', ')}] does not describe ${len} elements`, { dims: d, length: len });
    }
  }
  const outDims = broadcastShape(d1, d2);
  const size = prod(outDims);
  const index1 = new Int32Array(size);
  const index2 = new Int32Array(size);
  const rank = outDims.length;
  // Row-major strides of each operand aligned to the output rank; broadcast dimensions get stride 0.
  const strides = (d: readonly number[]): number[] => {
    const s = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      const di = d[d.length - rank + i] ?? 1;
      s[i] = di === 1 ? 0 : acc;
      acc *= di;
    }
    return s;
  };
  const s1 = strides(d1);
  const s2 = strides(d2);
  const coord = new Array<number>(rank).fill(0);
  let i1 = 0;
  let i2 = 0;
  for (let k = 0; k < size; k++) {
    index1[k] = i1;
    index2[k] = i2;
    for (let ax = rank - 1; ax >= 0; ax--) {
      coord[ax] = (coord[ax] as number) + 1;
      i1 += s1[ax] as number;
      i2 += s2[ax] as number;
      if ((coord[ax] as number) < (outDims[ax] as number)) break;
      i1 -= (s1[ax] as number) * (outDims[ax] as number);
      i2 -= (s2[ax] as number) * (outDims[ax] as number);
      coord[ax] = 0;
    }
  }
  return { size, index1, index2 };
}
