"""Fixtures of the DICOS writer tests; scans come from :func:`tests.nii.helpers.make_scan`."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240501)
