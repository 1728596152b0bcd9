import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyAffineFormat, defineBackend, registerPlugin, targetProviders, type AffineEncoding, type BackendDefinition, type IntegerFeed, type Model, type Program,
  type ProgramTensor, type QuantforgePlugin,
} from '@quantforge/core';
import { saveModel } from '@quantforge/onnx';
import { uniform } from '@quantforge/scheme-uniform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTarget, evaluateTarget, quantforge, verifyTarget } from '../src/api/index.js';
import { graph, node, runCli, tempDir, tensorValue } from './helpers.js';

// A second backend the CLI knows nothing about: one target, a one-op program (int8 ReLU by requantization), a
// simulator, a text emitter, no verify. It goes through the same flow as cortex-m, through the contract only.

/** y = Relu(x) on a 4-D NCHW input, so the NHWC program exercises core's layout handling. */
function reluModel4d(): Model {
  const dims = [1, 2, 3, 4];
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }],
    graph: graph('relu4d', [node('Relu', ['x'], ['y'], { name: 'relu' })], [tensorValue('x', 'float32', dims)], [tensorValue('y', 'float32', dims)]),
  };
}

function toyTensor(id: number, name: string, kind: 'input' | 'output', e: AffineEncoding): ProgramTensor {
  // NHWC dims of the [1, 2, 3, 4] NCHW value.
  return { id, name, kind, dtype: 'int8', dims: [1, 3, 4, 2], bytes: 24, placement: 'arena', offset: id * 24, scale: e.scale[0]!, zeroPoint: e.zeroPoint[0]! };
}

function toyBackend(steps: { emit?: boolean } = {}): BackendDefinition {
  return defineBackend({
    name: 'toyq',
    targets: {
      'toy-npu': {
        name: 'toy-npu', backend: 'toyq', cpu: 'Toy NPU', features: { dsp: false, mve: false, fpu: false },
        examplePart: { name: 'Toy-1', flashBytes: 1 << 20, ramBytes: 1 << 16 }, rounding: 'single', int16x8: false,
        ops: { relu: { kernel: 'toy_relu_s8', onnx: ['Relu'], activations: ['int8'], codeBytes: 64 } },
      },
    },
    // The kernel is int8: activations signed 8-bit, per tensor (the uniform scheme's default is unsigned).
    constrainPlan: (plan) => ({
      ...plan,
      tensors: Object.fromEntries(Object.entries(plan.tensors).map(([k, e]) => [k, applyAffineFormat(e, { bits: 8, signed: true, granularity: 'per-tensor' })])),
    }),
    check: (model) => model.graph.nodes.map((n) => ({ node: n.name, opType: n.opType, status: 'mapped' as const, kernel: 'toy_relu_s8' })),
    lower({ profile, encodings }): Program {
      const tensors = [toyTensor(0, 'x', 'input', encodings.x!.encoding as AffineEncoding), toyTensor(1, 'y', 'output', encodings.y!.encoding as AffineEncoding)];
      return {
        version: 1, target: profile.name, layout: 'NHWC', rounding: profile.rounding, tensors, inputs: [0], outputs: [1],
        ops: [{ node: 'relu', fused: [], targetOp: 'relu', kernel: 'toy_relu_s8', inputs: [0], outputs: [1], params: {} }],
        memory: { arenaBytes: 48, liveLowerBoundBytes: 48, flash: { weightsBytes: 0, biasBytes: 0, paramsBytes: 0, codeBytes: 64, totalBytes: 64 } },
      };
    },
    async simulate(program, samples): Promise<IntegerFeed[]> {
      const [x, y] = [program.tensors[0]!, program.tensors[1]!];
      const ratio = x.scale! / y.scale!;
      return samples.map((s) => ({
        y: Int8Array.from(s.x!, (q) => Math.max(-128, Math.min(127, Math.round(Math.max(q - x.zeroPoint!, 0) * ratio) + y.zeroPoint!))),
      }));
    },
    ...(steps.emit === false ? {} : {
      emitFormats: ['txt'],
      emit: (program: Program) => [{ path: 'program.txt', contents: program.ops.map((o) => `${o.kernel} ${o.inputs.join(',')} -> ${o.outputs.join(',')}`).join('\n') }],
    }),
  });
}

const toyPlugin = (b: BackendDefinition, name: string): QuantforgePlugin => ({ name, kind: 'backend', version: '1.0.0', hostApi: '^1.0.0', targets: targetProviders(b) });

const feeds = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ({
  x: { dtype: 'float32' as const, dims: [1, 2, 3, 4], data: new Float32Array(24).map((_, j) => Math.sin(seed + i * 24 + j) * 2) },
}));

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('a second backend through the generic target flow (API)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const model = reluModel4d();
  const run = (b: BackendDefinition) => quantforge(model).use(uniform()).target(targetProviders(b)['toy-npu']).calibrate(feeds(16, 0)).run({ seed: 0 });

  it('evaluates the program on the backend\'s simulator against the float model (core quantizes and dequantizes)', async () => {
    const result = await run(toyBackend());
    expect(result.target?.program?.ops).toHaveLength(1);
    const { evaluation, recorded } = await evaluateTarget(result, model, feeds(20, 99), { record: 5 });
    expect(evaluation.samples).toBe(20);
    expect(evaluation.executor).toMatch(/toyq simulator/);
    // int8 ReLU of a 4-unit range: far above 25 dB unless a layout or scale mix-up scrambles the values.
    expect(evaluation.sqnrDb).toBeGreaterThan(25);
    expect(evaluation.cosine).toBeGreaterThan(0.99);
    expect(recorded).toMatchObject({ samples: 5, valuesPerSample: 24 });
    expect(recorded.inputs).toHaveLength(5 * 24);
    expect(recorded.outputs.every((v) => v >= 0)).toBe(true);
  });

  it('emits through backend.emit and core\'s atomic writer; --verify\'s step is a coded error', async () => {
    const result = await run(toyBackend());
    const dir = join(tmp.dir, 'toy-out');
    const emitted = await emitTarget(result, dir);
    expect(emitted).toEqual({ format: 'txt', dir, files: 1 });
    expect(readdirSync(dir)).toEqual(['program.txt']);
    expect(readFileSync(join(dir, 'program.txt'), 'utf8')).toBe('toy_relu_s8 0 -> 1');
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(await failure(emitTarget(result, join(tmp.dir, 'other'), { format: 'c' }))).toMatchObject({ code: 'QF_TARGET_UNSUPPORTED', details: { backend: 'toyq', step: 'emit', format: 'c' } });
    const { recorded } = await evaluateTarget(result, model, feeds(2, 1), { record: 2 });
    const e = await failure(verifyTarget(result, { dir, recorded }));
    expect(e).toMatchObject({ code: 'QF_TARGET_UNSUPPORTED', details: { backend: 'toyq', step: 'verify' } });
    expect(e.message).toBe('backend toyq has no verify step');
  });

  it('a backend without emit: QF_TARGET_UNSUPPORTED naming the backend and the step, nothing written', async () => {
    const result = await run(toyBackend({ emit: false }));
    const dir = join(tmp.dir, 'never');
    expect(await failure(emitTarget(result, dir))).toMatchObject({ code: 'QF_TARGET_UNSUPPORTED', message: 'backend toyq has no emit step', details: { backend: 'toyq', step: 'emit' } });
    expect(existsSync(dir)).toBe(false);
  });
});

describe('a second backend through quantforge quantize (in-process CLI)', () => {
  const tmp = tempDir();
  const modelPath = join(tmp.dir, 'relu4d.onnx');
  beforeAll(async () => {
    registerPlugin(toyPlugin(toyBackend(), 'backend-toyq'));
    await saveModel(reluModel4d(), modelPath);
  });
  afterAll(() => tmp.cleanup());
  const base = () => ['quantize', modelPath, '--calib', 'random:8', '--target', 'toy-npu'];

  it('--eval and --emit txt: the report has the simulated evaluation and the emitted folder', async () => {
    const out = join(tmp.dir, 'emitted');
    const rep = join(tmp.dir, 'report.json');
    const r = await runCli([...base(), '--eval', 'random:8', '--emit', 'txt', '--out', out, '--report', rep]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const t = (JSON.parse(readFileSync(rep, 'utf8')) as { target: { backend: string; evaluation: { samples: number; sqnrDb: number }; emit: unknown; verify?: unknown } }).target;
    expect(t.backend).toBe('toyq');
    expect(t.evaluation.samples).toBe(8);
    expect(t.evaluation.sqnrDb).toBeGreaterThan(25);
    expect(t.emit).toEqual({ format: 'txt', dir: out, files: 1 });
    expect(t.verify).toBeUndefined();
    expect(readFileSync(join(out, 'program.txt'), 'utf8')).toBe('toy_relu_s8 0 -> 1');
  });

  it('--verify on a backend without verify is QF_TARGET_UNSUPPORTED before anything runs or is written', async () => {
    const out = join(tmp.dir, 'unverified');
    const r = await runCli([...base(), '--eval', 'random:4', '--emit', 'txt', '--out', out, '--verify', '-o', join(tmp.dir, 'q.onnx')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error QF_TARGET_UNSUPPORTED: backend toyq has no verify step/m);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(tmp.dir, 'q.onnx'))).toBe(false);
  });

  it('--emit in a format the backend does not list is a usage error naming its formats', async () => {
    const r = await runCli([...base(), '--emit', 'c', '--out', join(tmp.dir, 'c-out')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error QF_CLI_USAGE: --emit must be "txt" for the toyq backend, got "c"/m);
  });
});
