import { checkActivation, checkDims, checkLength, checkTile, invalid, outputBuffer, type ActivationClamp, type Dims4, type Tile } from './types.js';

/** Arguments of {@link avgPoolS8} and {@link maxPoolS8} (input and output share scale and zero point). */
export interface PoolS8Args {
  input: Int8Array;
  /** [N, H, W, C]. */
  inputDims: Dims4;
  /** Pooling window. */
  filter: Tile;
  stride: Tile;
  /** Top/left padding. */
  padding: Tile;
  /** [N, H_OUT, W_OUT, C]. */
  outputDims: Dims4;
  activation: ActivationClamp;
  output?: Int8Array;
}

/**
 * The average-pool rounding of TFLite and CMSIS-NN: `acc > 0 ? (acc + count/2)/count : (acc − count/2)/count` with C
 * truncating division, i.e. round half away from zero.
 *
 * @example
 * ```ts
 * avgPoolRound(-5, 2); // -3
 * ```
 */
export function avgPoolRound(acc: number, count: number): number {
  const half = Math.trunc(count / 2);
  return acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
}

function checkPool(a: PoolS8Args): void {
  checkLength('input', a.input, checkDims('inputDims', a.inputDims));
  checkDims('outputDims', a.outputDims);
  checkTile('filter', a.filter, 1);
  checkTile('stride', a.stride, 1);
  checkTile('padding', a.padding, 0);
  checkActivation(a.activation);
  if (a.outputDims.n !== a.inputDims.n || a.outputDims.c !== a.inputDims.c) {
    throw invalid('pooling keeps batch and channels: outputDims must be [N, H_OUT, W_OUT, C]', { inputDims: a.inputDims, outputDims: a.outputDims });
  }
}

/** The window geometry and clamp a pooling loop needs, whatever the element width. */
export interface PoolWindow {
  input: ArrayLike<number>;
  inputDims: Dims4;
  filter: Tile;
  stride: Tile;
  padding: Tile;
  outputDims: Dims4;
  activation: ActivationClamp;
}

/**
 * The pooling loop shared by the int8 and int16 kernels (checked arguments): per output pixel the in-image taps, their
 * sum divided with {@link avgPoolRound} or their maximum starting from `maxStart` (the type's minimum), then the clamp.
 * Writes into `out` and returns it.
 *
 * @example
 * ```ts
 * poolInto(window, true, new Int16Array(n), -32768);
 * ```
 */
export function poolInto<T extends Int8Array | Int16Array>(a: PoolWindow, average: boolean, out: T, maxStart: number): T {
  const { n: batches, h: inH, w: inW, c: channels } = a.inputDims;
  const { h: outH, w: outW } = a.outputDims;
  const { input, filter, stride, padding } = a;
  const { min, max } = a.activation;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride.h - padding.h;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inH, y0 + filter.h);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride.w - padding.w;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inW, x0 + filter.w);
        const count = Math.max(0, yEnd - yStart) * Math.max(0, xEnd - xStart);
        if (average && count === 0) {
          throw invalid(`average pool output (${oy}, ${ox}) covers no input pixel; the padding is larger than the window`, { oy, ox });
        }
        for (let c = 0; c < channels; c++) {
          let acc = average ? 0 : maxStart;
          for (let iy = yStart; iy < yEnd; iy++) {
            for (let ix = xStart; ix < xEnd; ix++) {
              const x = input[((b * inH + iy) * inW + ix) * channels + c] as number;
              if (average) acc += x;
              else if (x > acc) acc = x;
            }
          }
          let v = average ? avgPoolRound(acc, count) : acc;
          v = v < min ? min : v > max ? max : v;
          out[o++] = v;
        }
      }
    }
  }
  return out;
}

function pool(a: PoolS8Args, average: boolean): Int8Array {
  checkPool(a);
  const { n, c } = a.inputDims;
  return poolInto(a, average, outputBuffer(a.output, n * a.outputDims.h * a.outputDims.w * c), -128);
}

/**
 * int8 average pooling, bit-exact with CMSIS-NN `arm_avgpool_s8` and TFLite `AveragePool`: the sum over in-image
 * taps divided by their count with {@link avgPoolRound}, then clamped (no requantization).
 *
 * @example
 * ```ts
 * avgPoolS8({ input: Int8Array.of(1, 2, 3, 5), inputDims: { n: 1, h: 2, w: 2, c: 1 }, filter: { h: 2, w: 2 },
 *   stride: { h: 2, w: 2 }, padding: { h: 0, w: 0 }, outputDims: { n: 1, h: 1, w: 1, c: 1 },
 *   activation: { min: -128, max: 127 } }); // Int8Array [3]
 * ```
 */
export function avgPoolS8(a: PoolS8Args): Int8Array {
  return pool(a, true);
}

/**
 * int8 max pooling, bit-exact with CMSIS-NN `arm_max_pool_s8` and TFLite `MaxPool`: the maximum over in-image taps,
 * then clamped.
 *
 * @example
 * ```ts
 * maxPoolS8({ ...args, input: Int8Array.of(1, 2, 3, 5) }); // Int8Array [5]
 * ```
 */
export function maxPoolS8(a: PoolS8Args): Int8Array {
  return pool(a, false);
}
