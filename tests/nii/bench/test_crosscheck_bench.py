from __future__ import annotations

import json

import pytest

from nii.bench.crosscheck import make_batch, run_bench
from nii.cli import main


def test_batch_is_seeded() -> None:
    a, da, ma = make_batch(20, 3)
    b, db, mb = make_batch(20, 3)
    assert a == b and da == db and ma == mb
    assert make_batch(20, 4)[0] != a


def test_bench_reports_parcels_per_second(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_bench(200, 0)
    assert r["parcels"] == 200 and r["parcels_per_s"] > 0 and sum(r["lanes"].values()) == 200
    assert main(["bench", "crosscheck", "--parcels", "50", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parcels"] == 50
