"""X-ray physics: materials and their attenuation (xraydb), tube spectra and detector response (spekpy), and the
polychromatic forward model that turns areal densities of materials into dual-energy attenuation images."""

from __future__ import annotations

from nii.physics.detector import (
    DEFAULT_DETECTOR,
    DEFAULT_SINGLE_ENERGY_DETECTOR,
    DualEnergyDetector,
    SingleEnergyDetector,
    XrayDetector,
)
from nii.physics.forward import attenuation_image, attenuation_images, transmission_table
from nii.physics.materials import MATERIALS, Material, effective_z, mass_attenuation
from nii.physics.noise import add_quantum_noise

__all__ = [
    "DEFAULT_DETECTOR",
    "DEFAULT_SINGLE_ENERGY_DETECTOR",
    "MATERIALS",
    "DualEnergyDetector",
    "Material",
    "SingleEnergyDetector",
    "XrayDetector",
    "add_quantum_noise",
    "attenuation_image",
    "attenuation_images",
    "effective_z",
    "mass_attenuation",
    "transmission_table",
]
