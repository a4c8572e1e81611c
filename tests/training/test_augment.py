from __future__ import annotations

import numpy as np

from training.augment import LogGain, QuantumNoise, build_augment


def _image() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    img = np.zeros((120, 160, 2), np.float32)
    img[30:50, 40:100, 0] = 1.0
    img[30:50, 40:100, 1] = 2.0
    return img, np.array([[40.0, 30.0, 100.0, 50.0]], np.float32), np.array([3])


def test_geometry_keeps_boxes_on_the_object() -> None:
    img, boxes, labels = _image()
    aug = build_augment((128, 128), seed=0, noise_p=0.0, gain_p=0.0)
    for _ in range(20):
        out = aug(image=img, bboxes=boxes, labels=labels)
        assert out["image"].shape == (128, 128, 2)
        for (x1, y1, x2, y2), lab in zip(out["bboxes"], out["labels"]):
            assert lab == 3
            inside = out["image"][int(y1) + 2 : int(y2) - 2, int(x1) + 2 : int(x2) - 2, 0]
            assert inside.size == 0 or inside.mean() > 0.8  # the box still covers the object


def test_gain_keeps_the_material_ratio_and_noise_is_physical() -> None:
    img, _, _ = _image()
    g = LogGain(gain=(1.1, 1.1), offset=(0.0, 0.0), p=1.0)
    out = g(image=img)["image"]
    np.testing.assert_allclose(out[35, 50, 1] / out[35, 50, 0], 2.0, rtol=1e-5)
    n = QuantumNoise(photons=(1e4, 1e4), p=1.0)
    n.set_random_seed(0)
    noisy = n(image=img)["image"]
    assert np.all(noisy[0:10, 0:10] == 0)  # air stays air
    obj = noisy[30:50, 40:100]
    assert abs(float(obj[..., 0].mean()) - 1.0) < 0.02 and obj[..., 1].std() > obj[..., 0].std()  # denser = noisier


def test_detector_blur_spreads_edges_keeps_air_and_flat_regions() -> None:
    from training.augment import DetectorBlur

    img, _, _ = _image()
    out = DetectorBlur(sigma=(1.0, 1.0), p=1.0)(image=img)["image"]
    assert np.all(out[0:10, 0:10] == 0)  # far from the object: exact air
    np.testing.assert_allclose(out[40, 70], img[40, 70], atol=1e-5)  # inside, away from edges: unchanged
    assert 0.05 < out[29, 70, 0] < 0.95  # the edge is spread over the neighbouring row
    assert out[40, 70, 1] > out[40, 70, 0]  # the material ratio survives


def test_eight_bit_export_matches_the_image_reader() -> None:
    from nii.io.pixels import brightness_to_attenuation
    from training.augment import EightBitExport

    img, _, _ = _image()
    img[60:70, 40:60] = 9.0  # beyond an 8-bit export's range: saturates
    out = EightBitExport(p=1.0)(image=img)["image"]
    v = np.rint(255.0 * np.exp(-img))
    np.testing.assert_allclose(out, brightness_to_attenuation(v, 255.0), atol=1e-5)
    assert out[65, 50, 0] == out[65, 50, 1] and out[65, 50, 0] < 6.0
    assert len(np.unique(out[..., 0])) <= 256


def test_display_export_reads_back_the_display_contrast_and_hue() -> None:
    from nii.physics import DualEnergyDetector, attenuation_images
    from training.augment import display_export

    det = DualEnergyDetector(kvp=150.0)
    areal = {"water": np.zeros((40, 80), np.float32), "iron": np.zeros((40, 80), np.float32)}
    areal["water"][10:30, 5:35] = 8.0  # 8 cm of water (organic)
    areal["iron"][10:30, 45:75] = 0.6  # 0.8 mm of iron (metal)
    low, high = attenuation_images(areal, det)
    att = np.stack([high, low], -1).astype(np.float32)

    grey = display_export(att, False, 0.4)
    assert grey.shape == att.shape and np.array_equal(grey[..., 0], grey[..., 1])
    assert np.all(grey[0:5] == 0)  # air stays air
    np.testing.assert_allclose(grey[20, 20, 0], 0.4 * high[20, 20], atol=0.02)  # brightness exp(-0.4 A), 8 bits

    colour = display_export(att, True, 0.4)
    assert np.array_equal(colour[..., 0], colour[..., 1])  # luminance: one channel
    # organic shows orange, metal blue: blue is darker in luminance, so metal reads denser than its brightness
    ratio_organic = colour[20, 20, 0] / grey[20, 20, 0]
    ratio_metal = colour[20, 60, 0] / grey[20, 60, 0]
    assert ratio_metal > ratio_organic
