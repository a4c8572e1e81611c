from __future__ import annotations

import numpy as np
import pytest

from nii.errors import NIIError
from nii.physics.detector import DEFAULT_DETECTOR, DualEnergyDetector, SingleEnergyDetector


def test_default_response_shapes_and_normalisation() -> None:
    energies, w_low, w_high = DEFAULT_DETECTOR.response()
    assert 20 <= energies.size <= 40
    assert energies.shape == w_low.shape == w_high.shape
    assert np.all(np.diff(energies) > 0)
    assert energies.max() <= DEFAULT_DETECTOR.kvp
    for w in (w_low, w_high):
        assert np.all(w >= 0)
        assert w.sum() == pytest.approx(1.0)


def test_back_layer_sees_a_harder_spectrum() -> None:
    energies, w_low, w_high = DEFAULT_DETECTOR.response()
    mean_low, mean_high = float(energies @ w_low), float(energies @ w_high)
    assert mean_high > mean_low + 20
    # the Cu filter removes nearly everything below 40 keV from the back layer
    assert w_high[energies < 40].sum() < 0.01 < w_low[energies < 40].sum()


def test_thicker_copper_filter_hardens_the_high_energy_layer() -> None:
    thin = DualEnergyDetector(filter_mm=0.5).response()
    thick = DualEnergyDetector(filter_mm=2.0).response()
    assert float(thick[0] @ thick[2]) > float(thin[0] @ thin[2])


def test_response_is_cached_per_detector() -> None:
    assert DEFAULT_DETECTOR.response() is DualEnergyDetector().response()
    assert DualEnergyDetector(kvp=140).response()[0].max() <= 140


def test_single_energy_detector_gives_one_response() -> None:
    energies, w_low, w_high = SingleEnergyDetector().response()
    assert w_low is w_high
    assert w_low.sum() == pytest.approx(1.0)
    assert energies.size >= 20


@pytest.mark.parametrize(
    "kwargs", [{"kvp": 10.0}, {"front_mm": 0.0}, {"filter_mm": -1.0}, {"front_material": "kryptonite"}]
)
def test_bad_parameters_raise(kwargs: dict[str, object]) -> None:
    with pytest.raises(NIIError):
        DualEnergyDetector(**kwargs)  # type: ignore[arg-type]
