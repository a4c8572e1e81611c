"""A simulated line scanner: what varies between machines, and the acquisition chain.

Acquisition of one view, from per-material areal densities (g/cm^2):

1. obliquity: a fan-beam ray that crosses the tunnel at angle a travels 1/cos(a) further through every object
   on it, so each detector row's areal densities are scaled by that factor;
2. polychromatic forward model (:func:`nii.physics.forward.attenuation_images`: spekpy tube spectrum, two-layer
   sandwich detector, xraydb attenuation) -> noise-free low / high attenuation ``-ln(I/I0)``;
3. detector blur (focal spot, scintillator cross-talk, belt motion during integration): a Gaussian applied to the
   transmitted intensity, sharper across the belt than along it;
4. gain jitter: residual per-detector-element gain (streaks along the belt) and per-scan-line flux (stripes
   across it), multiplicative on intensity, i.e. additive in the log domain;
5. quantum noise (:func:`nii.physics.noise.add_quantum_noise`) at the profile's photon count per pixel.

Tube spectra come from a few discrete kVp x filtration settings (spekpy takes ~0.3 s per new spectrum; the
settings are cached per process); detector layers vary continuously.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from datasets.sim.config import ScannerConfig
from nii.physics import DualEnergyDetector, SingleEnergyDetector, add_quantum_noise, attenuation_images
from nii.physics.detector import XrayDetector

SIDE_BELOW_MM = 40.0
"""How far below the belt surface the side view's image extends (the belt and its bed show there)."""


@dataclass(frozen=True)
class ScannerProfile:
    """One scan's machine and acquisition settings (JSON-ready through ``asdict``)."""

    machine_id: str
    dual_energy: bool
    kvp: float
    filtration_mm_al: float
    front_mm: float
    filter_mm_cu: float
    back_mm: float
    pixel_spacing_mm: float
    col_spacing_mm: float
    photons_low: float
    photons_high: float
    blur_along_px: float
    blur_across_px: float
    gain_jitter: float
    source_distance_mm: float
    source_lateral_mm: float
    side_source_distance_mm: float
    side_source_height_mm: float
    tunnel_width_mm: float
    tunnel_height_mm: float
    second_view: bool
    energy_bin_kev: float = 10.0

    def detector(self) -> XrayDetector:
        if self.dual_energy:
            return DualEnergyDetector(
                kvp=self.kvp,
                filtration_mm_al=self.filtration_mm_al,
                front_mm=self.front_mm,
                filter_mm=self.filter_mm_cu,
                back_mm=self.back_mm,
                bin_width_kev=self.energy_bin_kev,
            )
        return SingleEnergyDetector(
            kvp=self.kvp,
            filtration_mm_al=self.filtration_mm_al,
            thickness_mm=self.back_mm,
            bin_width_kev=self.energy_bin_kev,
        )

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@functools.cache
def fleet(cfg: ScannerConfig) -> tuple[tuple[float, float, float, float, float], ...]:
    """The scanner models of the config: (kvp, filtration mm Al, front mm, Cu filter mm, back mm) each."""
    models = []
    for i in range(max(1, cfg.fleet_size)):
        r = np.random.default_rng([cfg.fleet_seed, i])
        models.append(
            (
                float(r.choice(cfg.kvp_choices)),
                float(r.choice(cfg.filtration_mm_al_choices)),
                round(float(r.uniform(*cfg.front_mm)), 3),
                round(float(r.uniform(*cfg.filter_mm_cu)), 3),
                round(float(r.uniform(*cfg.back_mm)), 3),
            )
        )
    return tuple(models)


def sample_profile(
    rng: np.random.Generator,
    cfg: ScannerConfig,
    *,
    dual_energy: bool | None = None,
    pixel_spacing_mm: float | None = None,
) -> ScannerProfile:
    """A random scanner and its settings for one parcel."""

    def u(r: tuple[float, float]) -> float:
        return float(rng.uniform(r[0], r[1]))

    lo, hi = cfg.photons_per_pixel_log
    n_low = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    width, height = u(cfg.tunnel_width_mm), u(cfg.tunnel_height_mm)
    blur = u(cfg.blur_sigma_px)
    spacing = pixel_spacing_mm if pixel_spacing_mm is not None else u(cfg.pixel_spacing_mm)
    aspect = 1.0 if pixel_spacing_mm is not None else u(cfg.pixel_aspect)
    models = fleet(cfg)
    model = int(rng.integers(len(models)))
    kvp, filtration, front, cu, back = models[model]
    return ScannerProfile(
        machine_id=f"SIM-{model + 1:02d}-{int(rng.integers(1, 20)):02d}",
        dual_energy=bool(rng.random() >= cfg.single_energy_share) if dual_energy is None else dual_energy,
        kvp=kvp,
        filtration_mm_al=filtration,
        front_mm=front,
        filter_mm_cu=cu,
        back_mm=back,
        pixel_spacing_mm=round(spacing, 3),
        col_spacing_mm=round(spacing * aspect, 3),
        photons_low=round(n_low),
        photons_high=round(n_low * rng.uniform(0.7, 1.6)),
        blur_along_px=round(blur * rng.uniform(1.0, 1.4), 3),
        blur_across_px=round(blur, 3),
        gain_jitter=u(cfg.gain_jitter),
        source_distance_mm=u(cfg.source_distance_mm),
        source_lateral_mm=width * rng.uniform(0.1, 0.9),
        side_source_distance_mm=u(cfg.source_distance_mm) * 0.8,
        side_source_height_mm=rng.uniform(-30.0, 60.0),  # side generators sit near belt level
        tunnel_width_mm=width,
        tunnel_height_mm=height,
        second_view=bool(rng.random() < cfg.second_view_share),
        energy_bin_kev=cfg.energy_bin_kev,
    )


def obliquity(rows: int, spacing_mm: float, source_mm: float, distance_mm: float) -> np.ndarray:
    """Path-length factor 1/cos(fan angle) of each detector row, float32 [rows]."""
    pos = (np.arange(rows, dtype=np.float64) + 0.5) * spacing_mm
    return (1.0 / np.cos(np.arctan((pos - source_mm) / distance_mm))).astype(np.float32)


def forward(
    areal: dict[str, np.ndarray], detector: XrayDetector, shape: tuple[int, int], row_factor: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free (low, high) attenuation of a view from its areal densities (rows scaled by ``row_factor``).

    Only the bounding box of the material is sent through the forward model; the rest is air (exactly 0)."""
    low, high = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    if not areal:
        return low, high
    occupied = np.zeros(shape, dtype=bool)
    for a in areal.values():
        occupied |= a > 0
    rows, cols = np.flatnonzero(occupied.any(axis=1)), np.flatnonzero(occupied.any(axis=0))
    if rows.size == 0:
        return low, high
    sl = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))
    rep = merge_map(frozenset(areal))
    crop: dict[str, np.ndarray] = {}
    for m, a in areal.items():
        r = rep[m]
        crop[r] = crop[r] + a[sl] if r in crop else a[sl].copy()
    for a in crop.values():
        np.maximum(a, 0, out=a)  # float round-off of shells and splats
        if row_factor is not None:
            a *= row_factor[sl[0], None]
    low[sl], high[sl] = attenuation_images(crop, detector)
    return low, high


MERGE_TOLERANCE = 0.02
"""Materials whose mass attenuation agrees within 2 % over 15-160 keV are sent to the forward model as one
channel (same formula: cotton / paper / cardboard; CH2 plastics; carbon and stainless steels): areal densities
add, the physics barely changes, and the polychromatic integral gets cheaper (its cost grows with materials)."""


@functools.cache
def merge_map(names: frozenset[str]) -> dict[str, str]:
    """material -> representative material of its merge group (sorted names; the first of a group represents it)."""
    from nii.physics.materials import mass_attenuation

    energies = np.arange(15.0, 161.0, 5.0)
    reps: list[tuple[str, np.ndarray]] = []
    out: dict[str, str] = {}
    for name in sorted(names):
        mu = mass_attenuation(name, energies)
        for rep, ref in reps:
            if float(np.max(np.abs(mu / ref - 1.0))) < MERGE_TOLERANCE:
                out[name] = rep
                break
        else:
            reps.append((name, mu))
            out[name] = name
    return out


def degrade(
    images: list[np.ndarray], photons: list[float], profile: ScannerProfile, rng: np.random.Generator
) -> list[np.ndarray]:
    """Blur, gain jitter and quantum noise of one view's noise-free attenuation images (one per detector layer)."""
    out = []
    rows, cols = images[0].shape
    flux = np.asarray(rng.normal(0, profile.gain_jitter * 0.6, size=cols), dtype=np.float32)  # both layers
    for img, n0 in zip(images, photons, strict=True):
        intensity = np.exp(-np.asarray(img, dtype=np.float32))
        blurred = cv2.GaussianBlur(
            intensity,
            (0, 0),
            sigmaX=profile.blur_along_px,
            sigmaY=profile.blur_across_px,
            borderType=cv2.BORDER_REPLICATE,
        )
        gain = np.asarray(rng.normal(0, profile.gain_jitter, size=rows), dtype=np.float32)
        a = -np.log(np.maximum(blurred, np.float32(1e-12))) + gain[:, None] + flux[None, :]
        out.append(add_quantum_noise(np.asarray(a, dtype=np.float32), n0, rng))
    return out
