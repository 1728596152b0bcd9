// Scratch-buffer sizes (§3.7) per CPU feature and the wrapper dispatch they depend on.
import { describe, expect, it } from 'vitest';
import {
  avgPoolS8BufferSize,
  convolve1x1S8FastBufferSize,
  convolve1xNS8BufferSize,
  convolveS8BufferSize,
  convolveWrapperS8BufferSize,
  convolveWrapperS8Kernel,
  depthwiseConvWrapperS8BufferSize,
  depthwiseConvWrapperS8Kernel,
  fullyConnectedS8BufferSize,
  noScratchBufferSize,
  type CpuFeature,
} from '../src/kernels/index.js';

const FEATURES: CpuFeature[] = ['none', 'dsp', 'mve'];
const s1 = { h: 1, w: 1 };
const p0 = { h: 0, w: 0 };

describe('convolution', () => {
  it('arm_convolve_s8: 2·align4(WK·HK·C_IN)·2 without MVE, 4·ceil(n/16)·16 with MVE', () => {
    const input = { n: 1, h: 10, w: 10, c: 3 };
    const filter = { n: 8, h: 3, w: 3, c: 3 }; // 27 columns
    expect(convolveS8BufferSize('none', input, filter)).toBe(2 * 28 * 2);
    expect(convolveS8BufferSize('dsp', input, filter)).toBe(112);
    expect(convolveS8BufferSize('mve', input, filter)).toBe(4 * 2 * 16);
    const aligned = { n: 8, h: 2, w: 2, c: 3 }; // 12 columns, already a multiple of 4 and 12 < 16
    expect(convolveS8BufferSize('none', { ...input, c: 3 }, aligned)).toBe(48);
    expect(convolveS8BufferSize('mve', { ...input, c: 3 }, aligned)).toBe(64);
  });
  it('wrapper dispatch: 1×1 fast / 1×1 strided / 1×N / generic; groups never take the 1×1 path', () => {
    const input = { n: 1, h: 8, w: 8, c: 16 };
    expect(convolveWrapperS8Kernel({ stride: s1, padding: p0 }, input, { n: 4, h: 1, w: 1, c: 16 })).toBe('arm_convolve_1x1_s8_fast');
    expect(convolveWrapperS8Kernel({ stride: { h: 2, w: 2 }, padding: p0 }, input, { n: 4, h: 1, w: 1, c: 16 })).toBe('arm_convolve_1x1_s8');
    expect(convolveWrapperS8Kernel({ stride: s1, padding: p0 }, input, { n: 4, h: 1, w: 1, c: 8 })).toBe('arm_convolve_s8');
    expect(convolveWrapperS8Kernel({ stride: s1, padding: p0, dilation: { h: 2, w: 1 } }, input, { n: 4, h: 1, w: 1, c: 16 })).toBe('arm_convolve_s8');
    const row = { n: 1, h: 1, w: 32, c: 8 };
    expect(convolveWrapperS8Kernel({ stride: s1, padding: { h: 0, w: 1 } }, row, { n: 4, h: 1, w: 3, c: 8 })).toBe('arm_convolve_1_x_n_s8');
    expect(convolveWrapperS8Kernel({ stride: s1, padding: p0 }, { ...row, c: 3 }, { n: 4, h: 1, w: 3, c: 3 })).toBe('arm_convolve_s8');
  });
  it('1×1 fast needs a buffer only on DSP with Arm Compiler 6; strided 1×1 never does', () => {
    const input = { n: 1, h: 8, w: 8, c: 16 };
    const filter = { n: 4, h: 1, w: 1, c: 16 };
    const out = { n: 1, h: 8, w: 8, c: 4 };
    for (const f of FEATURES) expect(convolveWrapperS8BufferSize(f, { stride: s1, padding: p0 }, input, filter, out)).toBe(0);
    expect(convolveWrapperS8BufferSize('dsp', { stride: s1, padding: p0 }, input, filter, out, { armCompiler6: true })).toBe(64);
    expect(convolve1x1S8FastBufferSize('mve', input, { armCompiler6: true })).toBe(0);
    for (const f of FEATURES) expect(convolveWrapperS8BufferSize(f, { stride: { h: 2, w: 2 }, padding: p0 }, input, filter, out, { armCompiler6: true })).toBe(0);
  });
  it('1×N: conv_s8 size without MVE; the padded-edge formula with MVE', () => {
    const input = { n: 1, h: 1, w: 16, c: 8 };
    const filter = { n: 4, h: 1, w: 3, c: 8 };
    const out = { n: 1, h: 1, w: 16, c: 4 };
    const conv = { stride: s1, padding: { h: 0, w: 1 } };
    expect(convolve1xNS8BufferSize('none', conv, input, filter, out)).toBe(convolveS8BufferSize('none', input, filter));
    expect(convolve1xNS8BufferSize('dsp', conv, input, filter, out)).toBe(2 * 24 * 2);
    // Symmetric pad 1: max(3·8 + 8, 2·8 + 8) = 32.
    expect(convolve1xNS8BufferSize('mve', conv, input, filter, out)).toBe(32);
    expect(convolveWrapperS8BufferSize('mve', conv, input, filter, out)).toBe(32);
    // Asymmetric SAME pad (total 3 with stride 2): right pad count 1 → max(5·8 + 8, 4·8 + 8) = 48.
    const filter5 = { n: 4, h: 1, w: 5, c: 8 };
    const out8 = { n: 1, h: 1, w: 8, c: 4 };
    expect(convolve1xNS8BufferSize('mve', { stride: { h: 1, w: 2 }, padding: { h: 0, w: 1 } }, input, filter5, out8)).toBe(48);
    // No padding: max(3·8, 2·8) = 24.
    expect(convolve1xNS8BufferSize('mve', { stride: s1, padding: p0 }, input, filter, { ...out, w: 14 })).toBe(24);
    // Output too narrow to split into left/right padded parts: falls back to the generic MVE size.
    expect(convolve1xNS8BufferSize('mve', conv, { ...input, w: 1 }, filter, { ...out, w: 1 })).toBe(convolveS8BufferSize('mve', input, filter));
  });
});

describe('depthwise', () => {
  const input = { n: 1, h: 8, w: 8, c: 8 };
  const f3 = { n: 1, h: 3, w: 3, c: 8 };
  const f5 = { n: 1, h: 5, w: 5, c: 8 };
  it('3×3 with pad ≤ 1 uses the buffer-free 3×3 kernel except on MVE', () => {
    expect(depthwiseConvWrapperS8Kernel('dsp', { padding: s1 }, input, f3, input)).toBe('arm_depthwise_conv_3x3_s8');
    expect(depthwiseConvWrapperS8BufferSize('dsp', { padding: s1 }, input, f3, input)).toBe(0);
    expect(depthwiseConvWrapperS8BufferSize('none', { padding: s1 }, input, f3, input)).toBe(0);
    expect(depthwiseConvWrapperS8Kernel('mve', { padding: s1 }, input, f3, input)).toBe('arm_depthwise_conv_s8_opt');
    expect(depthwiseConvWrapperS8BufferSize('mve', { padding: s1 }, input, f3, input)).toBe(4 * 124 * 9);
  });
  it('opt kernel: C_IN·WK·HK·2 on DSP, 4·124·WK·HK on MVE, 0 in pure C', () => {
    expect(depthwiseConvWrapperS8BufferSize('dsp', { padding: { h: 2, w: 2 } }, input, f5, input)).toBe(8 * 25 * 2);
    expect(depthwiseConvWrapperS8BufferSize('mve', { padding: { h: 2, w: 2 } }, input, f5, input)).toBe(4 * 124 * 25);
    expect(depthwiseConvWrapperS8BufferSize('none', { padding: { h: 2, w: 2 } }, input, f5, input)).toBe(0);
  });
  it('depth multiplier > 1, batch > 1 or dilation take the generic kernel with no buffer', () => {
    const out16 = { ...input, c: 16 };
    for (const f of FEATURES) {
      expect(depthwiseConvWrapperS8BufferSize(f, { padding: p0 }, input, { ...f5, c: 16 }, out16)).toBe(0);
      expect(depthwiseConvWrapperS8BufferSize(f, { padding: p0 }, { ...input, n: 2 }, f5, { ...input, n: 2 })).toBe(0);
      expect(depthwiseConvWrapperS8BufferSize(f, { padding: p0, dilation: { h: 2, w: 2 } }, input, f5, input)).toBe(0);
      expect(depthwiseConvWrapperS8Kernel(f, { padding: p0 }, input, { ...f5, c: 16 }, out16)).toBe('arm_depthwise_conv_s8');
    }
  });
});

describe('fully connected, pooling and buffer-free kernels', () => {
  it('FC: C_OUT·4 kernel sums on MVE only', () => {
    expect(fullyConnectedS8BufferSize('mve', 10)).toBe(40);
    expect(fullyConnectedS8BufferSize('dsp', 10)).toBe(0);
    expect(fullyConnectedS8BufferSize('none', 10)).toBe(0);
  });
  it('avgpool: C·4 on DSP only', () => {
    expect(avgPoolS8BufferSize('dsp', 16)).toBe(64);
    expect(avgPoolS8BufferSize('mve', 16)).toBe(0);
    expect(avgPoolS8BufferSize('none', 16)).toBe(0);
    expect(noScratchBufferSize()).toBe(0);
  });
});
