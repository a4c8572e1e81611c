"""Phones, laptops, watches and lithium batteries (loose cells, packs, power banks)."""

from __future__ import annotations

import numpy as np

from datasets.sim.geometry import Cylinder, Part, Prism, SimObject
from datasets.sim.objects.base import (
    CELL_SIZES,
    circuit_board,
    coil_magnet,
    cylindrical_cell,
    kind,
    pick,
    pouch_cell,
    screws,
    value_eur,
)
from datasets.sim.shapes import box_shell, centred_rect, circle, hollow, rect, rim, ring, rounded_rect

PHONE_MODELS = [
    "Samsung Galaxy A15",
    "Samsung Galaxy S23",
    "iPhone 13",
    "iPhone 15 Pro",
    "Xiaomi Redmi Note 13",
    "Google Pixel 8",
    "Motorola Moto G54",
    "OnePlus Nord",
    "Huawei Nova 11",
    "Realme C55",
]


@kind("smartphone", "phone", weight=4.0)
def smartphone(rng: np.random.Generator) -> SimObject:
    """A smartphone: glass front/back, aluminium or steel mid-frame, pouch battery, logic board, camera, speakers."""
    L, w, t = rng.uniform(140, 168), rng.uniform(65, 78), rng.uniform(7.4, 9.2)
    z = t / 2
    frame_mat = pick(rng, ["aluminium", "aluminium", "aluminium", "stainless_steel"])
    back_mat = pick(rng, ["glass", "glass", "polycarbonate"])
    outline = rounded_rect(L, w, rng.uniform(6, 12))
    parts: list[Part] = [
        Prism("glass", (outline,), 0.7, t - 0.35),  # cover glass
        Prism(back_mat, (outline,), 0.8, 0.4),
        *rim(frame_mat, outline, t, 1.8 if frame_mat == "aluminium" else 1.1, z),  # side frame: the dark outline
        Prism(
            "aluminium" if frame_mat != "stainless_steel" else frame_mat,
            (rounded_rect(L - 4, w - 4, 6),),
            1.0,
            z + 1.5,
            fill=0.85,
        ),  # mid-frame plate
        Prism(
            "glass", (rounded_rect(L - 3, w - 3, 6),), 1.2, t - 1.4, mix=(("glass", 0.6), ("polyethylene", 0.4))
        ),  # panel
    ]
    bl, bw = L * rng.uniform(0.45, 0.55), w * rng.uniform(0.75, 0.85)
    parts += pouch_cell(bl, bw, rng.uniform(4.2, 5.2), -L * 0.06, 0, z - 0.3)
    parts += circuit_board(L * 0.3, w * 0.55, L * 0.3, -w * 0.1, z, rng, chips=8, thickness=1.0)
    parts += [Prism("steel", (centred_rect(L * 0.25, w * 0.5, L * 0.3, -w * 0.1),), 1.6, z + 0.9, fill=0.25)]  # shields
    cam_x, cam_y = L / 2 - 18, w / 2 - 16
    parts += ring("aluminium", 6.5, 4.5, t + 1.2, z + 0.6, cam_x, cam_y)
    parts += [Prism("glass", (circle(4.5, cam_x, cam_y),), 5.0, z)]
    parts += coil_magnet(-L / 2 + 8, w / 4, 4.5, z, 3.5) + coil_magnet(L / 2 - 6, 0, 3.0, z, 2.5)
    parts += [Prism("steel", (centred_rect(9, 3.4, -L / 2 + 3.5, 0),), 3.2, z, fill=0.4)]  # USB-C port
    parts += screws([(-L / 2 + 4, -8), (-L / 2 + 4, 8)], 0.8, z, 2.0)
    if rng.random() < 0.4:  # case
        parts += hollow(pick(rng, ["silicone", "polycarbonate"]), rounded_rect(L + 3, w + 3, 10), t + 2.4, 1.0, z)
    model = pick(rng, PHONE_MODELS)
    return SimObject("smartphone", "phone", parts, value_eur("phone", rng), {"model": model})


@kind("feature_phone", "phone", weight=0.7)
def feature_phone(rng: np.random.Generator) -> SimObject:
    """A small keypad phone with a removable battery."""
    L, w, t = rng.uniform(105, 125), rng.uniform(46, 54), rng.uniform(12, 15)
    z = t / 2
    keys = tuple(centred_rect(9, 6, -L * 0.25 + (i // 3) * 8.5, (i % 3 - 1) * 12) for i in range(12))
    parts: list[Part] = [
        *hollow("abs", rounded_rect(L, w, 8), t, 2.0, z),
        Prism("steel", (rounded_rect(L * 0.8, w * 0.8, 4),), 0.4, z + 1.0),  # chassis plate
        Prism(
            "glass", (centred_rect(L * 0.38, w * 0.75, L * 0.22, 0),), 1.0, t - 0.5, mix=(("glass", 0.4), ("pmma", 0.6))
        ),
        Prism("silicone", keys, 2.0, t - 1.0),
    ]
    parts += pouch_cell(L * 0.42, w * 0.75, 5.0, 0, 0, 3.5)
    parts += circuit_board(L * 0.7, w * 0.8, 0, 0, z + 2, rng, chips=4)
    parts += coil_magnet(L / 2 - 10, 0, 5, z, 3.5)
    return SimObject("feature_phone", "phone", parts, value_eur("phone", rng, 0.3), {"model": "Nokia 105"})


LAPTOP_MODELS = [
    "Lenovo ThinkPad E14",
    "HP 250 G9",
    "Dell Latitude 5440",
    "Apple MacBook Air",
    "ASUS VivoBook 15",
    "Acer Aspire 5",
    "Lenovo IdeaPad 3",
    "MSI Modern 14",
    "HP EliteBook 840",
]


@kind("laptop", "laptop", weight=4.0)
def laptop(rng: np.random.Generator) -> SimObject:
    """A closed notebook: shells, display stack, keyboard (keycaps + plate), battery, board, heat pipe, fan, hinges."""
    L, w = rng.uniform(300, 375), rng.uniform(205, 255)
    tb, tl = rng.uniform(10, 15), rng.uniform(4.5, 7)
    shell = pick(rng, ["aluminium", "abs", "abs", "polycarbonate", "aluminium"])
    wall = 1.3 if shell == "aluminium" else 2.2
    parts: list[Part] = []
    parts += box_shell(shell, L, w, tb, wall, radius=8)
    zl = tb + tl / 2
    parts += box_shell(shell, L, w, tl, wall * 0.9, z0=tb, radius=8)  # lid
    parts += [
        Prism("glass", (rounded_rect(L - 16, w - 20, 3),), 0.5, zl),
        Prism("pmma", (rounded_rect(L - 18, w - 24, 3),), 1.6, zl - 0.8, fill=0.9),  # light guide
        Prism("aluminium", (rounded_rect(L - 20, w - 26, 3),), 0.3, zl - 1.6),  # panel back plate
    ]
    cols, rows = 14, 5
    kp = (L - 50) / cols
    keys = tuple(
        centred_rect(kp - 3, kp - 3, -L / 2 + 25 + (i + 0.5) * kp, w * 0.12 + (j - 2) * kp)
        for i in range(cols)
        for j in range(rows)
    )
    parts += [
        Prism("abs", keys, 3.0, tb - 1.5, fill=0.45),
        Prism(
            pick(rng, ["aluminium", "steel"]),
            (centred_rect(L - 40, rows * kp + 6, 0, w * 0.12),),
            0.5,
            tb - 3.5,
            fill=0.7,
        ),
        Prism(pick(rng, ["glass", "fr4"]), (centred_rect(105, 65, 0, -w * 0.3),), 0.8, tb - 1.0),  # touchpad
    ]
    if rng.random() < 0.7:  # pouch cells along the front
        n = int(rng.choice([3, 4]))
        for i in range(n):
            parts += pouch_cell(L * 0.7 / n - 4, 70, 5.5, -L * 0.35 + (i + 0.5) * L * 0.7 / n, -w / 2 + 48, 4.5)
    else:  # six 18650 cells
        r, lc = CELL_SIZES["18650"]
        for i in range(6):
            x0 = -L * 0.36 + i * (lc + 2) * 0.55
            parts += cylindrical_cell((x0, -w / 2 + 30 + (i % 2) * 20), (x0 + lc, -w / 2 + 30 + (i % 2) * 20), r, r + 1)
    parts += circuit_board(L * 0.6, w * 0.32, L * 0.05, w * 0.22, 4.0, rng, chips=12)
    parts += [Cylinder("copper", (-L * 0.1, w * 0.3), (L * 0.3, w * 0.3), 3.0, 3.0, 6.0, fill=0.45)]  # heat pipe
    parts += [Prism("copper", (centred_rect(50, 14, L * 0.35, w * 0.3),), 6.0, 6.0, fill=0.3)]  # fins
    parts += ring("polycarbonate", 30, 8, 6, 6.0, L * 0.32, w * 0.1)  # fan
    parts += coil_magnet(L * 0.32, w * 0.1, 8, 6.0, 4)
    parts += [
        Prism(
            "zinc",
            (centred_rect(30, 12, -L * 0.3, w / 2 - 8), centred_rect(30, 12, L * 0.3, w / 2 - 8)),
            8,
            tb,
            fill=0.6,
        )
    ]  # hinges
    parts += screws(
        [(x, y) for x in np.linspace(-L / 2 + 10, L / 2 - 10, 5) for y in (-w / 2 + 8, w / 2 - 8)], 1.2, 2.0, 4.0
    )
    return SimObject("laptop", "laptop", parts, value_eur("laptop", rng), {"model": pick(rng, LAPTOP_MODELS)})


WATCH_BRANDS = [
    "Casio",
    "Seiko",
    "Citizen",
    "Fossil",
    "Tissot",
    "Timex",
    "Swatch",
    "Apple Watch",
    "Garmin",
    "Huawei Watch",
    "Orient",
]


@kind("wristwatch", "watch", weight=3.0, concealable=True)
def wristwatch(rng: np.random.Generator) -> SimObject:
    """A wrist watch lying flat: case, movement, crystal, caseback, strap or steel bracelet, buckle."""
    smart = rng.random() < 0.3
    t = rng.uniform(9, 14)
    z = t / 2
    parts: list[Part] = []
    if smart:
        L, w = rng.uniform(38, 46), rng.uniform(32, 40)
        parts += hollow(pick(rng, ["aluminium", "stainless_steel"]), rounded_rect(L, w, 9), t, 1.5, z)
        parts += [Prism("glass", (rounded_rect(L - 2, w - 2, 8),), 1.2, t - 0.6)]
        parts += pouch_cell(L * 0.6, w * 0.6, 3.5, 0, 0, z)
        parts += circuit_board(L * 0.7, w * 0.6, 0, 0, 2.0, rng, chips=3, thickness=0.8)
        hw = w * 0.55
    else:
        r = rng.uniform(16, 23)
        case_mat = pick(rng, ["stainless_steel", "stainless_steel", "brass", "titanium", "abs"])
        parts += ring(case_mat, r, r - 3.0, t, z)
        parts += [
            Prism(case_mat, (circle(r - 2, 0, 0, 24),), 1.2, 0.6),  # caseback
            Prism("glass", (circle(r - 2, 0, 0, 24),), 1.5, t - 0.75),
            Prism("brass", (circle(r - 3, 0, 0, 24),), 0.4, t - 2.0),  # dial
        ]
        if rng.random() < 0.5:  # mechanical movement: brass plates and steel parts
            parts += [
                Prism("brass", (circle(r - 4, 0, 0, 24),), 4.5, z, fill=0.45),
                Prism("steel", (circle(r - 8, 0, 0, 16),), 3, z, fill=0.25),
            ]
        else:  # quartz: plastic frame, silver-oxide cell, coil
            parts += [
                Prism("abs", (circle(r - 4, 0, 0, 24),), 3.5, z, fill=0.6),
                Prism(
                    "steel",
                    (circle(5.8, r * 0.35, 0, 16),),
                    2.1,
                    z,
                    mix=(("steel", 0.35), ("silver", 0.1), ("zinc", 0.15)),
                ),
            ]
        parts += [Prism("steel", (centred_rect(4, 2.5, r + 1.5, 0),), 2.5, z)]  # crown
        hw = r * 1.0
    strap = pick(rng, ["steel", "leather", "silicone", "nylon"])
    half = rng.uniform(70, 95)
    for sgn in (-1, 1):
        band = centred_rect(hw, half, 0, sgn * (half / 2 + 14))
        if strap == "steel":
            links = tuple(centred_rect(hw, 5.2, 0, sgn * (16 + 6 * i)) for i in range(int(half / 6)))
            parts += [Prism("stainless_steel", links, 3.5, 1.75, fill=0.75)]
        else:
            parts += [Prism(strap, (band,), 3.5, 1.75, fill=0.8)]
    parts += [Prism("stainless_steel", (centred_rect(hw + 4, 12, 0, -(half + 10)),), 3.0, 1.5, fill=0.35)]  # buckle
    brand = pick(rng, WATCH_BRANDS)
    return SimObject("wristwatch", "watch", parts, value_eur("watch", rng), {"brand": brand, "smart": smart})


# --- lithium batteries ---------------------------------------------------------------------------------------------
@kind("li_ion_cell", "lithium_battery", weight=2.0, concealable=True)
def li_ion_cell(rng: np.random.Generator) -> SimObject:
    """One loose cylindrical cell (18650, 21700, 14500, 26650)."""
    fmt = pick(rng, ["18650", "18650", "21700", "14500", "26650"])
    r, L = CELL_SIZES[fmt]
    parts = cylindrical_cell((0, 0), (L, 0), r, r, wrap=pick(rng, ["pvc", "pet"]))
    return SimObject(
        "li_ion_cell", "lithium_battery", parts, value_eur("lithium_battery", rng, 0.3), {"format": fmt, "cells": 1}
    )


@kind("battery_pack", "lithium_battery", weight=1.5)
def battery_pack(rng: np.random.Generator) -> SimObject:
    """Cells spot-welded with nickel strips, a protection board, shrink-wrapped (e-bike / tool / drone pack)."""
    fmt = pick(rng, ["18650", "21700"])
    r, L = CELL_SIZES[fmt]
    n = int(rng.choice([2, 3, 4, 6, 8]))
    rows = 2 if n >= 4 else 1
    per = n // rows
    parts: list[Part] = []
    for i in range(n):
        y = (i % per) * 2 * r
        z = r + (i // per) * 2 * r
        parts += cylindrical_cell((0, y), (L, y), r, z)
    height = rows * 2 * r
    parts += [
        Prism(
            "nickel",
            (rect(-1, -r, 1, (per - 0.5) * 2 * r), rect(L - 1, -r, L + 1, (per - 0.5) * 2 * r)),
            height,
            height / 2,
            fill=0.08,
        )
    ]
    parts += circuit_board(40, per * 2 * r * 0.7, L / 2, (per - 1) * r, height + 1, rng, chips=3)
    parts += [Prism("pvc", (rect(-2, -r - 1, L + 2, (per - 0.5) * 2 * r + 1),), height + 2, height / 2, fill=0.02)]
    return SimObject(
        "battery_pack", "lithium_battery", parts, value_eur("lithium_battery", rng), {"format": fmt, "cells": n}
    )


@kind("power_bank", "lithium_battery", weight=3.0)
def power_bank(rng: np.random.Generator) -> SimObject:
    """A power bank: plastic or aluminium case with cylindrical cells or a pouch cell, board and USB ports."""
    pouch = rng.random() < 0.5
    parts: list[Part] = []
    if pouch:
        L, w, t = rng.uniform(95, 150), rng.uniform(60, 75), rng.uniform(12, 17)
        parts += pouch_cell(L * 0.78, w - 8, t - 4, -L * 0.08, 0, t / 2)
    else:
        n = int(rng.choice([2, 3, 4]))
        r, lc = CELL_SIZES["18650"]
        L, w, t = lc + 30, n * 2 * r + 4, 2 * r + 4
        for i in range(n):
            y = -w / 2 + 2 + r + i * 2 * r
            parts += cylindrical_cell((-L / 2 + 3, y), (-L / 2 + 3 + lc, y), r, t / 2)
    case = pick(rng, ["abs", "polycarbonate", "aluminium"])
    parts += hollow(case, rounded_rect(L, w, 6), t, 1.8 if case != "aluminium" else 1.0, t / 2)
    parts += circuit_board(22, w - 10, L / 2 - 14, 0, t / 2, rng, chips=3, thickness=1.0)
    parts += [
        Prism(
            "steel", (centred_rect(6, 12, L / 2 - 3, -w / 5), centred_rect(6, 9, L / 2 - 3, w / 5)), 5, t / 2, fill=0.35
        )
    ]
    mah = int(pick(rng, ["5000", "10000", "10000", "20000"]))
    return SimObject("power_bank", "lithium_battery", parts, value_eur("lithium_battery", rng), {"capacity_mah": mah})


@kind("lipo_pouch", "lithium_battery", weight=0.8, concealable=True)
def lipo_pouch(rng: np.random.Generator) -> SimObject:
    """A bare LiPo pouch battery with leads (RC models, drones)."""
    L, w, t = rng.uniform(60, 140), rng.uniform(30, 45), rng.uniform(8, 25)
    parts: list[Part] = pouch_cell(L, w, t, 0, 0, t / 2)
    parts += [Prism("pvc", (centred_rect(L + 2, w + 2),), t + 1, t / 2, fill=0.02)]
    parts += [
        Cylinder("copper", (L / 2, -5), (L / 2 + 60, -8), 1.2, 1.2, t / 2, fill=0.5),
        Cylinder("copper", (L / 2, 5), (L / 2 + 60, 8), 1.2, 1.2, t / 2, fill=0.5),
    ]
    return SimObject("lipo_pouch", "lithium_battery", parts, value_eur("lithium_battery", rng), {"format": "LiPo"})
