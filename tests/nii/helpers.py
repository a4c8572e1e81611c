"""Test data shared by the nii test packages, made with the project's own Scan/View types."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.uid import generate_uid

from nii.scan import Scan, View


def make_scan(
    rng: np.random.Generator,
    *,
    dual_energy: bool = True,
    views: int = 2,
    shape: tuple[int, int] = (40, 30),
    spacing: tuple[float, float] | None = (0.8, 1.2),
    ooi_id: str = "LX123456789CN",
) -> Scan:
    """A parcel: a block of material on air plus noise, per view.

    Images are float32 [rows, cols] attenuation: noise in [0, 0.5] everywhere, the block 1 to 5 higher (high energy;
    low = 1.4 x high). View i is ``shape`` with i rows fewer, so views can be told apart by shape. Scan-level
    attributes are fixed (BELT-07, Leipzig parcel hub, 160 kV, acquired 2024-05-01 12:30:15.25 UTC).
    """
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
        machine_id="BELT-07",
        machine_location="Leipzig parcel hub",
        acquired_at=dt.datetime(2024, 5, 1, 12, 30, 15, 250000, tzinfo=dt.UTC),
        kvp=160.0,
        ooi_id_type="BARCODE",
        ooi_id_authority="UPU S10",
    )


def write_toolkit_dx(toolkit: Any, pixels: np.ndarray, path: Path) -> Path:
    """Writes ``pixels`` (uint16 [rows, cols]) as a single-energy DICOS DX with the Stratovan toolkit (module
    ``pyDICOS``, passed in by tests that import it or skip), in its default transfer syntax (JPEG Lossless SV1)."""
    dx = toolkit.DX(
        toolkit.CT.OBJECT_OF_INSPECTION_TYPE.enumTypeBaggage,
        toolkit.DX.PRESENTATION_INTENT_TYPE.enumProcessing,
        toolkit.DX.PIXEL_DATA_CHARACTERISTICS.enumOriginal,
        toolkit.CT.PHOTOMETRIC_INTERPRETATION.enumMonochrome2,
    )
    data = dx.GetXRayData()
    data.Allocate(toolkit.Volume.IMAGE_DATA_TYPE.enumUnsigned16Bit, pixels.shape[1], pixels.shape[0])
    np.array(data.GetUnsigned16(), copy=False)[:] = pixels
    dx.SetKVP(160.0)
    dx.SetImageOrientation(toolkit.Vector3Dfloat(1, 0, 0), toolkit.Vector3Dfloat(0, 1, 0))
    dx.SetImagePosition(toolkit.Point3Dfloat(0, 0, 1))
    dx.SetXRayTubeCurrent(2.5)
    log = toolkit.ErrorLog()
    if not dx.Write(toolkit.Filename(str(path)), log):
        raise AssertionError(log.GetErrorLog().Get())
    return path
