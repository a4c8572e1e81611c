"""A tiny labelled scene generator for the training tests: dual-energy views with a parcel outline and a few
objects drawn as attenuation rectangles (metal: high low/high ratio; organic: low ratio), plus their COCO records.
The real simulator (datasets/) replaces it where it is available; this keeps the tests independent of it."""

from __future__ import annotations

from typing import Any

import numpy as np

from nii.scan import Scan, View

# category index -> (attenuation at high energy per object, low/high ratio, shape (w, h) in mm)
KINDS = {0: (1.2, 2.0, (60, 40)), 1: (0.9, 2.0, (80, 10)), 7: (0.7, 1.3, (30, 50))}


def make_scan(
    rng: np.random.Generator,
    ooi_id: str,
    *,
    spacing: float = 1.5,
    dual: bool = True,
    size_mm: tuple[int, int] = (240, 300),
) -> tuple[Scan, list[tuple[int, list[float]]]]:
    """One parcel: a Scan with one view and [(category index, [x, y, w, h] pixels)]."""
    h, w = int(size_mm[0] / spacing), int(size_mm[1] / spacing)
    high = np.zeros((h, w), np.float32)
    low = np.zeros((h, w), np.float32)
    high[5:-5, 5:-5] += 0.15
    low[5:-5, 5:-5] += 0.15 * 1.2
    objects = []
    for cat in rng.choice(list(KINDS), size=int(rng.integers(1, 4)), replace=False):
        att, ratio, (ow, oh) = KINDS[int(cat)]
        if rng.random() < 0.5:
            ow, oh = oh, ow
        pw, ph = int(ow / spacing), int(oh / spacing)
        x, y = int(rng.integers(10, w - pw - 10)), int(rng.integers(10, h - ph - 10))
        high[y : y + ph, x : x + pw] += att
        low[y : y + ph, x : x + pw] += att * ratio
        objects.append((int(cat), [float(x), float(y), float(pw), float(ph)]))
    high += rng.normal(0, 0.01, high.shape).astype(np.float32)
    low += rng.normal(0, 0.01, low.shape).astype(np.float32)
    energies = {"high": high, "low": low} if dual else {"intensity": high}
    view = View(energies=energies, pixel_spacing_mm=(spacing, spacing))
    return Scan(ooi_id=ooi_id, scan_uid=f"1.2.3.{abs(hash(ooi_id)) % 10**8}", views=[view]), objects


def make_dataset(n: int, seed: int, categories: list[str]) -> tuple[dict[str, Scan], dict[str, Any]]:
    """n parcels: {folder: Scan} and the COCO dict the simulator would write for them."""
    rng = np.random.default_rng(seed)
    scans: dict[str, Scan] = {}
    images, anns = [], []
    for i in range(n):
        ooi = f"T{seed}P{i:04d}"
        scan, objs = make_scan(rng, ooi, dual=i % 5 != 0)
        folder = f"scans/{ooi}"
        scans[folder] = scan
        v = scan.views[0]
        images.append(
            {
                "id": i + 1,
                "file_name": f"{folder}/view0.dcm",
                "width": v.shape[1],
                "height": v.shape[0],
                "ooi_id": ooi,
                "scan_uid": scan.scan_uid,
                "view": 0,
                "pixel_spacing_mm": 1.5,
                "dual_energy": v.dual_energy,
            }
        )
        for cat, box in objs:
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": i + 1,
                    "category_id": cat + 1,
                    "bbox": box,
                    "area": box[2] * box[3],
                    "iscrowd": 0,
                    "occluded": 0.0,
                }
            )
    cats = [{"id": i + 1, "name": c, "supercategory": "x"} for i, c in enumerate(categories)]
    return scans, {"images": images, "annotations": anns, "categories": cats}
