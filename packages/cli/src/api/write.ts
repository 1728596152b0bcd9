import { rm } from 'node:fs/promises';
import { QuantforgeError, type QuantizeReport, type QuantizeResult } from '@quantforge/core';
import { saveModel, writeFileAtomic } from '@quantforge/onnx';

/** Where {@link writeResult} puts the quantized model and the JSON report (each optional). */
export interface ResultPaths {
  /** Without it only the report is written (e.g. when the deliverable is an emitted C project). */
  model?: string;
  report?: string;
}

/**
 * The report as the file holds it: 2-space JSON with a trailing newline.
 *
 * @example
 * ```ts
 * process.stdout.write(reportJson(result.report));
 * ```
 */
export function reportJson(report: QuantizeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Writes the quantized model and the report, each atomically (temporary file + rename; the model is fully encoded
 * before its temporary file is opened). When the report cannot be written the model just written is removed again,
 * so a failure leaves neither a partial file nor half of the pair.
 *
 * @example
 * ```ts
 * await writeResult(result, { model: 'out/model.int8.onnx', report: 'out/report.json' });
 * ```
 */
export async function writeResult(result: QuantizeResult, paths: ResultPaths): Promise<void> {
  if (paths.report !== undefined && paths.report === paths.model) {
    throw new QuantforgeError('QF_INVALID_ARGUMENT', `the model and the report cannot both be written to ${paths.model}`, { details: { path: paths.model } });
  }
  const report = paths.report === undefined ? undefined : reportJson(result.report);
  if (paths.model !== undefined) await saveModel(result.model, paths.model);
  if (report === undefined || paths.report === undefined) return;
  try {
    await writeFileAtomic(paths.report, new TextEncoder().encode(report));
  } catch (error) {
    if (paths.model !== undefined) await rm(paths.model, { force: true });
    throw error;
  }
}
