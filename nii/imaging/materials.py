"""Material discrimination from the two energies: effective atomic number and the organic/inorganic/metal map.

The ratio of low- to high-energy attenuation, looked up with the high-energy attenuation in the calibration of
:mod:`nii.imaging.calibration`, gives Zeff per pixel. Classes follow the screening convention: organic (Zeff < 10,
shown orange), inorganic and light metals (10-18, green), metals (> 18, blue).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from nii.errors import NIIError
from nii.imaging.calibration import ratio_calibration
from nii.physics.detector import DEFAULT_DETECTOR, XrayDetector
from nii.scan import Scan, View

ZEFF_ORGANIC_MAX = 10.0
"""Below this Zeff a pixel is organic."""
ZEFF_INORGANIC_MAX = 18.0
"""Between ZEFF_ORGANIC_MAX and this, inorganic / light metal; above, metal."""
BACKGROUND_ATTENUATION = 0.03
"""High-energy attenuation below which a pixel is background (air, thin wrapping): 97 % transmission."""
OPAQUE_HIGH = -math.log(0.005)
"""High-energy attenuation (≈ 5.3, transmission 0.5 %) from which a pixel is opaque: the density-alert threshold."""
OPAQUE_LOW = 7.0
"""Low-energy attenuation (transmission 0.09 %) from which the low image is at its noise floor. Opaque pixels
(either threshold) have no usable ratio; they are called metal, since in a parcel only metal stops that much of
the beam (the alternative is > 30 cm of water)."""
SMOOTHING_SIGMA_PX = 1.0
"""Gaussian sigma (pixels) applied to both energies before the ratio; the ratio of two noisy images is noisier."""
NOISY_SMOOTHING_SIGMA_PX = 3.0
"""Stronger smoothing used where the ratio is noisiest (very thin and thick material)."""
_NOISY_RADIUS_PX = 3 * int(NOISY_SMOOTHING_SIGMA_PX)

BACKGROUND, ORGANIC, INORGANIC, METAL = 0, 1, 2, 3
CLASS_NAMES = {ORGANIC: "organic", INORGANIC: "inorganic", METAL: "metal"}


class NoMaterialInformationError(NIIError):
    """A colour / material operation on a single-energy view, which carries no material information."""


def require_dual_energy(view: View) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) of a dual-energy view; raises :class:`NoMaterialInformationError` for single-energy views."""
    low = view.low
    if not view.dual_energy or low is None:
        raise NoMaterialInformationError(
            f"single-energy scan: no material information (view {view.index} holds {sorted(view.energies)}; "
            "material maps and colour presets need high and low energies)"
        )
    return view.high, low


def _masked_blur(img: np.ndarray, valid: np.ndarray, weight_blur: np.ndarray, sigma_px: float) -> np.ndarray:
    blurred = cv2.GaussianBlur(np.where(valid, img, np.float32(0.0)), (0, 0), sigma_px, borderType=cv2.BORDER_REPLICATE)
    return np.where(weight_blur > 1e-3, blurred / np.maximum(weight_blur, np.float32(1e-3)), img)


def smoothed_energies(view: View, sigma_px: float = SMOOTHING_SIGMA_PX) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) of a dual-energy view smoothed for the ratio, float32 [H, W].

    A Gaussian of ``sigma_px`` everywhere; where the ratio is noisy (very thin: high < 0.15, or thick: high > 2,
    where few photons reach the back layer) it blends towards :data:`NOISY_SMOOTHING_SIGMA_PX`. Opaque pixels
    (:func:`opaque_mask`) keep their values and are left out of their neighbours' averages, so a lead block or a
    coin does not tint its surroundings.
    """
    high, low = require_dual_energy(view)
    if sigma_px <= 0:
        return high, low
    valid = ~opaque_mask(high, low)
    valid_f = valid.astype(np.float32)
    w1 = cv2.GaussianBlur(valid_f, (0, 0), sigma_px, borderType=cv2.BORDER_REPLICATE)
    h1, l1 = (_masked_blur(img, valid, w1, sigma_px) for img in (high, low))
    # Smooth harder only where the whole neighbourhood is thin or thick, so edges between the two stay sharp.
    kernel = np.ones((2 * _NOISY_RADIUS_PX + 1, 2 * _NOISY_RADIUS_PX + 1), dtype=np.uint8)
    h_min = cv2.erode(h1, kernel, borderType=cv2.BORDER_REPLICATE)
    h_max = cv2.dilate(h1, kernel, borderType=cv2.BORDER_REPLICATE)
    weight = np.clip((h_min - 2.0) / 1.5, 0.0, 1.0) + np.clip((0.15 - h_max) / 0.1, 0.0, 1.0)
    weight[~valid] = 0.0
    if not weight.any():
        return h1, l1
    w2 = cv2.GaussianBlur(valid_f, (0, 0), NOISY_SMOOTHING_SIGMA_PX, borderType=cv2.BORDER_REPLICATE)
    h2, l2 = (_masked_blur(img, valid, w2, NOISY_SMOOTHING_SIGMA_PX) for img in (high, low))
    return h1 + weight * (h2 - h1), l1 + weight * (l2 - l1)


def zeff_map(view: View, detector: XrayDetector = DEFAULT_DETECTOR) -> np.ndarray:
    """Effective atomic number per pixel, float32 [H, W]; 0 on background, NaN where opaque. Needs a dual-energy
    view."""
    high, low = smoothed_energies(view)
    zeff, _ = ratio_calibration(detector).lookup(high, low)
    zeff[opaque_mask(high, low)] = np.nan
    zeff[high < BACKGROUND_ATTENUATION] = 0.0
    return zeff


def opaque_mask(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """bool [H, W]: pixels too dense for a meaningful ratio (see :data:`OPAQUE_HIGH`, :data:`OPAQUE_LOW`)."""
    return (high >= OPAQUE_HIGH) | (low >= OPAQUE_LOW)


def classify_zeff(zeff: np.ndarray, high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Material classes uint8 [H, W] (0 background, 1 organic, 2 inorganic, 3 metal) from Zeff and attenuations."""
    classes = np.full(zeff.shape, ORGANIC, dtype=np.uint8)
    classes[zeff >= ZEFF_ORGANIC_MAX] = INORGANIC
    classes[(zeff >= ZEFF_INORGANIC_MAX) | opaque_mask(high, low)] = METAL
    classes[high < BACKGROUND_ATTENUATION] = BACKGROUND
    return classes


def material_map(view: View, detector: XrayDetector = DEFAULT_DETECTOR) -> np.ndarray:
    """Material class per pixel, uint8 [H, W]: 0 background, 1 organic, 2 inorganic, 3 metal (dual-energy only)."""
    high, low = smoothed_energies(view)
    zeff, _ = ratio_calibration(detector).lookup(high, low)
    return classify_zeff(zeff, high, low)


def material_fractions(scan: Scan, detector: XrayDetector = DEFAULT_DETECTOR) -> dict[str, float] | None:
    """Shares of the parcel's non-background area that are organic / inorganic / metal, over all views.

    Returns ``{"organic": f, "inorganic": f, "metal": f}`` summing to 1 (all 0 when the parcel shows no material),
    or None for a single-energy scan.
    """
    if not scan.dual_energy:
        return None
    counts = np.zeros(4, dtype=np.int64)
    for view in scan.views:
        counts += np.bincount(material_map(view, detector).reshape(-1), minlength=4)[:4]
    total = int(counts[1:].sum())
    if total == 0:
        return {name: 0.0 for name in CLASS_NAMES.values()}
    return {name: float(counts[cls]) / total for cls, name in CLASS_NAMES.items()}
