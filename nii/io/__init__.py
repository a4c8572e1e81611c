"""Reading X-ray scans: DICOS DX / CT, DICOM DX / CR / secondary capture / CT, and legacy image exports.

``read_scans(paths)`` turns files and folders into parcels (:class:`nii.scan.Scan`), ``read_scan_bytes(blobs)``
does the same for the uploaded instances of one parcel, ``read_instance(source)`` decodes one file. Readers are
chosen through :data:`READERS` (by SOP Class UID, or by image format name), never by if-chains. Every failure
is an InvalidScanError / UnsupportedScanError naming the file and the reason.
"""

from __future__ import annotations

from nii.io import ct, dx, image  # noqa: F401  (registers the readers)
from nii.io.base import DEFAULT_LIMITS, MAX_PIXELS, READERS, Instance, NotAnImageError, ReadLimits
from nii.io.ct import CTVolume, ct_volume, top_view
from nii.io.grouping import group_instances, read_scan_bytes, read_scans
from nii.io.reader import UnexpectedReadError, read_instance
from nii.io.spacing import load_scanner_defaults

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_PIXELS",
    "READERS",
    "CTVolume",
    "Instance",
    "NotAnImageError",
    "ReadLimits",
    "UnexpectedReadError",
    "ct_volume",
    "group_instances",
    "load_scanner_defaults",
    "read_instance",
    "read_scan_bytes",
    "read_scans",
    "top_view",
]
