"""``nii bench physics``: forward-model and imaging speed, material-map accuracy and mass-estimate error.

Every physics figure in docs/physics.md comes from this command (defaults: seed 0, 30 random phantom parcels).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nii.bench.common import best_of, report


def run(seed: int = 0, parcels: int = 30, repeats: int = 5) -> dict[str, object]:
    """Measure everything; returns a JSON-ready dict."""
    from nii.imaging import render
    from nii.imaging.accuracy import mass_accuracy, material_map_accuracy
    from nii.imaging.density import density_alert_mask
    from nii.imaging.mass import estimate_mass_kg
    from nii.imaging.materials import material_map
    from nii.physics.detector import DEFAULT_DETECTOR
    from nii.physics.forward import attenuation_images
    from nii.scan import Scan, View

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    DEFAULT_DETECTOR.response()
    names = ["water", "polyethylene", "cotton", "cardboard", "aluminium", "steel", "copper", "glass"]
    areal = {}
    for n in names:
        a = np.zeros((1000, 700), dtype=np.float32)
        m = rng.random((1000, 700)) < 0.4
        a[m] = rng.random(int(m.sum()), dtype=np.float32) * 3.0
        areal[n] = a
    low, high = attenuation_images(areal)
    setup_s = time.perf_counter() - t0
    view = View({"high": high, "low": low}, (1.0, 1.0))
    scan = Scan("BENCH", "1.2.3", [view])
    material_map(view)
    estimate_mass_kg(scan)
    timings = {
        "forward_1000x700_8_materials_s": best_of(lambda: attenuation_images(areal), repeats),
        "render_dual_energy_s": best_of(lambda: render(view, "dual_energy"), repeats),
        "render_grey_s": best_of(lambda: render(view, "grey"), repeats),
        "material_map_s": best_of(lambda: material_map(view), repeats),
        "density_alert_mask_s": best_of(lambda: density_alert_mask(view), repeats),
        "estimate_mass_s": best_of(lambda: estimate_mass_kg(scan), repeats),
    }
    accuracy = {}
    for label, (pl, ph) in {"dose_2e4_1e4": (2e4, 1e4), "dose_2e3_1e3": (2e3, 1e3)}.items():
        rows = material_map_accuracy(rng, photons_low=pl, photons_high=ph)
        levels = rows[0].high_attenuation
        per_level = np.array([r.correct for r in rows])
        trials = mass_accuracy(rng, parcels, pl, ph)
        err = np.array([t.relative_error for t in trials])
        accuracy[label] = {
            "material_map_correct_by_high_attenuation": dict(
                zip([f"{h:g}" for h in levels], per_level.mean(axis=0).round(4).tolist())
            ),
            "material_map_worst": {r.material: round(min(r.correct), 4) for r in rows if min(r.correct) < 0.95},
            "mass_parcels": parcels,
            "mass_mean_abs_error_pct": round(float(np.abs(err).mean() * 100), 2),
            "mass_max_abs_error_pct": round(float(np.abs(err).max() * 100), 2),
            "mass_bias_pct": round(float(err.mean() * 100), 2),
        }
    return {
        "seed": seed,
        "setup_s (spectrum, tables)": round(setup_s, 3),
        **{k: round(v, 4) for k, v in timings.items()},
        **accuracy,
    }


def _main(args: argparse.Namespace) -> int:
    result = run(seed=args.seed, parcels=args.parcels, repeats=args.repeats)
    report(result, as_json=True, indent=2)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "physics",
        help="forward model / imaging speed, material-map accuracy, mass-estimate error",
        description=__doc__,
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the phantoms and noise (default 0)")
    p.add_argument("--parcels", type=int, default=30, help="random phantom parcels for the mass error (default 30)")
    p.add_argument("--repeats", type=int, default=5, help="timing repeats; the best is reported (default 5)")
    p.set_defaults(func=_main)
