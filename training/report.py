"""A run's report: loss / metric curves, PR curves, confusion matrix, per-category AP table, a sheet of validation
predictions and the model card (markdown + JSON). Plots are matplotlib PNGs (Agg backend, no display)."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from models.checkpoint import Checkpoint
from training.metrics import confusion_matrix


def plot_curves(results_csv: Path, out: Path) -> Path:
    """Training losses and validation metrics per epoch from results.csv."""
    with open(results_csv, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    ep = [int(r["epoch"]) for r in rows]
    for k in rows[0] if rows else []:
        vals = [float(r[k]) if r.get(k) not in (None, "", "nan") else np.nan for r in rows]
        if k.startswith("train/"):
            a.plot(ep, vals, marker="o", label=k[6:])
        elif k.startswith("val/"):
            b.plot(ep, vals, marker="o", label=k[4:])
    a.set(xlabel="epoch", ylabel="loss", title="training losses")
    b.set(xlabel="epoch", ylim=(0, 1), title="validation")
    for ax in (a, b):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_pr(pr50: dict[str, dict[str, list[float]]], out: Path) -> Path:
    """Precision-recall curves at IoU 0.5, one line per category."""
    fig, ax = plt.subplots(figsize=(7, 6))
    for name, c in sorted(pr50.items()):
        ax.plot(c["recall"], c["precision"], label=name, lw=1.2)
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02), title="PR at IoU 0.5")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_confusion(m: np.ndarray, categories: Sequence[str], out: Path) -> Path:
    """Confusion matrix (training.metrics.confusion_matrix), rows normalised, with counts."""
    labels = [*categories, "background"]
    norm = m / np.maximum(m.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(10, 9))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), [*categories, "missed"], rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set(xlabel="predicted", ylabel="true")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if m[i, j]:
                ax.text(
                    j,
                    i,
                    str(m[i, j]),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if norm[i, j] > 0.5 else "black",
                )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def data_label(metrics: Mapping[str, Any]) -> str:
    """The folder(s) metrics were measured on (``nii evaluate --data``, repeatable), for a heading."""
    data = metrics.get("data", "?")
    return " + ".join(str(d) for d in data) if isinstance(data, list) else str(data)


def on_validation(ckpt: Checkpoint, metrics: Mapping[str, Any]) -> bool:
    """Whether metrics were measured on the checkpoint's validation set alone."""
    data, val = metrics.get("data"), ckpt.dataset.get("val")
    folders = data if isinstance(data, list) else [data]
    return bool(val) and [Path(str(d)).resolve() for d in folders] == [Path(str(val)).resolve()]


def ap_table(metrics: dict[str, Any], categories: Sequence[str]) -> str:
    """Markdown table: category, number of boxes, AP50, AP50:95, operating threshold."""
    lines = ["| category | boxes | AP50 | AP50:95 | threshold |", "|---|---:|---:|---:|---:|"]
    for c in categories:
        p = metrics["per_category"].get(c)
        thr = metrics.get("thresholds", {}).get(c, float("nan"))
        if p is None:
            lines.append(f"| {c} | 0 | - | - | {thr:.3f} |")
        else:
            lines.append(f"| {c} | {p['n_gt']} | {p['AP50']:.3f} | {p['AP50_95']:.3f} | {thr:.3f} |")
    lines.append(f"| **all** | | **{metrics['mAP50']:.3f}** | **{metrics['mAP50_95']:.3f}** | |")
    return "\n".join(lines)


def prediction_sheet(
    images: Sequence[np.ndarray],
    preds: Sequence[list[tuple[str, float, list[float]]]],
    truths: Sequence[list[tuple[str, list[float]]]],
    out: Path,
    cols: int = 4,
) -> Path:
    """A grid of views (high-energy transmission I/I0 in [0, 1], shown grey like a scanner's image) with ground
    truth (green) and predictions above threshold (red)."""
    n = len(images)
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 4 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, pr, tr in zip(axes.ravel(), images, preds, truths):
        ax.imshow(img, cmap="gray", vmin=0, vmax=1)
        for _name, b in tr:
            ax.add_patch(plt.Rectangle((b[0], b[1]), b[2] - b[0], b[3] - b[1], fill=False, ec="lime", lw=1))
        for name, s, b in pr:
            ax.add_patch(plt.Rectangle((b[0], b[1]), b[2] - b[0], b[3] - b[1], fill=False, ec="red", lw=1))
            ax.text(b[0], b[1], f"{name} {s:.2f}", color="red", fontsize=6, va="bottom")
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def model_card(ckpt: Checkpoint, out_dir: Path, *, title: str, notes: Sequence[str] = ()) -> tuple[Path, Path]:
    """MODEL_CARD.md and model_card.json describing the checkpoint: architecture, data, input, metrics,
    thresholds, intended use and limitations."""
    desc = ckpt.describe()
    m = ckpt.metrics
    card_json = out_dir / "model_card.json"
    with open(card_json, "w", encoding="utf-8") as f:
        json.dump(desc, f, indent=2, default=str)
    lines = [
        f"# {title}",
        "",
        f"- architecture: `{ckpt.arch}` ({desc['parameters']:,} parameters), config `{json.dumps(ckpt.arch_config)}`",
        f"- version: {ckpt.version}; created {desc['created']}",
        f"- input: channels {list(ckpt.input.channels)} at {ckpt.input.mm_per_px} mm/pixel, "
        f"mean {list(ckpt.input.mean)}, std {list(ckpt.input.std)}",
        f"- categories (class order): {', '.join(ckpt.categories)}",
        f"- training data: {json.dumps(ckpt.dataset)}",
        "",
        "## Intended use",
        "Finding parcel contents (taxonomy categories) in dual- or single-energy line-scanner X-ray views, as one "
        "input to customs risk assessment, with an officer reviewing every held parcel. Not a certified explosive "
        "or weapon detection system.",
        "",
        "## Metrics",
        "",
    ]
    if "mAP50" in m:
        lines.append(ap_table(m, ckpt.categories))
        if by_view := view_line(m):
            lines += ["", by_view]
        pro = m.get("prohibited", {})
        if pro:
            lines += [
                "",
                f"Prohibited group, per parcel at the thresholds above: {pd_pfa_line(pro)}.",
            ]
    for k in ("evaluated_on", "latency_ms"):
        if k in m:
            lines += ["", f"{k}: `{json.dumps(m[k])}`"]
    calibration = m.get("calibration")
    if isinstance(calibration, dict) and "mAP50" in calibration and not on_validation(ckpt, calibration):
        # calibrated on other data than the validation set alone: the operating thresholds are these
        lines += [
            "",
            f"## Operating thresholds (`nii evaluate --calibrate` on {data_label(calibration)}, "
            f"{calibration.get('n_parcels')} parcels)",
            "",
            ap_table(calibration, ckpt.categories),
        ]
        if pro := calibration.get("prohibited"):
            lines += ["", f"Prohibited group, per parcel: {pd_pfa_line(pro)}."]
        if "mAP50" in m:
            lines += ["", "The validation table above shows the thresholds chosen during training."]
    test = m.get("test")
    if isinstance(test, dict) and "mAP50" in test:
        lines += [
            "",
            f"## Test set ({data_label(test)}, {test.get('n_parcels')} parcels, never used in training)",
            "",
            ap_table(test, ckpt.categories),
        ]
        if by_view := view_line(test):
            lines += ["", by_view]
        pro = test.get("prohibited") or {}
        if pro:
            lines += [
                "",
                f"Prohibited group, per parcel: {pd_pfa_line(pro)}.",
            ]
    stress = m.get("stress")
    if isinstance(stress, dict) and stress:
        base = test.get("mAP50") if isinstance(test, dict) else None
        lines += [
            "",
            "## Stress tests (`nii evaluate --stress NAME`, training/stress.py)",
            "",
            "| stress | parcels | mAP50 | mAP50:95 | firearm | knife | prohibited Pd / Pfa |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        if base is not None and isinstance(test, dict):
            lines.append(_stress_row("none (test set)", test))
        for name, sm in stress.items():
            if isinstance(sm, dict) and "mAP50" in sm:
                lines.append(_stress_row(name, sm))
    if isinstance(calibration, dict) and (line := cross_view_line(calibration)):
        lines += ["", f"{line} Calibrated on {data_label(calibration)}; models/crossview.py says how."]
    if "backend_timing" in ckpt.extra:
        lines += [
            "",
            f"Inference backend: {ckpt.extra.get('inference_backend')} (median ms per forward pass "
            f"measured at training time: "
            + ", ".join(
                f"{k} {v['median_ms']:.1f}" for k, v in ckpt.extra["backend_timing"].items() if isinstance(v, dict)
            )
            + ").",
        ]
    lines += _how_made(ckpt)
    lines += [
        "",
        "## Limitations",
        "",
        "- Trained on synthetic parcels from the NII simulator only; accuracy on real scanner images is unknown.",
        *[f"- {n}" for n in notes],
    ]
    card_md = out_dir / "MODEL_CARD.md"
    card_md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return card_md, card_json


def _how_made(ckpt: Checkpoint) -> list[str]:
    """The recipe and the run, from what the checkpoint recorded (so a rewritten card keeps them)."""
    tc = ckpt.train_config or {}
    if not tc:
        return []
    t, name = tc.get("train") or {}, tc.get("name", ckpt.arch)
    keys = ("epochs", "batch_size", "lr", "crop", "max_minutes", "bf16_cpu", "ema_decay", "seed")
    recipe = recipe_of(tc)
    where = (
        f"Recipe `{recipe}` (resolved copy in the checkpoint's `train_config`): `nii train --config {recipe}`"
        if recipe
        else "Recipe: the resolved copy in the checkpoint's `train_config` (no file under configs/train matches it)"
    )
    lines = [
        "",
        "## How it was made",
        "",
        f"- {where}; " + ", ".join(f"{k} {json.dumps(t[k])}" for k in keys if k in t) + ".",
        f"- Epochs trained: {ckpt.extra.get('epoch', '?')} (the best on validation mAP50 is the one kept).",
    ]
    init = (tc.get("model") or {}).get("init_from")
    if init:
        lines.append(f"- Started from the weights of `{init}` (an earlier stage; its own card says how it was made).")
    grown = ckpt.extra.get("grown")
    if grown:
        changes = [f"{k} {grown['from'][k]} -> {grown['to'][k]}" for k in grown["to"]]
        lines.append(
            f"- Grown from the starting weights: {', '.join(changes)} ({grown['blocks_added']} residual blocks added "
            f"as identities, {grown['tensors_widened']} tensors widened with new channels unseen; models.layers."
            "load_grown), so training started from what they computed."
        )
    if t.get("view_repeat"):
        reps = ", ".join(f"view {v} ({VIEW_NAMES.get(str(v), '?')}) x{f:g}" for v, f in t["view_repeat"].items())
        lines.append(f"- Views drawn more often per epoch (training.data.RepeatFactorSampler): {reps}.")
    if t.get("tip_p"):
        lines.append(
            f"- Threat image projection (training/tip.py): {', '.join(t.get('tip_categories', []))} from the "
            f"simulator's object library added into a share {t['tip_p']} of the training views "
            f"(up to {t.get('tip_max', 1)} each, {t.get('tip_bank', '?')} rendered patches per category)"
            + (
                f"; unannotated look-alikes ({', '.join(t['tip_negatives'])}) projected too, without a box."
                if t.get("tip_negatives")
                else "."
            )
        )
        if t.get("tip_side_share"):
            lines.append(
                f"- A share {t['tip_side_share']} of the projected patches is seen as a dual-view scanner's side view "
                "sees the object (flat objects edge-on)."
            )
        if t.get("tip_weights"):
            drawn = ", ".join(f"{k} x{v:g}" for k, v in t["tip_weights"].items())
            lines.append(f"- Drawn more or less often than the other projected kinds: {drawn}.")
    if name == "nii_det":
        lines.append(
            "- Whole pipeline (simulated data from fixed seeds, training, test evaluation, bench): "
            "`training/ship_nii_det.sh`; the test set's seed is never used for training or thresholds."
        )
    return lines


def recipe_of(train_config: dict[str, Any], folder: Path = Path("configs/train")) -> str | None:
    """The recipe file under ``folder`` whose resolved config is ``train_config`` (None: none, e.g. after --set)."""
    from nii.errors import ConfigError
    from training.config import load_config, parse_config

    try:  # fields added to the recipe format since the checkpoint was made take their defaults
        made = parse_config(train_config).model_dump(mode="json")
    except ConfigError:
        return None
    for path in sorted(folder.glob("*.yaml")):
        try:
            if load_config(path).model_dump(mode="json") == made:
                return path.as_posix()
        except ConfigError:
            continue
    return None


VIEW_NAMES = {"0": "top", "1": "side"}


def view_line(m: dict[str, Any]) -> str | None:
    """One line of mAP50 (and firearm / knife AP50) per view index of ``m["by_view"]``, None without it."""
    by = m.get("by_view") or {}
    if not by:
        return None
    parts = []
    for v, vm in by.items():
        ap = vm.get("AP50") or {}
        extra = "".join(f", {c} {ap[c]:.3f}" for c in ("firearm", "knife") if c in ap)
        name = f" ({VIEW_NAMES[v]})" if v in VIEW_NAMES else ""
        parts.append(f"view {v}{name} mAP50 {vm['mAP50']:.3f} over {vm['n_images']} images{extra}")
    return "By view: " + "; ".join(parts) + "."


def cross_view_line(m: dict[str, Any]) -> str | None:
    """How the views of a dual-view parcel confirmed each other's detections in ``m`` (models.crossview), with
    the mAP50 and Pfa of each setting where ``nii evaluate --calibrate`` chose it; None when ``m`` does not say."""
    if "cross_view" not in m:
        return None
    cv = m["cross_view"]
    line = (
        f"Cross-view confirmation: a detection no other view sees at the same belt columns (overlap "
        f"{cv['min_overlap']:g}) keeps {cv['unconfirmed']:g} of its score"
        if cv
        else "Cross-view confirmation: none"
    )
    if grid := m.get("cross_view_grid"):
        tried = "; ".join(
            (f"{g['unconfirmed']:g}/{g['min_overlap']:g}" if g["unconfirmed"] < 1 else "none")
            + f" mAP50 {g['mAP50']:.3f} Pfa {g['Pfa']:.3f}"
            for g in grid
        )
        line += f" (chosen on this data; factor/overlap: {tried})"
    return line + "."


def pd_pfa_line(pro: dict[str, Any]) -> str:
    """Pd and Pfa of the prohibited group with their parcel counts, and which categories raise the false alarms."""
    holding = pro.get("positive_by") or {}
    by_cat = [f"{c} {pd:.3f} of {holding[c]}" for c, pd in (pro.get("pd_by") or {}).items() if holding.get(c)]
    line = (
        f"Pd {pro.get('Pd', float('nan')):.3f} ({pro.get('n_positive')} parcels"
        + (f"; by its own category: {', '.join(by_cat)}" if by_cat else "")
        + f"), Pfa {pro.get('Pfa', float('nan')):.3f} ({pro.get('n_negative')} parcels)"
    )
    by, alone = pro.get("false_alarms_by") or {}, pro.get("false_alarms_alone") or {}
    raised = [f"{c} {n} ({alone.get(c, 0)} alone)" for c, n in sorted(by.items(), key=lambda kv: -kv[1]) if n]
    return line + (f"; clean parcels alarmed by {', '.join(raised)}" if raised else "")


def background_line(pro: dict[str, Any], top: int = 5) -> str | None:
    """The prohibited detections at threshold on no annotated object, by what lies under them (``top`` kinds per
    category); None without located clutter in the data."""
    bg = pro.get("background") or {}
    parts = []
    for c, kinds in bg.items():
        n = sum(kinds.values())
        if n:
            ranked = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            parts.append(f"{c} {n} (" + ", ".join(f"{k} {v}" for k, v in ranked) + ")")
    return ("On no annotated object, by what lies under them: " + "; ".join(parts)) if parts else None


def _stress_row(name: str, m: dict[str, Any]) -> str:
    per = m.get("per_category") or {}
    pro = m.get("prohibited") or {}

    def ap(c: str) -> str:
        v = (per.get(c) or {}).get("AP50")
        return f"{v:.3f}" if isinstance(v, (int, float)) else "-"

    pdpfa = f"{pro['Pd']:.3f} / {pro['Pfa']:.3f}" if "Pd" in pro and "Pfa" in pro else "-"
    return (
        f"| {name} | {m.get('n_parcels')} | {m['mAP50']:.3f} | {m.get('mAP50_95', float('nan')):.3f} | "
        f"{ap('firearm')} | {ap('knife')} | {pdpfa} |"
    )


def write_confusion(
    gt: dict[str, Any], dets: list[dict[str, Any]], categories: Sequence[str], thresholds: dict[str, float], out: Path
) -> np.ndarray:
    """Computes and plots the confusion matrix at the operating thresholds."""
    thr = {i + 1: thresholds.get(c, 0.3) for i, c in enumerate(categories)}
    m = confusion_matrix(gt, dets, thr)
    plot_confusion(m, categories, out)
    return m
