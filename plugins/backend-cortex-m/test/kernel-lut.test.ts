// The int8 lookup-table path (HardSigmoid, Div by a constant) and broadcast Add / Mul: TFLite LUTPopulate goldens,
// the kernel, and a hard-swish + squeeze-excite graph checked, lowered, simulated against float and run as C.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor, type Model, type QuantizedTensor } from '@quantforge/core';
import { divideByF32, hardSigmoidF32, lutPopulateS8 } from '../src/arith/index.js';
import { lookupTableS8 } from '../src/kernels/index.js';
import { repeatsInNhwc } from '../src/classify.js';
import { CORTEX_M_PROFILES, checkCortexM, constrainCortexMPlan, dequantizeOutput, lowerCortexM, quantizeInput, simulateCortexM, writeCProject } from '../src/index.js';
import { HAS_HOST_CC, MISSING_TOOLCHAIN, run } from './emit-toolchain.js';
import { act, attr, f32, model, node, planFor } from './helpers.js';
import { randI8, rng } from './random.js';

const m4 = CORTEX_M_PROFILES['cortex-m4'];

describe('lutPopulateS8 (TFLite LUTPopulate<int8_t>)', () => {
  const hs = lutPopulateS8(hardSigmoidF32(1 / 6, 0.5), { scale: 0.05, zeroPoint: 0 }, { scale: 1 / 256, zeroPoint: -128 });

  it('evaluates the float function on every code, indexed by the input byte', () => {
    // q = 0: x = 0, y = 0.5 → 128 − 128; q = 12: x = 0.6, y = 0.6 → round(153.6) − 128; q ≥ 60: y = 1 → 256 − 128, clamped.
    expect([hs[0], hs[12], hs[60], hs[127]]).toEqual([0, 26, 127, 127]);
    // q = −12 sits at byte 244: y = 0.4 → round(102.4) − 128; q ≤ −60: y = 0 → −128.
    expect([hs[244], hs[(-60) & 0xff], hs[128]]).toEqual([-26, -128, -128]);
  });

  it('rounds ties away from zero, in float32, with the output zero point added after rounding', () => {
    // x = 0.25 · (q − 2); x / 2 / 0.25 = (q − 2) / 2: odd q − 2 is a tie.
    const half = lutPopulateS8(divideByF32(2), { scale: 0.25, zeroPoint: 2 }, { scale: 0.25, zeroPoint: -3 });
    expect([half[3], half[1], half[5], half[2]]).toEqual([1 - 3, -1 - 3, 2 - 3, -3]);
    expect(half[(-128) & 0xff]).toBe(-65 - 3);
  });

  it('is monotone for HardSigmoid and rejects bad encodings and divisors', () => {
    for (let q = -127; q <= 127; q++) expect(hs[q & 0xff]!).toBeGreaterThanOrEqual(hs[(q - 1) & 0xff]!);
    expect(() => lutPopulateS8((x) => x, { scale: 0, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 })).toThrow(/positive finite scale/);
    expect(() => divideByF32(0)).toThrow(/non-zero/);
  });
});

describe('lookupTableS8', () => {
  it('maps every code through the table, also in place', () => {
    const lut = Int8Array.from({ length: 256 }, (_, i) => 127 - i);
    const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    expect(Array.from(lookupTableS8(all, lut))).toEqual(Array.from(all, (q) => lut[q & 0xff]!));
    const x = Int8Array.of(-1, 0, 5);
    lookupTableS8(x, lut, x);
    expect(Array.from(x)).toEqual([lut[255], lut[0], lut[5]]);
    expect(() => lookupTableS8(x, new Int8Array(255))).toThrow(/255 elements, expected 256/);
  });
});

describe('repeatsInNhwc (the broadcasts the kernels index as i mod size)', () => {
  it('accepts scalars and per-channel operands, rejects spatial and mixed broadcasts', () => {
    expect(repeatsInNhwc([], [1, 8, 4, 4])).toBe(true);
    expect(repeatsInNhwc([1, 8, 1, 1], [1, 8, 4, 4])).toBe(true);
    expect(repeatsInNhwc([8, 1, 1], [1, 8, 4, 4])).toBe(true);
    expect(repeatsInNhwc([10], [1, 10])).toBe(true);
    expect(repeatsInNhwc([1, 1, 4, 4], [1, 8, 4, 4])).toBe(false);
    expect(repeatsInNhwc([1, 8, 4, 1], [1, 8, 4, 4])).toBe(false);
    expect(repeatsInNhwc([3, 1], [3, 5])).toBe(false);
  });
});

/** x[1,2,3,3] → hard-swish (Add 3 → Clip 0..6 → Mul x → Div 6) → SE (GlobalAveragePool → HardSigmoid → Mul, per channel). */
function hardSwishSe(): Model {
  return model({
    nodes: [
      node('Add', ['x', 'three'], ['a'], [], 'add3'),
      node('Clip', ['a', 'lo', 'hi'], ['r'], [], 'clip'),
      node('Mul', ['x', 'r'], ['m'], [], 'mul'),
      node('Div', ['m', 'six'], ['d'], [], 'div6'),
      node('GlobalAveragePool', ['d'], ['g'], [], 'gap'),
      node('HardSigmoid', ['g'], ['h'], [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)], 'hsig'),
      node('Mul', ['d', 'h'], ['y'], [], 'se'),
    ],
    inputs: [['x', 'float32', [1, 2, 3, 3]]],
    outputs: [['y', 'float32', [1, 2, 3, 3]]],
    initializers: { three: f32([], [3]), six: f32([], [6]), lo: f32([], [0]), hi: f32([], [6]) },
  });
}

function encodings(): Record<string, QuantizedTensor> {
  const three: QuantizedTensor = { ...act(3 / 127, 0), codes: tensor('int8', [], Int8Array.of(127)) };
  const d = act(0.027, -114);
  return { x: act(0.05, 0), three, r: act(6 / 255, -128), m: act(0.16, -114), d, g: d, h: act(1 / 256, -128), y: act(0.027, -114) };
}

describe('hard-swish and squeeze-excite on cortex-m4', () => {
  const m = hardSwishSe();
  const plan = constrainCortexMPlan(planFor(m), m, m4);
  const diagnostics = checkCortexM(m, plan, m4);
  const program = lowerCortexM({ model: m, plan, encodings: encodings(), profile: m4, diagnostics });
  const samples = 64;
  const r = rng(7);
  const inputs = Array.from({ length: samples }, () => Float32Array.from(randI8(r, 18), (q) => Math.fround(q * 0.05)));
  const outputs = inputs.map((x) => dequantizeOutput(program, 'y', simulateCortexM(program, [{ x: quantizeInput(program, 'x', x) }])[0]!.y as Int8Array));
  const dir = mkdtempSync(join(tmpdir(), 'qf-lut-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps Div and HardSigmoid to tables although the core planner leaves them in float', () => {
    expect(plan.excluded.map((e) => e.node).sort()).toEqual(['div6', 'hsig']);
    expect(diagnostics.map((d) => [d.node, d.status, d.targetOp ?? d.fusedInto])).toEqual([
      ['add3', 'mapped', 'add'], ['clip', 'fused', 'add3'], ['mul', 'mapped', 'mul'], ['div6', 'mapped', 'lut'],
      ['gap', 'mapped', 'avg-pool'], ['hsig', 'mapped', 'lut'], ['se', 'mapped', 'mul'],
    ]);
    const se = program.ops.find((o) => o.node === 'se')!;
    expect(se.inputs.map((id) => program.tensors[id]!.dims)).toEqual([[1, 3, 3, 2], [1, 1, 1, 2]]);
    const add = program.ops.find((o) => o.node === 'add3')!;
    expect(program.tensors[add.inputs[1]!]!.bytes).toBe(1);
    expect(program.ops.filter((o) => o.targetOp === 'lut').map((o) => program.tensors[o.inputs[1]!]!.bytes)).toEqual([256, 256]);
  });

  it('refuses symbolic spatial input dims at lowering (they would be read as 1)', () => {
    const sym = hardSwishSe();
    sym.graph.inputs[0]!.type = { kind: 'tensor', elemType: 'float32', shape: ['N', 2, 'H', 3] };
    expect(() => lowerCortexM({ model: sym, plan, encodings: encodings(), profile: m4, diagnostics })).toThrow(/symbolic dims/);
  });

  it('a recipe exclusion still keeps the node in float', () => {
    const p = structuredClone(plan);
    p.excluded = p.excluded.map((e) => (e.node === 'hsig' ? { ...e, reason: 'excluded by the recipe' } : e));
    expect(checkCortexM(m, p, m4, { allowFallback: true }).find((d) => d.node === 'hsig')?.status).toBe('fallback');
  });

  it('the simulated program follows the float graph within a few output steps', () => {
    const hsw = (v: number): number => (v * Math.min(6, Math.max(0, v + 3))) / 6;
    for (let s = 0; s < samples; s++) {
      const d = Array.from(inputs[s]!, hsw);
      const want = d.map((v, i) => {
        const c = Math.floor(i / 9);
        const mean = d.slice(c * 9, c * 9 + 9).reduce((a, b) => a + b, 0) / 9;
        return v * Math.min(1, Math.max(0, mean / 6 + 0.5));
      });
      want.forEach((v, i) => expect(Math.abs(outputs[s]![i]! - v)).toBeLessThanOrEqual(4 * 0.027));
    }
  });

  it.skipIf(!HAS_HOST_CC)(`emitted C (qf_lut.c, broadcast qf_add / qf_mul) is bit-identical to the simulator ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
    const project = writeCProject(program, join(dir, 'hswish'));
    const x = new Float32Array(samples * 18);
    inputs.forEach((v, s) => x.set(v, s * 18));
    writeFileSync(join(project, 'in.f32'), x);
    run('make', ['host'], project);
    run('./build/host/runner', ['in.f32', 'out.f32'], project);
    const want = new Float32Array(samples * 18);
    outputs.forEach((v, s) => want.set(v, s * 18));
    expect(Buffer.compare(readFileSync(join(project, 'out.f32')), Buffer.from(want.buffer))).toBe(0);
    expect(readFileSync(join(project, 'model.c'), 'utf8')).toMatch(/qf_lut_s8\(&op\d+/);
  });
});
