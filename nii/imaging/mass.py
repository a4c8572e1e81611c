"""Mass of a parcel from its dual-energy image.

Method (documented with measured errors in docs/physics.md):

* Each pixel's (high attenuation, ratio) pair is decomposed into the reference material it matches (the
  calibration of :mod:`nii.imaging.calibration`, which interpolates between the two reference materials whose
  ratio curves bracket the pixel). That gives the mass per unit high-energy attenuation ``k = ρt / A_high``
  (g/cm^2 per unit attenuation) of the pixel's material.
* ``k`` is looked up on a lightly smoothed image (the ratio is noisy) and multiplied by the raw high-energy
  attenuation, so the sum stays unbiased under noise and blur.
* Pixels too thin for a meaningful ratio count as water; opaque pixels (:func:`nii.imaging.materials.opaque_mask`)
  count as iron, with their attenuation capped at :data:`MASS_ATTENUATION_CAP`, and are reported as saturated
  (their mass is uncertain).
* mass = Σ ρt × pixel area over the first view (one projection sees every item once).

:func:`basis_decomposition` gives the classic water- and aluminium-equivalent areal densities per pixel; their
sum is a worse mass estimate for metals (see docs/physics.md) and is offered for comparison and display.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nii.imaging.calibration import H_MAX, H_MIN, N_H, N_R, R_MAX, R_MIN, _remap, ratio_calibration
from nii.imaging.materials import (
    BACKGROUND_ATTENUATION,
    OPAQUE_HIGH,
    opaque_mask,
    require_dual_energy,
    smoothed_energies,
)
from nii.physics.detector import (
    DEFAULT_DETECTOR,
    DEFAULT_SINGLE_ENERGY_DETECTOR,
    SingleEnergyDetector,
    XrayDetector,
)
from nii.physics.forward import transmission_table
from nii.physics.materials import mass_attenuation
from nii.scan import Scan, View

MASS_ATTENUATION_CAP = 10.0
"""High-energy attenuation beyond which a pixel's reading is taken as noise floor (transmission 5e-5)."""


@dataclass(frozen=True)
class MassEstimate:
    """A parcel mass estimate.

    mass_kg: the estimate. method: ``dual_energy`` (reference-material decomposition) or ``water_equivalent``
    (single-energy: every pixel taken as water; metals are over-, dense parts under-estimated).
    saturated_fraction: share of the parcel's pixels too dense to measure (their mass is a lower bound).
    """

    mass_kg: float
    method: str
    saturated_fraction: float


def _pixel_area_cm2(view: View) -> float | None:
    if view.pixel_spacing_mm is None:
        return None
    rows_mm, cols_mm = view.pixel_spacing_mm
    return float(rows_mm) * float(cols_mm) / 100.0


@functools.lru_cache(maxsize=32)
def _mass_per_attenuation(detector: XrayDetector, material: str = "water") -> tuple[np.ndarray, np.ndarray]:
    """(high attenuation grid [K], areal density g/cm^2 [K]) along one material's curve."""
    rho_t = np.geomspace(1e-4, 400.0, 1500)
    _, high = transmission_table(material, rho_t, detector)
    h = high.astype(np.float64)
    ok = np.concatenate([[True], np.diff(h) > 0])
    return h[ok], rho_t[ok]


def areal_density_map(view: View, detector: XrayDetector = DEFAULT_DETECTOR) -> np.ndarray:
    """Estimated areal density per pixel, float32 [H, W], g/cm^2 (dual-energy views)."""
    high_raw, _ = require_dual_energy(view)
    high_s, low_s = smoothed_energies(view)
    _, areal = ratio_calibration(detector).lookup(high_s, low_s)
    k = areal / np.maximum(high_s, np.float32(H_MIN))  # g/cm^2 per unit attenuation of the pixel's material
    h_grid, water = _mass_per_attenuation(detector, "water")
    k_water = np.float32(np.interp(BACKGROUND_ATTENUATION, h_grid, water) / BACKGROUND_ATTENUATION)
    k[high_s < BACKGROUND_ATTENUATION] = k_water
    opaque = opaque_mask(high_s, low_s)
    if opaque.any():
        h_iron, iron = _mass_per_attenuation(detector, "iron")
        h_op = np.minimum(high_s[opaque], MASS_ATTENUATION_CAP)
        k[opaque] = np.interp(h_op, h_iron, iron) / h_op
    return k * np.minimum(high_raw, np.float32(MASS_ATTENUATION_CAP))


def estimate_mass(scan: Scan, detector: XrayDetector = DEFAULT_DETECTOR) -> MassEstimate | None:
    """Mass of the parcel from its first view; None when the view has no pixel spacing.

    Dual-energy scans use the reference-material decomposition; single-energy scans fall back to a water
    equivalent (``method="water_equivalent"``, less accurate).
    """
    view = scan.views[0]
    area = _pixel_area_cm2(view)
    if area is None:
        return None
    high = view.high
    saturated = float(np.count_nonzero(high >= OPAQUE_HIGH))
    parcel = max(float(np.count_nonzero(high >= BACKGROUND_ATTENUATION)), 1.0)
    if view.dual_energy:
        areal = areal_density_map(view, detector)
        method = "dual_energy"
    else:
        single = detector if isinstance(detector, SingleEnergyDetector) else DEFAULT_SINGLE_ENERGY_DETECTOR
        h_grid, water = _mass_per_attenuation(single, "water")
        clipped = np.clip(high, 0.0, MASS_ATTENUATION_CAP)
        areal = np.interp(clipped.reshape(-1), h_grid, water).reshape(high.shape)
        areal[high < 0] = 0.0
        method = "water_equivalent"
    return MassEstimate(float(areal.sum(dtype=np.float64)) * area / 1000.0, method, saturated / parcel)


def estimate_mass_kg(scan: Scan, detector: XrayDetector = DEFAULT_DETECTOR) -> float | None:
    """Estimated parcel mass in kg from a dual-energy scan; None for single-energy scans (use :func:`estimate_mass`
    for their less accurate water-equivalent figure) and for views without pixel spacing."""
    if not scan.dual_energy:
        return None
    est = estimate_mass(scan, detector)
    return None if est is None else est.mass_kg


# --- water / aluminium basis decomposition -------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _basis_tables(detector: XrayDetector) -> tuple[np.ndarray, np.ndarray]:
    """Water- and aluminium-equivalent areal density (g/cm^2) on the calibration's (h, R) grid, float32 [N_H, N_R].

    Solved by Newton iteration on the forward model; grid points the basis cannot reach hold the nearest solution.
    """
    energies, w_low, w_high = detector.response()
    mu_w = mass_attenuation("water", energies)
    mu_a = mass_attenuation("aluminium", energies)
    w = np.stack([w_low, w_high])  # [2, E]
    h = np.geomspace(H_MIN, H_MAX, N_H)[:, None] * np.ones((1, N_R))
    target = np.stack([h * np.linspace(R_MIN, R_MAX, N_R)[None, :], h], axis=-1).reshape(-1, 2)  # (low, high)
    # start from the thin-object (linear) solution
    m = w @ np.stack([mu_w, mu_a], axis=1)  # [2 layers, 2 basis]
    x = np.linalg.solve(m, target.T).T  # [P, 2]
    for _ in range(12):  # converges in < 10 iterations on reachable points
        mu = np.clip(x @ np.stack([mu_w, mu_a]), -50.0, 700.0)  # [P, E]
        t = np.exp(-mu)
        s = t @ w.T  # [P, 2]
        f = -np.log(np.maximum(s, 1e-300)) - target
        jac = np.einsum("pe,le,be->plb", t, w, np.stack([mu_w, mu_a])) / s[:, :, None]  # d layer / d basis
        det = jac[:, 0, 0] * jac[:, 1, 1] - jac[:, 0, 1] * jac[:, 1, 0]
        det = np.where(np.abs(det) < 1e-12, 1e-12, det)
        dx0 = (jac[:, 1, 1] * f[:, 0] - jac[:, 0, 1] * f[:, 1]) / det
        dx1 = (-jac[:, 1, 0] * f[:, 0] + jac[:, 0, 0] * f[:, 1]) / det
        step = np.stack([dx0, dx1], axis=1)
        scale = np.minimum(1.0, 20.0 / np.maximum(np.abs(step).max(axis=1), 1e-12))[:, None]
        x = x - step * scale
    water = x[:, 0].reshape(N_H, N_R).astype(np.float32)
    alu = x[:, 1].reshape(N_H, N_R).astype(np.float32)
    return water, alu


def basis_decomposition(view: View, detector: XrayDetector = DEFAULT_DETECTOR) -> tuple[np.ndarray, np.ndarray]:
    """(water-equivalent, aluminium-equivalent) areal density per pixel, float32 [H, W] in g/cm^2 (either may be
    negative: polyethylene has negative aluminium, iron negative water). Dual-energy views only."""
    high, low = smoothed_energies(view)
    water_t, alu_t = _basis_tables(detector)
    h = np.maximum(high, np.float32(H_MIN))
    rows = (np.log(h) - np.float32(np.log(H_MIN))) * np.float32((N_H - 1) / np.log(H_MAX / H_MIN))
    cols = (low / h - np.float32(R_MIN)) * np.float32((N_R - 1) / (R_MAX - R_MIN))
    water = _remap(water_t, cols, rows)
    alu = _remap(alu_t, cols, rows)
    background = high < BACKGROUND_ATTENUATION
    water[background] = 0.0
    alu[background] = 0.0
    return water, alu
