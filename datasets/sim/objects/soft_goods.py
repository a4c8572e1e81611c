"""Shoes, clothing and books: mostly organic, textured, with small metal details (shanks, eyelets, zippers)."""

from __future__ import annotations

import numpy as np

from datasets.sim.geometry import Cavity, Part, Prism, SimObject
from datasets.sim.objects.base import kind, pick, seed, value_eur
from datasets.sim.shapes import box_shell, centred_rect, circle, ellipse, hollow, poly, rect, rounded_rect, soft_outline

SHOE_BRANDS = ["Nike", "Adidas", "Puma", "New Balance", "Skechers", "Vans", "Converse", "Clarks", "ECCO", "Timberland"]


def _sole_outline(length: float, width: float) -> np.ndarray:
    """A foot-shaped outline, heel at x = 0, toe at x = length."""
    pts = [
        (0.0, 0.0),
        (0.02, 0.3),
        (0.12, 0.38),
        (0.35, 0.36),
        (0.6, 0.44),
        (0.8, 0.5),
        (0.93, 0.42),
        (1.0, 0.15),
        (0.98, -0.1),
        (0.88, -0.35),
        (0.7, -0.45),
        (0.5, -0.3),
        (0.3, -0.3),
        (0.1, -0.36),
        (0.02, -0.28),
    ]
    return poly([(x * length, y * width) for x, y in pts])


def _shoe(
    rng: np.random.Generator, length: float, width: float, style: str, dy: float, mirror: bool
) -> tuple[list[Part], Cavity]:
    s = -1 if mirror else 1
    out = _sole_outline(length, width) * [1, s] + [0, dy]
    sole_t = rng.uniform(10, 16) if style != "boot" else rng.uniform(15, 24)
    upper_h = {"sneaker": rng.uniform(55, 75), "boot": rng.uniform(110, 160), "dress": rng.uniform(50, 65)}[style]
    upper_mat = {"sneaker": pick(rng, ["nylon", "pet", "leather"]), "boot": "leather", "dress": "leather"}[style]
    parts: list[Part] = [
        Prism("rubber", (out,), sole_t * 0.45, sole_t * 0.225, fill=0.9, texture=0.1, texture_mm=6, seed=seed(rng)),
        Prism(
            pick(rng, ["polyethylene", "pu_foam"]),
            (out,),
            sole_t * 0.55,
            sole_t * 0.72,
            fill=0.25 if style == "sneaker" else 0.5,
        ),  # midsole foam (EVA)
        Prism(
            "rubber",
            (rounded_rect(length * 0.25, width * 0.55, 8, length * 0.13, dy),),
            12 if style == "dress" else 4,
            sole_t + 2,
            fill=0.8,
        ),  # heel block
        *hollow(upper_mat, out, upper_h, 2.5, sole_t + upper_h / 2, fill=0.7 if upper_mat == "leather" else 0.4),
        Prism("cotton", (out,), 4, sole_t + 2, fill=0.3),  # insole
    ]
    if style != "sneaker" or rng.random() < 0.3:  # steel shank in the waist of the sole
        parts += [Prism("steel", (centred_rect(length * 0.33, 12, length * 0.42, dy),), 1.5, sole_t * 0.6)]
    if style in ("sneaker", "boot"):
        n = int(rng.integers(5, 9)) if style == "sneaker" else int(rng.integers(7, 12))
        xs = np.linspace(length * 0.45, length * 0.75, n)
        holes = tuple(circle(2.4, x, dy + sgn * width * 0.12, 10) for x in xs for sgn in (-1, 1))
        metal = style == "boot" or rng.random() < 0.4
        parts += [
            Prism(
                "brass" if metal else "polypropylene", holes, 2.0, sole_t + upper_h * 0.8, fill=0.45 if metal else 0.3
            )
        ]
        parts += [
            Prism(
                "cotton",
                (centred_rect(length * 0.32, width * 0.28, length * 0.6, dy),),
                3,
                sole_t + upper_h * 0.85,
                fill=0.25,
            )
        ]  # laces
    if style == "boot" and rng.random() < 0.5:
        parts += [
            Prism("steel", (centred_rect(length * 0.2, width * 0.8, length * 0.88, dy),), 30, sole_t + 15, fill=0.06)
        ]  # steel toe cap
    cav = Cavity(length * 0.2, dy - width * 0.32, length * 0.88, dy + width * 0.32, sole_t + 2, upper_h * 0.7)
    return parts, cav


@kind("shoes_pair", "shoes", weight=4.0)
def shoes_pair(rng: np.random.Generator) -> SimObject:
    """A pair of shoes side by side (toes same way or alternated), often in a shoe box with tissue paper."""
    style = pick(rng, ["sneaker", "sneaker", "sneaker", "dress", "boot"])
    length, width = rng.uniform(240, 310), rng.uniform(88, 110)
    gap = width + rng.uniform(5, 30)
    left, cav_l = _shoe(rng, length, width, style, 0.0, False)
    right, cav_r = _shoe(rng, length, width, style, gap, True)
    parts = left + right
    if rng.random() < 0.55:
        bh = max(p.z + p.half_height for p in parts) + 8
        parts += box_shell(
            "cardboard", length + 30, gap + width + 30, bh, 1.6, cx=length / 2, cy=gap / 2, z0=-4, in_mask=False
        )
        parts += [
            Prism(
                "paper",
                (centred_rect(length + 20, gap + width + 20, length / 2, gap / 2),),
                20,
                bh - 12,
                fill=0.01,
                in_mask=False,
                texture=0.6,
                texture_mm=25,
                seed=seed(rng),
            )
        ]
    return SimObject(
        "shoes_pair",
        "shoes",
        parts,
        value_eur("shoes", rng),
        {"brand": pick(rng, SHOE_BRANDS), "style": style},
        [cav_l, cav_r],
    )


GARMENTS = {  # name: (fibre material, mass range per garment in g, folded bulk thickness mm)
    "T-shirt": ("cotton", (140, 220), (6, 12)),
    "shirt": ("cotton", (180, 280), (8, 14)),
    "jeans": ("cotton", (450, 750), (18, 30)),
    "hoodie": ("cotton", (450, 750), (25, 40)),
    "sweater": ("wool", (300, 550), (20, 35)),
    "dress": ("pet", (200, 400), (10, 20)),
    "jacket": ("nylon", (600, 1200), (35, 60)),
    "leggings": ("nylon", (150, 260), (6, 12)),
    "socks": ("cotton", (40, 70), (10, 16)),
}


@kind("folded_clothing", "clothing", weight=5.0)
def folded_clothing(rng: np.random.Generator) -> SimObject:
    """1-5 folded garments of one type stacked (one stack = one unit), in a thin polybag; textured folds,
    zippers, buttons, rivets, snaps."""
    garment = pick(rng, list(GARMENTS))
    fibre, (mlo, mhi), (tlo, thi) = GARMENTS[garment]
    n = int(rng.choice([1, 1, 1, 2, 2, 3, 5])) if garment != "jacket" else 1
    L, w = rng.uniform(240, 340), rng.uniform(170, 280)
    if garment == "socks":
        L, w = rng.uniform(150, 220), rng.uniform(80, 120)
    parts: list[Part] = []
    z = 0.0
    for _ in range(n):
        mass = rng.uniform(mlo, mhi)
        t = rng.uniform(tlo, thi)
        dx, dy = rng.uniform(-12, 12, size=2)
        fill = min(0.95, mass / (1.5 * L * w * t / 1000))  # bulk fill from garment mass
        outline = soft_outline(rng, L, w, radius=rng.uniform(8, 30), wobble=rng.uniform(0.02, 0.07), cx=dx, cy=dy)
        fold = rng.uniform(0.25, 0.5)  # a folded-over flap (sleeves, a hem): one more fabric layer on part of it
        flap = soft_outline(
            rng,
            L * fold,
            w * rng.uniform(0.6, 0.95),
            radius=10,
            wobble=0.08,
            cx=dx + L * (0.5 - fold / 2) * rng.choice([-1, 1]),
            cy=dy,
        )
        parts += [
            Prism(
                fibre,
                (outline,),
                t,
                z + t / 2,
                edge=min(t / 2, 6),
                fill=fill,
                texture=0.35,
                texture_mm=rng.uniform(15, 35),
                seed=seed(rng),
            ),
            Prism(
                fibre,
                (flap,),
                t * 0.3,
                z + t * 0.85,
                edge=min(t * 0.15, 3),
                fill=fill,
                texture=0.4,
                texture_mm=rng.uniform(10, 25),
                seed=seed(rng),
            ),
        ]
        if garment in ("jeans", "jacket", "hoodie") or rng.random() < 0.15:  # zipper: metal or plastic teeth
            metal = garment == "jeans" or rng.random() < 0.6
            zl = rng.uniform(0.3, 0.9) * L if garment != "jeans" else 110
            x0, y0 = dx - L / 2 + rng.uniform(0.05, 0.6) * L, dy + rng.uniform(-0.3, 0.3) * w
            x0 = min(x0, dx + L / 2 - zl)
            teeth = tuple(centred_rect(2.2, 6, x0 + i * 3.0, y0) for i in range(int(zl / 3)))
            parts += [
                Prism(pick(rng, ["brass", "zinc", "nickel"]) if metal else "pom", teeth, 2.5, z + t - 2, fill=0.8)
            ]
            parts += [Prism("pet", (centred_rect(zl, 24, x0 + zl / 2, y0),), 1.0, z + t - 2)]
        if garment in ("shirt", "jeans", "jacket", "dress") or rng.random() < 0.2:  # buttons / rivets
            k = int(rng.integers(2, 9))
            pts = [(dx + rng.uniform(-0.45, 0.45) * L, dy + rng.uniform(-0.45, 0.45) * w) for _ in range(k)]
            metal = garment in ("jeans", "jacket") and rng.random() < 0.8
            parts += [
                Prism(
                    "brass" if metal else "polyethylene",
                    tuple(circle(rng.uniform(5, 8) if metal else rng.uniform(5, 7), x, y, 12) for x, y in pts),
                    2.0,
                    z + t - 1,
                    fill=0.6 if metal else 0.8,
                )
            ]
        z += t * rng.uniform(0.85, 1.0)
    if rng.random() < 0.7:
        parts += [
            Prism(
                "polyethylene",
                (rounded_rect(L + 30, w + 30, 5),),
                z + 2,
                z / 2 + 0.5,
                fill=0.1 / (z + 2),
                in_mask=False,
            )
        ]
    return SimObject(
        "folded_clothing",
        "clothing",
        parts,
        value_eur("clothing", rng, n**0.7),
        {"garment": garment, "fibre": fibre, "count": n},
    )


BOOK_KINDS = ("paperback", "hardcover", "brochure", "board_book")


@kind("book", "book", weight=4.0)
def book(rng: np.random.Generator) -> SimObject:
    """A book: paper block (coated paper carries mineral filler: greener), covers, hardcover boards."""
    style = pick(rng, list(BOOK_KINDS))
    L, w = rng.uniform(175, 290), rng.uniform(110, 215)
    t = {
        "paperback": rng.uniform(12, 40),
        "hardcover": rng.uniform(18, 55),
        "brochure": rng.uniform(3, 9),
        "board_book": rng.uniform(15, 25),
    }[style]
    coated = style == "brochure" or rng.random() < 0.25
    mix = (("paper", 0.92), ("glass", 0.09)) if coated else (("paper", 1.0),)
    parts: list[Part] = [
        Prism(
            "paper",
            (centred_rect(L, w),),
            t,
            t / 2,
            fill=1.0 if style != "board_book" else 0.85,
            mix=mix,
            texture=0.03,
            texture_mm=40,
            seed=seed(rng),
        )
    ]
    if style == "hardcover":
        parts += [
            Prism("cardboard", (centred_rect(L + 6, w + 4),), 2.5, t + 1.25, fill=0.95),
            Prism("cardboard", (centred_rect(L + 6, w + 4),), 2.5, -1.25, fill=0.95),
            Prism("cardboard", (rect(-L / 2 - 3, -w / 2 - 6, L / 2 + 3, -w / 2 - 2),), t + 5, t / 2, fill=0.6),
        ]
    value = value_eur("book", rng, 0.4 if style == "brochure" else 1.0)
    title = pick(rng, ["novel", "cookbook", "textbook", "children's book", "comic", "atlas", "art book", "dictionary"])
    return SimObject(
        "book", "book", parts, value, {"style": style, "title": title if style != "brochure" else "brochure"}
    )


@kind("plush_toy", "toy", weight=1.0)
def plush_toy(rng: np.random.Generator) -> SimObject:
    """A stuffed toy: polyester fibre fill, plastic eyes, sometimes a sound box with button cells."""
    L, w, t = rng.uniform(150, 350), rng.uniform(100, 220), rng.uniform(60, 140)
    parts: list[Part] = [
        Prism(
            "pet",
            (ellipse(L / 2, w / 2, 0, 0, 0, 28),),
            t,
            t / 2,
            edge=t / 2 - 1,
            fill=0.03,
            texture=0.4,
            texture_mm=30,
            seed=seed(rng),
        ),
        Prism("pet", (ellipse(L / 2 + 2, w / 2 + 2, 0, 0, 0, 28),), t + 2, t / 2, edge=t / 2, fill=0.012),  # skin
        Prism("polycarbonate", (circle(6, L * 0.3, -w * 0.12), circle(6, L * 0.3, w * 0.12)), 6, t * 0.7),
    ]
    cav = Cavity(-L * 0.3, -w * 0.25, L * 0.2, w * 0.25, t * 0.2, t * 0.6)
    if rng.random() < 0.3:
        parts += [Prism("abs", (centred_rect(40, 30),), 15, t / 2, fill=0.4)]
        parts += [
            Prism("steel", (circle(5.8, -8, 0), circle(5.8, 8, 0)), 5.4, t / 2, mix=(("steel", 0.35), ("zinc", 0.25)))
        ]
    return SimObject("plush_toy", "toy", parts, value_eur("toy", rng), {"toy": "plush toy"}, [cav])
