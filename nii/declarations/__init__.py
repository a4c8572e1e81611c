"""Advance electronic data: parcel manifests (models, JSON/CSV import, validation) and ICS2-style checks."""

from __future__ import annotations

from nii.declarations.checks import Finding, check_description, check_manifest, check_parcel
from nii.declarations.io import read_manifest, read_manifest_csv, read_manifest_json, validate_manifest
from nii.declarations.models import Item, Manifest, Money, Parcel, Party

__all__ = [
    "Finding",
    "Item",
    "Manifest",
    "Money",
    "Parcel",
    "Party",
    "check_description",
    "check_manifest",
    "check_parcel",
    "read_manifest",
    "read_manifest_csv",
    "read_manifest_json",
    "validate_manifest",
]
