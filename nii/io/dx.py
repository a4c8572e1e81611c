"""Readers of projection images: DICOS DX (for processing and for presentation, dual- and single-energy) and
DICOM DX, CR and Secondary Capture (single energy).

Energy comes from Image Type: any value ``HIGH ENERGY``, ``LOW ENERGY`` or ``INTENSITY`` (DICOS puts it in
value 2). Material images a DICOS scanner may add (``Z_EFFECTIVE``, ``RHO``, ``PHOTOELECTRIC``, ``COMPTON``,
``VECTOR``) are not attenuation images: the reader refuses them with :class:`NotAnImageError` and
:func:`nii.io.read_scans` skips them. A DICOS file without an energy term is a non-conformance (read as
``intensity``); DICOM files without one are single-energy ``intensity`` images.

Pixel values become attenuation as :mod:`nii.io.pixels` documents. Colour images (secondary captures of a
screening workstation's pseudo-colour display) are converted to luminance: the material information of the
colours is lost, and the instance records so in its warnings.
"""

from __future__ import annotations

import functools

from pydicom.dataset import Dataset

from nii.dicos import sop
from nii.io import dicom
from nii.io.base import READERS, Instance, NotAnImageError, ReadContext, Source
from nii.io.pixels import PixelTransform, brightness_to_attenuation, luminance, to_attenuation

ENERGY_TERMS: dict[str, str] = {"HIGH ENERGY": "high", "LOW ENERGY": "low", "INTENSITY": "intensity"}
"""Image Type value -> Scan energy name."""
MATERIAL_TERMS = frozenset({"Z_EFFECTIVE", "ZEFF", "RHO", "PHOTOELECTRIC", "COMPTON", "VECTOR"})
"""Image Type values of derived material images (not attenuation)."""


def image_energy(ds: Dataset, ctx: ReadContext, *, dicos: bool) -> str:
    """``high``, ``low`` or ``intensity`` from Image Type (see the module doc)."""
    raw = dicom.get(ds, "ImageType", ctx)
    values = [str(v).strip().upper() for v in ([raw] if isinstance(raw, str) else list(raw or []))]
    for value in values:
        if value in ENERGY_TERMS:
            return ENERGY_TERMS[value]
        if value in MATERIAL_TERMS:
            raise NotAnImageError(f"{ctx.name}: Image Type {value} is a material image, not an attenuation image")
    if dicos:
        what = "Image Type is missing" if not values else f"Image Type {values} names no energy"
        ctx.nonconformant(f"{what}; read as INTENSITY (single energy)")
    return "intensity"


def pixel_transform(ds: Dataset, ctx: ReadContext, *, dicos: bool, dx_class: bool) -> PixelTransform:
    """The stored value -> attenuation parameters of a projection image (see nii.io.pixels)."""
    slope = dicom.number(ds, "RescaleSlope", ctx)
    intercept = dicom.number(ds, "RescaleIntercept", ctx)
    slope = 1.0 if slope is None else slope
    intercept = 0.0 if intercept is None else intercept
    if slope == 0:
        raise ctx.invalid("Rescale Slope is 0; expected a non-zero value")
    if dicos and (slope != 1 or intercept != 0):
        ctx.nonconformant(f"Rescale Slope {slope:g} / Intercept {intercept:g}; DICOS requires 1 / 0")
    relationship = dicom.text(ds, "PixelIntensityRelationship", ctx)
    if relationship is None:
        if dx_class:
            ctx.nonconformant("Pixel Intensity Relationship is missing; read as LIN")
        relationship = "LIN"
    elif relationship.upper() not in ("LIN", "LOG"):
        ctx.nonconformant(f"Pixel Intensity Relationship {relationship!r}; read as LIN (expected LIN or LOG)")
        relationship = "LIN"
    sign = dicom.integer(ds, "PixelIntensityRelationshipSign", ctx)
    if sign not in (None, 1, -1):
        ctx.nonconformant(f"Pixel Intensity Relationship Sign {sign}; expected +1 or -1, ignored")
        sign = None
    photometric = dicom.text(ds, "PhotometricInterpretation", ctx)
    increasing = sign == 1 if sign is not None else photometric != "MONOCHROME1"
    allocated = dicom.required_int(ds, "BitsAllocated", ctx)
    return PixelTransform(
        bits_stored=dicom.integer(ds, "BitsStored", ctx) or allocated,
        signed=(dicom.integer(ds, "PixelRepresentation", ctx) or 0) == 1,
        slope=slope,
        intercept=intercept,
        increasing=increasing,
        relationship=relationship.upper(),
    )


def read_projection(src: Source, ctx: ReadContext, *, source_format: str, dicos: bool, dx_class: bool) -> Instance:
    """Reads one projection image instance (see the module doc)."""
    ds = src.require_dataset(ctx)
    if dicos and not dicom.text(ds.file_meta, "MetaDICOSVersion", ctx):
        ctx.nonconformant("file meta (0002,0004) DICOS Version is missing (the DICOS toolkit requires V03)")
    energy = image_energy(ds, ctx, dicos=dicos)
    stored = dicom.decode_pixels(ds, ctx)
    if stored.shape[0] != 1:
        raise ctx.invalid(f"projection image has {stored.shape[0]} frames; expected 1")
    frame = stored[0]
    if frame.ndim == 3:
        if dx_class:
            ctx.nonconformant("a DX image must be greyscale; colour converted to luminance")
        ctx.warnings.append("colour image converted to luminance: material information is lost")
        image = brightness_to_attenuation(luminance(frame), float((1 << (8 * frame.dtype.itemsize)) - 1))
    else:
        image = to_attenuation(frame, pixel_transform(ds, ctx, dicos=dicos, dx_class=dx_class))
    head = dicom.header(ds, ctx)
    spacing, spacing_source = dicom.pixel_spacing(ds, ctx, head.machine_id)
    ids = dicom.identity(ds, ctx)
    return Instance(
        **ids,
        source=ctx.name,
        source_format=source_format,
        kind="projection",
        image=image,
        energy=energy,
        header=head,
        pixel_spacing_mm=spacing,
        spacing_source=spacing_source,
        view_keys=view_keys(ds, ctx, image.shape),
        warnings=ctx.warnings,
        nbytes=len(src.data),
    )


def view_keys(ds: Dataset, ctx: ReadContext, shape: tuple[int, ...]) -> dict[str, object]:
    """Candidate view identities, in the order grouping tries them: DICOS Series View, Acquisition Number (what
    NII's writer uses: view index + 1), View Position, Series Instance UID, image size."""
    keys: dict[str, object] = {}
    for keyword in ("SeriesView", "AcquisitionNumber", "ViewPosition", "SeriesInstanceUID"):
        value = dicom.get(ds, keyword, ctx)
        if value is not None:
            keys[keyword] = str(value).strip()
    keys["size"] = f"{shape[0]}x{shape[1]}"
    return keys


def _register() -> None:
    for uid in (sop.DICOS_DX_PROCESSING, sop.DICOS_DX_PRESENTATION):
        READERS.add(uid, functools.partial(read_projection, source_format="dicos-dx", dicos=True, dx_class=True))
    for uid, fmt, dx_class in (
        (sop.DICOM_DX_PROCESSING, "dicom-dx", True),
        (sop.DICOM_DX_PRESENTATION, "dicom-dx", True),
        (sop.DICOM_CR, "dicom-cr", False),
        (sop.DICOM_SC, "dicom-sc", False),
    ):
        READERS.add(uid, functools.partial(read_projection, source_format=fmt, dicos=False, dx_class=dx_class))


_register()
