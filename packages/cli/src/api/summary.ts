import type { QuantizeReport, TargetReport, TargetVerifyRun } from '@quantforge/core';

/** What {@link formatSummary} needs besides the report. */
export interface SummaryContext {
  model: string;
  /** The quantized model written, if any. */
  output?: string;
  reportPath?: string;
}

function bytes(n: number | null): string {
  return n === null ? '?' : `${n.toLocaleString('en-US')} B`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

function db(x: number | null): string {
  return x === null ? 'inf dB (identical)' : `${x.toFixed(2)} dB`;
}

/**
 * Metric lines shared by `quantize` and `eval`: output SQNR and cosine, argmax agreement, top-1 of both models.
 *
 * @example
 * ```ts
 * for (const line of metricLines(report.evaluation!)) console.log(line);
 * ```
 */
export function metricLines(ev: NonNullable<QuantizeReport['evaluation']>): string[] {
  const lines = [
    `output SQNR   ${db(ev.sqnrDb)}   cosine ${ev.cosine.toFixed(6)}`,
    `agreement     ${pct(ev.argmaxAgreement)} argmax agreement over ${ev.samples} samples`,
  ];
  if (ev.outputs.length > 1) {
    for (const o of ev.outputs) lines.push(`  ${o.name}  SQNR ${db(o.sqnrDb)}  cosine ${o.cosine.toFixed(6)}`);
  }
  if (ev.accuracy !== null) {
    const change = (100 * (ev.accuracy.quantized - ev.accuracy.float)).toFixed(2);
    const signed = Number(change) === 0 ? '±0.00' : Number(change) > 0 ? `+${change}` : change;
    lines.push(`top-1         float ${pct(ev.accuracy.float)}   quantized ${pct(ev.accuracy.quantized)}   (${signed} pp, ${ev.accuracy.rows} labels)`);
  }
  return lines;
}

/**
 * The short table `quantforge quantize` prints at the end of a run: tensors quantized, sizes, metrics when evaluated,
 * executors and where the report went.
 *
 * @example
 * ```ts
 * process.stdout.write(formatSummary(result.report, { model: 'model.onnx', output: 'model.int8.onnx' }));
 * ```
 */
export function formatSummary(report: QuantizeReport, ctx: SummaryContext): string {
  const weights = report.weights.filter((w) => w.role === 'weight').length;
  const biases = report.weights.filter((w) => w.role === 'bias').length;
  const m = report.model;
  const ratio = m.compression === null ? '' : `   (${m.compression.toFixed(2)}x smaller)`;
  const lines = [
    `model         ${ctx.model} -> ${ctx.output ?? '(quantized model not written)'}`,
    `mode          ${report.mode}, scheme ${report.schemes.map((s) => s.name).join(', ')}, exporter ${report.exporter}`,
    `tensors       ${m.quantizedTensors} quantized: ${weights} weights, ${biases} biases, ${report.activations.length} activations; ${report.excluded.length} nodes kept in float`,
    `size          ${bytes(m.bytesBefore)} -> ${bytes(m.bytesAfter)}${ratio}`,
  ];
  if (report.evaluation !== null) lines.push(...metricLines(report.evaluation));
  if (report.executors.calibrate !== null) lines.push(`calibrated on ${report.calibration?.samples ?? 0} samples with ${report.executors.calibrate}`);
  if (report.executors.evaluateQuantized !== null) lines.push(`evaluated on  ${report.executors.evaluateQuantized}`);
  if (report.target !== undefined) lines.push(...targetLines(report.target));
  const tt = report.target?.timingsMs;
  const after = tt === undefined ? [] : (['simulate', 'emit', 'verify'] as const).filter((k) => tt[k] !== undefined).map((k) => `${k} ${(tt[k]! / 1000).toFixed(2)} s`);
  lines.push(`time          ${(report.timingsMs.total / 1000).toFixed(2)} s${after.length === 0 ? '' : ` (quantize), then ${after.join(', ')}`}`);
  if (ctx.reportPath !== undefined) lines.push(`report        ${ctx.reportPath}`);
  return `${lines.join('\n')}\n`;
}

const kib = (n: number): string => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`;

function verdict(v: TargetVerifyRun): string {
  if ('skipped' in v) return `skipped (${v.skipped})`;
  return v.identical ? `${v.samples}/${v.samples} samples bit-identical` : `${v.mismatches} of ${v.samples} samples DIFFER (first: sample ${v.firstMismatch ?? '?'})`;
}

/**
 * Summary lines of a report's `target` section: node mapping, flash and RAM, the simulated program's accuracy,
 * emitted project, verification and instruction counts.
 *
 * @example
 * ```ts
 * for (const line of targetLines(report.target!)) console.log(line);
 * ```
 */
export function targetLines(t: TargetReport): string[] {
  const s = t.summary;
  const lines = [`target        ${t.name} (${t.backend} backend): ${t.nodes.length} nodes: ${s.mapped} mapped, ${s.fused} fused, ${s.fallback} fallback${s.error > 0 ? `, ${s.error} error` : ''}`];
  for (const n of t.nodes.filter((x) => x.status === 'fallback' || x.status === 'error')) lines.push(`  ${n.status} ${n.node} (${n.opType}): ${n.reason ?? n.code ?? 'unsupported'}`);
  const m = t.memory;
  if (m === null) lines.push('memory        no program lowered');
  else {
    const fits = m.fits === null ? '' : `; ${m.fits.ram && m.fits.flash ? 'fits' : 'does NOT fit'} ${m.fits.part} (${(m.fits.ramBytes / 1024).toFixed(0)} KiB RAM, ${(m.fits.flashBytes / 1024).toFixed(0)} KiB flash)`;
    lines.push(`flash         ${kib(m.flashBytes)} estimate: weights ${m.flash.weightsBytes}, bias ${m.flash.biasBytes}, params ${m.flash.paramsBytes}, code ${m.flash.codeBytes}`);
    lines.push(`peak RAM      ${kib(m.arenaBytes)} arena (largest scratch buffer ${m.scratchBytes} B)${fits}`);
  }
  const ev = t.evaluation;
  if (ev !== undefined) {
    const acc = ev.accuracy === null ? '' : `top-1 float ${pct(ev.accuracy.float)}   simulated ${pct(ev.accuracy.simulated)}   (${(100 * (ev.accuracy.simulated - ev.accuracy.float)).toFixed(2)} pp); `;
    lines.push(`simulated     ${acc}argmax agreement ${pct(ev.argmaxAgreement)}, output SQNR ${db(ev.sqnrDb)} over ${ev.samples} samples`);
  }
  if (t.emit !== undefined) lines.push(`emitted       ${t.emit.format.toUpperCase()} project ${t.emit.dir} (${t.emit.files} files)`);
  // Every key but samples is a platform's verdict (cortex-m: host, qemu), in the backend's order.
  for (const [p, v] of Object.entries(t.verify ?? {})) if (typeof v === 'object' && v !== null) lines.push(`verify ${p.padEnd(6)} ${verdict(v)}`);
  const ins = t.instructions;
  if (ins !== undefined) lines.push('skipped' in ins ? `instructions  skipped (${ins.skipped})` : `instructions  ${ins.perInference.toLocaleString('en-US')} per inference on ${ins.cpu} (QEMU); ${heaviestLayers(ins.perLayer, ins.perInference)}`);
  return lines;
}

/** The few layers that cost most, with their share of one inference (the report has every layer). */
function heaviestLayers(layers: readonly { node: string; insns: number }[], total: number, shown = 5): string {
  const top = [...layers].sort((a, b) => b.insns - a.insns).slice(0, shown);
  const pct = (n: number): string => `${((100 * n) / Math.max(total, 1)).toFixed(1)} %`;
  const more = layers.length > shown ? `, … (${layers.length} layers in the report)` : '';
  return `heaviest: ${top.map((l) => `${l.node} ${l.insns.toLocaleString('en-US')} (${pct(l.insns)})`).join(', ')}${more}`;
}
