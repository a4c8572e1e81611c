from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nii.errors import ConfigError
from nii.physics.noise import add_quantum_noise
from nii.taxonomy import load_taxonomy
from training import tip as tip_mod
from training.tip import ThreatBank, ThreatProjector, build_bank, estimate_photons, load_or_build_bank

CATS = load_taxonomy().names


def test_bank_renders_library_threats_alone_on_air() -> None:
    bank = build_bank(CATS, ["knife"], 2.0, 3, seed=0)
    assert len(bank) == 3 and set(bank.labels) == {CATS.index("knife")}
    for hi, lo, m in zip(bank.high, bank.low, bank.masks):
        assert hi.shape == lo.shape == m.shape and m.any()
        assert hi[m].sum() > 0.9 * hi.sum()  # the mask holds the object (blurred edges partly outside)
        assert max(hi[0].max(), hi[-1].max(), hi[:, 0].max(), hi[:, -1].max()) < 1e-3  # air around it
        assert lo[m].mean() > hi[m].mean() > 0  # steel attenuates the low energy more
    with pytest.raises(ConfigError, match="not among"):
        build_bank(CATS, ["sword"], 2.0, 1, seed=0)


def test_bank_renders_clutter_negatives_with_their_own_negative_labels() -> None:
    bank = build_bank(CATS, ["knife"], 2.0, 2, seed=0, negatives=["umbrella", "pens"])
    assert bank.labels == [CATS.index("knife")] * 2 + [-1, -1, -2, -2]
    assert all(m.any() for m in bank.masks)
    with pytest.raises(ConfigError, match="not an object kind"):
        build_bank(CATS, ["knife"], 2.0, 1, seed=0, negatives=["sword"])
    with pytest.raises(ConfigError, match="among tip_categories"):
        build_bank(CATS, ["knife"], 2.0, 1, seed=0, negatives=["kitchen_knife"])


def test_negatives_are_another_bank() -> None:
    plain = tip_mod.bank_key(CATS, ["knife"], 2.0, 2, 0)
    assert tip_mod.bank_key(CATS, ["knife"], 2.0, 2, 0, ()) == plain
    assert tip_mod.bank_key(CATS, ["knife"], 2.0, 2, 0, ["pens"]) != plain


def test_bank_is_stored_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_or_build_bank(tmp_path, CATS, ["ammunition"], 2.0, 2, seed=1)
    files = list(tmp_path.glob("tip_*.npz"))
    assert len(files) == 1

    def refuse(*a: object, **k: object) -> ThreatBank:
        raise AssertionError("the stored bank should have been read")

    monkeypatch.setattr(tip_mod, "build_bank", refuse)
    again = load_or_build_bank(tmp_path, CATS, ["ammunition"], 2.0, 2, seed=1)
    assert again.labels == first.labels
    for a, b in zip(first.high, again.high):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(AssertionError):  # other settings are another bank
        load_or_build_bank(tmp_path, CATS, ["ammunition"], 2.0, 2, seed=2)


@pytest.mark.parametrize("clip", [False, True])
def test_photons_are_measured_from_the_air_noise(clip: bool) -> None:
    img = add_quantum_noise(np.zeros((200, 200), np.float32), 1e4, np.random.default_rng(0))
    if clip:
        img = np.maximum(img, 0)  # readers that clip negative attenuation
    assert estimate_photons(img) == pytest.approx(1e4, rel=0.15)
    assert estimate_photons(np.full((50, 50), 2.0, np.float32), default=123.0) == 123.0  # no air


def _toy() -> tuple[np.ndarray, ThreatBank]:
    img = np.zeros((120, 160, 2), np.float32)
    img[20:100, 30:130] = (0.5, 0.7)  # the parcel
    m = np.zeros((12, 24), bool)
    m[1:11, 2:22] = True
    bank = ThreatBank(
        [CATS.index("knife")], [np.where(m, 1.0, 0).astype(np.float32)], [np.where(m, 1.5, 0).astype(np.float32)], [m]
    )
    return img, bank


def test_projector_adds_a_negative_without_a_box() -> None:
    img, bank = _toy()
    neg = ThreatBank([-1], bank.high, bank.low, bank.masks)
    boxes, labels = np.array([[40.0, 30.0, 60.0, 50.0]], np.float32), np.array([CATS.index("phone")])
    out, b, lab = ThreatProjector(neg, p=1.0, max_threats=1)(img, boxes, labels, True, np.random.default_rng(0))
    np.testing.assert_array_equal(b, boxes)
    assert lab.tolist() == [CATS.index("phone")]
    added = out - img
    assert added[..., 0].sum() == pytest.approx(bank.high[0].sum(), rel=0.05)  # the object is in the image


def test_projector_adds_the_threat_on_the_parcel_with_its_box() -> None:
    img, bank = _toy()
    boxes, labels = np.array([[40.0, 30.0, 60.0, 50.0]], np.float32), np.array([CATS.index("phone")])
    proj = ThreatProjector(bank, p=1.0, max_threats=1)
    out, b, lab = proj(img, boxes, labels, True, np.random.default_rng(0))
    assert out.shape == img.shape and len(b) == 2 and lab.tolist() == [CATS.index("phone"), CATS.index("knife")]
    np.testing.assert_array_equal(b[0], boxes[0])
    x1, y1, x2, y2 = b[1].astype(int)
    assert (x2 - x1, y2 - y1) == (20, 10)
    assert 30 <= (x1 + x2) / 2 <= 130 and 20 <= (y1 + y2) / 2 <= 100  # on the parcel
    added = out[y1:y2, x1:x2] - img[y1:y2, x1:x2]
    np.testing.assert_allclose(added.reshape(-1, 2).mean(0), (1.0, 1.5), atol=0.05)  # Beer-Lambert: logs add
    outside = np.ones(img.shape[:2], bool)
    outside[y1:y2, x1:x2] = False
    np.testing.assert_array_equal(out[outside], img[outside])

    single = img.copy()
    single[..., 1] = single[..., 0]
    out1, _, _ = proj(single, boxes, labels, False, np.random.default_rng(1))
    np.testing.assert_array_equal(out1[..., 0], out1[..., 1])  # a single-energy view stays single-energy

    never = ThreatProjector(bank, p=0.0)
    same, b0, l0 = never(img, boxes, labels, True, np.random.default_rng(0))
    assert same is img and len(b0) == 1 and len(l0) == 1


def test_projector_draws_kinds_in_proportion_to_their_weights() -> None:
    img, bank = _toy()
    two = ThreatBank([CATS.index("knife"), -1], bank.high * 2, bank.low * 2, bank.masks * 2)
    boxes, labels = np.zeros((0, 4), np.float32), np.zeros(0, np.int64)

    def knife_share(proj: ThreatProjector) -> float:
        rng = np.random.default_rng(0)
        return float(np.mean([len(proj(img, boxes, labels, True, rng)[2]) for _ in range(400)]))

    assert knife_share(ThreatProjector(two, p=1.0)) == pytest.approx(0.5, abs=0.08)
    assert knife_share(ThreatProjector(two, p=1.0, weights={CATS.index("knife"): 3.0})) == pytest.approx(0.75, abs=0.08)
    assert knife_share(ThreatProjector(two, p=1.0, weights={-1: 3.0})) == pytest.approx(0.25, abs=0.08)
    with pytest.raises(ConfigError, match="does not hold"):
        ThreatProjector(two, p=1.0, weights={CATS.index("firearm"): 2.0})
    with pytest.raises(ConfigError, match="> 0"):
        ThreatProjector(two, p=1.0, weights={-1: 0.0})


def test_recipe_weights_are_keyed_by_bank_label() -> None:
    from training.config import TrainSection
    from training.data import tip_label_weights

    t = TrainSection(
        tip_categories=("firearm", "knife"), tip_negatives=("umbrella", "pens"), tip_weights={"knife": 3, "pens": 0.5}
    )
    assert tip_label_weights(t, CATS) == {CATS.index("knife"): 3.0, -2: 0.5}
    with pytest.raises(ConfigError, match="not in tip_categories"):
        tip_label_weights(TrainSection(tip_weights={"watch": 2}), CATS)
    with pytest.raises(Exception, match="greater than 0"):
        TrainSection(tip_weights={"knife": 0})


def test_side_view_share_of_the_bank() -> None:
    top = build_bank(CATS, ["knife"], 2.0, 4, seed=0)
    side = build_bank(CATS, ["knife"], 2.0, 4, seed=0, side_share=1.0)
    assert all(s.shape[0] < t.shape[0] for s, t in zip(side.masks, top.masks, strict=True))  # flat knives edge-on
    assert build_bank(CATS, ["knife"], 2.0, 4, seed=0, side_share=0.0).masks[0].shape == top.masks[0].shape
    plain = tip_mod.bank_key(CATS, ["knife"], 2.0, 2, 0)
    assert tip_mod.bank_key(CATS, ["knife"], 2.0, 2, 0, (), 0.0) == plain  # older banks keep their key
    assert tip_mod.bank_key(CATS, ["knife"], 2.0, 2, 0, (), 0.25) != plain
