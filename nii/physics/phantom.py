"""Small synthetic phantoms (boxes, discs, cylinders of known materials) for tests, calibration checks and docs.

Not the parcel simulator (that lives in ``datasets/``): a phantom is a few shapes of known material and thickness,
so mass and material class of every pixel are known exactly. Build one, then make a noisy dual-energy view::

    ph = Phantom((200, 300), pixel_spacing_mm=1.0)
    ph.box("water", 50.0, rows=(20, 120), cols=(30, 200))
    view = ph.view(rng=np.random.default_rng(0))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nii.errors import NIIError
from nii.physics.detector import DEFAULT_DETECTOR, XrayDetector
from nii.physics.forward import attenuation_images
from nii.physics.materials import get_material
from nii.physics.noise import add_quantum_noise
from nii.scan import View


@dataclass
class Phantom:
    """Areal densities (g/cm^2) of materials on a pixel grid [rows, cols] with square pixels of ``pixel_spacing_mm``."""

    shape: tuple[int, int]
    pixel_spacing_mm: float = 1.0
    areal: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.shape) != 2 or min(self.shape) < 1:
            raise NIIError(f"phantom shape must be (rows, cols) >= 1, got {self.shape}")
        if not self.pixel_spacing_mm > 0:
            raise NIIError(f"pixel_spacing_mm must be > 0, got {self.pixel_spacing_mm}")

    def add(self, material: str, thickness_mm: np.ndarray) -> None:
        """Add a thickness map (mm, float [rows, cols]) of ``material``."""
        if thickness_mm.shape != self.shape:
            raise NIIError(f"thickness map shape {thickness_mm.shape} differs from phantom shape {self.shape}")
        if np.any(thickness_mm < 0):
            raise NIIError(f"negative thickness of {material!r}")
        rho = get_material(material).density_g_cm3
        layer = self.areal.setdefault(material, np.zeros(self.shape, dtype=np.float32))
        layer += (thickness_mm * (rho / 10.0)).astype(np.float32)

    def box(self, material: str, thickness_mm: float, rows: tuple[int, int], cols: tuple[int, int]) -> None:
        """A slab of uniform thickness over rows [r0, r1) and columns [c0, c1)."""
        t = np.zeros(self.shape, dtype=np.float32)
        t[rows[0] : rows[1], cols[0] : cols[1]] = thickness_mm
        self.add(material, t)

    def disc(self, material: str, thickness_mm: float, centre: tuple[float, float], radius_px: float) -> None:
        """A flat disc (coin, pill) of uniform thickness."""
        yy, xx = np.mgrid[0 : self.shape[0], 0 : self.shape[1]]
        inside = (yy - centre[0]) ** 2 + (xx - centre[1]) ** 2 <= radius_px**2
        self.add(material, np.where(inside, np.float32(thickness_mm), np.float32(0.0)))

    def cylinder(self, material: str, centre_col: float, radius_px: float, rows: tuple[int, int]) -> None:
        """A solid cylinder lying along the rows (a bottle or rod seen from the side): chord thickness per column."""
        xx = np.arange(self.shape[1], dtype=np.float32)
        half = np.sqrt(np.clip(radius_px**2 - (xx - centre_col) ** 2, 0.0, None))
        t = np.zeros(self.shape, dtype=np.float32)
        t[rows[0] : rows[1], :] = 2.0 * half * self.pixel_spacing_mm
        self.add(material, t)

    def mass_kg(self) -> float:
        """True mass of everything in the phantom (kg)."""
        area_cm2 = (self.pixel_spacing_mm / 10.0) ** 2
        return float(sum(float(a.sum(dtype=np.float64)) for a in self.areal.values())) * area_cm2 / 1000.0

    def view(
        self,
        detector: XrayDetector = DEFAULT_DETECTOR,
        *,
        photons_low: float | None = 2e4,
        photons_high: float | None = 1e4,
        rng: np.random.Generator | None = None,
    ) -> View:
        """A dual-energy :class:`View` of the phantom; quantum noise when ``rng`` is given (None: noise-free)."""
        if not self.areal:
            zero = np.zeros(self.shape, dtype=np.float32)
            low, high = zero, zero.copy()
        else:
            low, high = attenuation_images(self.areal, detector)
        if rng is not None:
            if photons_low is not None:
                low = add_quantum_noise(low, photons_low, rng)
            if photons_high is not None:
                high = add_quantum_noise(high, photons_high, rng)
        return View({"high": high, "low": low}, (self.pixel_spacing_mm, self.pixel_spacing_mm))
