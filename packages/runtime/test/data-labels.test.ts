import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../src/data/index.js';
import { npyBytes, tempFolder } from './data-fixtures.js';

describe('readLabels', () => {
  const dir = tempFolder({
    'l64.npy': npyBytes('int64', [3], BigInt64Array.from([9n, 0n, 4n])),
    'l8.npy': npyBytes('uint8', [2, 1], Uint8Array.from([1, 2])),
    'float.npy': npyBytes('float32', [2], Float32Array.from([1, 2])),
    'matrix.npy': npyBytes('int32', [2, 2], Int32Array.from([1, 2, 3, 4])),
    'l.txt': '3\n1\r\n\n2\n',
    'l.csv': 'label\n5\n6\n',
    'bad.txt': '1\n2.5\n',
    'bad.csv': '1\nlabel\n',
    'l.json': '[1, 2]',
  });

  it('reads integer .npy labels of shape [N] or [N, 1]', async () => {
    expect([...(await readLabels(join(dir, 'l64.npy')))]).toEqual([9, 0, 4]);
    expect([...(await readLabels(join(dir, 'l8.npy')))]).toEqual([1, 2]);
  });

  it('reads one integer per line from .txt and .csv (csv header allowed)', async () => {
    expect([...(await readLabels(join(dir, 'l.txt')))]).toEqual([3, 1, 2]);
    expect([...(await readLabels(join(dir, 'l.csv')))]).toEqual([5, 6]);
  });

  it('rejects float or 2-D label arrays, non-integer lines and other formats (QF_DATA_FORMAT)', async () => {
    for (const f of ['float.npy', 'matrix.npy', 'bad.txt', 'bad.csv', 'l.json']) {
      await expect(readLabels(join(dir, f))).rejects.toMatchObject({ code: 'QF_DATA_FORMAT' });
    }
    await expect(readLabels(join(dir, 'bad.txt'))).rejects.toMatchObject({ details: { line: 2 } });
  });

  it('reports a missing file as QF_DATA_MISSING', async () => {
    await expect(readLabels(join(dir, 'none.npy'))).rejects.toMatchObject({ code: 'QF_DATA_MISSING' });
  });
});
