#!/usr/bin/env python3
"""scikit-learn's KMeans on the 1-D weights in an .npy file: the peer of tools/bench/kmeans.mjs.

Usage: /usr/bin/python3 tools/bench/kmeans_sklearn.py <weights.npy> [k] [seed]
Fits KMeans(n_clusters=k, init='k-means++', n_init=1, default tol and max_iter) on the values as one feature and prints
one JSON line: fit seconds (time.perf_counter around fit only), iterations, inertia, centroids, versions, threads.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info


def main():
    path = sys.argv[1]
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    x = np.load(path).reshape(-1, 1)
    model = KMeans(n_clusters=k, init='k-means++', n_init=1, random_state=seed)
    start = time.perf_counter()
    model.fit(x)
    seconds = time.perf_counter() - start
    threads = max((p.get('num_threads', 1) for p in threadpool_info() if p.get('user_api') == 'openmp'), default=1)
    print(json.dumps({
        'seconds': seconds, 'iterations': int(model.n_iter_), 'inertia': float(model.inertia_),
        'centroids': [float(c) for c in model.cluster_centers_.ravel()], 'dtype': str(x.dtype),
        'sklearn': sklearn.__version__, 'numpy': np.__version__, 'openmpThreads': int(threads),
    }))


if __name__ == '__main__':
    main()
