"""Ammunition, narcotics packets, cigarette cartons and banknote bundles."""

from __future__ import annotations

import numpy as np

from datasets.sim.geometry import Cylinder, Part, Prism, SimObject
from datasets.sim.objects.base import kind, pick, seed, value_eur
from datasets.sim.objects.weapons import _round_lying
from datasets.sim.shapes import box_shell, centred_rect, discs, rect, rounded_rect, soft_outline

# (case radius, case length, bullet length exposed, rounds per box, box grid columns)
CARTRIDGES = {
    "9mm Luger": (4.9, 19.0, 10.0, 50, 10),
    ".22 LR": (2.85, 15.6, 9.8, 50, 10),
    "5.56x45": (4.8, 44.7, 12.6, 20, 5),
    ".308 Win": (6.0, 51.2, 20.0, 20, 5),
    ".45 ACP": (6.0, 22.8, 9.6, 50, 10),
}


@kind("ammo_box", "ammunition", weight=3.0, concealable=True)
def ammo_box(rng: np.random.Generator) -> SimObject:
    """A box of cartridges standing in a plastic tray (grid of dark discs from above)."""
    cal = pick(rng, list(CARTRIDGES))
    r, lc, lb, n, cols = CARTRIDGES[cal]
    n = int(n * rng.choice([0.5, 1.0, 1.0]))
    rows = int(np.ceil(n / cols))
    pitch = 2 * r + rng.uniform(0.8, 1.6)
    oal = lc + lb
    centres = [((i % cols - (cols - 1) / 2) * pitch, (i // cols - (rows - 1) / 2) * pitch) for i in range(n)]
    cases = discs(np.array(centres), r, 12)
    bullets = discs(np.array(centres), r * 0.9, 12)
    parts: list[Part] = [
        Prism("brass", cases, lc - 1.5, 1.5 + (lc - 1.5) / 2, mix=(("brass", 0.16), ("gunpowder", 0.5))),
        Prism("brass", cases, 1.5, 0.75),  # case heads
        Prism("lead", bullets, lb + 4, lc + lb / 2 - 2, mix=(("lead", 0.62), ("copper", 0.12))),
        Prism(
            "polystyrene",
            (rect(-cols * pitch / 2 - 2, -rows * pitch / 2 - 2, cols * pitch / 2 + 2, rows * pitch / 2 + 2),),
            oal * 0.6,
            oal * 0.3,
            fill=0.18,
        ),
    ]
    parts += box_shell("cardboard", cols * pitch + 8, rows * pitch + 8, oal + 4, 0.6, z0=-2, in_mask=False)
    return SimObject("ammo_box", "ammunition", parts, value_eur("ammunition", rng), {"calibre": cal, "rounds": n})


@kind("shotgun_shells", "ammunition", weight=1.0)
def shotgun_shells(rng: np.random.Generator) -> SimObject:
    """A box of 10-25 12-gauge shells lying side by side: plastic hull, brass head, lead shot."""
    n = int(rng.choice([10, 25]))
    r, length = 10.3, rng.uniform(65, 70)
    per_row = 5
    parts: list[Part] = []
    for i in range(n):
        x = (i // per_row) * (length + 4)
        y = (i % per_row) * (2 * r + 1)
        parts += [
            Cylinder("polyethylene", (x, y), (x + length, y), r, r, r, fill=0.25),
            Cylinder("brass", (x, y), (x + 12, y), r + 0.3, r + 0.3, r, fill=0.12),
            Cylinder("lead", (x + 28, y), (x + length - 8, y), r - 1, r - 1, r, fill=0.35),
        ]
    rows_x = int(np.ceil(n / per_row))
    parts += box_shell(
        "cardboard",
        rows_x * (length + 4) + 6,
        per_row * (2 * r + 1) + 6,
        2 * r + 4,
        0.7,
        cx=rows_x * (length + 4) / 2 - 2,
        cy=(per_row - 1) * (2 * r + 1) / 2,
        z0=-2,
        in_mask=False,
    )
    return SimObject(
        "shotgun_shells", "ammunition", parts, value_eur("ammunition", rng), {"calibre": "12 gauge", "rounds": n}
    )


@kind("loose_rounds", "ammunition", weight=1.0, concealable=True)
def loose_rounds(rng: np.random.Generator) -> SimObject:
    """5-20 loose cartridges in a small bag, lying every which way."""
    cal = pick(rng, ["9mm Luger", "5.56x45", ".45 ACP", ".308 Win"])
    r, lc, lb, _, _ = CARTRIDGES[cal]
    n = int(rng.integers(5, 21))
    parts: list[Part] = []
    spread = 25 + 4 * n
    for _ in range(n):
        parts += _round_lying(
            rng.uniform(-spread, spread) / 2, rng.uniform(-spread, spread) / 3, r, rng.uniform(0, 360), r, lc, lb
        )
    parts += [
        Prism(
            "polyethylene",
            (rounded_rect(spread + 60, spread * 0.66 + 50, 10),),
            2 * r + 2,
            r,
            fill=0.08 / (2 * r + 2),
            in_mask=False,
        )
    ]
    return SimObject("loose_rounds", "ammunition", parts, value_eur("ammunition", rng), {"calibre": cal, "rounds": n})


# --- narcotics ------------------------------------------------------------------------------------------------------
POWDERS = ("cocaine_hcl", "heroin")


@kind("drug_brick", "narcotics_packet", weight=2.0)
def drug_brick(rng: np.random.Generator) -> SimObject:
    """A pressed brick of powder (250 g - 1 kg), wrapped in film and tape."""
    mass_g = rng.uniform(250, 1050)
    fill = rng.uniform(0.8, 0.95)
    t = rng.uniform(30, 50)
    area = mass_g / (1.2 * fill) * 1000 / t
    aspect = rng.uniform(1.3, 1.7)
    w = float(np.sqrt(area / aspect))
    L = w * aspect
    powder = pick(rng, list(POWDERS))
    parts: list[Part] = [
        Prism(
            powder,
            (rounded_rect(L, w, 6),),
            t,
            t / 2,
            edge=min(6.0, t / 3),
            fill=fill,
            texture=0.08,
            texture_mm=15,
            seed=seed(rng),
        ),
        Prism("polyethylene", (rounded_rect(L + 2, w + 2, 7),), t + 2, t / 2, edge=min(7.0, t / 3), fill=0.02),
        Prism(
            pick(rng, ["pvc", "polypropylene"]),
            (rounded_rect(L + 3, w + 3, 7),),
            t + 3,
            t / 2,
            edge=min(7.0, t / 3),
            fill=0.015,
        ),
    ]
    if rng.random() < 0.2:  # carbon paper wrap, a smuggler's attempt to mask the contents
        parts += [Prism("graphite", (rounded_rect(L + 1, w + 1, 7),), t + 1, t / 2, fill=0.004)]
    return SimObject(
        "drug_brick",
        "narcotics_packet",
        parts,
        value_eur("narcotics_packet", rng),
        {"substance": powder, "mass_g": round(mass_g)},
    )


@kind("vacuum_pouch", "narcotics_packet", weight=1.5, concealable=True)
def vacuum_pouch(rng: np.random.Generator) -> SimObject:
    """A vacuum-sealed pouch of cannabis or powder (50-500 g): a flat pillow."""
    plant = rng.random() < 0.6
    mat = "cannabis" if plant else pick(rng, list(POWDERS))
    mass_g = rng.uniform(50, 500)
    fill = rng.uniform(0.55, 0.8) if plant else rng.uniform(0.7, 0.9)
    t = rng.uniform(15, 35)
    rho = 0.8 if plant else 1.2
    area = mass_g / (rho * fill) * 1000 / (t * 0.8)
    aspect = rng.uniform(1.1, 1.6)
    w = float(np.sqrt(area / aspect))
    parts: list[Part] = [
        Prism(
            mat,
            (soft_outline(rng, w * aspect, w, radius=12, wobble=0.06),),
            t,
            t / 2,
            edge=t / 2,
            fill=fill,
            texture=0.25 if plant else 0.1,
            texture_mm=10,
            seed=seed(rng),
        ),
        Prism("polyethylene", (rounded_rect(w * aspect + 16, w + 16, 6),), 1.0, t / 2, fill=0.15),
    ]
    return SimObject(
        "vacuum_pouch",
        "narcotics_packet",
        parts,
        value_eur("narcotics_packet", rng),
        {"substance": mat, "mass_g": round(mass_g)},
    )


@kind("pill_bag", "narcotics_packet", weight=0.7, concealable=True)
def pill_bag(rng: np.random.Generator) -> SimObject:
    """A zip bag of pressed pills (ecstasy-type tablets): many small organic discs piled up."""
    n = int(rng.integers(150, 600))
    r, t = rng.uniform(3.5, 5), rng.uniform(3, 5)
    side = float(np.sqrt(n) * 2 * r * 0.8)
    pills = discs(rng.uniform(-side / 2, side / 2, size=(n, 2)), r, 10)
    parts: list[Part] = [
        Prism("sugar", pills[: n // 2], t, t / 2, fill=0.85),
        Prism("sugar", pills[n // 2 :], t, 1.5 * t, fill=0.85),
        Prism("polyethylene", (rounded_rect(side + 30, side + 30, 4),), 2 * t, t, fill=0.05, in_mask=False),
    ]
    return SimObject(
        "pill_bag", "narcotics_packet", parts, value_eur("narcotics_packet", rng), {"substance": "tablets", "count": n}
    )


# --- cigarettes ---------------------------------------------------------------------------------------------------
@kind("cigarette_carton", "cigarettes", weight=3.0)
def cigarette_carton(rng: np.random.Generator) -> SimObject:
    """A carton of 10 packs (200 cigarettes): 2 layers of 5 packs, each pack with foil liner, filters at one end."""
    king = rng.random() < 0.8
    ph, pw, pd = (88.0 if king else 80.0), rng.uniform(54, 56), rng.uniform(21, 23)  # pack height, width, depth
    filt = rng.uniform(20, 27)
    parts: list[Part] = []
    for layer in range(2):
        zc = pd / 2 + layer * pd
        packs = [(-2 * pw + i * pw, 0.0) for i in range(5)]
        tob = tuple(rect(x - pw / 2 + 1, -ph / 2 + 1 + filt, x + pw / 2 - 1, ph / 2 - 2) for x, _ in packs)
        fil = tuple(rect(x - pw / 2 + 1, -ph / 2 + 1, x + pw / 2 - 1, -ph / 2 + 1 + filt) for x, _ in packs)
        walls = tuple(rect(x - pw / 2, -ph / 2, x - pw / 2 + 1.2, ph / 2) for x, _ in packs)
        parts += [
            Prism("tobacco", tob, pd - 2, zc, fill=0.72, texture=0.12, texture_mm=6, seed=seed(rng)),
            Prism("cellulose", fil, pd - 2, zc, fill=0.12),
            Prism("aluminium", (rect(-2.5 * pw, -ph / 2, 2.5 * pw, ph / 2),), 0.028, zc),  # foil faces
            Prism("aluminium", walls, pd, zc, fill=0.007 / 1.2),
            Prism(
                "paper", tuple(rect(x - pw / 2, -ph / 2, x + pw / 2, ph / 2) for x, _ in packs), pd, zc, fill=0.6 / pd
            ),
        ]
    parts += box_shell("cardboard", 5 * pw + 2, ph + 2, 2 * pd + 1, 0.45, z0=-0.5)
    brand = pick(rng, ["Marlboro", "Winston", "L&M", "Camel", "Chesterfield", "Kent", "Parliament", "Rothmans"])
    return SimObject("cigarette_carton", "cigarettes", parts, value_eur("cigarettes", rng), {"brand": brand})


# --- currency -----------------------------------------------------------------------------------------------------
NOTES = {
    "EUR": (127.0, 140.0, 147.0, 62.0, 82.0),
    "USD": (156.0, 156.0, 156.0, 66.0, 66.0),
    "GBP": (136.0, 146.0, 156.0, 69.0, 85.0),
}


@kind("banknote_bundle", "banknotes", weight=3.0, concealable=True)
def banknote_bundle(rng: np.random.Generator) -> SimObject:
    """A bundle of 100 (50-200) notes with a paper band or rubber band; notes ~0.1 mm, ~1 g each."""
    cur = pick(rng, list(NOTES))
    lmin, _, lmax, wmin, wmax = NOTES[cur]
    L, w = rng.uniform(lmin, lmax), rng.uniform(wmin, wmax)
    n = int(rng.choice([50, 100, 100, 100, 200]))
    t = n * 0.11
    parts: list[Part] = [
        Prism("cellulose", (centred_rect(L, w),), t, t / 2, fill=0.62, texture=0.03, texture_mm=30, seed=seed(rng)),
        Prism("polyethylene", (centred_rect(1.5, w, L * rng.uniform(-0.3, 0.3)),), t, t / 2, fill=0.08),  # threads
    ]
    if rng.random() < 0.6:
        parts += [Prism("paper", (centred_rect(32, w + 2),), t + 1.2, t / 2, fill=1.2 / (t + 1.2))]
    else:
        parts += [
            Prism(
                "rubber",
                (centred_rect(5, w + 2, L * 0.25), centred_rect(5, w + 2, -L * 0.25)),
                t + 2,
                t / 2,
                fill=2 / (t + 2),
            )
        ]
    denom = {"EUR": [20, 50, 100], "USD": [20, 50, 100], "GBP": [20, 50]}[cur]
    face = int(pick(rng, [str(d) for d in denom]))
    return SimObject(
        "banknote_bundle", "banknotes", parts, float(face * n), {"currency": cur, "notes": n, "denomination": face}
    )


@kind("coin_roll", "banknotes", weight=0.5, concealable=True)
def coin_roll(rng: np.random.Generator) -> SimObject:
    """A paper roll of 25-50 coins (coin is HS 7118, counted with currency)."""
    r = rng.uniform(9, 13)
    n = int(rng.choice([25, 40, 50]))
    L = n * rng.uniform(1.7, 2.3)
    mat = pick(rng, ["brass", "nickel", "steel", "copper"])
    parts: list[Part] = [
        Cylinder(mat, (0, 0), (L, 0), r, r, r, fill=0.92),
        Cylinder("paper", (-2, 0), (L + 2, 0), r + 0.4, r + 0.4, r, fill=0.05),
    ]
    return SimObject(
        "coin_roll",
        "banknotes",
        parts,
        round(float(n * rng.choice([0.5, 1.0, 2.0])), 2),
        {"currency": "EUR", "coins": n},
    )
