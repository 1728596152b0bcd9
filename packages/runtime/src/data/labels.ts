import { extname } from 'node:path';
import { QuantforgeError, isInteger } from '@quantforge/core';
import { readBytes, readTensorFile } from './files.js';

/**
 * Reads class labels for evaluation: an integer `.npy` of shape `[N]` (or `[N, 1]`), or a `.txt` / `.csv` with one
 * integer per line (blank lines skipped; a `.csv` may start with a header line). Anything else is `QF_DATA_FORMAT`.
 *
 * @example
 * ```ts
 * const labels = await readLabels('examples/fashion-mnist/data/eval/labels.npy'); // Int32Array(1000)
 * ```
 */
export async function readLabels(path: string): Promise<Int32Array> {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return npyLabels(path);
  if (ext === '.txt' || ext === '.csv') return textLabels(path, ext === '.csv');
  throw new QuantforgeError('QF_DATA_FORMAT', `labels file ${path} must be .npy, .txt or .csv`, { details: { path, extension: ext } });
}

async function npyLabels(path: string): Promise<Int32Array> {
  const { tensor } = await readTensorFile(path);
  const rankOk = tensor.dims.length === 1 || (tensor.dims.length === 2 && tensor.dims[1] === 1);
  if (!isInteger(tensor.dtype) || !rankOk) {
    throw new QuantforgeError('QF_DATA_FORMAT', `labels ${path} must be an integer array of shape [N], got ${tensor.dtype} [${tensor.dims.join(', ')}]`, {
      details: { path, dtype: tensor.dtype, dims: tensor.dims },
      hint: 'Save with numpy.save(path, labels.astype(np.int64)).',
    });
  }
  const out = new Int32Array(tensor.data.length);
  for (let i = 0; i < out.length; i++) out[i] = checkedLabel(Number(tensor.data[i]!), path, i);
  return out;
}

async function textLabels(path: string, csv: boolean): Promise<Int32Array> {
  const lines = new TextDecoder().decode(await readBytes(path)).split(/\r?\n/);
  const values: number[] = [];
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '') return;
    if (!/^[+-]?\d+$/.test(text)) {
      if (csv && values.length === 0 && lines.slice(0, i).every((l) => l.trim() === '')) return; // header row
      throw new QuantforgeError('QF_DATA_FORMAT', `labels ${path} line ${i + 1} is not an integer: "${text.slice(0, 40)}"`, {
        details: { path, line: i + 1 },
        hint: 'Write one integer class index per line.',
      });
    }
    values.push(checkedLabel(Number(text), path, values.length));
  });
  return Int32Array.from(values);
}

function checkedLabel(value: number, path: string, index: number): number {
  if (!Number.isSafeInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new QuantforgeError('QF_DATA_FORMAT', `label ${index} in ${path} is out of the int32 range`, { details: { path, index, value } });
  }
  return value;
}
