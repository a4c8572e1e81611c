"""SOP class UIDs of DICOS (NEMA IIC 1 v03) and of the DICOM projection-image classes NII also reads.

pydicom's UID registry names all of them (``pydicom.uid.UID(DICOS_TDR).name``).
"""

from __future__ import annotations

from pydicom.uid import UID

DICOS_CT = UID("1.2.840.10008.5.1.4.1.1.501.1")
"""DICOS CT Image Storage."""
DICOS_DX_PRESENTATION = UID("1.2.840.10008.5.1.4.1.1.501.2.1")
"""DICOS Digital X-Ray Image Storage - For Presentation."""
DICOS_DX_PROCESSING = UID("1.2.840.10008.5.1.4.1.1.501.2.2")
"""DICOS Digital X-Ray Image Storage - For Processing (what NII writes by default)."""
DICOS_TDR = UID("1.2.840.10008.5.1.4.1.1.501.3")
"""DICOS Threat Detection Report Storage."""
DICOS_AIT2D = UID("1.2.840.10008.5.1.4.1.1.501.4")
"""DICOS 2D AIT Storage."""
DICOS_AIT3D = UID("1.2.840.10008.5.1.4.1.1.501.5")
"""DICOS 3D AIT Storage."""

DICOM_DX_PRESENTATION = UID("1.2.840.10008.5.1.4.1.1.1.1")
"""DICOM Digital X-Ray Image Storage - For Presentation."""
DICOM_DX_PROCESSING = UID("1.2.840.10008.5.1.4.1.1.1.1.1")
"""DICOM Digital X-Ray Image Storage - For Processing."""
DICOM_CR = UID("1.2.840.10008.5.1.4.1.1.1")
"""DICOM Computed Radiography Image Storage."""
DICOM_SC = UID("1.2.840.10008.5.1.4.1.1.7")
"""DICOM Secondary Capture Image Storage."""

DICOS_DX_CLASSES: frozenset[str] = frozenset({DICOS_DX_PRESENTATION, DICOS_DX_PROCESSING})
DICOS_STORAGE_CLASSES: frozenset[str] = frozenset(
    {DICOS_CT, DICOS_DX_PRESENTATION, DICOS_DX_PROCESSING, DICOS_TDR, DICOS_AIT2D, DICOS_AIT3D}
)
"""Every DICOS storage SOP class (for pynetdicom ``register_uid`` and presentation contexts)."""
DICOM_PROJECTION_CLASSES: frozenset[str] = frozenset({DICOM_DX_PRESENTATION, DICOM_DX_PROCESSING, DICOM_CR, DICOM_SC})
