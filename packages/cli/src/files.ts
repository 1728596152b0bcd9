import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { QuantforgeError } from '@quantforge/core';

/**
 * Fails with `QF_IO` when `path` is not a readable file, so that a typo in a path gets a plain message instead of
 * whatever the decoder makes of a missing file.
 */
export async function requireFile(path: string, what: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) {
      throw new QuantforgeError('QF_IO', `${what} ${path} is not a file`, { details: { path }, hint: `pass the path of a ${what} file` });
    }
    return s.size;
  } catch (error) {
    if (error instanceof QuantforgeError) throw error;
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new QuantforgeError('QF_IO', `cannot read ${what} ${path}: ${reason}`, { details: { path, errno: code }, hint: 'check the path (relative paths start at the current folder)', cause: error });
  }
}

/** Makes a string usable as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
export function sanitizeFileName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (m) => '_'.repeat(m.length));
  return s === '' ? '_' : s;
}

/**
 * Fails with `QF_IO` when a file cannot be created at `path`: the path is a folder, or its folder is missing. The
 * writers would fail too, but with messages about their temporary files.
 */
export async function requireWritableTarget(path: string, what: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new QuantforgeError('QF_IO', `cannot write ${what} ${path}: it is a folder`, { details: { path }, hint: `pass a file path for the ${what}` });
  }
  const dir = dirname(path);
  const parent = await stat(dir).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw new QuantforgeError('QF_IO', `cannot write ${what} ${path}: folder ${dir} does not exist`, { details: { path, folder: dir }, hint: 'create the folder first' });
  }
}
