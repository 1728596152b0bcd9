import { QuantforgeError, type QuantPlan, type TensorPlanInfo } from '@quantforge/core';
import type { BitProfile, ResolvedWeightedEntropyOptions } from './options.js';

/**
 * Bits of layer `index` (0-based) of `count` under a profile, linear in the relative depth `t = index / (count − 1)`
 * and rounded to the nearest bit (halves up): decreasing `max → min`, increasing `min → max`, concave `min` at both
 * ends and `max` in the middle, convex `max` at both ends and `min` in the middle (Park et al. found convex best).
 * `uniform` gives `maxBits`.
 *
 * @example
 * ```ts
 * [0, 1, 2, 3, 4].map((i) => profileBits('convex', i, 5, 2, 6)); // [6, 4, 2, 4, 6]
 * ```
 */
export function profileBits(profile: BitProfile, index: number, count: number, minBits: number, maxBits: number): number {
  const t = count <= 1 ? 0 : index / (count - 1);
  const span = maxBits - minBits;
  const edge = Math.abs(2 * t - 1);
  const bits = {
    uniform: maxBits,
    decreasing: maxBits - span * t,
    increasing: minBits + span * t,
    concave: maxBits - span * edge,
    convex: minBits + span * edge,
  }[profile];
  return Math.floor(bits + 0.5);
}

/**
 * The weight tensors of a plan in depth order: core's planner lists tensors in the model's topological order, so the
 * order of the plan's `weight` entries is their depth. Pass it as the `layers` option of a bit profile (optionally
 * only the weights of one scheme).
 *
 * @example
 * ```ts
 * const layers = weightLayerOrder(result.plan, 'weighted-entropy');
 * pipeline.use(weightedEntropy({ profile: 'convex', minBits: 2, maxBits: 6, layers }));
 * ```
 */
export function weightLayerOrder(plan: QuantPlan, scheme?: string): string[] {
  return Object.values(plan.tensors).filter((e) => e.role === 'weight' && (scheme === undefined || e.scheme === scheme)).map((e) => e.tensor);
}

/**
 * Number of weight levels for a tensor: `levels`, else `2^bits` (the options' bits, else the plan's), or under a
 * profile `2^profileBits` at the tensor's position in `layers`. A profiled tensor missing from `layers` is a
 * `QF_QUANTIZE` error: guessing its depth would silently give it the wrong bits.
 *
 * @example
 * ```ts
 * weightLevels(resolveWeightedEntropyOptions({ levels: 5 }), info); // 5
 * ```
 */
export function weightLevels(o: ResolvedWeightedEntropyOptions, info: TensorPlanInfo): number {
  if (o.profile === 'uniform') {
    if (o.levels !== undefined) return o.levels;
    const bits = o.bits ?? info.bits;
    if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16)) {
      throw new QuantforgeError('QF_QUANTIZE', `weighted-entropy weights need 1–16 bits; ${info.name} is planned with ${bits}`, { details: { tensor: info.name, bits } });
    }
    return 2 ** bits;
  }
  const layers = o.layers ?? [];
  const index = layers.indexOf(info.name);
  if (index < 0) {
    throw new QuantforgeError('QF_QUANTIZE', `weighted-entropy profile ${o.profile}: ${info.name} is not in the layers list`, {
      details: { tensor: info.name, profile: o.profile, layers: layers.length },
      hint: 'Pass layers: weightLayerOrder(plan) so every profiled weight has a depth',
    });
  }
  return 2 ** profileBits(o.profile, index, layers.length, o.minBits!, o.maxBits!);
}
