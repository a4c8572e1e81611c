"""``read_instance``: one file or byte string -> one decoded :class:`Instance`, through the reader registry.

This is the one outermost boundary of scan reading. Readers raise InvalidScanError / UnsupportedScanError
for every failure they know of, and wrap the exceptions pydicom and the image libraries are known to raise
(:data:`nii.io.dicom.PYDICOM_ERRORS`). Fuzzing showed that third-party parsers can still fail in
surprising ways on hostile bytes; so :func:`read_instance` also converts any other ``Exception`` into
:class:`UnexpectedReadError` (an InvalidScanError), logged with its traceback, so that a service never dies
on an upload. The fuzz tests assert that this fallback is *not* needed for the cases they generate.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydicom.uid import UID

from nii.errors import InvalidScanError, NIIError, UnsupportedScanError, ValidationMode
from nii.io import dicom
from nii.io.base import DEFAULT_LIMITS, READERS, Instance, ReadContext, ReadLimits, Source
from nii.io.conformance import pydicom_checks_off
from nii.io.structure import sniff

log = logging.getLogger("nii.io")


class UnexpectedReadError(InvalidScanError):
    """A reader failed with an exception type nobody named: a bug to fix, reported as unreadable input."""


def _load(source: str | os.PathLike[str] | bytes, name: str | None, limits: ReadLimits) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "<bytes>"
    path = Path(source)
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InvalidScanError(f"{label}: file is {size} bytes; the limit is {limits.max_bytes}")
        return path.read_bytes(), label
    except IsADirectoryError as exc:
        raise InvalidScanError(f"{label}: is a folder; read_instance reads one file (use read_scans)") from exc
    except OSError as exc:
        raise InvalidScanError(f"{label}: cannot read: {exc.strerror or exc}") from exc


def read_instance(
    source: str | os.PathLike[str] | bytes,
    *,
    mode: ValidationMode = ValidationMode.WARN,
    limits: ReadLimits = DEFAULT_LIMITS,
    ooi_id: str | None = None,
    name: str | None = None,
) -> Instance:
    """Reads one DICOS / DICOM Part 10 file or legacy image (a path, or the file's bytes).

    mode: how non-conformant but readable files are treated (IGNORE, WARN, RAISE). limits: resource caps.
    ooi_id: the OOI ID of a legacy image (else the file stem) or of a DICOM file without PatientID.
    name: how errors and logs name the input (default: the path, or ``<bytes>``).
    Raises InvalidScanError (unreadable, damaged or refused input) or UnsupportedScanError (well-formed but
    not something NII reads; NotAnImageError for DICOS reports); nothing else.
    Attribute values that break the rules of their VR are NII's non-conformances, not pydicom warnings: under
    WARN one log line per file names them; pydicom's own check is off during the read
    (:func:`nii.io.conformance.pydicom_checks_off`, process-global).
    """
    data, label = _load(source, name, limits)
    ctx = ReadContext(name=label, mode=mode, limits=limits, ooi_id=ooi_id)
    try:
        with pydicom_checks_off():
            instance = _read(data, ctx)
        ctx.report_values()
        return instance
    except NIIError:
        raise
    except Exception as exc:  # the one boundary: see the module doc
        log.exception("%s: unexpected %s while reading", label, type(exc).__name__)
        raise UnexpectedReadError(f"{label}: unreadable ({type(exc).__name__}: {exc})") from exc


def _read(data: bytes, ctx: ReadContext) -> Instance:
    fmt = sniff(data)
    if fmt is None:
        if not data:
            raise ctx.invalid("empty file")
        raise ctx.invalid("not a DICOM Part 10 file (no 'DICM' at byte 128) nor a PNG, JPEG or TIFF image")
    if fmt != "dicom":
        return READERS.get(fmt)(Source(data), ctx)
    ds = dicom.parse(data, ctx)
    sop_class = dicom.text(ds, "SOPClassUID", ctx) or dicom.text(ds.file_meta, "MediaStorageSOPClassUID", ctx)
    if sop_class is None:
        raise ctx.invalid("no SOP Class UID (0008,0016)")
    if sop_class not in READERS:
        raise UnsupportedScanError(f"{ctx.name}: unsupported SOP class {sop_class} ({UID(sop_class).name})")
    return READERS.get(sop_class)(Source(data, ds), ctx)
