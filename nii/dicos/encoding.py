"""How NII stores an attenuation image in a 16-bit DICOS DX instance, and how it is read back.

A :class:`nii.scan.View` holds float32 attenuation ``a = -ln(I/I0)`` (0 = air). DICOS DX pixel data are
unsigned integers, so NII writes the *transmitted intensity* ``I/I0`` scaled to the 16-bit range:

    pixel = round(FULL_SCALE * exp(-a)),  clamped to [MIN_PIXEL, FULL_SCALE]
    a     = -ln(pixel / FULL_SCALE)

with ``FULL_SCALE = 65535`` (air, no attenuation) and ``MIN_PIXEL = 1`` (the most attenuation a pixel can hold,
``MAX_ATTENUATION = ln(65535) ~ 11.09``; the value 0 never occurs, so the logarithm is always finite).
The instance says so in its own terms: BitsStored 16, PhotometricInterpretation MONOCHROME2 (air is white),
PixelIntensityRelationship ``LIN`` with Sign +1 (larger value = more transmitted intensity), Rescale Slope 1
and Intercept 0 (the Stratovan toolkit's reader refuses anything else in a DICOS file).

Precision: rounding to an integer moves ``a`` by at most ``0.5 / pixel`` (relative error of ``I``), i.e.
< 1e-4 for ``a < 1.8`` (pixel > 10,000), ~1e-3 at ``a = 5`` and ~0.17 at the clamp. Attenuation below 0
(brighter than air, detector noise) is written as air; attenuation above ``MAX_ATTENUATION`` as ``MIN_PIXEL``.
"""

from __future__ import annotations

import math

import numpy as np

from nii.errors import InvalidScanError

BITS_STORED = 16
FULL_SCALE = (1 << BITS_STORED) - 1
"""Pixel value of air (I/I0 = 1)."""
MIN_PIXEL = 1
"""Smallest pixel value written: keeps -ln(pixel / FULL_SCALE) finite."""
MAX_ATTENUATION = math.log(FULL_SCALE / MIN_PIXEL)
"""Largest attenuation that can be stored (-ln(1/65535) ~ 11.09); larger values are clamped to it."""


def attenuation_to_pixels(attenuation: np.ndarray) -> np.ndarray:
    """Encodes an attenuation image for storage.

    attenuation: float [rows, cols], -ln(I/I0), finite. Returns uint16 [rows, cols] in [MIN_PIXEL, FULL_SCALE].
    Raises InvalidScanError for a non-2-D or non-finite image.
    """
    a = np.asarray(attenuation)
    if a.ndim != 2:
        raise InvalidScanError(f"attenuation image must be 2-D [rows, cols], got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.number):
        raise InvalidScanError(f"attenuation image must be numeric, got dtype {a.dtype}")
    a64 = a.astype(np.float64, copy=False)
    if not np.isfinite(a64).all():
        bad = int(np.count_nonzero(~np.isfinite(a64)))
        raise InvalidScanError(f"attenuation image has {bad} non-finite pixel(s) (NaN or inf); expected finite values")
    intensity = np.exp(-np.clip(a64, 0.0, MAX_ATTENUATION))
    pixels = np.rint(intensity * FULL_SCALE)
    return np.clip(pixels, MIN_PIXEL, FULL_SCALE).astype(np.uint16)


def pixels_to_attenuation(pixels: np.ndarray, *, full_scale: float = FULL_SCALE) -> np.ndarray:
    """Decodes stored transmitted intensity back to attenuation.

    pixels: integer or float [rows, cols] transmitted intensity, ``full_scale`` = air (65535 for what NII writes;
    a reader of another writer's LIN data passes that writer's air value, e.g. 2**BitsStored - 1).
    Returns float32 [rows, cols], -ln(pixel / full_scale), >= 0: values of 0 are read as MIN_PIXEL and values
    above ``full_scale`` as air.
    """
    if not full_scale > 0:
        raise InvalidScanError(f"full_scale must be > 0, got {full_scale}")
    p = np.asarray(pixels, dtype=np.float64)
    p = np.clip(p, MIN_PIXEL, full_scale)
    return (-np.log(p / full_scale)).astype(np.float32)


def max_round_trip_error(attenuation: np.ndarray) -> np.ndarray:
    """Upper bound of |decode(encode(a)) - a| per pixel for attenuation within [0, MAX_ATTENUATION].

    attenuation: float [rows, cols]. Returns float64 [rows, cols]: -ln(1 - 0.5 / pixel) plus float32 rounding.
    """
    a = np.clip(np.asarray(attenuation, dtype=np.float64), 0.0, MAX_ATTENUATION)
    p = np.maximum(FULL_SCALE * np.exp(-a), MIN_PIXEL)
    return -np.log1p(-0.5 / p) + 1e-6 * (1.0 + a)
