"""Screening-workstation display presets: attenuation images -> uint8 RGB [H, W, 3].

Greyscale presets (``grey``, ``inverse``, ``high_penetration``, ``low_penetration``, ``edge``) work on any view
(the high-energy image of a dual-energy view, the single image otherwise). Colour presets (``dual_energy``,
``organic_strip``, ``inorganic_strip``) need material information and raise
:class:`nii.imaging.materials.NoMaterialInformationError` on single-energy views rather than invent colours.

Pseudo-colour follows the common convention: hue from Zeff (orange organic < 10, green inorganic 10-18, blue
metal > 18, with smooth blends across the class borders), brightness from attenuation (air white, thick dark).
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from nii.errors import NIIError
from nii.imaging.calibration import ratio_calibration
from nii.imaging.materials import (
    BACKGROUND_ATTENUATION,
    INORGANIC,
    METAL,
    ORGANIC,
    classify_zeff,
    smoothed_energies,
)
from nii.registry import Registry
from nii.scan import View

Preset = Callable[[View], np.ndarray]
PRESETS: Registry[Preset] = Registry("render mode")
COLOUR_MODES = frozenset({"dual_energy", "organic_strip", "inorganic_strip"})

# Zeff -> RGB anchors (0-1); linear blends between them give the smooth class transitions of real workstations.
_ZEFF_ANCHORS = np.array([5.0, 8.8, 11.2, 16.5, 19.5, 30.0])
_RGB_ANCHORS = np.array(
    [
        [1.00, 0.55, 0.10],  # organic: orange
        [1.00, 0.55, 0.10],
        [0.25, 0.75, 0.20],  # inorganic: green
        [0.25, 0.75, 0.20],
        [0.15, 0.35, 0.95],  # metal: blue
        [0.15, 0.35, 0.95],
    ],
    dtype=np.float32,
)
BRIGHTNESS_PER_ATTENUATION = 0.4
"""Display brightness falls as exp(-0.4 A): A = 1 shows at 67 %, A = 5 at 14 %."""
SATURATION_SCALE = 0.25
"""Colour saturation rises as 1 - exp(-A / 0.25): thin wrapping is pale, anything thicker fully coloured."""
STRIPPED_GREY = 0.85
"""Brightness of stripped (removed) material classes."""


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _grey_rgb(values: np.ndarray) -> np.ndarray:
    """float [H, W] in 0..1 -> uint8 [H, W, 3]."""
    g = _to_uint8(values)
    return np.repeat(g[:, :, None], 3, axis=2)


def _brightness(attenuation: np.ndarray, per_attenuation: float = BRIGHTNESS_PER_ATTENUATION) -> np.ndarray:
    return np.exp(-per_attenuation * np.maximum(attenuation, 0.0)).astype(np.float32)


def _window(attenuation: np.ndarray, lo: float, hi: float, gamma: float = 1.0) -> np.ndarray:
    """Linear window of attenuation [lo, hi] -> brightness 1..0 (air white), float32 [H, W]."""
    t = np.clip((attenuation - lo) / (hi - lo), 0.0, 1.0)
    return (1.0 - t**gamma).astype(np.float32)


def zeff_colours(zeff: np.ndarray) -> np.ndarray:
    """Pseudo-colour hue of Zeff values, float32 [..., 3] in 0..1."""
    z = np.clip(zeff, _ZEFF_ANCHORS[0], _ZEFF_ANCHORS[-1])
    return np.stack([np.interp(z, _ZEFF_ANCHORS, _RGB_ANCHORS[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def _colour_layers(view: View) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(high attenuation [H, W], Zeff [H, W], hue RGB [H, W, 3], saturation [H, W]) of a dual-energy view."""
    high_s, low_s = smoothed_energies(view)
    zeff, _ = ratio_calibration().lookup(high_s, low_s)
    hue = zeff_colours(zeff)
    saturation = 1.0 - np.exp(-np.maximum(high_s, 0.0) / SATURATION_SCALE)
    saturation[high_s < BACKGROUND_ATTENUATION * 0.5] = 0.0
    return view.high, zeff, hue, saturation.astype(np.float32)


def _compose(
    high: np.ndarray, hue: np.ndarray, saturation: np.ndarray, per_attenuation: float = BRIGHTNESS_PER_ATTENUATION
) -> np.ndarray:
    s = saturation[:, :, None]
    rgb = ((1.0 - s) + s * hue) * _brightness(high, per_attenuation)[:, :, None]
    return _to_uint8(rgb)


@PRESETS.register("dual_energy")
def dual_energy(view: View) -> np.ndarray:
    """Screening pseudo-colour: orange organic, green inorganic, blue metal; darker where thicker."""
    high, _, hue, saturation = _colour_layers(view)
    return _compose(high, hue, saturation)


def _strip(view: View, keep: tuple[int, ...]) -> np.ndarray:
    high, zeff, hue, saturation = _colour_layers(view)
    high_s, low_s = smoothed_energies(view)
    classes = classify_zeff(zeff, high_s, low_s)
    rgb = _compose(high, hue, saturation)
    removed = ~np.isin(classes, keep) & (classes > 0)
    faded = _grey_rgb(1.0 - (1.0 - STRIPPED_GREY) * (1.0 - _brightness(high)))
    rgb[removed] = faded[removed]
    return rgb


@PRESETS.register("organic_strip")
def organic_strip(view: View) -> np.ndarray:
    """Organics removed (shown pale grey): only inorganic and metal stay coloured."""
    return _strip(view, (INORGANIC, METAL))


@PRESETS.register("inorganic_strip")
def inorganic_strip(view: View) -> np.ndarray:
    """Inorganics and metals removed (pale grey): only organics stay coloured."""
    return _strip(view, (ORGANIC,))


@PRESETS.register("grey")
def grey(view: View) -> np.ndarray:
    """Greyscale transmission: air white, brightness exp(-0.4 A)."""
    return _grey_rgb(_brightness(view.attenuation))


@PRESETS.register("inverse")
def inverse(view: View) -> np.ndarray:
    """Inverted greyscale: air black, dense bright."""
    return _grey_rgb(1.0 - _brightness(view.attenuation))


@PRESETS.register("high_penetration")
def high_penetration(view: View) -> np.ndarray:
    """Window on the dense end (attenuation 1-8): thin material vanishes, detail inside dense objects shows."""
    return _grey_rgb(_window(view.attenuation, 1.0, 8.0, gamma=0.7))


@PRESETS.register("low_penetration")
def low_penetration(view: View) -> np.ndarray:
    """Window on the thin end (attenuation 0-1.5): thin plastics, paper and wires stand out; dense is black."""
    return _grey_rgb(_window(view.attenuation, 0.0, 1.5, gamma=0.6))


EDGE_SIGMA_PX = 2.0
EDGE_AMOUNT = 1.5


@PRESETS.register("edge")
def edge(view: View) -> np.ndarray:
    """Edge enhancement: unsharp mask (sigma 2 px, amount 1.5) of the greyscale image."""
    base = _brightness(view.attenuation)
    blurred = cv2.GaussianBlur(base, (0, 0), EDGE_SIGMA_PX, borderType=cv2.BORDER_REPLICATE)
    return _grey_rgb(base + EDGE_AMOUNT * (base - blurred))


def display_rgb(view: View, per_attenuation: float = BRIGHTNESS_PER_ATTENUATION) -> np.ndarray:
    """What a workstation shows (and exports as a screenshot or JPEG) by default: the ``dual_energy`` pseudo-colour
    of a dual-energy view, grey for a single-energy one, brightness exp(-``per_attenuation`` A) (the display's
    contrast; 0.4 in these presets). uint8 RGB [H, W, 3]."""
    if not view.dual_energy:
        return _grey_rgb(_brightness(view.attenuation, per_attenuation))
    high, _, hue, saturation = _colour_layers(view)
    return _compose(high, hue, saturation, per_attenuation)


def render(view: View, mode: str = "dual_energy") -> np.ndarray:
    """The view shown in display preset ``mode`` (a name in :data:`PRESETS`): uint8 RGB [H, W, 3].

    Raises NIIError for an unknown mode, and NoMaterialInformationError (a NIIError) for a colour mode on a
    single-energy view.
    """
    if mode not in PRESETS:
        raise NIIError(f"unknown render mode {mode!r}; expected one of: {', '.join(PRESETS.names())}")
    return PRESETS.get(mode)(view)
