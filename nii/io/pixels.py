"""Stored pixel values -> attenuation ``a = -ln(I/I0)`` (0 = air), by the book.

For a projection image (DX, CR, secondary capture) with stored value ``p`` (already masked to BitsStored and
sign-extended by pydicom for PixelRepresentation 1):

1. Modality rescale: ``v = RescaleSlope * p + RescaleIntercept``. ``[v_lo, v_hi]`` is the rescaled range of
   every value BitsStored can hold; ``T = v_hi - v_lo`` is its full scale.
2. Direction: PixelIntensityRelationshipSign +1 means larger values = more X-ray intensity reached the
   detector, -1 the reverse. Without a Sign, PhotometricInterpretation decides: MONOCHROME2 = larger is more
   intensity (air white, the screening convention), MONOCHROME1 = inverted. The transmitted value is
   ``t = v - v_lo`` (increasing) or ``t = v_hi - v`` (inverted), in ``[0, T]``.
3. PixelIntensityRelationship:
   - ``LIN`` (value proportional to intensity, I0 = full scale): ``a = -ln(max(t, 1) / T)``, exactly
     :func:`nii.dicos.encoding.pixels_to_attenuation` with ``full_scale = T`` -- for NII's own files
     (16-bit, slope 1, intercept 0, Sign +1) this *is* the project encoding and inverts the writer exactly.
   - ``LOG`` (value already a logarithm of intensity): the value range is mapped linearly onto the same
     attenuation range a LIN image of that depth has, with air (``t = T``) at 0:
     ``a = (T - t) / T * ln(T)``. The vendor's log base and gain are not in the file; this keeps 0 = air and
     the ordering, and makes LIN and LOG images of the same depth comparable.
   - absent (CR, secondary capture do not carry it) or anything else (``DISP``): read as ``LIN``.

For integer data of up to 16 stored bits the whole chain is evaluated once per distinct parameter set into a
lookup table over every storable value and applied by indexing (one pass over the image).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nii.dicos.encoding import pixels_to_attenuation


@dataclass(frozen=True)
class PixelTransform:
    """The parameters of the stored-value -> attenuation chain (see the module doc).

    bits_stored: 1-32; signed: PixelRepresentation 1; slope / intercept: modality rescale; increasing: larger
    rescaled value = more transmitted intensity; relationship: ``LIN`` or ``LOG``.
    """

    bits_stored: int
    signed: bool
    slope: float
    intercept: float
    increasing: bool
    relationship: str

    def stored_range(self) -> tuple[int, int]:
        if self.signed:
            return -(1 << (self.bits_stored - 1)), (1 << (self.bits_stored - 1)) - 1
        return 0, (1 << self.bits_stored) - 1

    def rescaled_range(self) -> tuple[float, float]:
        lo, hi = self.stored_range()
        a, b = self.slope * lo + self.intercept, self.slope * hi + self.intercept
        return min(a, b), max(a, b)

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Stored values (any shape, integer or float) -> float32 attenuation of the same shape, >= 0."""
        v_lo, v_hi = self.rescaled_range()
        full = v_hi - v_lo
        v = values.astype(np.float64) * self.slope + self.intercept
        t = v - v_lo if self.increasing else v_hi - v
        if full <= 0:
            return np.zeros(values.shape, dtype=np.float32)
        if self.relationship == "LOG":
            scale = math.log(full) / full if full > 1 else 0.0
            return ((full - np.clip(t, 0.0, full)) * scale).astype(np.float32)
        return pixels_to_attenuation(t, full_scale=full)


@lru_cache(maxsize=32)
def _lut(transform: PixelTransform) -> np.ndarray:
    lo, hi = transform.stored_range()
    lut = transform.apply(np.arange(lo, hi + 1, dtype=np.int64))
    lut.setflags(write=False)
    return lut


def to_attenuation(stored: np.ndarray, transform: PixelTransform) -> np.ndarray:
    """Stored pixel values (as pydicom decodes them; any shape) -> float32 attenuation, 0 = air.

    Integer data of <= 16 stored bits go through a cached lookup table; other data are computed directly.
    """
    if stored.dtype.kind in "ui" and transform.bits_stored <= 16:
        lo, hi = transform.stored_range()
        lut = _lut(transform)
        if transform.signed:
            idx = np.clip(stored.astype(np.int32, copy=False), lo, hi) - lo
        elif stored.dtype.kind == "u" and stored.dtype.itemsize * 8 == transform.bits_stored:
            idx = stored
        else:
            idx = stored & np.asarray(hi, dtype=stored.dtype)
        return lut[idx]
    return transform.apply(stored)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """RGB [..., 3] -> luma (ITU-R BT.601 weights 0.299, 0.587, 0.114), float64 [...], same value range."""
    rgb64 = rgb.astype(np.float64, copy=False)
    return rgb64[..., 0] * 0.299 + rgb64[..., 1] * 0.587 + rgb64[..., 2] * 0.114


def brightness_to_attenuation(values: np.ndarray, full_scale: float) -> np.ndarray:
    """Legacy image brightness (bright = transmitted) -> float32 attenuation.

    ``a = -ln((v + 1) / (full_scale + 1))``: 0 for full-scale white, ``ln(full_scale + 1)`` for black; the +1
    keeps black finite. values: [rows, cols] in [0, full_scale] (255 for 8-bit, 65535 for 16-bit).
    """
    v = np.clip(values.astype(np.float64, copy=False), 0.0, full_scale)
    return (-np.log((v + 1.0) / (full_scale + 1.0))).astype(np.float32)
