import { beforeAll, describe, expect, it } from 'vitest';
import { defineBackend, targetProviders, type BackendDefinition } from '../../src/backend/definition.js';
import type { NodeDiagnostic } from '../../src/backend/diagnostics.js';
import type { TargetProfile } from '../../src/backend/profile.js';
import type { Program } from '../../src/backend/program.js';
import { quantforge, type PipelineServices } from '../../src/pipeline/index.js';
import type { QuantforgePlugin } from '../../src/plugins/types.js';
import { fakeQuantExporter, jsRunners } from '../pipeline/doubles.js';
import { affineFixture, feeds, mlp, type AffineFixture } from '../pipeline/models.js';

let fx: AffineFixture;
beforeAll(async () => {
  fx = await affineFixture();
});

const services = (): PipelineServices => ({ createRunner: jsRunners().factory, exporter: fakeQuantExporter() });

const profile = (name: string): TargetProfile => ({
  name, backend: 'toy', cpu: 'Toy CPU', features: { dsp: false, mve: false, fpu: false },
  examplePart: { name: 'Toy-1', flashBytes: 65536, ramBytes: 8192 }, rounding: 'double', int16x8: false,
  ops: { dense: { kernel: 'toy_dense_s8', onnx: ['MatMul', 'Gemm'], activations: ['int8'], codeBytes: 100 } },
});

/** A backend that wants per-tensor weights, maps MatMul/Gemm/Relu and rejects Add (or reports it as a fallback). */
function toyBackend(targets = ['toy-mcu']): BackendDefinition {
  return defineBackend({
    name: 'toy',
    targets: Object.fromEntries(targets.map((t) => [t, profile(t)])),
    constrainPlan(plan) {
      const tensors = structuredClone(plan.tensors);
      for (const e of Object.values(tensors)) {
        if (e.role === 'weight' && e.granularity !== 'per-tensor') {
          e.granularity = 'per-tensor';
          delete e.axis;
        }
        if (e.role === 'bias') {
          e.granularity = 'per-tensor';
          delete e.axis;
        }
      }
      return { ...plan, tensors };
    },
    check(model, _plan, p, options) {
      return model.graph.nodes.map((n): NodeDiagnostic => (n.opType === 'Add'
        ? { node: n.name, opType: n.opType, status: options?.allowFallback === true ? 'fallback' : 'error', code: 'QF_TARGET_OP_UNSUPPORTED', reason: 'no add kernel' }
        : { node: n.name, opType: n.opType, status: 'mapped', kernel: p.ops.dense!.kernel }));
    },
    lower({ profile: p, encodings }): Program {
      return {
        version: 1, target: p.name, layout: 'NHWC', rounding: p.rounding, tensors: [], ops: [], inputs: [], outputs: [],
        memory: { arenaBytes: Object.keys(encodings).length, liveLowerBoundBytes: 0, flash: { weightsBytes: 0, biasBytes: 0, paramsBytes: 0, codeBytes: 0, totalBytes: 0 } },
      };
    },
  });
}

const plugin = (b: BackendDefinition): QuantforgePlugin => ({ name: 'backend-toy', kind: 'backend', version: '1.0.0', hostApi: '^1.0.0', targets: targetProviders(b) });

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('pipeline with a target', () => {
  it('lets the backend shape the plan at plan time and reports its diagnostics', async () => {
    const b = toyBackend();
    const r = await quantforge(mlp(), services()).use(fx.affine8LocalPlugin).target(targetProviders(b)['toy-mcu'], { allowFallback: true })
      .calibrate(feeds(2)).run();
    expect(r.plan.tensors.w1).toMatchObject({ granularity: 'per-tensor' });
    expect(r.encodings.w1!.encoding).toMatchObject({ kind: 'affine' });
    expect((r.encodings.w1!.encoding as { scale: Float32Array }).scale).toHaveLength(1);
    expect(r.target?.diagnostics.map((d) => [d.node, d.status])).toEqual([['mm', 'mapped'], ['add', 'fallback'], ['relu', 'mapped'], ['gemm', 'mapped']]);
    expect(r.target?.program).toBeUndefined();
    expect(r.report.warnings.some((w) => w.includes('fall back to float on toy-mcu'))).toBe(true);
    expect(r.toJSON().target).toMatchObject({ name: 'toy-mcu', backend: 'toy' });
  });

  it('fails at plan time with the diagnostics when a node cannot run', async () => {
    const e = await failure(quantforge(mlp(), services()).use(fx.affine8LocalPlugin).use(plugin(toyBackend())).calibrate(feeds(2)).run());
    expect(e.code).toBe('QF_TARGET_OP_UNSUPPORTED');
    expect(e.message).toMatch(/1 node\(s\) cannot run on toy-mcu: add \(Add\): no add kernel/);
    expect((e.details.diagnostics as NodeDiagnostic[]).length).toBe(4);
  });

  it('lowers a program when every node maps', async () => {
    const b = toyBackend();
    const lenient: BackendDefinition = { ...b, check: (m, p, prof) => m.graph.nodes.map((n) => ({ node: n.name, opType: n.opType, status: 'mapped' as const, kernel: prof.ops.dense!.kernel })) };
    const r = await quantforge(mlp(), services()).use([fx.affine8LocalPlugin, targetProviders(lenient)['toy-mcu']!]).calibrate(feeds(2)).run();
    expect(r.target?.program?.target).toBe('toy-mcu');
    expect(r.target?.program?.memory.arenaBytes).toBe(Object.keys(r.encodings).length);
    expect(r.toJSON().target?.memory?.arenaBytes).toBe(Object.keys(r.encodings).length);
  });

  it('asks which target of a plugin that provides several', () => {
    const p = plugin(toyBackend(['toy-a', 'toy-b']));
    expect(() => quantforge(mlp(), services()).target(p)).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
    expect(() => quantforge(mlp(), services()).target(p, { target: 'toy-c' })).toThrow(/has no target "toy-c"/);
    expect(() => quantforge(mlp(), services()).target(p, { target: 'toy-b' })).not.toThrow();
  });
});
