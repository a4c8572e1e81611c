"""Benign clutter: the everyday things parcels hold besides the taxonomy's goods (and the detector's confusers:
scissors and cutlery look like knives, AA cells like lithium cells, metal hardware like gun parts).

Each clutter kind carries a description, an HS6 code and a value so the declaration side can list it.
"""

from __future__ import annotations

import math

import numpy as np

from datasets.sim.geometry import Cylinder, Part, Prism, SimObject
from datasets.sim.objects.base import circuit_board, coil_magnet, kind, pick, seed
from datasets.sim.shapes import (
    cable_path,
    centred_rect,
    circle,
    hollow,
    poly,
    polyline_band,
    rect,
    ring,
    rounded_rect,
    tube,
)


def _clutter(
    name: str, parts: list[Part], rng: np.random.Generator, description: str, hs6: str, value: tuple[float, float]
) -> SimObject:
    return SimObject(name, None, parts, round(float(rng.uniform(*value)), 2), {"description": description, "hs6": hs6})


def _cable_parts(
    rng: np.random.Generator,
    length: float,
    r_jacket: float,
    core_frac: float,
    z: float,
    start: tuple[float, float] = (0.0, 0.0),
) -> tuple[list[Part], np.ndarray]:
    path = cable_path(rng, start, length, step=rng.uniform(6, 12), curl=rng.uniform(0.15, 0.45))
    parts: list[Part] = []
    chunk = 10
    for i in range(0, len(path) - 1, chunk):
        seg = path[i : i + chunk + 1]
        if len(seg) < 2:
            continue
        parts.append(
            Prism("pvc", (polyline_band(seg, 2 * r_jacket),), 2 * r_jacket, z, edge=r_jacket * 0.95, fill=0.75)
        )
        parts.append(Prism("copper", (polyline_band(seg, max(0.6, 2 * r_jacket * core_frac)),), 1.0, z, fill=0.6))
    return parts, path


@kind("usb_cable", None, weight=3.0)
def usb_cable(rng: np.random.Generator) -> SimObject:
    parts, path = _cable_parts(rng, rng.uniform(300, 1200), rng.uniform(1.5, 2.5), 0.45, 2.5)
    for end in (path[0], path[-1]):
        parts += [
            Prism("steel", (centred_rect(12, 8, end[0], end[1]),), 4.5, 2.5, fill=0.25),
            Prism("abs", (centred_rect(22, 12, end[0] + 6, end[1]),), 7, 3.5, fill=0.8),
        ]
    return _clutter(
        "usb_cable",
        parts,
        rng,
        pick(rng, ["USB-C charging cable", "USB data cable", "Lightning cable", "HDMI cable"]),
        "854442",
        (2, 15),
    )


@kind("charger", None, weight=2.0)
def charger(rng: np.random.Generator) -> SimObject:
    """A wall charger: plastic shell, board, ferrite transformer with copper winding, brass pins."""
    L, w, t = rng.uniform(35, 70), rng.uniform(30, 55), rng.uniform(22, 32)
    parts: list[Part] = hollow("polycarbonate", rounded_rect(L, w, 5), t, 1.8, t / 2)
    parts += circuit_board(L - 6, w - 6, 0, 0, t / 3, rng, chips=4)
    parts += coil_magnet(L * 0.15, 0, min(w, L) * 0.22, t / 2, t * 0.55)
    parts += [
        Prism(
            "brass", (centred_rect(18, 2, -L / 2 - 9, -w * 0.2), centred_rect(18, 2, -L / 2 - 9, w * 0.2)), 4.8, t / 2
        )
    ]
    return _clutter(
        "charger", parts, rng, pick(rng, ["USB wall charger", "phone charger 20W", "power adapter"]), "850440", (5, 30)
    )


@kind("earbuds", None, weight=1.0)
def earbuds(rng: np.random.Generator) -> SimObject:
    L, w, t = rng.uniform(45, 65), rng.uniform(40, 55), rng.uniform(20, 28)
    parts: list[Part] = hollow("polycarbonate", rounded_rect(L, w, 15), t, 1.5, t / 2)
    parts += [
        Prism(
            "lithium_cobalt_oxide",
            (centred_rect(30, 12, 0, -w * 0.2),),
            5,
            4,
            mix=(("lithium_cobalt_oxide", 0.2), ("graphite", 0.2), ("copper", 0.05)),
        )
    ]
    for x in (-L * 0.2, L * 0.2):
        parts += coil_magnet(x, w * 0.15, 6, t / 2, 6)
    parts += circuit_board(25, 10, 0, 0, 3, rng, chips=2, thickness=0.8)
    return _clutter("earbuds", parts, rng, "wireless earbuds", "851830", (15, 120))


@kind("cosmetics", None, weight=2.0)
def cosmetics(rng: np.random.Generator) -> SimObject:
    """Lipstick, compact powder with mirror, or a cream jar."""
    sort = pick(rng, ["lipstick", "compact", "cream"])
    if sort == "lipstick":
        parts: list[Part] = [
            *tube("aluminium", (0, 0), (75, 0), 10, 0.6, 10),
            Cylinder("polyethylene", (5, 0), (55, 0), 6, 6, 10),
        ]
        desc, hs = "lipstick", "330410"
    elif sort == "compact":
        r = rng.uniform(30, 40)
        parts = [
            *ring("abs", r, r - 2, 12, 6),
            Prism("glass", (circle(r - 3),), 1.5, 10),
            Prism("glass", (circle(r - 4),), 4, 4, mix=(("glass", 0.4), ("salt", 0.05)), fill=0.6),
        ]
        desc, hs = "compact face powder", "330491"
    else:
        r, h = rng.uniform(25, 40), rng.uniform(30, 50)
        mat = pick(rng, ["glass", "polypropylene"])
        parts = [
            *ring(mat, r, r - 3, h, h / 2),
            Prism(mat, (circle(r),), 4, 2),
            Prism("water", (circle(r - 3),), h * 0.7, h * 0.4, fill=0.9),
            Prism("polypropylene", (circle(r + 1),), 10, h + 5, fill=0.4),
        ]
        desc, hs = "face cream", "330499"
    return _clutter("cosmetics", parts, rng, desc, hs, (4, 40))


@kind("food_tin", None, weight=1.5)
def food_tin(rng: np.random.Generator) -> SimObject:
    """A tinplate can of food lying or standing."""
    r, L = rng.uniform(32, 52), rng.uniform(50, 120)
    if rng.random() < 0.5:
        parts: list[Part] = [
            *tube("steel", (0, 0), (L, 0), r, 0.2, r),
            Cylinder("water", (0.5, 0), (L - 0.5, 0), r - 0.3, r - 0.3, r, fill=0.9),
        ]
    else:
        parts = [
            *ring("steel", r, r - 1.2, L, L / 2),
            Prism("steel", (circle(r),), 0.5, 0.25),
            Prism("steel", (circle(r),), 0.5, L - 0.25),
            Prism("water", (circle(r - 1.2),), L - 2, L / 2, fill=0.9),
        ]
    return _clutter(
        "food_tin", parts, rng, pick(rng, ["canned tuna", "canned tomatoes", "canned soup"]), "160414", (1, 6)
    )


@kind("chocolate", None, weight=1.0)
def chocolate(rng: np.random.Generator) -> SimObject:
    L, w, t = rng.uniform(150, 180), rng.uniform(70, 85), rng.uniform(8, 14)
    parts: list[Part] = [
        Prism("sugar", (centred_rect(L, w),), t, t / 2, mix=(("sugar", 0.5), ("polyethylene", 0.4))),
        Prism("aluminium", (centred_rect(L + 2, w + 2),), t + 1, t / 2, fill=0.02 / (t + 1)),
    ]
    return _clutter("chocolate", parts, rng, "chocolate bars", "180632", (2, 8))


@kind("documents", None, weight=2.0)
def documents(rng: np.random.Generator) -> SimObject:
    n = int(rng.integers(1, 30))
    t = 0.1 * n + 0.2
    parts: list[Part] = [Prism("paper", (centred_rect(297, 210),), t, t / 2, texture=0.05, seed=seed(rng))]
    if rng.random() < 0.5:
        parts += [Prism("steel", (centred_rect(12, 1, -130, 90),), 6, t / 2, fill=0.1)]  # staple / clip
    return _clutter("documents", parts, rng, "invoice and documents", "491199", (0, 1))


@kind("hardware_bag", None, weight=1.5)
def hardware_bag(rng: np.random.Generator) -> SimObject:
    """A bag of screws, nuts, bolts and washers."""
    n = int(rng.integers(8, 40))
    side = 30 + 8 * math.sqrt(n)
    parts: list[Part] = []
    mat = pick(rng, ["steel", "stainless_steel", "zinc", "brass"])
    pts = rng.uniform(-side / 2, side / 2, size=(n, 2))
    for i, (x, y) in enumerate(pts):
        a = rng.uniform(0, 180)
        if i % 3 == 0:
            L = rng.uniform(12, 60)
            c, s = math.cos(math.radians(a)), math.sin(math.radians(a))
            parts += [Cylinder(mat, (x, y), (x + c * L, y + s * L), rng.uniform(1.5, 4), rng.uniform(1.5, 4), 4)]
        else:
            r = rng.uniform(3, 9)
            parts += ring(mat, r, r * 0.5, rng.uniform(1, 6), 2, x, y, n=12)
    parts += [Prism("polyethylene", (rounded_rect(side + 30, side + 30, 3),), 10, 4, fill=0.01, in_mask=False)]
    return _clutter(
        "hardware_bag",
        parts,
        rng,
        pick(rng, ["screws and bolts", "furniture fittings", "wall plugs and screws"]),
        "731815",
        (2, 15),
    )


@kind("keys", None, weight=1.0)
def keys(rng: np.random.Generator) -> SimObject:
    """A key ring with 2-6 keys fanned out a little: round or square bows, toothed blades."""
    n = int(rng.integers(2, 7))
    parts: list[Part] = ring("steel", 14, 12.5, 2.5, 1.5)
    base = rng.uniform(0, 360)
    for i in range(n):
        a = math.radians(base + rng.normal(0, 25))
        L = rng.uniform(35, 55)
        notches = [-3 - rng.uniform(0, 3) * (k % 2) for k in range(1, 8)]
        c, s = math.cos(a), math.sin(a)
        rot = np.array([[c, s], [-s, c]])
        if rng.random() < 0.6:
            r_bow = rng.uniform(9, 13)
            bow, x0 = circle(r_bow, 12, 0, 14), 12 + r_bow
        else:
            bow, x0 = rounded_rect(22, 24, 5, 12, 0), 23.0
        # the blade starts where the bow ends: one piece of metal, not two lying on each other
        teeth = [(x0 + L * k / 8, y) for k, y in enumerate(notches, start=1)]
        outline = poly([(x0, 4), (x0 + L, 3), (x0 + L + 3, 0), *reversed(teeth), (x0, -5)])
        parts += [
            Prism(
                pick(rng, ["brass", "nickel", "steel"]),
                (outline @ rot + [8 * c, 8 * s], bow @ rot + [8 * c, 8 * s]),
                2.2,
                1.5 + i * 2.2,
            )
        ]
    return _clutter("keys", parts, rng, "keys", "830170", (1, 10))


@kind("coins", None, weight=1.0)
def coins(rng: np.random.Generator) -> SimObject:
    n = int(rng.integers(3, 25))
    side = 30 + 10 * math.sqrt(n)
    discs = [circle(rng.uniform(8, 13.5), x, y, 16) for x, y in rng.uniform(-side / 2, side / 2, size=(n, 2))]
    parts: list[Part] = [
        Prism(pick(rng, ["brass", "nickel", "steel"]), tuple(discs[: n // 2 + 1]), 2.0, 1.0),
        Prism(pick(rng, ["brass", "copper", "nickel"]), tuple(discs[n // 2 + 1 :]) or (circle(10),), 2.0, 3.0),
    ]
    return _clutter("coins", parts, rng, "coin collection", "711890", (1, 20))


@kind("jewellery", None, weight=1.0)
def jewellery(rng: np.random.Generator) -> SimObject:
    metal = pick(rng, ["silver", "gold", "brass", "stainless_steel"])
    path = cable_path(rng, (0, 0), rng.uniform(250, 500), step=6, curl=0.5)
    parts: list[Part] = [Prism(metal, (polyline_band(path, 1.6),), 1.2, 1, fill=0.5)]
    for _ in range(int(rng.integers(0, 3))):
        x, y = rng.uniform(-40, 40, size=2)
        parts += ring(metal, 10, 8.5, 2.5, 1.25, float(x), float(y))
    parts += hollow("cardboard", rounded_rect(90, 90, 5), 30, 1.5, 15, in_mask=False)
    return _clutter(
        "jewellery",
        parts,
        rng,
        pick(rng, ["necklace", "silver jewellery", "fashion jewellery"]),
        "711311" if metal == "silver" else "711719",
        (5, 200),
    )


@kind("umbrella", None, weight=0.8)
def umbrella(rng: np.random.Generator) -> SimObject:
    """A folded umbrella: shaft, 8 ribs, nylon canopy, handle."""
    L = rng.uniform(230, 330)
    parts: list[Part] = [*tube(pick(rng, ["steel", "aluminium"]), (0, 0), (L, 0), 5, 0.6, 14)]
    for k in range(8):
        a = 2 * math.pi * k / 8
        parts += [Cylinder("steel", (20, 9 * math.sin(a)), (L - 10, 8 * math.sin(a)), 1.0, 1.0, 14 + 9 * math.cos(a))]
    parts += [
        Cylinder("nylon", (15, 0), (L, 0), 16, 12, 14, fill=0.15),
        Cylinder(pick(rng, ["abs", "cellulose"]), (-90, 0), (0, 0), 14, 12, 14, fill=0.6),
    ]
    return _clutter("umbrella", parts, rng, "folding umbrella", "660191", (5, 25))


@kind("scissors", None, weight=1.0)
def scissors(rng: np.random.Generator) -> SimObject:
    L = rng.uniform(130, 220)
    bl = L * 0.5
    parts: list[Part] = [
        Prism(
            "stainless_steel",
            (poly([(0, -2), (bl, -1), (bl, 2), (0, 6)]), poly([(0, 2), (bl, 1), (bl, -2), (0, -6)])),
            2.5,
            2.5,
        ),
        Prism("steel", (circle(4),), 5, 2.5),
        *ring("polypropylene", 22, 14, 8, 4, -L * 0.3, 18),
        *ring("polypropylene", 22, 14, 8, 4, -L * 0.3, -18),
        Prism("stainless_steel", (rect(-L * 0.3, -3, 0, 3),), 2.5, 2.5),
    ]
    return _clutter("scissors", parts, rng, "scissors", "821300", (3, 15))


@kind("cutlery", None, weight=0.8)
def cutlery(rng: np.random.Generator) -> SimObject:
    n = int(rng.integers(2, 7))
    parts: list[Part] = []
    for i in range(n):
        L = rng.uniform(170, 210)
        y = i * 22
        head = pick(rng, ["spoon", "fork"])
        parts += [Prism("stainless_steel", (rounded_rect(L * 0.65, 10, 4, -L * 0.17, y),), 2.5, 1.25 + i * 0.5)]
        if head == "spoon":
            parts += [
                Prism("stainless_steel", (rounded_rect(L * 0.35, 40, 18, L * 0.33, y),), 1.5, 1.0 + i * 0.5, edge=0.7)
            ]
        else:
            parts += [
                Prism(
                    "stainless_steel",
                    tuple(rect(L * 0.2, y - 11 + 6 * k, L * 0.5, y - 8 + 6 * k) for k in range(4)),
                    2,
                    1.0 + i * 0.5,
                )
            ]
    return _clutter("cutlery", parts, rng, "stainless steel cutlery set", "821599", (5, 30))


@kind("aa_batteries", None, weight=1.0)
def aa_batteries(rng: np.random.Generator) -> SimObject:
    """A blister of alkaline AA / AAA cells (not lithium: a confuser for cells)."""
    n = int(rng.choice([2, 4, 8]))
    r, L = (7.2, 50.0) if rng.random() < 0.7 else (5.2, 44.0)
    parts: list[Part] = []
    for i in range(n):
        y = i * (2 * r + 0.5)
        parts += [
            Cylinder("steel", (0, y), (L, y), r, r, r, fill=0.12),
            Cylinder(
                "zinc", (1, y), (L - 1, y), r - 0.4, r - 0.4, r, mix=(("zinc", 0.22), ("iron", 0.12), ("water", 0.2))
            ),
        ]
    parts += [Prism("pet", (rect(-8, -r - 8, L + 8, n * (2 * r + 0.5) + 4),), 2 * r + 2, r, fill=0.02, in_mask=False)]
    return _clutter("aa_batteries", parts, rng, "alkaline batteries AA", "850610", (3, 12))


@kind("mug", None, weight=1.0)
def mug(rng: np.random.Generator) -> SimObject:
    r, h = rng.uniform(38, 45), rng.uniform(85, 105)
    parts: list[Part] = [
        *ring("ceramic", r, r - 4.5, h, h / 2),
        Prism("ceramic", (circle(r - 4.5),), 6, 3, mix=(("ceramic", 0.6),)),
        *ring("ceramic", 22, 15, 12, h / 2, r + 12, 0),
    ]
    return _clutter("mug", parts, rng, "ceramic mug", "691200", (3, 15))


@kind("vacuum_flask", None, weight=0.8)
def vacuum_flask(rng: np.random.Generator) -> SimObject:
    r, L = rng.uniform(33, 42), rng.uniform(200, 290)
    parts: list[Part] = [
        *tube("stainless_steel", (0, 0), (L, 0), r, 0.5, r),
        *tube("stainless_steel", (5, 0), (L - 5, 0), r - 4, 0.4, r),
        Cylinder("polypropylene", (L, 0), (L + 40, 0), r - 2, r - 2, r, fill=0.3),
    ]
    return _clutter("vacuum_flask", parts, rng, "stainless steel vacuum flask", "961700", (8, 35))


@kind("sunglasses", None, weight=0.8)
def sunglasses(rng: np.random.Generator) -> SimObject:
    parts: list[Part] = [
        *hollow("polycarbonate", rounded_rect(160, 60, 20), 45, 1.5, 22, in_mask=False),
        Prism("polycarbonate", (rounded_rect(55, 45, 15, -32, 0), rounded_rect(55, 45, 15, 32, 0)), 2.5, 20),
        Prism(
            pick(rng, ["nylon", "stainless_steel"]), (rect(-68, 20, 68, 24), rect(-70, -24, 70, -20)), 4, 22, fill=0.5
        ),
    ]
    return _clutter("sunglasses", parts, rng, "sunglasses", "900410", (5, 80))


@kind("belt", None, weight=0.8)
def belt(rng: np.random.Generator) -> SimObject:
    path = cable_path(rng, (0, 0), rng.uniform(700, 1100), step=25, curl=0.25)
    parts: list[Part] = [
        Prism("leather", (polyline_band(path[: len(path) // 2 + 1], 35),), 3.5, 1.75, fill=0.9),
        Prism("leather", (polyline_band(path[len(path) // 2 :], 35),), 3.5, 5.25, fill=0.9),
    ]
    x, y = path[0]
    parts += ring(pick(rng, ["zinc", "steel", "brass"]), 30, 22, 5, 2.5, float(x), float(y))
    return _clutter("belt", parts, rng, "leather belt", "420330", (8, 50))


@kind("pens", None, weight=1.0)
def pens(rng: np.random.Generator) -> SimObject:
    n = int(rng.integers(1, 6))
    parts: list[Part] = []
    for i in range(n):
        y = i * 12.0
        parts += [
            Cylinder(pick(rng, ["polypropylene", "polystyrene", "aluminium"]), (0, y), (140, y), 5, 4.5, 5, fill=0.3),
            Cylinder("brass", (0, y), (120, y), 1.5, 1.5, 5, fill=0.4),
            Cylinder("steel", (70, y), (90, y), 2, 2, 5, fill=0.15),
        ]
    return _clutter("pens", parts, rng, "ballpoint pens", "960810", (1, 10))


@kind("mouse", None, weight=0.8)
def mouse(rng: np.random.Generator) -> SimObject:
    parts: list[Part] = [*hollow("abs", rounded_rect(110, 62, 28), 36, 1.8, 18)]
    parts += circuit_board(70, 40, 0, 0, 6, rng, chips=3)
    parts += _aa_like(rng)
    return _clutter("mouse", parts, rng, "wireless mouse", "847160", (5, 40))


def _aa_like(rng: np.random.Generator) -> list[Part]:
    return [
        Cylinder("steel", (-30, 12), (20, 12), 7.2, 7.2, 10, fill=0.12),
        Cylinder("zinc", (-29, 12), (19, 12), 6.8, 6.8, 10, mix=(("zinc", 0.22), ("iron", 0.12), ("water", 0.2))),
    ]
