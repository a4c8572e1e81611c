"""``nii bench detect``: per-parcel latency (decode + preprocess + detect; median and p95) and throughput of the
project's detector and of the frcnn_mbv3 baseline on the same scans, in one run, with the ratio.

Reproduce: ``nii bench detect --data DIR --parcels 50`` (DIR = a ``nii synth`` output). Without ``--baseline`` the
baseline is frcnn_mbv3 with freshly initialised weights and the same input spec (its latency hardly depends on
the weights: proposals and heads run at fixed sizes).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

Sub = argparse._SubParsersAction


def register(sub: Sub) -> None:
    p = sub.add_parser(
        "detect",
        help="detector latency and throughput vs the frcnn_mbv3 baseline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", required=True, help="folder of scans (e.g. a nii synth output)")
    p.add_argument("--parcels", type=int, default=30, help="number of parcels (default 30)")
    p.add_argument("--model", help="the project's checkpoint (default: shipped / champion)")
    p.add_argument("--baseline", help="frcnn_mbv3 checkpoint (default: untrained, same input spec)")
    p.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    p.add_argument("--backends", action="store_true", help="also time eager / TorchScript / ONNX Runtime")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _parcel_paths(data: Path, n: int) -> list[Path]:
    scans = data / "scans"
    root = scans if scans.is_dir() else data
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    return folders[:n] if folders else [data]


def _time(detectors: dict[str, Any], folders: list[Path]) -> dict[str, dict[str, Any]]:
    """Per detector: latency stats over ``folders``. Parcels are interleaved (each parcel is read and detected by
    every detector in turn), so a change in the machine's load affects all detectors alike."""
    from nii.io import read_scans

    for det in detectors.values():
        det.detect(read_scans([folders[0]])[0])  # warm-up
    read_ms: dict[str, list[float]] = {k: [] for k in detectors}
    det_ms: dict[str, list[float]] = {k: [] for k in detectors}
    n_det = dict.fromkeys(detectors, 0)
    for folder in folders:
        for key, det in detectors.items():
            t0 = time.perf_counter()
            scans = read_scans([folder])
            t1 = time.perf_counter()
            for scan in scans:
                n_det[key] += len(det.detect(scan))
            t2 = time.perf_counter()
            read_ms[key].append((t1 - t0) * 1000)
            det_ms[key].append((t2 - t1) * 1000)
    out = {}
    for key, det in detectors.items():
        total = np.asarray(read_ms[key]) + np.asarray(det_ms[key])
        out[key] = {
            "name": det.name,
            "backend": getattr(det, "backend", "?"),
            "median_ms": float(np.median(total)),
            "p95_ms": float(np.percentile(total, 95)),
            "detect_median_ms": float(np.median(det_ms[key])),
            "read_median_ms": float(np.median(read_ms[key])),
            "parcels_per_s": len(folders) / (float(total.sum()) / 1000),
            "detections": n_det[key],
        }
    return out


def baseline_detector(spec_from: Any, path: str | None) -> Any:
    """The frcnn_mbv3 TorchDetector: from ``path``, else untrained with ``spec_from``'s input spec/categories."""
    from models import build_model
    from models.checkpoint import from_model, load_checkpoint
    from models.inference import TorchDetector

    if path:
        return TorchDetector(load_checkpoint(path), backend="eager")
    torch.manual_seed(0)
    cfg = {"num_classes": len(spec_from.categories)}
    ck = from_model(
        build_model("frcnn_mbv3", **cfg),
        arch="frcnn_mbv3",
        arch_config=cfg,
        categories=spec_from.categories,
        input=spec_from.input,
        version="untrained",
    )
    return TorchDetector(ck, backend="eager")


def run(args: argparse.Namespace) -> int:
    from models.backends import measure_backends
    from models.checkpoint import load_checkpoint
    from models.inference import TorchDetector, resolve_model_path

    torch.set_num_threads(args.threads)
    folders = _parcel_paths(Path(args.data), args.parcels)
    ckpt = load_checkpoint(resolve_model_path(args.model))
    ours = TorchDetector(ckpt)
    base = baseline_detector(ckpt, args.baseline)
    res: dict[str, Any] = {
        "parcels": len(folders),
        "threads": args.threads,
        **_time({"ours": ours, "baseline": base}, folders),
    }
    res["latency_ratio"] = res["ours"]["median_ms"] / res["baseline"]["median_ms"]
    res["detect_ratio"] = res["ours"]["detect_median_ms"] / res["baseline"]["detect_median_ms"]
    if args.backends:
        from models.preprocess import preprocess_view
        from nii.io import read_scans

        sizes = []
        for f in folders[:5]:
            for v in read_scans([f])[0].views:
                sizes.append(tuple(preprocess_view(v, ckpt.input)[0].shape[1:]))
        res["backends"] = measure_backends(ours.model, sizes, repeats=5)
    if args.json:
        print(json.dumps(res, indent=1))
        return 0
    for key in ("ours", "baseline"):
        r = res[key]
        print(
            f"{key:9s} {r['name']:11s} [{r['backend']}]  median {r['median_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms"
            f"  (detect {r['detect_median_ms']:.1f} ms, read {r['read_median_ms']:.1f} ms)"
            f"  {r['parcels_per_s']:.2f} parcels/s"
        )
    print(
        f"latency ratio ours / baseline: {res['latency_ratio']:.3f} (detect only {res['detect_ratio']:.3f}) "
        f"over {len(folders)} parcels, {args.threads} threads"
    )
    for name, b in res.get("backends", {}).items():
        print(
            f"backend {name:11s} median {b['median_ms']:.1f} ms  p95 {b['p95_ms']:.1f} ms  "
            f"max |diff| {b['max_abs_diff']:.2e}"
        )
    return 0
