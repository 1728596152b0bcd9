import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineBackend, requireBackendStep, type BackendDefinition } from '../../src/backend/definition.js';
import type { Program, ProgramTensor } from '../../src/backend/program.js';
import { dequantizeProgramOutput, programOnnxDims, quantizeProgramInput } from '../../src/backend/program-io.js';
import { writeArtifacts } from '../../src/backend/write-artifacts.js';

const tensor = (id: number, name: string, kind: 'input' | 'output', dims: number[], dtype: 'int8' | 'int16' = 'int8'): ProgramTensor => ({
  id, name, kind, dtype, dims, bytes: dims.reduce((a, b) => a * b, 1), placement: 'arena', offset: 0, scale: 0.5, zeroPoint: dtype === 'int8' ? -3 : 0,
});

function program(layout: 'NHWC' | 'NCHW', dims: number[], dtype: 'int8' | 'int16' = 'int8'): Program {
  return {
    version: 1, target: 't', layout, rounding: 'double', tensors: [tensor(0, 'x', 'input', dims, dtype), tensor(1, 'y', 'output', dims, dtype)], ops: [], inputs: [0], outputs: [1],
    memory: { arenaBytes: 0, liveLowerBoundBytes: 0, flash: { weightsBytes: 0, biasBytes: 0, paramsBytes: 0, codeBytes: 0, totalBytes: 0 } },
  };
}

describe('program I/O', () => {
  // NCHW [1, 2, 1, 3]: channel 0 = 0, 1, 2; channel 1 = 3, 4, 5 (in units of the scale).
  const nchw = Float32Array.from([0, 1, 2, 3, 4, 5], (v) => v * 0.5);

  it('quantizes with the tensor\'s scale and zero point into NHWC (channels interleaved)', () => {
    const q = quantizeProgramInput(program('NHWC', [1, 1, 3, 2]), 'x', nchw);
    expect(q).toBeInstanceOf(Int8Array);
    expect([...q]).toEqual([0, 3, 1, 4, 2, 5].map((v) => v - 3));
  });

  it('keeps NCHW as it is for an NCHW program, and clamps to the dtype range (ties away from zero)', () => {
    expect([...quantizeProgramInput(program('NCHW', [1, 2, 1, 3]), 'x', nchw)]).toEqual([0, 1, 2, 3, 4, 5].map((v) => v - 3));
    expect([...quantizeProgramInput(program('NCHW', [3]), 'x', Float32Array.from([100, -100, 0.25]))]).toEqual([127, -128, -2]);
    expect([...quantizeProgramInput(program('NCHW', [2], 'int16'), 'x', Float32Array.from([1e6, -0.25]))]).toEqual([32767, -1]);
  });

  it('dequantizes back to ONNX layout: the round trip is exact on the grid', () => {
    const p = program('NHWC', [1, 1, 3, 2]);
    const q = quantizeProgramInput(p, 'x', nchw);
    expect([...dequantizeProgramOutput(p, 'y', q)]).toEqual([...nchw]);
    expect(programOnnxDims(p, [1, 1, 3, 2], 4)).toEqual([4, 2, 1, 3]);
    expect(programOnnxDims(program('NCHW', [1, 2, 1, 3]), [1, 2, 1, 3], 2)).toEqual([2, 2, 1, 3]);
  });

  it('names a missing tensor (QF_INVALID_ARGUMENT)', () => {
    expect(() => quantizeProgramInput(program('NHWC', [2]), 'nope', new Float32Array(2))).toThrow(expect.objectContaining({ code: 'QF_INVALID_ARGUMENT' }));
  });
});

describe('optional backend steps', () => {
  const base = (): BackendDefinition => ({
    name: 'mini',
    targets: {
      'mini-1': {
        name: 'mini-1', backend: 'mini', cpu: 'Mini', features: { dsp: false, mve: false, fpu: false }, examplePart: { name: 'M1', flashBytes: 1024, ramBytes: 1024 },
        rounding: 'double', int16x8: false, ops: { relu: { kernel: 'k', onnx: ['Relu'], activations: ['int8'], codeBytes: 1 } },
      },
    },
    constrainPlan: (plan) => plan, check: () => [], lower: () => program('NCHW', [1]),
  });

  it('requireBackendStep returns the step, or QF_TARGET_UNSUPPORTED naming the backend and the step', async () => {
    const b = defineBackend({ ...base(), emitFormats: ['txt'], emit: () => [{ path: 'a.txt', contents: 'a' }] });
    expect(await requireBackendStep(b, 'emit')(program('NCHW', [1]))).toEqual([{ path: 'a.txt', contents: 'a' }]);
    expect(() => requireBackendStep(b, 'verify')).toThrow(expect.objectContaining({ code: 'QF_TARGET_UNSUPPORTED', message: 'backend mini has no verify step', details: { backend: 'mini', step: 'verify' } }));
  });

  it('defineBackend rejects emitFormats without emit, an empty format list, and a step that is not a function', () => {
    expect(() => defineBackend({ ...base(), emitFormats: ['txt'] })).toThrow(/emitFormats is given but emit is not/);
    expect(() => defineBackend({ ...base(), emitFormats: [], emit: () => [] })).toThrow(/emitFormats must be a non-empty list/);
    expect(() => defineBackend({ ...base(), verify: 'yes' as unknown as BackendDefinition['verify'] })).toThrow(/verify must be a function when given/);
  });
});

describe('writeArtifacts', () => {
  const root = mkdtempSync(join(tmpdir(), 'qf-artifacts-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes nested files and replaces an existing folder only once complete, leaving no temporary sibling', async () => {
    const dir = join(root, 'out');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stale.txt'), 'old');
    const at = await writeArtifacts(dir, [{ path: 'a.txt', contents: 'A' }, { path: 'sub/b.bin', contents: new Uint8Array([1, 2, 3]) }]);
    expect(at).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'sub']);
    expect([...readFileSync(join(dir, 'sub/b.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('refuses paths outside the folder or repeated, writing nothing', async () => {
    const dir = join(root, 'bad');
    for (const path of ['../x', '/etc/x', '', 'a/../../x']) {
      await expect(writeArtifacts(dir, [{ path, contents: 'x' }])).rejects.toMatchObject({ code: 'QF_INVALID_ARGUMENT' });
    }
    await expect(writeArtifacts(dir, [{ path: 'a', contents: '1' }, { path: './a', contents: '2' }])).rejects.toThrow(/appears twice/);
    expect(readdirSync(root)).toEqual(['out']);
  });
});
