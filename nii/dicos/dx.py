"""Writing a :class:`nii.scan.Scan` as DICOS Digital X-Ray (DX) instances, one per view and energy.

What each instance carries (NEMA IIC 1 v03 terms, DICOM keyword in brackets):

- SOP class DICOS DX for processing (``...501.2.2``; for presentation on request), file meta (0002,0004)
  DICOS Version ``V03``, DICOS Version (4010,103A) ``V03``, Modality ``XRAY`` (as the Stratovan toolkit writes it).
- Scan = Study: Scan Instance UID [StudyInstanceUID] = ``scan.scan_uid``; one Series [SeriesInstanceUID] for
  all instances of the scan (``scan.series_uid`` or a UID derived from the scan UID).
- OOI: OOI ID [PatientID] = ``scan.ooi_id``, OOI ID Type [TypeOfPatientID] (``TEXT`` unless
  ``scan.ooi_id_type``), OOI ID Assigning Authority [IssuerOfPatientID], OOI Type ``BAGGAGE`` (or
  ``scan.metadata["ooi_type"]``).
- Machine location [InstitutionName], machine ID [StationName], KVP, acquisition date and time
  [AcquisitionDateTime, AcquisitionDate/Time, Content/Study/Series Date and Time].
- Energy: Image Type value 2 = ``HIGH ENERGY``, ``LOW ENERGY`` or ``INTENSITY`` (single-energy views).
- View: **Acquisition Number (0020,0012) = view index + 1** (both energies of a view come from one acquisition
  of one detector); readers order views by it. Instance Number runs 1..N over the scan.
- Pixel spacing (row, column) in mm, when the view knows it, in both Pixel Spacing and Imager Pixel Spacing.
- Pixels: 16-bit transmitted intensity, see :mod:`nii.dicos.encoding` for the exact encoding.

SOP Instance UIDs: the view's ``instance_uids`` where the scan was read from files, else a UID derived
deterministically from (scan UID, view, energy), so a TDR can reference an image that was never written.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    UID,
    ExplicitVRLittleEndian,
    JPEGLosslessSV1,
    RLELossless,
    generate_uid,
)

from nii.dicos import sop
from nii.dicos.common import base_dataset, dicos_datetime, ds_value, safe_file_stem, write_dataset
from nii.dicos.dictionary import TAG_IMAGE_ORIGIN
from nii.dicos.encoding import BITS_STORED, attenuation_to_pixels
from nii.dicos.jpeg_lossless import encode_jpeg_lossless_sv1
from nii.errors import InvalidScanError
from nii.scan import Scan, View

log = logging.getLogger(__name__)

IMAGE_TYPE_BY_ENERGY: dict[str, str] = {"high": "HIGH ENERGY", "low": "LOW ENERGY", "intensity": "INTENSITY"}
"""View energy name -> DICOS Image Type value 2."""
ENERGY_BY_IMAGE_TYPE: dict[str, str] = {v: k for k, v in IMAGE_TYPE_BY_ENERGY.items()}

TRANSFER_SYNTAXES: tuple[UID, ...] = (ExplicitVRLittleEndian, JPEGLosslessSV1, RLELossless)
"""Transfer syntaxes :func:`write_dx` can write (all lossless)."""

_ENERGY_ORDER = ("high", "low", "intensity")


def instance_uid(scan: Scan, view_index: int, energy: str) -> str:
    """SOP Instance UID of the DX instance of ``scan``'s view ``view_index`` and ``energy``.

    The view's recorded UID when the scan was read from files, else one derived from the scan UID, so the
    writer and a TDR referencing the image agree without sharing state.
    """
    view = scan.views[view_index]
    if energy in view.instance_uids:
        return view.instance_uids[energy]
    return str(generate_uid(entropy_srcs=[scan.scan_uid, "view", str(view_index), energy]))


def series_uid(scan: Scan) -> str:
    """Series Instance UID shared by every DX instance of ``scan``."""
    return scan.series_uid or str(generate_uid(entropy_srcs=[scan.scan_uid, "series"]))


def iter_instances(scan: Scan) -> Iterator[tuple[View, str]]:
    """(view, energy) in the order instances are numbered: view by view, high before low."""
    for view in scan.views:
        for energy in _ENERGY_ORDER:
            if energy in view.energies:
                yield view, energy


def dx_datasets(scan: Scan, *, presentation: bool = False) -> list[Dataset]:
    """One DICOS DX dataset per view and energy (uncompressed, Explicit VR Little Endian file meta).

    presentation: write the DX *for presentation* SOP class instead of *for processing*.
    Raises InvalidScanError when a value cannot be written (empty or too long OOI ID, unknown OOI ID type).
    """
    _check_views(scan)
    sop_class = sop.DICOS_DX_PRESENTATION if presentation else sop.DICOS_DX_PROCESSING
    when = scan.acquired_at or dt.datetime.now(dt.UTC)
    created = dt.datetime.now(dt.UTC)
    series = series_uid(scan)
    out: list[Dataset] = []
    for number, (view, energy) in enumerate(iter_instances(scan), start=1):
        uid = instance_uid(scan, view.index, energy)
        ds = base_dataset(scan, sop_class=sop_class, sop_instance=uid, modality="XRAY", when=when, created=created)
        ds.AcquisitionDate, ds.AcquisitionTime = ds.ContentDate, ds.ContentTime
        ds.AcquisitionDateTime = dicos_datetime(when)
        ds.CoordinateSystem = "LHS"
        ds.add_new(TAG_IMAGE_ORIGIN, "CS", "MACHINE")  # DICOS Image Origin; DICOM's dictionary has a UI there
        if scan.kvp is not None:
            ds.KVP = ds_value(scan.kvp)
        ds.SeriesInstanceUID = series
        ds.SeriesNumber = 1
        ds.InstanceNumber = number
        ds.AcquisitionNumber = view.index + 1
        ds.ImageType = ["ORIGINAL", IMAGE_TYPE_BY_ENERGY[energy]]
        ds.PresentationIntentType = "FOR PRESENTATION" if presentation else "FOR PROCESSING"
        _set_dx_acquisition(ds, scan)
        _set_pixels(ds, attenuation_to_pixels(view.energies[energy]), view.pixel_spacing_mm)
        out.append(ds)
    return out


def write_dx(
    scan: Scan,
    out_dir: str | os.PathLike[str],
    *,
    transfer_syntax: str | None = None,
    prefix: str | None = None,
    presentation: bool = False,
) -> list[Path]:
    """Writes every view and energy of ``scan`` as one DICOS DX file under ``out_dir`` (created if missing).

    transfer_syntax: Explicit VR Little Endian (default), JPEG Lossless SV1 (1.2.840.10008.1.2.4.70) or RLE
    Lossless (1.2.840.10008.1.2.5). prefix: file name prefix, by default the OOI ID made safe for file names.
    Files are named ``<prefix>_view<V>_<energy>.dcm``. Returns the paths in instance order. On any error the
    files this call wrote are removed (nothing half-written is left behind).
    """
    ts = UID(transfer_syntax) if transfer_syntax else ExplicitVRLittleEndian
    if ts not in TRANSFER_SYNTAXES:
        names = ", ".join(f"{u} ({u.name})" for u in TRANSFER_SYNTAXES)
        raise InvalidScanError(f"cannot write transfer syntax {ts!r}; expected one of: {names}")
    datasets = dx_datasets(scan, presentation=presentation)
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stem = prefix if prefix is not None else safe_file_stem(scan.ooi_id)
    written: list[Path] = []
    try:
        for ds, (view, energy) in zip(datasets, iter_instances(scan), strict=True):
            _apply_transfer_syntax(ds, ts)
            path = directory / f"{stem}_view{view.index}_{energy}.dcm"
            write_dataset(ds, path)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    log.debug("wrote %d DICOS DX instance(s) of scan %s to %s", len(written), scan.scan_uid, directory)
    return written


def _check_views(scan: Scan) -> None:
    for view in scan.views:
        rows, cols = view.shape
        if not (0 < rows <= 0xFFFF and 0 < cols <= 0xFFFF):
            raise InvalidScanError(f"view {view.index} is {rows} x {cols}; DICOS rows and columns must be 1-65535")
        if view.pixel_spacing_mm is not None and not all(np.isfinite(s) and s > 0 for s in view.pixel_spacing_mm):
            raise InvalidScanError(
                f"view {view.index} pixel spacing {view.pixel_spacing_mm} mm; expected two values > 0"
            )


def _set_dx_acquisition(ds: Dataset, scan: Scan) -> None:
    """DX detector, X-ray generation and acquisition context attributes the toolkit's reader requires.

    Values the scan does not know are never invented: Detector Type is written empty (type 2), X-Ray Tube
    Current and Effective Energy as 0, which the toolkit itself writes for "not set" (it refuses them absent).
    """
    ds.DetectorType = str(scan.metadata.get("detector_type", ""))
    current = scan.metadata.get("tube_current_ua")
    ds.XRayTubeCurrentInuA = ds_value(float(current)) if isinstance(current, int | float) else "0"
    energy = scan.metadata.get("effective_energy_kev")
    ds.EffectiveEnergy = float(energy) if isinstance(energy, int | float) else 0.0
    ds.AcquisitionContextSequence = []


def _set_pixels(ds: Dataset, pixels: np.ndarray, spacing: tuple[float, float] | None) -> None:
    """Image pixel module for uint16 [rows, cols] transmitted intensity (see nii.dicos.encoding)."""
    rows, cols = pixels.shape
    ds.ImagePositionPatient = ["0", "0", "0"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = cols
    ds.BitsAllocated = 16
    ds.BitsStored = BITS_STORED
    ds.HighBit = BITS_STORED - 1
    ds.PixelRepresentation = 0
    ds.BurnedInAnnotation = "NO"
    ds.PixelIntensityRelationship = "LIN"
    ds.PixelIntensityRelationshipSign = 1
    ds.RescaleIntercept = "0"
    ds.RescaleSlope = "1"
    ds.RescaleType = "US"
    ds.LossyImageCompression = "00"
    ds.PresentationLUTShape = "IDENTITY"
    if spacing is not None:
        ds.PixelSpacing = [ds_value(spacing[0]), ds_value(spacing[1])]
        ds.ImagerPixelSpacing = [ds_value(spacing[0]), ds_value(spacing[1])]
        ds.PixelSpacingCalibrationType = "GEOMETRY"
        ds.PixelSpacingCalibrationDescription = "row and column spacing as reported by the scanner"
    ds.PixelData = np.ascontiguousarray(pixels, dtype="<u2").tobytes()
    ds["PixelData"].VR = "OW"


def _apply_transfer_syntax(ds: Dataset, ts: UID) -> None:
    """Re-encodes the (uncompressed, 16-bit) pixel data of ``ds`` in transfer syntax ``ts``."""
    if ts == ExplicitVRLittleEndian:
        return
    if ts == JPEGLosslessSV1:
        frame = np.frombuffer(ds.PixelData, dtype="<u2").reshape(ds.Rows, ds.Columns)
        ds.PixelData = encapsulate([encode_jpeg_lossless_sv1(frame, precision=BITS_STORED)])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        ds.file_meta.TransferSyntaxUID = JPEGLosslessSV1
    elif ts == RLELossless:
        ds.compress(RLELossless, encoding_plugin="pydicom", generate_instance_uid=False)
    else:  # guarded by write_dx
        raise InvalidScanError(f"cannot write transfer syntax {ts}")
