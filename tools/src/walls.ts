/**
 * The architecture walls of the monorepo as a check: which of our packages may import which, enforced on every source
 * file (static imports, re-exports, dynamic import(), require) and on every package.json dependency list.
 * Sources are scanned with a small lexer that blanks comments and string contents first, so an import written inside a
 * TSDoc example or a code-generating template does not count.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** What a workspace package is, which decides what it may import. */
export type PackageRole = 'core' | 'onnx' | 'runtime' | 'testing' | 'cli' | 'plugin' | 'tools' | 'example';

/** One import found in a source file. */
export interface ImportRef {
  specifier: string;
  /** 1-based line of the import keyword. */
  line: number;
  kind: 'import' | 'export-from' | 'side-effect' | 'dynamic' | 'require';
}

/** A workspace package as the walls see it. */
export interface WorkspacePackage {
  name: string;
  /** Absolute folder. */
  dir: string;
  role: PackageRole;
  /** Every package named in dependencies, peerDependencies, optionalDependencies and devDependencies. */
  dependencies: string[];
}

/** A broken wall, with where it is. */
export interface WallViolation {
  /** File relative to the workspace root (a source file or a package.json). */
  file: string;
  line: number;
  from: string;
  to: string;
  message: string;
}

const SOURCE_EXT = /\.(?:ts|mts|cts|tsx|js|mjs|cjs)$/;
const REGEX_PREFIX = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

function skipQuoted(src: string, i: number): number {
  const q = src[i];
  let j = i + 1;
  while (j < src.length && src[j] !== q && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

function skipTemplate(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length && src[j] !== '`') {
    if (src[j] === '\\') j += 2;
    else if (src[j] === '$' && src[j + 1] === '{') {
      let depth = 1;
      j += 2;
      while (j < src.length && depth > 0) {
        const c = src[j];
        if (c === '`') j = skipTemplate(src, j);
        else if (c === "'" || c === '"') j = skipQuoted(src, j);
        else {
          if (c === '{') depth++;
          else if (c === '}') depth--;
          j++;
        }
      }
    } else j++;
  }
  return j + 1;
}

function skipRegex(src: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < src.length && src[j] !== '\n') {
    const c = src[j];
    if (c === '\\') j += 2;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) return j + 1;
      j++;
    }
  }
  return j;
}

function looksLikeRegex(code: string): boolean {
  const before = code.trimEnd();
  if (before.length === 0) return true;
  return REGEX_PREFIX.has(before[before.length - 1]!) || REGEX_KEYWORDS.test(before);
}

/**
 * Blanks comments (keeping newlines) and replaces every string, template and regex literal with a numbered
 * placeholder `"#n#"`; the literal texts are returned in `strings` (templates and regexes as empty strings).
 */
export function maskSource(src: string): { code: string; strings: string[] } {
  let code = '';
  const strings: string[] = [];
  let i = 0;
  const keepLines = (text: string): string => text.replace(/[^\n]/g, '');
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    let end = -1;
    let value = '';
    if (c === '/' && next === '/') {
      end = src.indexOf('\n', i);
      if (end < 0) end = src.length;
      code += ' ';
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      end = src.indexOf('*/', i + 2);
      end = end < 0 ? src.length : end + 2;
      code += ` ${keepLines(src.slice(i, end))}`;
      i = end;
      continue;
    }
    if (c === "'" || c === '"') {
      end = skipQuoted(src, i);
      value = src.slice(i + 1, end - 1);
    } else if (c === '`') {
      end = skipTemplate(src, i);
    } else if (c === '/' && looksLikeRegex(code)) {
      end = skipRegex(src, i);
    }
    if (end < 0) {
      code += c;
      i++;
      continue;
    }
    strings.push(value);
    code += `"#${strings.length - 1}#"${keepLines(src.slice(i, end))}`;
    i = end;
  }
  return { code, strings };
}

const PATTERNS: Array<[ImportRef['kind'], RegExp]> = [
  ['import', /(?<![\w$.])import\s+(?:type\s+)?[^;"()]*?\bfrom\s*"#(\d+)#"/g],
  ['export-from', /(?<![\w$.])export\s+(?:type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*"#(\d+)#"/g],
  ['side-effect', /(?<![\w$.])import\s*"#(\d+)#"/g],
  ['dynamic', /(?<![\w$.])import\s*\(\s*"#(\d+)#"/g],
  ['require', /(?<![\w$.])require\s*\(\s*"#(\d+)#"\s*\)/g],
];

/**
 * Every module specifier a source file imports, re-exports, dynamically imports or requires (string literals only).
 *
 * @example
 * ```ts
 * scanImports("import { a } from '@quantforge/core';\nconst m = await import('./x.js');");
 * // [{ specifier: '@quantforge/core', line: 1, kind: 'import' }, { specifier: './x.js', line: 2, kind: 'dynamic' }]
 * ```
 */
export function scanImports(source: string): ImportRef[] {
  const { code, strings } = maskSource(source);
  const found: Array<ImportRef & { at: number }> = [];
  for (const [kind, re] of PATTERNS) {
    for (const m of code.matchAll(re)) {
      const at = m.index ?? 0;
      const line = code.slice(0, at).split('\n').length;
      found.push({ specifier: strings[Number(m[1])] ?? '', line, kind, at });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ at: _at, ...ref }) => ref);
}

const MAY_IMPORT: Record<PackageRole, readonly PackageRole[]> = {
  core: [],
  onnx: ['core'],
  runtime: ['core', 'onnx'],
  testing: ['core', 'onnx', 'runtime'],
  plugin: ['core', 'onnx', 'runtime', 'testing'],
  cli: ['core', 'onnx', 'runtime', 'testing', 'plugin'],
  // The `quantforge` package is both the CLI and the umbrella API users compose pipelines with; examples and
  // benchmarks are users, so they may import it. No library package may.
  tools: ['core', 'onnx', 'runtime', 'testing', 'plugin', 'cli'],
  example: ['core', 'onnx', 'runtime', 'testing', 'plugin', 'cli'],
};

/**
 * Whether a package of role `from` may depend on a different package of role `to`. No library package depends on the
 * CLI (only examples and tools, which use it as the umbrella API), and plugins never depend on each other (`plugin`
 * lists no `plugin`).
 *
 * @example
 * ```ts
 * mayDepend('runtime', 'onnx'); // true
 * mayDepend('core', 'onnx');    // false
 * ```
 */
export function mayDepend(from: PackageRole, to: PackageRole): boolean {
  return MAY_IMPORT[from].includes(to);
}

function roleOf(relDir: string, name: string): PackageRole | undefined {
  const [top, second] = relDir.split(/[\\/]/);
  if (top === 'plugins') return 'plugin';
  if (top === 'examples') return 'example';
  if (top === 'tools') return 'tools';
  if (top !== 'packages') return undefined;
  if (name === 'quantforge' || second === 'cli') return 'cli';
  if (second === 'core' || second === 'onnx' || second === 'runtime' || second === 'testing') return second;
  return undefined;
}

/**
 * The workspace packages under packages/*, plugins/*, tools and examples/* that have a package.json.
 *
 * @example
 * ```ts
 * listWorkspacePackages('/work/main').map((p) => `${p.name} (${p.role})`);
 * ```
 */
export function listWorkspacePackages(root: string): WorkspacePackage[] {
  const dirs: string[] = [];
  for (const group of ['packages', 'plugins', 'examples']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base, { withFileTypes: true })) if (d.isDirectory()) dirs.push(join(base, d.name));
  }
  dirs.push(join(root, 'tools'));
  const out: WorkspacePackage[] = [];
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const name = typeof pkg.name === 'string' ? pkg.name : relative(root, dir);
    const role = roleOf(relative(root, dir), name);
    if (role === undefined) continue;
    const dependencies = new Set<string>();
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      const deps = pkg[field];
      if (typeof deps === 'object' && deps !== null) for (const d of Object.keys(deps)) dependencies.add(d);
    }
    out.push({ name, dir, role, dependencies: [...dependencies] });
  }
  return out;
}

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name === 'node_modules' || d.name === 'dist') continue;
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...sourceFiles(p));
    else if (SOURCE_EXT.test(d.name)) out.push(p);
  }
  return out.sort();
}

function owner(packages: WorkspacePackage[], path: string): WorkspacePackage | undefined {
  return packages.find((p) => path === p.dir || path.startsWith(p.dir + sep));
}

/**
 * All wall violations in a workspace: forbidden imports between our packages, unknown `@quantforge/*` names,
 * relative imports that climb into another package, and package.json dependencies that break the same rules.
 *
 * @example
 * ```ts
 * const violations = checkWalls(process.cwd());
 * for (const v of violations) console.error(`${v.file}:${v.line} ${v.message}`);
 * ```
 */
export function checkWalls(root: string): WallViolation[] {
  const absRoot = resolve(root);
  const packages = listWorkspacePackages(absRoot);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const ours = (name: string) => name.startsWith('@quantforge/') || name === 'quantforge' || byName.has(name);
  const violations: WallViolation[] = [];
  const judge = (from: WorkspacePackage, target: string, file: string, line: number, what: string): void => {
    const to = byName.get(target);
    if (to === undefined) {
      if (target.startsWith('@quantforge/')) violations.push({ file, line, from: from.name, to: target, message: `${from.name} ${what} ${target}, which is no workspace package` });
      return;
    }
    if (to === from || mayDepend(from.role, to.role)) return;
    violations.push({ file, line, from: from.name, to: to.name, message: `${from.name} (${from.role}) must not depend on ${to.name} (${to.role}) but ${what} it` });
  };
  for (const pkg of packages) {
    const pkgFile = relative(absRoot, join(pkg.dir, 'package.json'));
    for (const dep of pkg.dependencies) if (ours(dep)) judge(pkg, dep, pkgFile, 1, 'lists');
    for (const file of sourceFiles(join(pkg.dir, 'src'))) {
      const rel = relative(absRoot, file);
      for (const ref of scanImports(readFileSync(file, 'utf8'))) {
        if (ref.specifier.startsWith('.')) {
          const target = owner(packages, resolve(dirname(file), ref.specifier));
          if (target !== undefined && target !== pkg) {
            violations.push({ file: rel, line: ref.line, from: pkg.name, to: target.name, message: `${pkg.name} reaches into ${target.name} by relative path "${ref.specifier}"; import it by package name` });
          }
        } else if (!ref.specifier.startsWith('node:') && ours(packageNameOf(ref.specifier))) {
          judge(pkg, packageNameOf(ref.specifier), rel, ref.line, 'imports');
        }
      }
    }
  }
  return violations;
}

/** True when `dir` holds a workspace root (a package.json with workspaces). */
export function isWorkspaceRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  return existsSync(file) && statSync(file).isFile() && Array.isArray((JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown }).workspaces);
}
