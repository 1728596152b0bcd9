import { attrInt } from '@quantforge/core';
import type { Kernel, KernelTable } from '../types.js';
import { matVec, recurrentOutputs, setupRecurrent, stateOffset, xOffset, yOffset } from './rnn-common.js';
import { numbers } from './util.js';

// LSTM (gate order i, o, f, c), GRU (z, r, h) and the simple RNN. Sequences shorter than seq_length (sequence_lens)
// stop updating their state and emit zeros in Y past their end; the reverse direction walks each sequence from its
// own last step.

const lstm: Kernel = (inputs, ctx) => {
  const s = setupRecurrent(inputs, ctx, 4, ['Sigmoid', 'Tanh', 'Tanh']);
  const { S, B, I, H, dirs } = s;
  const inputForget = attrInt(ctx.node, 'input_forget', 0) !== 0;
  const c0 = inputs[6] ? numbers(inputs[6], ctx) : undefined;
  const P = inputs[7] ? numbers(inputs[7], ctx) : undefined;
  const Y = new Float64Array(S * dirs * B * H);
  const Yh = new Float64Array(dirs * B * H);
  const Yc = new Float64Array(dirs * B * H);
  const gx = new Float64Array(4 * H);
  const gh = new Float64Array(4 * H);
  for (let d = 0; d < dirs; d++) {
    const reverse = s.direction === 'reverse' || d === 1;
    const [f, g, hAct] = [s.acts[3 * d]!, s.acts[3 * d + 1]!, s.acts[3 * d + 2]!];
    const bo = d * 8 * H;
    const po = d * 3 * H;
    for (let b = 0; b < B; b++) {
      const len = s.lens ? s.lens[b]! : S;
      const so = stateOffset(s, d, b);
      const h = new Float64Array(H);
      const c = new Float64Array(H);
      for (let k = 0; k < H; k++) {
        h[k] = s.h0 ? s.h0[so + k]! : 0;
        c[k] = c0 ? c0[so + k]! : 0;
      }
      for (let step = 0; step < len; step++) {
        const t = reverse ? len - 1 - step : step;
        matVec(s.W, d * 4 * H * I, 4 * H, I, s.X, xOffset(s, t, b), gx);
        matVec(s.R, d * 4 * H * H, 4 * H, H, h, 0, gh);
        for (let k = 0; k < H; k++) {
          const pre = (gate: number): number => gx[gate * H + k]! + gh[gate * H + k]! + (s.bias ? s.bias[bo + gate * H + k]! + s.bias[bo + 4 * H + gate * H + k]! : 0);
          const cPrev = c[k]!;
          const it = f(s.clamp(pre(0) + (P ? P[po + k]! * cPrev : 0)));
          const ft = inputForget ? 1 - it : f(s.clamp(pre(2) + (P ? P[po + 2 * H + k]! * cPrev : 0)));
          const ct = g(s.clamp(pre(3)));
          const cNew = ft * cPrev + it * ct;
          const ot = f(s.clamp(pre(1) + (P ? P[po + H + k]! * cNew : 0)));
          c[k] = cNew;
          h[k] = ot * hAct(cNew);
        }
        Y.set(h, yOffset(s, t, d, b));
      }
      Yh.set(h, so);
      Yc.set(c, so);
    }
  }
  return recurrentOutputs(s, Y, [Yh, Yc], ctx);
};

const gru: Kernel = (inputs, ctx) => {
  const s = setupRecurrent(inputs, ctx, 3, ['Sigmoid', 'Tanh']);
  const { S, B, I, H, dirs } = s;
  const beforeReset = attrInt(ctx.node, 'linear_before_reset', 0) !== 0;
  const Y = new Float64Array(S * dirs * B * H);
  const Yh = new Float64Array(dirs * B * H);
  const gx = new Float64Array(3 * H);
  const gh = new Float64Array(3 * H);
  const rh = new Float64Array(H);
  const hr = new Float64Array(H);
  const z = new Float64Array(H);
  const cand = new Float64Array(H);
  for (let d = 0; d < dirs; d++) {
    const reverse = s.direction === 'reverse' || d === 1;
    const [f, g] = [s.acts[2 * d]!, s.acts[2 * d + 1]!];
    const bo = d * 6 * H;
    const wb = (gate: number, k: number): number => (s.bias ? s.bias[bo + gate * H + k]! : 0);
    const rb = (gate: number, k: number): number => (s.bias ? s.bias[bo + 3 * H + gate * H + k]! : 0);
    for (let b = 0; b < B; b++) {
      const len = s.lens ? s.lens[b]! : S;
      const so = stateOffset(s, d, b);
      const h = new Float64Array(H);
      for (let k = 0; k < H; k++) h[k] = s.h0 ? s.h0[so + k]! : 0;
      for (let step = 0; step < len; step++) {
        const t = reverse ? len - 1 - step : step;
        matVec(s.W, d * 3 * H * I, 3 * H, I, s.X, xOffset(s, t, b), gx);
        matVec(s.R, d * 3 * H * H, 3 * H, H, h, 0, gh);
        for (let k = 0; k < H; k++) {
          z[k] = f(s.clamp(gx[k]! + gh[k]! + wb(0, k) + rb(0, k)));
          const r = f(s.clamp(gx[H + k]! + gh[H + k]! + wb(1, k) + rb(1, k)));
          rh[k] = r;
          hr[k] = r * h[k]!;
        }
        // Candidate: either R_h applied to (r * h), or r applied to (R_h h + Rb_h) when linear_before_reset.
        if (beforeReset) {
          for (let k = 0; k < H; k++) cand[k] = rh[k]! * (gh[2 * H + k]! + rb(2, k));
        } else {
          matVec(s.R, d * 3 * H * H + 2 * H * H, H, H, hr, 0, cand);
          for (let k = 0; k < H; k++) cand[k]! += rb(2, k);
        }
        for (let k = 0; k < H; k++) {
          const ht = g(s.clamp(gx[2 * H + k]! + wb(2, k) + cand[k]!));
          h[k] = (1 - z[k]!) * ht + z[k]! * h[k]!;
        }
        Y.set(h, yOffset(s, t, d, b));
      }
      Yh.set(h, so);
    }
  }
  return recurrentOutputs(s, Y, [Yh], ctx);
};

const rnn: Kernel = (inputs, ctx) => {
  const s = setupRecurrent(inputs, ctx, 1, ['Tanh']);
  const { S, B, I, H, dirs } = s;
  const Y = new Float64Array(S * dirs * B * H);
  const Yh = new Float64Array(dirs * B * H);
  const gx = new Float64Array(H);
  const gh = new Float64Array(H);
  for (let d = 0; d < dirs; d++) {
    const reverse = s.direction === 'reverse' || d === 1;
    const f = s.acts[d]!;
    for (let b = 0; b < B; b++) {
      const len = s.lens ? s.lens[b]! : S;
      const so = stateOffset(s, d, b);
      const h = new Float64Array(H);
      for (let k = 0; k < H; k++) h[k] = s.h0 ? s.h0[so + k]! : 0;
      for (let step = 0; step < len; step++) {
        const t = reverse ? len - 1 - step : step;
        matVec(s.W, d * H * I, H, I, s.X, xOffset(s, t, b), gx);
        matVec(s.R, d * H * H, H, H, h, 0, gh);
        for (let k = 0; k < H; k++) {
          const bias = s.bias ? s.bias[d * 2 * H + k]! + s.bias[d * 2 * H + H + k]! : 0;
          h[k] = f(s.clamp(gx[k]! + gh[k]! + bias));
        }
        Y.set(h, yOffset(s, t, d, b));
      }
      Yh.set(h, so);
    }
  }
  return recurrentOutputs(s, Y, [Yh], ctx);
};

export const RECURRENT_KERNELS: KernelTable = { LSTM: lstm, GRU: gru, RNN: rnn };
