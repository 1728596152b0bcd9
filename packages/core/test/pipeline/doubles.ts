// Test doubles for PipelineServices: a JS float runner for small MatMul/Gemm/Add/Relu graphs, and an exporter that
// bakes dequantized weights into the model and inserts fake-quant nodes after quantized activations.
import type { Model, Node } from '../../src/ir/graph.js';
import { tensor, type Tensor } from '../../src/ir/tensor.js';
import { topologicalOrder } from '../../src/passes/index.js';
import type { Exporter, ExportInput, ExportResult, FloatRunner, RunnerFactory, RunnerOptions } from '../../src/pipeline/services.js';
import { dequantize } from '../../src/quant/dequantize.js';
import type { Encoding, QuantizedTensor } from '../../src/quant/encoding.js';

const attrNum = (n: Node, name: string, fallback: number): number => {
  const a = n.attributes.find((x) => x.name === name);
  return a === undefined ? fallback : Number((a as { value: number | bigint }).value);
};

function f32(t: Tensor | undefined, node: Node): Float32Array {
  if (t === undefined || t.dtype !== 'float32') throw new Error(`test runner: ${node.name} needs float32 inputs`);
  return t.data as Float32Array;
}

function matmul(a: Float32Array, ad: number[], b: Float32Array, bd: number[], transB: boolean): Tensor {
  const [m, k] = ad as [number, number];
  const n = transB ? bd[0]! : bd[1]!;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * (transB ? b[j * k + p]! : b[p * n + j]!);
      out[i * n + j] = s;
    }
  }
  return tensor('float32', [m, n], out);
}

function add(a: Tensor, b: Tensor, node: Node): Tensor {
  const x = f32(a, node);
  const y = f32(b, node);
  const big = x.length >= y.length ? a : b;
  const [l, s] = x.length >= y.length ? [x, y] : [y, x];
  const out = new Float32Array(l.length);
  for (let i = 0; i < l.length; i++) out[i] = l[i]! + s[i % s.length]!;
  return tensor('float32', big.dims, out);
}

function fakeQuant(x: Float32Array, dims: number[], node: Node): Tensor {
  const scale = attrNum(node, 'scale', 1);
  const zp = attrNum(node, 'zeroPoint', 0);
  const qmin = attrNum(node, 'qmin', 0);
  const qmax = attrNum(node, 'qmax', 255);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i]! / scale);
    const r = Math.round(v) - (Math.abs(v % 1) === 0.5 && Math.round(v) % 2 !== 0 ? 1 : 0);
    const q = Math.min(qmax, Math.max(qmin, r + zp));
    out[i] = (q - zp) * scale;
  }
  return tensor('float32', dims, out);
}

function kernel(node: Node, ins: (Tensor | undefined)[]): Tensor[] {
  const [a, b, c] = ins;
  switch (node.opType) {
    case 'MatMul': return [matmul(f32(a, node), a!.dims, f32(b, node), b!.dims, false)];
    case 'Gemm': {
      const y = matmul(f32(a, node), a!.dims, f32(b, node), b!.dims, attrNum(node, 'transB', 0) === 1);
      return [c === undefined ? y : add(y, c, node)];
    }
    case 'Add': return [add(a!, b!, node)];
    case 'Reshape': {
      const want = Array.from(b!.data as BigInt64Array, Number);
      const size = a!.data.length;
      const known = want.reduce((p, d) => (d === -1 ? p : p * d), 1);
      return [tensor('float32', want.map((d) => (d === -1 ? size / known : d)), f32(a, node).slice())];
    }
    case 'Relu': return [tensor('float32', a!.dims, f32(a, node).map((v) => (v > 0 ? v : 0)))];
    case 'FakeQuant': return [fakeQuant(f32(a, node), a!.dims, node)];
    default: throw new Error(`test runner: no kernel for ${node.opType}`);
  }
}

/** Runs a model in plain JS, returning graph outputs and the exposed values. */
export function runModel(model: Model, feed: Record<string, Tensor>, expose: readonly string[]): Record<string, Tensor> {
  const env = new Map<string, Tensor>();
  for (const [name, t] of model.graph.initializers) env.set(name, t.tensor);
  for (const [name, t] of Object.entries(feed)) env.set(name, t);
  for (const node of topologicalOrder(model.graph)) {
    const out = kernel(node, node.inputs.map((i) => (i === '' ? undefined : env.get(i))));
    node.outputs.forEach((o, i) => env.set(o, out[i]!));
  }
  const result: Record<string, Tensor> = {};
  for (const name of [...model.graph.outputs.map((o) => o.name), ...expose]) {
    const t = env.get(name);
    if (t === undefined) throw new Error(`test runner: cannot expose ${name}`);
    result[name] = t;
  }
  return result;
}

/** A runner factory over {@link runModel}; records every creation and close. */
export function jsRunners(): { factory: RunnerFactory; created: RunnerOptions[]; closed: number } {
  const log = { created: [] as RunnerOptions[], closed: 0, factory: undefined as unknown as RunnerFactory };
  log.factory = async (model, options): Promise<FloatRunner> => {
    log.created.push(options);
    return {
      description: `js-test-runner (purpose=${options.purpose})`,
      run: async (feed) => runModel(model, feed, options.exposeOutputs),
      close: async () => {
        log.closed++;
      },
    };
  };
  return log;
}

function fakeQuantNode(x: string, e: Encoding): Node {
  if (e.kind !== 'affine' || e.axis !== undefined) throw new Error('test exporter: activations must be per-tensor affine');
  const qmin = e.signed ? -(2 ** (e.bits - 1)) : 0;
  const qmax = e.signed ? 2 ** (e.bits - 1) - 1 : 2 ** e.bits - 1;
  return {
    name: `${x}__fq`, opType: 'FakeQuant', domain: 'test', inputs: [x], outputs: [`${x}__qdq`],
    attributes: [
      { name: 'scale', type: 'float', value: e.scale[0]! }, { name: 'zeroPoint', type: 'int', value: e.zeroPoint[0]! },
      { name: 'qmin', type: 'int', value: qmin }, { name: 'qmax', type: 'int', value: qmax },
    ],
  };
}

/** An exporter double: dequantized weights baked in, fake-quant nodes after each encoded activation. */
export function fakeQuantExporter(calls: ExportInput[] = []): Exporter {
  return {
    name: 'fake-quant-test-exporter',
    kinds: ['affine'],
    export(input: ExportInput): ExportResult {
      calls.push(input);
      const model = structuredClone(input.model);
      const g = model.graph;
      const valueMap: Record<string, string> = {};
      for (const [name, q] of Object.entries(input.encodings) as [string, QuantizedTensor][]) {
        const entry = input.plan.tensors[name]!;
        if (entry.role !== 'activation') {
          const init = g.initializers.get(name)!;
          init.tensor = tensor('float32', init.tensor.dims, dequantize(q));
          continue;
        }
        const fq = fakeQuantNode(name, q.encoding);
        for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === name ? fq.outputs[0]! : i));
        g.nodes.push(fq);
        valueMap[name] = fq.outputs[0]!;
      }
      return { model, valueMap };
    },
  };
}
