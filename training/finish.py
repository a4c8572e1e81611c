"""End of a run: reload the best weights, choose operating thresholds on validation data, write the final
checkpoint (``model.pt``: thresholds + validation metrics) and the report."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from models.backends import measure_backends
from models.checkpoint import load_checkpoint, save_checkpoint
from training.evaluate import cached_gt
from training.loop import Run, _brief
from training.report import ap_table, model_card, plot_curves, plot_pr, prediction_sheet, write_confusion

log = logging.getLogger(__name__)


def finish(run: Run) -> Path:
    """Writes model.pt and the report into the run folder; returns model.pt's path."""
    out = run.out
    best = out / "best.pt" if (out / "best.pt").is_file() else out / "last.pt"
    run.eval_model.load_state_dict(load_checkpoint(best).state_dict)  # the averaged weights when EMA is on
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
    ck.extra.update(choose_backend(run))
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


def choose_backend(run: Run) -> dict[str, Any]:
    """Times eager / TorchScript / ONNX Runtime on validation-sized inputs on this machine and picks the fastest
    faithful one (outputs within 1e-3 of eager) for ``extra['inference_backend']``; the timings are kept."""
    if not run.eval_model.exportable:
        return {"inference_backend": "eager"}
    sizes = sorted({tuple(run.val_ds[i][0].shape[1:]) for i in range(min(4, len(run.val_ds)))})
    timing = measure_backends(run.eval_model, [(int(h), int(w)) for h, w in sizes], repeats=10)
    faithful = {k: v for k, v in timing.items() if v["max_abs_diff"] < 1e-3}
    best = min(faithful, key=lambda k: faithful[k]["median_ms"]) if faithful else "eager"
    log.info("inference backends (median ms): %s -> %s", {k: round(v["median_ms"], 1) for k, v in timing.items()}, best)
    return {"inference_backend": best, "backend_timing": {"sizes": [list(s) for s in sizes], **timing}}


def _sheet(run: Run, dets: list[dict[str, Any]], thresholds: dict[str, float], out: Path) -> None:
    n = min(run.cfg.eval.sheet_images, len(run.val_ds))
    if n == 0:
        return
    cats = run.categories
    images, preds, truths = [], [], []
    for i in range(n):
        chans, tgt = run.val_ds[i]
        iid = int(tgt["image_id"])
        images.append(np.exp(-(chans[0].numpy() * run.spec.std[0] + run.spec.mean[0])))  # transmission
        truths.append([(cats[int(lab)], b) for b, lab in zip(tgt["boxes"].tolist(), tgt["labels"].tolist())])
        keep = []
        for d in dets:
            name = cats[d["category_id"] - 1]
            if d["image_id"] == iid and d["score"] >= thresholds.get(name, 0.3):
                x, y, w, h = d["bbox"]
                keep.append((name, float(d["score"]), [x, y, x + w, y + h]))
        preds.append(keep)
    prediction_sheet([np.asarray(im) for im in images], preds, truths, out)
