import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QuantforgeError, type Program, type ProgramOp } from '@quantforge/core';

/** The hand-written C files every project gets (the QEMU plugin is host code); the kernel files are added per op. */
export const COMMON_C_FILES = ['qf_arith.h', 'qf_kernels.h', 'qf_io.h', 'qf_io.c', 'runner.c', 'tools/qf_insncount.c'] as const;

/** The kernel file of each target op. */
export const KERNEL_FILES: Readonly<Record<string, string>> = {
  conv2d: 'qf_conv.c', 'conv2d-1x1': 'qf_conv.c', 'depthwise-conv2d': 'qf_depthwise_conv.c', 'fully-connected': 'qf_fully_connected.c',
  'max-pool': 'qf_max_pool.c', 'avg-pool': 'qf_avg_pool.c', add: 'qf_add.c', mul: 'qf_mul.c', softmax: 'qf_softmax.c', lut: 'qf_lut.c', reshape: 'qf_copy.c',
};

/** The kernel file of each target op of an int16x8 program (int16 activations). */
export const KERNEL_FILES_S16: Readonly<Record<string, string>> = {
  conv2d: 'qf_conv_s16.c', 'conv2d-1x1': 'qf_conv_s16.c', 'depthwise-conv2d': 'qf_depthwise_conv_s16.c', 'fully-connected': 'qf_fully_connected_s16.c',
  'max-pool': 'qf_pool_s16.c', 'avg-pool': 'qf_pool_s16.c', add: 'qf_elementwise_s16.c', mul: 'qf_elementwise_s16.c', reshape: 'qf_copy.c',
};

/** The kernel file of one op: int16x8 programs (int16 activations) get the int16 kernels. */
export function kernelFileOf(program: Program, op: ProgramOp): string | undefined {
  const wide = program.tensors[op.outputs[0]!]?.dtype === 'int16';
  return (wide ? KERNEL_FILES_S16 : KERNEL_FILES)[op.targetOp];
}

// Built, this module is bundled into dist/ (the C folder is one level up); from source it sits in src/emit/.
const CANDIDATES = ['../c/', '../../c/'];

let cache: Map<string, string> | undefined;

function cDir(): string {
  for (const rel of CANDIDATES) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}qf_kernels.h`)) return dir;
  }
  throw new QuantforgeError('QF_INTERNAL', 'the C sources of @quantforge/backend-cortex-m are missing (expected a c/ folder next to dist/)', {
    details: { searched: CANDIDATES }, hint: 'Reinstall the package; its c/ folder holds the kernels the emitter copies.',
  });
}

/** The text of one hand-written C file of this package. */
export function cAsset(name: string): string {
  cache ??= new Map();
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(`${cDir()}${name}`, 'utf8');
    cache.set(name, text);
  }
  return text;
}
