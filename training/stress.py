"""Stress tests for a detector: each stress turns a simulated scan into what another scanner, workstation or
export would hand the product, so ``nii evaluate --stress NAME`` measures how much accuracy survives (as
ImageNet-C does for classifiers). They act on the scan's own pixels, before the detector's preprocessing.

- ``single_energy``: a single-energy scanner (the high-energy image becomes the only one: no material channel).
- ``export8``: a grey 8-bit PNG/JPEG export, read back as :mod:`nii.io.image` reads one (single energy, 256 grey
  levels, dense regions saturate at ln 256); the pixel spacing is kept.
- ``no_spacing``: a file without pixel spacing from a scanner configs/scanners.yaml does not list, as nii.io reads
  one: 1 mm stands in and the source says ``fallback``, so the detector estimates the spacing (models.inference;
  the simulator's scanners have 0.8-1.6 mm).
- ``blur``: a softer detector, a Gaussian point-spread function of 1.5 mm sigma applied to transmission.
- ``low_dose``: 3,000 photons per pixel of quantum noise on top of the scan's own.
- ``display``: a workstation's screenshot or JPEG, as public X-ray image sets are: the default display (pseudo-colour
  for dual energy, grey otherwise; brightness exp(-0.4 A)) read back through luminance (single energy; 0.4 A plus
  the darkness of the hue); the pixel spacing is kept.

Deterministic: the noise is seeded from the OOI ID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from nii.errors import ConfigError
from nii.io.spacing import FALLBACK_SPACING_MM
from nii.physics.noise import add_quantum_noise
from nii.scan import SPACING_FALLBACK, Scan, View
from training.augment import display_export, eight_bit_export, transmission_blur

BLUR_SIGMA_MM = 1.5
LOW_DOSE_PHOTONS = 3000.0


def _views(scan: Scan, fn: Callable[[View], View]) -> Scan:
    return replace(scan, views=[fn(v) for v in scan.views])


def _single(v: View) -> View:
    return View(energies={"intensity": v.high.copy()}, pixel_spacing_mm=v.pixel_spacing_mm)


def single_energy(scan: Scan) -> Scan:
    return _views(scan, _single)


def export8(scan: Scan) -> Scan:
    return _views(
        scan, lambda v: View(energies={"intensity": eight_bit_export(v.high)}, pixel_spacing_mm=v.pixel_spacing_mm)
    )


def no_spacing(scan: Scan) -> Scan:
    views = [View(energies=dict(v.energies), pixel_spacing_mm=FALLBACK_SPACING_MM) for v in scan.views]
    metadata = {**scan.metadata, "pixel_spacing_source": [SPACING_FALLBACK] * len(views)}
    return replace(scan, views=views, metadata=metadata)


def blur(scan: Scan) -> Scan:
    def one(v: View) -> View:
        sy, sx = v.pixel_spacing_mm or (1.0, 1.0)
        out = {k: transmission_blur(img, BLUR_SIGMA_MM / sx, BLUR_SIGMA_MM / sy) for k, img in v.energies.items()}
        return View(energies=out, pixel_spacing_mm=v.pixel_spacing_mm)

    return _views(scan, one)


def low_dose(scan: Scan) -> Scan:
    seed = int.from_bytes(hashlib.sha256(scan.ooi_id.encode()).digest()[:8], "little")
    rng = np.random.default_rng(seed)

    def one(v: View) -> View:
        return View(
            energies={k: add_quantum_noise(img, LOW_DOSE_PHOTONS, rng) for k, img in v.energies.items()},
            pixel_spacing_mm=v.pixel_spacing_mm,
        )

    return _views(scan, one)


def display(scan: Scan) -> Scan:
    def one(v: View) -> View:
        low = v.low if v.low is not None else v.attenuation
        att = np.stack([v.attenuation, low], -1)
        shown = display_export(att, v.dual_energy)
        return View(energies={"intensity": shown[..., 0]}, pixel_spacing_mm=v.pixel_spacing_mm)

    return _views(scan, one)


STRESSES: dict[str, Callable[[Scan], Scan]] = {
    "single_energy": single_energy,
    "export8": export8,
    "no_spacing": no_spacing,
    "blur": blur,
    "low_dose": low_dose,
    "display": display,
}


def compose(names: Sequence[str]) -> Callable[[Scan], Scan] | None:
    """One function applying the named stresses in order; None for none; ConfigError naming an unknown one."""
    unknown = [n for n in names if n not in STRESSES]
    if unknown:
        raise ConfigError(f"unknown stress {', '.join(unknown)}; known: {', '.join(STRESSES)}")
    if not names:
        return None
    fns = [STRESSES[n] for n in names]

    def apply(scan: Scan) -> Scan:
        for fn in fns:
            scan = fn(scan)
        return scan

    return apply
