"""Test data for nii.io, made at test time: hand-made pydicom datasets for the DICOM classes and pixel encodings
NII's writer never produces (scans for the writer: :func:`tests.nii.helpers.make_scan`)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom.data
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from nii.dicos import sop
from nii.dicos.dictionary import DICOS_VERSION, ensure_dicos_dictionary

PYDICOM_TEST_FILES = Path(pydicom.data.__file__).parent / "test_files"
"""Files that ship inside the pydicom wheel (no download)."""


def hand_dataset(
    pixels: np.ndarray,
    *,
    sop_class: str = sop.DICOM_DX_PROCESSING,
    study_uid: str | None = None,
    dicos: bool = False,
    **attrs: object,
) -> Dataset:
    """A minimal DICOM dataset around ``pixels`` (uint8/uint16/int16 [rows, cols] or [frames, rows, cols]).

    attrs: extra attributes by keyword (None deletes a default).
    """
    ensure_dicos_dictionary()
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = UID(sop_class)
    uid = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    if dicos:
        ds.file_meta.MetaDICOSVersion = DICOS_VERSION
    ds.SOPClassUID = UID(sop_class)
    ds.SOPInstanceUID = uid
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientID = "HAND0001"
    ds.Modality = "DX"
    ds.StationName = "HAND-STATION"
    if pixels.ndim == 3:
        ds.NumberOfFrames = pixels.shape[0]
    ds.Rows, ds.Columns = pixels.shape[-2], pixels.shape[-1]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = pixels.dtype.itemsize * 8
    ds.BitsStored = pixels.dtype.itemsize * 8
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.PixelIntensityRelationship = "LIN"
    ds.PixelIntensityRelationshipSign = 1
    ds.PixelData = np.ascontiguousarray(pixels).astype(pixels.dtype.newbyteorder("<")).tobytes()
    for keyword, value in attrs.items():
        if value is None:
            if keyword in ds:
                delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    return ds


def to_bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def write(ds: Dataset, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(ds))
    return path
