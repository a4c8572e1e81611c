"""Density alert: regions too dense for the beam to see through, which could hide anything.

A pixel is opaque when the high-energy transmission falls below :data:`OPAQUE_TRANSMISSION` (0.5 %, attenuation
5.3): near the floor of a line detector's useful dynamic range, where quantum noise and detector offsets swamp the
signal and neither the ratio nor the shape of what lies behind can be read. Alerts need a connected opaque blob of
at least :data:`MIN_ALERT_AREA_MM2`, so wires, screws and noise specks do not fire.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from nii.scan import View

OPAQUE_TRANSMISSION = 0.005
DENSITY_ATTENUATION = -math.log(OPAQUE_TRANSMISSION)
"""High-energy attenuation above which a pixel counts as opaque (≈ 5.3)."""
MIN_ALERT_AREA_MM2 = 100.0
"""Smallest opaque blob that raises an alert: 1 cm^2 (a coin is ~4 cm^2; lead-lined pouches are far larger)."""
DEFAULT_SPACING_MM = 1.0


def density_alert_mask(
    view: View, *, threshold: float = DENSITY_ATTENUATION, min_area_mm2: float = MIN_ALERT_AREA_MM2
) -> np.ndarray:
    """bool [H, W]: True on connected regions too dense to see through, each at least ``min_area_mm2``.

    Uses the high-energy image (or the single-energy image). Pixel spacing defaults to 1 mm where unknown.
    """
    att = view.attenuation
    opaque = (cv2.medianBlur(att, 3) if att.shape[0] >= 3 and att.shape[1] >= 3 else att) >= threshold
    if not opaque.any():
        return opaque
    rows_mm, cols_mm = view.pixel_spacing_mm or (DEFAULT_SPACING_MM, DEFAULT_SPACING_MM)
    min_pixels = max(1, math.ceil(min_area_mm2 / (float(rows_mm) * float(cols_mm))))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opaque.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_pixels
    return keep[labels]
