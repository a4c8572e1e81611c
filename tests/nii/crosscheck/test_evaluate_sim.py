"""Alert quality on a small batch of the simulator (datasets.sim), ground-truth detections and masses.

The full measurement (hundreds of parcels) is documented in docs/crosscheck.md; this test keeps a floor on a
small batch so that a regression of the cross-check or of the simulator's declarations shows up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nii.crosscheck import CrossChecker, load_crosscheck_config
from nii.crosscheck.evaluate import evaluate_alerts, exact_counts

sim = pytest.importorskip("datasets.sim.batch")


@pytest.mark.slow
def test_alerts_on_a_simulated_batch(tmp_path: Path) -> None:
    from datasets.sim.config import load_config

    sim.generate_batch(16, 3, tmp_path / "sim", load_config(), progress=False)
    checker = CrossChecker(config=exact_counts(load_crosscheck_config()))
    ev = evaluate_alerts(tmp_path / "sim", checker=checker, mass_source="truth")
    assert ev.parcels == 16 and not ev.errors and ev.missing_declarations == 0
    expected = sum(s.tp + s.fn for s in ev.per_type.values())
    assert expected > 0
    tp = sum(s.tp for s in ev.per_type.values())
    fp = sum(s.fp for s in ev.per_type.values())
    assert tp / expected >= 0.8 and tp / (tp + fp) >= 0.8  # pooled recall and precision
    assert ev.per_type["prohibited_item"].f1 == 1.0
