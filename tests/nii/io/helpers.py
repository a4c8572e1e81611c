"""Test data for nii.io, made at test time: scans written by the project's DICOS writer, and hand-made
pydicom datasets for the DICOM classes and pixel encodings NII's writer never produces."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pydicom.data
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from nii.dicos import sop
from nii.dicos.dictionary import DICOS_VERSION, ensure_dicos_dictionary
from nii.scan import Scan, View

PYDICOM_TEST_FILES = Path(pydicom.data.__file__).parent / "test_files"
"""Files that ship inside the pydicom wheel (no download)."""


def make_scan(
    rng: np.random.Generator,
    *,
    dual_energy: bool = True,
    views: int = 2,
    shape: tuple[int, int] = (40, 30),
    spacing: tuple[float, float] | None = (0.8, 1.2),
    ooi_id: str = "LX000000001CN",
) -> Scan:
    """A parcel: a block of material on air plus noise per view; view i has i rows fewer than ``shape``."""
    out = []
    for i in range(views):
        rows, cols = shape[0] - i, shape[1]
        high = rng.uniform(0.0, 0.5, size=(rows, cols)).astype(np.float32)
        high[rows // 4 : 3 * rows // 4, cols // 4 : 3 * cols // 4] += rng.uniform(1.0, 5.0)
        energies = {"high": high, "low": high * 1.4} if dual_energy else {"intensity": high}
        out.append(View(energies=energies, pixel_spacing_mm=spacing))
    return Scan(
        ooi_id=ooi_id,
        scan_uid=str(generate_uid(entropy_srcs=[ooi_id, str(rng.integers(1 << 30))])),
        views=out,
        machine_id="BELT-01",
        machine_location="Test hub",
        acquired_at=dt.datetime(2024, 6, 1, 8, 0, 0, tzinfo=dt.UTC),
        kvp=140.0,
        ooi_id_type="BARCODE",
        ooi_id_authority="UPU S10",
    )


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
