import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isQuantforgeError, toFloat64, type Model, type Tensor } from '@quantforge/core';
import { decodeModel, decodeTensorProto } from '@quantforge/onnx';
import { createExecutor } from '../engine/executor.js';

/** Where Debian's `libonnx-testdata` puts the ONNX backend node tests. */
export const DEBIAN_NODE_TEST_DIR = '/usr/share/libonnx-testdata/data/node';

/** Outcome of one ONNX node test on the reference executor. */
export interface NodeTestResult {
  /** Test folder name, e.g. `test_conv_with_strides_padding`. */
  name: string;
  /** The operator under test (for `_expanded` tests: the op of the un-expanded sibling). */
  op: string;
  /** Every op type the test model uses. */
  ops: string[];
  status: 'pass' | 'fail' | 'error' | 'unsupported';
  /** Largest absolute difference over all outputs and data sets (NaN when nothing was compared). */
  maxAbsErr: number;
  message: string;
}

/** Tolerances of {@link runNodeTest}: an element passes when |actual - expected| <= atol + rtol * |expected|. */
export interface NodeTestTolerance {
  atol?: number;
  rtol?: number;
}

/**
 * The node test folders under `dir` (those holding a `model.onnx`), sorted by name; empty when `dir` is absent.
 *
 * @example
 * ```ts
 * for (const t of listNodeTests()) console.log(runNodeTest(t).status);
 * ```
 */
export function listNodeTests(dir: string = DEBIAN_NODE_TEST_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.startsWith('test_') && existsSync(join(dir, n, 'model.onnx')))
    .sort()
    .map((n) => join(dir, n));
}

function loadModel(dir: string): Model {
  return decodeModel(readFileSync(join(dir, 'model.onnx')), { baseDir: dir });
}

function opOf(testDir: string, model: Model): string {
  const nodes = model.graph.nodes;
  if (nodes.length === 1) return nodes[0]!.opType;
  const name = basename(testDir);
  if (name.endsWith('_expanded')) {
    const sibling = testDir.slice(0, -'_expanded'.length);
    try {
      const m = loadModel(sibling);
      if (m.graph.nodes.length === 1) return m.graph.nodes[0]!.opType;
    } catch {
      // fall through to the model's own first op
    }
  }
  return nodes[0]?.opType ?? '';
}

function readTensors(dir: string, prefix: 'input' | 'output'): { name: string; tensor: Tensor }[] {
  const files = readdirSync(dir).filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'));
  files.sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)));
  return files.map((f) => {
    const nt = decodeTensorProto(readFileSync(join(dir, f)));
    return { name: nt.name, tensor: nt.tensor };
  });
}

/**
 * ONNX 1.12's test generator stored bfloat16 tensors as uint16 bit patterns; retag them when the model says bfloat16
 * (the bits are the same, only the declared type differs).
 */
function asBfloat16(t: Tensor, wanted: boolean): Tensor {
  return wanted && t.dtype === 'uint16' ? { dtype: 'bfloat16', dims: t.dims, data: t.data as Uint16Array } : t;
}

/**
 * Compares two tensors (dtype, dims, then every element within atol + rtol * |expected|; NaN equals NaN).
 *
 * @example
 * ```ts
 * const { maxAbsErr, problem } = compareTensors(actual, expected, 1e-4, 1e-4);
 * ```
 */
export function compareTensors(actual: Tensor, expected: Tensor, atol: number, rtol: number): { maxAbsErr: number; problem?: string } {
  if (actual.dtype !== expected.dtype) return { maxAbsErr: NaN, problem: `dtype ${actual.dtype}, expected ${expected.dtype}` };
  if (actual.dims.join() !== expected.dims.join()) return { maxAbsErr: NaN, problem: `dims [${actual.dims}], expected [${expected.dims}]` };
  if (actual.dtype === 'string') {
    const a = actual.data as string[], e = expected.data as string[];
    const bad = a.findIndex((v, i) => v !== e[i]);
    return bad < 0 ? { maxAbsErr: 0 } : { maxAbsErr: NaN, problem: `string ${bad} is "${a[bad]}", expected "${e[bad]}"` };
  }
  const a = toFloat64(actual), e = toFloat64(expected);
  let max = 0;
  let worst = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!, y = e[i]!;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const d = Math.abs(x - y);
    if (!(d <= max)) max = d;
    if (!(d <= atol + rtol * Math.abs(y)) && worst < 0) worst = i;
  }
  if (worst >= 0) return { maxAbsErr: max, problem: `element ${worst} is ${a[worst]}, expected ${e[worst]} (max abs err ${max.toExponential(2)})` };
  return { maxAbsErr: max };
}

/**
 * Runs one ONNX backend node test (`model.onnx` + `test_data_set_*`) on the reference executor and compares every
 * output. Never throws: decoding problems and kernel failures come back as `status: 'error'`, ops without a kernel as
 * `'unsupported'`.
 *
 * @example
 * ```ts
 * const r = runNodeTest('/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding');
 * // { name: 'test_conv_with_strides_padding', op: 'Conv', status: 'pass', maxAbsErr: 0, ... }
 * ```
 */
export function runNodeTest(testDir: string, tolerance: NodeTestTolerance = {}): NodeTestResult {
  const atol = tolerance.atol ?? 1e-3;
  const rtol = tolerance.rtol ?? 1e-3;
  const name = basename(testDir);
  const result: NodeTestResult = { name, op: '', ops: [], status: 'error', maxAbsErr: NaN, message: '' };
  let model: Model;
  try {
    model = loadModel(testDir);
  } catch (e) {
    result.message = `cannot load model: ${(e as Error).message}`;
    return result;
  }
  result.op = opOf(testDir, model);
  result.ops = [...new Set(model.graph.nodes.map((n) => n.opType))].sort();
  let exec;
  try {
    exec = createExecutor(model);
  } catch (e) {
    if (isQuantforgeError(e) && (e as { code: string }).code === 'QF_OP_UNSUPPORTED') {
      result.status = 'unsupported';
    }
    result.message = (e as Error).message;
    return result;
  }
  const nonTensor = [...model.graph.inputs, ...model.graph.outputs].filter((v) => v.type && v.type.kind !== 'tensor');
  if (nonTensor.length > 0) {
    result.status = 'unsupported';
    result.message = `the executor runs tensors only; ${nonTensor.map((v) => `${v.name} is a ${v.type!.kind}`).join(', ')}`;
    return result;
  }
  const fed = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  const declared = new Map(model.graph.inputs.map((v) => [v.name, v.type?.kind === 'tensor' ? v.type.elemType : undefined]));
  const sets = readdirSync(testDir).filter((d) => d.startsWith('test_data_set_')).sort();
  let max = 0;
  for (const set of sets) {
    const dir = join(testDir, set);
    let feeds: Record<string, Tensor>;
    let expected: { name: string; tensor: Tensor }[];
    try {
      feeds = {};
      readTensors(dir, 'input').forEach((t, i) => {
        const target = fed.some((v) => v.name === t.name) ? t.name : fed[i]?.name;
        if (target !== undefined) feeds[target] = asBfloat16(t.tensor, declared.get(target) === 'bfloat16');
      });
      expected = readTensors(dir, 'output');
    } catch (e) {
      result.message = `${set}: cannot read test data: ${(e as Error).message}`;
      return result;
    }
    let actual: Record<string, Tensor>;
    try {
      actual = exec.run(feeds);
    } catch (e) {
      result.message = `${set}: ${(e as Error).message}`;
      return result;
    }
    for (let i = 0; i < expected.length; i++) {
      const outName = model.graph.outputs[i]?.name ?? expected[i]!.name;
      const got = actual[outName];
      if (!got) {
        result.status = 'fail';
        result.message = `${set}: output ${outName} missing`;
        return result;
      }
      const cmp = compareTensors(got, asBfloat16(expected[i]!.tensor, got.dtype === 'bfloat16'), atol, rtol);
      if (!Number.isNaN(cmp.maxAbsErr)) max = Math.max(max, cmp.maxAbsErr);
      if (cmp.problem) {
        result.status = 'fail';
        result.maxAbsErr = cmp.maxAbsErr;
        result.message = `${set}: output ${outName}: ${cmp.problem}`;
        return result;
      }
    }
  }
  result.status = 'pass';
  result.maxAbsErr = max;
  return result;
}

/** Per-op totals of a set of node test results. */
export interface NodeTestSummary {
  op: string;
  pass: number;
  fail: number;
  error: number;
  unsupported: number;
  total: number;
}

/**
 * Groups results by op, sorted by op name.
 *
 * @example
 * ```ts
 * summarizeNodeTests(listNodeTests().map((t) => runNodeTest(t))); // [{ op: 'Abs', pass: 1, total: 1, ... }, ...]
 * ```
 */
export function summarizeNodeTests(results: readonly NodeTestResult[]): NodeTestSummary[] {
  const by = new Map<string, NodeTestSummary>();
  for (const r of results) {
    let s = by.get(r.op);
    if (!s) {
      s = { op: r.op, pass: 0, fail: 0, error: 0, unsupported: 0, total: 0 };
      by.set(r.op, s);
    }
    s[r.status]++;
    s.total++;
  }
  return [...by.values()].sort((a, b) => a.op.localeCompare(b.op));
}
