"""Legacy image exports (16-bit TIFF / PNG, 8-bit JPEG / PNG) and the DICOS objects that carry no image.

A legacy export has no metadata: the OOI ID is the caller's (else the file stem), the pixel spacing is the
configured default (configs/scanners.yaml) or unknown (source ``fallback``), and brightness is read as
transmission (bright = air): ``a = -ln((v + 1) / (full + 1))`` with ``full`` the full scale of the bit depth (255
or 65535), see :func:`nii.io.pixels.brightness_to_attenuation`. Colour exports (a workstation's pseudo-colour
rendering) are converted to luminance (ITU-R BT.601): the material information the colours encoded is lost; the
instance says so in its warnings.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import warnings
from pathlib import PurePath
from struct import error as struct_error

import numpy as np
from PIL import Image, UnidentifiedImageError
from pydicom.uid import generate_uid

from nii.dicos import sop
from nii.io.base import READERS, Instance, NotAnImageError, ReadContext, ScanHeader, Source
from nii.io.pixels import brightness_to_attenuation, luminance
from nii.io.spacing import load_scanner_defaults

log = logging.getLogger(__name__)

COLOUR_WARNING = "colour image converted to luminance: material information is lost"


def _check_size(rows: int, cols: int, samples: int, ctx: ReadContext) -> None:
    if rows < 1 or cols < 1:
        raise ctx.invalid(f"image of {rows} x {cols} pixels")
    if rows * cols * samples > ctx.limits.max_pixels:
        raise ctx.invalid(
            f"image of {rows} x {cols} x {samples} = {rows * cols * samples} pixels exceeds the "
            f"limit of {ctx.limits.max_pixels}"
        )


def _pil_pixels(data: bytes, ctx: ReadContext) -> np.ndarray:
    """Decoded PNG / JPEG pixels: [rows, cols] or [rows, cols, 3|4]."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im: Image.Image = Image.open(io.BytesIO(data))
            cols, rows = im.size
            _check_size(rows, cols, len(im.getbands()), ctx)
            if im.mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            elif im.mode not in ("L", "I;16", "I;16B", "I;16L", "I", "RGB", "RGBA", "LA", "CMYK", "YCbCr"):
                raise ctx.invalid(f"unsupported image mode {im.mode}")
            if im.mode in ("CMYK", "YCbCr"):
                im = im.convert("RGB")
            return np.asarray(im)
    except (
        OSError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        ValueError,
        SyntaxError,
        EOFError,
    ) as exc:
        raise ctx.invalid(f"cannot decode image: {type(exc).__name__}: {exc}") from exc


def _tiff_pixels(data: bytes, ctx: ReadContext) -> np.ndarray:
    import tifffile

    try:
        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            if not tif.pages:
                raise ctx.invalid("TIFF file holds no image")
            page = tif.pages.first
            shape = tuple(int(s) for s in page.shape)
            if len(shape) not in (2, 3):
                raise ctx.invalid(f"TIFF image of shape {shape}; expected [rows, cols] or [rows, cols, samples]")
            _check_size(shape[0], shape[1], shape[2] if len(shape) == 3 else 1, ctx)
            return np.asarray(page.asarray())
    except (
        tifffile.TiffFileError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        struct_error,
        TypeError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise ctx.invalid(f"cannot decode TIFF: {type(exc).__name__}: {exc}") from exc


def _to_attenuation(pixels: np.ndarray, ctx: ReadContext) -> np.ndarray:
    if pixels.ndim == 3:
        if pixels.shape[2] in (2, 4):  # drop alpha
            pixels = pixels[..., :-1]
        if pixels.shape[2] == 1:
            pixels = pixels[..., 0]
        elif pixels.shape[2] == 3:
            ctx.warnings.append(COLOUR_WARNING)
            log.info("%s: %s", ctx.name, COLOUR_WARNING)
            full = float(np.iinfo(pixels.dtype).max) if pixels.dtype.kind in "ui" else 1.0
            return brightness_to_attenuation(luminance(pixels), full)
        else:
            raise ctx.invalid(f"image with {pixels.shape[2]} samples per pixel; expected 1, 3 or 4")
    if pixels.ndim != 2:
        raise ctx.invalid(f"image of shape {pixels.shape}; expected 2-D")
    if pixels.dtype == np.bool_:
        pixels = pixels.astype(np.uint8) * 255
    if pixels.dtype.kind == "f":
        return brightness_to_attenuation(np.nan_to_num(pixels, nan=0.0), 1.0)
    if pixels.dtype.kind not in "ui" or pixels.dtype.itemsize > 2:
        raise ctx.invalid(f"image of dtype {pixels.dtype}; expected 8- or 16-bit samples")
    return brightness_to_attenuation(pixels, float(np.iinfo(pixels.dtype).max))


def read_image(src: Source, ctx: ReadContext, *, fmt: str) -> Instance:
    """Reads one legacy image export (see the module doc)."""
    pixels = _tiff_pixels(src.data, ctx) if fmt == "tiff" else _pil_pixels(src.data, ctx)
    image = _to_attenuation(pixels, ctx)
    spacing, spacing_source = load_scanner_defaults().spacing_for(None)
    digest = hashlib.sha256(src.data).hexdigest()
    stem = PurePath(ctx.name).stem or "image"
    ooi_id = ctx.ooi_id or stem
    return Instance(
        source=ctx.name,
        source_format="image",
        kind="projection",
        image=image,
        energy="intensity",
        study_uid=str(generate_uid(entropy_srcs=["nii-image", ooi_id])),
        series_uid="",
        sop_uid=str(generate_uid(entropy_srcs=["nii-image", digest])),
        sop_class_uid=fmt,
        header=ScanHeader(ooi_id=ooi_id),
        pixel_spacing_mm=spacing,
        spacing_source=spacing_source,
        view_keys={"file": ctx.name},
        warnings=ctx.warnings,
        nbytes=len(src.data),
    )


def _not_an_image(src: Source, ctx: ReadContext, *, what: str) -> Instance:
    raise NotAnImageError(f"{ctx.name}: a DICOS {what} carries no image")


def _register() -> None:
    for fmt in ("png", "jpeg", "tiff"):
        READERS.add(fmt, functools.partial(read_image, fmt=fmt))
    for uid, what in (
        (sop.DICOS_TDR, "Threat Detection Report"),
        (sop.DICOS_AIT2D, "2D AIT"),
        (sop.DICOS_AIT3D, "3D AIT"),
    ):
        READERS.add(uid, functools.partial(_not_an_image, what=what))


_register()
