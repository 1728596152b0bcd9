import type { TensorQuantInfo } from '@quantforge/core';
import { quantInfo as convWeightInfo } from '@quantforge/testing';

/** Plan facts of a Conv weight at the 4 bits this plugin's tests default to (the shared default is 8). */
export function quantInfo(over: Partial<TensorQuantInfo> = {}): TensorQuantInfo {
  return convWeightInfo({ bits: 4, ...over });
}
