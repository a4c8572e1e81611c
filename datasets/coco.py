"""COCO detection format helpers: run-length encoded masks (pycocotools-compatible) and the category list.

RLE follows pycocotools: column-major (Fortran order) runs starting with background, compressed to the ASCII
string of ``maskApi.c``. Encoding uses faster-coco-eval's C implementation; :func:`decode_rle` inverts it.
"""

from __future__ import annotations

import numpy as np

from nii.taxonomy import Taxonomy, load_taxonomy


def encode_rle(mask: np.ndarray) -> dict[str, object]:
    """COCO compressed RLE of a bool / uint8 mask [H, W]: {"size": [H, W], "counts": str}."""
    from faster_coco_eval.core import mask as mask_util

    m = np.asfortranarray(np.asarray(mask, dtype=np.uint8))
    if m.ndim != 2:
        raise ValueError(f"mask must be 2-D [H, W], got shape {m.shape}")
    rle = mask_util.encode(m)
    counts = rle["counts"]
    return {
        "size": [int(m.shape[0]), int(m.shape[1])],
        "counts": counts.decode("ascii") if isinstance(counts, bytes) else str(counts),
    }


def decode_rle(rle: dict[str, object]) -> np.ndarray:
    """The bool mask [H, W] of a COCO compressed RLE."""
    from faster_coco_eval.core import mask as mask_util

    counts = rle["counts"]
    size = rle["size"]
    obj = {"size": list(size), "counts": counts.encode("ascii") if isinstance(counts, str) else counts}  # type: ignore[call-overload]
    return np.asarray(mask_util.decode(obj), dtype=bool)


def coco_categories(taxonomy: Taxonomy | None = None) -> list[dict[str, object]]:
    """COCO categories: id = taxonomy index + 1, name, supercategory = taxonomy group."""
    tax = taxonomy or load_taxonomy()
    return [{"id": i + 1, "name": c.name, "supercategory": c.group} for i, c in enumerate(tax.categories)]
