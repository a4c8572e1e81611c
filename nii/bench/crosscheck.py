"""``nii bench crosscheck [--parcels N] [--seed S] [--json]``: parcels per second through declaration matching,
ICS2-style checks, cross-check, tax and risk (detection and physics excluded), on one core.

The batch is synthetic and seeded: each parcel declares 1-4 items whose descriptions combine a product phrase
with brands, colours and sizes (so most descriptions are new to the classifier's cache), and its detections follow
the declaration with injected mismatches (undeclared goods, missing items, knives, undervaluation, vague text).
The manifest is parsed and validated first (timed separately); then each parcel is matched to its declaration
by OOI ID and goes through the whole decision path. Goal: >= 1,000 parcels/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np

from nii.bench.common import report

CATALOGUE: dict[str, tuple[str, list[str]]] = {
    "phone": ("851713", ["smartphone", "mobile phone", "Galaxy A15", "iPhone 13", "Redmi Note 13", "cell phone"]),
    "laptop": ("847130", ["laptop", "notebook computer", "ThinkPad T14", "MacBook Air", "Chromebook"]),
    "watch": ("910211", ["wrist watch", "quartz watch", "smartwatch", "chronograph watch"]),
    "shoes": ("640411", ["running shoes", "sneakers", "leather boots", "sandals", "trainers"]),
    "clothing": ("610910", ["cotton T-shirt", "hoodie", "jeans", "summer dress", "wool sweater", "leggings"]),
    "book": ("490199", ["paperback novel", "cookbook", "textbook", "comic book"]),
    "bottle": ("220421", ["red wine", "vodka", "perfume eau de parfum", "shampoo", "whisky"]),
    "toy": ("950300", ["plush toy", "building blocks set", "doll", "remote control car", "jigsaw puzzle"]),
    "tool": ("820540", ["screwdriver set", "pliers", "adjustable wrench", "claw hammer"]),
    "lithium_battery": ("850760", ["power bank 10000mAh", "li-ion battery pack", "18650 cells"]),
}
BRANDS = ["", "Acme", "Nova", "Zenith", "Orbit", "Vega", "Lumo", "Kira", "Tarn", "Pixa"]
COLOURS = ["", "black", "white", "red", "blue", "green", "grey", "pink", "navy", "beige"]


def make_batch(n: int, seed: int) -> tuple[dict[str, Any], list[list[Any]], list[float]]:
    """A manifest of n parcels, the detections of each and its X-ray mass estimate (seeded numpy Generator)."""
    from nii.detection import Detection
    from nii.pricing import load_reference_prices

    rng = np.random.default_rng(seed)
    prices = load_reference_prices()
    cats = list(CATALOGUE)
    parcels, detections, masses = [], [], []
    for p in range(n):
        chosen = rng.choice(cats, size=int(rng.integers(1, 5)), replace=False)
        items, dets, mass = [], [], 0.0
        for j, cat in enumerate(chosen):
            hs6, phrases = CATALOGUE[str(cat)]
            ref = prices[str(cat)]
            words = [rng.choice(BRANDS), rng.choice(COLOURS), rng.choice(phrases), f"size {rng.integers(1, 60)}"]
            qty = int(rng.integers(1, 4))
            value = float(ref.typical_eur * qty * rng.lognormal(0.0, 0.3))
            if rng.random() < 0.05:
                value *= 0.05  # undervalued
            desc = " ".join(str(w) for w in words if w) if rng.random() > 0.04 else "gift"
            items.append(
                {
                    "line_no": j + 1,
                    "description": desc,
                    "hs6": hs6,
                    "quantity": qty,
                    "value": {"amount": round(value, 2), "currency": "EUR" if rng.random() < 0.7 else "USD"},
                }
            )
            seen = 1 if cat == "clothing" else qty
            if rng.random() < 0.04:
                seen = 0  # declared, not found
            for k in range(seen):
                dets.append(Detection(str(cat), float(rng.uniform(0.5, 1.0)), (10.0 * k, 5.0, 10.0 * k + 40, 60.0)))
            mass += qty * ref.mass_typical_kg
        for extra, rate in (("phone", 0.04), ("cigarettes", 0.02), ("knife", 0.01)):
            if rng.random() < rate:
                dets.append(Detection(extra, 0.9, (300.0, 40.0, 360.0, 100.0)))
        ooi = f"BENCH{p:07d}"
        parcels.append(
            {
                "house_ref": ooi,
                "consignor": {"name": "Seller Ltd", "address": {"city": "Shenzhen", "country": "CN"}},
                "consignee": {"name": f"Buyer {p}", "address": {"city": "Utrecht", "country": "NL"}},
                "gross_mass_kg": round(mass * rng.uniform(0.9, 1.2), 3),
                "category_of_item": "sale_of_goods",
                "items": items,
            }
        )
        detections.append(dets)
        masses.append(mass * rng.uniform(0.8, 1.25))
    return {"manifest_id": f"bench-{seed}", "source_format": "other", "parcels": parcels}, detections, masses


def run_bench(parcels: int, seed: int) -> dict[str, Any]:
    """Times the decision path over a fresh synthetic batch; returns the figures."""
    from nii.crosscheck import CrossChecker
    from nii.declarations import check_parcel, read_manifest_json
    from nii.describe.classifier import DescriptionClassifier
    from nii.risk import RiskInput, TraderProfile, load_risk_engine
    from nii.tax import estimate_tax, load_tax_config

    doc, detections, masses = make_batch(parcels, seed)
    text = json.dumps(doc)
    checker = CrossChecker(classifier=DescriptionClassifier())  # an empty description cache
    engine, tax_cfg = load_risk_engine(), load_tax_config()
    t0 = time.perf_counter()
    manifest = read_manifest_json(text)
    t_parse = time.perf_counter() - t0
    by_ref = manifest.by_ref()
    index = {p.house_ref: i for i, p in enumerate(manifest.parcels)}
    lanes: dict[str, int] = {}
    n_alerts = 0
    t0 = time.perf_counter()
    for i, dets in enumerate(detections):
        ooi = f"BENCH{i:07d}"
        parcel = by_ref[ooi]
        findings = check_parcel(parcel, index[ooi])
        result = checker.check(dets, parcel, estimated_mass_kg=masses[i])
        estimate_tax(
            parcel, result.declared_items, result.alerts, config=tax_cfg, rates=checker.rates, prices=checker.prices
        )
        risk = engine.assess(RiskInput(ooi, parcel, result.alerts, findings, TraderProfile(parcel.aeo_status())))
        lanes[risk.lane] = lanes.get(risk.lane, 0) + 1
        n_alerts += len(result.alerts)
    elapsed = time.perf_counter() - t0
    return {
        "bench": "crosscheck",
        "parcels": parcels,
        "seed": seed,
        "items": sum(len(p.items) for p in manifest.parcels),
        "parcels_per_s": round(parcels / elapsed, 1),
        "ms_per_parcel": round(1000 * elapsed / parcels, 3),
        "manifest_parse_parcels_per_s": round(parcels / t_parse, 1),
        "alerts_per_parcel": round(n_alerts / parcels, 3),
        "lanes": lanes,
        "goal_parcels_per_s": 1000,
    }


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("crosscheck", help="parcels/s through matching, cross-check, tax and risk", description=__doc__)
    p.add_argument("--parcels", type=int, default=5000, help="parcels in the synthetic batch (default 5000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.parcels < 1:
        print(f"--parcels must be >= 1, got {args.parcels}", file=sys.stderr)
        return 2
    r = run_bench(args.parcels, args.seed)
    text = (
        f"crosscheck: {r['parcels']} parcels ({r['items']} items), {r['parcels_per_s']:.0f} parcels/s "
        f"({r['ms_per_parcel']:.3f} ms/parcel; goal >= 1000/s); manifest parse "
        f"{r['manifest_parse_parcels_per_s']:.0f} parcels/s; {r['alerts_per_parcel']} alerts/parcel; "
        f"lanes {r['lanes']}"
    )
    report(r, as_json=args.json, text=text)
    return 0
