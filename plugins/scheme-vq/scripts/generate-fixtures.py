#!/usr/bin/env python3
"""Writes the conformance cases of @quantforge/scheme-vq (fixtures/<case>/case.json).

The expected codebooks and codes come from a brute-force reference written here from the algorithm's description,
not from the plugin's code: textbook Lloyd iterations over unsorted values (nearest centroid by squared distance,
first on ties; weighted means), the documented empty-cluster rules, and the documented seeding (core's tensorSeed,
mulberry32, D^2 sampling with a running sum). Run from the package folder: /usr/bin/python3 scripts/generate-fixtures.py
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures')
M32 = 0xFFFFFFFF
BLOCK = 1024  # PLUS_PLUS_BLOCK of the plugin's 1-D k-means++


def u32(x):
    return x & M32


def i32(x):
    return ((x & M32) ^ 0x80000000) - 0x80000000


def imul(a, b):
    return i32(u32(a) * u32(b))


def tensor_seed(seed, name):
    h = u32(0x811C9DC5 ^ u32(seed))
    for ch in name:
        h = u32(imul(h ^ ord(ch), 0x01000193))
    h = u32(h ^ (h >> 16))
    h = u32(imul(h, 0x85EBCA6B))
    return u32(h ^ (h >> 13))


def mulberry32(seed):
    state = [u32(seed)]

    def nxt():
        state[0] = u32(state[0] + 0x6D2B79F5)
        t = state[0]
        t = imul(i32(u32(t) ^ (u32(t) >> 15)), i32(u32(t) | 1))
        t = i32(u32(t) ^ u32(t + imul(i32(u32(t) ^ (u32(t) >> 7)), i32(u32(t) | 61))))
        return u32(t ^ (u32(t) >> 14)) / 4294967296

    return nxt


def f32(x):
    return float(np.float32(x))


def weight_of(v, importance):
    return 1.0 if importance == 'none' else v * v if importance == 'square' else abs(v)


# ---------- scalar k-means ----------

def init_1d(xs, k, init, seed, importance):
    """xs sorted ascending."""
    n = len(xs)
    if init == 'linear':
        lo, hi = xs[0], xs[-1]
        return sorted(lo + ((hi - lo) * j) / (k - 1) for j in range(k))
    rnd = mulberry32(seed)
    ws = [weight_of(v, importance) for v in xs]
    prefix = [0.0]
    for w in ws:
        prefix.append(prefix[-1] + w)
    total = prefix[-1]
    u = rnd()
    if total > 0:
        target = u * total
        first = next(i for i in range(n) if prefix[i + 1] > target or i == n - 1)
    else:
        first = math.floor(u * n)
    c = [xs[first]]
    d2 = [ws[i] * (xs[i] - c[0]) * (xs[i] - c[0]) for i in range(n)]
    while len(c) < k:
        # D^2 sums per block of BLOCK values (each summed in index order), the total summed over blocks in order.
        sums = []
        for b in range(0, n, BLOCK):
            s = 0.0
            for v in d2[b:b + BLOCK]:
                s += v
            sums.append(s)
        total = 0.0
        for s in sums:
            total += s
        if not total > 0:
            c += [c[-1]] * (k - len(c))
            break
        target = rnd() * total
        acc, b = 0.0, 0
        while b < len(sums) and not (acc + sums[b] > target):
            acc += sums[b]
            b += 1
        pick = n - 1
        if b < len(sums):
            end = min(n, (b + 1) * BLOCK)
            pick = end - 1
            for i in range(b * BLOCK, end):
                acc += d2[i]
                if acc > target:
                    pick = i
                    break
        c.append(xs[pick])
        # Every value is compared (the plugin only visits the run between the new centroid's neighbours).
        for i in range(n):
            d = ws[i] * (xs[i] - xs[pick]) * (xs[i] - xs[pick])
            if d < d2[i]:
                d2[i] = d
    return sorted(c)


def nearest(v, cs):
    best, bd = 0, math.inf
    for j, c in enumerate(cs):
        d = (v - c) * (v - c)
        if d < bd:
            best, bd = j, d
    return best


def lloyd_1d(values, k, init, max_iter, seed, importance):
    xs = sorted(float(v) for v in values)
    c = init_1d(xs, k, init, seed, importance)
    prev = None
    for it in range(max_iter + 1):
        labels = [nearest(v, c) for v in xs]
        if prev is not None and labels == prev:
            break
        if it == max_iter:
            break
        new, err = list(c), [-1.0] * k
        empty = []
        for j in range(k):
            members = [v for v, l in zip(xs, labels) if l == j]
            if not members:
                empty.append(j)
                continue
            w = sum(weight_of(v, importance) for v in members)
            m = sum(weight_of(v, importance) * v for v in members) / w if w > 0 else members[0]
            new[j] = min(max(m, members[0]), members[-1])
            err[j] = sum(weight_of(v, importance) * (v - m) ** 2 for v in members) if w > 0 else 0.0
        for j in empty:
            cand = [t for t in range(k) if err[t] > 0]
            if not cand:
                break
            worst = max(cand, key=lambda t: (err[t], -t))
            members = [v for v, l in zip(xs, labels) if l == worst]
            new[j] = members[0] if new[worst] - members[0] >= members[-1] - new[worst] else members[-1]
            err[worst] = 0.0
        c = sorted(new)
        prev = labels
    return [f32(v) for v in c]


# ---------- d-dimensional k-means ----------

def sqdist(p, c):
    s = 0.0
    for a, b in zip(p, c):
        s += (a - b) * (a - b)
    return s


def kmeans_nd(points, k, max_iter, seed):
    n = len(points)
    rnd = mulberry32(seed)
    c = [list(points[math.floor(rnd() * n)])]
    d2 = [sqdist(p, c[0]) for p in points]
    while len(c) < k:
        s = 0.0
        for v in d2:
            s += v
        if not s > 0:
            c += [list(c[-1]) for _ in range(k - len(c))]
            break
        target = rnd() * s
        acc, pick = 0.0, n - 1
        for i in range(n):
            acc += d2[i]
            if acc > target:
                pick = i
                break
        c.append(list(points[pick]))
        d2 = [min(d2[i], sqdist(points[i], c[-1])) for i in range(n)]
    labels = None
    for it in range(max_iter + 1):
        dist, new_labels = [], []
        for p in points:
            j = nearest_nd(p, c)
            new_labels.append(j)
            dist.append(sqdist(p, c[j]))
        if it > 0 and new_labels == labels:
            break
        labels = new_labels
        if it == max_iter:
            break
        taken = list(dist)
        for j in range(k):
            members = [p for p, l in zip(points, labels) if l == j]
            if members:
                sums = [0.0] * len(members[0])
                for p in members:
                    sums = [a + b for a, b in zip(sums, p)]
                c[j] = [s / len(members) for s in sums]
                continue
            cand = [i for i in range(n) if taken[i] > 0]
            if not cand:
                continue
            far = max(cand, key=lambda i: (taken[i], -i))
            c[j] = list(points[far])
            taken[far] = 0.0
    return [[f32(v) for v in row] for row in c]


def nearest_nd(p, cs):
    best, bd = 0, math.inf
    for j, c in enumerate(cs):
        d = sqdist(p, c)
        if d < bd:
            best, bd = j, d
    return best


# ---------- cases ----------

def info(seed=1, bits=4, granularity='per-tensor', axis=None):
    out = {'name': 'w', 'role': 'weight', 'consumers': [{'node': 'conv', 'opType': 'Conv', 'input': 1}], 'bits': bits,
           'granularity': granularity, 'seed': seed, 'dependencies': {}}
    if axis is not None:
        out['axis'] = axis
    return out


KMEANS = {'method': 'kmeans', 'init': 'linear', 'importance': 'none', 'maxIterations': 1000, 'pqDim': 4, 'pqCentroids': 256, 'residual': False}
PQ = {'method': 'pq', 'init': 'kmeans++', 'importance': 'none', 'maxIterations': 25, 'pqDim': 4, 'pqCentroids': 256, 'residual': False}


def tensor_json(dtype, dims, data):
    return {'dtype': dtype, 'dims': list(dims), 'data': [float(v) if dtype.startswith('float') else int(v) for v in data]}


def data(seed, n, laplace_every=5):
    g = np.random.default_rng(seed)
    x = g.standard_normal(n)
    x[::laplace_every] = g.laplace(0, 3, len(x[::laplace_every]))
    return x.astype(np.float32)


def kmeans_case(desc, values, dims, options, seed, channel_axis=None, npy=None):
    bits = options['bits']
    k = 2 ** bits
    x = values.reshape(dims)
    if channel_axis is None:
        rows = x.reshape(1, -1)
        layout = {'rowLength': int(values.size // dims[0]) if len(dims) >= 2 else int(values.size)}
    else:
        rows = np.moveaxis(x, channel_axis, 0).reshape(dims[channel_axis], -1)
        layout = {'rowLength': int(rows.shape[1])}
        if channel_axis != 0:
            layout = {'perm': [channel_axis] + [i for i in range(len(dims)) if i != channel_axis], **layout}
    groups = rows.shape[0]
    stage = lambda vals, name, imp: [lloyd_1d(vals[g], k, options['init'], options['maxIterations'], tensor_seed(seed, f'{name}/{g}'), imp) for g in range(groups)]
    c1 = stage(rows, 'kmeans', options['importance'])
    codes1 = [[nearest(float(v), c1[g]) for v in rows[g]] for g in range(groups)]
    encoding = {'kind': 'codebook', 'k': k, 'groups': int(groups), 'subvectorLength': 1,
                'grouping': 'tensor' if channel_axis is None else 'channel', 'centroids': [v for c in c1 for v in c], 'layout': layout}
    if channel_axis is not None:
        encoding['axis'] = channel_axis
    codes = [i for row in codes1 for i in row]
    stages = 1
    if options['residual']:
        res = np.array([[f32(float(v) - c1[g][codes1[g][i]]) for i, v in enumerate(rows[g])] for g in range(groups)])
        c2 = stage(res, 'kmeans-residual', 'none')
        encoding['residual'] = {'centroids': [v for c in c2 for v in c], 'k': k}
        codes += [nearest(float(res[g][i]), c2[g]) for g in range(groups) for i in range(rows.shape[1])]
        stages = 2
    row_len = layout['rowLength']
    return {
        'description': desc, 'export': 'quantizeWeight',
        'options': {'options': options, 'info': info(seed, bits, 'per-tensor' if channel_axis is None else 'per-channel', channel_axis)},
        'inputs': {'tensor': tensor_json('float32', dims, values) if npy is None else npy},
        'expect': {'outputs': {'codes': tensor_json('uint8', [stages, values.size // row_len, row_len], codes)},
                   'value': {'encoding': encoding, 'dims': list(dims)}},
    }


def pq_case(desc, values, dims, options, seed):
    d, k = options['pqDim'], options['pqCentroids']
    rows = values.reshape(dims[0], -1)
    row_len = rows.shape[1]
    # A row d does not divide is padded with zeros at its end; the padding is not part of the weight.
    pad = -row_len % d
    rows = np.concatenate([rows, np.zeros((rows.shape[0], pad), dtype=rows.dtype)], axis=1)
    groups = rows.shape[1] // d
    books = []
    codes = []
    for g in range(groups):
        pts = [[float(v) for v in rows[r, g * d:(g + 1) * d]] for r in range(rows.shape[0])]
        books.append(kmeans_nd(pts, k, options['maxIterations'], tensor_seed(seed, f'pq/{g}')))
    for r in range(rows.shape[0]):
        for g in range(groups):
            codes.append(nearest_nd([float(v) for v in rows[r, g * d:(g + 1) * d]], books[g]))
    encoding = {'kind': 'codebook', 'k': k, 'groups': groups, 'subvectorLength': d, 'grouping': 'subspace',
                'centroids': [v for book in books for c in book for v in c], 'layout': {'rowLength': int(row_len)}}
    if pad:
        encoding['layout']['pad'] = int(pad)
    return {
        'description': desc, 'export': 'quantizeWeight',
        'options': {'options': options, 'info': info(seed)},
        'inputs': {'tensor': tensor_json('float32', dims, values)},
        'expect': {'outputs': {'codes': tensor_json('uint8', [1, rows.shape[0], groups], codes)}, 'value': {'encoding': encoding, 'dims': list(dims)}},
    }


def error_case(desc, values, dims, options, code, npy=None):
    return {
        'description': desc, 'export': 'quantizeWeight', 'options': {'options': options, 'info': info()},
        'inputs': {'tensor': tensor_json('float32', dims, values) if npy is None else npy}, 'expect': {'error': {'code': code}},
    }


def main():
    cases = {
        'kmeans-linear-per-tensor': kmeans_case('2-bit k-means over a whole [4, 6] weight, linear init, run to convergence',
                                                data(1, 24), [4, 6], {**KMEANS, 'bits': 2}, 7),
        'kmeans-plusplus-per-channel': kmeans_case('3-bit k-means per output channel of a [3, 2, 2, 4] Conv weight, k-means++ seeded by info.seed',
                                                   data(2, 48), [3, 2, 2, 4], {**KMEANS, 'bits': 3, 'perChannel': True, 'init': 'kmeans++'}, 11, 0),
        'kmeans-channel-axis1-square': kmeans_case('2-bit k-means per column of a [10, 3] MatMul weight (axis 1), importance w^2',
                                                   data(3, 30), [10, 3], {**KMEANS, 'bits': 2, 'perChannel': True, 'importance': 'square'}, 5, 1),
        'kmeans-residual': kmeans_case('1-bit k-means with a 1-bit residual stage on a [2, 8] weight',
                                       data(4, 16), [2, 8], {**KMEANS, 'bits': 1, 'residual': True}, 3),
        'kmeans-plusplus-blocks': kmeans_case('3-bit k-means++ over 3000 values (three blocks of D^2 sums), importance |w|, per tensor',
                                              data(7, 3000), [3, 1000], {**KMEANS, 'bits': 3, 'init': 'kmeans++', 'importance': 'magnitude'}, 13,
                                              npy='w.npy'),
        'pq-subspace': pq_case('product quantization of a [12, 4] weight: sub-vectors of 2, 4 centroids per sub-space, k-means++',
                               data(5, 48), [12, 4], {**PQ, 'pqDim': 2, 'pqCentroids': 4}, 9),
        'pq-padded-row': pq_case('rows of 6 values in sub-vectors of 4: the last sub-vector of each row is padded with 2 zeros',
                                 data(6, 60), [10, 6], {**PQ, 'pqDim': 4, 'pqCentroids': 4}, 4),
        'kmeans-nan-weight': error_case('a NaN weight is refused (JSON has no NaN, so the tensor is a .npy file)', None, [4], {**KMEANS, 'bits': 1},
                                        'QF_NAN_WEIGHTS', 'w.npy'),
    }
    os.makedirs(os.path.join(OUT, 'kmeans-plusplus-blocks'), exist_ok=True)
    np.save(os.path.join(OUT, 'kmeans-plusplus-blocks', 'w.npy'), data(7, 3000).reshape(3, 1000))
    os.makedirs(os.path.join(OUT, 'kmeans-nan-weight'), exist_ok=True)
    np.save(os.path.join(OUT, 'kmeans-nan-weight', 'w.npy'), np.array([1, float('nan'), 2, 3], dtype=np.float32))
    for name, case in cases.items():
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, 'case.json'), 'w') as f:
            json.dump(case, f, indent=2, allow_nan=False)
            f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
