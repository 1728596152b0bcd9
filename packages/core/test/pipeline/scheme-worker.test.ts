import { beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/ir/tensor.js';
import { defineSchemeWorker, type SchemeWorkerExports, type SerializedQuantInfo } from '../../src/pipeline/scheme-worker.js';
import { deserializeEncoding } from '../../src/quant/encoding-json.js';
import { createObserver, serializeObserverState } from '../../src/quant/observers/index.js';
import { isTensorResult } from '../../src/workers/protocol.js';
import { affineFixture } from './models.js';

let worker: SchemeWorkerExports;
beforeAll(async () => {
  worker = defineSchemeWorker((await affineFixture()).affine8 as never);
});

const info = (over: Partial<SerializedQuantInfo>): SerializedQuantInfo => ({
  name: 'w', role: 'weight', consumers: [], bits: 8, granularity: 'per-channel', axis: 0, seed: 1, dependencies: {}, ...over,
});
const options = { symmetricActivations: false, narrowRange: true };

describe('defineSchemeWorker', () => {
  it('quantizeWeight answers a serialized encoding with the codes as a moved tensor', async () => {
    const r = await worker.quantizeWeight({ options, info: info({}) }, { tensor: tensor('float32', [2, 3], new Float32Array([1, -2, 0.5, 0.1, 0.2, -0.4])) });
    expect(isTensorResult(r)).toBe(true);
    expect(r.value.dims).toEqual([2, 3]);
    const e = deserializeEncoding(r.value.encoding);
    expect(e).toMatchObject({ kind: 'affine', axis: 0, storage: 'int8' });
    expect(Array.from(r.tensors.codes!.data as Int8Array)).toEqual([64, -127, 32, 32, 64, -127]);
  });

  it('passes dependency encodings to biases', async () => {
    const w = await worker.quantizeWeight({ options, info: info({}) }, { tensor: tensor('float32', [2, 2], new Float32Array([1, -1, 0.5, 0.25])) });
    const input = { kind: 'affine' as const, bits: 8, signed: false, narrowRange: false, symmetric: false, powerOfTwo: false, scale: [0.5], zeroPoint: [0], storage: 'uint8' as const };
    const b = await worker.quantizeWeight(
      { options, info: info({ name: 'b', role: 'bias', bits: 32, dependencies: { input, weight: w.value.encoding } }) },
      { tensor: tensor('float32', [2], new Float32Array([0.1, -0.2])) },
    );
    const e = deserializeEncoding(b.value.encoding);
    expect(e.kind === 'affine' && Array.from(e.scale)).toEqual([Math.fround(0.5 * (1 / 127)), Math.fround(0.5 * (0.5 / 127))]);
  });

  it('encodeActivation finalizes the observer state in the worker and encodes the range', () => {
    const obs = createObserver('minmax');
    const s = obs.init('a');
    obs.observe(s, new Float32Array([-1, 3]), [2]);
    const request = { observer: 'minmax' as const, options: {}, finalize: { bits: 8, signed: false, symmetric: false } };
    const r = worker.encodeActivation({ options, info: info({ name: 'a', role: 'activation', granularity: 'per-tensor', axis: undefined }), request, state: serializeObserverState(s) });
    expect(r.range).toEqual({ min: -1, max: 3 });
    expect(deserializeEncoding(r.encoding)).toMatchObject({ kind: 'affine', storage: 'uint8', zeroPoint: Int32Array.of(64) });
  });

  it('QF_QUANTIZE when no tensor is sent', async () => {
    await expect(worker.quantizeWeight({ options, info: info({}) }, {})).rejects.toMatchObject({ code: 'QF_QUANTIZE' });
  });
});
