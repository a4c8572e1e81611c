"""The generator config: defaults load, overrides apply, bad values are refused with a message naming them."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.sim.config import load_config
from nii.errors import ConfigError


def test_default_config_loads_and_overrides_apply() -> None:
    cfg = load_config(overrides={"scanner.single_energy_share": 0.5})
    assert cfg.scanner.single_energy_share == 0.5
    assert set(cfg.parcel.category_weights) == {
        "firearm",
        "knife",
        "ammunition",
        "narcotics_packet",
        "cigarettes",
        "banknotes",
        "lithium_battery",
        "phone",
        "laptop",
        "watch",
        "shoes",
        "clothing",
        "book",
        "bottle",
        "toy",
        "tool",
    }


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("scanner: {single_energy_share: 1.5}", "single_energy_share"),
        ("scanner: {pixel_spacing_mm: [2.0, 1.0]}", "pixel_spacing_mm"),
        ("parcel: {category_weights: {kitten: 1.0}}", "kitten"),
        ("declarations: {rates: {fraud: 0.1}}", "fraud"),
        ("scanner: {colour: red}", "colour"),
    ],
)
def test_bad_config_is_refused(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle):
        load_config(path)
