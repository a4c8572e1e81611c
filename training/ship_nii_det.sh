#!/usr/bin/env bash
# Produces the shipped detector on this machine (2 CPU cores), resumable step by step:
#   1. simulator data: four training shards + validation + a test set whose seed is never used for training
#   2. nii train, stage 1 (configs/train/nii_det.yaml) -> runs/nii_det, then stage 2, continuing from it with
#      threat image projection (configs/train/nii_det_stage2.yaml) -> runs/nii_det_s2, then stage 3 (hard
#      negatives projected too, display exports; configs/train/nii_det_stage3.yaml) -> runs/nii_det_s3, then
#      stage 4 (configs/train/nii_det_stage4.yaml, a new cosine cycle, look-alike clutter projected) ->
#      runs/nii_det_s4, here from stage 3's run (the recipe names the file that was shipped when it ran), then
#      stage 5 (configs/train/nii_det_stage5.yaml: knife drawn more often, side-view patches) -> runs/nii_det_s5,
#      then stage 6 (configs/train/nii_det_stage6.yaml: side views drawn more often, more side-view patches) ->
#      runs/nii_det_s6, then stage 7 (configs/train/nii_det_stage7.yaml: the corrected simulator's data in
#      data/synth2, more look-alike negatives) -> runs/nii_det_s7, then stage 8 (configs/train/nii_det_stage8.yaml:
#      two more shards, more look-alikes) -> runs/nii_det_s8, then stage 9 (configs/train/nii_det_stage9.yaml: more
#      display exports) -> runs/nii_det_s9, then stage 10 (configs/train/nii_det_stage10.yaml: stage 9 grown to
#      deeper stages, its new blocks starting as identities) -> runs/nii_det_s10; each resumes when re-run
#   3. operating thresholds and cross-view confirmation chosen again on validation plus a calibration set (seed 204,
#      never used in training) through the shipped inference path (nii evaluate --calibrate), nii evaluate on the test set (metrics recorded in the checkpoint) and its
#      stress tests, nii bench detect
#   4. copies model.pt + model card to models/weights/ (committing them is left to a person)
# Run:  nohup training/ship_nii_det.sh > runs/ship_nii_det.log 2>&1 &
# data/synth (stages 1-6) was rendered before commit 9f5eac6 fixed the simulator's prism fill (edges a pixel too
# wide, holes where pieces overlap: docs/simulator.md); run step 1 from commit 5d708e5 to get those exact sets (this
# script renders them with the corrected simulator, so stages 1-6 will differ from the shipped model's history).
# data/synth2 (stages 7-10, validation, calibration and test) is the corrected simulator's.
set -euo pipefail
cd "$(dirname "$0")/.."
NII=.venv/bin/nii
D=data/synth
D2=data/synth2        # stages 7-10: the corrected simulator; validation and test of the same seeds
RUN=runs/nii_det_s10  # the shipped run (stage 10)
mkdir -p "$D" "$D2" runs
export OMP_NUM_THREADS=2

synth() {  # parcels seed out
  if [ ! -f "$3/annotations.json" ]; then
    rm -rf "$3"
    $NII synth --parcels "$1" --seed "$2" --out "$3" --quiet
  fi
}

echo "[$(date -u +%FT%TZ)] data"
(synth 1200 101 "$D/train_a"; synth 1000 103 "$D/train_103"; synth 250 202 "$D/val") &
(synth 1200 102 "$D/train_b"; synth 1000 104 "$D/train_104"; synth 400 303 "$D/test") &
wait
(synth 1100 105 "$D2/train_105"; synth 1100 106 "$D2/train_106"; synth 250 202 "$D2/val") &
(synth 1100 107 "$D2/train_107"; synth 1100 108 "$D2/train_108"; synth 400 303 "$D2/test") &
wait
(synth 1100 109 "$D2/train_109"; synth 500 204 "$D2/calib") &
(synth 1100 110 "$D2/train_110") &
wait

train() {  # recipe run-folder [--set KEY=VALUE ...]
  local recipe=$1 out=$2
  shift 2
  if [ -f "$out/model.pt" ]; then
    echo "$out is trained"
  elif [ -f "$out/state.pt" ]; then
    $NII -v train --config "$recipe" --out "$out" --no-progress --resume "$@"
  else
    $NII -v train --config "$recipe" --out "$out" --no-progress "$@"
  fi
}

echo "[$(date -u +%FT%TZ)] train, stage 1"
train configs/train/nii_det.yaml runs/nii_det
echo "[$(date -u +%FT%TZ)] train, stage 2 (from runs/nii_det/model.pt)"
train configs/train/nii_det_stage2.yaml runs/nii_det_s2
echo "[$(date -u +%FT%TZ)] train, stage 3 (from runs/nii_det_s2/model.pt)"
train configs/train/nii_det_stage3.yaml runs/nii_det_s3
echo "[$(date -u +%FT%TZ)] train, stage 4 (from runs/nii_det_s3/model.pt)"
train configs/train/nii_det_stage4.yaml runs/nii_det_s4 --set model.init_from=runs/nii_det_s3/model.pt
echo "[$(date -u +%FT%TZ)] train, stage 5 (from runs/nii_det_s4/model.pt)"
train configs/train/nii_det_stage5.yaml runs/nii_det_s5
echo "[$(date -u +%FT%TZ)] train, stage 6 (from runs/nii_det_s5/model.pt)"
train configs/train/nii_det_stage6.yaml runs/nii_det_s6
echo "[$(date -u +%FT%TZ)] train, stage 7 (from runs/nii_det_s6/model.pt)"
train configs/train/nii_det_stage7.yaml runs/nii_det_s7
echo "[$(date -u +%FT%TZ)] train, stage 8 (from runs/nii_det_s7/model.pt)"
train configs/train/nii_det_stage8.yaml runs/nii_det_s8
echo "[$(date -u +%FT%TZ)] train, stage 9 (from runs/nii_det_s8/model.pt)"
train configs/train/nii_det_stage9.yaml runs/nii_det_s9
echo "[$(date -u +%FT%TZ)] train, stage 10 (runs/nii_det_s9/model.pt grown deeper)"
train configs/train/nii_det_stage10.yaml "$RUN"

echo "[$(date -u +%FT%TZ)] operating thresholds on validation, through the shipped inference path"
[ -f "$RUN/model_finish.pt" ] || cp "$RUN/model.pt" "$RUN/model_finish.pt"
$NII evaluate --model "$RUN/model_finish.pt" --data "$D2/val" --data "$D2/calib" --calibrate "$RUN/model.pt" \
  --no-progress

echo "[$(date -u +%FT%TZ)] evaluate on the held-out test set (seed 303)"
mkdir -p "$RUN/test"
$NII evaluate --model "$RUN/model.pt" --data "$D2/test" --out "$RUN/test" --record --no-progress | tee "$RUN/test/summary.txt"
for s in single_energy export8 no_spacing blur low_dose display; do
  $NII evaluate --model "$RUN/model.pt" --data "$D2/test" --stress "$s" --record --no-progress | tail -2
done
$NII evaluate --model "$RUN/model.pt" --data "$D2/test" --stress display --stress no_spacing --record --no-progress | tail -2

echo "[$(date -u +%FT%TZ)] bench"
$NII bench detect --data "$D2/test" --model "$RUN/model.pt" --parcels 40 --backends | tee "$RUN/bench.txt"

mkdir -p models/weights
cp "$RUN/model.pt" models/weights/nii_det.pt
cp "$RUN/MODEL_CARD.md" models/weights/MODEL_CARD.md
cp "$RUN/model_card.json" models/weights/model_card.json
echo "[$(date -u +%FT%TZ)] done: models/weights/nii_det.pt"
