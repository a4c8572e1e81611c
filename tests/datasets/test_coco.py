"""COCO RLE: the encoder agrees with an independent, plain-Python implementation of pycocotools' format."""

from __future__ import annotations

import numpy as np

from datasets.coco import coco_categories, decode_rle, encode_rle
from nii.taxonomy import load_taxonomy


def _runs(mask: np.ndarray) -> list[int]:
    """Uncompressed COCO RLE counts: column-major runs, starting with a (possibly empty) run of zeros."""
    flat = mask.flatten(order="F").astype(np.uint8)
    counts, current, n = [], 0, 0
    for v in flat:
        if v != current:
            counts.append(n)
            current, n = v, 0
        n += 1
    counts.append(n)
    return counts


def _compress(counts: list[int]) -> str:
    """pycocotools' rleToString (maskApi.c), written out."""
    out = []
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def test_rle_matches_reference_implementation_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    for shape in ((7, 9), (40, 33), (128, 64)):
        for _ in range(5):
            mask = rng.random(shape) < rng.uniform(0.05, 0.9)
            mask[:, : rng.integers(0, shape[1])] &= rng.random() < 0.5
            rle = encode_rle(mask)
            assert rle["size"] == list(shape)
            assert rle["counts"] == _compress(_runs(mask))
            np.testing.assert_array_equal(decode_rle(rle), mask)


def test_categories_follow_the_taxonomy() -> None:
    cats = coco_categories()
    tax = load_taxonomy()
    assert [c["name"] for c in cats] == tax.names
    assert [c["id"] for c in cats] == list(range(1, len(tax) + 1))
    assert cats[0]["supercategory"] == "prohibited"
