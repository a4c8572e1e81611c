"""NII reads a DICOS CT volume written by the Stratovan toolkit (``pydicos``): multi-frame, JPEG Lossless,
functional groups, an ``MU`` image without a unit. Skipped where pydicos cannot be imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nii.io import read_scans
from nii.io.ct import MU_WATER_PER_CM

pytestmark = pytest.mark.conformance
pytest.importorskip("pydicos", reason="the Stratovan DICOS toolkit (pip install pydicos) is not installed here")
pd: Any = pytest.importorskip("pyDICOS", reason="pydicos is installed but its native module does not load")


def test_we_read_toolkit_ct(tmp_path: Path) -> None:
    depth, height, width = 6, 10, 8
    values = np.random.default_rng(0).integers(0, 3000, size=(depth, height, width)).astype(np.uint16)
    ct = pd.CT(pd.OBJECT_OF_INSPECTION_TYPE.enumTypeBaggage, pd.OOI_IMAGE_CHARACTERISTICS.enumMu)
    ct.SetNumberOfSections(1)
    section = ct.GetSectionByIndex(0)
    volume = section.GetPixelData()
    volume.Allocate(pd.Volume.IMAGE_DATA_TYPE.enumUnsigned16Bit, width, height, depth)
    for z in range(depth):
        np.array(volume.GetUnsigned16().GetSlice(z), copy=False)[:] = values[z]
    section.SetSpacingInMM(1.0, 1.5, 2.0)  # x (columns), y (rows), z (slices)
    section.SetKVP(160.0)
    ct.SetOOIID(pd.DcsLongString("CT0001"))
    ct.SetImageAcquisitionDuration(1.0)
    log = pd.ErrorLog()
    assert ct.Write(pd.Filename(str(tmp_path / "ct.dcs")), log), log.GetErrorLog().Get()

    (scan,) = read_scans([tmp_path])
    assert (scan.ooi_id, scan.source_format, scan.kvp) == ("CT0001", "dicos-ct", 160.0)
    (view,) = scan.views
    assert view.shape == (depth, width) and view.pixel_spacing_mm == pytest.approx((2.0, 1.0))
    mu = MU_WATER_PER_CM * values.astype(np.float64) / 1000  # MU without a unit: modified Hounsfield units
    np.testing.assert_allclose(view.attenuation, mu.sum(axis=1) * 0.15, rtol=1e-5)
    assert any("modified Hounsfield" in w for w in scan.metadata["warnings"])  # type: ignore[union-attr]
