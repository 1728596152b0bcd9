import { tensor, type Attribute, type AttributeValue, type Graph, type Node, type Tensor } from '@quantforge/core';
import { BASIC_KERNELS } from '../src/kernels/basic/index.js';

// Builders shared by the basic-kernel tests: attributes, nodes, tensors, and a one-node runner.

export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  ints: (value: number[]): AttributeValue => ({ type: 'ints', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  floats: (value: number[]): AttributeValue => ({ type: 'floats', value }),
  str: (value: string): AttributeValue => ({ type: 'string', value: new TextEncoder().encode(value) }),
  strs: (value: string[]): AttributeValue => ({ type: 'strings', value: value.map((v) => new TextEncoder().encode(v)) }),
  tensor: (t: Tensor): AttributeValue => ({ type: 'tensor', value: { name: 'value', tensor: t } }),
  graph: (g: Graph): AttributeValue => ({ type: 'graph', value: g }),
};

export function makeNode(opType: string, attrs: Record<string, AttributeValue> = {}, outputs = 1): Node {
  const attributes: Attribute[] = Object.entries(attrs).map(([name, v]) => ({ name, ...v }) as Attribute);
  return { name: `${opType}_0`, opType, domain: '', inputs: [], outputs: Array.from({ length: outputs }, (_, i) => `y${i}`), attributes };
}

export interface RunOptions {
  opset?: number;
  outputs?: number;
  runSubgraph?: (g: Graph, feeds: ReadonlyMap<string, Tensor>) => Tensor[];
}

/** Runs one basic kernel. */
export function run(opType: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttributeValue> = {}, options: RunOptions = {}): Tensor[] {
  const kernel = BASIC_KERNELS[opType];
  if (!kernel) throw new Error(`no kernel ${opType}`);
  const node = makeNode(opType, attrs, options.outputs ?? 1);
  node.inputs = inputs.map((t, i) => (t ? `x${i}` : ''));
  return kernel(inputs, {
    node,
    opset: options.opset ?? 21,
    runSubgraph: options.runSubgraph ?? (() => { throw new Error('no subgraphs here'); }),
  });
}

/** The first output of one kernel run. */
export function run1(opType: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttributeValue> = {}, options: RunOptions = {}): Tensor {
  const out = run(opType, inputs, attrs, options)[0];
  if (!out) throw new Error(`${opType} returned nothing`);
  return out;
}

export const f32 = (dims: number[], values: number[]): Tensor => tensor('float32', dims, Float32Array.from(values));
export const f64 = (dims: number[], values: number[]): Tensor => tensor('float64', dims, Float64Array.from(values));
export const i32 = (dims: number[], values: number[]): Tensor => tensor('int32', dims, Int32Array.from(values));
export const i64 = (dims: number[], values: number[]): Tensor => tensor('int64', dims, BigInt64Array.from(values, BigInt));
export const u8 = (dims: number[], values: number[]): Tensor => tensor('uint8', dims, Uint8Array.from(values));
export const i8 = (dims: number[], values: number[]): Tensor => tensor('int8', dims, Int8Array.from(values));
export const bool = (dims: number[], values: boolean[]): Tensor => tensor('bool', dims, Uint8Array.from(values, Number));

/** Plain numbers of a tensor (int64 through Number) for toEqual / toBeCloseTo checks. */
export function values(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** Asserts closeness elementwise; returns the first mismatch message or '' (for expect(...).toBe('')). */
export function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): string {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) ? !Number.isNaN(a) : Math.abs(a - e) > tol * Math.max(1, Math.abs(e))) return `at ${i}: ${a} vs ${e}`;
  }
  return '';
}
