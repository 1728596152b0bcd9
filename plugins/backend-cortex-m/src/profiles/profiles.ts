import type { TargetProfile } from '@quantforge/core';
import type { CortexMTargetName } from './names.js';
import { cmsisNnOps, cmsisNnOps16, type KernelVariant } from './op-table.js';

const KB = 1024;
const MB = 1024 * 1024;

interface CpuSpec {
  cpu: string;
  variant: KernelVariant;
  fpu: boolean;
  part: TargetProfile['examplePart'];
  notes: string[];
}

/**
 * The six CPUs with one example part each. The part figures are those parts' datasheet memory sizes, used only as a
 * RAM / flash budget; other parts with the same core have other sizes.
 */
const CPUS: Record<CortexMTargetName, CpuSpec> = {
  'cortex-m0plus': {
    cpu: 'Arm Cortex-M0+', variant: 'c', fpu: false,
    part: { name: 'Raspberry Pi RP2040 (Pico board)', ramBytes: 264 * KB, flashBytes: 2 * MB, clockMHz: 133 },
    notes: ['Armv6-M: no DSP extension, no FPU; CMSIS-NN pure-C kernels', 'flash is the Pico board\'s external 2 MB QSPI chip'],
  },
  'cortex-m3': {
    cpu: 'Arm Cortex-M3', variant: 'c', fpu: false,
    part: { name: 'ST STM32F103ZE', ramBytes: 64 * KB, flashBytes: 512 * KB, clockMHz: 72 },
    notes: ['Armv7-M without the DSP extension: CMSIS-NN pure-C kernels'],
  },
  'cortex-m4': {
    cpu: 'Arm Cortex-M4F', variant: 'dsp', fpu: true,
    part: { name: 'ST STM32F446RE', ramBytes: 128 * KB, flashBytes: 512 * KB, clockMHz: 180 },
    notes: ['Armv7E-M DSP extension (SMLAD): CMSIS-NN DSP kernels'],
  },
  'cortex-m7': {
    cpu: 'Arm Cortex-M7', variant: 'dsp', fpu: true,
    part: { name: 'ST STM32H743ZI', ramBytes: 1 * MB, flashBytes: 2 * MB, clockMHz: 480 },
    notes: ['Armv7E-M DSP extension: CMSIS-NN DSP kernels', 'RAM is the part\'s total (AXI, AHB and TCM banks); one arena must fit in one bank on real hardware'],
  },
  'cortex-m33': {
    cpu: 'Arm Cortex-M33', variant: 'dsp', fpu: true,
    part: { name: 'Nordic nRF5340 (application core)', ramBytes: 512 * KB, flashBytes: 1 * MB, clockMHz: 128 },
    notes: ['Armv8-M Mainline with the DSP extension: CMSIS-NN DSP kernels'],
  },
  'cortex-m55': {
    cpu: 'Arm Cortex-M55', variant: 'mve', fpu: true,
    part: { name: 'Alif Ensemble E7 (high-performance M55 core)', ramBytes: 13.5 * MB, flashBytes: 5.5 * MB, clockMHz: 400 },
    notes: ['Armv8.1-M with Helium (MVE): CMSIS-NN MVE kernels', 'RAM and flash are the whole SoC\'s SRAM and MRAM, shared with its other cores'],
  },
};

function profile(name: CortexMTargetName): TargetProfile {
  const c = CPUS[name];
  return {
    name, backend: 'cortex-m', cpu: c.cpu,
    features: { dsp: c.variant !== 'c', mve: c.variant === 'mve', fpu: c.fpu },
    examplePart: { ...c.part },
    // TFLM and CMSIS-NN build with double rounding unless TFLITE_SINGLE_ROUNDING / CMSIS_NN_USE_SINGLE_ROUNDING is set.
    rounding: 'double',
    int16x8: true,
    ops: cmsisNnOps(c.variant),
    notes: [...c.notes, 'int16x8 kernels exist in CMSIS-NN; this target lowers int8, the `-int16x8` variant (cortexMInt16x8Plugin) lowers int16x8'],
  };
}

/** The name of a CPU's int16x8 variant target. */
export type CortexMInt16x8TargetName = `${CortexMTargetName}-int16x8`;

function profile16(name: CortexMTargetName): TargetProfile {
  const base = profile(name);
  return {
    ...base, name: `${name}-int16x8`, ops: cmsisNnOps16(kernelVariant(base)),
    notes: [...CPUS[name].notes, 'int16x8 mode (TFLite 16x8): int16 symmetric activations, int8 per-channel weights, int64 bias; Add and Mul of two activations only (no constant operand), no Softmax or lookup tables'],
  };
}

/**
 * The Cortex-M target profiles, keyed by target name.
 *
 * @example
 * ```ts
 * CORTEX_M_PROFILES['cortex-m4'].examplePart; // { name: 'ST STM32F446RE', ramBytes: 131072, flashBytes: 524288, clockMHz: 180 }
 * ```
 */
export const CORTEX_M_PROFILES: Readonly<Record<CortexMTargetName, TargetProfile>> = {
  'cortex-m0plus': profile('cortex-m0plus'),
  'cortex-m3': profile('cortex-m3'),
  'cortex-m4': profile('cortex-m4'),
  'cortex-m7': profile('cortex-m7'),
  'cortex-m33': profile('cortex-m33'),
  'cortex-m55': profile('cortex-m55'),
};

/**
 * The int16x8 variants of the Cortex-M targets (same CPUs and example parts, int16 activation kernels), keyed by
 * target name (`cortex-m4-int16x8`, ...).
 *
 * @example
 * ```ts
 * CORTEX_M_INT16X8_PROFILES['cortex-m4-int16x8'].ops.conv2d?.kernel; // 'arm_convolve_s16'
 * ```
 */
export const CORTEX_M_INT16X8_PROFILES: Readonly<Record<CortexMInt16x8TargetName, TargetProfile>> = {
  'cortex-m0plus-int16x8': profile16('cortex-m0plus'),
  'cortex-m3-int16x8': profile16('cortex-m3'),
  'cortex-m4-int16x8': profile16('cortex-m4'),
  'cortex-m7-int16x8': profile16('cortex-m7'),
  'cortex-m33-int16x8': profile16('cortex-m33'),
  'cortex-m55-int16x8': profile16('cortex-m55'),
};

/**
 * The activation width a profile's kernels take: 16 for the int16x8 variants, else 8.
 *
 * @example
 * ```ts
 * activationBits(CORTEX_M_INT16X8_PROFILES['cortex-m4-int16x8']); // 16
 * ```
 */
export function activationBits(p: TargetProfile): 8 | 16 {
  return p.ops.conv2d?.activations[0] === 'int16' ? 16 : 8;
}

/** The CMSIS-NN code path of a profile. */
export function kernelVariant(p: TargetProfile): KernelVariant {
  return p.features.mve ? 'mve' : p.features.dsp ? 'dsp' : 'c';
}
