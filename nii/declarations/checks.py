"""ICS2-style content checks of a manifest, reported as findings (they do not stop processing).

Severities: ``reject`` (the EU ICS2 would refuse the filing: vague description alone, character rules, unknown
HS6, missing mandatory data), ``refine`` (acceptable but should be more precise: a description containing a
refused term), ``warning`` (suspicious: declared values of 0 or 1, missing quantity or value).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from nii.declarations.models import Manifest, Parcel, Party
from nii.describe.classifier import default_classifier
from nii.describe.lexicon import read_party_vague_terms
from nii.describe.text import normalize
from nii.describe.vague import VagueTerms, default_vague_terms
from nii.hs import HSNomenclature, load_hs

SEVERITIES = ("reject", "refine", "warning")
SUSPICIOUS_VALUES = (0.0, 1.0)


@dataclass(frozen=True)
class Finding:
    """One problem in a declaration: where (JSON path), what (code), how bad (severity) and why (message)."""

    path: str
    code: str
    severity: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "severity": self.severity, "message": self.message}


@functools.cache
def _party_vague() -> frozenset[str]:
    return frozenset(normalize(t).strip() for t in read_party_vague_terms())


def check_party(party: Party | None, path: str, *, required: bool) -> list[Finding]:
    """ICS2 needs a name and an address (city, country) for consignor and consignee; "Unknown" is refused."""
    if party is None:
        return [Finding(path, "missing_field", "reject", "party missing")] if required else []
    out: list[Finding] = []
    name = party.name or party.business_name
    if not name:
        out.append(Finding(f"{path}.name", "missing_field", "reject", "name missing"))
    elif normalize(name).strip() in _party_vague():
        out.append(Finding(f"{path}.name", "vague_party", "reject", f"{name!r} is not an acceptable party name"))
    if party.address is None or not party.address.country:
        out.append(Finding(f"{path}.address.country", "missing_field", "reject", "address country missing"))
    elif not party.address.city:
        out.append(Finding(f"{path}.address.city", "missing_field", "reject", "address city missing"))
    return out


def check_description(text: str, path: str, vague: VagueTerms | None = None) -> list[Finding]:
    """Vague-term and character rules of one goods description. A text that contains a refused term is only
    asked to be refined when the vocabulary recognises no goods in it ("gift box" -- but not "leather shoes")."""
    vague = vague or default_vague_terms()
    reasons = vague.reasons(text)
    if reasons:
        codes = {"digits_only", "punctuation_only", "repeated_characters", "empty"}
        code = reasons[0] if reasons[0] in codes else "vague_description"
        return [Finding(path, code, "reject", f"{text!r} is not an acceptable goods description ({reasons[0]})")]
    terms = vague.contained(text)
    if terms and not default_classifier().classify(text).names_goods:
        return [Finding(path, "vague_term", "refine", f"{text!r} contains the vague term(s) {', '.join(terms)}")]
    return []


def check_parcel(
    parcel: Parcel, index: int, *, hs: HSNomenclature | None = None, vague: VagueTerms | None = None
) -> list[Finding]:
    """Every finding of one parcel; paths are relative to the manifest (``parcels[index]...``)."""
    hs = hs or load_hs()
    base = f"parcels[{index}]"
    out = check_party(parcel.consignor, f"{base}.consignor", required=True)
    out += check_party(parcel.consignee, f"{base}.consignee", required=True)
    if parcel.gross_mass_kg is None:
        out.append(Finding(f"{base}.gross_mass_kg", "missing_field", "reject", "gross mass missing"))
    for path, money in (
        (f"{base}.total_value", parcel.total_value),
        (f"{base}.intrinsic_value", parcel.intrinsic_value),
    ):
        if money is not None and money.amount in SUSPICIOUS_VALUES:
            out.append(Finding(f"{path}.amount", "suspicious_value", "warning", f"declared value {money.amount:g}"))
    platform_sale = parcel.platform is not None and bool(parcel.platform.name or parcel.platform.order_id)
    if parcel.category_of_item == "gift" and platform_sale:
        out.append(
            Finding(
                f"{base}.category_of_item",
                "gift_on_platform_sale",
                "reject",
                "declared as a gift but sold through a platform (order data present)",
            )
        )
    for j, item in enumerate(parcel.items):
        ipath = f"{base}.items[{j}]"
        out += check_description(item.description, f"{ipath}.description", vague)
        if item.hs6 is None:
            out.append(Finding(f"{ipath}.hs6", "missing_field", "reject", "HS6 code missing (ICS2 requires it)"))
        elif not hs.is_subheading(item.hs6):
            out.append(Finding(f"{ipath}.hs6", "unknown_hs6", "reject", f"{item.hs6} is not an HS 2022 subheading"))
        if item.quantity is None:
            out.append(Finding(f"{ipath}.quantity", "missing_field", "warning", "quantity missing"))
        money = item.value or item.unit_price
        if money is None:
            out.append(Finding(f"{ipath}.value", "missing_field", "warning", "value missing"))
        elif money.amount in SUSPICIOUS_VALUES:
            field = "value" if item.value is not None else "unit_price"
            out.append(Finding(f"{ipath}.{field}.amount", "suspicious_value", "warning", f"declared {money.amount:g}"))
    return out


def check_manifest(manifest: Manifest) -> list[Finding]:
    """Every finding of a manifest, parcel by parcel, plus duplicate house references."""
    hs = load_hs()
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for i, parcel in enumerate(manifest.parcels):
        if parcel.house_ref in seen:
            msg = f"house_ref {parcel.house_ref!r} also used by parcels[{seen[parcel.house_ref]}]"
            out.append(Finding(f"parcels[{i}].house_ref", "duplicate_house_ref", "reject", msg))
        seen.setdefault(parcel.house_ref, i)
        out += check_parcel(parcel, i, hs=hs)
    return out
