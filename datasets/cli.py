"""``nii synth``: writes synthetic dual-energy parcel scans (DICOS DX), COCO annotations, a manifest of
declarations with injected mismatches, and the ground truth of every parcel (see datasets.sim.batch)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    from datasets.sim.batch import generate_batch
    from datasets.sim.config import load_config
    from nii.errors import NIIError

    overrides: dict[str, object] = {}
    if args.single_energy_share is not None:
        overrides["scanner.single_energy_share"] = args.single_energy_share
    if args.pixel_spacing is not None:
        overrides["scanner.pixel_spacing_mm"] = [args.pixel_spacing, args.pixel_spacing]
        overrides["scanner.pixel_aspect"] = [1.0, 1.0]
    cfg = load_config(args.config, overrides)
    if args.parcels < 1:
        raise NIIError(f"--parcels must be >= 1, got {args.parcels}")
    if args.workers < 1:
        raise NIIError(f"--workers must be >= 1, got {args.workers}")
    t0 = time.perf_counter()
    summary = generate_batch(
        args.parcels,
        args.seed,
        args.out,
        cfg,
        workers=args.workers,
        preview=16 if args.preview else 0,
        progress=not args.quiet,
    )
    elapsed = time.perf_counter() - t0
    summary = {
        **summary,
        "out": str(args.out),
        "seconds": round(elapsed, 2),
        "parcels_per_s": round(args.parcels / elapsed, 2),
    }
    if args.preview:
        summary["preview"] = str(args.out / "preview.png")
    print(json.dumps(summary), file=sys.stdout)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "synth", help="generate synthetic parcel X-ray scans with annotations and declarations", description=__doc__
    )
    p.add_argument("--parcels", type=int, required=True, help="number of parcels")
    p.add_argument("--seed", type=int, default=0, help="seed of the batch (parcel i uses the generator [seed, i])")
    p.add_argument("--out", type=Path, required=True, help="output folder (new or empty)")
    p.add_argument("--config", type=Path, default=None, help="generator config (default configs/synth/default.yaml)")
    p.add_argument(
        "--single-energy-share", type=float, default=None, help="share of single-energy parcels (overrides the config)"
    )
    p.add_argument("--pixel-spacing", type=float, default=None, help="fix the pixel spacing in mm (default: varied)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--preview", action="store_true", help="also write OUT/preview.png, a 4x4 contact sheet")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)
