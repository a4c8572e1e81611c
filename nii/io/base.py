"""What every scan reader shares: the decoded :class:`Instance`, read limits, the validation context and the
reader registry (keyed by SOP class UID for DICOM/DICOS, by format name for legacy image exports).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset

from nii.errors import InvalidScanError, UnsupportedScanError, ValidationMode
from nii.registry import Registry

log = logging.getLogger("nii.io")

MAX_PIXELS = 50_000_000
"""Default cap on the pixel count of one instance (rows * columns * frames * samples)."""


class NotAnImageError(UnsupportedScanError):
    """A well-formed DICOS object that carries no image (a Threat Detection Report, an AIT).

    :func:`nii.io.read_scans` skips such instances in a parcel (with a log line) instead of failing it.
    """


@dataclass(frozen=True)
class ReadLimits:
    """Resource caps that keep a hostile or broken file from exhausting memory, time or the stack.

    max_pixels: rows * columns * frames * samples per pixel of one instance.
    max_bytes: size of one file (or one decompressed deflate stream), bytes.
    max_depth: nesting depth of sequences (a sequence inside an item of a sequence counts 2).
    max_elements: data elements (at every depth) of one file.
    """

    max_pixels: int = MAX_PIXELS
    max_bytes: int = 1 << 30
    max_depth: int = 12
    max_elements: int = 100_000

    def __post_init__(self) -> None:
        for name in ("max_pixels", "max_bytes", "max_depth", "max_elements"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"ReadLimits.{name} must be a positive int, got {value!r}")


DEFAULT_LIMITS = ReadLimits()


@dataclass
class ScanHeader:
    """Scan-level attributes one instance carries (DICOS terms; DICOM keyword in brackets).

    ooi_id [PatientID]; machine_id [StationName]; machine_location [InstitutionName]; acquired_at: acquisition
    date and time; kvp: peak tube voltage, kV; ooi_id_type [TypeOfPatientID]; ooi_id_authority
    [IssuerOfPatientID].
    """

    ooi_id: str | None = None
    machine_id: str | None = None
    machine_location: str | None = None
    acquired_at: dt.datetime | None = None
    kvp: float | None = None
    ooi_id_type: str | None = None
    ooi_id_authority: str | None = None


@dataclass
class SliceGeometry:
    """Where one CT slice (or the first frame of a multi-frame volume) lies and how the volume is sampled.

    position: distance of the slice along the stacking axis, mm (None: order by instance number);
    spacing_mm: distance between neighbouring slices, mm (None where the file gives none).
    """

    position: float | None
    spacing_mm: float | None


@dataclass
class Instance:
    """One decoded DICOS/DICOM instance or legacy image.

    image: projection instances: float32 [rows, cols] attenuation -ln(I/I0), 0 = air. CT instances: float32
        [frames, rows, cols] linear attenuation coefficient, 1/cm (one frame for a one-slice-per-file series).
    energy: ``high``, ``low`` or ``intensity`` (single energy; every CT instance).
    kind: ``projection`` or ``ct``.
    pixel_spacing_mm: (row spacing, column spacing), mm; spacing_source names where it came from
        (``PixelSpacing``, ``ImagerPixelSpacing``, ``scanners.yaml:<StationName>``, ``default``).
    view_keys: candidate view identities in the order grouping tries them (attribute name -> value).
    warnings: the non-conformances found and accepted (validation mode WARN/IGNORE).
    """

    source: str
    source_format: str
    kind: str
    image: np.ndarray
    energy: str
    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str
    header: ScanHeader
    pixel_spacing_mm: tuple[float, float]
    spacing_source: str
    instance_number: int | None = None
    view_keys: dict[str, object] = field(default_factory=dict)
    geometry: SliceGeometry | None = None
    warnings: list[str] = field(default_factory=list)
    nbytes: int = 0


@dataclass
class ReadContext:
    """How one instance is being read: its display name, the validation mode and the resource caps."""

    name: str
    mode: ValidationMode = ValidationMode.WARN
    limits: ReadLimits = DEFAULT_LIMITS
    ooi_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    bad_values: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Non-conformant attribute values found so far: (VR, problem) -> keywords, in the order met."""

    def nonconformant(self, what: str) -> None:
        """Records a non-conformance of a readable file: RAISE refuses the file, WARN logs it, IGNORE reads on."""
        if self.mode is ValidationMode.RAISE:
            raise InvalidScanError(
                f"{self.name}: non-conformant: {what} (read with ValidationMode.WARN to accept such files)"
            )
        self.warnings.append(what)
        if self.mode is ValidationMode.WARN:
            log.warning("%s: non-conformant: %s", self.name, what)
        else:
            log.debug("%s: non-conformant (ignored): %s", self.name, what)

    def nonconformant_value(self, keyword: str, vr: str, value: object, problem: str) -> None:
        """Records an attribute value that breaks the rules of its VR: RAISE refuses the file at once, naming the
        attribute; WARN and IGNORE collect it for :meth:`report_values`, so that a file logs one line."""
        if self.mode is ValidationMode.RAISE:
            self.nonconformant(f"{keyword} {str(value)[:80]!r} is not a valid {vr} value: {problem}")
        keywords = self.bad_values.setdefault((vr, problem), [])
        if keyword not in keywords:
            keywords.append(keyword)

    def report_values(self) -> None:
        """Reports the values collected by :meth:`nonconformant_value` as one non-conformance, e.g.
        ``UI values (StudyInstanceUID, SOPInstanceUID): leading zeros in a component``, and forgets them."""
        if not self.bad_values:
            return
        parts = [f"{vr} values ({', '.join(kws)}): {problem}" for (vr, problem), kws in self.bad_values.items()]
        self.bad_values = {}
        self.nonconformant("; ".join(parts))

    def invalid(self, what: str) -> InvalidScanError:
        """The error to raise for structural damage (whatever the mode), naming the file."""
        return InvalidScanError(f"{self.name}: {what}")


@dataclass
class Source:
    """The input of a reader: the file's bytes and, for DICOM Part 10 files, the parsed dataset."""

    data: bytes
    dataset: Dataset | None = None

    def require_dataset(self, ctx: ReadContext) -> Dataset:
        if self.dataset is None:
            raise ctx.invalid("expected a DICOM dataset, got raw bytes")
        return self.dataset


Reader = Callable[[Source, ReadContext], Instance]

READERS: Registry[Reader] = Registry("scan reader")
"""Readers by SOP Class UID (DICOS / DICOM instances) or by legacy image format name (``png``, ``jpeg``,
``tiff``). A reader returns an :class:`Instance` or raises InvalidScanError / UnsupportedScanError."""
