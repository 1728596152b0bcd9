export { planQuantization, type PlannerSchemes, type SchemeBinding } from './plan-quantization.js';
export { COMPUTE_OPS, FOLDABLE_ACTIVATIONS, MOVEMENT_OPS, ARITHMETIC_OPS } from './op-rules.js';
