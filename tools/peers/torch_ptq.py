"""PyTorch peer for the Fashion-MNIST demo: eager-mode post-training static
quantization of the same network Quantforge quantizes, on the same data.

  /usr/bin/python3 tools/peers/torch_ptq.py [--engine onednn|qnnpack] [--out FILE]

Loads examples/fashion-mnist/model/model.pt, calibrates on the committed
256-image calibration slice, evaluates float and int8 top-1 on the full 10k
Fashion-MNIST test set (Debian path) and on the committed 1000-image eval slice,
and prints one JSON object (also written to --out). There is no fbgemm in
Debian's torch 1.13, so the engine is onednn (x86) or qnnpack."""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch
from torch.ao import quantization as tq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "fashion-mnist")
sys.dont_write_bytecode = True  # keep the repo free of __pycache__ folders
sys.path.insert(0, os.path.join(EXAMPLE, "train"))
from fmnist import FashionCNN, accuracy, load_split, normalize  # noqa: E402

CALIB_BATCH = 64
# Module groups fused before observation, so ReLU is folded into the
# preceding op's output range exactly as an int8 runtime executes it.
FUSE = [["conv1", "relu1"], ["conv2", "relu2"], ["fc1", "relu3"]]


def describe_qconfig(qconfig):
    """Human-readable observer description (the repr holds the full settings)."""
    act = qconfig.activation()
    wt = qconfig.weight()
    return {
        "activation": f"{type(act).__name__} dtype={act.dtype} qscheme={act.qscheme} "
                      f"reduce_range={getattr(act, 'reduce_range', None)}",
        "weight": f"{type(wt).__name__} dtype={wt.dtype} qscheme={wt.qscheme}",
    }


def quantize(float_model, engine, calib_x):
    """Fuse, prepare, calibrate, convert; returns (int8 model, calib seconds, total seconds)."""
    t0 = time.perf_counter()
    model = tq.QuantWrapper(copy.deepcopy(float_model)).eval()
    tq.fuse_modules(model.module, FUSE, inplace=True)
    model.qconfig = tq.get_default_qconfig(engine)
    tq.prepare(model, inplace=True)
    t1 = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(calib_x), CALIB_BATCH):
            model(torch.from_numpy(calib_x[i:i + CALIB_BATCH]))
    t2 = time.perf_counter()
    tq.convert(model, inplace=True)
    t3 = time.perf_counter()
    return model, t2 - t1, t3 - t0


def agreement(a, b, x, batch=1000):
    """Fraction of samples on which two models pick the same class."""
    same = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(x[i:i + batch])
            same += int((a(xb).argmax(1) == b(xb).argmax(1)).sum())
    return same / len(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="onednn", choices=["onednn", "qnnpack"])
    parser.add_argument("--out", default=None, help="also write the JSON here")
    args = parser.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(0)
    if args.engine not in torch.backends.quantized.supported_engines:
        sys.exit(f"engine {args.engine} not in {torch.backends.quantized.supported_engines}")
    torch.backends.quantized.engine = args.engine

    float_model = FashionCNN()
    float_model.load_state_dict(torch.load(os.path.join(EXAMPLE, "model", "model.pt")))
    float_model.eval()

    calib_x = np.load(os.path.join(EXAMPLE, "data", "calib", "input.npy"))
    eval_x = np.load(os.path.join(EXAMPLE, "data", "eval", "input.npy"))
    eval_y = np.load(os.path.join(EXAMPLE, "data", "eval", "labels.npy"))
    test_u8, test_y = load_split("t10k")
    test_x = normalize(test_u8)

    int8_model, calib_s, total_s = quantize(float_model, args.engine, calib_x)

    t0 = time.perf_counter()
    int8_test = accuracy(int8_model, test_x, test_y)
    int8_eval_s = time.perf_counter() - t0
    result = {
        "peer": "pytorch-eager-ptq",
        "model": "examples/fashion-mnist/model/model.pt",
        "torch": torch.__version__,
        "engine": args.engine,
        "qconfig": describe_qconfig(tq.get_default_qconfig(args.engine)),
        "fused": ["+".join(g) for g in FUSE],
        "calibration_samples": int(len(calib_x)),
        "float_top1_test10k": round(accuracy(float_model, test_x, test_y), 4),
        "int8_top1_test10k": round(int8_test, 4),
        "float_top1_eval1000": round(accuracy(float_model, eval_x, eval_y), 4),
        "int8_top1_eval1000": round(accuracy(int8_model, eval_x, eval_y), 4),
        "top1_agreement_test10k": round(agreement(float_model, int8_model, test_x), 4),
        "calibration_seconds": round(calib_s, 3),
        "quantize_total_seconds": round(total_s, 3),
        "int8_eval_test10k_seconds": round(int8_eval_s, 3),
        "threads": torch.get_num_threads(),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
