"""``nii train``, ``nii evaluate`` and ``nii models`` (entry points in pyproject.toml, group ``nii.commands``)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from nii.errors import ConfigError

Sub = argparse._SubParsersAction
log = logging.getLogger(__name__)


def register(sub: Sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a detector from a recipe in configs/train/",
        description="Train a detector; writes checkpoints, results.csv, plots and a model card.",
    )
    p.add_argument("--config", required=True, help="recipe YAML, e.g. configs/train/nii_det.yaml")
    p.add_argument("--out", help="run folder (default runs/<name>)")
    p.add_argument("--resume", action="store_true", help="continue from <out>/last.pt and state.pt")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (for log files)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a recipe field, e.g. --set train.max_minutes=20 --set train.crop=[256,256] (YAML values)",
    )
    p.set_defaults(func=_train)


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``a.b=v`` strings -> nested dict {a: {b: v}} with v parsed as YAML; ConfigError for a malformed item."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        parts = key.strip().split(".")
        if not sep or not all(parts):
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE with a dotted key, e.g. train.epochs=5")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {item!r}: the value is not valid YAML: {exc}") from exc
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {item!r}: {part!r} is set both as a value and as a section")
        node[parts[-1]] = value
    return out


def _train(args: argparse.Namespace) -> int:
    from training.config import load_config
    from training.finish import finish
    from training.loop import Run

    cfg = load_config(args.config, parse_overrides(args.set))
    out = Path(args.out or f"runs/{cfg.name}")
    run = Run(cfg, out, resume=args.resume, progress=not args.no_progress)
    run.fit()
    if run.main:
        path = finish(run)
        print(f"model: {path}")
    return 0


def register_evaluate(sub: Sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="COCO mAP, Pd/Pfa and thresholds of a model on a simulator dataset",
        description="Evaluate a checkpoint end to end (DICOS -> detections) on a simulator output.",
    )
    p.add_argument("--model", help="checkpoint (default: the shipped / champion model)")
    p.add_argument(
        "--data",
        required=True,
        action="append",
        help="simulator output folder (annotations.json + scans/); repeat to evaluate or calibrate on several as one "
        "set (each parcel in one folder only)",
    )
    p.add_argument("--out", help="folder for metrics.json, ap_table.md, pr_curves.png, confusion_matrix.png")
    p.add_argument("--limit", type=int, help="first N parcels of each folder only")
    p.add_argument("--backend", default="auto", help="auto | eager | torchscript | onnx")
    p.add_argument(
        "--target-pd",
        action="append",
        default=[],
        metavar="CATEGORY=PD",
        help="target Pd for threshold choice (default 0.95 for the prohibited categories)",
    )
    p.add_argument(
        "--calibrate",
        metavar="OUT.pt",
        help="choose thresholds on this data for the target Pd, and whether and how the views of a dual-view parcel "
        "confirm each other's detections (models/crossview.py), and write a checkpoint copy with them",
    )
    p.add_argument(
        "--version",
        metavar="V",
        help="with --calibrate: the version of the calibrated copy (other thresholds: other answers from the same "
        "weights)",
    )
    p.add_argument(
        "--no-cross-view",
        action="store_true",
        help="views do not confirm each other's detections (with --calibrate: do not try it)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for log files)")
    p.add_argument(
        "--stress",
        action="append",
        default=[],
        metavar="NAME",
        help="turn each scan into what another scanner or export gives before detecting, in order "
        "(single_energy, export8, no_spacing, blur, low_dose, display; see training/stress.py)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="store these metrics in the checkpoint (metrics['test'], or metrics['stress'][NAMES] with --stress) "
        "and rewrite its model card",
    )
    p.set_defaults(func=_evaluate)


VALIDATION_KEYS = (
    "mAP50",
    "mAP50_95",
    "per_category",
    "by_view",
    "prohibited",
    "thresholds",
    "n_images",
    "n_parcels",
)


def _evaluate(args: argparse.Namespace) -> int:
    from models.checkpoint import load_checkpoint, save_checkpoint
    from models.inference import TorchDetector, resolve_model_path
    from training.config import PROHIBITED_TARGET_PD
    from training.evaluate import (
        choose_cross_view,
        clutter_objects,
        merge_predictions,
        rescore_cross_view,
        scan_predictions,
        summarise,
    )
    from training.metrics import background_false_alarms
    from training.report import ap_table, model_card, on_validation, plot_pr, write_confusion
    from training.stress import compose

    stress = compose(args.stress)
    if args.version and not args.calibrate:
        raise ConfigError("--version names the calibrated copy: give --calibrate OUT.pt too")
    if stress is not None and args.calibrate:
        raise ConfigError("--calibrate chooses the operating thresholds: not on stressed scans (drop --stress)")
    path = resolve_model_path(args.model)
    ckpt = load_checkpoint(path)
    target = dict(PROHIBITED_TARGET_PD)
    for item in args.target_pd:
        name, _, value = item.partition("=")
        target[name] = float(value)
    # calibrating: detect without cross-view confirmation, then choose it on these detections
    det = TorchDetector(ckpt, backend=args.backend, cross_view=None if args.calibrate or args.no_cross_view else "auto")
    dirs = [Path(d) for d in args.data]
    parts = [
        (d, *scan_predictions(det, d, limit=args.limit, progress=not args.no_progress, transform=stress)) for d in dirs
    ]
    gt, dets = merge_predictions(parts)
    group = [c for c in PROHIBITED_TARGET_PD if c in ckpt.categories]
    cats = ckpt.categories
    cross_view = det.cross_view
    if args.calibrate and not args.no_cross_view:
        cross_view, grid = choose_cross_view(gt, dets, cats, group=group, target_pd=target, default_threshold=0.3)
        if cross_view is not None:
            dets = rescore_cross_view(gt, dets, cross_view)
    thresholds = None if args.calibrate else {c: ckpt.threshold(c) for c in cats}
    m = summarise(gt, dets, cats, group=group, target_pd=target, default_threshold=0.3, thresholds=thresholds)
    located = {key: objs for d in dirs for key, objs in clutter_objects(d).items()}
    if group and located:
        m["prohibited"]["background"] = background_false_alarms(gt, dets, group, m["thresholds"], located)
    m["model"] = {"path": str(path), "arch": ckpt.arch, "version": ckpt.version, "backend": det.backend}
    m["cross_view"] = cross_view.to_dict() if cross_view is not None else None
    if args.calibrate and not args.no_cross_view:
        m["cross_view_grid"] = grid
    m["data"] = str(dirs[0]) if len(dirs) == 1 else [str(d) for d in dirs]
    if args.stress:
        m["stress"] = list(args.stress)
    _print_summary(m, cats)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "metrics.json", "w", encoding="utf-8") as f:
            json.dump(m, f, indent=1)
        (out / "ap_table.md").write_text(ap_table(m, cats) + "\n", encoding="utf-8")
        plot_pr(m["pr50"], out / "pr_curves.png")
        write_confusion(gt, dets, cats, m["thresholds"], out / "confusion_matrix.png")
    brief = {k: v for k, v in m.items() if k != "pr50"}
    if args.calibrate:
        ckpt.thresholds = dict(m["thresholds"])
        ckpt.extra = {k: v for k, v in ckpt.extra.items() if k != "cross_view"}
        if cross_view is not None:
            ckpt.extra["cross_view"] = cross_view.to_dict()
        ckpt.metrics = {**ckpt.metrics, "calibration": brief}
        if args.version:
            ckpt.version = str(args.version)
        if on_validation(ckpt, brief):
            # recalibrated on its own validation set: the card's validation table shows these thresholds
            ckpt.metrics.update({k: brief[k] for k in VALIDATION_KEYS if k in brief})
        print(f"thresholds written to {save_checkpoint(ckpt, args.calibrate)}")
    if args.record:
        if args.stress:
            stressed = {**(ckpt.metrics.get("stress") or {}), "+".join(args.stress): brief}
            ckpt.metrics = {**ckpt.metrics, "stress": stressed}
        else:
            ckpt.metrics = {**ckpt.metrics, "test": brief}
        save_checkpoint(ckpt, path)
        model_card(ckpt, path.parent, title=f"{ckpt.arch} {ckpt.version}")
        print(f"metrics recorded in {path}")
    return 0


def _print_summary(m: dict[str, Any], cats: list[str]) -> None:
    from training.report import ap_table, background_line, cross_view_line, pd_pfa_line, view_line

    print(ap_table(m, cats))
    if line := cross_view_line(m):
        print(line)
    if by_view := view_line(m):
        print(by_view)
    if pro := m.get("prohibited"):
        print(f"prohibited: {pd_pfa_line(pro)}")
        if background := background_line(pro):
            print(background)
    print(f"mAP50 {m['mAP50']:.4f}  mAP50:95 {m['mAP50_95']:.4f}  images {m['n_images']}  parcels {m['n_parcels']}")


def register_models(sub: Sub) -> None:
    p = sub.add_parser(
        "models",
        help="list, promote and roll back detector models",
        description="The on-disk model registry under $NII_DATA_DIR/models.",
    )
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    ls = msub.add_parser("list", help="registered models and the champion")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_models_list)
    pr = msub.add_parser("promote", help="make a model (id or checkpoint path) the champion")
    pr.add_argument("ref")
    pr.set_defaults(func=_models_promote)
    rb = msub.add_parser("rollback", help="restore the previous champion")
    rb.set_defaults(func=_models_rollback)


def _models_list(args: argparse.Namespace) -> int:
    from models.inference import SHIPPED
    from models.store import ModelStore

    store = ModelStore()
    champ = store.champion()
    rows = {"shipped": {"path": str(SHIPPED), "champion": champ is None}}
    for mid, meta in store.list().items():
        rows[mid] = {**meta, "champion": mid == champ}
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
    else:
        for mid, meta in rows.items():
            mark = "*" if meta["champion"] else " "
            print(f"{mark} {mid}  {json.dumps({k: v for k, v in meta.items() if k != 'champion'})}")
    return 0


def _models_promote(args: argparse.Namespace) -> int:
    from models.store import ModelStore

    print(f"champion: {ModelStore().promote(args.ref)}")
    return 0


def _models_rollback(args: argparse.Namespace) -> int:
    from models.store import ModelStore

    print(f"champion: {ModelStore().rollback() or 'shipped'}")
    return 0
