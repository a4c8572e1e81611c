"""What every DICOS instance NII writes shares: SOP common, OOI, general scan and equipment modules, and
writing a dataset to disk without leaving a partial file.

Scan-level values come from :class:`nii.scan.Scan` (OOI ID = PatientID, Scan UID = StudyInstanceUID, machine
location = InstitutionName, machine ID = StationName); optional ones from ``scan.metadata``:
``manufacturer``, ``model_name``, ``machine_address``, ``device_serial_number``, ``calibrated_at``
(datetime), ``ooi_type`` (DICOS OOI Type, ``BAGGAGE`` by default). Values the Stratovan toolkit requires and the
scan does not know are written as ``unknown``, as the toolkit itself does.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian
from pydicom.valuerep import DSfloat

from nii import __version__ as _nii_version
from nii.dicos.dictionary import DICOS_VERSION, ensure_dicos_dictionary
from nii.errors import InvalidScanError
from nii.scan import Scan

OOI_ID_TYPES = ("TEXT", "RFID", "BARCODE", "MRP")
"""DICOS OOI ID Type (TypeOfPatientID) values."""
IMPLEMENTATION_VERSION_NAME = f"NII_{_nii_version}"[:16]


def ds_value(value: float) -> DSfloat:
    """A decimal string that fits the 16 characters of DS."""
    return DSfloat(float(value), auto_format=True)


def check_ooi(scan: Scan) -> None:
    """Raises InvalidScanError when the scan's OOI ID or OOI ID type cannot be written."""
    if not scan.ooi_id or len(scan.ooi_id) > 64 or "\\" in scan.ooi_id:
        raise InvalidScanError(f"OOI ID {scan.ooi_id!r} cannot be written; expected 1-64 characters without '\\'")
    if scan.ooi_id_type is not None and scan.ooi_id_type not in OOI_ID_TYPES:
        raise InvalidScanError(f"OOI ID type {scan.ooi_id_type!r}; expected one of {OOI_ID_TYPES}")
    if not scan.scan_uid or len(scan.scan_uid) > 64:
        raise InvalidScanError(f"scan UID {scan.scan_uid!r}; expected a UID of 1-64 characters")


def base_dataset(
    scan: Scan,
    *,
    sop_class: str,
    sop_instance: str,
    modality: str,
    when: dt.datetime,
    created: dt.datetime,
) -> Dataset:
    """A dataset with file meta (DICOS Version V03, Explicit VR Little Endian) and the shared modules.

    when: scan (acquisition) time, written as Study/Series/Content date and time; created: instance creation.
    """
    ensure_dicos_dictionary()
    check_ooi(scan)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = UID(sop_class)
    ds.file_meta.MediaStorageSOPInstanceUID = UID(sop_instance)
    ds.file_meta.MetaDICOSVersion = DICOS_VERSION
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = UID(sop_class)
    ds.SOPInstanceUID = UID(sop_instance)
    ds.InstanceCreationDate = created.strftime("%Y%m%d")
    ds.InstanceCreationTime = created.strftime("%H%M%S.%f")
    date, time = when.strftime("%Y%m%d"), when.strftime("%H%M%S.%f")
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = time
    if when.tzinfo is not None:
        ds.TimezoneOffsetFromUTC = when.strftime("%z")
    ds.Modality = modality
    ds.Manufacturer = str(scan.metadata.get("manufacturer", "unknown"))
    ds.ManufacturerModelName = str(scan.metadata.get("model_name", "unknown"))
    ds.InstitutionName = scan.machine_location or "unknown"
    ds.InstitutionAddress = str(scan.metadata.get("machine_address", "unknown"))
    ds.StationName = (scan.machine_id or "unknown")[:16]
    ds.DeviceSerialNumber = str(scan.metadata.get("device_serial_number", "unknown"))
    ds.SoftwareVersions = f"NII {_nii_version}"
    calibrated_at = scan.metadata.get("calibrated_at")
    calibrated = calibrated_at if isinstance(calibrated_at, dt.datetime) else when
    ds.DateOfLastCalibration = calibrated.strftime("%Y%m%d")
    ds.TimeOfLastCalibration = calibrated.strftime("%H%M%S.%f")
    ds.PatientID = scan.ooi_id
    ds.IssuerOfPatientID = scan.ooi_id_authority or "unknown"
    ds.TypeOfPatientID = scan.ooi_id_type or "TEXT"
    ds.PatientSex = "U"
    ds.StudyInstanceUID = UID(scan.scan_uid)
    ds.StudyID = "1"
    ds.DICOSVersion = DICOS_VERSION
    ds.OOIType = str(scan.metadata.get("ooi_type", "BAGGAGE"))
    ds.AcquisitionStatus = "SUCCESSFUL"
    ds.ScanType = "OPERATIONAL"
    return ds


def dicos_datetime(when: dt.datetime) -> str:
    """DT value (YYYYMMDDHHMMSS.FFFFFF, with &ZZXX when ``when`` is timezone-aware)."""
    return when.strftime("%Y%m%d%H%M%S.%f") + (when.strftime("%z") if when.tzinfo else "")


def write_dataset(ds: Dataset, path: Path) -> None:
    """Writes ``ds`` as a DICOM Part 10 file via a temporary file and a rename (no partial file on failure)."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        ds.save_as(tmp, enforce_file_format=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def safe_file_stem(text: str) -> str:
    """``text`` with every character outside [A-Za-z0-9._-] replaced by ``_`` (never empty)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip(".")
    return stem or "scan"
