"""The cross-check of detections, materials and mass against the declaration (design.md alert types)."""

from __future__ import annotations

from nii.alerts import ALERT_TYPES
from nii.crosscheck.config import CrossCheckConfig, load_crosscheck_config
from nii.crosscheck.engine import Alert, CrossChecker, CrossCheckResult, ItemStatus, count_detections, crosscheck
from nii.crosscheck.items import DeclaredItem
from nii.crosscheck.rules import CHECKS

__all__ = [
    "ALERT_TYPES",
    "CHECKS",
    "Alert",
    "CrossCheckConfig",
    "CrossCheckResult",
    "CrossChecker",
    "DeclaredItem",
    "ItemStatus",
    "count_detections",
    "crosscheck",
    "load_crosscheck_config",
]
