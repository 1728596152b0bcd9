# Writes the conformance fixtures of scheme-uniform from an independent reference: numpy float32 arithmetic and
# np.rint (round half to even), following the ONNX QuantizeLinear formulas, not the TypeScript under test.
# Run: /usr/bin/python3 scripts/generate-fixtures.py (needs numpy).
import json, os, numpy as np
f32 = np.float32
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures')

def fl(x):  # a float32 value as the JSON double that round-trips it
    return float(f32(x))

def quant(x, s, zp, qmin, qmax):
    q = np.rint(np.float32(x) / np.float32(s)) + zp  # float32 division, then round half to even
    return int(np.clip(q, qmin, qmax))

def sym_scale(amax, qmax):
    return f32(np.float64(f32(amax)) / qmax)

def ceil_pow2(s):
    p = 2.0 ** np.ceil(np.log2(np.float64(s)))
    if p < s: p *= 2
    if p / 2 >= s: p /= 2
    return f32(p)

def info(**kw):
    base = {'name': 'w', 'role': 'weight', 'consumers': [{'node': 'conv', 'opType': 'Conv', 'input': 1}], 'bits': 8,
            'granularity': 'per-channel', 'axis': 0, 'seed': 1, 'dependencies': {}}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}

def affine(bits, signed, narrow, sym, pow2, scale, zp, storage, axis=None, block=None):
    e = {'kind': 'affine', 'bits': bits, 'signed': signed, 'narrowRange': narrow, 'symmetric': sym, 'powerOfTwo': pow2,
         'scale': [fl(s) for s in scale], 'zeroPoint': [int(z) for z in zp], 'storage': storage}
    if axis is not None: e['axis'] = axis
    if block is not None: e['blockSize'] = block
    return e

def write(name, case):
    os.makedirs(f'{OUT}/{name}', exist_ok=True)
    with open(f'{OUT}/{name}/case.json', 'w') as f:
        json.dump(case, f, indent=2)
        f.write('\n')

# 1. per-channel int8 (defaults: symmetric, narrow range [-127, 127]), channels along axis 0 of a [2, 4] weight.
w = [[0.5, -1.27, 0.3175, 1.0], [0.02, -0.04, 0.01, 0.03]]
scales = [sym_scale(max(abs(f32(v)) for v in row), 127) for row in w]
codes = [quant(v, scales[r], 0, -127, 127) for r, row in enumerate(w) for v in row]
write('per-channel-int8', {
    'description': 'int8 symmetric narrow-range weights, one scale per output channel (axis 0): scale = max|w_c| / 127',
    'export': 'quantizeWeight',
    'options': {'options': {}, 'info': info()},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2, 4], 'data': [fl(v) for row in w for v in row]}},
    'expect': {
        'outputs': {'codes': {'dtype': 'int8', 'dims': [2, 4], 'data': codes}},
        'value': {'encoding': affine(8, True, True, True, False, scales, [0, 0], 'int8', axis=0), 'dims': [2, 4]},
    },
})

# 2. per-group int4, blocks of 4 along axis 1 of a [2, 6] weight: blocks 0-3 and the ragged 4-5; scale order [row][block].
w = [[0.7, -0.35, 0.1, 0.05, -1.4, 0.2], [0.03, 0.06, -0.09, 0.12, 0.5, -0.25]]
blocks = [(0, 4), (4, 6)]
scales = [sym_scale(max(abs(f32(v)) for v in row[a:b]), 7) for row in w for (a, b) in blocks]
codes = []
for r, row in enumerate(w):
    for j, v in enumerate(row):
        codes.append(quant(v, scales[r * 2 + (0 if j < 4 else 1)], 0, -7, 7))
write('per-group-int4', {
    'description': 'int4 symmetric narrow-range weights in blocks of 4 along axis 1 with a ragged last block of 2; the options override the plan',
    'export': 'quantizeWeight',
    'options': {'options': {'weights': {'bits': 4, 'granularity': 'per-group', 'axis': 1, 'blockSize': 4}}, 'info': info()},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2, 6], 'data': [fl(v) for row in w for v in row]}},
    'expect': {
        'outputs': {'codes': {'dtype': 'int4', 'dims': [2, 6], 'data': codes}},
        'value': {'encoding': affine(4, True, True, True, False, scales, [0, 0, 0, 0], 'int4', axis=1, block=4), 'dims': [2, 6]},
    },
})

# 3. uint8 asymmetric activation from a min/max range [-1, 3]: scale = 4 / 255, zp = 0 - rint(-1 / scale) = 64.
s = f32(4.0 / 255)
zp = int(np.clip(0 - np.rint(-1.0 / np.float64(s)), 0, 255))
state = {'kind': 'minmax', 'tensor': 'relu_out', 'momentum': None, 'batches': 2, 'count': 6, 'nonFinite': 0, 'min': -1, 'max': 3,
         'avgMin': 0, 'avgMax': 0, 'zMin': 0, 'zMax': 0}
write('activation-uint8-minmax', {
    'description': 'uint8 asymmetric per-tensor activation encoding from a finalized min/max calibration state',
    'export': 'encodeActivation',
    'options': {
        'options': {}, 'info': info(name='relu_out', role='activation', consumers=[], granularity='per-tensor', axis=None),
        'request': {'observer': 'minmax', 'options': {}, 'finalize': {'bits': 8, 'signed': False, 'symmetric': False, 'narrowRange': False}},
        'state': state,
    },
    'expect': {'outputs': {}, 'value': {'range': {'min': -1, 'max': 3}, 'encoding': affine(8, False, False, False, False, [s], [zp], 'uint8')}},
})

# 4. power-of-two scales: max|w_c| / 127 rounded up to a power of two, per channel.
w = [[1.0, -0.5, 0.26], [0.3, -0.1, 0.0]]
scales = [ceil_pow2(sym_scale(max(abs(f32(v)) for v in row), 127)) for row in w]
codes = [quant(v, scales[r], 0, -127, 127) for r, row in enumerate(w) for v in row]
write('pow2-scales', {
    'description': 'int8 per-channel weights with power-of-two scales (shift-only requantization)',
    'export': 'quantizeWeight',
    'options': {'options': {'weights': {'powerOfTwo': True}}, 'info': info()},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2, 3], 'data': [fl(v) for row in w for v in row]}},
    'expect': {
        'outputs': {'codes': {'dtype': 'int8', 'dims': [2, 3], 'data': codes}},
        'value': {'encoding': affine(8, True, True, True, True, scales, [0, 0], 'int8', axis=0), 'dims': [2, 3]},
    },
})

# 5. int32 bias: scale_c = s_in * s_w[c] (float32 product), zero point 0, codes rint(b / scale_c).
s_in = f32(0.02)
s_w = [f32(0.01), f32(0.005)]
bias = [0.123, -0.0517]
bscale = [f32(s_in * sw) for sw in s_w]
bcodes = [quant(b, bscale[c], 0, -2**31, 2**31 - 1) for c, b in enumerate(bias)]
dep_in = affine(8, False, False, False, False, [s_in], [128], 'uint8')
dep_w = affine(8, True, True, True, False, s_w, [0, 0], 'int8', axis=0)
bias_info = info(name='conv.bias', role='bias', consumers=[{'node': 'conv', 'opType': 'Conv', 'input': 2}], bits=32,
                 dependencies={'input': dep_in, 'weight': dep_w})
write('bias-int32', {
    'description': 'int32 bias with scale = input scale x per-channel weight scale and zero point 0',
    'export': 'quantizeWeight',
    'options': {'options': {}, 'info': bias_info},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2], 'data': [fl(b) for b in bias]}},
    'expect': {
        'outputs': {'codes': {'dtype': 'int32', 'dims': [2], 'data': bcodes}},
        'value': {'encoding': affine(32, True, False, True, False, bscale, [0, 0], 'int32', axis=0), 'dims': [2]},
    },
})

# 6. A bias without its input encoding (dynamic mode has no static input scale) is refused with a code.
no_input = dict(bias_info, dependencies={'weight': dep_w})
write('bias-without-input', {
    'description': 'an int32 bias needs the input encoding; without it the scheme fails with QF_QUANTIZE',
    'export': 'quantizeWeight',
    'options': {'options': {}, 'info': no_input},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2], 'data': [fl(b) for b in bias]}},
    'expect': {'error': {'code': 'QF_QUANTIZE', 'message': 'needs the input encoding'}},
})
print('ok')
