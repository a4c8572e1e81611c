"""Augmentation that respects the physics of transmission X-ray images.

Images here are float32 [H, W, 2] attenuation images -ln(I/I0) (high, low) at the model's mm/pixel, boxes
float32 [N, 4] pixels x1 y1 x2 y2. Allowed: flips and 90° rotations (a parcel lies any way on the belt), scale
jitter (pixel spacing and object size vary), crop and pad with air (0 attenuation), quantum noise (Poisson, via
nii.physics.noise) and a gain in the log domain (thicker / denser objects scale the attenuation of both energies
alike, which keeps the low/high ratio, i.e. the material, unchanged). Never hue, colour or contrast jitter: the
pixel values are physical quantities and the ratio between the energies is the material signal.

Robustness to other scanners and exports (opt-in per recipe): a detector blur (the point-spread function of another
scanner, applied to transmission, where it physically acts), 8-bit encoding (a workstation's PNG/JPEG export read
back by :mod:`nii.io.image`: transmission quantised to 256 levels, so dense regions saturate), a wider gain
(display gamma on transmission, I**g, is a gain on attenuation) and a display export (:func:`display_export`: the
workstation's pseudo-colour or grey rendering, as public X-ray image sets are, read back through luminance).
"""

from __future__ import annotations

from typing import Any

import albumentations as A  # noqa: N812
import cv2
import numpy as np

from nii.io.pixels import brightness_to_attenuation
from nii.physics.noise import add_quantum_noise


class LogGain(A.ImageOnlyTransform):
    """Multiplies both energies by one factor in ``gain`` and adds one offset in ``offset`` (detector drift)."""

    def __init__(
        self, gain: tuple[float, float] = (0.9, 1.1), offset: tuple[float, float] = (-0.02, 0.02), p: float = 0.5
    ):
        super().__init__(p=p)
        self.gain = gain
        self.offset = offset

    def get_params(self) -> dict[str, Any]:
        rng = self.random_generator
        return {"g": float(rng.uniform(*self.gain)), "o": float(rng.uniform(*self.offset))}

    def apply(self, img: np.ndarray, g: float = 1.0, o: float = 0.0, **params: Any) -> np.ndarray:
        return np.maximum(img * np.float32(g) + np.float32(o), 0).astype(np.float32)


class QuantumNoise(A.ImageOnlyTransform):
    """Poisson noise per energy with N0 log-uniform in ``photons`` (photons per pixel without object)."""

    def __init__(self, photons: tuple[float, float] = (3e3, 1e5), p: float = 0.5):
        super().__init__(p=p)
        self.photons = photons

    def get_params(self) -> dict[str, Any]:
        lo, hi = np.log(self.photons[0]), np.log(self.photons[1])
        return {"n0": float(np.exp(self.random_generator.uniform(lo, hi)))}

    def apply(self, img: np.ndarray, n0: float = 1e5, **params: Any) -> np.ndarray:
        air = img <= 0  # padding (air) stays exactly air so crops do not paint noise onto padded borders
        out = np.stack([add_quantum_noise(img[..., c], n0, self.random_generator) for c in range(img.shape[-1])], -1)
        out[air] = 0
        return out.astype(np.float32)


def transmission_blur(att: np.ndarray, sigma_x: float, sigma_y: float) -> np.ndarray:
    """A Gaussian point-spread function (sigmas in pixels) applied where it acts physically, on the transmission
    exp(-a) of one attenuation image; float32 attenuation back."""
    trans = cv2.GaussianBlur(np.exp(-att), (0, 0), sigma_x, sigmaY=sigma_y, borderType=cv2.BORDER_REPLICATE)
    return (-np.log(np.clip(trans, 1e-6, 1.0))).astype(np.float32)


def eight_bit_export(att: np.ndarray) -> np.ndarray:
    """An attenuation image exported as 8-bit grey (v = round(255 exp(-a)), air noise above full scale saturating
    white) and read back as nii.io.image reads one."""
    return brightness_to_attenuation(np.clip(np.rint(255.0 * np.exp(-att)), 0, 255), 255.0)


def display_export(att: np.ndarray, dual: bool, per_attenuation: float = 0.4) -> np.ndarray:
    """A view [H, W, 2] as a workstation displays and exports it (nii.imaging.presets.display_rgb: pseudo-colour
    for dual energy, grey otherwise, brightness exp(-k a)), read back by nii.io.image: luminance of the 8-bit RGB,
    a' = -ln((v + 1) / 256). Single energy [H, W, 2] back (both channels alike: the colours' material information
    does not survive luminance): a' is k a plus the darkness of the hue (about 0.46 for orange organics, 0.62 for
    green, 1.0 for blue metal, less where thin material is pale)."""
    from nii.imaging.presets import display_rgb
    from nii.io.pixels import luminance
    from nii.scan import View

    view = View({"high": att[..., 0], "low": att[..., 1]}) if dual else View({"intensity": att[..., 0]})
    grey = brightness_to_attenuation(luminance(display_rgb(view, per_attenuation)), 255.0)
    return np.repeat(grey[..., None], 2, axis=-1)


class DetectorBlur(A.ImageOnlyTransform):
    """Gaussian point-spread function with sigma (pixels at the model's mm/pixel) uniform in ``sigma``, applied to
    the transmission exp(-a) of each energy (blur mixes photons, not attenuations)."""

    def __init__(self, sigma: tuple[float, float] = (0.3, 1.2), p: float = 0.3):
        super().__init__(p=p)
        self.sigma = sigma

    def get_params(self) -> dict[str, Any]:
        return {"s": float(self.random_generator.uniform(*self.sigma))}

    def apply(self, img: np.ndarray, s: float = 0.5, **params: Any) -> np.ndarray:
        out = np.stack([transmission_blur(img[..., c], s, s) for c in range(img.shape[-1])], -1)
        out[(img <= 0) & (out < 1e-3)] = 0  # padded air stays exact air
        return out


class EightBitExport(A.ImageOnlyTransform):
    """What an 8-bit export does to a view, read back as nii.io.image reads it: v = round(255 exp(-a)),
    a' = -ln((v + 1) / 256). Both energies alike (a dual-energy workstation exporting two images)."""

    def __init__(self, p: float = 0.2):
        super().__init__(p=p)

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        return eight_bit_export(img)


def build_augment(
    size: tuple[int, int],
    *,
    seed: int,
    scale: float = 0.15,
    min_visibility: float = 0.35,
    noise_p: float = 0.5,
    gain_p: float = 0.5,
    gain: tuple[float, float] = (0.9, 1.1),
    blur_p: float = 0.0,
    export8_p: float = 0.0,
) -> A.Compose:
    """Training pipeline producing [size[0], size[1], 2] crops: flips, rot90, scale jitter +-``scale``, pad with
    air, random crop (boxes less than ``min_visibility`` inside are dropped), gain, detector blur, noise, 8-bit
    export (the last three as the scanner would: blur before quantum noise, export last)."""
    h, w = size
    return A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            A.VerticalFlip(p=0.5),
            A.RandomRotate90(p=0.5),
            A.RandomScale(scale_limit=(-scale, scale), interpolation=cv2.INTER_LINEAR, p=0.7),
            A.PadIfNeeded(min_height=h, min_width=w, position="random", border_mode=cv2.BORDER_CONSTANT, fill=0),
            A.RandomCrop(height=h, width=w),
            LogGain(gain=gain, p=gain_p),
            DetectorBlur(p=blur_p),
            QuantumNoise(p=noise_p),
            EightBitExport(p=export8_p),
        ],
        bbox_params=A.BboxParams(
            format="pascal_voc", label_fields=["labels"], min_visibility=min_visibility, clip=True, min_area=4.0
        ),
        seed=seed,
    )


def build_eval_pad(size: tuple[int, int]) -> A.Compose:
    """Validation: no randomness, pad with air at the bottom/right to at least ``size`` (nothing is cropped)."""
    h, w = size
    return A.Compose(
        [A.PadIfNeeded(min_height=h, min_width=w, position="top_left", border_mode=cv2.BORDER_CONSTANT, fill=0)],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
    )
