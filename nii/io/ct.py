"""DICOS CT (and DICOM CT / Enhanced CT) volumes, and the top-view projection the 2-D pipeline runs on.

Reading: each instance is one slice (classic CT) or a stack of frames (multi-frame, functional groups).
Values after the modality rescale (top level or Pixel Value Transformation functional group) are:

- linear attenuation when Rescale Type says ``1/CM`` (or ``1/MM``);
- CT numbers (HU) when Rescale Type says ``HU``, or is absent on a classic CT image;
- for a DICOS ``MU`` image (Image Type / Frame Type value ``MU``: linear attenuation) whose Rescale Type gives
  no unit -- the Stratovan toolkit writes ``unknown`` -- modified Hounsfield units (air 0, water 1000, the
  convention of security CT data sets), i.e. HU + 1000; a non-conformance, since the unit is a guess.

HU become linear attenuation ``mu = MU_WATER_PER_CM * (1 + HU / 1000)`` (clamped >= 0) with the attenuation
of water at 100 keV (0.1707 1/cm, xraydb / NIST XCOM). An instance's image is float32
[frames, rows, cols] in 1/cm.

Volume axes: ``[z, y, x]`` = [slice (along the belt, ordered by position along the slice normal, else by
Instance Number), row (vertical, top to bottom, as DICOS CT slices are transverse cross-sections of the
tunnel), column (across the belt)].

Top view (:func:`top_view`): the line integral of ``mu`` along the vertical axis ``y``,
``a[z, x] = sum_y mu[z, y, x] * dy`` with ``dy`` the row spacing in cm -- the attenuation ``-ln(I/I0)`` a
line scanner looking down through the tunnel would record. Its pixel spacing is (slice spacing, column
spacing). It is a single-energy (``intensity``) view.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset

from nii.dicos import sop
from nii.errors import InvalidScanError
from nii.io import dicom
from nii.io.base import READERS, Instance, ReadContext, SliceGeometry, Source

MU_WATER_PER_CM = 0.1707
"""Linear attenuation of water at 100 keV, 1/cm (mass attenuation 0.1707 cm^2/g x 1 g/cm^3)."""

DICOM_CT = "1.2.840.10008.5.1.4.1.1.2"
DICOM_ENHANCED_CT = "1.2.840.10008.5.1.4.1.1.2.1"


@dataclass
class CTVolume:
    """mu: float32 [z, y, x] linear attenuation, 1/cm; spacing_mm: (z, y, x) voxel size, mm."""

    mu: np.ndarray
    spacing_mm: tuple[float, float, float]


def _first_item(ds: Dataset | None, keyword: str, ctx: ReadContext) -> Dataset | None:
    if ds is None:
        return None
    seq = dicom.get(ds, keyword, ctx)
    if not seq:
        return None
    try:
        item = seq[0]
    except (TypeError, IndexError, KeyError):
        return None
    return item if isinstance(item, Dataset) else None


_LINEAR_UNITS = {"1/CM": 1.0, "/CM": 1.0, "CM-1": 1.0, "1/MM": 10.0, "/MM": 10.0, "MM-1": 10.0}
"""Rescale Type of linear attenuation -> factor to 1/cm."""


def _is_mu_image(ds: Dataset, shared: Dataset | None, ctx: ReadContext) -> bool:
    """True when Image Type (or the CT frame type) says the values are linear attenuation (DICOS ``MU``)."""
    frame_type = _first_item(shared, "CTImageFrameTypeSequence", ctx)
    for holder, keyword in ((ds, "ImageType"), (frame_type, "FrameType")):
        raw = dicom.get(holder, keyword, ctx) if holder is not None else None
        values = [str(v).strip().upper() for v in ([raw] if isinstance(raw, str) else list(raw or []))]
        if "MU" in values:
            return True
    return False


def _rescale_to_mu(ds: Dataset, shared: Dataset | None, ctx: ReadContext) -> tuple[float, float, float | None, float]:
    """(slope, intercept, linear factor or None, HU offset): mu [1/cm] = factor * v for linear attenuation,
    else HU = v + offset and mu from HU (see the module doc)."""
    item = _first_item(shared, "PixelValueTransformationSequence", ctx)
    holder = item if item is not None and "RescaleSlope" in item else ds
    slope = dicom.number(holder, "RescaleSlope", ctx)
    intercept = dicom.number(holder, "RescaleIntercept", ctx)
    slope, intercept = (1.0 if slope is None else slope), (0.0 if intercept is None else intercept)
    rtype = (dicom.text(holder, "RescaleType", ctx) or "").upper()
    if rtype in _LINEAR_UNITS:
        return slope, intercept, _LINEAR_UNITS[rtype], 0.0
    if rtype == "HU" or (not rtype and not _is_mu_image(ds, shared, ctx)):
        return slope, intercept, None, 0.0
    if _is_mu_image(ds, shared, ctx):
        ctx.nonconformant(
            f"linear attenuation (MU) image with Rescale Type {rtype or 'absent'!r}: read as modified Hounsfield "
            "units (air 0, water 1000)"
        )
        return slope, intercept, None, -1000.0
    ctx.nonconformant(f"Rescale Type {rtype!r}; read as Hounsfield units")
    return slope, intercept, None, 0.0


def _slice_positions(ds: Dataset, frames: int, ctx: ReadContext) -> list[float] | None:
    """Position of each frame along the slice normal, mm; None where the file does not say."""
    per_frame = dicom.get(ds, "PerFrameFunctionalGroupsSequence", ctx)
    shared = _first_item(ds, "SharedFunctionalGroupsSequence", ctx)
    orientation_item = _first_item(shared, "PlaneOrientationSequence", ctx)
    orientation = dicom.numbers(orientation_item or ds, "ImageOrientationPatient", ctx)
    normal = np.array([0.0, 0.0, 1.0])
    if orientation is not None and len(orientation) == 6:
        n = np.cross(orientation[:3], orientation[3:])
        if np.linalg.norm(n) > 1e-6:
            normal = n / np.linalg.norm(n)
    holders: list[Dataset | None]
    if per_frame is not None and frames > 1:
        try:
            holders = [_first_item(item, "PlanePositionSequence", ctx) for item in list(per_frame)[:frames]]
        except TypeError:
            return None
    else:
        holders = [ds]
    positions: list[float] = []
    for holder in holders:
        pos = dicom.numbers(holder, "ImagePositionPatient", ctx) if holder is not None else None
        if pos is None or len(pos) != 3:
            location = dicom.number(holder, "SliceLocation", ctx) if holder is not None else None
            if location is None:
                return None
            positions.append(location)
        else:
            positions.append(float(np.dot(normal, pos)))
    return positions if len(positions) == frames or frames == 1 else None


def read_ct(src: Source, ctx: ReadContext, *, source_format: str, dicos: bool) -> Instance:
    """Reads one CT instance (one slice or a multi-frame stack) as linear attenuation, 1/cm."""
    ds = src.require_dataset(ctx)
    if dicos and not dicom.text(ds.file_meta, "MetaDICOSVersion", ctx):
        ctx.nonconformant("file meta (0002,0004) DICOS Version is missing (the DICOS toolkit requires V03)")
    stored = dicom.decode_pixels(ds, ctx)
    if stored.ndim != 3:
        raise ctx.invalid("a CT image must be greyscale (SamplesPerPixel 1)")
    shared = _first_item(ds, "SharedFunctionalGroupsSequence", ctx)
    slope, intercept, factor, hu_offset = _rescale_to_mu(ds, shared, ctx)
    if dicos and (slope != 1 or intercept != 0):
        ctx.nonconformant(f"Rescale Slope {slope:g} / Intercept {intercept:g}; DICOS requires 1 / 0")
    bits = dicom.integer(ds, "BitsStored", ctx) or stored.dtype.itemsize * 8
    if stored.dtype.kind == "u" and bits < stored.dtype.itemsize * 8:
        stored = stored & np.asarray((1 << bits) - 1, dtype=stored.dtype)  # unused high bits (overlays)
    values = stored.astype(np.float32) * np.float32(slope) + np.float32(intercept)
    if factor is not None:  # linear attenuation given directly; factor converts its unit to 1/cm
        mu = values * np.float32(factor)
    else:  # CT numbers: mu = mu_water * (1 + HU / 1000)
        mu = np.float32(MU_WATER_PER_CM) * (1 + (values + np.float32(hu_offset)) / np.float32(1000.0))
    np.maximum(mu, 0, out=mu)
    head = dicom.header(ds, ctx)
    details = _first_item(shared, "CTXRayDetailsSequence", ctx)
    if head.kvp is None and details is not None:  # enhanced CT keeps KVP in a functional group
        head.kvp = dicom.number(details, "KVP", ctx)
    measures = _first_item(shared, "PixelMeasuresSequence", ctx)
    spacing, spacing_source = dicom.pixel_spacing(ds, ctx, head.machine_id, within=measures)
    positions = _slice_positions(ds, stored.shape[0], ctx)
    between = None
    for holder in (measures, ds):
        if holder is not None and between is None:
            between = dicom.number(holder, "SpacingBetweenSlices", ctx) or dicom.number(holder, "SliceThickness", ctx)
    if positions is not None and len(positions) > 1:
        steps = np.abs(np.diff(positions))
        if np.all(steps > 0):
            between = float(np.median(steps))
    if between is not None and not (math.isfinite(between) and between > 0):
        between = None
    ids = dicom.identity(ds, ctx)
    return Instance(
        **ids,
        source=ctx.name,
        source_format=source_format,
        kind="ct",
        image=mu,
        energy="intensity",
        header=head,
        pixel_spacing_mm=spacing,
        spacing_source=spacing_source,
        view_keys={"SeriesInstanceUID": ids["series_uid"]},
        geometry=SliceGeometry(position=positions[0] if positions else None, spacing_mm=between),
        warnings=ctx.warnings,
        nbytes=len(src.data),
    )


def _ordered(instances: Sequence[Instance]) -> list[Instance]:
    if all(i.geometry is not None and i.geometry.position is not None for i in instances):
        return sorted(instances, key=lambda i: i.geometry.position)  # type: ignore[union-attr,return-value,arg-type]
    return sorted(instances, key=lambda i: (i.instance_number is None, i.instance_number or 0))


def _slice_spacing(ordered: Sequence[Instance]) -> float:
    positions = [i.geometry.position for i in ordered if i.geometry is not None and i.geometry.position is not None]
    if len(positions) == len(ordered) > 1:
        steps = np.abs(np.diff(positions))
        if np.all(steps > 0):
            return float(np.median(steps))
    for inst in ordered:
        if inst.geometry is not None and inst.geometry.spacing_mm:
            return inst.geometry.spacing_mm
    return ordered[0].pixel_spacing_mm[0]


def _ordered_checked(instances: Sequence[Instance]) -> list[Instance]:
    ordered = _ordered(instances)
    shapes = {i.image.shape[1:] for i in ordered}
    if len(shapes) != 1:
        names = ", ".join(i.source for i in ordered[:4])
        raise InvalidScanError(f"CT slices of one series differ in size {sorted(shapes)} ({names})")
    return ordered


def ct_volume(instances: Sequence[Instance]) -> CTVolume:
    """Stacks the CT instances of one series into a volume (see the module doc for the axes)."""
    ordered = _ordered_checked(instances)
    mu = np.concatenate([i.image for i in ordered], axis=0)
    dy, dx = ordered[0].pixel_spacing_mm
    return CTVolume(mu=mu, spacing_mm=(_slice_spacing(ordered), dy, dx))


def top_view(instances: Sequence[Instance]) -> tuple[np.ndarray, tuple[float, float]]:
    """Top-view projection of one CT series: (float32 [z, x] attenuation -ln(I/I0), (z, x) spacing in mm).

    Summed slice by slice, so the whole volume is never held twice.
    """
    volume_rows = []
    ordered = _ordered_checked(instances)
    dy_cm = ordered[0].pixel_spacing_mm[0] / 10.0
    for inst in ordered:
        volume_rows.append(inst.image.sum(axis=1, dtype=np.float64) * dy_cm)
    projection = np.concatenate(volume_rows, axis=0).astype(np.float32)
    return projection, (_slice_spacing(ordered), ordered[0].pixel_spacing_mm[1])


def _register() -> None:
    READERS.add(sop.DICOS_CT, functools.partial(read_ct, source_format="dicos-ct", dicos=True))
    for uid in (DICOM_CT, DICOM_ENHANCED_CT):
        READERS.add(uid, functools.partial(read_ct, source_format="dicom-ct", dicos=False))


_register()
