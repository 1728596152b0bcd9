import { describe, expect, it } from 'vitest';
import { definePlugin, quantforge, schemeProvider, tensor, type Program, type Tensor } from '@quantforge/core';
import { qdqExporter } from '@quantforge/onnx';
import { createExecutor, runnerFactory } from '@quantforge/runtime';
import { cortexMPlugin, nhwcToNchw, quantizeInput, simulateCortexM } from '../src/index.js';
import { seeded, testScheme } from './helpers.js';
import { smallNet } from './models.js';

const schemePlugin = definePlugin({ name: 'scheme-affine-test', kind: 'scheme', version: '1.0.0', hostApi: '^1.0.0', schemes: { 'affine-test': schemeProvider(testScheme) } });

/** The same program with every arena tensor in its own slot and every activation an output, to read intermediates. */
function unshared(program: Program): Program {
  const p = structuredClone(program);
  let offset = 0;
  for (const t of p.tensors) {
    if (t.placement !== 'arena') continue;
    t.offset = offset;
    offset += Math.ceil(t.bytes / 16) * 16;
  }
  p.memory.arenaBytes = offset;
  p.outputs = p.tensors.filter((t) => t.kind === 'activation' || t.kind === 'output').map((t) => t.id);
  return p;
}

const KERNELS = {
  'cortex-m0plus': ['arm_convolve_s8', 'arm_depthwise_conv_3x3_s8', 'arm_convolve_1x1_s8_fast', 'arm_elementwise_add_s8', 'arm_avgpool_s8', 'arm_fully_connected_per_channel_s8', 'arm_softmax_s8'],
  'cortex-m55': ['arm_convolve_s8', 'arm_depthwise_conv_s8_opt', 'arm_convolve_1x1_s8_fast', 'arm_elementwise_add_s8', 'arm_avgpool_s8', 'arm_fully_connected_per_channel_s8', 'arm_softmax_s8'],
};

describe('simulating conv, depthwise, 1x1, residual add, average pooling, FC and softmax', () => {
  for (const target of ['cortex-m0plus', 'cortex-m55'] as const) {
    it(`stays within two codes of the QDQ model at every layer on ${target}, and the arena sharing changes nothing`, async () => {
      const feeds = Array.from({ length: 16 }, (_, i) => ({ x: tensor('float32', [1, 2, 6, 6], seeded(72, 100 + i)) }));
      const r = await quantforge(smallNet(), { createRunner: runnerFactory({ prefer: 'reference' }), exporter: qdqExporter() })
        .use(schemePlugin).target(cortexMPlugin, { target }).calibrate(feeds).run({ workers: 1 });
      const program = r.target!.program!;
      expect(program.ops.map((o) => o.kernel)).toEqual(KERNELS[target]);
      const wide = unshared(program);
      const acts = wide.outputs.map((id) => wide.tensors[id]!);
      const exec = createExecutor(r.model);
      for (const f of feeds) {
        const input = { x: quantizeInput(program, 'x', f.x.data as Float32Array) };
        const all = simulateCortexM(wide, [input])[0]!;
        expect(simulateCortexM(program, [input])[0]!.y).toEqual(all.y);
        const qdq = exec.run({ x: f.x }, { outputs: acts.map((t) => r.valueMap[t.name]!) });
        // Integer requantization and float QDQ round differently; one-code differences compound over a few layers.
        for (const t of acts.filter((a) => a.name !== 'y')) {
          const sim = t.dims.length === 4 ? nhwcToNchw(all[t.name] as Int8Array, [t.dims[0]!, t.dims[3]!, t.dims[1]!, t.dims[2]!]) : (all[t.name] as Int8Array);
          const ref = (qdq[r.valueMap[t.name]!] as Tensor).data as Float32Array;
          ref.forEach((v, k) => expect(Math.abs(Math.round(v / t.scale!) + t.zeroPoint! - sim[k]!), `${t.name}[${k}]`).toBeLessThanOrEqual(2));
        }
        // The integer softmax against the float softmax of the simulated logits: one code of 1/256.
        const g = wide.tensors.find((t) => t.name === 'g1')!;
        const logits = Array.from(all.g1 as Int8Array, (q) => (q - g.zeroPoint!) * g.scale!);
        const max = Math.max(...logits);
        const e = logits.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        e.forEach((v, k) => expect(Math.abs(Math.round((v / sum) * 256) - 128 - all.y![k]!)).toBeLessThanOrEqual(1));
      }
    });
  }
});
