"""Train the Fashion-MNIST demo CNN on CPU and export it.

Run with Debian's interpreter:  /usr/bin/python3 examples/fashion-mnist/train/train.py
Writes model/model.onnx (opset 13, input 'input' [N,1,28,28], output 'logits' [N,10]),
model/model.pt (state_dict for the PyTorch PTQ peer) and model/metrics.json."""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # keep the repo free of __pycache__ folders
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist import MODEL_DIR, SEED, FashionCNN, accuracy, load_split, normalize  # noqa: E402

EPOCHS = int(os.environ.get("EPOCHS", "7"))
BATCH = 64
LR = 2e-3


def main():
    parser = argparse.ArgumentParser(description="Train and export the Fashion-MNIST demo CNN.")
    parser.add_argument("--out", default=MODEL_DIR, help="output folder (default: model/)")
    out_dir = parser.parse_args().out
    torch.set_num_threads(2)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)

    train_u8, train_y = load_split("train")
    test_u8, test_y = load_split("t10k")
    train_x = torch.from_numpy(normalize(train_u8))
    train_t = torch.from_numpy(train_y)
    test_x = normalize(test_u8)

    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    # Cosine decay over the whole run: the last epoch settles at a low rate,
    # which buys about a point of accuracy for free.
    steps = EPOCHS * (len(train_x) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)

    start = time.time()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x), generator=gen)
        for i in range(len(train_x) // BATCH):
            idx = order[i * BATCH:(i + 1) * BATCH]
            opt.zero_grad()
            loss = loss_fn(model(train_x[idx]), train_t[idx])
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        acc = accuracy(model, test_x, test_y)
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {loss.item():.4f} test top-1 {acc:.4f} "
              f"({time.time() - start:.1f}s)", flush=True)
    train_seconds = time.time() - start

    model.eval()
    test_acc = accuracy(model, test_x, test_y)
    eval_acc = accuracy(model, test_x[:1000], test_y[:1000])
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, "model.pt"))
    onnx_path = os.path.join(out_dir, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(onnx_path))

    metrics = {
        "dataset": "fashion-mnist",
        "float_top1_test10k": round(test_acc, 4),
        "float_top1_eval1000": round(eval_acc, 4),
        "epochs": EPOCHS,
        "train_seconds": round(train_seconds, 1),
        "normalization": "(x/255 - 0.2860)/0.3530, applied in the data files",
        "seed": SEED,
        "torch": torch.__version__,
    }
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
