import type { QuantizeReport } from '@quantforge/core';

/** What {@link formatSummary} needs besides the report. */
export interface SummaryContext {
  model: string;
  output: string;
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
    `model         ${ctx.model} -> ${ctx.output}`,
    `mode          ${report.mode}, scheme ${report.schemes.map((s) => s.name).join(', ')}, exporter ${report.exporter}`,
    `tensors       ${m.quantizedTensors} quantized: ${weights} weights, ${biases} biases, ${report.activations.length} activations; ${report.excluded.length} nodes kept in float`,
    `size          ${bytes(m.bytesBefore)} -> ${bytes(m.bytesAfter)}${ratio}`,
  ];
  if (report.evaluation !== null) lines.push(...metricLines(report.evaluation));
  if (report.executors.calibrate !== null) lines.push(`calibrated on ${report.calibration?.samples ?? 0} samples with ${report.executors.calibrate}`);
  if (report.executors.evaluateQuantized !== null) lines.push(`evaluated on  ${report.executors.evaluateQuantized}`);
  lines.push(`time          ${(report.timingsMs.total / 1000).toFixed(2)} s`);
  if (ctx.reportPath !== undefined) lines.push(`report        ${ctx.reportPath}`);
  return `${lines.join('\n')}\n`;
}
