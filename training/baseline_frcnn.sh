#!/usr/bin/env bash
# Equal-budget comparison with the frcnn_mbv3 baseline: configs/train/frcnn_mbv3.yaml (same data, input, crops
# and augmentation as nii_det; ~13 minutes of training on this 2-core CPU), evaluated on the same held-out test set
# as the shipped nii_det, then the latency bench of both trained detectors on the same scans.
# nii_det's validation mAP50 after the same minutes is in runs/nii_det/results.csv (epoch_s, summed).
# Run after training/ship_nii_det.sh:  nohup training/baseline_frcnn.sh > runs/baseline_frcnn.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
NII=.venv/bin/nii
RUN=runs/frcnn_mbv3
export OMP_NUM_THREADS=2
echo "[$(date -u +%FT%TZ)] train"
if [ -f "$RUN/state.pt" ]; then
  $NII -v train --config configs/train/frcnn_mbv3.yaml --out "$RUN" --no-progress --resume
else
  $NII -v train --config configs/train/frcnn_mbv3.yaml --out "$RUN" --no-progress
fi
echo "[$(date -u +%FT%TZ)] evaluate on the held-out test set (seed 303)"
mkdir -p "$RUN/test"
$NII evaluate --model "$RUN/model.pt" --data data/synth/test --out "$RUN/test" --no-progress | tee "$RUN/test/summary.txt"
echo "[$(date -u +%FT%TZ)] bench"
$NII bench detect --data data/synth/test --model runs/nii_det/model.pt --baseline "$RUN/model.pt" --parcels 40 \
  | tee "$RUN/bench_trained_baseline.txt"
echo "[$(date -u +%FT%TZ)] done"
