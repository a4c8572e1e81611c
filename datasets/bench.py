"""``nii bench synth``: parcels per second of the synthetic data engine on this machine.

Generates ``--parcels`` parcels (default 40) at a fixed pixel spacing (default 1.0 mm) into a temporary folder,
end to end: composition, projection, physics, noise, DICOS DX writing, annotations, declarations. Workers default
to the number of CPU cores. Tube spectra (spekpy, ~0.3 s per kVp x filtration setting of the scanner fleet) are
computed before timing and inherited by the forked workers; ``--warmup`` parcels are generated first, untimed.

The machine may be shared: besides wall-clock parcels/s the bench reports CPU seconds per parcel (this process
and its workers) and the rate they imply when the workers have their cores to themselves
(``parcels_per_s_if_cores_free`` = workers / CPU seconds per parcel), with the 1-minute load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from nii.bench.common import load_average_1min, report


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(
    parcels: int, *, workers: int, pixel_spacing_mm: float, seed: int = 0, warmup: int = 4
) -> dict[str, object]:
    """Times :func:`datasets.sim.batch.generate_batch`; returns a JSON-ready dict."""
    from datasets.sim.batch import generate_batch, warm_spectra
    from datasets.sim.config import load_config

    square = [pixel_spacing_mm, pixel_spacing_mm]
    cfg = load_config(overrides={"scanner.pixel_spacing_mm": square, "scanner.pixel_aspect": [1.0, 1.0]})
    warm_spectra(cfg)
    with tempfile.TemporaryDirectory(prefix="nii_bench_synth_") as tmp:
        if warmup:
            generate_batch(warmup, seed + 1, Path(tmp) / "warm", cfg, workers=1, progress=False)
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        summary = generate_batch(parcels, seed, Path(tmp) / "out", cfg, workers=workers, progress=False)
        elapsed = time.perf_counter() - t0
        cpu = _cpu_seconds() - cpu0
        size = sum(f.stat().st_size for f in (Path(tmp) / "out").rglob("*") if f.is_file())
    return {
        "parcels": parcels,
        "workers": workers,
        "pixel_spacing_mm": pixel_spacing_mm,
        "seconds": round(elapsed, 2),
        "parcels_per_s": round(parcels / elapsed, 2),
        "cpu_seconds_per_parcel": round(cpu / parcels, 3),
        "parcels_per_s_if_cores_free": round(workers * parcels / cpu, 2) if cpu > 0 else None,
        "load_average_1min": load_average_1min(),
        "images": summary["images"],
        "megabytes": round(size / 1e6, 1),
        "cpu_count": os.cpu_count(),
    }


def _run(args: argparse.Namespace) -> int:
    result = measure(
        args.parcels,
        workers=args.workers or (os.cpu_count() or 1),
        pixel_spacing_mm=args.pixel_spacing,
        seed=args.seed,
        warmup=args.warmup,
    )
    verdict = f"{result['parcels_per_s']} parcels/s (goal >= 5 at ~1 mm on 2 cores)"
    report(result, as_json=args.json, key_width=28, verdict=verdict)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "synth",
        help="synthetic parcel generation speed (parcels/s)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--parcels", type=int, default=40, help="parcels to generate (default 40)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--pixel-spacing", type=float, default=1.0, help="pixel spacing in mm (default 1.0)")
    p.add_argument("--warmup", type=int, default=4, help="untimed parcels first (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
