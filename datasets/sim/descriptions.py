"""Goods descriptions and HS6 codes for declared lines, from the simulator's own templates.

Each line description says what a seller or a private sender would write, with varied wording and brands. The
``category`` returned is the taxonomy category the description names (None when it names none, e.g. "gift"),
which is what an ideal reader of the declaration would map it to.
"""

from __future__ import annotations

import numpy as np

from datasets.sim.geometry import SimObject
from datasets.sim.objects.base import pick

HS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "firearm": ("930200", "930330", "930510"),
    "knife": ("821192", "821193", "821191"),
    "ammunition": ("930630", "930621"),
    "narcotics_packet": ("293979", "121190", "130211"),
    "cigarettes": ("240220",),
    "banknotes": ("490700", "711810"),
    "lithium_battery": ("850760", "850650"),
    "phone": ("851713", "851714"),
    "laptop": ("847130",),
    "watch": ("910211", "910212", "910111"),
    "shoes": ("640411", "640419", "640399", "640391"),
    "clothing": ("610910", "620342", "611020", "611030", "610120", "610462"),
    "book": ("490199",),
    "bottle": ("220421", "220830", "330300", "220300", "330510", "330499"),
    "toy": ("950300",),
    "tool": ("820320", "820540", "820411", "820520", "820559"),
}
"""HS 2022 subheadings per category (all present in nii/data/hs/harmonized-system.csv)."""

GARMENT_HS = {
    "T-shirt": "610910",
    "shirt": "620520",
    "jeans": "620342",
    "hoodie": "611020",
    "sweater": "611030",
    "dress": "610442",
    "jacket": "610120",
    "leggings": "610462",
    "socks": "611595",
}
DRINK_HS = {
    "wine": "220421",
    "spirits": "220830",
    "beer": "220300",
    "perfume": "330300",
    "shampoo": "330510",
    "conditioner": "330590",
    "body lotion": "330499",
}
"""Only contents whose HS heading the taxonomy counts as ``bottle`` (2203-2208, 3303-3305)."""
TOOL_HS = {
    "pliers": "820320",
    "screwdriver": "820540",
    "spanner": "820411",
    "adjustable wrench": "820412",
    "hammer": "820520",
    "hex key set": "820559",
}
VAGUE_TERMS = (
    "gift",
    "parts",
    "accessories",
    "goods",
    "sample",
    "personal items",
    "household items",
    "electronics",
    "spare parts",
    "present",
    "merchandise",
    "various items",
)
"""Vague terms used when a description is made vague; 'clothes' / 'shoes' / 'toys' name a category but are vague."""
VAGUE_NAMING = {
    "clothing": "clothes",
    "shoes": "shoes",
    "toy": "toys",
    "bottle": "bottles",
    "tool": "tools",
    "phone": "electronics",
    "laptop": "electronics",
    "watch": "accessories",
    "lithium_battery": "battery",
    "banknotes": "money",
}


def describe(obj: SimObject, rng: np.random.Generator) -> tuple[str, str, str | None]:
    """(description, hs6, category named) of one declared object; clutter uses its own description and code."""
    a = obj.attributes
    cat = obj.category
    if cat is None:
        return str(a.get("description", "household item")), str(a.get("hs6", "392690")), None
    if cat == "phone":
        model = str(a.get("model", "smartphone"))
        text = pick(
            rng,
            [
                f"{model} smartphone",
                f"Mobile phone {model}",
                f"{model} 128GB",
                f"Cell phone ({model})",
                "Smartphone, unlocked",
                f"{model} dual SIM",
            ],
        )
        hs = "851714" if "Nokia" in model else "851713"
    elif cat == "laptop":
        model = str(a.get("model", "notebook"))
        text = pick(
            rng,
            [
                f"Laptop {model}",
                f"{model} notebook computer",
                f"Notebook {model} 16GB RAM",
                "Portable computer",
                f"{model} laptop with charger",
            ],
        )
        hs = "847130"
    elif cat == "watch":
        brand = str(a.get("brand", "Casio"))
        smart = bool(a.get("smart"))
        text = pick(
            rng,
            [f"{brand} smartwatch", "Smart watch fitness tracker"]
            if smart
            else [
                f"{brand} wrist watch",
                f"Men's quartz watch {brand}",
                f"Women's wristwatch {brand}",
                "Stainless steel wrist watch",
            ],
        )
        hs = "910211"
    elif cat == "shoes":
        brand, style = str(a.get("brand", "")), str(a.get("style", "sneaker"))
        words = {
            "sneaker": ["running shoes", "sneakers", "trainers", "sports shoes"],
            "dress": ["leather shoes", "men's dress shoes", "women's pumps"],
            "boot": ["leather boots", "ankle boots", "hiking boots"],
        }[style]
        text = f"{brand} {pick(rng, words)}".strip() if rng.random() < 0.6 else pick(rng, words).capitalize()
        hs = {"sneaker": "640411", "dress": "640399", "boot": "640391"}[style]
    elif cat == "clothing":
        g, n = str(a.get("garment", "T-shirt")), int(a.get("count", 1))  # type: ignore[call-overload]
        fibre = {"cotton": "cotton", "wool": "wool", "pet": "polyester", "nylon": "nylon"}.get(str(a.get("fibre")), "")
        who = pick(rng, ["Men's", "Women's", "Kids'", "Unisex", ""])
        base = f"{who} {fibre} {g}".strip().replace("  ", " ")
        text = base if n == 1 else f"{base}s, pack of {n}" if rng.random() < 0.5 else f"{n} x {base}"
        hs = GARMENT_HS.get(g, "610910")
    elif cat == "book":
        style, title = str(a.get("style", "paperback")), str(a.get("title", "novel"))
        if style == "brochure":
            text = pick(rng, ["Product catalogue", "Printed brochures", "Exhibition catalogue"])
        else:
            text = pick(rng, [f"Book ({title})", f"{style.capitalize()} {title}", f"Printed book, {title}"])
        hs = "490199"
    elif cat == "bottle":
        drink = str(a.get("drink", "wine"))
        vol = int(a.get("volume_ml", 750))  # type: ignore[call-overload]
        words = {
            "wine": [f"Red wine {vol} ml", "Bottle of wine", "Italian red wine"],
            "spirits": [f"Whisky {vol} ml", "Vodka 0.7 l", "Bottle of rum"],
            "beer": ["Craft beer", "Beer bottle 330 ml"],
            "conditioner": ["Hair conditioner 400 ml", "Conditioner"],
            "body lotion": ["Body lotion 400 ml", "Moisturising lotion"],
            "perfume": [f"{a.get('brand', 'Perfume')} eau de parfum 50 ml", "Perfume 100ml", "Eau de toilette"],
            "shampoo": ["Shampoo 500 ml", "Hair shampoo"],
        }[drink]
        text = pick(rng, words)
        hs = DRINK_HS[drink]
    elif cat == "toy":
        toy = str(a.get("toy", "toy"))
        if toy.endswith("toy"):
            text = pick(rng, [toy.capitalize(), f"Children's {toy}", "Stuffed animal", f"Soft {toy}"])
        else:
            text = pick(rng, [f"Toy {toy}", f"Children's {toy}", f"{toy.capitalize()} toy", f"Kids {toy}"])
        hs = "950300"
    elif cat == "tool":
        tool = str(a.get("tool", "hand tool"))
        text = pick(rng, [f"{tool.capitalize()}", f"Steel {tool}", f"{tool.capitalize()}, hand tool", f"DIY {tool}"])
        hs = TOOL_HS.get(tool, "820559")
    elif cat == "lithium_battery":
        if obj.kind == "power_bank":
            text = pick(
                rng, [f"Power bank {a.get('capacity_mah', 10000)} mAh", "Portable charger", "Power bank with USB-C"]
            )
        elif obj.kind == "li_ion_cell":
            text = pick(
                rng, [f"Li-ion battery {a.get('format', '18650')}", f"{a.get('format', '18650')} rechargeable cell"]
            )
        else:
            text = pick(rng, ["Lithium-ion battery pack", "Li-ion battery for e-bike", "LiPo battery 3S"])
        hs = "850760"
    elif cat == "cigarettes":
        text = pick(
            rng,
            [
                f"{a.get('brand', 'Cigarettes')} cigarettes carton",
                "Cigarettes, 200 pcs",
                f"Carton of {a.get('brand', '')} cigarettes".replace("  ", " "),
            ],
        )
        hs = "240220"
    elif cat == "banknotes":
        text = pick(
            rng,
            ["Banknotes", f"{a.get('currency', 'EUR')} banknotes", "Cash", "Commemorative coins"]
            if obj.kind != "coin_roll"
            else ["Coins", "Coin roll", "Collector coins"],
        )
        hs = "711810" if obj.kind == "coin_roll" else "490700"
    else:  # prohibited categories are never declared truthfully; a truthful text is still defined for completeness
        text = {
            "firearm": "Pistol",
            "knife": "Knife",
            "ammunition": "Cartridges",
            "narcotics_packet": "Narcotic substance",
        }[cat]
        hs = HS_BY_CATEGORY[cat][0]
    return text, hs, cat


DECOYS: dict[str, list[tuple[str, str, str | None, bool]]] = {
    "firearm": [
        ("Toy gun replica", "950300", "toy", False),
        ("Metal parts", "847330", None, True),
        ("Airsoft accessories", "950691", None, True),
        ("Hardware tools", "820559", "tool", False),
    ],
    "knife": [
        ("Kitchen utensils", "821599", None, False),
        ("Stainless steel tableware", "732393", None, False),
        ("Camping equipment", "950691", None, True),
    ],
    "ammunition": [
        ("Fishing weights", "950790", None, False),
        ("Metal spare parts", "847330", None, True),
        ("Hardware", "731815", None, False),
    ],
    "narcotics_packet": [
        ("Black tea", "090230", None, False),
        ("Protein powder", "210610", None, False),
        ("Soap bars", "340111", None, False),
        ("Roasted coffee", "090121", None, False),
        ("Herbal supplement", "210690", None, False),
    ],
}
"""Benign lines under which a prohibited item travels: (description, hs6, category named, vague). "Metal parts",
"Airsoft accessories", "Camping equipment" say what kind of goods but not what they are: vague."""


def decoy(category: str, rng: np.random.Generator) -> tuple[str, str, str | None, bool]:
    options = DECOYS[category]
    return options[int(rng.integers(len(options)))]
