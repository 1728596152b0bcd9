"""Regenerate the committed data slices (deterministic, a few seconds).

  data/calib/input.npy   float32 [256,1,28,28]  training images at fmnist.calib_indices()
  data/calib/labels.npy  int64   [256]
  data/calib/indices.npy int64   [256]          which training images they are
  data/eval/input.npy    float32 [1000,1,28,28] the first 1000 test images
  data/eval/labels.npy   int64   [1000]

Inputs are already normalized with (x/255 - 0.2860)/0.3530."""
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the repo free of __pycache__ folders
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist import EVAL_COUNT, EXAMPLE_DIR, calib_indices, load_split, normalize  # noqa: E402


def save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # np.save writes a version-1.0 header with C order: byte-stable across runs.
    np.save(path, np.ascontiguousarray(array))


def main():
    data_dir = os.path.join(EXAMPLE_DIR, "data")
    train_u8, train_y = load_split("train")
    test_u8, test_y = load_split("t10k")

    idx = calib_indices().astype(np.int64)
    save(os.path.join(data_dir, "calib", "input.npy"), normalize(train_u8[idx]))
    save(os.path.join(data_dir, "calib", "labels.npy"), train_y[idx])
    save(os.path.join(data_dir, "calib", "indices.npy"), idx)

    save(os.path.join(data_dir, "eval", "input.npy"), normalize(test_u8[:EVAL_COUNT]))
    save(os.path.join(data_dir, "eval", "labels.npy"), test_y[:EVAL_COUNT])
    print(f"wrote {len(idx)} calibration and {EVAL_COUNT} evaluation samples to {data_dir}")


if __name__ == "__main__":
    main()
