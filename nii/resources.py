"""Where the project's shipped data lives: ``configs/`` (YAML, tables) and ``nii/data`` (reference data)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from nii.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"


def configs_dir() -> Path:
    """The configs folder: ``NII_CONFIGS_DIR`` if set, else ``configs/`` beside the packages."""
    env = os.environ.get("NII_CONFIGS_DIR")
    path = Path(env) if env else REPO_ROOT / "configs"
    if not path.is_dir():
        raise ConfigError(f"configs folder not found at {path}; set NII_CONFIGS_DIR to the project's configs/")
    return path


def config_path(name: str) -> Path:
    """Path of a file under configs/, e.g. ``config_path('taxonomy.yaml')``; raises if it does not exist."""
    path = configs_dir() / name
    if not path.is_file():
        raise ConfigError(f"config file {name!r} not found in {path.parent}")
    return path


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """The parsed YAML document at ``path`` (safe loader; None for an empty file); OSError and yaml.YAMLError
    propagate unchanged."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def data_path(name: str) -> Path:
    """Path of a shipped reference file under nii/data (HS nomenclature, manifest schema, ...)."""
    path = DATA_DIR / name
    if not path.exists():
        raise ConfigError(f"reference data {name!r} not found in {DATA_DIR}")
    return path
