"""From a scan view to the network's input, rebuilt from the checkpoint's :class:`InputSpec`.

Channels (float32 [3, H, W]): ``log_high`` and ``log_low`` are the attenuation images -ln(I/I0) clipped at
``max_attenuation``; ``ratio`` is low / high where the high-energy attenuation exceeds ``ratio_min_attenuation``
(the dual-energy Zeff proxy, larger for heavier elements) and ``ratio_neutral`` elsewhere. A single-energy view
gets its one image in both log channels and ``ratio_neutral`` everywhere, the fill training also uses when it
drops a view to single energy. Each channel is then standardised with ``mean`` / ``std``.

Geometry: the view is resampled to ``mm_per_px`` (area averaging when shrinking) and padded at the bottom/right
with air (0 attenuation) to a multiple of ``pad_to``. ``scale`` maps back: original = network / scale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from nii.errors import ModelError
from nii.scan import View

CHANNELS = ("log_high", "log_low", "ratio")


@dataclass(frozen=True)
class InputSpec:
    """Everything that turns a view into the network's input; stored in every checkpoint."""

    mm_per_px: float = 2.0
    pad_to: int = 32
    channels: tuple[str, ...] = CHANNELS
    max_attenuation: float = 8.0
    ratio_min_attenuation: float = 0.05
    ratio_neutral: float = 1.0
    ratio_max: float = 3.0
    default_spacing_mm: float = 1.0
    mean: tuple[float, ...] = (0.8, 1.2, 1.0)
    std: tuple[float, ...] = (1.0, 1.4, 0.35)
    extra: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.channels != CHANNELS:
            raise ModelError(f"input channels {list(self.channels)} not supported; expected {list(CHANNELS)}")
        if not (0.05 <= self.mm_per_px <= 20):
            raise ModelError(f"mm_per_px {self.mm_per_px} out of range; expected 0.05-20")
        if len(self.mean) != len(self.channels) or len(self.std) != len(self.channels):
            raise ModelError(f"mean/std need {len(self.channels)} values, got {list(self.mean)} / {list(self.std)}")
        if min(self.std) <= 0:
            raise ModelError(f"std must be positive, got {list(self.std)}")

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["channels"] = list(self.channels)
        d["mean"], d["std"] = list(self.mean), list(self.std)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> InputSpec:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(d) - known)
        if unknown:
            raise ModelError(f"input spec has unknown keys {unknown}; expected some of {sorted(known)}")
        kw: dict[str, object] = dict(d)
        for key in ("channels", "mean", "std"):
            if key in kw:
                kw[key] = tuple(kw[key])  # type: ignore[arg-type]
        return cls(**kw)  # type: ignore[arg-type]


def view_scale(view: View, spec: InputSpec) -> tuple[float, float]:
    """(sx, sy): network pixels per original pixel along columns and rows."""
    sp = view.pixel_spacing_mm or (spec.default_spacing_mm, spec.default_spacing_mm)
    return float(sp[1]) / spec.mm_per_px, float(sp[0]) / spec.mm_per_px


def resample(img: np.ndarray, sx: float, sy: float) -> np.ndarray:
    """float32 [H, W] (or [H, W, C]) resampled by (sx, sy); area averaging when shrinking."""
    h, w = img.shape[:2]
    nw, nh = max(1, round(w * sx)), max(1, round(h * sy))
    if (nw, nh) == (w, h):
        return img.astype(np.float32, copy=False)
    interp = cv2.INTER_AREA if sx * sy < 1 else cv2.INTER_LINEAR
    return cv2.resize(img.astype(np.float32, copy=False), (nw, nh), interpolation=interp)


def view_energies(view: View, spec: InputSpec) -> np.ndarray:
    """float32 [H', W', 2] (high, low) at ``spec.mm_per_px``; a single-energy view's image fills both."""
    sx, sy = view_scale(view, spec)
    high = resample(view.high, sx, sy)
    low = resample(view.low, sx, sy) if view.low is not None else high
    return np.stack([high, low], axis=-1)


def energies_to_channels(energies: np.ndarray, spec: InputSpec, *, dual: bool) -> np.ndarray:
    """float32 [H, W, 2] (high, low) -> normalised float32 [3, H, W]; ``dual`` False ignores low (single energy)."""
    high = np.clip(np.nan_to_num(energies[..., 0]), 0, spec.max_attenuation)
    if not dual:
        low = high
        ratio = np.full_like(high, spec.ratio_neutral)
    else:
        low = np.clip(np.nan_to_num(energies[..., 1]), 0, spec.max_attenuation)
        valid = high > spec.ratio_min_attenuation
        ratio = np.full_like(high, spec.ratio_neutral)
        np.divide(low, high, out=ratio, where=valid)
        np.clip(ratio, 0, spec.ratio_max, out=ratio)
    chans = np.stack([high, low, ratio]).astype(np.float32)
    mean = np.asarray(spec.mean, np.float32).reshape(3, 1, 1)
    std = np.asarray(spec.std, np.float32).reshape(3, 1, 1)
    return (chans - mean) / std


def pad_channels(chans: np.ndarray, spec: InputSpec, size: tuple[int, int] | None = None) -> np.ndarray:
    """Pads [3, H, W] bottom/right with the normalised air value to ``size`` or the next multiple of pad_to."""
    _, h, w = chans.shape
    if size is None:
        size = (-(-h // spec.pad_to) * spec.pad_to, -(-w // spec.pad_to) * spec.pad_to)
    th, tw = size
    if th < h or tw < w:
        raise ValueError(f"cannot pad {h}x{w} to the smaller {th}x{tw}")
    out = np.empty((3, th, tw), np.float32)
    air = (np.array([0.0, 0.0, spec.ratio_neutral], np.float32) - np.asarray(spec.mean, np.float32)) / np.asarray(
        spec.std, np.float32
    )
    out[:] = air.reshape(3, 1, 1)
    out[:, :h, :w] = chans
    return out


def preprocess_view(view: View, spec: InputSpec) -> tuple[np.ndarray, tuple[float, float]]:
    """A view -> (normalised, padded float32 [3, H, W], (sx, sy)); boxes map back as x / sx, y / sy."""
    chans = energies_to_channels(view_energies(view, spec), spec, dual=view.dual_energy)
    return pad_channels(chans, spec), view_scale(view, spec)
