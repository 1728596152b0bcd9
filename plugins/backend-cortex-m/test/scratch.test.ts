import { describe, expect, it } from 'vitest';
import { dispatchedKernel, scratchBytes } from '../src/index.js';

describe('scratch buffers and kernel dispatch (through the kernels’ *_get_buffer_size ports)', () => {
  it('picks the concrete conv kernel the CMSIS-NN wrapper would', () => {
    const q = { targetOp: 'conv2d', variant: 'dsp' as const, input: [1, 8, 8, 16], output: [1, 4, 4, 8], kernel: [1, 1] as [number, number] };
    expect(dispatchedKernel({ ...q, stride: [2, 2] }, 'arm_convolve_s8')).toBe('arm_convolve_1x1_s8');
    expect(dispatchedKernel({ ...q, stride: [1, 1] }, 'arm_convolve_s8')).toBe('arm_convolve_1x1_s8_fast');
    expect(dispatchedKernel({ ...q, kernel: [3, 3], padding: [1, 1] }, 'arm_convolve_s8')).toBe('arm_convolve_s8');
    expect(dispatchedKernel({ targetOp: 'softmax', variant: 'c', input: [1, 10], output: [1, 10] }, 'arm_softmax_s8')).toBe('arm_softmax_s8');
  });

  it('conv: 2·align4(kw·kh·C_in)·sizeof(int16) on C and DSP, 4·ceil(cols/16)·16 on MVE', () => {
    const q = { targetOp: 'conv2d', input: [1, 8, 8, 3], output: [1, 8, 8, 4], kernel: [3, 3] as [number, number], padding: [1, 1] as [number, number] };
    expect(scratchBytes({ ...q, variant: 'c' })).toBe(2 * 28 * 2);
    expect(scratchBytes({ ...q, variant: 'dsp' })).toBe(112);
    expect(scratchBytes({ ...q, variant: 'mve' })).toBe(4 * 2 * 16);
  });

  it('depthwise: none on C or the DSP 3×3 path, C_in·kw·kh·2 on the other DSP path, 4·124·kw·kh on MVE', () => {
    const q = { targetOp: 'depthwise-conv2d', input: [1, 8, 8, 16], output: [1, 8, 8, 16], kernel: [3, 3] as [number, number], padding: [1, 1] as [number, number] };
    expect(scratchBytes({ ...q, variant: 'c' })).toBe(0);
    expect(scratchBytes({ ...q, variant: 'dsp' })).toBe(0);
    expect(scratchBytes({ ...q, variant: 'dsp', kernel: [5, 5] })).toBe(16 * 25 * 2);
    expect(scratchBytes({ ...q, variant: 'mve' })).toBe(4 * 124 * 9);
  });

  it('fully connected needs kernel sums only on MVE; average pooling an int32 row on DSP', () => {
    expect(scratchBytes({ targetOp: 'fully-connected', variant: 'mve', input: [1, 1, 1, 64], output: [1, 10] })).toBe(40);
    expect(scratchBytes({ targetOp: 'fully-connected', variant: 'dsp', input: [1, 1, 1, 64], output: [1, 10] })).toBe(0);
    expect(scratchBytes({ targetOp: 'avg-pool', variant: 'dsp', input: [1, 4, 4, 8], output: [1, 2, 2, 8] })).toBe(32);
  });
});
