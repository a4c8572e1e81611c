from __future__ import annotations

from pathlib import Path

import pytest

from nii.errors import ConfigError
from training.cli import parse_overrides
from training.config import load_config

RECIPE = Path(__file__).resolve().parents[2] / "configs" / "train" / "nii_det.yaml"


def test_overrides_nest_and_parse_yaml_values() -> None:
    got = parse_overrides(["train.max_minutes=20", "train.crop=[256, 256]", "model.init_from=runs/a/best.pt"])
    assert got == {"train": {"max_minutes": 20, "crop": [256, 256]}, "model": {"init_from": "runs/a/best.pt"}}
    cfg = load_config(RECIPE, got)
    assert cfg.train.max_minutes == 20 and cfg.train.crop == (256, 256) and cfg.model.init_from == "runs/a/best.pt"


@pytest.mark.parametrize("bad", ["train.epochs", "=3", "train..epochs=3", "train.crop=[1,"])
def test_malformed_overrides_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="--set"):
        parse_overrides([bad])


def test_unknown_field_is_named() -> None:
    with pytest.raises(ConfigError, match="no_such_field"):
        load_config(RECIPE, parse_overrides(["train.no_such_field=1"]))
