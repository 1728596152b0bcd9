import { QuantforgeError, type Tensor } from '@quantforge/core';

/**
 * How image pixels become a model input. Stages run in this order: channels (RGB or luma) → resize → center crop
 * → `value * scale` → `(value - mean[c]) / std[c]` → channel order → layout. The result is a float32 tensor
 * `[1, C, H, W]` (NCHW) or `[1, H, W, C]` (NHWC).
 */
export interface ImageRecipe {
  /** Target `[height, width]`. Bilinear with half-pixel centers and no antialiasing (like OpenCV INTER_LINEAR). */
  resize?: [number, number];
  /**
   * `stretch` (default): scale each axis to the target. `shorter-side`: keep the aspect ratio, scale so the image
   * covers the target, then center-crop to it.
   */
  fit?: 'stretch' | 'shorter-side';
  /** Center crop `[height, width]` applied after the resize (e.g. resize [256, 256] shorter-side, crop [224, 224]). */
  crop?: [number, number];
  /** Multiplies the 0..255 pixel values (default 1/255). */
  scale?: number;
  /** Subtracted per channel after scaling; one value or one per channel (default 0). */
  mean?: number[];
  /** Divides per channel after the mean; one value or one per channel (default 1). */
  std?: number[];
  /** Channel order of the tensor (default RGB). Ignored for grayscale. */
  channelOrder?: 'RGB' | 'BGR';
  /** Default NCHW. */
  layout?: 'NCHW' | 'NHWC';
  /** One luma channel, 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601). */
  grayscale?: boolean;
}

/** Decoded 8-bit RGBA pixels, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Applies a recipe to decoded pixels; see {@link ImageRecipe} for the stage order.
 *
 * @example
 * ```ts
 * const t = preprocessImage(rgba, { resize: [28, 28], grayscale: true, mean: [0.286], std: [0.353] }); // [1, 1, 28, 28]
 * ```
 */
export function preprocessImage(image: RgbaImage, recipe: ImageRecipe): Tensor<'float32'> {
  validateRecipe(recipe);
  const { width: w, height: h, data } = image;
  const channels = recipe.grayscale ? 1 : 3;
  const geom = geometry(w, h, recipe);
  const { outH, outW } = geom;
  const scale = recipe.scale ?? 1 / 255;
  const mean = perChannel(recipe.mean ?? [0], channels, 'mean');
  const std = perChannel(recipe.std ?? [1], channels, 'std');
  const gray = recipe.grayscale === true;
  const bgr = !gray && recipe.channelOrder === 'BGR';
  const nhwc = recipe.layout === 'NHWC';
  const out = new Float32Array(channels * outH * outW);

  // Source coordinates per output row/column are computed once; the inner loop only blends.
  const ys = axisSamples(outH, geom.offY, geom.scaleY, h);
  const xs = axisSamples(outW, geom.offX, geom.scaleX, w);
  const px = new Float64Array(3);
  for (let y = 0; y < outH; y++) {
    const y0 = ys.lo[y]!, y1 = ys.hi[y]!, fy = ys.frac[y]!;
    for (let x = 0; x < outW; x++) {
      const x0 = xs.lo[x]!, x1 = xs.hi[x]!, fx = xs.frac[x]!;
      for (let c = 0; c < 3; c++) {
        const a = data[(y0 * w + x0) * 4 + c]!, b = data[(y0 * w + x1) * 4 + c]!;
        const d = data[(y1 * w + x0) * 4 + c]!, e = data[(y1 * w + x1) * 4 + c]!;
        const top = a + (b - a) * fx;
        const bottom = d + (e - d) * fx;
        px[c] = top + (bottom - top) * fy;
      }
      for (let c = 0; c < channels; c++) {
        const raw = gray ? 0.299 * px[0]! + 0.587 * px[1]! + 0.114 * px[2]! : px[bgr ? 2 - c : c]!;
        const v = (raw * scale - mean[c]!) / std[c]!;
        out[nhwc ? (y * outW + x) * channels + c : (c * outH + y) * outW + x] = v;
      }
    }
  }
  const dims = nhwc ? [1, outH, outW, channels] : [1, channels, outH, outW];
  return { dtype: 'float32', dims, data: out };
}

interface Geometry {
  outH: number;
  outW: number;
  scaleY: number;
  scaleX: number;
  offY: number;
  offX: number;
}

/** Output size, per-axis scale (resized / source) and crop offset in resized pixels. */
function geometry(w: number, h: number, recipe: ImageRecipe): Geometry {
  let rh = h, rw = w, scaleY = 1, scaleX = 1, offY = 0, offX = 0;
  if (recipe.resize) {
    const [th, tw] = recipe.resize;
    if (recipe.fit === 'shorter-side') {
      const s = Math.max(th / h, tw / w);
      scaleY = scaleX = s;
      offY = Math.floor((Math.round(h * s) - th) / 2);
      offX = Math.floor((Math.round(w * s) - tw) / 2);
    } else {
      scaleY = th / h;
      scaleX = tw / w;
    }
    rh = th;
    rw = tw;
  }
  if (recipe.crop) {
    const [ch, cw] = recipe.crop;
    if (ch > rh || cw > rw) {
      throw new QuantforgeError('QF_DATA_MISMATCH', `crop [${ch}, ${cw}] is larger than the ${recipe.resize ? 'resized ' : ''}image [${rh}, ${rw}]`, {
        details: { crop: [ch, cw], image: [rh, rw] },
        hint: 'Resize to at least the crop size first.',
      });
    }
    offY += Math.floor((rh - ch) / 2);
    offX += Math.floor((rw - cw) / 2);
    rh = ch;
    rw = cw;
  }
  return { outH: rh, outW: rw, scaleY, scaleX, offY, offX };
}

/** For each output index: the two source neighbours and the blend weight (half-pixel centers, clamped edges). */
function axisSamples(n: number, offset: number, scale: number, size: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(n), hi = new Int32Array(n), frac = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const src = Math.min(Math.max((i + offset + 0.5) / scale - 0.5, 0), size - 1);
    const l = Math.floor(src);
    lo[i] = l;
    hi[i] = Math.min(l + 1, size - 1);
    frac[i] = src - l;
  }
  return { lo, hi, frac };
}

function perChannel(values: number[], channels: number, name: string): number[] {
  if (values.length === 1) return new Array<number>(channels).fill(values[0]!);
  if (values.length !== channels) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `image recipe ${name} has ${values.length} values for ${channels} channels`, {
      details: { [name]: values, channels },
    });
  }
  return values;
}

function validateRecipe(recipe: ImageRecipe): void {
  const sizes: [string, [number, number] | undefined][] = [['resize', recipe.resize], ['crop', recipe.crop]];
  for (const [name, size] of sizes) {
    if (size !== undefined && (size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0))) {
      throw new QuantforgeError('QF_INVALID_ARGUMENT', `image recipe ${name} must be [height, width] of positive integers`, { details: { [name]: size } });
    }
  }
  if (recipe.std?.some((s) => s === 0)) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', 'image recipe std must not contain 0', { details: { std: recipe.std } });
  }
}
