"""Polychromatic forward model: areal densities of materials -> dual-energy attenuation images.

Per pixel and detector layer: ``A = -ln Σ_E w(E) exp(-Σ_m (μ/ρ)_m(E) · (ρt)_m)`` with w the layer's normalised
response (:mod:`nii.physics.detector`). Attenuation images add up only approximately across objects (beam
hardening); compose objects by adding areal densities, then run the model once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np

from nii.errors import NIIError
from nii.physics.detector import DEFAULT_DETECTOR, XrayDetector
from nii.physics.materials import mass_attenuation

MAX_ATTENUATION = 30.0
"""Cap of the returned attenuation (transmission 1e-13): beyond anything a detector measures; keeps float32 finite."""


class ForwardModelError(NIIError):
    """Bad input to the forward model (shapes, negative or non-finite areal densities)."""


@functools.lru_cache(maxsize=256)
def _attenuation_matrix(names: tuple[str, ...], detector: XrayDetector) -> tuple[np.ndarray, np.ndarray]:
    """(mass attenuation float32 [M, E] in cm^2/g, layer weights float32 [E, 2] as columns low, high)."""
    energies, w_low, w_high = detector.response()
    matt = np.stack([mass_attenuation(n, energies) for n in names]).astype(np.float32)
    weights = np.stack([w_low, w_high], axis=1).astype(np.float32)
    matt.setflags(write=False)
    weights.setflags(write=False)
    return matt, weights


def _validated(areal_density: Mapping[str, np.ndarray]) -> tuple[tuple[str, ...], list[np.ndarray]]:
    if not areal_density:
        raise ForwardModelError("areal_density is empty; expected at least one material -> g/cm^2 array")
    names = tuple(sorted(areal_density))
    arrays = [np.ascontiguousarray(areal_density[n], dtype=np.float32) for n in names]
    shape = arrays[0].shape
    for n, a in zip(names, arrays):
        if a.shape != shape:
            raise ForwardModelError(f"areal density of {n!r} has shape {a.shape}, expected {shape} like {names[0]!r}")
        if a.size:
            lo, hi = float(a.min()), float(a.max())
            if not (lo >= 0 and np.isfinite(hi)):  # NaN fails the first test
                raise ForwardModelError(f"areal density of {n!r} must be finite and >= 0 g/cm^2, got {lo}..{hi}")
    return names, arrays


_SUBSET_BELOW = 0.7
"""Compute only on the pixels holding material when they are fewer than this share of the image."""


def attenuation_images(
    areal_density: Mapping[str, np.ndarray], detector: XrayDetector = DEFAULT_DETECTOR
) -> tuple[np.ndarray, np.ndarray]:
    """Low- and high-energy attenuation images -ln(I/I0), float32, each shaped like the inputs.

    areal_density: material name (see ``nii.physics.materials.MATERIALS``) -> areal density in g/cm^2 (any shape,
    all the same; >= 0). Pixels without material are exactly 0. For a :class:`SingleEnergyDetector` both images are
    the same single-energy image. Values are capped at :data:`MAX_ATTENUATION`.
    """
    names, arrays = _validated(areal_density)
    shape = arrays[0].shape
    low = np.zeros(shape, dtype=np.float32)
    high = np.zeros(shape, dtype=np.float32)
    flat = [a.reshape(-1) for a in arrays]
    present = flat[0] > 0
    for a in flat[1:]:
        present |= a > 0
    n_present = int(np.count_nonzero(present))
    if n_present == 0:
        return low, high
    subset = np.flatnonzero(present) if n_present < _SUBSET_BELOW * present.size else None
    x = np.empty((n_present if subset is not None else present.size, len(names)), dtype=np.float32)
    for j, a in enumerate(flat):
        x[:, j] = a[subset] if subset is not None else a
    matt, weights = _attenuation_matrix(names, detector)
    mu = x @ matt  # [P, E] optical depth per energy bin
    np.negative(mu, out=mu)
    np.exp(mu, out=mu)
    signal = mu @ weights  # [P, 2] transmitted fraction per layer
    np.maximum(signal, np.float32(np.exp(-MAX_ATTENUATION)), out=signal)
    att = -np.log(signal)
    if subset is None:
        low.reshape(-1)[:] = att[:, 0]
        high.reshape(-1)[:] = att[:, 1]
    else:
        low.reshape(-1)[subset] = att[:, 0]
        high.reshape(-1)[subset] = att[:, 1]
    return low, high


def attenuation_image(
    areal_density: Mapping[str, np.ndarray], detector: XrayDetector = DEFAULT_DETECTOR, layer: str = "high"
) -> np.ndarray:
    """One layer (``low`` or ``high``) of :func:`attenuation_images`; for single-energy detectors either one."""
    if layer not in ("low", "high"):
        raise ForwardModelError(f"layer must be 'low' or 'high', got {layer!r}")
    low, high = attenuation_images(areal_density, detector)
    return low if layer == "low" else high


def transmission_table(
    material: str, areal_densities: Sequence[float] | np.ndarray, detector: XrayDetector = DEFAULT_DETECTOR
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) attenuation, float32 [N], of one material at areal densities [N] (g/cm^2)."""
    rho_t = np.asarray(areal_densities, dtype=np.float32).reshape(-1)
    return attenuation_images({material: rho_t}, detector)


def thickness_to_areal(material_density_g_cm3: float, thickness_mm: np.ndarray | float) -> np.ndarray:
    """Areal density (g/cm^2) of a thickness in mm at a density in g/cm^3."""
    return np.asarray(thickness_mm, dtype=np.float32) * np.float32(material_density_g_cm3 / 10.0)
