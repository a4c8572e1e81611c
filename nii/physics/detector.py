"""Tube spectrum and detector response of a line-scan X-ray system.

A dual-energy line scanner stacks two scintillator layers behind the parcel: a thin front layer that absorbs most
of the soft photons (the low-energy image), a copper filter, and a thick back layer that sees the hardened remainder
(the high-energy image). Both layers integrate energy, so each photon counts with weight E (keV) times the
probability that the layer stops it.

``response()`` folds tube spectrum and layer response into one weight per energy bin and layer:

    w_layer(E) ∝ Φ(E) · T_before(E) · E · (1 - exp(-μ_scint(E) · t_scint)),   Σ_E w_layer(E) = 1

with Φ the spekpy tube spectrum after the tube filtration and T_before the transmission of the layers in front
(front scintillator and Cu filter for the back layer). For an object with mass attenuation (μ/ρ)_m(E) and areal
density (ρt)_m the layer then measures ``-ln Σ_E w(E) exp(-Σ_m (μ/ρ)_m(E) (ρt)_m)``.

Approximations: full energy deposition of every interacting photon (no K-fluorescence escape, no Compton escape,
no Swank factor), no scatter, heel effect only through the anode angle.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nii.errors import NIIError
from nii.physics.materials import get_material, mass_attenuation


class DetectorConfigError(NIIError):
    """A detector parameter out of its physical range."""


_SPEKPY_DK_KEV = 0.5


@functools.lru_cache(maxsize=32)
def tube_spectrum(kvp: float, anode_angle_deg: float, filtration_mm_al: float) -> tuple[np.ndarray, np.ndarray]:
    """Tungsten-anode tube spectrum from spekpy: (energies_keV [K], fluence per keV [K]) after ``filtration_mm_al``.

    Energies are bin centres on a 0.5 keV grid; fluence is photons / (keV cm^2 mAs) at 1 m (spekpy's unit).
    Cached (spekpy takes about a second).
    """
    import spekpy

    spek = spekpy.Spek(kvp=kvp, th=anode_angle_deg, dk=_SPEKPY_DK_KEV)
    if filtration_mm_al > 0:
        spek.filter("Al", filtration_mm_al)
    k, f = spek.get_spectrum()
    k = np.asarray(k, dtype=np.float64)
    f = np.clip(np.asarray(f, dtype=np.float64), 0.0, None)
    k.setflags(write=False)
    f.setflags(write=False)
    return k, f


def _layer_absorption(material: str, thickness_mm: float, energies_keV: np.ndarray) -> np.ndarray:
    """Fraction of photons a layer stops, [K]."""
    mu = mass_attenuation(material, energies_keV) * get_material(material).density_g_cm3  # 1/cm
    return 1.0 - np.exp(-mu * thickness_mm / 10.0)


def _layer_transmission(material: str, thickness_mm: float, energies_keV: np.ndarray) -> np.ndarray:
    return 1.0 - _layer_absorption(material, thickness_mm, energies_keV)


def _rebin(
    energies_keV: np.ndarray, weights: list[np.ndarray], bin_keV: float, min_keV: float, max_keV: float
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sum fine-grid weights into bins of ``bin_keV``; each bin's energy is the mean energy of its summed weight."""
    edges = np.arange(min_keV, max_keV + bin_keV, bin_keV)
    idx = np.digitize(energies_keV, edges) - 1
    keep = (idx >= 0) & (idx < len(edges) - 1)
    total = np.sum(weights, axis=0)
    n = len(edges) - 1
    w_sum = np.bincount(idx[keep], weights=total[keep], minlength=n)
    e_sum = np.bincount(idx[keep], weights=(total * energies_keV)[keep], minlength=n)
    used = w_sum > 0
    centres = e_sum[used] / w_sum[used]
    out = [np.bincount(idx[keep], weights=w[keep], minlength=n)[used] for w in weights]
    return centres, out


def _validate(name: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise DetectorConfigError(f"{name} must lie in [{lo}, {hi}], got {value}")


def _validate_tube(d: XrayDetector) -> None:
    """Checks the tube and energy-grid settings both detector kinds share."""
    _validate("kvp", d.kvp, 30.0, 450.0)
    _validate("anode_angle_deg", d.anode_angle_deg, 5.0, 45.0)
    _validate("filtration_mm_al", d.filtration_mm_al, 0.0, 50.0)
    _validate("bin_width_kev", d.bin_width_kev, 0.5, 50.0)
    _validate("min_energy_kev", d.min_energy_kev, 1.0, d.kvp - d.bin_width_kev)


def _kept_spectrum(d: XrayDetector) -> tuple[np.ndarray, np.ndarray]:
    """The tube spectrum of ``d`` from ``min_energy_kev`` up: (energies_keV [K], fluence per keV [K])."""
    k, flu = tube_spectrum(d.kvp, d.anode_angle_deg, d.filtration_mm_al)
    keep = k >= d.min_energy_kev
    return k[keep], flu[keep]


@dataclass(frozen=True)
class DualEnergyDetector:
    """A two-layer (sandwich) dual-energy line detector and its tube.

    kvp: tube voltage (kV). anode_angle_deg: tungsten anode angle. filtration_mm_al: tube + housing filtration as
    mm aluminium. front_material / front_mm: low-energy scintillator. filter_material / filter_mm: the metal filter
    between the layers. back_material / back_mm: high-energy scintillator. bin_width_kev: width of the energy bins the
    forward model integrates over; min_energy_kev: lowest energy kept (softer photons never reach the detector).
    """

    kvp: float = 160.0
    anode_angle_deg: float = 12.0
    filtration_mm_al: float = 1.5
    front_material: str = "csi"
    front_mm: float = 0.3
    filter_material: str = "copper"
    filter_mm: float = 1.0
    back_material: str = "csi"
    back_mm: float = 3.0
    bin_width_kev: float = 5.0
    min_energy_kev: float = 10.0

    def __post_init__(self) -> None:
        _validate_tube(self)
        _validate("front_mm", self.front_mm, 0.01, 20.0)
        _validate("filter_mm", self.filter_mm, 0.0, 20.0)
        _validate("back_mm", self.back_mm, 0.01, 50.0)
        for m in (self.front_material, self.filter_material, self.back_material):
            get_material(m)

    @functools.lru_cache(maxsize=8)  # noqa: B019 - frozen, hashable, few instances
    def response(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(energies_keV [E], weight_low [E], weight_high [E]); each weight vector sums to 1. Read-only, cached."""
        k, flu = _kept_spectrum(self)
        front = _layer_absorption(self.front_material, self.front_mm, k)
        through = (1.0 - front) * _layer_transmission(self.filter_material, self.filter_mm, k)
        back = through * _layer_absorption(self.back_material, self.back_mm, k)
        energies, (w_low, w_high) = _rebin(
            k, [flu * k * front, flu * k * back], self.bin_width_kev, self.min_energy_kev, self.kvp
        )
        out = (energies, w_low / w_low.sum(), w_high / w_high.sum())
        for a in out:
            a.setflags(write=False)
        return out


@dataclass(frozen=True)
class SingleEnergyDetector:
    """A one-layer energy-integrating line detector (single-energy scanners); ``response()`` gives the same weights
    for low and high, so the forward model's two images coincide."""

    kvp: float = 160.0
    anode_angle_deg: float = 12.0
    filtration_mm_al: float = 2.0
    material: str = "csi"
    thickness_mm: float = 2.0
    bin_width_kev: float = 5.0
    min_energy_kev: float = 10.0

    def __post_init__(self) -> None:
        _validate_tube(self)
        _validate("thickness_mm", self.thickness_mm, 0.01, 50.0)
        get_material(self.material)

    @functools.lru_cache(maxsize=8)  # noqa: B019 - frozen, hashable, few instances
    def response(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(energies_keV [E], weight [E], the same weight [E]); weights sum to 1. Read-only, cached."""
        k, flu = _kept_spectrum(self)
        absorbed = _layer_absorption(self.material, self.thickness_mm, k)
        energies, (w,) = _rebin(k, [flu * k * absorbed], self.bin_width_kev, self.min_energy_kev, self.kvp)
        w = w / w.sum()
        energies.setflags(write=False)
        w.setflags(write=False)
        return energies, w, w


XrayDetector = DualEnergyDetector | SingleEnergyDetector
"""Either detector kind; both expose ``response()``."""
DEFAULT_DETECTOR = DualEnergyDetector()
DEFAULT_SINGLE_ENERGY_DETECTOR = SingleEnergyDetector()
