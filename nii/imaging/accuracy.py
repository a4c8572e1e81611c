"""Measured accuracy of the material map and the mass estimate on phantoms of known composition.

Used by ``nii bench physics`` and the tests; the figures quoted in docs/physics.md come from here. Phantoms are
made with the physics forward model plus quantum noise, so these numbers measure the inversion (calibration,
smoothing, noise), not the physics model's fidelity to a real scanner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nii.imaging.mass import estimate_mass_kg
from nii.imaging.materials import (
    INORGANIC,
    METAL,
    ORGANIC,
    ZEFF_INORGANIC_MAX,
    ZEFF_ORGANIC_MAX,
    material_map,
)
from nii.physics.detector import DEFAULT_DETECTOR, XrayDetector
from nii.physics.forward import transmission_table
from nii.physics.materials import effective_z, get_material
from nii.physics.phantom import Phantom
from nii.scan import Scan

CLASS_TEST_MATERIALS: dict[int, tuple[str, ...]] = {
    ORGANIC: ("polyethylene", "rubber", "nylon", "pet", "paper", "cotton", "sugar", "heroin", "cocaine_hcl",
              "cannabis", "water", "ethanol_40"),
    INORGANIC: ("ceramic", "glass", "aluminium", "pvc", "silicon", "fr4", "salt"),
    METAL: ("titanium", "lithium_cobalt_oxide", "steel", "stainless_steel", "copper", "brass", "zinc", "tin"),
}  # fmt: skip
"""Materials of clear class (Zeff away from the 10 / 18 borders) used to measure the material map."""

MASS_TEST_MATERIALS: tuple[str, ...] = (
    "cotton", "paper", "polyethylene", "polypropylene", "pet", "abs", "rubber", "leather", "sugar", "water",
    "ethanol_40", "cocaine_hcl", "glass", "aluminium", "pcb", "steel", "stainless_steel", "copper", "brass",
    "lithium_cobalt_oxide", "graphite", "ceramic",
)  # fmt: skip

PHOTONS_LOW, PHOTONS_HIGH = 2e4, 1e4
"""Default dose: unattenuated photons per pixel in the low (front) and high (back) layer."""


def expected_class(material: str) -> int:
    """The class a material belongs to by its power-law Zeff (1 organic, 2 inorganic, 3 metal)."""
    z = effective_z(material)
    return ORGANIC if z < ZEFF_ORGANIC_MAX else INORGANIC if z < ZEFF_INORGANIC_MAX else METAL


def thickness_for_attenuation(material: str, high: float, detector: XrayDetector = DEFAULT_DETECTOR) -> float:
    """Thickness (mm) of ``material`` whose high-energy attenuation is ``high``."""
    rho_t = np.geomspace(1e-4, 400.0, 2000)
    _, h = transmission_table(material, rho_t, detector)
    ok = np.concatenate([[True], np.diff(h) > 0])
    areal = float(np.exp(np.interp(np.log(high), np.log(h[ok]), np.log(rho_t[ok]))))
    return areal / get_material(material).density_g_cm3 * 10.0


@dataclass(frozen=True)
class ClassAccuracy:
    """Share of a slab's interior pixels given the right class, per material and high attenuation."""

    material: str
    expected: int
    high_attenuation: tuple[float, ...]
    correct: tuple[float, ...]


def material_map_accuracy(
    rng: np.random.Generator,
    *,
    high_levels: tuple[float, ...] = (0.1, 0.3, 1.0, 2.0, 4.0),
    materials: dict[int, tuple[str, ...]] = CLASS_TEST_MATERIALS,
    detector: XrayDetector = DEFAULT_DETECTOR,
    photons_low: float = PHOTONS_LOW,
    photons_high: float = PHOTONS_HIGH,
) -> list[ClassAccuracy]:
    """Per material: a row of 40x40-pixel slabs, one per high attenuation level, imaged with quantum noise
    (``photons_*``: unattenuated photons per pixel and layer)."""
    out = []
    size, gap = 40, 10
    for cls, names in materials.items():
        for name in names:
            ph = Phantom((size + 2 * gap, len(high_levels) * (size + gap) + gap))
            for i, h in enumerate(high_levels):
                c0 = gap + i * (size + gap)
                ph.box(name, thickness_for_attenuation(name, h, detector), (gap, gap + size), (c0, c0 + size))
            view = ph.view(detector, photons_low=photons_low, photons_high=photons_high, rng=rng)
            classes = material_map(view, detector)
            correct = []
            for i in range(len(high_levels)):
                c0 = gap + i * (size + gap)
                inner = classes[gap + 3 : gap + size - 3, c0 + 3 : c0 + size - 3]  # away from blurred edges
                correct.append(float(np.mean(inner == cls)))
            out.append(ClassAccuracy(name, cls, tuple(high_levels), tuple(correct)))
    return out


@dataclass(frozen=True)
class MassTrial:
    true_kg: float
    estimated_kg: float

    @property
    def relative_error(self) -> float:
        return self.estimated_kg / self.true_kg - 1.0


def random_parcel_phantom(rng: np.random.Generator, shape: tuple[int, int] = (300, 400)) -> Phantom:
    """A cardboard box holding 3-10 overlapping slabs, discs and cylinders of random materials, 1 mm pixels."""
    ph = Phantom(shape, pixel_spacing_mm=1.0)
    rows, cols = shape
    ph.box("cardboard", 2 * float(rng.uniform(3.0, 8.0)), (10, rows - 10), (10, cols - 10))  # top + bottom wall
    for _ in range(int(rng.integers(3, 11))):
        name = str(rng.choice(MASS_TEST_MATERIALS))
        high = float(np.exp(rng.uniform(np.log(0.1), np.log(3.0))))
        t = thickness_for_attenuation(name, high)
        h, w = int(rng.integers(20, rows // 2)), int(rng.integers(20, cols // 2))
        r0, c0 = int(rng.integers(15, rows - 15 - h)), int(rng.integers(15, cols - 15 - w))
        kind = rng.integers(0, 3)
        if kind == 0:
            ph.box(name, t, (r0, r0 + h), (c0, c0 + w))
        elif kind == 1:
            ph.disc(name, t, (r0 + h / 2, c0 + w / 2), min(h, w) / 2)
        else:
            ph.cylinder(name, c0 + w / 2, min(w / 2, t / 2 + 1), (r0, r0 + h))
    return ph


def mass_accuracy(
    rng: np.random.Generator, n_parcels: int = 30, photons_low: float = PHOTONS_LOW, photons_high: float = PHOTONS_HIGH
) -> list[MassTrial]:
    """Estimated vs true mass of ``n_parcels`` random phantom parcels with quantum noise."""
    trials = []
    for i in range(n_parcels):
        ph = random_parcel_phantom(rng)
        view = ph.view(photons_low=photons_low, photons_high=photons_high, rng=rng)
        est = estimate_mass_kg(Scan(f"phantom-{i}", f"1.2.3.{i}", [view]))
        if est is None:  # phantoms always carry spacing; a None here is a bug
            raise RuntimeError("estimate_mass_kg returned None for a dual-energy phantom with pixel spacing")
        trials.append(MassTrial(ph.mass_kg(), est))
    return trials


__all__ = [
    "ClassAccuracy",
    "MassTrial",
    "expected_class",
    "mass_accuracy",
    "material_map_accuracy",
    "random_parcel_phantom",
    "thickness_for_attenuation",
]
