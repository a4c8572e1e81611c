"""Default pixel spacing per scanner (``configs/scanners.yaml``) for files that carry none.

The file maps StationName (DICOS machine ID) -> ``pixel_spacing_mm: [row, column]`` and may set
``default_pixel_spacing_mm``. Where neither applies, nothing is known: 1.0 mm x 1.0 mm stands in (for display and
measurement) with the source ``fallback``, and the detector estimates the spacing from the image itself
(models.inference, ``Scan.spacing_unknown``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from nii.errors import ConfigError
from nii.resources import configs_dir, read_yaml
from nii.scan import SPACING_FALLBACK

FALLBACK_SPACING_MM = (1.0, 1.0)


@dataclass(frozen=True)
class ScannerDefaults:
    """default: (row, column) mm when a station has no entry (None: none configured); by_station: StationName ->
    (row, column) mm."""

    default: tuple[float, float] | None = None
    by_station: dict[str, tuple[float, float]] = field(default_factory=dict)

    def spacing_for(self, station: str | None) -> tuple[tuple[float, float], str]:
        """(spacing mm, source) for ``station``: ``scanners.yaml:<station>``, ``default`` (the configured
        default_pixel_spacing_mm) or ``fallback`` (nothing configured: FALLBACK_SPACING_MM stands in)."""
        if station is not None and station in self.by_station:
            return self.by_station[station], f"scanners.yaml:{station}"
        if self.default is not None:
            return self.default, "default"
        return FALLBACK_SPACING_MM, SPACING_FALLBACK


def _spacing(value: object, where: str) -> tuple[float, float]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = [value, value]
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not all(math.isfinite(v) and v > 0 for v in value)
    ):
        raise ConfigError(f"{where}: pixel spacing {value!r}; expected [row_mm, column_mm], two numbers > 0")
    return float(value[0]), float(value[1])


def parse_scanner_defaults(raw: object, where: str = "scanners.yaml") -> ScannerDefaults:
    """Validates the parsed YAML document of scanners.yaml."""
    if raw is None:
        return ScannerDefaults()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level, got {type(raw).__name__}")
    unknown = set(raw) - {"default_pixel_spacing_mm", "scanners"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; expected default_pixel_spacing_mm, scanners")
    default = None
    if raw.get("default_pixel_spacing_mm") is not None:
        default = _spacing(raw["default_pixel_spacing_mm"], f"{where}: default_pixel_spacing_mm")
    scanners = raw.get("scanners") or {}
    if not isinstance(scanners, dict):
        raise ConfigError(f"{where}: scanners must map StationName -> settings, got {type(scanners).__name__}")
    by_station: dict[str, tuple[float, float]] = {}
    for station, settings in scanners.items():
        if not isinstance(settings, dict) or "pixel_spacing_mm" not in settings:
            raise ConfigError(f"{where}: scanners.{station} must be a mapping with pixel_spacing_mm")
        by_station[str(station)] = _spacing(settings["pixel_spacing_mm"], f"{where}: scanners.{station}")
    return ScannerDefaults(default=default, by_station=by_station)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> ScannerDefaults:
    try:
        raw = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return parse_scanner_defaults(raw, str(path))


def load_scanner_defaults(path: str | Path | None = None) -> ScannerDefaults:
    """Loads ``configs/scanners.yaml`` (or ``path``); without the file, nothing configured. Cached per mtime."""
    if path is None:
        try:
            candidate = configs_dir() / "scanners.yaml"
        except ConfigError:
            return ScannerDefaults()
    else:
        candidate = Path(path)
    if not candidate.is_file():
        if path is not None:
            raise ConfigError(f"scanner config {candidate} not found")
        return ScannerDefaults()
    return _load(candidate.resolve(), candidate.stat().st_mtime_ns)
