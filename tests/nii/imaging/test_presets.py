from __future__ import annotations

import numpy as np
import pytest

import nii.imaging
from nii.errors import NIIError
from nii.imaging import COLOUR_MODES, PRESETS, render
from nii.imaging.accuracy import thickness_for_attenuation
from nii.physics.phantom import Phantom
from nii.scan import View

EXPECTED_MODES = {
    "dual_energy", "grey", "inverse", "high_penetration", "low_penetration", "edge", "organic_strip",
    "inorganic_strip",
}  # fmt: skip


@pytest.fixture(scope="module")
def view() -> View:
    ph = Phantom((60, 200))
    for i, name in enumerate(("cotton", "aluminium", "steel")):
        ph.box(name, thickness_for_attenuation(name, 1.0), (10, 50), (10 + 60 * i, 60 + 60 * i))
    return ph.view(rng=np.random.default_rng(0))


def test_registry_holds_every_mode() -> None:
    assert set(PRESETS.names()) == EXPECTED_MODES
    assert nii.imaging.render is render


@pytest.mark.parametrize("mode", sorted(EXPECTED_MODES))
def test_every_mode_renders_rgb_uint8(view: View, mode: str) -> None:
    img = render(view, mode)
    assert img.dtype == np.uint8 and img.shape == (60, 200, 3)


def test_dual_energy_colours_by_material_class(view: View) -> None:
    img = render(view, "dual_energy").astype(int)
    organic, inorganic, metal = (img[20:40, 20 + 60 * i : 50 + 60 * i].reshape(-1, 3).mean(0) for i in range(3))
    assert organic[0] > organic[1] > organic[2]  # orange
    assert inorganic[1] > max(inorganic[0], inorganic[2])  # green
    assert metal[2] > max(metal[0], metal[1])  # blue
    assert np.all(img[2, 2] >= 250)  # air is white


def test_brightness_falls_with_attenuation() -> None:
    ph = Phantom((20, 60))
    ph.box("water", thickness_for_attenuation("water", 0.5), (0, 20), (0, 20))
    ph.box("water", thickness_for_attenuation("water", 3.0), (0, 20), (40, 60))
    v = ph.view()
    for mode in ("dual_energy", "grey"):
        img = render(v, mode).astype(int).sum(axis=2)
        assert img[10, 10] > img[10, 50] + 100, mode
    inv = render(v, "inverse").astype(int)
    np.testing.assert_array_less(np.abs(inv + render(v, "grey").astype(int) - 255), 2)


def test_penetration_windows() -> None:
    ph = Phantom((20, 60))
    ph.box("steel", thickness_for_attenuation("steel", 3.0), (0, 20), (0, 20))
    ph.box("steel", thickness_for_attenuation("steel", 5.0), (0, 20), (20, 40))
    ph.box("paper", thickness_for_attenuation("paper", 0.2), (0, 20), (40, 60))
    v = ph.view()
    high = render(v, "high_penetration")[10, [10, 30, 50], 0].astype(int)
    low = render(v, "low_penetration")[10, [10, 30, 50], 0].astype(int)
    assert high[0] - high[1] > 20 and high[2] > 240  # dense detail separated, thin paper washed out
    assert low[0] == low[1] == 0 and low[2] < 230  # dense black, thin paper visible


def test_edge_mode_overshoots_at_a_step() -> None:
    ph = Phantom((10, 40))
    ph.box("aluminium", 10.0, (0, 10), (20, 40))
    v = ph.view()
    grey = render(v, "grey")[5, :, 0].astype(int)
    edge = render(v, "edge")[5, :, 0].astype(int)
    assert edge[21] < grey[21] and edge[18] >= grey[18]


def test_stripping_keeps_one_side_coloured(view: View) -> None:
    def saturation(img: np.ndarray, i: int) -> float:
        block = img[20:40, 20 + 60 * i : 50 + 60 * i].astype(int)
        return float((block.max(axis=2) - block.min(axis=2)).mean())

    o_strip = render(view, "organic_strip")
    i_strip = render(view, "inorganic_strip")
    assert saturation(o_strip, 0) < 5 and saturation(o_strip, 1) > 40 and saturation(o_strip, 2) > 40
    assert saturation(i_strip, 0) > 40 and saturation(i_strip, 1) < 5 and saturation(i_strip, 2) < 5


def test_single_energy_views_render_grey_and_refuse_colour() -> None:
    v = View({"intensity": np.linspace(0, 5, 200, dtype=np.float32).reshape(10, 20)})
    for mode in sorted(EXPECTED_MODES - COLOUR_MODES):
        assert render(v, mode).shape == (10, 20, 3)
    for mode in sorted(COLOUR_MODES):
        with pytest.raises(NIIError, match="no material information"):
            render(v, mode)


def test_unknown_mode_raises() -> None:
    with pytest.raises(NIIError, match="unknown render mode 'sepia'"):
        render(View({"intensity": np.zeros((2, 2), dtype=np.float32)}), "sepia")
