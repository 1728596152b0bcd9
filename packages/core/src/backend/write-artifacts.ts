import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { QuantforgeError } from '../errors/error.js';
import type { EmittedArtifact } from './definition.js';

/** Paths an artifact may not have: absolute, escaping the folder, empty, or repeated. */
function pathProblems(artifacts: readonly EmittedArtifact[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const a of artifacts) {
    const p = typeof a?.path === 'string' ? normalize(a.path) : '';
    if (p === '' || p === '.' || isAbsolute(a.path) || p === '..' || p.startsWith(`..${sep}`)) problems.push(`bad path ${JSON.stringify(a?.path)}`);
    else if (seen.has(p)) problems.push(`path ${a.path} appears twice`);
    seen.add(p);
  }
  return problems;
}

/**
 * Writes a backend's emitted artifacts to `dir` atomically: every file goes to a temporary sibling folder first,
 * which then replaces `dir` (an existing `dir` is removed only after the new folder is complete), so `dir` never
 * holds half a project. Returns the absolute path. Paths must be relative and stay inside `dir`
 * (`QF_INVALID_ARGUMENT`); a write failure is `QF_IO` and leaves `dir` as it was.
 *
 * @example
 * ```ts
 * const artifacts = await backend.emit!(program, { format: 'c' });
 * const dir = await writeArtifacts('out/fashion-m4', artifacts);
 * ```
 */
export async function writeArtifacts(dir: string, artifacts: readonly EmittedArtifact[]): Promise<string> {
  const problems = pathProblems(artifacts);
  if (problems.length > 0) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `cannot write the emitted artifacts: ${problems.join('; ')}`, { details: { dir, problems } });
  }
  const target = resolve(dir);
  const parent = dirname(target);
  let tmp: string | undefined;
  try {
    await mkdir(parent, { recursive: true });
    tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
    for (const a of artifacts) {
      const full = join(tmp, a.path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, a.contents);
    }
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    tmp = undefined;
    return target;
  } catch (cause) {
    throw new QuantforgeError('QF_IO', `cannot write the emitted project to ${target}: ${(cause as Error).message}`, { details: { dir: target }, cause });
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}
