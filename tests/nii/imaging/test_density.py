from __future__ import annotations

import numpy as np
import pytest

from nii.imaging.density import DENSITY_ATTENUATION, density_alert_mask
from nii.physics.phantom import Phantom


def test_threshold_is_half_a_percent_transmission() -> None:
    assert np.exp(-DENSITY_ATTENUATION) == pytest.approx(0.005)


def test_dense_block_alerts_small_speck_and_thin_material_do_not() -> None:
    ph = Phantom((100, 100))
    ph.box("lead", 5.0, (10, 40), (10, 40))  # 9 cm^2 of lead: opaque
    ph.box("tungsten", 3.0, (60, 65), (60, 65))  # 25 mm^2: below the minimum area
    ph.box("water", 100.0, (50, 90), (10, 40))  # 10 cm of water: transmission ~ 20 %
    mask = density_alert_mask(ph.view(rng=np.random.default_rng(0)))
    assert mask.dtype == bool and mask.shape == (100, 100)
    assert mask[15:35, 15:35].all()
    assert not mask[60:65, 60:65].any()
    assert not mask[50:90, 10:40].any()
    assert not mask[0:5, :].any()


def test_minimum_area_follows_pixel_spacing() -> None:
    ph = Phantom((60, 60), pixel_spacing_mm=0.5)
    ph.box("lead", 5.0, (10, 25), (10, 25))  # 15x15 px at 0.5 mm = 56 mm^2 < 100 mm^2
    assert not density_alert_mask(ph.view()).any()
    ph2 = Phantom((60, 60), pixel_spacing_mm=1.0)
    ph2.box("lead", 5.0, (10, 25), (10, 25))  # 225 mm^2
    mask = density_alert_mask(ph2.view())
    assert 215 <= mask.sum() <= 225  # the 3x3 median that suppresses noise specks rounds the corners
    assert mask[12:23, 12:23].all()
