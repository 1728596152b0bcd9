import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorkerPool, type Program } from '@quantforge/core';
import { cortexMBackend, simulateCortexM } from '../src/index.js';

/** A one-op program: two int8 inputs of 2 values through arm_elementwise_add_s8. */
function addProgram(): Program {
  const t = (id: number, name: string, kind: 'input' | 'output', offset: number) =>
    ({ id, name, kind, dtype: 'int8' as const, dims: [1, 2], bytes: 2, placement: 'arena' as const, offset, scale: 0.5, zeroPoint: 0 });
  return {
    version: 1, target: 'cortex-m4', layout: 'NHWC', rounding: 'double',
    tensors: [t(0, 'a', 'input', 0), t(1, 'b', 'input', 16), t(2, 'y', 'output', 32)],
    // Equal scales 0.5 → out 0.5: m1 = m2 = 0.5/(2·0.5) = 0.5 → (2^30, 0); mo = 1/(2^20·0.5) = 2^−19 → (2^30, −18).
    ops: [{
      node: 'add', fused: [], targetOp: 'add', kernel: 'arm_elementwise_add_s8', inputs: [0, 1], outputs: [2],
      params: {
        leftShift: 20, input1Offset: 0, input1Multiplier: 2 ** 30, input1Shift: 0, input2Offset: 0, input2Multiplier: 2 ** 30, input2Shift: 0,
        outputOffset: 0, outputMultiplier: 2 ** 30, outputShift: -18, size: 2, activationMin: -128, activationMax: 127,
      },
    }],
    inputs: [0, 1], outputs: [2],
    memory: { arenaBytes: 34, liveLowerBoundBytes: 6, flash: { weightsBytes: 0, biasBytes: 0, paramsBytes: 0, codeBytes: 0, totalBytes: 0 } },
  };
}

describe('simulate', () => {
  it('adds in the integer domain: (3 + 4)·0.5 / 0.5 = 7, saturating at 127', async () => {
    const out = await cortexMBackend.simulate!(addProgram(), [{ a: Int8Array.of(3, 100), b: Int8Array.of(4, 100) }]);
    expect(Array.from(out[0]!.y!)).toEqual([7, 127]);
  });

  it('refuses an input of the wrong size', () => {
    expect(() => simulateCortexM(addProgram(), [{ a: Int8Array.of(1), b: Int8Array.of(1, 2) }])).toThrow(expect.objectContaining({ code: 'QF_RUNTIME_INPUT' }));
  });

  it('runs in core’s worker pool from the built worker module with the same result', async () => {
    const pool = createWorkerPool({ workers: 1 });
    try {
      const workerUrl = new URL('../dist/worker.js', import.meta.url).href;
      const samples = [{ a: Int8Array.of(-5, 9), b: Int8Array.of(2, -3) }];
      const { value } = await pool.run({ workerUrl, export: 'simulate', options: { program: addProgram(), samples } });
      expect(value).toEqual(simulateCortexM(addProgram(), samples));
      expect(Array.from((value as { y: Int8Array }[])[0]!.y)).toEqual([-3, 6]);
    } finally {
      await pool.destroy();
    }
  });
});

describe('plugin loading', () => {
  it('loads by package name from the built output, with its worker module', async () => {
    const { loadPlugin, isBackendTarget } = await import('@quantforge/core');
    const p = await loadPlugin('@quantforge/backend-cortex-m', { projectDir: fileURLToPath(new URL('../../..', import.meta.url)) });
    expect(p).toMatchObject({ name: 'cortex-m', kind: 'backend' });
    expect(p.workerUrl).toMatch(/backend-cortex-m\/dist\/worker\.js$/);
    expect(isBackendTarget(p.targets?.['cortex-m33'])).toBe(true);
  });
});
