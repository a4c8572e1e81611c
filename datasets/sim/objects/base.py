"""The object-kind registry and sub-assemblies shared by the object builders (cells, screws, circuit boards).

A kind is a procedural builder ``build(rng) -> SimObject`` for one variant (``pistol``, ``revolver``...). Each kind
belongs to a taxonomy category (or to none: clutter), has a sampling weight within its category and says whether
it is small enough to be hidden inside another object.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from datasets.sim.geometry import Cylinder, Part, Prism, SimObject
from datasets.sim.shapes import centred_rect, circle, rounded_rect
from nii.registry import Registry

Builder = Callable[[np.random.Generator], SimObject]


@dataclass(frozen=True)
class ObjectKind:
    """A registered object variant. group: ``goods`` (has a category), ``clutter`` or ``packing``."""

    name: str
    category: str | None
    build_fn: Builder
    weight: float = 1.0
    concealable: bool = False
    group: str = "goods"

    def build(self, rng: np.random.Generator) -> SimObject:
        """A new random instance, centred on the local origin with its base at z = 0."""
        obj = self.build_fn(rng)
        obj.kind = self.name
        obj.category = self.category
        return obj.centred()


KINDS: Registry[ObjectKind] = Registry("object kind")


def kind(
    name: str, category: str | None, *, weight: float = 1.0, concealable: bool = False, group: str | None = None
) -> Callable[[Builder], Builder]:
    """Registers a builder as object kind ``name``."""

    def deco(fn: Builder) -> Builder:
        g = group or ("goods" if category else "clutter")
        KINDS.add(name, ObjectKind(name, category, fn, weight, concealable, g))
        return fn

    return deco


def kinds_of(category: str) -> list[ObjectKind]:
    """The registered kinds of a taxonomy category."""
    return [k for _, k in KINDS.items() if k.category == category]


def kinds_in_group(group: str) -> list[ObjectKind]:
    return [k for _, k in KINDS.items() if k.group == group]


def value_eur(category: str, rng: np.random.Generator, scale: float = 1.0) -> float:
    """A plausible retail value of one unit of ``category`` from configs/reference_prices.yaml: log-normal around
    ``scale`` x the typical value (cheap variants: scale < 1), kept inside the reference [min, max] so that an
    honest declaration never looks undervalued."""
    from nii.pricing import load_reference_prices

    ref = load_reference_prices()[category]
    v = ref.typical_eur * scale * math.exp(rng.normal(0.0, 0.6))
    return round(float(np.clip(v, ref.min_eur, ref.max_eur)), 2)


def pick(rng: np.random.Generator, options: list[str] | tuple[str, ...]) -> str:
    return str(options[int(rng.integers(len(options)))])


def seed(rng: np.random.Generator) -> int:
    """A seed for a part's texture field, drawn from the object's generator."""
    return int(rng.integers(2**31))


# --- Li-ion cells -------------------------------------------------------------------------------------------------
# Volume fractions inside a cell's wound or stacked electrode assembly: LiCoO2 cathode coating, graphite anode,
# copper and aluminium current collectors, separator + electrolyte as polyethylene. 18650: about 46 g, of which
# ~18 g cathode, ~9 g anode, ~4.5 g Cu, ~2.5 g Al foil and ~9 g steel can.
JELLY_ROLL = (
    ("lithium_cobalt_oxide", 0.24),
    ("graphite", 0.27),
    ("copper", 0.034),
    ("aluminium", 0.062),
    ("polyethylene", 0.21),
)

CELL_SIZES = {"18650": (9.0, 65.0), "21700": (10.5, 70.0), "14500": (7.0, 50.0), "26650": (13.0, 65.0)}
"""Cylindrical cell formats: (radius, length) in mm."""


def cylindrical_cell(
    p0: tuple[float, float], p1: tuple[float, float], radius: float, z: float, *, wrap: str = "pvc"
) -> list[Part]:
    """A cylindrical Li-ion cell lying from p0 to p1: nickel-plated steel can (0.25 mm), jelly roll, hollow
    mandrel, positive cap and a shrink-wrap sleeve."""
    length = math.dist(p0, p1)
    ax = ((p1[0] - p0[0]) / length, (p1[1] - p0[1]) / length)
    cap = (p1[0] - ax[0] * 3, p1[1] - ax[1] * 3)
    core_r = radius - 0.35
    return [
        Cylinder("steel", p0, p1, radius - 0.1, radius - 0.1, z),
        Cylinder("steel", p0, p1, radius - 0.35, radius - 0.35, z, fill=-1.0, in_mask=False),
        Cylinder("lithium_cobalt_oxide", p0, cap, core_r, core_r, z, mix=JELLY_ROLL),
        Cylinder("polyethylene", p0, cap, 1.8, 1.8, z, fill=-0.8, mix=JELLY_ROLL, in_mask=False),
        Cylinder("steel", cap, p1, core_r, core_r, z, fill=0.35),
        Cylinder(wrap, p0, p1, radius, radius, z, fill=0.012),
    ]


def pouch_cell(length: float, width: float, thickness: float, cx: float, cy: float, z: float) -> list[Part]:
    """A flat Li-ion pouch cell: stacked electrodes in an aluminium-laminate pouch, with two tabs."""
    outline = rounded_rect(length, width, 2.0, cx, cy)
    tab_y = cy - width / 2 - 4
    return [
        Prism(
            "lithium_cobalt_oxide", (rounded_rect(length - 4, width - 4, 2.0, cx, cy),), thickness, z, mix=JELLY_ROLL
        ),
        Prism("aluminium", (outline,), thickness, z, fill=0.12 / thickness),
        Prism(
            "nickel", (centred_rect(4, 8, cx - length / 5, tab_y), centred_rect(4, 8, cx + length / 5, tab_y)), 0.2, z
        ),
    ]


# --- electronics ---------------------------------------------------------------------------------------------------
def circuit_board(
    length: float,
    width: float,
    cx: float,
    cy: float,
    z: float,
    rng: np.random.Generator,
    *,
    chips: int = 6,
    thickness: float = 1.2,
) -> list[Part]:
    """A populated circuit board: FR4 + copper laminate, chips (silicon + epoxy), a few steel shield cans."""
    parts: list[Part] = [Prism("pcb", (centred_rect(length, width, cx, cy),), thickness, z)]
    chip_polys = []
    for _ in range(chips):
        cl, cw = rng.uniform(3, 14), rng.uniform(3, 14)
        chip_polys.append(
            centred_rect(
                cl, cw, cx + rng.uniform(-0.4, 0.4) * (length - cl), cy + rng.uniform(-0.4, 0.4) * (width - cw)
            )
        )
    parts.append(Prism("fr4", tuple(chip_polys), 1.0, z + thickness / 2 + 0.5, mix=(("fr4", 0.7), ("silicon", 0.3))))
    if rng.random() < 0.6:
        sl, sw = rng.uniform(0.2, 0.5) * length, rng.uniform(0.3, 0.7) * width
        parts += [
            Prism(
                "steel",
                (centred_rect(sl, sw, cx + rng.uniform(-0.2, 0.2) * length, cy),),
                1.5,
                z + thickness / 2 + 0.75,
                fill=0.15,
            )
        ]
    return parts


def screws(
    points: list[tuple[float, float]], head_r: float, z: float, length: float = 4.0, material: str = "steel"
) -> list[Part]:
    """Small screws seen along their axis (one multi-outline part)."""
    if not points:
        return []
    return [Prism(material, tuple(circle(head_r, x, y, 10) for x, y in points), length, z)]


def coil_magnet(cx: float, cy: float, r: float, z: float, height: float) -> list[Part]:
    """A speaker / motor / transformer: iron pot or core with a copper winding."""
    return [
        Prism("iron", (circle(r, cx, cy, 16),), height, z, fill=0.55),
        Prism("copper", (circle(r * 0.75, cx, cy, 16),), height * 0.8, z, fill=0.25),
    ]
