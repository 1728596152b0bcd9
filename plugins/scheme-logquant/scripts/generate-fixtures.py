# Writes the conformance fixtures of scheme-logquant from an independent numpy reference of LogQuant (Miyashita et al.
# 2016): log-domain rounding half away from zero, a zero code, a signed ladder for weights, the fsr from the largest
# magnitude or from a brute-force search over the data (or over the bin centres of a log histogram for activations).
# It follows the formulas in docs/schemes/logquant.md, not the TypeScript under test.
# Run: /usr/bin/python3 scripts/generate-fixtures.py (needs numpy).
import json, os, numpy as np
f32 = np.float32
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures')

def fl(x):
    return float(f32(x))

def rha(v):  # round half away from zero
    return float(np.sign(v) * np.floor(abs(v) + 0.5))

def levels(bits, signed):
    return 2 ** (bits - (1 if signed else 0)) - 1

def fsr_for_max(m, step):
    return step if m <= 0 else step * rha(np.log2(np.float64(m)) / step) + step

def code(x, L, step, min_e, signed):
    a = abs(float(x))
    if a == 0 or (not signed and x < 0):
        return 0
    j = rha((np.log2(a) - min_e) / step)
    c = 0 if j < 0 else int(min(j, L - 1)) + 1
    return -c if signed and x < 0 else c

def value(c, step, min_e):
    return 0.0 if c == 0 else float(np.sign(c)) * 2.0 ** (min_e + (abs(c) - 1) * step)

def sq_error(xs, L, step, fsr, weights=None):
    min_e = fsr - L * step
    err = 0.0
    for i, x in enumerate(xs):
        d = abs(x) - abs(value(code(abs(x), L, step, min_e, False), step, min_e))
        err += (1.0 if weights is None else weights[i]) * d * d
    return err

def search(xs, L, step, top, octaves, weights=None):
    best, best_err = top, sq_error(xs, L, step, top, weights)
    for k in range(1, int(round(octaves / step)) + 1):
        e = sq_error(xs, L, step, top - k * step, weights)
        if e < best_err:
            best, best_err = top - k * step, e
    return best

def log_enc(bits, signed, step, fsr, channel_fsr=None, axis=None):
    e = {'kind': 'log', 'bits': bits, 'signed': signed, 'step': step, 'fsr': fsr, 'minExponent': fsr - levels(bits, signed) * step, 'zeroCode': True}
    if channel_fsr is not None:
        e['channelFsr'] = [fl(v) for v in channel_fsr]
        e['axis'] = axis
    return e

def info(**kw):
    base = {'name': 'w', 'role': 'weight', 'consumers': [{'node': 'conv', 'opType': 'Conv', 'input': 1}], 'bits': 8,
            'granularity': 'per-tensor', 'seed': 1, 'dependencies': {}}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}

def write(name, case):
    os.makedirs(f'{OUT}/{name}', exist_ok=True)
    with open(f'{OUT}/{name}/case.json', 'w') as f:
        json.dump(case, f, indent=2)
        f.write('\n')

def weight_case(name, description, options, w, bits, step, fsr_mode, per_channel=False, plan_bits=8):
    w = np.asarray(w, dtype=f32)
    L = levels(bits, True)
    rows = w if per_channel else w.reshape(1, -1)
    tops = [fsr_for_max(float(np.max(np.abs(r))), step) for r in rows]
    fsrs = [search([float(v) for v in r], L, step, t, 8) if fsr_mode == 'search' else t for r, t in zip(rows, tops)]
    fsr = max(fsrs)
    min_e = fsr - L * step
    codes = []
    for r, cf in zip(rows, fsrs):
        codes += [code(float(v), L, step, min_e + (cf - fsr), True) for v in r]
    enc = log_enc(bits, True, step, fsr, fsrs if per_channel else None, 0 if per_channel else None)
    write(name, {
        'description': description,
        'export': 'quantizeWeight',
        'options': {'options': options, 'info': info(bits=plan_bits)},
        'inputs': {'tensor': {'dtype': 'float32', 'dims': list(w.shape), 'data': [fl(v) for v in w.ravel()]}},
        'expect': {'outputs': {'codes': {'dtype': 'int8', 'dims': list(w.shape), 'data': codes}}, 'value': {'encoding': enc, 'dims': list(w.shape)}},
    })

weight_case('weight-4bit-max', '4-bit signed LogQuant weights (7 levels + zero), fsr from the largest magnitude; zeros stay exact',
            {'bits': 4}, [[0.9, -0.3, 0.0, 0.05], [-0.6, 0.011, 0.2, -0.0009]], 4, 1, 'max')
weight_case('weight-3bit-sqrt2-per-channel', '3-bit base-√2 weights (3 half-octave levels), one fsr per output channel (channelFsr, axis 0); bits from the plan',
            {'base': 'sqrt2', 'perChannel': True}, [[1.0, -1.41, 0.7, 0.2], [0.04, -0.03, 0.021, 0.0]], 3, 0.5, 'max', per_channel=True, plan_bits=3)
rng = np.random.default_rng(7)
lap = rng.laplace(0, 1, 24).astype(f32).reshape(2, 12)
weight_case('weight-2bit-search', '2-bit weights (one level per sign + zero): the fsr with the least squared error over 8 octaves below the max rule',
            {'bits': 2, 'fsr': 'search'}, lap, 2, 1, 'search')

# Activations: min/max calibration, unsigned 4-bit ladder for a ReLU output with max 5.3.
mm_state = {'kind': 'minmax', 'tensor': 'relu_out', 'momentum': None, 'batches': 1, 'count': 8, 'nonFinite': 0, 'min': 0, 'max': 5.3,
            'avgMin': 0, 'avgMax': 0, 'zMin': 0, 'zMax': 0}
act_info = info(name='relu_out', role='activation', consumers=[], bits=4)
finalize = {'bits': 4, 'signed': False, 'symmetric': False, 'narrowRange': False}
write('activation-minmax-4bit', {
    'description': 'unsigned 4-bit activation ladder (15 levels + zero) from a min/max state: top level 2^round(log2 5.3) = 4',
    'export': 'encodeActivation',
    'options': {'options': {}, 'info': act_info, 'request': {'observer': 'minmax', 'options': {}, 'finalize': finalize}, 'state': mm_state},
    'expect': {'outputs': {}, 'value': {'range': {'min': 0, 'max': 5.3}, 'encoding': log_enc(4, False, 1, fsr_for_max(5.3, 1))}},
})

# Activations: fsr searched on a small log histogram (16 bins per octave from 2^-8 over 12 octaves) at 2 bits.
bpo, min_log2, octaves = 16, -8, 12
samples = np.abs(rng.normal(0, 1, 3000)).astype(f32)
samples[::150] *= 30
counts = np.zeros(bpo * octaves)
for s in samples:
    k = int(np.floor((np.log2(np.float64(s)) - min_log2) * bpo))
    counts[min(max(k, 0), len(counts) - 1)] += 1
centres = [2.0 ** (min_log2 + (k + 0.5) / bpo) for k in range(len(counts))]
vmax = float(np.max(samples))
L = levels(2, False)
fsr = search([c if n > 0 else 0.0 for c, n in zip(centres, counts)], L, 1, fsr_for_max(vmax, 1), 8, weights=counts)
lh_state = {'kind': 'log-histogram', 'tensor': 'relu_out', 'binsPerOctave': bpo, 'minLog2': min_log2, 'counts': [float(c) for c in counts],
            'zeros': 0, 'negatives': 0, 'count': int(len(samples)), 'min': fl(np.min(samples)), 'max': fl(vmax), 'nonFinite': 0}
write('activation-log-histogram-search-2bit', {
    'description': 'unsigned 2-bit activation ladder (3 levels + zero) whose fsr is searched on the log histogram (bin centres weighted by counts)',
    'export': 'encodeActivation',
    'options': {'options': {'fsr': 'search', 'activationBits': 2}, 'info': act_info,
                'request': {'observer': 'log-histogram', 'options': {'binsPerOctave': bpo, 'minLog2': min_log2, 'octaves': octaves}, 'finalize': finalize},
                'state': lh_state},
    'expect': {'outputs': {}, 'value': {'range': {'min': fl(np.min(samples)), 'max': fl(vmax)}, 'encoding': log_enc(2, False, 1, fsr)}},
})

write('bias-refused', {
    'description': 'a bias is not a LogQuant tensor: the worker answers QF_QUANTIZE',
    'export': 'quantizeWeight',
    'options': {'options': {}, 'info': info(name='b', role='bias', bits=32)},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2], 'data': [0.5, -0.25]}},
    'expect': {'error': {'code': 'QF_QUANTIZE'}},
})
