# Writes the conformance fixtures of scheme-weighted-entropy from an independent numpy reference of Park et al.'s
# weighted-entropy quantization (CVPR 2017): OPTSEARCH on |w| (importance w², equal-count start, each boundary moved
# to the best place between its neighbours until none moves, representative sqrt(mean importance), sign kept) and
# the activation log-ladder search (steps h/8, exponents on the histogram grid, Park's weighted entropy or the
# squared error), written from docs/schemes/weighted-entropy.md, not from the TypeScript under test.
# Run: /usr/bin/python3 scripts/generate-fixtures.py (needs numpy).
import json, math, os, numpy as np
f32 = np.float32
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures')
MIN_GAIN = 1e-12

def fl(x):
    return float(f32(x))

def entropy_terms(s, a, b):  # -I P ln P of the cluster s[a:b], times n
    n = len(s)
    cnt = b - a
    imp = float(np.sum(np.float64(s[a:b]) ** 2))
    return imp * (math.log(n) - math.log(cnt))

def optsearch(s, clusters):
    n = len(s)
    valid = [i for i in range(1, n) if s[i - 1] < s[i]]
    m = max(1, min(clusters, len(valid) + 1))
    at = [-1] + [0] * (m - 1) + [len(valid)]
    for k in range(1, m):
        target = math.floor(k * n / m + 0.5)
        wanted = next((j for j, p in enumerate(valid) if p >= target), len(valid))
        at[k] = min(max(wanted, at[k - 1] + 1), len(valid) - (m - k))
    pos = lambda k: 0 if k == 0 else n if k == m else valid[at[k]]
    moved = m > 1
    while moved:
        moved = False
        for k in range(1, m):
            left, right = pos(k - 1), pos(k + 1)
            f = lambda c: entropy_terms(s, left, c) + entropy_terms(s, c, right)
            best_at, best = at[k], f(valid[at[k]])
            for j in range(at[k - 1] + 1, at[k + 1]):
                v = f(valid[j])
                if v > best + MIN_GAIN * abs(best):
                    best, best_at = v, j
            if best_at != at[k]:
                at[k], moved = best_at, True
    starts = [pos(k) for k in range(m + 1)]
    reps = [math.sqrt(float(np.mean(np.float64(s[starts[k]:starts[k + 1]]) ** 2))) for k in range(m)]
    reps += [reps[-1]] * (clusters - m)
    return starts, reps

def codebook(w, levels):
    w = np.asarray(w, dtype=f32).ravel()
    zero = levels % 2 == 1
    half = (levels - 1) // 2 if zero else levels // 2
    s = np.sort(np.abs(w))
    starts, reps = optsearch(s, half + 1 if zero else half)
    cents = [0.0] * levels
    if zero:
        for k in range(1, half + 1):
            cents[half + k], cents[half - k] = fl(reps[k]), -fl(reps[k])
    else:
        for k in range(half):
            cents[half + k], cents[half - 1 - k] = fl(reps[k]), -fl(reps[k])
    thresholds = [float(s[starts[k]]) for k in range(len(starts) - 1)]
    idx = []
    for v in w:
        a = abs(float(v))
        k = max(j for j, t in enumerate(thresholds) if a >= t)
        idx.append(half if zero and k == 0 else (half - k if v < 0 else half + k) if zero else (half - 1 - k if v < 0 else half + k))
    return cents, idx

def info(**kw):
    base = {'name': 'w', 'role': 'weight', 'consumers': [{'node': 'gemm', 'opType': 'Gemm', 'input': 1}], 'bits': 8,
            'granularity': 'per-tensor', 'seed': 1, 'dependencies': {}}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}

def write(name, case):
    os.makedirs(f'{OUT}/{name}', exist_ok=True)
    with open(f'{OUT}/{name}/case.json', 'w') as f:
        json.dump(case, f, indent=2)
        f.write('\n')

def weight_case(name, description, options, w, levels, plan=None):
    w = np.asarray(w, dtype=f32)
    cents, idx = codebook(w, levels)
    rows, row = int(w.size // w.shape[-1]), int(w.shape[-1])
    enc = {'kind': 'codebook', 'centroids': cents, 'k': levels, 'groups': 1, 'subvectorLength': 1, 'grouping': 'tensor', 'layout': {'rowLength': row}}
    write(name, {
        'description': description,
        'export': 'quantizeWeight',
        'options': {'options': options, 'info': plan or info()},
        'inputs': {'tensor': {'dtype': 'float32', 'dims': list(w.shape), 'data': [fl(v) for v in w.ravel()]}},
        'expect': {'outputs': {'codes': {'dtype': 'uint8', 'dims': [1, rows, row], 'data': idx}}, 'value': {'encoding': enc, 'dims': list(w.shape)}},
    })

rng = np.random.default_rng(2017)
weight_case('weights-8-levels-laplace', '8 levels (4 magnitude clusters, sign kept) on 64 Laplace weights',
            {'bits': 3}, rng.laplace(0, 0.1, 64).astype(f32).reshape(8, 8), 8)
weight_case('weights-5-levels-with-zero', '5 levels, not a power of two: 3 magnitude clusters, the smallest mapped to an exact 0',
            {'levels': 5}, rng.normal(0, 1, 40).astype(f32).reshape(4, 10), 5)
weight_case('weights-convex-profile', 'convex profile, min 1 / max 3 bits over layers [a, b, c]: the middle layer b gets 1 bit (binary ±r)',
            {'profile': 'convex', 'minBits': 1, 'maxBits': 3, 'layers': ['a', 'b', 'c']}, rng.normal(0, 1, 30).astype(f32).reshape(6, 5), 2,
            plan=info(name='b'))

def park_search(counts, bpo, min_log2, levels, objective):
    nb = len(counts)
    nz = [k for k in range(nb) if counts[k] > 0]
    first, last, total = nz[0], nz[-1], float(sum(counts))
    centre = [2.0 ** (min_log2 + (k + 0.5) / bpo) for k in range(nb)]
    best = None
    for h in range(1, 17):
        if (h * bpo) % 16:
            continue
        sb = h * bpo // 8
        half, step = sb // 2, h / 8
        for m in range(first - half - (levels - 1) * sb, last + 1):
            min_e = min_log2 + m / bpo
            n = [0.0] * levels
            err = 0.0
            for k in range(nb):
                c = counts[k]
                if c == 0:
                    continue
                j = (k - (m - half)) // sb  # the level whose bins [m - half + j·sb, … + sb) hold bin k
                if j < 0:
                    err += c * centre[k] ** 2
                    continue
                j = min(j, levels - 1)
                n[j] += c
                err += c * (centre[k] - 2.0 ** (min_e + j * step)) ** 2
            if objective == 'error':
                score = err
            else:
                score = -sum(2.0 ** (min_e + j * step) * (c / total) * math.log(c / total) for j, c in enumerate(n) if c > 0)
            if best is None or (score < best[0] if objective == 'error' else score > best[0]):
                best = (score, step, min_e)
    return best

def activation_case(name, description, options, samples, bits, objective):
    bpo, min_log2, octaves = 16, -8, 12
    counts = [0.0] * (bpo * octaves)
    zeros = negatives = 0
    for v in samples:
        if v == 0:
            zeros += 1
            continue
        negatives += v < 0
        k = int(math.floor((math.log2(abs(float(v))) - min_log2) * bpo))
        counts[min(max(k, 0), len(counts) - 1)] += 1
    signed = negatives > 0
    levels = 2 ** bits - 1
    _, step, min_e = park_search(counts, bpo, min_log2, levels, objective)
    state = {'kind': 'log-histogram', 'tensor': 'act', 'binsPerOctave': bpo, 'minLog2': min_log2, 'counts': counts, 'zeros': zeros,
             'negatives': int(negatives), 'count': len(samples), 'min': fl(min(samples)), 'max': fl(max(samples)), 'nonFinite': 0}
    enc = {'kind': 'log', 'bits': bits + (1 if signed else 0), 'signed': bool(signed), 'step': step, 'fsr': min_e + levels * step, 'minExponent': min_e, 'zeroCode': True}
    write(name, {
        'description': description,
        'export': 'encodeActivation',
        'options': {'options': options, 'info': info(name='act', role='activation', consumers=[], bits=bits),
                    'request': {'observer': 'log-histogram', 'options': {'binsPerOctave': bpo, 'minLog2': min_log2, 'octaves': octaves},
                                'finalize': {'bits': bits, 'signed': False, 'symmetric': False, 'narrowRange': False}},
                    'state': state},
        'expect': {'outputs': {}, 'value': {'range': {'min': fl(min(samples)), 'max': fl(max(samples))}, 'encoding': enc}},
    })

relu = np.maximum(0, rng.normal(0, 1, 2000)).astype(f32)
activation_case('activation-entropy-3bit', "3-bit unsigned activation ladder (7 levels + 0) maximising Park's weighted entropy on a ReLU log histogram",
                {'activationBits': 3}, [float(v) for v in relu], 3, 'entropy')
signed = rng.laplace(0, 1, 1500).astype(f32)
activation_case('activation-error-2bit-signed', '2 magnitude bits plus a sign bit (negatives were seen): the ladder with the least squared error',
                {'activationBits': 2, 'activationObjective': 'error'}, [float(v) for v in signed], 2, 'error')

write('bias-refused', {
    'description': 'a bias is not a weighted-entropy tensor: the worker answers QF_QUANTIZE',
    'export': 'quantizeWeight',
    'options': {'options': {}, 'info': info(name='b', role='bias', bits=32)},
    'inputs': {'tensor': {'dtype': 'float32', 'dims': [2], 'data': [0.5, -0.25]}},
    'expect': {'error': {'code': 'QF_QUANTIZE'}},
})
