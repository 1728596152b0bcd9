import { BASIC_KERNELS } from './basic/index.js';
import { LINEAR_KERNELS } from './linear/index.js';
import type { KernelTable } from './types.js';

export type { Kernel, KernelContext, KernelTable } from './types.js';

/** Every kernel of the reference executor, keyed by op type of the default domain. */
export const KERNELS: KernelTable = { ...BASIC_KERNELS, ...LINEAR_KERNELS };

/** The op types the reference executor claims, sorted. */
export function supportedOps(): string[] {
  return Object.keys(KERNELS).sort();
}
