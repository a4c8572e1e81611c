"""Training recipes: YAML under configs/train/ loaded into frozen pydantic models (unknown keys are errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nii.errors import ConfigError

PROHIBITED_TARGET_PD = {"firearm": 0.95, "knife": 0.95, "ammunition": 0.95, "narcotics_packet": 0.95}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSection(_Frozen):
    arch: str = "nii_det"
    config: dict[str, Any] = Field(default_factory=dict)
    init_from: str | None = None
    """A checkpoint of the same architecture and categories to start from (fine-tuning); None: random init."""


class DataSection(_Frozen):
    train: str | list[str]
    val: str | None = None
    val_fraction: float = Field(0.1, ge=0.0, lt=1.0)
    cache: str = "data/cache"
    mm_per_px: float = Field(2.0, gt=0.05, le=20)
    default_spacing_mm: float = 1.0


class TrainSection(_Frozen):
    epochs: int = Field(20, ge=1)
    batch_size: int = Field(16, ge=1)
    lr: float = Field(2e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    warmup_iters: int = Field(200, ge=0)
    crop: tuple[int, int] = (320, 320)
    scale_jitter: float = Field(0.15, ge=0, lt=1)
    single_energy_p: float = Field(0.2, ge=0, le=1)
    repeat_threshold: float | None = Field(None, gt=0, le=1)
    """Repeat-factor sampling of rare categories (training.data.RepeatFactorSampler); None: plain shuffling."""
    view_repeat: dict[int, Annotated[float, Field(ge=1)]] = Field(default_factory=dict)
    """Repeat factor per view index (training.data.RepeatFactorSampler), e.g. ``{1: 1.75}`` for side views."""
    noise_p: float = Field(0.5, ge=0, le=1)
    gain_p: float = Field(0.5, ge=0, le=1)
    gain: tuple[float, float] = (0.9, 1.1)
    """Range of the gain on both energies' attenuation (thickness, display gamma); the ratio is kept."""
    blur_p: float = Field(0.0, ge=0, le=1)
    """Probability of a detector blur (another scanner's point-spread function)."""
    export8_p: float = Field(0.0, ge=0, le=1)
    """Probability of an 8-bit export round trip (PNG/JPEG from a workstation)."""
    display_p: float = Field(0.0, ge=0, le=1)
    """Probability of a display export (training.augment.display_export, contrast k log-uniform in display_k): the
    workstation's pseudo-colour or grey rendering read back through luminance, as public X-ray image sets are."""
    display_k: tuple[float, float] = (0.25, 1.0)
    tip_p: float = Field(0.0, ge=0, le=1)
    """Probability of threat image projection into a training view (training.tip): extra rare threats."""
    tip_categories: tuple[str, ...] = ("firearm", "knife", "ammunition", "narcotics_packet")
    tip_negatives: tuple[str, ...] = ()
    """Unannotated object kinds (clutter such as ``umbrella``, ``pens``, ``cutlery``) also projected, with no box:
    look-alikes the loss sees as background. Each kind is drawn as often as a category."""
    tip_weights: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    """Relative draw weight of a TIP category or negative kind (1 for one not named), e.g. ``{knife: 3}`` to
    project the category with the lowest AP three times as often as each other."""
    tip_side_share: float = Field(0.0, ge=0, le=1)
    """Share of the TIP bank's patches seen as a dual-view scanner's side view sees the object (flat ones edge-on)."""
    tip_max: int = Field(1, ge=1, le=8)
    """At most this many objects projected into one view."""
    tip_bank: int = Field(96, ge=1)
    """Patches rendered per TIP category (cached next to the training cache)."""
    workers: int = Field(1, ge=0)
    threads: int = Field(2, ge=1)
    adaptive_threads: bool = True
    """Switch between 1 and ``threads`` intra-op threads by measured speed (training.threads)."""
    seed: int = 0
    patience: int = Field(5, ge=1)
    max_minutes: float | None = Field(None, gt=0)
    max_iters_per_epoch: int | None = Field(None, ge=1)
    nonfinite_tolerance: int = Field(3, ge=0)
    grad_clip: float = Field(10.0, gt=0)
    amp: bool = True
    """float16 autocast + gradient scaling on CUDA."""
    bf16_cpu: bool = False
    """bfloat16 autocast on a CPU with native bf16 (AVX512-BF16 / AMX); about 1.5x faster training here."""
    ema_decay: float | None = Field(None, gt=0, lt=1)
    """Validate, checkpoint and ship an exponential moving average of the weights (training.ema)."""
    eval_every: int = Field(1, ge=1)


class EvalSection(_Frozen):
    target_pd: dict[str, float] = Field(default_factory=lambda: dict(PROHIBITED_TARGET_PD))
    default_threshold: float = Field(0.3, gt=0, lt=1)
    fit_other_thresholds: bool = True
    """Categories without a target Pd get the threshold of their best parcel-level F1 on validation (else the
    default): what the cross-check's undeclared / not-found alerts need."""
    group: tuple[str, ...] = ("firearm", "knife", "ammunition", "narcotics_packet")
    sheet_images: int = Field(12, ge=0)


class TrainConfig(_Frozen):
    name: str
    version: str = "0.1.0"
    model: ModelSection = Field(default_factory=lambda: ModelSection.model_validate({}))
    data: DataSection
    train: TrainSection = Field(default_factory=lambda: TrainSection.model_validate({}))
    eval: EvalSection = Field(default_factory=lambda: EvalSection.model_validate({}))


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Reads a recipe; ``overrides`` are merged on top (nested dicts); ConfigError names the bad field."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"training config {path} not found")
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return parse_config(_merge(raw, overrides or {}), str(path))


def parse_config(raw: dict[str, Any], source: str = "<config>") -> TrainConfig:
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {exc}") from exc


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out
