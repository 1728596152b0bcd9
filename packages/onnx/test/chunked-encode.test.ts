import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { encodeChunked } from '../src/chunked-encode.js';
import { fullModel } from './generate.js';
import { OCR_MODELS, firstDiff } from './helpers.js';

describe('chunked encoding (large raw_data copied once)', () => {
  it.each([1, 2, 16, 1024])('gives the same bytes as toBinary with a %i-byte threshold (generated model)', (large) => {
    const m = fullModel(10, 21);
    expect(firstDiff(encodeChunked(ModelProtoSchema, m, large), toBinary(ModelProtoSchema, m))).toBe(-1);
  });

  it.skipIf(OCR_MODELS.length === 0)('gives the same bytes as toBinary on the PaddleOCR models', () => {
    for (const { path } of OCR_MODELS) {
      const bytes = readFileSync(path);
      const m = fromBinary(ModelProtoSchema, bytes);
      expect(firstDiff(encodeChunked(ModelProtoSchema, m, 4096), bytes)).toBe(-1);
    }
  });
});
