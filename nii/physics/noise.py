"""Quantum noise on attenuation images.

An energy-integrating detector pixel that would see ``N0`` photons without object sees ``N0·exp(-A)`` on average;
its count fluctuates as Poisson. In the intensity domain the relative noise is ``1/sqrt(N0·exp(-A))``, so dense
regions are noisier. (Energy-integrating detectors weight photons by energy, which raises the noise by the Swank
factor, about 1.1-1.3; fold it into a lower ``photons_per_pixel``.)
"""

from __future__ import annotations

import numpy as np

from nii.errors import NIIError

_GAUSS_ABOVE = 50.0  # expected counts above which the Gaussian approximation of Poisson is used


def add_quantum_noise(log_img: np.ndarray, photons_per_pixel: float, rng: np.random.Generator) -> np.ndarray:
    """Noisy copy of an attenuation image -ln(I/I0) (float32, same shape).

    photons_per_pixel: expected photon count per pixel without object (N0, > 0; e.g. 1e3-1e5 per layer).
    rng: the seeded generator all randomness comes from. Counts are Poisson (Gaussian where the mean exceeds 50);
    a pixel that counts nothing is given half a photon, so the result stays finite (max ln(2·N0)). Air pixels
    (attenuation 0) get noise too, as on a real detector.
    """
    if not photons_per_pixel > 0:
        raise NIIError(f"photons_per_pixel must be > 0, got {photons_per_pixel}")
    img = np.asarray(log_img, dtype=np.float32)
    n0 = np.float32(photons_per_pixel)
    mean = n0 * np.exp(-img)
    counts = mean + np.sqrt(mean) * rng.standard_normal(img.shape, dtype=np.float32)
    low = mean < _GAUSS_ABOVE
    if np.any(low):
        counts[low] = rng.poisson(mean[low].astype(np.float64)).astype(np.float32)
    np.maximum(counts, np.float32(0.5), out=counts)
    return (np.log(n0) - np.log(counts)).astype(np.float32, copy=False)
