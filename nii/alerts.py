"""The alert types of the cross-check (design.md, "Alert types"): what :mod:`nii.crosscheck` raises and what the
simulator's ground truth expects. Kept apart from the cross-check package so that the simulator can name them
without importing the classifier."""

from __future__ import annotations

ALERT_TYPES = (
    "prohibited_item",
    "undeclared_goods",
    "declared_not_found",
    "quantity_mismatch",
    "weight_mismatch",
    "undervaluation",
    "vague_description",
    "hs_description_mismatch",
)
