"""Generating a batch of synthetic parcels in the output layout of the team brief:

```
OUT/scans/<ooi_id>/        DICOS DX files of one parcel (nii.dicos.write_dx)
OUT/annotations.json       COCO: one image per view, RLE masks, occlusion
OUT/manifest.json          the batch's manifest (nii/data/parcel_manifest.schema.json)
OUT/ground_truth.jsonl     one line per parcel: objects, masses, injected and expected alerts, expected lane
OUT/config.json            the resolved generator config and seed
```

Parcel i is generated from the generator ``numpy.random.default_rng([seed, i])`` alone, so a batch is the same
whatever the number of workers, and parcel i of a larger batch equals parcel i of a smaller one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing as mp
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from datasets.coco import coco_categories, encode_rle
from datasets.sim.config import SynthConfig
from datasets.sim.declarations import build_declaration
from datasets.sim.expected import expected_alerts, expected_lane
from datasets.sim.parcel import SimParcel, simulate_parcel
from datasets.sim.parties import ORIGINS, S10_SERVICES, choose, s10_check_digit
from nii.currency import load_currency_rates
from nii.errors import NIIError
from nii.taxonomy import load_taxonomy

log = logging.getLogger(__name__)
EPOCH = dt.datetime(2026, 1, 12, 6, 0, tzinfo=dt.UTC)
SECONDS_PER_PARCEL = 3.6
"""Belt throughput of the simulated inspection line: acquisition times are EPOCH + i x this."""


@dataclass(frozen=True)
class ParcelJob:
    index: int
    seed: int
    out: str
    cfg: SynthConfig
    preview: bool = False


def ooi_id_for(seed: int, index: int, origin: str) -> str:
    """The parcel's UPU S10 item id: a batch-specific serial block, one number per parcel (unique in a batch)."""
    base = int(np.random.default_rng([seed, 2**31]).integers(0, 5 * 10**7))
    serial = f"{(base + index) % 10**8:08d}"
    service = S10_SERVICES[int(np.random.default_rng([seed, 2**31 + 1]).integers(len(S10_SERVICES)))]
    return f"{service}{serial}{s10_check_digit(serial)}{origin}"


def generate_parcel(job: ParcelJob) -> dict[str, object]:
    """Simulates, writes and annotates parcel ``job.index``; returns its records (JSON-ready)."""
    from nii.dicos import write_dx

    rng = np.random.default_rng([job.seed, job.index])
    origin = choose(rng, ORIGINS)
    ooi_id = ooi_id_for(job.seed, job.index, origin)
    when = EPOCH + dt.timedelta(seconds=SECONDS_PER_PARCEL * job.index)
    sim = simulate_parcel(rng, job.cfg, ooi_id=ooi_id, acquired_at=when, scan_uid=_scan_uid(job.seed, job.index))
    decl = build_declaration(sim.layout, ooi_id, rng, job.cfg.declarations, origin, when)
    out = Path(job.out)
    folder = out / "scans" / ooi_id
    paths = write_dx(sim.scan, folder, transfer_syntax=job.cfg.transfer_syntax)
    files: dict[tuple[int, str], str] = {}
    from nii.dicos.dx import iter_instances

    for path, (view, energy) in zip(paths, iter_instances(sim.scan), strict=True):
        files[(view.index, energy)] = path.relative_to(out).as_posix()
    images, annotations, objects = _annotate(sim, files)
    present = Counter(sim.layout.placed[i].obj.category for i in sim.layout.annotated)
    cfg = job.cfg.declarations
    true_mass = sim.layout.true_mass_kg()
    alerts = expected_alerts(
        Counter({str(k): v for k, v in present.items()}),
        decl,
        true_mass,
        weight_tolerance=cfg.weight_tolerance,
        undervaluation_factor=cfg.undervaluation_factor,
    )
    total = decl.parcel["total_value"]
    value_eur = load_currency_rates().to_eur(float(total["amount"]), str(total["currency"]))  # type: ignore[index]
    tax = load_taxonomy()
    injected = list(decl.injected)
    if any(tax[str(c)].prohibited for c in present):
        injected.insert(0, "prohibited_item")
    truth = {
        "ooi_id": ooi_id,
        "scan_uid": sim.scan.scan_uid,
        "objects": objects,
        "true_mass_kg": round(true_mass, 3),
        "declared_mass_kg": decl.gross_mass_kg,
        "injected": injected,
        "expected_alerts": alerts,
        "expected_lane": expected_lane(alerts, value_eur),
        "container": sim.layout.container,
        "dual_energy": sim.profile.dual_energy,
        "views": len(sim.scan.views),
        "scanner": sim.profile.to_dict(),
        "clutter": sorted(sim.layout.placed[i].obj.kind for i in sim.layout.clutter()),
        "clutter_objects": [  # where they are: what a false alarm on 'nothing annotated' lies on
            {"kind": sim.layout.placed[inst.index].obj.kind, "box": list(inst.box_xyxy), "view": v}
            for v, sv in enumerate(sim.views)
            for inst in sv.others
        ],
    }
    record: dict[str, object] = {"images": images, "annotations": annotations, "truth": truth, "manifest": decl.parcel}
    if job.preview:
        record["preview"] = _thumbnail(sim)
    return record


def _scan_uid(seed: int, index: int) -> str:
    from pydicom.uid import generate_uid

    return str(generate_uid(entropy_srcs=["nii-synth", str(seed), str(index)]))


def _annotate(
    sim: SimParcel, files: dict[tuple[int, str], str]
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    tax = load_taxonomy()
    images, annotations, objects = [], [], []
    for v, (view, sv) in enumerate(zip(sim.scan.views, sim.views, strict=True)):
        h, w = view.shape
        energy = "high" if view.dual_energy else "intensity"
        images.append(
            {
                "file_name": files[(v, energy)],
                "width": w,
                "height": h,
                "ooi_id": sim.scan.ooi_id,
                "scan_uid": sim.scan.scan_uid,
                "view": v,
                "pixel_spacing_mm": list(sv.pixel_spacing_mm),
                "dual_energy": view.dual_energy,
            }
        )
        for inst in sv.instances:
            placed = sim.layout.placed[inst.index]
            cat = str(placed.obj.category)
            full = np.zeros((h, w), dtype=np.uint8)
            mh, mw = inst.mask.shape
            full[inst.r0 : inst.r0 + mh, inst.c0 : inst.c0 + mw] = inst.mask[: h - inst.r0, : w - inst.c0]
            x1, y1, x2, y2 = inst.box_xyxy
            annotations.append(
                {
                    "image_index": v,
                    "category_id": tax.index(cat) + 1,
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "area": int(full.sum()),
                    "segmentation": encode_rle(full),
                    "iscrowd": 0,
                    "occluded": round(inst.occluded, 3),
                    "concealed": placed.concealed,
                    "kind": placed.obj.kind,
                }
            )
            objects.append(
                {
                    "category": cat,
                    "kind": placed.obj.kind,
                    "box": [x1, y1, x2, y2],
                    "view": v,
                    "mass_kg": round(placed.obj.mass_kg(), 3),
                    "value_eur": round(placed.obj.value_eur, 2),
                    "concealed": placed.concealed,
                    "concealment": sim.layout.concealment.get(inst.index),
                    "occluded": round(inst.occluded, 3),
                }
            )
    return images, annotations, objects


def _thumbnail(sim: SimParcel, width: int = 720) -> np.ndarray:
    import cv2

    from nii.imaging import render

    view = sim.scan.views[0]
    rgb = render(view, "dual_energy" if view.dual_energy else "grey")
    rows = np.flatnonzero((view.high > 0.05).mean(axis=1) > 0.02)  # the preview crops empty belt
    if rows.size:
        rgb = rgb[max(0, int(rows[0]) - 20) : int(rows[-1]) + 20]
    h = round(rgb.shape[0] * width / rgb.shape[1])
    return np.asarray(cv2.resize(rgb, (width, h), interpolation=cv2.INTER_AREA))


def _jobs(n: int, seed: int, out: Path, cfg: SynthConfig, preview: int) -> Iterator[ParcelJob]:
    for i in range(n):
        yield ParcelJob(i, seed, str(out), cfg, i < preview)


def warm_spectra(cfg: SynthConfig) -> None:
    """Computes every tube spectrum and detector response the config's scanner fleet can draw, and the mass
    attenuation of every registered material on their energy grids (spekpy ~0.3 s per spectrum, xraydb a few ms
    per material; all cached per process, so forked workers inherit them)."""
    from datasets.sim.scanner import fleet
    from nii.physics import DualEnergyDetector, SingleEnergyDetector
    from nii.physics.materials import MATERIALS, mass_attenuation

    for kvp, filt, front, cu, back in fleet(cfg.scanner):
        for det in (
            DualEnergyDetector(
                kvp=kvp,
                filtration_mm_al=filt,
                front_mm=front,
                filter_mm=cu,
                back_mm=back,
                bin_width_kev=cfg.scanner.energy_bin_kev,
            ),
            SingleEnergyDetector(
                kvp=kvp, filtration_mm_al=filt, thickness_mm=back, bin_width_kev=cfg.scanner.energy_bin_kev
            ),
        ):
            energies = det.response()[0]
            for name in MATERIALS:
                mass_attenuation(name, energies)


def _init_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def generate_batch(
    n: int, seed: int, out: Path, cfg: SynthConfig, *, workers: int = 1, preview: int = 0, progress: bool = True
) -> dict[str, object]:
    """Writes ``n`` parcels to ``out`` (see the module docstring); returns a summary. preview: number of parcels
    (the first ones) whose thumbnails go into ``out/preview.png``."""
    if n < 1:
        raise NIIError(f"number of parcels must be >= 1, got {n}")
    if out.exists() and any(out.iterdir()):
        raise NIIError(f"output folder {out} is not empty; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    from tqdm import tqdm

    records: list[dict[str, object]] = []
    jobs = _jobs(n, seed, out, cfg, preview)
    bar = tqdm(total=n, unit="parcel", desc="synth", disable=not progress)
    if workers <= 1:
        for job in jobs:
            records.append(generate_parcel(job))
            bar.update()
    else:
        if n >= 50:  # forked workers inherit the cached spectra instead of each computing them
            warm_spectra(cfg)
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(workers, initializer=_init_worker) as pool:
            for rec in pool.imap(generate_parcel, jobs, chunksize=2):
                records.append(rec)
                bar.update()
    bar.close()
    return _write_outputs(records, seed, out, cfg)


def _write_outputs(records: list[dict[str, object]], seed: int, out: Path, cfg: SynthConfig) -> dict[str, object]:
    images: list[dict[str, object]] = []
    annotations: list[dict[str, object]] = []
    for rec in records:
        first = len(images) + 1
        for img in rec["images"]:  # type: ignore[attr-defined]
            images.append({"id": len(images) + 1, **img})
        for ann in rec["annotations"]:  # type: ignore[attr-defined]
            a = dict(ann)
            a["image_id"] = first + int(a.pop("image_index"))
            annotations.append({"id": len(annotations) + 1, **a})
    coco = {
        "info": {"description": "NII synthetic parcels", "seed": seed, "version": "1"},
        "images": images,
        "annotations": annotations,
        "categories": coco_categories(),
    }
    (out / "annotations.json").write_text(json.dumps(coco), encoding="utf-8")
    manifest = {
        "manifest_id": f"NII-SYNTH-{seed}",
        "source_format": "express_manifest",
        "filed_at": EPOCH.isoformat(),
        "master": {
            "transport_document_ref": f"176-{seed % 10**8:08d}",
            "mode_of_transport": "air",
            "carrier": "NII Simulated Air",
            "place_of_loading": "HKG",
            "place_of_unloading": "LGG",
        },
        "parcels": [rec["manifest"] for rec in records],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    with open(out / "ground_truth.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec["truth"]) + "\n")
    (out / "config.json").write_text(
        json.dumps(
            {"seed": seed, "parcels": len(records), "generator": "nii synth", "config": cfg.to_dict()}, indent=1
        ),
        encoding="utf-8",
    )
    thumbs = [rec["preview"] for rec in records if "preview" in rec]
    if thumbs:
        write_contact_sheet(thumbs, out / "preview.png")  # type: ignore[arg-type]
    return {"parcels": len(records), "images": len(images), "annotations": len(annotations)}


def write_contact_sheet(
    thumbs: list[np.ndarray], path: Path, columns: int = 4, tile: tuple[int, int] = (480, 360)
) -> Path:
    """Tiles RGB thumbnails into one PNG: each fitted (aspect kept) and centred in a ``tile`` (width, height)."""
    import cv2

    tw, th = tile
    tiles = []
    for t in thumbs:
        scale = min(tw / t.shape[1], th / t.shape[0])
        size = (max(1, round(t.shape[1] * scale)), max(1, round(t.shape[0] * scale)))
        img = cv2.resize(t, size, interpolation=cv2.INTER_AREA)
        canvas = np.full((th, tw, 3), 255, np.uint8)
        y0, x0 = (th - img.shape[0]) // 2, (tw - img.shape[1]) // 2
        canvas[y0 : y0 + img.shape[0], x0 : x0 + img.shape[1]] = img
        tiles.append(canvas)
    while len(tiles) % columns:
        tiles.append(np.full((th, tw, 3), 255, np.uint8))
    rows = [
        np.hstack([np.pad(t, ((3, 3), (3, 3), (0, 0)), constant_values=40) for t in tiles[i : i + columns]])
        for i in range(0, len(tiles), columns)
    ]
    cv2.imwrite(str(path), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))
    return path
