#!/usr/bin/env bash
# Sets up a fresh machine for Quantforge: the Debian packages the tests and the demo read, then the npm workspace.
# Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Test data: ONNX node tests (golden vectors for every executor op) and Fashion-MNIST (demo evaluation).
debs=(libonnx-testdata dataset-fashion-mnist gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm)
missing=()
for d in "${debs[@]}"; do dpkg -s "$d" >/dev/null 2>&1 || missing+=("$d"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node's postinstall downloads GPU libraries; the CPU library is bundled, so skip it.
# `npm ci` fails against registries that lack other platforms' optional packages, so use `npm install`.
export ONNXRUNTIME_NODE_INSTALL=skip
npm install --no-audit --no-fund
