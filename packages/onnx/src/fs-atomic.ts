import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { qfError } from './errors.js';

// Atomic writes: the bytes go to a temporary file in the target's folder (same file system, so rename is atomic),
// which is synced and renamed over the target. On any failure the temporary file is removed and the target is left
// as it was. Temporary names start with ".quantforge-tmp-" (ignored by the repository's .gitignore).

/** A file written to its temporary name, waiting to be renamed into place. */
export interface StagedFile {
  path: string;
  tmp: string;
}

/** One piece of a file: bytes at an offset. */
export interface FilePiece {
  offset: number;
  bytes: Uint8Array;
}

function ioError(path: string, error: unknown): Error {
  if (error instanceof Error && (error as { code?: string }).code?.startsWith('QF_')) return error;
  const errno = (error as { code?: string }).code;
  return qfError('QF_IO', `cannot write ${path}: ${(error as Error).message}`, { path, ...(errno ? { errno } : {}) }, { cause: error });
}

const CHUNK = 1 << 30; // one write() call handles at most 2 GB

async function writeAt(fh: FileHandle, bytes: Uint8Array, offset: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const n = Math.min(CHUNK, bytes.length - done);
    const { bytesWritten } = await fh.write(bytes, done, n, offset + done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

/** Writes pieces (at their offsets; gaps read as zeros) to a temporary file next to `path`. */
export async function stageFile(path: string, pieces: readonly FilePiece[], size?: number): Promise<StagedFile> {
  const target = resolve(path);
  const tmp = join(dirname(target), `.quantforge-tmp-${basename(target)}-${process.pid}-${randomBytes(6).toString('hex')}`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', 0o666);
    for (const p of pieces) await writeAt(fh, p.bytes, p.offset);
    if (size !== undefined) await fh.truncate(size);
    await fh.sync();
    await fh.close();
    fh = undefined;
    return { path: target, tmp };
  } catch (error) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError(path, error);
  }
}

/** Removes staged files that will not be committed. */
export async function discardStaged(files: readonly StagedFile[]): Promise<void> {
  await Promise.all(files.map((f) => rm(f.tmp, { force: true }).catch(() => undefined)));
}

/**
 * Renames staged files into place, in order. On failure the ones not yet renamed are removed, and so are the ones
 * already renamed that did not exist before (a side file written for a model whose own rename failed); files that
 * replaced an older version stay, since the old content is gone.
 */
export async function commitStaged(files: readonly StagedFile[]): Promise<void> {
  const created: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    try {
      const existed = await lstat(f.path).then(() => true, () => false);
      await rename(f.tmp, f.path);
      if (!existed) created.push(f.path);
    } catch (error) {
      await discardStaged(files.slice(i));
      await Promise.all(created.map((p) => rm(p, { force: true }).catch(() => undefined)));
      throw ioError(f.path, error);
    }
  }
}

/**
 * Writes a file atomically: readers see the old content or the new one, never a part; on failure no partial or
 * temporary file remains. Strings are written as UTF-8. Errors are QF_IO.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (!(bytes instanceof Uint8Array)) throw qfError('QF_INVALID_ARGUMENT', 'writeFileAtomic needs a Uint8Array or a string', { path });
  const staged = await stageFile(path, [{ offset: 0, bytes }], bytes.length);
  await commitStaged([staged]);
}
