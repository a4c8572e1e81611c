"""Packaging: outer boxes, mailers and polybags (built to the parcel's size) and loose fill (bubble wrap, foam,
crumpled paper, air pillows)."""

from __future__ import annotations

import numpy as np

from datasets.sim.geometry import Part, Prism, SimObject
from datasets.sim.objects.base import kind, seed
from datasets.sim.shapes import box_shell, centred_rect, discs, rect, rounded_rect, soft_outline

CORRUGATED_FILL = 0.22
"""Single-wall corrugated board: about 4 mm thick and 0.15-0.2 g/cm^3 in bulk (liner + flute + liner)."""


def shipping_box(length: float, width: float, height: float, rng: np.random.Generator) -> SimObject:
    """A corrugated box (single or double wall) with overlapping flaps on top and bottom and packing tape."""
    wall = float(rng.choice([3.5, 4.0, 4.5, 7.0]))
    fill = CORRUGATED_FILL * rng.uniform(0.85, 1.2)
    parts: list[Part] = box_shell("cardboard", length, width, height, wall, fill=fill)
    flap = (rect(-length / 2, -width / 2, length / 2, width / 2),)
    parts += [
        Prism("cardboard", flap, wall, height - 1.5 * wall, fill=fill),  # inner flaps, top
        Prism("cardboard", flap, wall, 1.5 * wall, fill=fill),
    ]
    tape = rng.uniform(48, 75)
    parts += [
        Prism("polypropylene", (centred_rect(length + 2, tape),), 0.1, height + 0.05),
        Prism("polypropylene", (centred_rect(length + 2, tape),), 0.1, -0.05),
    ]
    if rng.random() < 0.4:  # tape across as well
        parts += [Prism("polypropylene", (centred_rect(tape, width + 2),), 0.1, height + 0.15)]
    return SimObject("shipping_box", None, parts, 0.0, {"wall_mm": wall})


def mailer(length: float, width: float, height: float, rng: np.random.Generator) -> SimObject:
    """A padded envelope: paper or PE outer with bubble lining, sealed at the edges."""
    paper = rng.random() < 0.5
    parts: list[Part] = [
        Prism(
            "paper" if paper else "polyethylene",
            (rounded_rect(length, width, 3),),
            height,
            height / 2,
            fill=(0.25 if paper else 0.12) / height * 2,
        ),
        Prism(
            "polyethylene",
            (rounded_rect(length - 6, width - 6, 3),),
            height,
            height / 2,
            fill=0.16 / height * 2,
            texture=0.3,
            texture_mm=8,
            seed=seed(rng),
        ),
        Prism("polyethylene", (centred_rect(length, 14, 0, width / 2 - 7),), 1.0, height / 2, fill=0.5),  # seal
    ]
    return SimObject("mailer", None, parts, 0.0, {})


def polybag(length: float, width: float, height: float, rng: np.random.Generator) -> SimObject:
    """A courier polybag: 60-90 um polyethylene."""
    t = rng.uniform(0.06, 0.09)
    parts: list[Part] = [
        Prism(
            "polyethylene",
            (rounded_rect(length, width, 10),),
            height,
            height / 2,
            fill=min(1.0, 2 * t / height),
            texture=0.2,
            texture_mm=40,
            seed=seed(rng),
        )
    ]
    return SimObject("polybag", None, parts, 0.0, {})


def tray(length: float, width: float, rng: np.random.Generator) -> SimObject:
    """A plastic scanner tray under the parcel (airport-style tub)."""
    from datasets.sim.shapes import open_tray

    parts = open_tray("polypropylene", length, width, rng.uniform(80, 120), rng.uniform(3, 4.5), radius=30)
    return SimObject("tray", None, parts, 0.0, {})


@kind("bubble_wrap", None, weight=2.0, group="packing")
def bubble_wrap(rng: np.random.Generator) -> SimObject:
    L, w = rng.uniform(150, 400), rng.uniform(100, 300)
    layers = int(rng.integers(1, 4))
    n = int(L * w / 144)
    pts = np.stack(np.meshgrid(np.arange(-L / 2, L / 2, 12), np.arange(-w / 2, w / 2, 12)), -1).reshape(-1, 2)[:n]
    bubbles = discs(pts, 4.5, 8)
    parts: list[Part] = []
    for k in range(layers):
        parts += [
            Prism("polyethylene", (centred_rect(L, w),), 4, 2 + 4 * k, fill=0.1 / 4),
            Prism("polyethylene", bubbles, 4, 2 + 4 * k, fill=0.05 / 4),
        ]
    return SimObject("bubble_wrap", None, parts)


@kind("foam_block", None, weight=1.0, group="packing")
def foam_block(rng: np.random.Generator) -> SimObject:
    L, w, t = rng.uniform(80, 300), rng.uniform(60, 250), rng.uniform(10, 60)
    mat = "pu_foam" if rng.random() < 0.5 else "polystyrene"
    fill = 1.0 if mat == "pu_foam" else rng.uniform(0.015, 0.03)
    return SimObject("foam_block", None, [Prism(mat, (centred_rect(L, w),), t, t / 2, fill=fill)])


@kind("crumpled_paper", None, weight=2.0, group="packing")
def crumpled_paper(rng: np.random.Generator) -> SimObject:
    L, w, t = rng.uniform(100, 300), rng.uniform(80, 250), rng.uniform(30, 90)
    return SimObject(
        "crumpled_paper",
        None,
        [
            Prism(
                "paper",
                (soft_outline(rng, L, w, radius=30, wobble=0.12),),
                t,
                t / 2,
                edge=t / 2,
                fill=rng.uniform(0.015, 0.04),
                texture=0.9,
                texture_mm=rng.uniform(10, 25),
                seed=seed(rng),
            )
        ],
    )


@kind("air_pillows", None, weight=1.0, group="packing")
def air_pillows(rng: np.random.Generator) -> SimObject:
    n = int(rng.integers(2, 7))
    parts: list[Part] = []
    for i in range(n):
        x = (i - n / 2) * 105
        parts += [Prism("polyethylene", (rounded_rect(100, 200, 20, x, 0),), 50, 25, edge=24, fill=0.1 / 50)]
    return SimObject("air_pillows", None, parts)
