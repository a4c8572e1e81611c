from __future__ import annotations

import numpy as np
import pytest

from nii.errors import NIIError
from nii.physics.noise import add_quantum_noise


def test_noise_statistics_follow_counting_statistics() -> None:
    rng = np.random.default_rng(1)
    img = np.full((200, 200), 2.0, dtype=np.float32)
    n0 = 1e4
    noisy = add_quantum_noise(img, n0, rng)
    assert noisy.dtype == np.float32 and noisy.shape == img.shape
    expected_std = 1.0 / np.sqrt(n0 * np.exp(-2.0))  # relative intensity noise = log-domain noise
    assert noisy.std() == pytest.approx(expected_std, rel=0.05)
    # -ln of a noisy intensity is biased upwards by var/2 (Jensen)
    assert noisy.mean() == pytest.approx(2.0 + expected_std**2 / 2, abs=4 * expected_std / 200)


def test_low_count_pixels_are_poisson_and_finite() -> None:
    rng = np.random.default_rng(2)
    img = np.full(10000, 12.0, dtype=np.float32)  # ~0.06 photons expected at N0 = 1e4
    noisy = add_quantum_noise(img, 1e4, rng)
    assert np.isfinite(noisy).all()
    assert noisy.max() <= np.log(2e4) + 1e-4


def test_seeded_generator_makes_noise_reproducible() -> None:
    img = np.linspace(0, 5, 100, dtype=np.float32)
    a = add_quantum_noise(img, 1e3, np.random.default_rng(7))
    b = add_quantum_noise(img, 1e3, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_bad_dose_raises() -> None:
    with pytest.raises(NIIError):
        add_quantum_noise(np.zeros(3, dtype=np.float32), 0.0, np.random.default_rng(0))
