"""Pydantic models of the parcel manifest (nii/data/parcel_manifest.schema.json).

The manifest is the union of the WCO e-commerce advance data, EU ICS2 house ENS, EU H7, US Type 86 / Section 321
and UPU CN22/CN23/ITMATT. These models enforce the schema's types, patterns and required fields; the ICS2-style
content checks (vague descriptions, unknown HS codes, ...) are findings of :mod:`nii.declarations.checks`.
Properties the schema does not name are kept (the schema allows them).
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")]
NonNegative = Annotated[float, Field(ge=0)]

AEOStatus = Literal["none", "AEOC", "AEOS", "AEOF", "trusted_trader_other"]
CategoryOfItem = Literal["sale_of_goods", "gift", "commercial_sample", "documents", "returned_goods", "other"]
SourceFormat = Literal[
    "ics2_ens", "eu_h7", "us_type86", "us_s321_pilot", "upu_itmatt", "cn22", "cn23", "express_manifest", "other"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Money(_Model):
    """An amount (>= 0) in an ISO 4217 currency."""

    amount: NonNegative
    currency: Currency


class Address(_Model):
    street: str | None = None
    number: str | None = None
    po_box: str | None = None
    city: str | None = None
    postcode: str | None = None
    subdivision: str | None = None
    country: Country | None = None


class Party(_Model):
    """Consignor, consignee, seller, buyer or representative."""

    name: str | None = None
    business_name: str | None = None
    address: Address | None = None
    type_of_person: Literal["natural", "legal", "association"] | None = None
    eori: str | None = None
    tin: str | None = None
    importer_code: str | None = None
    phone: str | None = Field(default=None, description="E.123 international format (ICS2 rule)")
    email: str | None = None
    aeo_status: AEOStatus | None = None


class DangerousGoods(_Model):
    un_number: Annotated[str, Field(pattern=r"^UN[0-9]{4}$")] | None = None
    lithium_config: Literal["none", "contained_in_equipment", "packed_with_equipment", "standalone"] | None = None


class Item(_Model):
    """One declared goods line. quantity is in units of the taxonomy (one phone, one pair of shoes, ...)."""

    line_no: Annotated[int, Field(ge=1)] | None = None
    description: Annotated[str, Field(min_length=3)]
    hs6: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = None
    national_tariff_code: Annotated[str, Field(pattern=r"^[0-9]{8,10}$")] | None = None
    quantity: NonNegative | None = None
    quantity_unit: str | None = None
    net_mass_kg: NonNegative | None = None
    gross_mass_kg: NonNegative | None = None
    value: Money | None = None
    unit_price: Money | None = None
    country_of_origin: Country | None = None
    sku: str | None = None
    product_url: str | None = None
    image_url: str | None = None
    dangerous_goods: DangerousGoods | None = None


class Platform(_Model):
    name: str | None = None
    url: str | None = None
    seller_id: str | None = None
    order_id: str | None = None
    order_time: datetime | None = None


class Parcel(_Model):
    """One house consignment (parcel), keyed by ``house_ref`` (= the scan's OOI ID)."""

    house_ref: Annotated[str, Field(min_length=1)]
    tracking_no: str | None = None
    entry_number: str | None = None
    lrn: str | None = None
    mrn: str | None = None
    consignor: Party | None = None
    consignee: Party | None = None
    seller: Party | None = None
    buyer: Party | None = None
    representative: Party | None = None
    importer_of_record_id: str | None = None
    platform: Platform | None = None
    number_of_packages: Annotated[int, Field(ge=1)] | None = None
    type_of_packages: str | None = None
    gross_mass_kg: NonNegative | None = None
    total_value: Money | None = None
    intrinsic_value: Money | None = None
    transport_insurance_costs: Money | None = None
    postal_charges: Money | None = None
    category_of_item: CategoryOfItem | None = None
    category_explanation: str | None = None
    ioss_number: Annotated[str, Field(pattern=r"^IM[0-9]{10}$")] | None = None
    duty_relief_code: str | None = None
    licence_nos: list[str] | None = None
    certificate_nos: list[str] | None = None
    invoice_no: str | None = None
    comments: str | None = None
    place_of_acceptance: str | None = None
    place_of_delivery: str | None = None
    items: Annotated[list[Item], Field(min_length=1)]

    def aeo_status(self) -> str:
        """The best AEO status among the parcel's parties (``none`` when no party declares one)."""
        for party in (self.seller, self.consignor, self.representative, self.consignee):
            if party is not None and party.aeo_status not in (None, "none"):
                return str(party.aeo_status)
        return "none"


class Master(_Model):
    transport_document_ref: str | None = None
    mode_of_transport: Literal["air", "sea", "road", "rail", "postal"] | None = None
    carrier: str | None = None
    conveyance_ref: str | None = None
    place_of_loading: str | None = None
    place_of_unloading: str | None = None
    customs_office_first_entry: str | None = None
    planned_port_of_entry: str | None = None
    estimated_arrival: datetime | None = None


class Manifest(_Model):
    """A manifest of parcels filed before arrival."""

    manifest_id: Annotated[str, Field(min_length=1)]
    source_format: SourceFormat
    filed_at: datetime | None = None
    master: Master | None = None
    parcels: Annotated[list[Parcel], Field(min_length=1)]

    def by_ref(self) -> dict[str, Parcel]:
        """Parcels keyed by house_ref and by tracking_no (house_ref wins on a clash)."""
        out: dict[str, Parcel] = {}
        for p in self.parcels:
            if p.tracking_no:
                out.setdefault(p.tracking_no, p)
        for p in self.parcels:
            out[p.house_ref] = p
        return out
