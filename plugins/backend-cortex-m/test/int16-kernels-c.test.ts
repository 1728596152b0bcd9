// The int16x8 TypeScript kernels against the C kernels of c/ (compiled with the host cc) on seeded random cases:
// int16 activations over the full range, int8 weights, int64 biases up to ±2^40, multipliers over the Q31 range and
// shifts over the int64 MBQM domain [−31, 7], including ones that saturate the clamp; Add (left shift 15) and Mul with
// TFLM parameters from random scales, with scalar and per-channel operands. Every output must agree.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { addParams, mulMultiplier } from '../src/arith/index.js';
import { addS16, avgPoolS16, convS16, depthwiseConvS16, fullyConnectedS16, maxPoolS16, mulS16, type Dims4 } from '../src/kernels/index.js';
import { HAS_HOST_CC, MISSING_TOOLCHAIN } from './emit-toolchain.js';
import { intIn, randI8, rng } from './random.js';

const C_DIR = fileURLToPath(new URL('../c/', import.meta.url));
const CASES = 12;

interface Case {
  kind: 'conv' | 'dw' | 'fc' | 'max' | 'avg' | 'add' | 'mul';
  c: string;
  ts: () => Int16Array;
}

const list = (v: ArrayLike<number | bigint>): string => Array.from(v, (x) => (typeof x === 'bigint' ? `INT64_C(${x})` : String(x))).join(', ') || '0';
const dims = (d: Dims4): string => `{ ${d.n}, ${d.h}, ${d.w}, ${d.c} }`;
const size = (d: Dims4): number => d.n * d.h * d.w * d.c;
const outSize = (i: number, k: number, s: number, p: number, dil = 1): number => Math.floor((i + 2 * p - dil * (k - 1) - 1) / s) + 1;

function randI16(r: () => number, n: number): Int16Array {
  return Int16Array.from({ length: n }, () => intIn(r, -32768, 32767));
}
function bias64(r: () => number, n: number): BigInt64Array {
  return BigInt64Array.from({ length: n }, () => BigInt(intIn(r, -(2 ** 20), 2 ** 20)) * BigInt(intIn(r, -(2 ** 20), 2 ** 20)));
}
function quant(r: () => number, n: number): { multipliers: Int32Array; shifts: Int32Array } {
  return {
    multipliers: Int32Array.from({ length: n }, () => intIn(r, 2 ** 30, 2 ** 31 - 1)),
    shifts: Int32Array.from({ length: n }, () => intIn(r, -31, 7)),
  };
}
function clamp(r: () => number): { min: number; max: number } {
  const lo = r() < 0.5 ? -32768 : intIn(r, -32768, 0);
  return { min: lo, max: r() < 0.5 ? 32767 : intIn(r, Math.max(lo, 0), 32767) };
}

function convCase(seed: number, depthwise: boolean): Case {
  const r = rng(seed);
  const cIn = intIn(r, 1, 6);
  const mult = depthwise ? intIn(r, 1, 3) : 1;
  const groups = depthwise ? 1 : (r() < 0.3 && cIn % 2 === 0 ? 2 : 1);
  const cOut = depthwise ? cIn * mult : groups * intIn(r, 1, 4);
  const kh = intIn(r, 1, 3);
  const kw = intIn(r, 1, 3);
  const stride = { h: intIn(r, 1, 2), w: intIn(r, 1, 2) };
  const dilation = { h: intIn(r, 1, 2), w: 1 };
  const padding = { h: intIn(r, 0, 1), w: intIn(r, 0, 1) };
  const inputDims = { n: 1, h: intIn(r, 5, 8), w: intIn(r, 3, 7), c: cIn };
  const outputDims = { n: 1, h: outSize(inputDims.h, kh, stride.h, padding.h, dilation.h), w: outSize(inputDims.w, kw, stride.w, padding.w), c: cOut };
  const filterDims = depthwise ? { n: 1, h: kh, w: kw, c: cOut } : { n: cOut, h: kh, w: kw, c: cIn / groups };
  const input = randI16(r, size(inputDims));
  const filter = randI8(r, size(filterDims), -127, 127);
  const bias = bias64(r, cOut);
  const q = quant(r, cOut);
  const activation = clamp(r);
  const fn = depthwise ? 'qf_depthwise_conv_s16' : 'qf_conv_s16';
  const c = `{
    static const int16_t in[] = { ${list(input)} };
    static const int8_t w[] = { ${list(filter)} };
    static const int64_t b[] = { ${list(bias)} };
    static const int32_t m[] = { ${list(q.multipliers)} }, s[] = { ${list(q.shifts)} };
    static int16_t out[${size(outputDims)}];
    static const qf_conv_params p = { ${dims(inputDims)}, ${dims(filterDims)}, ${dims(outputDims)}, 0, 0,
      ${stride.h}, ${stride.w}, ${padding.h}, ${padding.w}, ${dilation.h}, ${dilation.w}, ${activation.min}, ${activation.max}, m, s };
    ${fn}(&p, in, w, b, out);
    print(out, ${size(outputDims)});
  }`;
  const args = { input, inputDims, filter, filterDims, bias, outputDims, stride, padding, dilation, activation, quant: q };
  return { kind: depthwise ? 'dw' : 'conv', c, ts: () => (depthwise ? depthwiseConvS16({ ...args, depthMultiplier: mult }) : convS16(args)) };
}

function fcCase(seed: number): Case {
  const r = rng(seed);
  const batches = intIn(r, 1, 3);
  const k = intIn(r, 1, 40);
  const cOut = intIn(r, 1, 8);
  const input = randI16(r, batches * k);
  const filter = randI8(r, cOut * k, -127, 127);
  const bias = bias64(r, cOut);
  const perChannel = r() < 0.5;
  const q = quant(r, perChannel ? cOut : 1);
  const activation = clamp(r);
  const c = `{
    static const int16_t in[] = { ${list(input)} };
    static const int8_t w[] = { ${list(filter)} };
    static const int64_t b[] = { ${list(bias)} };
    static const int32_t m[] = { ${list(q.multipliers)} }, s[] = { ${list(q.shifts)} };
    static int16_t out[${batches * cOut}];
    static const qf_fc_params p = { ${batches}, ${k}, ${cOut}, 0, 0, 0, ${activation.min}, ${activation.max}, ${perChannel ? cOut : 1}, m, s };
    qf_fully_connected_s16(&p, in, w, b, out);
    print(out, ${batches * cOut});
  }`;
  return { kind: 'fc', c, ts: () => fullyConnectedS16({ input, batches, accumDepth: k, filter, outputDepth: cOut, bias, activation, quant: q }) };
}

function poolCase(seed: number, average: boolean): Case {
  const r = rng(seed);
  const inputDims = { n: 1, h: intIn(r, 2, 7), w: intIn(r, 2, 7), c: intIn(r, 1, 5) };
  const filter = { h: intIn(r, 1, 3), w: intIn(r, 1, 3) };
  const stride = { h: intIn(r, 1, 2), w: intIn(r, 1, 2) };
  const padding = { h: filter.h > 1 ? intIn(r, 0, 1) : 0, w: filter.w > 1 ? intIn(r, 0, 1) : 0 };
  const outputDims = { n: 1, h: outSize(inputDims.h, filter.h, stride.h, padding.h), w: outSize(inputDims.w, filter.w, stride.w, padding.w), c: inputDims.c };
  const input = randI16(r, size(inputDims));
  const activation = clamp(r);
  const c = `{
    static const int16_t in[] = { ${list(input)} };
    static int16_t out[${size(outputDims)}];
    static const qf_pool_params p = { ${dims(inputDims)}, ${dims(outputDims)}, ${filter.h}, ${filter.w}, ${stride.h}, ${stride.w}, ${padding.h}, ${padding.w}, ${activation.min}, ${activation.max} };
    ${average ? 'qf_avg_pool_s16' : 'qf_max_pool_s16'}(&p, in, out);
    print(out, ${size(outputDims)});
  }`;
  const args = { input, inputDims, filter, stride, padding, outputDims, activation };
  return { kind: average ? 'avg' : 'max', c, ts: () => (average ? avgPoolS16(args) : maxPoolS16(args)) };
}

/** Add / Mul with TFLM parameters from random scales; one operand may repeat (scalar or per-channel). */
function elementwiseCase(seed: number, add: boolean): Case {
  const r = rng(seed);
  const size = intIn(r, 1, 24) * 4;
  const size2 = r() < 0.3 ? 1 : r() < 0.5 ? 4 : size;
  const input1 = randI16(r, size);
  const input2 = randI16(r, size2);
  const s = (): number => Math.fround(2 ** (-8 - 8 * r()));
  const activation = clamp(r);
  const rest = { input1, input2, ...(size2 === size ? {} : { input1Dims: [size / 4, 4], input2Dims: size2 === 1 ? [1] : [4] }), activation, rounding: 'double' as const };
  if (add) {
    const p = addParams({ scale: s(), zeroPoint: 0 }, { scale: s(), zeroPoint: 0 }, { scale: s(), zeroPoint: 0 }, { leftShift: 15 });
    const c = `{
    static const int16_t a[] = { ${list(input1)} }, b[] = { ${list(input2)} };
    static int16_t out[${size}];
    static const qf_add_params p = { ${size}, ${size}, ${size2}, 15, 0, ${p.input1Multiplier}, ${p.input1Shift}, 0, ${p.input2Multiplier}, ${p.input2Shift},
      0, ${p.outputMultiplier}, ${p.outputShift}, ${activation.min}, ${activation.max} };
    qf_add_s16(&p, a, b, out);
    print(out, ${size});
  }`;
    return { kind: 'add', c, ts: () => addS16({ ...rest, params: p }) };
  }
  const m = mulMultiplier(s(), s(), Math.fround(s() / 64));
  const c = `{
    static const int16_t a[] = { ${list(input1)} }, b[] = { ${list(input2)} };
    static int16_t out[${size}];
    static const qf_mul_params p = { ${size}, ${size}, ${size2}, 0, 0, 0, ${m.multiplier}, ${m.shift}, ${activation.min}, ${activation.max} };
    qf_mul_s16(&p, a, b, out);
    print(out, ${size});
  }`;
  return { kind: 'mul', c, ts: () => mulS16({ ...rest, params: { input1Offset: 0, input2Offset: 0, outputOffset: 0, multiplier: m.multiplier, shift: m.shift } }) };
}

const cases: Case[] = [];
for (let i = 0; i < CASES; i++) {
  cases.push(convCase(1000 + i, false), convCase(2000 + i, true), fcCase(3000 + i), poolCase(4000 + i, false), poolCase(5000 + i, true));
  cases.push(elementwiseCase(6000 + i, true), elementwiseCase(7000 + i, false));
}

describe.skipIf(!HAS_HOST_CC)(`int16x8 kernels: TypeScript vs C (${cases.length} seeded cases) ${HAS_HOST_CC ? '' : MISSING_TOOLCHAIN}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-int16-c-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every output of every case is identical', () => {
    writeFileSync(join(dir, 'qf_config.h'), '#define QF_SINGLE_ROUNDING 0\n');
    writeFileSync(join(dir, 'main.c'), `#include <stdio.h>
#include "qf_kernels.h"
static void print(const int16_t *v, int n) { int i; for (i = 0; i < n; i++) printf("%d ", v[i]); printf("\\n"); }
int main(void) {
${cases.map((c) => c.c).join('\n')}
  return 0;
}
`);
    const srcs = ['qf_conv_s16.c', 'qf_depthwise_conv_s16.c', 'qf_fully_connected_s16.c', 'qf_pool_s16.c', 'qf_elementwise_s16.c'].map((f) => join(C_DIR, f));
    const cc = spawnSync('cc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', `-I${dir}`, `-I${C_DIR}`, join(dir, 'main.c'), ...srcs, '-o', join(dir, 'main')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
    const r = spawnSync(join(dir, 'main'), [], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(cases.length);
    let saturated = 0;
    let interior = 0;
    let total = 0;
    cases.forEach((c, i) => {
      const want = Array.from(c.ts());
      const got = lines[i]!.trim().split(/\s+/).map(Number);
      expect({ case: i, kind: c.kind, got }).toEqual({ case: i, kind: c.kind, got: want });
      saturated += want.filter((v) => v === 32767 || v === -32768).length;
      interior += want.filter((v) => v !== 0 && v > -32768 && v < 32767).length;
      total += want.length;
    });
    console.log(`${total} outputs: ${saturated} at the int16 limits, ${interior} non-zero inside`);
    // The cases reach the clamp as well as the interior of the range.
    expect(saturated).toBeGreaterThan(0);
    expect(interior).toBeGreaterThan(total / 4);
  });
});
