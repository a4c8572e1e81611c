"""The simulator's configuration (configs/synth/default.yaml) as frozen dataclasses.

Ranges are ``[low, high]`` pairs sampled uniformly per parcel (``log`` in a name: log-uniformly). Category
weights are relative sampling weights of the taxonomy categories among the declared goods and the threats.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nii.alerts import ALERT_TYPES
from nii.errors import ConfigError
from nii.resources import config_path, read_yaml

Range = tuple[float, float]


@dataclass(frozen=True)
class ScannerConfig:
    """What varies between scanners and scans (all sampled per parcel)."""

    pixel_spacing_mm: Range = (0.8, 1.6)
    """Detector pitch across the belt (image rows), at the belt plane."""
    pixel_aspect: Range = (0.85, 1.2)
    """Column spacing / row spacing: belt speed x line period against the detector pitch (non-square pixels)."""
    kvp_choices: tuple[float, ...] = (140.0, 145.0, 150.0, 155.0, 160.0)
    filtration_mm_al_choices: tuple[float, ...] = (1.0, 1.5, 2.5, 3.5)
    front_mm: Range = (0.2, 0.6)
    filter_mm_cu: Range = (0.3, 1.2)
    back_mm: Range = (2.0, 4.5)
    photons_per_pixel_log: Range = (3000.0, 40000.0)
    blur_sigma_px: Range = (0.35, 0.9)
    gain_jitter: Range = (0.001, 0.008)
    source_distance_mm: Range = (700.0, 1300.0)
    tunnel_width_mm: Range = (550.0, 900.0)
    tunnel_height_mm: Range = (400.0, 700.0)
    single_energy_share: float = 0.15
    second_view_share: float = 0.3
    tray_share: float = 0.08
    fleet_size: int = 16
    """Tube and detector-layer settings come from a fleet of this many scanner models (drawn from the ranges
    with ``fleet_seed``); dose, blur, geometry and gain vary per parcel. A finite fleet keeps spectra cached."""
    fleet_seed: int = 20260112
    energy_bin_kev: float = 10.0
    """Width of the energy bins of the polychromatic integral (B's forward model uses 5 keV by default; 10 keV
    halves the cost and moves attenuation by < 1.5 % (lead), < 1 % elsewhere)."""


@dataclass(frozen=True)
class ParcelConfig:
    """What goes into a parcel and how it is packed."""

    container_weights: dict[str, float] = field(default_factory=lambda: {"box": 0.65, "mailer": 0.15, "polybag": 0.2})
    goods_count_weights: tuple[float, ...] = (0.0, 0.14, 0.18, 0.18, 0.15, 0.12, 0.1, 0.07, 0.06)
    """P(number of goods units = index), before threats and clutter."""
    clutter_count: tuple[int, int] = (1, 8)
    filler_count: tuple[int, int] = (0, 4)
    threat_share: float = 0.35
    """Share of parcels with at least one prohibited item."""
    second_threat_share: float = 0.2
    concealment_share: float = 0.45
    """Share of threats that are hidden: under a dense item, inside shoes or a toy, among cables."""
    tilt_share: float = 0.35
    max_tilt_deg: float = 40.0
    category_weights: dict[str, float] = field(default_factory=dict)
    """Relative weights of taxonomy categories; a missing category gets weight 1."""


@dataclass(frozen=True)
class DeclarationConfig:
    """Manifest generation and mismatch injection (rates are per parcel, independent)."""

    rates: dict[str, float] = field(
        default_factory=lambda: {
            "undeclared_goods": 0.08,
            "declared_not_found": 0.05,
            "quantity_mismatch": 0.06,
            "weight_mismatch": 0.05,
            "undervaluation": 0.08,
            "vague_description": 0.08,
            "hs_description_mismatch": 0.05,
        }
    )
    threat_declared_as_benign_share: float = 0.5
    """Share of threats declared as a benign line (the rest go undeclared)."""
    gross_mass_noise: float = 0.05
    """Relative standard deviation of an honest declared gross mass."""
    weight_tolerance: float = 0.25
    """Relative gap between declared and true gross mass that an ideal cross-check flags (and >= 0.3 kg)."""
    undervaluation_factor: float = 1.0
    """A unit value below factor x the reference minimum is flagged as undervalued."""
    aeo_share: float = 0.1
    currencies: dict[str, float] = field(default_factory=lambda: {"EUR": 0.6, "USD": 0.25, "GBP": 0.05, "CNY": 0.1})


@dataclass(frozen=True)
class SynthConfig:
    """The whole generator configuration."""

    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    parcel: ParcelConfig = field(default_factory=ParcelConfig)
    declarations: DeclarationConfig = field(default_factory=DeclarationConfig)
    transfer_syntax: str | None = None
    """DICOS transfer syntax UID (None: Explicit VR Little Endian)."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _build(cls: type, data: Any, where: str) -> Any:
    if data is None:
        return cls()
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; expected some of {sorted(fields)}")
    kwargs: dict[str, Any] = {}
    nested = {"scanner": ScannerConfig, "parcel": ParcelConfig, "declarations": DeclarationConfig}
    for key, value in data.items():
        if key in nested and cls is SynthConfig:
            kwargs[key] = _build(nested[key], value, f"{where}.{key}")
        elif isinstance(value, list):
            kwargs[key] = tuple(value)
        else:
            kwargs[key] = value
    try:
        obj = cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return obj


def validate(cfg: SynthConfig) -> SynthConfig:
    """Checks ranges and shares; raises ConfigError naming the bad value."""
    s = cfg.scanner
    for name in (
        "pixel_spacing_mm",
        "pixel_aspect",
        "front_mm",
        "filter_mm_cu",
        "back_mm",
        "photons_per_pixel_log",
        "blur_sigma_px",
        "gain_jitter",
        "source_distance_mm",
        "tunnel_width_mm",
        "tunnel_height_mm",
    ):
        lo, hi = getattr(s, name)
        if not 0 <= lo <= hi:
            raise ConfigError(f"scanner.{name} = [{lo}, {hi}]; expected 0 <= low <= high")
    if not (s.pixel_spacing_mm[0] >= 0.2 and s.pixel_spacing_mm[1] <= 5):
        raise ConfigError(f"scanner.pixel_spacing_mm = {s.pixel_spacing_mm}; expected within [0.2, 5] mm")
    if not (s.pixel_aspect[0] >= 0.5 and s.pixel_aspect[1] <= 2):
        raise ConfigError(f"scanner.pixel_aspect = {s.pixel_aspect}; expected within [0.5, 2]")
    for name, v in (
        ("scanner.single_energy_share", s.single_energy_share),
        ("scanner.second_view_share", s.second_view_share),
        ("scanner.tray_share", s.tray_share),
        ("parcel.threat_share", cfg.parcel.threat_share),
        ("parcel.concealment_share", cfg.parcel.concealment_share),
    ):
        if not 0 <= v <= 1:
            raise ConfigError(f"{name} = {v}; expected a share in [0, 1]")
    for t, rate in cfg.declarations.rates.items():
        if t not in ALERT_TYPES or t == "prohibited_item":
            raise ConfigError(f"declarations.rates: unknown mismatch type {t!r}; expected one of {ALERT_TYPES[1:]}")
        if not 0 <= rate <= 1:
            raise ConfigError(f"declarations.rates.{t} = {rate}; expected a rate in [0, 1]")
    from nii.taxonomy import load_taxonomy

    tax = load_taxonomy()
    for c, w in cfg.parcel.category_weights.items():
        if c not in tax:
            raise ConfigError(f"parcel.category_weights: unknown category {c!r}; expected one of {tax.names}")
        if w < 0:
            raise ConfigError(f"parcel.category_weights.{c} = {w}; expected >= 0")
    for c in cfg.parcel.container_weights:
        if c not in ("box", "mailer", "polybag"):
            raise ConfigError(f"parcel.container_weights: unknown container {c!r}; expected box, mailer, polybag")
    return cfg


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> SynthConfig:
    """Loads configs/synth/default.yaml (or ``path``), applies ``overrides`` ({"scanner.x": v}) and validates."""
    p = Path(path) if path is not None else config_path("synth/default.yaml")
    try:
        data = read_yaml(p) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read synth config {p}: {exc}") from None
    for dotted, value in (overrides or {}).items():
        node = data
        *head, last = dotted.split(".")
        for key in head:
            node = node.setdefault(key, {})
        node[last] = value
    return validate(_build(SynthConfig, data, str(p)))
