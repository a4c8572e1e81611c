#!/usr/bin/env bash
# The frcnn_mbv3 baseline at the same data, input, crops and wall-clock budget as the shipped nii_det
# (configs/train/frcnn_mbv3.yaml), evaluated on the same held-out test set, and the latency bench of both.
# Run after training/ship_nii_det.sh:  nohup training/baseline_frcnn.sh > runs/baseline_frcnn.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
NII=.venv/bin/nii
RUN=runs/frcnn_mbv3
if [ -f "$RUN/state.pt" ]; then
  $NII -v train --config configs/train/frcnn_mbv3.yaml --out "$RUN" --no-progress --resume
else
  $NII -v train --config configs/train/frcnn_mbv3.yaml --out "$RUN" --no-progress
fi
mkdir -p "$RUN/test"
$NII evaluate --model "$RUN/model.pt" --data data/synth/test --out "$RUN/test" --no-progress | tee "$RUN/test/summary.txt"
$NII bench detect --data data/synth/test --model runs/nii_det/model.pt --baseline "$RUN/model.pt" --parcels 40 \
  | tee "$RUN/bench_trained_baseline.txt"
