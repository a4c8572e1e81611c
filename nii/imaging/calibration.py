"""Calibration of the dual-energy ratio against reference materials, computed from the physics forward model.

For a pure material seen by the detector, the ratio ``R = A_low / A_high`` of its two attenuation images depends
on its effective atomic number and, through beam hardening, on its thickness. The calibration therefore maps the
pair (high-energy attenuation ``h``, ratio ``R``) to Zeff and to an equivalent areal density:

1. For each reference material (polyethylene, graphite, POM, water, PTFE, NaF, Na, Mg, Al, Si, S, Ca,
   Ti, Fe, Cu, Zn),
   run :func:`nii.physics.forward.transmission_table` over areal densities 1e-4 .. 400 g/cm^2 and read, at each
   value of a log-spaced grid of ``h``, its ratio ``R_m(h)`` and areal density ``ρt_m(h)``.
2. At each ``h``, Zeff and areal density are interpolated linearly in ``R`` between the references bracketing it
   (clamped to the outermost references), which fills a table over an (h, R) grid.
3. A pixel is looked up bilinearly in that table.

Lead, tungsten and gold are *not* references: their K-edges (88, 69.5, 81 keV) fall in the high-energy window, so
their ratio is lower than iron's and thin sheets of them look like aluminium. This is a property of two-layer
detectors at 140-160 kVp, not of this code; see docs/physics.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from nii.physics.detector import DEFAULT_DETECTOR, XrayDetector
from nii.physics.forward import transmission_table
from nii.physics.materials import effective_z

REFERENCE_MATERIALS: tuple[str, ...] = (
    "polyethylene",
    "graphite",
    "pom",
    "water",
    "ptfe",
    "sodium_fluoride",
    "sodium",
    "magnesium",
    "aluminium",
    "silicon",
    "sulfur",
    "calcium",
    "titanium",
    "iron",
    "copper",
    "zinc",
)
"""Materials whose ratio curves span the table, in increasing Zeff (power-law, exponent 2.94)."""

H_MIN, H_MAX, N_H = 0.005, 15.0, 256
R_MIN, R_MAX, N_R = 0.9, 6.0, 512
_RHO_T = np.geomspace(1e-4, 400.0, 1500)


@dataclass(frozen=True)
class RatioCalibration:
    """Tables over the (h, R) grid: ``zeff`` and ``areal_g_cm2``, float32 [N_H, N_R].

    h_grid: float64 [N_H], log-spaced high-energy attenuation. r_grid: float64 [N_R], uniform ratio grid.
    curves: reference name -> (Zeff, R_m(h) [N_H], ρt_m(h) [N_H]) as computed from the forward model.
    """

    h_grid: np.ndarray
    r_grid: np.ndarray
    zeff: np.ndarray
    areal_g_cm2: np.ndarray
    curves: dict[str, tuple[float, np.ndarray, np.ndarray]]

    def ratio_at_zeff(self, zeff: float, high: np.ndarray | float) -> np.ndarray:
        """The ratio R at which a material of effective atomic number ``zeff`` sits, at high attenuation ``high``."""
        zs = np.array([c[0] for c in self.curves.values()])
        rs = np.stack([c[1] for c in self.curves.values()])  # [M, N_H]
        r_at_grid = np.array([np.interp(zeff, zs, rs[:, i]) for i in range(self.h_grid.size)])
        return np.interp(np.log(np.asarray(high, dtype=np.float64)), np.log(self.h_grid), r_at_grid)

    def lookup(self, high: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Zeff, areal density g/cm^2) per pixel, float32 shaped like ``high``; from attenuation images."""
        high = np.asarray(high, dtype=np.float32)
        low = np.asarray(low, dtype=np.float32)
        if low.shape != high.shape:
            raise ValueError(f"low and high images differ in shape: {low.shape} vs {high.shape}")
        h = np.maximum(high, np.float32(H_MIN))
        ratio = low / h
        rows = (np.log(h) - np.float32(np.log(H_MIN))) * np.float32((N_H - 1) / np.log(H_MAX / H_MIN))
        cols = (ratio - np.float32(R_MIN)) * np.float32((N_R - 1) / (R_MAX - R_MIN))
        zeff = _remap(self.zeff, cols, rows)
        areal = _remap(self.areal_g_cm2, cols, rows)
        return zeff, areal


_REMAP_WIDTH = 4096  # cv2.remap takes maps below 32767 pixels a side


def _remap(table: np.ndarray, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Bilinear lookup of ``table`` at fractional (row, col) positions (any shape), clamped to its border."""
    shape = cols.shape
    n = cols.size
    if n == 0:
        return np.zeros(shape, dtype=np.float32)
    pad = (-n) % _REMAP_WIDTH
    c = np.pad(cols.reshape(-1).astype(np.float32, copy=False), (0, pad)).reshape(-1, _REMAP_WIDTH)
    r = np.pad(rows.reshape(-1).astype(np.float32, copy=False), (0, pad)).reshape(-1, _REMAP_WIDTH)
    out = cv2.remap(table, c, r, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.float32).reshape(-1)[:n].reshape(shape)


@functools.lru_cache(maxsize=8)
def ratio_calibration(detector: XrayDetector = DEFAULT_DETECTOR) -> RatioCalibration:
    """The (h, R) -> (Zeff, areal density) calibration of ``detector``, computed once per detector (~0.2 s)."""
    h_grid = np.geomspace(H_MIN, H_MAX, N_H)
    r_grid = np.linspace(R_MIN, R_MAX, N_R)
    curves: dict[str, tuple[float, np.ndarray, np.ndarray]] = {}
    for name in REFERENCE_MATERIALS:
        low, high = (a.astype(np.float64) for a in transmission_table(name, _RHO_T, detector))
        ok = np.concatenate([[True], np.diff(high) > 0])  # drop the capped tail
        r_m = np.interp(h_grid, high[ok], low[ok] / high[ok])
        rho_m = np.interp(np.log(h_grid), np.log(high[ok]), np.log(_RHO_T[ok]))
        curves[name] = (effective_z(name), r_m, np.exp(rho_m))
    zs = np.array([c[0] for c in curves.values()])
    order = np.argsort(zs)
    zs = zs[order]
    rs = np.stack([c[1] for c in curves.values()])[order]
    rhos = np.stack([c[2] for c in curves.values()])[order]
    zeff = np.empty((N_H, N_R), dtype=np.float32)
    areal = np.empty((N_H, N_R), dtype=np.float32)
    for i in range(N_H):
        # Neighbouring references can touch at large h; keep R strictly increasing so interpolation is defined.
        r_col = np.maximum.accumulate(rs[:, i]) + np.arange(zs.size) * 1e-9
        zeff[i] = np.interp(r_grid, r_col, zs)
        areal[i] = np.exp(np.interp(r_grid, r_col, np.log(rhos[:, i])))
    for a in (h_grid, r_grid, zeff, areal):
        a.setflags(write=False)
    return RatioCalibration(h_grid, r_grid, zeff, areal, curves)
