"""Settings of the cross-check (configs/crosscheck.yaml)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nii.alerts import ALERT_TYPES
from nii.errors import ConfigError
from nii.resources import config_path, read_yaml
from nii.taxonomy import GROUPS

SEVERITIES = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class QuantityTolerance:
    """fewer: share of declared units that may go unseen (1.0 with ``any_count`` = any count >= 1 is fine);
    more: detections beyond the declared quantity that are tolerated."""

    fewer: float = 0.34
    more: int = 0
    any_count: bool = False

    def accepts(self, declared: float, detected: int) -> bool:
        if detected > declared + self.more:
            return False
        if self.any_count:
            return detected >= 1
        return detected >= declared - int(self.fewer * declared + 1e-9)


@dataclass(frozen=True)
class CrossCheckConfig:
    """Knobs of :func:`nii.crosscheck.crosscheck`; defaults equal the shipped configs/crosscheck.yaml."""

    min_detection_score: float = 0.0
    weight_over_tolerance: float = 0.6
    weight_under_tolerance: float = 0.35
    weight_absolute_tolerance_kg: float = 0.3
    undervaluation_ratio_of_min: float = 1.0
    undervaluation_high_ratio_of_min: float = 0.3
    undervaluation_skip: frozenset[str] = frozenset({"banknotes", "narcotics_packet"})
    quantity: Mapping[str, QuantityTolerance] = field(default_factory=dict)
    quantity_default: QuantityTolerance = QuantityTolerance()
    severity: Mapping[str, str] = field(default_factory=dict)
    undeclared_severity: Mapping[str, str] = field(default_factory=dict)
    attribute_to_vague_items: bool = False
    undeclared_includes_prohibited: bool = False

    def tolerance(self, category: str) -> QuantityTolerance:
        return self.quantity.get(category, self.quantity_default)

    def severity_of(self, alert_type: str, group: str | None = None) -> str:
        if alert_type == "undeclared_goods" and group is not None and group in self.undeclared_severity:
            return self.undeclared_severity[group]
        return self.severity.get(alert_type, "medium")


def _tolerance(spec: object, where: str) -> QuantityTolerance:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected {{fewer: ..., more: ...}}, got {spec!r}")
    fewer, more = spec.get("fewer", 0.34), spec.get("more", 0)
    if fewer == "all":
        return QuantityTolerance(1.0, int(more), any_count=True)
    if not isinstance(fewer, int | float) or not 0 <= fewer <= 1:
        raise ConfigError(f"{where}.fewer: {fewer!r}; expected a share in [0, 1] or 'all'")
    if not isinstance(more, int) or more < 0:
        raise ConfigError(f"{where}.more: {more!r}; expected a count >= 0")
    return QuantityTolerance(float(fewer), more)


def _severity(value: object, where: str) -> str:
    if value not in SEVERITIES:
        raise ConfigError(f"{where}: severity {value!r}; expected one of {SEVERITIES}")
    return str(value)


def parse_crosscheck_config(data: object, source: str = "<crosscheck>") -> CrossCheckConfig:
    """Builds the config from parsed YAML; raises ConfigError naming the bad value."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping")
    weight = data.get("weight") or {}
    under = data.get("undervaluation") or {}
    qty = dict(data.get("quantity") or {})
    default = _tolerance(qty.pop("default", {}), f"{source}: quantity.default")
    severity: dict[str, str] = {}
    undeclared: dict[str, str] = {}
    for name, value in (data.get("severity") or {}).items():
        if name not in ALERT_TYPES:
            raise ConfigError(f"{source}: severity.{name}: not an alert type; expected one of {ALERT_TYPES}")
        if isinstance(value, dict):
            for group, sev in value.items():
                if group not in GROUPS:
                    raise ConfigError(f"{source}: severity.{name}.{group}: expected a group of {GROUPS}")
                undeclared[group] = _severity(sev, f"{source}: severity.{name}.{group}")
        else:
            severity[name] = _severity(value, f"{source}: severity.{name}")
    try:
        return CrossCheckConfig(
            min_detection_score=float(data.get("min_detection_score", 0.0)),
            weight_over_tolerance=float(weight.get("over_tolerance", 0.6)),
            weight_under_tolerance=float(weight.get("under_tolerance", 0.35)),
            weight_absolute_tolerance_kg=float(weight.get("absolute_tolerance_kg", 0.3)),
            undervaluation_ratio_of_min=float(under.get("ratio_of_min", 1.0)),
            undervaluation_high_ratio_of_min=float(under.get("high_below_ratio_of_min", 0.3)),
            undervaluation_skip=frozenset(under.get("skip_categories", ())),
            quantity={k: _tolerance(v, f"{source}: quantity.{k}") for k, v in qty.items()},
            quantity_default=default,
            severity=severity,
            undeclared_severity=undeclared,
            attribute_to_vague_items=bool(data.get("attribute_to_vague_items", False)),
            undeclared_includes_prohibited=bool(data.get("undeclared_includes_prohibited", False)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_crosscheck_config(path: Path | None = None) -> CrossCheckConfig:
    """Loads configs/crosscheck.yaml (or ``path``)."""
    if path is None:
        return _default_config()
    return parse_crosscheck_config(read_yaml(path), str(path))


@functools.cache
def _default_config() -> CrossCheckConfig:
    return load_crosscheck_config(config_path("crosscheck.yaml"))
