"""Imaging on attenuation images: display presets, material map (Zeff), density alert and mass estimate.

``render(view, mode)`` draws a view in one of the screening-workstation presets of :data:`PRESETS`.
Material information comes from the dual-energy ratio calibrated against the physics forward model
(:mod:`nii.imaging.calibration`); single-energy views get greyscale presets only.
"""

from __future__ import annotations

from nii.imaging.materials import NoMaterialInformationError
from nii.imaging.presets import COLOUR_MODES, PRESETS, render

__all__ = ["COLOUR_MODES", "PRESETS", "NoMaterialInformationError", "render"]
