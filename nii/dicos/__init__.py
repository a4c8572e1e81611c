"""DICOS (NEMA IIC 1 v03) writing: the data dictionary additions, SOP classes, DX images and TDR reports."""

from __future__ import annotations

from nii.dicos.dictionary import DICOS_VERSION, ensure_dicos_dictionary
from nii.dicos.sop import (
    DICOS_AIT2D,
    DICOS_AIT3D,
    DICOS_CT,
    DICOS_DX_PRESENTATION,
    DICOS_DX_PROCESSING,
    DICOS_TDR,
)

__all__ = [
    "DICOS_AIT2D",
    "DICOS_AIT3D",
    "DICOS_CT",
    "DICOS_DX_PRESENTATION",
    "DICOS_DX_PROCESSING",
    "DICOS_TDR",
    "DICOS_VERSION",
    "ensure_dicos_dictionary",
]
