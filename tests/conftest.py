"""Shared fixtures. Test data is made by the project's own code (datasets/ simulator, nii writers)."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
