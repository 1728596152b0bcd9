"""Shared pieces of the Fashion-MNIST demo: the network, the IDX reader and the
input normalization. train.py, make_data.py and tools/peers/torch_ptq.py all
import this file so that the three agree on exactly one definition."""
import gzip
import os

import numpy as np
import torch
from torch import nn

DATA_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE_DIR = os.path.dirname(HERE)
MODEL_DIR = os.path.join(EXAMPLE_DIR, "model")

# Per-pixel statistics of the Fashion-MNIST training set after x/255. The
# normalization lives in the data files, not in the graph, so every consumer
# (Node or Python) feeds the model the same floats.
MEAN = 0.2860
STD = 0.3530

# Seed for the training run and for the calibration-slice permutation.
SEED = 20261201
CALIB_COUNT = 256
EVAL_COUNT = 1000


def read_idx(path):
    """Decode a gzipped big-endian IDX file (images: [N,28,28] uint8, labels: [N] uint8)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(split):
    """split is 'train' or 't10k'; returns (uint8 images [N,28,28], int64 labels [N])."""
    images = read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


def normalize(images_u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28] with (x/255 - MEAN)/STD."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x.reshape(-1, 1, 28, 28).astype(np.float32)


def calib_indices():
    """Fixed training-set indices of the calibration slice (seeded permutation)."""
    return np.random.default_rng(SEED).permutation(60000)[:CALIB_COUNT]


class FashionCNN(nn.Module):
    """Two conv blocks and a two-layer classifier head.

    ReLUs are separate modules (not F.relu) so that PyTorch eager-mode
    quantization can fuse Conv+ReLU / Linear+ReLU by module name."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(32 * 5 * 5, 64)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.flatten(x)
        return self.fc2(self.relu3(self.fc1(x)))


def accuracy(model, x, y, batch=1000):
    """Top-1 accuracy of model on float32 inputs x and int64 labels y."""
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)
