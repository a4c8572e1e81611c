from __future__ import annotations

import json

import pytest

from nii.cli import main


def test_classify_description_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify-description", "--json", "phone case", "Men's cotton T-shirt", "gift"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["category"] for x in lines] == [None, "clothing", None]
    assert [x["vague"] for x in lines] == [False, False, True]
    assert all(set(x) == {"text", "category", "hs6", "confidence", "vague"} for x in lines)


def test_classify_description_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify-description", "running shoes"]) == 0
    out = capsys.readouterr().out
    assert "shoes" in out and "640411" in out
