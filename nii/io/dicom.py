"""Parsing DICOM Part 10 bytes into a pydicom Dataset safely, and reading attributes with typed errors.

Every pydicom call that can fail on a malformed file goes through this module, which names the exceptions
pydicom is known to raise (:data:`PYDICOM_ERRORS`) and turns them into :class:`InvalidScanError` naming the
file and the attribute.

Uncompressed pixel data is not copied: pydicom parses the attributes before it (``stop_before_pixels``), and
the pixel data element is added as a read-only view of the file's bytes at the offset the structure walk
found. Top-level elements after the pixel data (trailing padding, digital signatures) are then not parsed;
no reader uses them.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import struct
import zlib
from typing import Any, TypedDict

import numpy as np
from pydicom import dcmread
from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import RawDataElement, convert_raw_data_element
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import pixel_array
from pydicom.pixels.decoders.base import get_decoder
from pydicom.tag import BaseTag
from pydicom.uid import UID
from pydicom.valuerep import AMBIGUOUS_VR, DA, DT, TM, VR

from nii.dicos.dictionary import ensure_dicos_dictionary
from nii.errors import UnsupportedScanError
from nii.io.base import ReadContext, ScanHeader
from nii.io.codestream import check_frames
from nii.io.conformance import value_problem
from nii.io.spacing import load_scanner_defaults
from nii.io.structure import DEFLATED, Structure, check_structure

PYDICOM_ERRORS: tuple[type[BaseException], ...] = (
    InvalidDicomError,
    struct.error,
    zlib.error,
    ValueError,  # includes UnicodeDecodeError and pydicom's bad-value conversions
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    EOFError,
    OverflowError,
    NotImplementedError,
    RuntimeError,  # pylibjpeg / pydicom decoder failures; RecursionError is a subclass (guarded by the walk)
)
"""What pydicom (and its decoder plugins) raise on malformed input, found by reading its source and by fuzzing."""

_UNKNOWN = "unknown"


def parse(data: bytes, ctx: ReadContext) -> Dataset:
    """Checks the structure of a Part 10 byte stream (nii.io.structure) and parses it with pydicom."""
    ensure_dicos_dictionary()
    structure = check_structure(data, ctx)
    if structure.pixels and structure.transfer_syntax not in DEFLATED:
        ds = _parse_before_pixels(data, structure, ctx)
        if ds is not None:
            return ds
    try:
        return dcmread(io.BytesIO(data))
    except PYDICOM_ERRORS as exc:
        raise ctx.invalid(f"cannot parse DICOM: {type(exc).__name__}: {exc}") from exc


_NATIVE_PIXEL_VRS = (None, "OB", "OW", "OF", "OD", "UN")


def _parse_before_pixels(data: bytes, structure: Structure, ctx: ReadContext) -> Dataset | None:
    """The dataset up to its pixel data, which is added as a view of ``data``; None where the pixel data is
    encapsulated or pydicom stopped elsewhere than the walk found (the caller then parses everything)."""
    lengths = [p.length for p in structure.pixels if p.length is not None and p.vr in _NATIVE_PIXEL_VRS]
    if len(lengths) != len(structure.pixels):
        return None
    stream = io.BytesIO(data)
    try:
        ds = dcmread(stream, stop_before_pixels=True)
    except PYDICOM_ERRORS as exc:
        raise ctx.invalid(f"cannot parse DICOM: {type(exc).__name__}: {exc}") from exc
    if stream.tell() != structure.pixels[0].start:
        return None
    view = memoryview(data)
    for p, length in zip(structure.pixels, lengths, strict=True):
        value = view[p.value : p.value + length]
        ds[p.tag] = RawDataElement(BaseTag(p.tag), p.vr, length, value, p.value, p.implicit, p.little)  # type: ignore[arg-type]
    return ds


_SPECIFIC_CHARACTER_SET = 0x00080005
_SCALAR_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "SH", "TM", "UI", "US", "SS", "UL", "SL"})
_CONVERTED_MAX = 4096
_converted: dict[tuple[object, ...], tuple[Any, str | None]] = {}
"""Converted single values and their VR problem (:func:`nii.io.conformance.value_problem`) by (tag, VR, encoded
bytes, endianness, character set): most attributes of a scanner's files (bit depths, sizes, rescale, SOP class,
station) repeat from file to file."""


@functools.cache
def _keyword_tag(keyword: str) -> BaseTag | None:
    tag = tag_for_keyword(keyword)
    return None if tag is None else BaseTag(tag)


def _value(ds: Dataset, keyword: str) -> tuple[Any, str | None, str | None]:
    """``ds.get(keyword)``, its VR and what makes it break the VR's rules (None: nothing), converting a raw element
    without storing the result back into ``ds``.

    pydicom's own path (``Dataset.__getitem__``) also stores the converted element and looks up the character
    set again, which doubles the cost of a first access. Short values that convert to an immutable str, int or
    float are remembered across files (:data:`_converted`). Sequences, ambiguous VRs, Specific Character Set
    itself and datasets without a read character set take pydicom's own path.
    """
    tag = _keyword_tag(keyword)
    if tag is None:
        return ds.get(keyword), None, None
    elem = ds.get_item(tag)
    if elem is None:
        return None, None, None
    if not isinstance(elem, RawDataElement):
        return _checked(elem.value, elem.VR)
    encoding = ds.original_character_set
    if not encoding or tag == _SPECIFIC_CHARACTER_SET:
        return _checked(ds[tag].value, ds[tag].VR)
    key: tuple[object, ...] | None = None
    if elem.VR in _SCALAR_VRS and elem.value is not None and len(elem.value) <= 64:
        charset = encoding if isinstance(encoding, str) else tuple(encoding)
        key = (tag, elem.VR, bytes(elem.value), elem.is_little_endian, charset)
        found = _converted.get(key)
        if found is not None:
            return found[0], elem.VR, found[1]
    converted = convert_raw_data_element(elem, encoding=encoding, ds=ds)
    if converted.VR == VR.SQ or converted.VR in AMBIGUOUS_VR:
        return _checked(ds[tag].value, ds[tag].VR)
    value, vr, problem = _checked(converted.value, converted.VR)
    if key is not None and vr == elem.VR and isinstance(value, str | int | float):
        if len(_converted) >= _CONVERTED_MAX:
            _converted.clear()
        _converted[key] = (value, problem)
    return value, vr, problem


def _checked(value: Any, vr: str) -> tuple[Any, str, str | None]:
    return value, vr, value_problem(vr, value)


def get(ds: Dataset, keyword: str, ctx: ReadContext) -> Any:
    """The value of ``keyword`` (None when absent or empty); a value pydicom cannot convert raises. A value that
    breaks the rules of its VR (:func:`nii.io.conformance.value_problem`) is a non-conformance."""
    try:
        value, vr, problem = _value(ds, keyword)
    except PYDICOM_ERRORS as exc:
        raise ctx.invalid(f"cannot read {keyword}: {type(exc).__name__}: {exc}") from exc
    if problem is not None and vr is not None:
        ctx.nonconformant_value(keyword, vr, value, problem)
    if value is None or value == "" or (isinstance(value, list | tuple) and len(value) == 0):
        return None
    return value


def text(ds: Dataset, keyword: str, ctx: ReadContext, *, unknown_is_none: bool = False) -> str | None:
    """A string attribute, stripped; None when absent or empty (or ``unknown`` when asked)."""
    value = get(ds, keyword, ctx)
    if value is None:
        return None
    s = str(value).strip()
    if not s or (unknown_is_none and s.lower() == _UNKNOWN):
        return None
    return s


def number(ds: Dataset, keyword: str, ctx: ReadContext) -> float | None:
    """A numeric attribute as float; an unreadable or non-finite value is a non-conformance and gives None."""
    value = get(ds, keyword, ctx)
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        ctx.nonconformant(f"{keyword} {value!r} is not a number")
        return None
    if not math.isfinite(f):
        ctx.nonconformant(f"{keyword} {value!r} is not finite")
        return None
    return f


def integer(ds: Dataset, keyword: str, ctx: ReadContext) -> int | None:
    """An integer attribute; None when absent; InvalidScanError when not an integer."""
    value = get(ds, keyword, ctx)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ctx.invalid(f"{keyword} {value!r} is not an integer") from exc


def required_int(ds: Dataset, keyword: str, ctx: ReadContext) -> int:
    """An integer attribute the file must carry (InvalidScanError when absent)."""
    value = integer(ds, keyword, ctx)
    if value is None:
        raise ctx.invalid(f"missing {keyword}")
    return value


def numbers(ds: Dataset, keyword: str, ctx: ReadContext) -> list[float] | None:
    """A multi-valued numeric attribute as floats; None when absent or unreadable (non-conformance)."""
    value = get(ds, keyword, ctx)
    if value is None:
        return None
    try:
        seq = [value] if isinstance(value, str | bytes | int | float) else list(value)
        return [float(v) for v in seq]
    except (TypeError, ValueError):
        ctx.nonconformant(f"{keyword} {value!r} is not a list of numbers")
        return None


def uid(ds: Dataset, keyword: str, ctx: ReadContext, *, required: bool = True) -> str:
    value = text(ds, keyword, ctx)
    if value is None:
        if required:
            raise ctx.invalid(f"missing {keyword}")
        return ""
    return value


class Identity(TypedDict):
    """The attributes that identify an instance (keyword arguments of nii.io.base.Instance)."""

    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str
    instance_number: int | None


def identity(ds: Dataset, ctx: ReadContext) -> Identity:
    """Study (Scan), Series, SOP Instance and SOP Class UIDs and InstanceNumber of one instance; Study, SOP
    Instance and SOP Class UIDs are required, the series UID is "" when absent."""
    return Identity(
        study_uid=uid(ds, "StudyInstanceUID", ctx),
        series_uid=uid(ds, "SeriesInstanceUID", ctx, required=False),
        sop_uid=uid(ds, "SOPInstanceUID", ctx),
        sop_class_uid=uid(ds, "SOPClassUID", ctx),
        instance_number=integer(ds, "InstanceNumber", ctx),
    )


def _datetime(ds: Dataset, ctx: ReadContext) -> dt.datetime | None:
    """Acquisition (else content, else study) date and time; a DT's own offset, else TimezoneOffsetFromUTC."""
    found: dt.datetime | None = None
    raw_dt = text(ds, "AcquisitionDateTime", ctx)
    try:
        if raw_dt:
            found = DT(raw_dt)
        else:
            for date_kw, time_kw in (
                ("AcquisitionDate", "AcquisitionTime"),
                ("ContentDate", "ContentTime"),
                ("StudyDate", "StudyTime"),
            ):
                d, t = text(ds, date_kw, ctx), text(ds, time_kw, ctx)
                if d:
                    day = DA(d)
                    tm = TM(t) if t else dt.time()
                    found = dt.datetime.combine(day, tm)
                    break
    except (ValueError, TypeError, OverflowError) as exc:
        ctx.nonconformant(f"acquisition date/time cannot be parsed: {exc}")
        return None
    if found is None:
        return None
    if found.tzinfo is None:
        offset = text(ds, "TimezoneOffsetFromUTC", ctx)
        if offset:
            try:
                found = found.replace(tzinfo=dt.datetime.strptime(offset, "%z").tzinfo)
            except ValueError:
                ctx.nonconformant(f"TimezoneOffsetFromUTC {offset!r} is not +HHMM/-HHMM")
    return dt.datetime(
        found.year,
        found.month,
        found.day,
        found.hour,
        found.minute,
        found.second,
        found.microsecond,
        tzinfo=found.tzinfo,
    )


def header(ds: Dataset, ctx: ReadContext) -> ScanHeader:
    """The scan-level attributes of one instance (DICOS OOI, equipment and acquisition terms)."""
    return ScanHeader(
        ooi_id=text(ds, "PatientID", ctx),
        machine_id=text(ds, "StationName", ctx, unknown_is_none=True),
        machine_location=text(ds, "InstitutionName", ctx, unknown_is_none=True),
        acquired_at=_datetime(ds, ctx),
        kvp=number(ds, "KVP", ctx),
        ooi_id_type=text(ds, "TypeOfPatientID", ctx),
        ooi_id_authority=text(ds, "IssuerOfPatientID", ctx, unknown_is_none=True),
    )


def _valid_spacing(values: list[float] | None) -> tuple[float, float] | None:
    if values is None or len(values) != 2 or not all(math.isfinite(v) and v > 0 for v in values):
        return None
    return float(values[0]), float(values[1])


def pixel_spacing(
    ds: Dataset, ctx: ReadContext, station: str | None, *, within: Dataset | None = None
) -> tuple[tuple[float, float], str]:
    """(row, column) spacing in mm and its source: PixelSpacing, else ImagerPixelSpacing, else the scanner's
    default from configs/scanners.yaml, else the 1.0 mm stand-in (source ``fallback``). ``within``: a
    functional-group item to look in first."""
    for holder in (within, ds):
        if holder is None:
            continue
        for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
            values = numbers(holder, keyword, ctx)
            if values is None:
                continue
            spacing = _valid_spacing(values)
            if spacing is not None:
                return spacing, keyword
            ctx.nonconformant(f"{keyword} {values} is not two values > 0 mm")
    return load_scanner_defaults().spacing_for(station)


def _check_image_pixel_module(ds: Dataset, ctx: ReadContext) -> tuple[int, int, int, int, int, int]:
    """(rows, columns, frames, samples, bits allocated, bits stored) after the sanity checks."""
    if "PixelData" not in ds:
        other = [k for k in ("FloatPixelData", "DoubleFloatPixelData") if k in ds]
        if other:
            raise UnsupportedScanError(f"{ctx.name}: {other[0]} (floating point pixels) is not supported")
        raise ctx.invalid("missing pixel data (7FE0,0010)")
    rows = required_int(ds, "Rows", ctx)
    cols = required_int(ds, "Columns", ctx)
    frames = integer(ds, "NumberOfFrames", ctx) or 1
    samples = integer(ds, "SamplesPerPixel", ctx) or 1
    allocated = required_int(ds, "BitsAllocated", ctx)
    stored = integer(ds, "BitsStored", ctx) or allocated
    if rows < 1 or cols < 1 or frames < 1:
        raise ctx.invalid(f"image of {rows} x {cols} pixels and {frames} frame(s); expected each >= 1")
    if samples not in (1, 3):
        raise ctx.invalid(f"SamplesPerPixel {samples}; expected 1 (greyscale) or 3 (colour)")
    count = rows * cols * frames * samples
    if count > ctx.limits.max_pixels:
        raise ctx.invalid(
            f"image of {rows} x {cols} x {frames} frame(s) x {samples} sample(s) = {count} pixels exceeds the "
            f"limit of {ctx.limits.max_pixels}"
        )
    if allocated not in (8, 16, 32):
        raise UnsupportedScanError(f"{ctx.name}: BitsAllocated {allocated}; expected 8, 16 or 32")
    if not 1 <= stored <= allocated:
        raise ctx.invalid(f"BitsStored {stored}; expected 1..BitsAllocated ({allocated})")
    high_bit = integer(ds, "HighBit", ctx)
    if high_bit is not None and high_bit != stored - 1:
        ctx.nonconformant(f"HighBit {high_bit}; expected BitsStored - 1 = {stored - 1}")
    representation = integer(ds, "PixelRepresentation", ctx) or 0
    if representation not in (0, 1):
        raise ctx.invalid(f"PixelRepresentation {representation}; expected 0 (unsigned) or 1 (signed)")
    return rows, cols, frames, samples, allocated, stored


def decode_pixels(ds: Dataset, ctx: ReadContext) -> np.ndarray:
    """Stored pixel values as pydicom decodes them (masked to BitsStored, sign-extended), shaped
    [frames, rows, cols] for greyscale or [frames, rows, cols, 3] (RGB) for colour, after the checks of
    pixel count, bit depths, photometric interpretation, decoder availability and pixel data length."""
    rows, cols, frames, samples, allocated, stored = _check_image_pixel_module(ds, ctx)
    photometric = text(ds, "PhotometricInterpretation", ctx) or ("MONOCHROME2" if samples == 1 else "RGB")
    if samples == 1 and photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise UnsupportedScanError(f"{ctx.name}: PhotometricInterpretation {photometric} is not supported")
    ts = UID(str(ds.file_meta.get("TransferSyntaxUID", "")))
    try:
        decoder = get_decoder(ts)
    except NotImplementedError as exc:
        raise UnsupportedScanError(f"{ctx.name}: no decoder for transfer syntax {ts} ({ts.name})") from exc
    if not decoder.is_available:
        raise UnsupportedScanError(
            f"{ctx.name}: transfer syntax {ts.name} needs a decoder plugin that is not installed "
            f"(missing: {', '.join(sorted(decoder.missing_dependencies)) or 'unknown'})"
        )
    if ts.is_compressed:
        try:
            encapsulated = ds.PixelData
        except PYDICOM_ERRORS as exc:
            raise ctx.invalid(f"cannot read pixel data: {exc}") from exc
        check_frames(encapsulated, ts, rows, cols, frames, ctx, samples=samples, bytes_per_sample=allocated // 8)
    else:
        expected = rows * cols * frames * samples * (allocated // 8)
        try:
            actual = len(ds.PixelData)
        except PYDICOM_ERRORS as exc:
            raise ctx.invalid(f"cannot read pixel data: {exc}") from exc
        if actual < expected:
            raise ctx.invalid(
                f"pixel data holds {actual} bytes; Rows x Columns x frames x samples ({rows} x {cols} x {frames} "
                f"x {samples}) at {allocated} bits needs {expected}"
            )
        if actual > expected + 1:
            ctx.nonconformant(f"pixel data holds {actual - expected} byte(s) more than the image needs")
    if not ts.is_compressed and samples == 1:
        return _native_greyscale(ds, ts, (frames, rows, cols), allocated, stored, ctx)
    try:
        arr = pixel_array(ds)
    except PYDICOM_ERRORS as exc:
        raise ctx.invalid(f"cannot decode pixel data ({ts.name}): {type(exc).__name__}: {exc}") from exc
    want = (frames, rows, cols) + ((3,) if samples == 3 else ())
    if arr.size != math.prod(want):
        raise ctx.invalid(f"decoded pixel data has shape {arr.shape}; expected {want}")
    return arr.reshape(want)


def _native_greyscale(
    ds: Dataset, ts: UID, shape: tuple[int, int, int], allocated: int, stored: int, ctx: ReadContext
) -> np.ndarray:
    """Uncompressed greyscale pixels as a read-only view of the pixel data (no copy), [frames, rows, cols].

    What pydicom's pixel_array does for this case, without its copy: unused high bits are left for the caller
    to mask (nii.io.pixels does), signed values narrower than BitsAllocated are sign-extended here.
    """
    signed = (integer(ds, "PixelRepresentation", ctx) or 0) == 1
    dtype = np.dtype(f"{'>' if ts.is_little_endian is False else '<'}{'i' if signed else 'u'}{allocated // 8}")
    count = math.prod(shape)
    try:
        arr = np.frombuffer(ds.PixelData, dtype=dtype, count=count).reshape(shape)
    except PYDICOM_ERRORS as exc:
        raise ctx.invalid(f"cannot read pixel data: {type(exc).__name__}: {exc}") from exc
    if signed and stored < allocated:
        shift = allocated - stored
        arr = (arr << shift) >> shift  # sign-extend from BitsStored
    return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))
