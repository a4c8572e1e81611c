"""Bottles (glass and PET, with liquid levels), toys and hand tools."""

from __future__ import annotations

import math

import numpy as np

from datasets.sim.geometry import Cavity, Cylinder, Part, Prism, SimObject
from datasets.sim.objects.base import circuit_board, coil_magnet, kind, pick, screws, value_eur
from datasets.sim.shapes import centred_rect, circle, hollow, poly, ring, rounded_rect, tube

LIQUIDS = {
    "wine": "water",
    "spirits": "ethanol_40",
    "beer": "water",
    "perfume": "ethanol_40",
    "shampoo": "water",
    "conditioner": "water",
    "body lotion": "water",
}


def _lying_bottle(
    length: float, r: float, neck_r: float, neck_l: float, wall: float, material: str, level: float, liquid: str
) -> list[Part]:
    """A round bottle lying on its side, base at x = 0: body, shoulder, neck, liquid pooled at the bottom."""
    body_l = length - neck_l - 2.2 * r * 0.5
    sh0, sh1 = body_l, body_l + 1.1 * r * 0.5 + 2 * r * 0.25
    z = r
    parts: list[Part] = [
        Cylinder(material, (0, 0), (body_l, 0), r, r, z),
        Cylinder(material, (wall, 0), (body_l, 0), r - wall, r - wall, z, fill=-1.0, in_mask=False),
        Cylinder(material, (sh0, 0), (sh1, 0), r, neck_r, z),
        Cylinder(material, (sh0, 0), (sh1, 0), r - wall, neck_r - wall * 0.8, z, fill=-1.0, in_mask=False),
        *tube(material, (sh1, 0), (length, 0), neck_r, wall * 0.8, z),
        Cylinder(liquid, (wall, 0), (body_l, 0), r - wall, r - wall, z, level=level),
    ]
    return parts


@kind("glass_bottle", "bottle", weight=3.0)
def glass_bottle(rng: np.random.Generator) -> SimObject:
    """Wine, spirits, beer or oil in a glass bottle, lying; cork, screw cap or crown cap."""
    drink = pick(rng, ["wine", "wine", "spirits", "spirits", "beer"])
    if drink == "beer":
        length, r, neck_r, wall = rng.uniform(220, 250), rng.uniform(29, 32), 13.5, rng.uniform(2.5, 3.5)
    else:
        length, r, neck_r, wall = rng.uniform(290, 330), rng.uniform(36, 44), rng.uniform(14, 16), rng.uniform(3, 5)
    level = rng.uniform(0.82, 0.97) if rng.random() < 0.85 else rng.uniform(0.3, 0.8)
    parts = _lying_bottle(length, r, neck_r, length * 0.28, wall, "glass", level, LIQUIDS[drink])
    if drink == "wine" and rng.random() < 0.6:
        parts += [Cylinder("cellulose", (length - 45, 0), (length - 1, 0), neck_r - 3, neck_r - 3, r, fill=0.16)]
    else:
        parts += [Cylinder("aluminium", (length - 30, 0), (length + 1, 0), neck_r + 1, neck_r + 1, r, fill=0.06)]
    parts += [Cylinder("glass", (0, 0), (8, 0), r - wall, r - wall, r, fill=0.6)]  # thick base / punt
    volume_ml = int(round(math.pi * (r - wall) ** 2 * (length * 0.6) / 1000 / 50) * 50)
    return SimObject(
        "glass_bottle", "bottle", parts, value_eur("bottle", rng), {"drink": drink, "volume_ml": max(volume_ml, 250)}
    )


@kind("pet_bottle", "bottle", weight=1.5)
def pet_bottle(rng: np.random.Generator) -> SimObject:
    """A plastic bottle (0.5-2 l) of shampoo, conditioner or lotion: PET (0.35 mm walls) or HDPE, PP cap."""
    size = pick(rng, ["0.5", "1", "1.5", "2"])
    r = {"0.5": 32.0, "1": 40.0, "1.5": 45.0, "2": 52.0}[size]
    length = {"0.5": 205.0, "1": 270.0, "1.5": 305.0, "2": 330.0}[size]
    drink = pick(rng, ["shampoo", "conditioner", "body lotion"])
    mat = pick(rng, ["polyethylene", "pet"])
    level = rng.uniform(0.6, 0.97)
    wall = 0.35 if mat == "pet" else 0.9
    parts = _lying_bottle(length, r, 13.5, 40, max(wall, 0.3), mat, level, LIQUIDS[drink])
    parts += [Cylinder("polypropylene", (length - 16, 0), (length + 2, 0), 15, 15, r, fill=0.3)]
    return SimObject(
        "pet_bottle",
        "bottle",
        parts,
        value_eur("bottle", rng, 0.2),
        {"drink": drink, "volume_ml": int(float(size) * 1000)},
    )


@kind("perfume_bottle", "bottle", weight=1.5, concealable=True)
def perfume_bottle(rng: np.random.Generator) -> SimObject:
    """A thick-walled perfume flacon (30-100 ml) with a metal atomiser and cap, in its carton."""
    L, w, t = rng.uniform(45, 80), rng.uniform(35, 60), rng.uniform(25, 40)
    wall = rng.uniform(4, 8)
    z = t / 2
    parts: list[Part] = [
        *hollow("glass", rounded_rect(L, w, 6), t, wall, z),
        Prism("ethanol_40", (rounded_rect(L - 2 * wall, w - 2 * wall, 3, -L * 0.05, 0),), t - 2 * wall, z, fill=0.85),
        Cylinder("aluminium", (L / 2, 0), (L / 2 + 14, 0), 6.5, 6.5, z, fill=0.3),
        Cylinder("polypropylene", (L / 2 + 10, 0), (L / 2 + 35, 0), 12, 12, z, fill=0.3),
        Cylinder("polyethylene", (-L / 2 + wall, 0), (L / 2 + 10, 0), 1.2, 1.2, z),  # dip tube
    ]
    if rng.random() < 0.7:
        parts += hollow("paper", rounded_rect(L + 45, w + 8, 1), t + 8, 0.4, z, fill=1.0, in_mask=False)
    brand = pick(rng, ["Chanel", "Dior", "Hugo Boss", "Calvin Klein", "Paco Rabanne", "Lancome", "Versace"])
    return SimObject(
        "perfume_bottle",
        "bottle",
        parts,
        value_eur("bottle", rng),
        {"drink": "perfume", "brand": brand, "volume_ml": 50},
    )


# --- toys -----------------------------------------------------------------------------------------------------------
def _aa_cells(points: list[tuple[float, float]], z: float) -> list[Part]:
    """Alkaline AA cells lying along x (steel can, zinc anode, manganese dioxide as iron-like filler)."""
    parts: list[Part] = []
    for x, y in points:
        parts += [
            Cylinder("steel", (x, y), (x + 50, y), 7.2, 7.2, z, fill=0.12),
            Cylinder(
                "zinc", (x + 1, y), (x + 49, y), 6.8, 6.8, z, mix=(("zinc", 0.22), ("iron", 0.12), ("water", 0.2))
            ),
        ]
    return parts


@kind("toy_car", "toy", weight=1.5, concealable=True)
def toy_car(rng: np.random.Generator) -> SimObject:
    """A die-cast or plastic model car: zinc-alloy body shell, steel axles, rubber tyres."""
    L, w, h = rng.uniform(70, 160), rng.uniform(32, 70), rng.uniform(25, 50)
    diecast = rng.random() < 0.6
    mat = "zinc" if diecast else "abs"
    parts: list[Part] = hollow(mat, rounded_rect(L, w, 10), h, 1.6 if diecast else 2.0, h / 2)
    for x in (-L * 0.32, L * 0.32):
        parts += [Cylinder("steel", (x, -w / 2), (x, w / 2), 1.0, 1.0, 8)]
        for y in (-w / 2 + 4, w / 2 - 4):
            parts += [Cylinder("rubber", (x, y - 4), (x, y + 4), 8, 8, 8)]
    if rng.random() < 0.3:
        parts += screws([(0, 0), (L * 0.3, 0)], 1.5, h / 2, h)
    return SimObject("toy_car", "toy", parts, value_eur("toy", rng), {"toy": "model car"})


@kind("electronic_toy", "toy", weight=2.0)
def electronic_toy(rng: np.random.Generator) -> SimObject:
    """A hollow plastic toy (robot, RC car, doll) with a battery compartment, motor, speaker, board and screws."""
    L, w, h = rng.uniform(140, 300), rng.uniform(90, 200), rng.uniform(50, 120)
    parts: list[Part] = hollow(
        pick(rng, ["abs", "polypropylene", "polystyrene"]), rounded_rect(L, w, 20), h, 2.2, h / 2
    )
    n = int(rng.choice([2, 3, 4]))
    parts += _aa_cells([(-L * 0.3, -w * 0.25 + i * 15) for i in range(n)], 10)
    parts += [
        Prism(
            "polypropylene", (centred_rect(56, n * 15 + 6, -L * 0.3 + 25, -w * 0.25 + (n - 1) * 7.5),), 18, 9, fill=0.15
        )
    ]
    parts += coil_magnet(L * 0.25, w * 0.2, 12, h / 2, 20)
    parts += coil_magnet(L * 0.25, -w * 0.2, 14, h - 8, 6)  # speaker
    parts += circuit_board(50, 35, 0, 0, h / 3, rng, chips=3)
    parts += screws([(x, y) for x in (-L / 3, 0, L / 3) for y in (-w / 3, w / 3)], 1.5, h / 2, 10)
    cav = Cavity(-L * 0.05, -w * 0.35, L * 0.4, w * 0.35, 4, h * 0.6)
    toy = pick(rng, ["robot", "RC car", "talking doll", "dinosaur", "fire truck", "drone"])
    return SimObject("electronic_toy", "toy", parts, value_eur("toy", rng), {"toy": toy}, [cav])


@kind("building_blocks", "toy", weight=1.0)
def building_blocks(rng: np.random.Generator) -> SimObject:
    """A box of plastic construction bricks: many small hollow ABS blocks jumbled."""
    n = int(rng.integers(30, 150))
    side = 40 + 6 * math.sqrt(n) * 3
    blocks = tuple(
        rounded_rect(rng.choice([16.0, 32.0, 48.0]), 16.0, 1, x, y)
        for x, y in rng.uniform(-side / 2, side / 2, size=(n, 2))
    )
    parts: list[Part] = [
        Prism("abs", blocks[: n // 2], 11.4, 6, fill=0.35),
        Prism("abs", blocks[n // 2 :], 11.4, 17, fill=0.35),
    ]
    parts += hollow("cardboard", centred_rect(side + 30, side + 30), 60, 1.2, 28, in_mask=False)
    return SimObject("building_blocks", "toy", parts, value_eur("toy", rng), {"toy": "building blocks"})


# --- tools ----------------------------------------------------------------------------------------------------------
@kind("pliers", "tool", weight=1.5, concealable=True)
def pliers(rng: np.random.Generator) -> SimObject:
    L = rng.uniform(150, 250)
    jaw = L * rng.uniform(0.22, 0.3)
    t = rng.uniform(9, 12)
    head = poly([(0, -9), (jaw, -3), (jaw, 3), (0, 9), (-12, 10), (-12, -10)])
    h1 = poly([(-12, 2), (-(L - jaw), 18), (-(L - jaw), 8), (-12, -4)])
    h2 = poly([(-12, -2), (-(L - jaw), -18), (-(L - jaw), -8), (-12, 4)])
    grip = pick(rng, ["pvc", "polypropylene", "rubber"])
    parts: list[Part] = [
        Prism("steel", (head,), t, t / 2),
        Prism("steel", (h1, h2), t * 0.7, t / 2),
        Prism("steel", (circle(6, -6, 0),), t + 1, t / 2),
        Prism(
            grip,
            (
                poly([(-30, 3), (-(L - jaw) - 5, 21), (-(L - jaw) - 5, 5), (-30, -3)]),
                poly([(-30, -3), (-(L - jaw) - 5, -21), (-(L - jaw) - 5, -5), (-30, 3)]),
            ),
            t + 4,
            t / 2,
            edge=3,
            fill=0.5,
        ),
    ]
    return SimObject("pliers", "tool", parts, value_eur("tool", rng), {"tool": "pliers"})


@kind("screwdriver", "tool", weight=1.5, concealable=True)
def screwdriver(rng: np.random.Generator) -> SimObject:
    shaft_l, shaft_r = rng.uniform(60, 200), rng.uniform(2.0, 4.0)
    hl, hr = rng.uniform(80, 115), rng.uniform(12, 17)
    parts: list[Part] = [
        Cylinder("steel", (0, 0), (shaft_l, 0), shaft_r, shaft_r * 0.7, hr),
        Cylinder("steel", (-40, 0), (0, 0), shaft_r, shaft_r, hr),  # shank inside the handle
        Cylinder(pick(rng, ["abs", "polypropylene", "cellulose"]), (-hl, 0), (0, 0), hr, hr * 0.75, hr, fill=0.8),
    ]
    return SimObject("screwdriver", "tool", parts, value_eur("tool", rng, 0.5), {"tool": "screwdriver"})


@kind("wrench", "tool", weight=1.5, concealable=True)
def wrench(rng: np.random.Generator) -> SimObject:
    """An open-end / ring spanner or an adjustable wrench."""
    adjustable = rng.random() < 0.35
    L = rng.uniform(150, 300)
    wd, t = L * rng.uniform(0.08, 0.11), rng.uniform(4, 8)
    parts: list[Part] = [Prism("steel", (rounded_rect(L, wd, wd / 2 - 0.5),), t, t / 2)]
    if adjustable:
        parts += [
            Prism("steel", (centred_rect(wd * 2.2, wd * 2.6, L / 2 + wd * 0.6, 0),), t * 1.6, t * 0.8),
            Prism(
                "steel",
                (centred_rect(wd * 1.0, wd * 0.8, L / 2 + wd * 1.4, wd * 0.6),),
                t * 1.6,
                t * 0.8,
                fill=-1.0,
                in_mask=False,
            ),
            Cylinder("steel", (L / 2 - wd * 0.4, -wd * 0.6), (L / 2 + wd * 0.8, -wd * 0.6), 4.5, 4.5, t * 0.8),
        ]
    else:
        parts += ring("steel", wd * 1.1, wd * 0.55, t * 1.2, t * 0.6, L / 2, 0)
        parts += [
            Prism(
                "steel",
                (
                    poly(
                        [
                            (-L / 2 + 4, -wd * 0.6),
                            (-L / 2 - wd * 1.5, -wd * 1.2),
                            (-L / 2 - wd * 1.6, -wd * 0.35),
                            (-L / 2 - wd * 0.8, -wd * 0.2),
                            (-L / 2 - wd * 0.8, wd * 0.5),
                            (-L / 2 - wd * 1.6, wd * 0.6),
                            (-L / 2 - wd * 1.4, wd * 1.3),
                            (-L / 2 + 4, wd * 0.6),
                        ]
                    ),
                ),
                t,
                t / 2,
            )
        ]
    return SimObject(
        "wrench", "tool", parts, value_eur("tool", rng), {"tool": "adjustable wrench" if adjustable else "spanner"}
    )


@kind("hammer", "tool", weight=1.0)
def hammer(rng: np.random.Generator) -> SimObject:
    head_l, head_w = rng.uniform(95, 135), rng.uniform(22, 32)
    handle_l = rng.uniform(260, 340)
    hmat = pick(rng, ["cellulose", "fr4", "steel"])
    parts: list[Part] = [
        Prism(
            "steel",
            (
                poly(
                    [
                        (-head_l / 2, -head_w / 2),
                        (head_l * 0.3, -head_w / 2),
                        (head_l / 2, -head_w * 0.2),
                        (head_l / 2, head_w * 0.2),
                        (head_l * 0.3, head_w / 2),
                        (-head_l / 2, head_w / 2),
                    ]
                ),
            ),
            head_w,
            head_w / 2,
            edge=3,
        ),
    ]
    if hmat == "steel":
        parts += tube("steel", (0, head_w / 2 - 5), (0, handle_l), 12, 2.0, head_w / 2)
        parts += [Cylinder("rubber", (0, handle_l * 0.6), (0, handle_l + 5), 16, 16, head_w / 2, fill=0.8)]
    else:
        parts += [
            Prism(
                hmat,
                (rounded_rect(28, handle_l, 10, 0, handle_l / 2),),
                24,
                head_w / 2,
                edge=8,
                fill=0.55 if hmat == "cellulose" else 0.9,
            )
        ]
    return SimObject("hammer", "tool", parts, value_eur("tool", rng), {"tool": "hammer"})


@kind("hex_key_set", "tool", weight=0.5, concealable=True)
def hex_key_set(rng: np.random.Generator) -> SimObject:
    """A folding set of hex keys in a plastic holder."""
    n = int(rng.integers(6, 10))
    parts: list[Part] = [
        Prism(
            "steel",
            tuple(centred_rect(rng.uniform(50, 90), 1.5 + 0.5 * i, 0, (i - n / 2) * 6) for i in range(n)),
            4,
            4,
            fill=0.85,
        )
    ]
    parts += hollow("nylon", rounded_rect(100, n * 6 + 10, 6), 14, 2, 7, in_mask=True)
    return SimObject("hex_key_set", "tool", parts, value_eur("tool", rng, 0.5), {"tool": "hex key set"})
