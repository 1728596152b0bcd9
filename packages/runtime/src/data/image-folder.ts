import { extname, join } from 'node:path';
import { QuantforgeError } from '@quantforge/core';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { listDir, naturalCompare, readBytes } from './files.js';
import { preprocessImage, type ImageRecipe, type RgbaImage } from './image-recipe.js';
import { makeSource, type DataSource, type Feed, type SourceOptions } from './source.js';

/** Options of {@link fromImageFolder}. */
export interface ImageFolderOptions extends SourceOptions {
  /** The model input the images feed (default `"input"`). */
  input?: string;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * A calibration source from a folder of PNG and JPEG images (top level only, natural name order), each decoded
 * and preprocessed by `recipe` into one float32 feed `[1, C, H, W]` (or NHWC). Alpha is dropped. Other files are
 * ignored; an image that fails to decode is `QF_DATA_FORMAT` naming the file.
 *
 * @example
 * ```ts
 * const calib = await fromImageFolder('photos', { resize: [224, 224], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, { input: 'x' });
 * ```
 */
export async function fromImageFolder(dir: string, recipe: ImageRecipe, options: ImageFolderOptions = {}): Promise<DataSource> {
  const input = options.input ?? 'input';
  const files = (await listDir(dir))
    .filter((e) => !e.isDir && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort(naturalCompare);
  if (files.length === 0) {
    throw new QuantforgeError('QF_DATA_MISSING', `no PNG or JPEG images in ${dir} for model input "${input}"`, {
      details: { input, path: dir },
      hint: 'Put .png / .jpg files directly in the folder.',
    });
  }
  async function* read(): AsyncGenerator<Feed> {
    for (const f of files) {
      const path = join(dir, f);
      yield { [input]: preprocessImage(decodeImage(await readBytes(path), path), recipe) };
    }
  }
  return makeSource(read, { description: `image folder ${dir} (${files.length} images)`, count: files.length }, options);
}

/**
 * Decodes PNG or JPEG bytes (by signature, not by extension) to 8-bit RGBA.
 *
 * @example
 * ```ts
 * const { width, height, data } = decodeImage(readFileSync('cat.jpg'), 'cat.jpg');
 * ```
 */
export function decodeImage(bytes: Uint8Array, path = '<bytes>'): RgbaImage {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  try {
    if (isPng) {
      const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (error) {
    throw new QuantforgeError('QF_DATA_FORMAT', `${path} could not be decoded as ${isPng ? 'PNG' : 'JPEG'}: ${(error as Error).message}`, {
      details: { path, format: isPng ? 'png' : 'jpeg' },
      cause: error,
    });
  }
  throw new QuantforgeError('QF_DATA_FORMAT', `${path} is neither a PNG nor a JPEG file`, {
    details: { path },
    hint: 'Only PNG and baseline/progressive JPEG images are read.',
  });
}
