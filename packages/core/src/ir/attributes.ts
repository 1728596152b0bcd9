import { QuantforgeError } from '../errors/error.js';
import type { Attribute, Graph, NamedTensor, Node } from './graph.js';

// Typed attribute readers with defaults. Kernels, passes and schemes use these instead of poking at the union.

function find(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

function wrong(node: Node, name: string, want: string, got: string): QuantforgeError {
  return new QuantforgeError('QF_ONNX_INVALID_MODEL', `attribute ${name} of ${node.opType} node "${node.name}" should be ${want}, is ${got}`, {
    details: { node: node.name, opType: node.opType, attribute: name, expected: want, actual: got },
  });
}

export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  const a = find(node, name);
  if (!a) return fallback;
  if (a.type !== 'int') throw wrong(node, name, 'int', a.type);
  return Number(a.value);
}

export function attrFloat(node: Node, name: string, fallback: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, fallback?: number): number | undefined {
  const a = find(node, name);
  if (!a) return fallback;
  if (a.type === 'int') return Number(a.value);
  if (a.type !== 'float') throw wrong(node, name, 'float', a.type);
  return a.value;
}

export function attrString(node: Node, name: string, fallback: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, fallback?: string): string | undefined {
  const a = find(node, name);
  if (!a) return fallback;
  if (a.type !== 'string') throw wrong(node, name, 'string', a.type);
  return new TextDecoder().decode(a.value);
}

export function attrInts(node: Node, name: string, fallback: number[]): number[];
export function attrInts(node: Node, name: string): number[] | undefined;
export function attrInts(node: Node, name: string, fallback?: number[]): number[] | undefined {
  const a = find(node, name);
  if (!a) return fallback;
  if (a.type !== 'ints') throw wrong(node, name, 'ints', a.type);
  return a.value.map(Number);
}

export function attrFloats(node: Node, name: string, fallback: number[]): number[];
export function attrFloats(node: Node, name: string): number[] | undefined;
export function attrFloats(node: Node, name: string, fallback?: number[]): number[] | undefined {
  const a = find(node, name);
  if (!a) return fallback;
  if (a.type !== 'floats') throw wrong(node, name, 'floats', a.type);
  return a.value;
}

export function attrStrings(node: Node, name: string): string[] | undefined {
  const a = find(node, name);
  if (!a) return undefined;
  if (a.type !== 'strings') throw wrong(node, name, 'strings', a.type);
  const dec = new TextDecoder();
  return a.value.map((v) => dec.decode(v));
}

export function attrTensor(node: Node, name: string): NamedTensor | undefined {
  const a = find(node, name);
  if (!a) return undefined;
  if (a.type !== 'tensor') throw wrong(node, name, 'tensor', a.type);
  return a.value;
}

export function attrGraph(node: Node, name: string): Graph | undefined {
  const a = find(node, name);
  if (!a) return undefined;
  if (a.type !== 'graph') throw wrong(node, name, 'graph', a.type);
  return a.value;
}

/** Every subgraph held by a node's attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of node.attributes) {
    if (a.type === 'graph') out.push(a.value);
    else if (a.type === 'graphs') out.push(...a.value);
  }
  return out;
}
