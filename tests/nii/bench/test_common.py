from __future__ import annotations

import json
import time

import pytest

from nii.bench.common import best_of, load_average_1min, report


def test_best_of_reports_the_fastest_run() -> None:
    delays = iter([0.03, 0.001, 0.02])
    assert best_of(lambda: time.sleep(next(delays)), 3) < 0.015
    with pytest.raises(ValueError, match="repeats must be >= 1, got 0"):
        best_of(lambda: None, 0)


def test_load_average_is_a_non_negative_number() -> None:
    assert load_average_1min() >= 0.0


def test_report_json_table_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    result = {"files": 2, "ratio": 1.25}
    report(result, as_json=True, verdict="not printed with --json")
    out, err = capsys.readouterr()
    assert json.loads(out) == result and err == ""
    report(result, as_json=True, indent=2)
    assert capsys.readouterr().out == json.dumps(result, indent=2) + "\n"
    report(result, as_json=False, key_width=8, verdict="1.25x (goal < 1.5x)")
    out, err = capsys.readouterr()
    assert out == "   files: 2\n   ratio: 1.25\n" and err == "1.25x (goal < 1.5x)\n"
    report(result, as_json=False, text="2 files at 1.25x")
    assert capsys.readouterr().out == "2 files at 1.25x\n"
