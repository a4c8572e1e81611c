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
