"""DICOS (NEMA IIC 1 v03): the data dictionary additions, SOP classes, DX image writing, TDR reports.

Attenuation images are stored as 16-bit transmitted intensity (see :mod:`nii.dicos.encoding`).
"""

from __future__ import annotations

from nii.dicos.dictionary import DICOS_VERSION, ensure_dicos_dictionary
from nii.dicos.dx import dx_datasets, write_dx
from nii.dicos.encoding import attenuation_to_pixels, pixels_to_attenuation
from nii.dicos.sop import (
    DICOS_AIT2D,
    DICOS_AIT3D,
    DICOS_CT,
    DICOS_DX_PRESENTATION,
    DICOS_DX_PROCESSING,
    DICOS_TDR,
)
from nii.dicos.tdr import read_tdr, tdr_dataset, write_tdr

__all__ = [
    "DICOS_AIT2D",
    "DICOS_AIT3D",
    "DICOS_CT",
    "DICOS_DX_PRESENTATION",
    "DICOS_DX_PROCESSING",
    "DICOS_TDR",
    "DICOS_VERSION",
    "attenuation_to_pixels",
    "dx_datasets",
    "ensure_dicos_dictionary",
    "pixels_to_attenuation",
    "read_tdr",
    "tdr_dataset",
    "write_dx",
    "write_tdr",
]
