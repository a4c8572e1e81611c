"""Firearms and knives, at real sizes (mm) and masses.

Firearms lie on their side (the beam crosses the weapon's width), so outlines are side profiles. Pistol: steel
slide (U channel), barrel, recoil spring, polymer or metal frame, magazine with cartridges; about 0.65-1.1 kg.
Revolver: steel frame, cylinder with six chambers (loaded or not), barrel, wooden or rubber grip; 0.7-1.2 kg.
"""

from __future__ import annotations

import math

import numpy as np

from datasets.sim.geometry import Cylinder, Part, Prism, SimObject, transform_part
from datasets.sim.objects.base import kind, pick, screws, value_eur
from datasets.sim.shapes import centred_rect, circle, hollow, poly, rect, rounded_rect, tube

CARTRIDGE_CASE = (("brass", 0.3), ("gunpowder", 0.45))
BULLET = (("lead", 0.8), ("copper", 0.18))


def _round_lying(
    x: float, y: float, z: float, angle: float, case_r: float, case_l: float, bullet_l: float
) -> list[Part]:
    """One cartridge lying along +x (rotated by ``angle``) with its base at (x, y)."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    p0, p1 = (x, y), (x + c * case_l, y + s * case_l)
    p2 = (x + c * (case_l + bullet_l), y + s * (case_l + bullet_l))
    return [
        Cylinder("brass", p0, p1, case_r, case_r, z, mix=CARTRIDGE_CASE),
        Cylinder("lead", p1, p2, case_r * 0.92, case_r * 0.45, z, mix=BULLET),
    ]


def _pistol_parts(rng: np.random.Generator, metal_frame: bool) -> tuple[list[Part], list[Part], list[Part], float]:
    """(slide group, frame group, magazine group, width) of a semi-automatic pistol, x forward, y up."""
    L = rng.uniform(170, 205)
    hs = rng.uniform(27, 33)
    width = rng.uniform(23, 30)
    zc = width / 2
    rake = math.radians(rng.uniform(12, 22))
    gl = rng.uniform(90, 108)
    bl = L * rng.uniform(0.55, 0.62)
    slide_outline = poly([(0, 0), (L, 0), (L, hs * 0.8), (L - 6, hs), (4, hs), (0, hs * 0.85)])
    slide: list[Part] = hollow("steel", slide_outline, width, 2.3, zc)
    slide += tube("steel", (L - bl, hs * 0.45), (L - 1, hs * 0.45), rng.uniform(6.2, 7.2), 2.3, zc)
    slide += [Cylinder("steel", (L - bl + 4, -6), (L - 4, -6), 2.6, 2.6, zc, fill=0.45)]
    fmat = ("steel" if rng.random() < 0.4 else "aluminium") if metal_frame else "nylon"
    fmix = () if metal_frame else (("nylon", 0.72), ("glass", 0.28))
    tx = gl * math.tan(rake)
    grip = poly([(2, -12), (48, -12), (46 - tx, -12 - gl), (6 - tx - 10, -12 - gl), (-6, -4)])
    dust = rect(12, -13, L - 6, 0)
    guard = poly([(46, -12), (96, -12), (96, -24), (86, -38), (48, -38)])
    frame: list[Part] = [
        Prism(fmat, (dust,), width - 4, zc, fill=0.45 if metal_frame else 0.8, mix=fmix),
        *hollow(fmat, grip, width + 1, 2.8 if not metal_frame else 2.5, zc, mix=fmix),
        Prism(fmat, (guard,), 9, zc, mix=fmix),
        Prism(fmat, (poly([(55, -16), (85, -16), (80, -32), (55, -33)]),), 9, zc, fill=-1.0, mix=fmix, in_mask=False),
        Prism("steel", (rect(62, -28, 67, -13),), 6, zc),  # trigger
        Prism("steel", (rect(20, -10, 60, -4), rect(L - 30, -9, L - 14, -3)), 6, zc),  # locking block, rails
    ]
    frame += screws([(30, -8), (70, -6), (20, -40)], 1.5, zc, width)
    if metal_frame:
        frame += [
            Prism("cellulose", (grip,), 4, zc + width / 2 + 1, fill=0.5),
            Prism("cellulose", (grip,), 4, zc - width / 2 - 1, fill=0.5),
        ]
    mag_outline = poly([(10, -14), (40, -14), (40 - tx + 4, -8 - gl), (10 - tx - 4, -8 - gl)])
    magazine: list[Part] = hollow("steel", mag_outline, width * 0.72, 0.9, zc)
    magazine += [Prism("polypropylene", (rect(8 - tx - 6, -14 - gl, 44 - tx + 6, -4 - gl),), width * 0.8, zc)]
    n = int(rng.integers(0, 16)) if rng.random() < 0.7 else 0
    for i in range(n):
        yy = -17 - i * 5.6
        xx = 12 + (yy + 14) * math.tan(rake) + (2 if i % 2 else -2)
        magazine += _round_lying(xx, yy, zc + (2.4 if i % 2 else -2.4), 0.0, 4.9, 19.0, 10.0)
    return slide, frame, magazine, width


@kind("pistol", "firearm", weight=3.0)
def pistol(rng: np.random.Generator) -> SimObject:
    metal = rng.random() < 0.35
    slide, frame, mag, _ = _pistol_parts(rng, metal)
    brand = pick(rng, ["Glock 17", "Glock 19", "CZ 75", "Beretta 92", "SIG P226", "Colt 1911", "Walther P99"])
    return SimObject("pistol", "firearm", slide + frame + mag, value_eur("firearm", rng), {"model": brand})


@kind("pistol_disassembled", "firearm", weight=1.0)
def pistol_disassembled(rng: np.random.Generator) -> SimObject:
    """Field-stripped pistol: slide, frame and magazine laid next to each other (still one weapon)."""
    slide, frame, mag, _ = _pistol_parts(rng, rng.random() < 0.3)
    # Each piece moves as one rigid body: a hollow's inner part must stay inside its shell (moved part by part, as
    # before, the X-ray saw 1.6-2.2x the pistol's mass). One move per part is still drawn and the first one used,
    # so the random stream, and with it every other object of a parcel, stays as it was.
    slide_moves = [(rng.uniform(-8, 8), rng.uniform(-10, 10), 45 + rng.uniform(0, 25)) for _ in slide]
    parts = [transform_part(p, *slide_moves[0], 0) for p in slide]
    parts += frame
    mag_moves = [(rng.uniform(-30, 30), 150 + rng.uniform(0, 20), rng.uniform(-30, 0)) for _ in mag]
    parts += [transform_part(p, *mag_moves[0], 0) for p in mag]
    return SimObject("pistol_disassembled", "firearm", parts, value_eur("firearm", rng), {"model": "pistol parts"})


@kind("revolver", "firearm", weight=1.5)
def revolver(rng: np.random.Generator) -> SimObject:
    width = rng.uniform(34, 40)
    zc = width / 2
    cyl_r = rng.uniform(17, 20)
    cyl_l = rng.uniform(38, 44)
    bl = rng.uniform(50, 155)
    x_cyl = 40.0
    frame_outline = poly(
        [(0, 0), (x_cyl + cyl_l + 12, 0), (x_cyl + cyl_l + 12, 2 * cyl_r + 8), (20, 2 * cyl_r + 8), (0, 2 * cyl_r - 4)]
    )
    parts: list[Part] = [
        Prism("steel", (frame_outline,), 15, zc),
        Prism("steel", (rect(x_cyl, 3, x_cyl + cyl_l, 2 * cyl_r + 4),), 15, zc, fill=-1.0, in_mask=False),
        Cylinder("steel", (x_cyl, cyl_r + 4), (x_cyl + cyl_l, cyl_r + 4), cyl_r, cyl_r, zc),
    ]
    loaded = rng.random() < 0.6
    for k in range(6):
        a = 2 * math.pi * k / 6 + rng.uniform(0, 0.5)
        y = cyl_r + 4 + 0.62 * cyl_r * math.sin(a)
        z = zc + 0.62 * cyl_r * math.cos(a)
        parts.append(Cylinder("steel", (x_cyl, y), (x_cyl + cyl_l, y), 4.8, 4.8, z, fill=-1.0, in_mask=False))
        if loaded:
            parts.append(Cylinder("brass", (x_cyl, y), (x_cyl + cyl_l * 0.75, y), 4.7, 4.7, z, mix=CARTRIDGE_CASE))
            parts.append(Cylinder("lead", (x_cyl + cyl_l * 0.75, y), (x_cyl + cyl_l - 1, y), 4.3, 3.0, z, mix=BULLET))
    xb = x_cyl + cyl_l + 12
    parts += tube("steel", (xb, 2 * cyl_r), (xb + bl, 2 * cyl_r), 8.5, 4.4, zc)
    parts += [Prism("steel", (rect(xb, 2 * cyl_r - 14, xb + bl * 0.8, 2 * cyl_r - 6),), 10, zc)]  # ejector lug
    grip = poly([(2, 2), (30, 2), (20, -95), (-12, -92), (-8, -30)])
    parts += [Prism("steel", (grip,), 13, zc, fill=0.45)]
    gmat = pick(rng, ["cellulose", "rubber", "nylon"])
    parts += [Prism(gmat, (grip,), width - 6, zc, fill=0.55 if gmat == "cellulose" else 0.75)]
    parts += hollow("steel", poly([(30, 0), (66, 0), (62, -30), (36, -28)]), 8, 3, zc)  # trigger guard
    parts += [Prism("steel", (poly([(-6, 2 * cyl_r), (14, 2 * cyl_r + 6), (10, 2 * cyl_r - 8)]),), 8, zc)]  # hammer
    brand = pick(rng, ["Smith & Wesson Model 10", "Colt Python", "Ruger GP100", "Taurus 85"])
    return SimObject("revolver", "firearm", parts, value_eur("firearm", rng), {"model": brand})


@kind("rifle_barrel", "firearm", weight=0.8)
def rifle_barrel(rng: np.random.Generator) -> SimObject:
    """A long-gun barrel (parts trafficking), sometimes with its receiver and bolt."""
    with_receiver = rng.random() < 0.5
    L = rng.uniform(380, 520) if with_receiver else rng.uniform(380, 650)
    r_chamber, r_muzzle = rng.uniform(13, 15), rng.uniform(8.5, 10.5)
    bore = rng.uniform(2.8, 4.6)
    z = r_chamber
    parts: list[Part] = [
        Cylinder("steel", (0, 0), (L, 0), r_chamber, r_muzzle, z),
        Cylinder("steel", (0, 0), (L, 0), bore, bore, z, fill=-1.0, in_mask=False),
    ]
    if with_receiver:
        parts += tube("steel", (-210, 0), (0, 0), 16, 3.5, z)
        parts += [Cylinder("steel", (-190, 0), (-70, 0), 9, 9, z), Prism("steel", (rect(-120, -3, -100, 45),), 10, z)]
    return SimObject("rifle_barrel", "firearm", parts, value_eur("firearm", rng), {"model": "rifle barrel"})


# --- knives -------------------------------------------------------------------------------------------------------
def _blade(length: float, width: float, style: str) -> np.ndarray:
    if style == "chef":
        return poly(
            [
                (0, 0),
                (0.6 * length, -1),
                (0.88 * length, 0.2 * width),
                (length, 0.92 * width),
                (0.97 * length, width),
                (0, width),
            ]
        )
    if style == "drop":
        return poly([(0, 0), (0.7 * length, 0), (length, 0.55 * width), (0.8 * length, 0.95 * width), (0, width)])
    return poly([(0, 0), (0.75 * length, 0), (length, 0.6 * width), (length * 0.7, width), (0, width)])  # clip point


@kind("kitchen_knife", "knife", weight=2.0, concealable=True)
def kitchen_knife(rng: np.random.Generator) -> SimObject:
    L, w = rng.uniform(110, 230), rng.uniform(22, 50)
    t = rng.uniform(1.4, 2.6)
    hl, hw = rng.uniform(95, 130), rng.uniform(19, 26)
    ht = rng.uniform(14, 20)
    hmat = pick(rng, ["polypropylene", "pom", "cellulose"])
    parts: list[Part] = [
        Prism("stainless_steel", (_blade(L, w, "chef"),), t, ht / 2, edge=t / 2),
        Prism(
            hmat,
            (rounded_rect(hl, hw, 6, -hl / 2, w * 0.55),),
            ht,
            ht / 2,
            edge=ht / 3,
            fill=0.6 if hmat == "cellulose" else 1.0,
        ),
    ]
    if rng.random() < 0.6:  # full tang with rivets
        parts += [
            Prism("stainless_steel", (rect(-hl + 6, w * 0.55 - hw / 2 + 3, 0, w * 0.55 + hw / 2 - 3),), t, ht / 2)
        ]
        parts += screws([(-hl * f, w * 0.55) for f in (0.2, 0.5, 0.8)], 2.6, ht / 2, ht, pick(rng, ["brass", "steel"]))
    else:
        parts += [Prism("steel", (rect(-hl * 0.6, w * 0.5, 0, w * 0.6),), 3, ht / 2)]
    return SimObject("kitchen_knife", "knife", parts, value_eur("knife", rng), {"style": "kitchen knife"})


@kind("folding_knife", "knife", weight=2.0, concealable=True)
def folding_knife(rng: np.random.Generator) -> SimObject:
    hl, hw, ht = rng.uniform(85, 125), rng.uniform(22, 30), rng.uniform(10, 15)
    bl = hl * rng.uniform(0.75, 0.9)
    z = ht / 2
    scale_mat = pick(rng, ["fr4", "aluminium", "nylon", "cellulose"])
    parts: list[Part] = [
        Prism(scale_mat, (rounded_rect(hl, hw, 8),), ht, z, edge=2.0, fill=0.55 if scale_mat != "cellulose" else 0.35),
        Prism("stainless_steel", (rounded_rect(hl - 4, hw - 3, 6),), 2.0, z, fill=0.9),  # liners
        Prism("steel", (circle(rng.uniform(3.5, 6), hl / 2 - 9, 0),), ht, z),  # pivot
        Prism("steel", (rect(-hl / 2 + 8, hw / 2 - 2, hl / 4, hw / 2 + 1),), ht + 2, z, fill=0.12),  # clip
    ]
    if rng.random() < 0.75:  # closed: blade folded into the handle
        blade = _blade(bl, hw * 0.7, pick(rng, ["drop", "clip"]))
        parts += [
            Prism(
                "stainless_steel", (blade * np.array([-1, 1]) + np.array([hl / 2 - 6, -hw * 0.35]),), 3.0, z, edge=1.2
            )
        ]
        state = "closed"
    else:
        blade = _blade(bl, hw * 0.75, pick(rng, ["drop", "clip"])) + np.array([hl / 2 - 6, -hw * 0.4])
        parts += [Prism("stainless_steel", (blade,), 3.0, z, edge=1.2)]
        state = "open"
    return SimObject(
        "folding_knife", "knife", parts, value_eur("knife", rng), {"style": "folding knife", "state": state}
    )


@kind("fixed_blade_knife", "knife", weight=1.5, concealable=True)
def fixed_blade_knife(rng: np.random.Generator) -> SimObject:
    bl, bw, t = rng.uniform(90, 160), rng.uniform(26, 38), rng.uniform(3.0, 4.8)
    hl, ht = rng.uniform(100, 130), rng.uniform(18, 25)
    z = ht / 2
    hmat = pick(rng, ["rubber", "cellulose", "fr4", "nylon"])
    parts: list[Part] = [
        Prism("steel", (_blade(bl, bw, pick(rng, ["drop", "clip"])),), t, z, edge=t / 2),
        Prism("steel", (rect(-hl + 5, bw * 0.25, 0, bw * 0.75),), t, z),  # tang
        Prism(
            hmat,
            (rounded_rect(hl, bw * 0.85, 8, -hl / 2, bw / 2),),
            ht,
            z,
            edge=ht / 3,
            fill=0.55 if hmat == "cellulose" else 0.9,
        ),
        Prism(pick(rng, ["brass", "steel", "aluminium"]), (rect(-6, -8, 0, bw + 8),), ht, z),  # guard
    ]
    if rng.random() < 0.6:  # sheath
        parts += hollow(
            pick(rng, ["leather", "nylon"]),
            rounded_rect(bl + 25, bw + 16, 8, bl / 2 + 2, bw / 2),
            ht - 4,
            2.0,
            z,
            in_mask=False,
        )
    return SimObject("fixed_blade_knife", "knife", parts, value_eur("knife", rng), {"style": "hunting knife"})


@kind("box_cutter", "knife", weight=1.0, concealable=True)
def box_cutter(rng: np.random.Generator) -> SimObject:
    L, w = rng.uniform(130, 175), rng.uniform(17, 26)
    t = rng.uniform(11, 17)
    z = t / 2
    blade_w = 9.0 if w < 21 else 18.0
    parts: list[Part] = [
        *hollow("abs", rounded_rect(L, w, 4), t, 1.8, z),
        Prism("steel", (rect(-L / 2 + 5, -blade_w / 2, L / 2 - 10, blade_w / 2),), 1.2, z, fill=0.6),  # track
        Prism(
            "steel",
            (
                poly(
                    [
                        (-L / 2 + 20, -blade_w / 2),
                        (L / 2 + 10, -blade_w / 2),
                        (L / 2 + 22, blade_w / 2),
                        (-L / 2 + 20, blade_w / 2),
                    ]
                ),
            ),
            0.5,
            z,
        ),
        Prism("abs", (centred_rect(18, w - 2, -L / 6, 0),), 6, t),  # slider
    ]
    return SimObject("box_cutter", "knife", parts, value_eur("knife", rng), {"style": "utility knife"})
