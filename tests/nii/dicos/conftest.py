"""Scans built with the project's own Scan/View types from a seeded generator."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydicom.uid import generate_uid

from nii.scan import Scan, View


def make_scan(
    rng: np.random.Generator,
    *,
    dual_energy: bool = True,
    views: int = 2,
    shape: tuple[int, int] = (48, 32),
    spacing: tuple[float, float] | None = (0.8, 1.2),
    ooi_id: str = "LX123456789CN",
) -> Scan:
    """A parcel-like scan: attenuation 0 (air) around a block of material, plus noise, per view.

    Images are float32 [rows, cols] attenuation in [0, ~8]; view i is ``shape`` with i rows fewer, so views
    can be told apart by shape.
    """
    out: list[View] = []
    for i in range(views):
        rows, cols = shape[0] - i, shape[1]
        high = np.zeros((rows, cols), dtype=np.float32)
        high[rows // 4 : 3 * rows // 4, cols // 4 : 3 * cols // 4] = rng.uniform(0.5, 6.0)
        high += rng.uniform(0.0, 2.0, size=(rows, cols)).astype(np.float32)
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


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240501)
