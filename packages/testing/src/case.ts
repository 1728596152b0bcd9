import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { QuantforgeError, type Tensor, type TransferMode } from '@quantforge/core';
import type { Tolerance } from './compare.js';
import { parseNpy } from './npy.js';
import { tensorFromJson } from './tensor-json.js';

/** One conformance case, read from `<fixtures>/<case>/case.json` (format: see the package README). */
export interface ConformanceCase {
  /** Folder name; the check id is `fixture:<id>`. */
  id: string;
  dir: string;
  description?: string;
  /** Named export of the plugin's worker module to call. */
  export: string;
  options: unknown;
  inputs: Record<string, Tensor>;
  transfer: TransferMode;
  expect: {
    outputs: Record<string, Tensor>;
    /** When present, the export's returned value must deep-equal it. */
    value?: unknown;
    tolerance?: Tolerance;
    /** The export must fail with this code (and message substring). */
    error?: { code: string; message?: string };
  };
}

type Json = Record<string, unknown>;

function bad(message: string, file: string): QuantforgeError {
  return new QuantforgeError('QF_DATA_FORMAT', `${file}: ${message}`, { details: { file }, hint: 'See the case.json format in the @quantforge/testing README.' });
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readTensors(value: unknown, dir: string, file: string, key: string): Record<string, Tensor> {
  if (value === undefined) return {};
  if (!isObject(value)) throw bad(`${key} must be an object of tensors`, file);
  const out: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(value)) {
    if (typeof spec === 'string') {
      const path = resolve(dir, spec);
      if (relative(dir, path).startsWith('..')) throw bad(`${key}.${name}: ${spec} points outside the case folder`, file);
      if (!existsSync(path)) throw bad(`${key}.${name}: file ${spec} does not exist`, file);
      out[name] = parseNpy(readFileSync(path), path);
    } else {
      out[name] = tensorFromJson(spec, `${file} ${key}.${name}`);
    }
  }
  return out;
}

function readTolerance(v: unknown, file: string): Tolerance | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && v >= 0) return { atol: v, rtol: 0 };
  if (isObject(v) && Object.values(v).every((x) => typeof x === 'number' && x >= 0) && Object.keys(v).every((k) => k === 'atol' || k === 'rtol')) {
    return v as Tolerance;
  }
  throw bad('expect.tolerance must be a number (atol) or { atol?, rtol? } of non-negative numbers', file);
}

/**
 * Reads one case folder.
 *
 * @throws QuantforgeError `QF_DATA_FORMAT` naming the file and key
 * @example
 * ```ts
 * const c = readCase('fixtures/double');
 * ```
 */
export function readCase(dir: string): ConformanceCase {
  const file = join(dir, 'case.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw bad(`cannot read: ${(cause as Error).message}`, file);
  }
  if (!isObject(json)) throw bad('must hold a JSON object', file);
  if (typeof json.export !== 'string' || json.export.length === 0) throw bad('export must name the worker export to call', file);
  const transfer = json.transfer ?? 'move';
  if (transfer !== 'move' && transfer !== 'share' && transfer !== 'copy') throw bad('transfer must be move, share or copy', file);
  const expectJson = json.expect;
  if (!isObject(expectJson)) throw bad('expect must be an object with outputs, value or error', file);
  const error = expectJson.error;
  if (error !== undefined && !(isObject(error) && typeof error.code === 'string' && (error.message === undefined || typeof error.message === 'string'))) {
    throw bad('expect.error must be { code, message? }', file);
  }
  if (error === undefined && expectJson.outputs === undefined && !('value' in expectJson)) throw bad('expect needs outputs, value or error', file);
  const c: ConformanceCase = {
    id: dir.split(/[\\/]/).pop() ?? dir,
    dir,
    export: json.export,
    options: json.options ?? {},
    inputs: readTensors(json.inputs, dir, file, 'inputs'),
    transfer,
    expect: { outputs: readTensors(expectJson.outputs, dir, file, 'expect.outputs') },
  };
  if (typeof json.description === 'string') c.description = json.description;
  if ('value' in expectJson) c.expect.value = expectJson.value;
  const tolerance = readTolerance(expectJson.tolerance, file);
  if (tolerance !== undefined) c.expect.tolerance = tolerance;
  if (error !== undefined) c.expect.error = error as { code: string; message?: string };
  return c;
}

/**
 * Names of the case folders (those holding a case.json) under a fixtures folder, sorted. Missing folder: none.
 *
 * @example
 * ```ts
 * listCases('plugins/scheme-uniform/fixtures'); // ['per-channel', 'per-tensor']
 * ```
 */
export function listCases(fixturesDir: string): string[] {
  if (!existsSync(fixturesDir) || !statSync(fixturesDir).isDirectory()) return [];
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(fixturesDir, d.name, 'case.json')))
    .map((d) => d.name)
    .sort();
}
