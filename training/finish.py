"""End of a run: reload the best weights, choose operating thresholds on validation data, write the final
checkpoint (``model.pt``: thresholds + validation metrics) and the report."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from models.checkpoint import load_checkpoint, save_checkpoint
from training.evaluate import cached_gt
from training.loop import Run, _brief
from training.report import ap_table, model_card, plot_curves, plot_pr, prediction_sheet, write_confusion

log = logging.getLogger(__name__)


def finish(run: Run) -> Path:
    """Writes model.pt and the report into the run folder; returns model.pt's path."""
    out = run.out
    best = out / "best.pt" if (out / "best.pt").is_file() else out / "last.pt"
    run.model.load_state_dict(load_checkpoint(best).state_dict)
    metrics, dets = run.validate()
    cats = run.categories
    gt = cached_gt(run.val_views, cats)
    plot_curves(out / "results.csv", out / "curves.png")
    plot_pr(metrics["pr50"], out / "pr_curves.png")
    write_confusion(gt, dets, cats, metrics["thresholds"], out / "confusion_matrix.png")
    (out / "ap_table.md").write_text(ap_table(metrics, cats) + "\n", encoding="utf-8")
    with open(out / "val_metrics.json", "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=1)
    _sheet(run, dets, metrics["thresholds"], out / "val_predictions.png")
    ck = run.checkpoint({**_brief(metrics), "evaluated_on": "validation"}, metrics["thresholds"])
    path = save_checkpoint(ck, out / "model.pt")
    model_card(
        ck,
        out,
        title=f"{run.cfg.name} {run.cfg.version}",
        notes=[
            "Operating thresholds were chosen on the validation split for the target Pd; the test-set "
            "numbers come from `nii evaluate` on a separately seeded dataset."
        ],
    )
    log.info("final model %s: val mAP50 %.3f", path, metrics["mAP50"])
    return path


def _sheet(run: Run, dets: list[dict[str, Any]], thresholds: dict[str, float], out: Path) -> None:
    n = min(run.cfg.eval.sheet_images, len(run.val_ds))
    if n == 0:
        return
    cats = run.categories
    images, preds, truths = [], [], []
    for i in range(n):
        chans, tgt = run.val_ds[i]
        iid = int(tgt["image_id"])
        images.append(chans[0].numpy() * run.spec.std[0] + run.spec.mean[0])
        truths.append([(cats[int(lab)], b) for b, lab in zip(tgt["boxes"].tolist(), tgt["labels"].tolist())])
        keep = []
        for d in dets:
            name = cats[d["category_id"] - 1]
            if d["image_id"] == iid and d["score"] >= thresholds.get(name, 0.3):
                x, y, w, h = d["bbox"]
                keep.append((name, float(d["score"]), [x, y, x + w, y + h]))
        preds.append(keep)
    prediction_sheet([np.asarray(im) for im in images], preds, truths, out)
