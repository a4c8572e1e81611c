"""Battery-powered devices that are none of the taxonomy's categories but look like some of them (the detector
must learn the difference): tablets (laptop / phone look-alikes), e-cigarettes and Bluetooth speakers (they hold
Li-ion cells that belong to the device, not to ``lithium_battery``)."""

from __future__ import annotations

import numpy as np

from datasets.sim.geometry import Part, Prism, SimObject
from datasets.sim.objects.base import CELL_SIZES, circuit_board, coil_magnet, cylindrical_cell, kind, pick, pouch_cell
from datasets.sim.shapes import hollow, rim, rounded_rect, tube


def _device(
    name: str, parts: list[Part], rng: np.random.Generator, description: str, hs6: str, value: tuple[float, float]
) -> SimObject:
    return SimObject(name, None, parts, round(float(rng.uniform(*value)), 2), {"description": description, "hs6": hs6})


@kind("tablet", None, weight=1.0)
def tablet(rng: np.random.Generator) -> SimObject:
    """A tablet: glass front, aluminium back and frame, two large pouch cells, a small board."""
    L, w, t = rng.uniform(200, 280), rng.uniform(135, 190), rng.uniform(6, 8)
    z = t / 2
    outline = rounded_rect(L, w, 10)
    parts: list[Part] = [
        Prism("glass", (outline,), 0.8, t - 0.4),
        Prism("aluminium", (outline,), 0.9, 0.45),
        *rim("aluminium", outline, t, 2.0, z),
        Prism("glass", (rounded_rect(L - 6, w - 6, 8),), 1.0, t - 1.5, mix=(("glass", 0.6), ("polyethylene", 0.4))),
    ]
    for sgn in (-1, 1):
        parts += pouch_cell(L * 0.36, w * 0.55, 3.0, sgn * L * 0.2, -w * 0.08, z)
    parts += circuit_board(L * 0.18, w * 0.5, 0, w * 0.1, z, rng, chips=6, thickness=1.0)
    parts += coil_magnet(-L / 2 + 8, w / 3, 4, z, 3) + coil_magnet(L / 2 - 8, w / 3, 4, z, 3)
    return _device("tablet", parts, rng, "tablet computer", "847130", (80, 600))


@kind("e_cigarette", None, weight=1.0)
def e_cigarette(rng: np.random.Generator) -> SimObject:
    """A vape: a metal or plastic tube or box with a cell, a coil and a liquid tank."""
    box = rng.random() < 0.5
    parts: list[Part]
    if box:
        r, lc = CELL_SIZES["18650"]
        parts = hollow(
            pick(rng, ["zinc", "aluminium", "abs"]), rounded_rect(lc + 25, 2 * r + 8, 5), 2 * r + 6, 1.5, r + 3
        )
        parts += cylindrical_cell((-lc / 2 - 5, 0), (lc / 2 - 5, 0), r, r + 3)
        parts += circuit_board(20, 2 * r, lc / 2 + 4, 0, r + 3, rng, chips=2, thickness=0.8)
    else:
        parts = [*tube(pick(rng, ["stainless_steel", "aluminium"]), (0, 0), (90, 0), 8.5, 0.6, 8.5)]
        parts += pouch_cell(55, 12, 8, 30, 0, 8.5)
    tank_x = -(CELL_SIZES["18650"][1] + 25) / 2 - 11 if box else -11.0  # the liquid tank sits on the battery end
    parts += [
        Prism("glass", (rounded_rect(22, 14, 6, tank_x, 0),), 14, 8, fill=0.3),
        Prism("water", (rounded_rect(18, 10, 5, tank_x, 0),), 10, 8, mix=(("water", 0.4), ("polyethylene", 0.4))),
    ]
    return _device("e_cigarette", parts, rng, pick(rng, ["vape device", "vaporizer pen"]), "854340", (10, 60))


@kind("bluetooth_speaker", None, weight=0.8)
def bluetooth_speaker(rng: np.random.Generator) -> SimObject:
    """A portable speaker: rubberised shell, one or two drivers, cells, board."""
    L, w, h = rng.uniform(90, 200), rng.uniform(60, 80), rng.uniform(55, 80)
    parts: list[Part] = hollow(pick(rng, ["abs", "silicone"]), rounded_rect(L, w, 25), h, 2.5, h / 2)
    for x in (-L / 4, L / 4) if L > 140 else (0,):
        parts += coil_magnet(x, 0, 18, h / 2, 20)
    r, lc = CELL_SIZES["18650"]
    parts += cylindrical_cell((-lc / 2, w / 2 - r - 4), (lc / 2, w / 2 - r - 4), r, r + 4)
    parts += circuit_board(40, 30, 0, -w / 4, 6, rng, chips=3)
    return _device("bluetooth_speaker", parts, rng, "bluetooth speaker", "851821", (15, 120))
