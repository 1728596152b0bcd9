import { describe, expect, it } from 'vitest';
import { CORTEX_M_PROFILES, checkCortexM, constrainCortexMPlan } from '../src/index.js';
import { smallNet, transposeNet } from './models.js';
import { planFor } from './helpers.js';

const m4 = CORTEX_M_PROFILES['cortex-m4'];

describe('check', () => {
  it('maps conv, depthwise, 1x1 conv, add, pooling, reshape, fully connected and softmax to their kernels', () => {
    const m = smallNet();
    const plan = constrainCortexMPlan(planFor(m), m, m4);
    const d = checkCortexM(m, plan, m4);
    expect(d.map((x) => [x.node, x.status, x.targetOp ?? x.fusedInto, x.kernel])).toEqual([
      ['conv1', 'mapped', 'conv2d', 'arm_convolve_s8'],
      ['relu1', 'fused', 'conv1', 'arm_convolve_s8'],
      ['dw', 'mapped', 'depthwise-conv2d', 'arm_depthwise_conv_wrapper_s8'],
      ['pw', 'mapped', 'conv2d-1x1', 'arm_convolve_1x1_s8_fast'],
      ['add', 'mapped', 'add', 'arm_elementwise_add_s8'],
      ['pool', 'mapped', 'avg-pool', 'arm_avgpool_s8'],
      ['flatten', 'mapped', 'reshape', 'none (shares the input buffer)'],
      ['fc', 'mapped', 'fully-connected', 'arm_fully_connected_s8'],
      ['softmax', 'mapped', 'softmax', 'arm_softmax_s8'],
    ]);
  });

  it('reports the plan constraints a plan not shaped by the target breaks', () => {
    const m = smallNet();
    const unshaped = Object.fromEntries(checkCortexM(m, planFor(m), m4).filter((x) => x.status === 'error').map((x) => [x.node, x.reason]));
    expect(unshaped).toEqual({
      pool: 'AveragePool input and output must share one encoding (tie s1 and a1)',
      softmax: 'the plan keeps this node in float',
    });
    const plan = constrainCortexMPlan(planFor(m), m, m4);
    delete plan.tensors.y!.fixed;
    const d = checkCortexM(m, plan, m4).find((x) => x.node === 'softmax');
    expect(d).toMatchObject({ status: 'error', code: 'QF_TARGET_CONSTRAINT' });
    expect(d?.reason).toMatch(/fixed encoding scale 0.00390625, zero point -128/);
  });

  it('gives an unsupported op a coded reason, as an error by default', () => {
    const m = transposeNet();
    const d = checkCortexM(m, constrainCortexMPlan(planFor(m), m, m4), m4);
    expect(d[0]).toMatchObject({ node: 'fc', status: 'mapped' });
    expect(d[1]).toMatchObject({ node: 'transpose', status: 'error', code: 'QF_TARGET_OP_UNSUPPORTED' });
    expect(d[1]!.reason).toMatch(/Transpose has no int8 kernel in the cortex-m4 op table/);
  });

  it('reports a CPU-float fallback instead when asked', () => {
    const m = transposeNet();
    const d = checkCortexM(m, constrainCortexMPlan(planFor(m), m, m4), m4, { allowFallback: true });
    expect(d[1]).toMatchObject({ node: 'transpose', status: 'fallback', code: 'QF_TARGET_OP_UNSUPPORTED' });
  });

  it('treats a node the plan keeps in float as a constraint breach', () => {
    const m = smallNet();
    const plan = constrainCortexMPlan(planFor(m), m, m4);
    plan.excluded.push({ node: 'add', opType: 'Add', reason: 'excluded by the recipe' });
    expect(checkCortexM(m, plan, m4).find((x) => x.node === 'add')).toMatchObject({ status: 'error', code: 'QF_TARGET_CONSTRAINT' });
  });
});
