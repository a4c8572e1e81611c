"""nii inspect / nii detect on DICOS files written by nii.dicos, with a known-boxes detector (tests only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nii.cli import main
from nii.commands import inspect as inspect_cmd
from nii.dicos import write_dx
from tests.nii.test_inspection import KNIFE, PHONE, BoxDetector, declaration, make_scan


@pytest.fixture()
def scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "scans"
    for i, ooi in enumerate(["LXA", "LXB"]):
        write_dx(make_scan(ooi, seed=i + 1), root / ooi)
    (root / "BAD").mkdir()
    (root / "BAD" / "broken.dcm").write_bytes(b"\x00" * 128 + b"DICM" + b"\x02\x00garbage")
    manifest = {
        "manifest_id": "M",
        "source_format": "other",
        "parcels": [json.loads(declaration("LXA").model_dump_json(exclude_none=True))],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    detector = BoxDetector({"LXA": [PHONE], "LXB": [KNIFE]})
    monkeypatch.setattr(inspect_cmd, "_detector", lambda model: detector)
    return root


def test_inspect_json_lines(scans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["inspect", str(scans), "--declarations", str(scans.parent / "manifest.json"), "--json"])
    captured = capsys.readouterr()
    verdicts = [json.loads(line) for line in captured.out.splitlines()]  # stdout holds verdicts only
    by_id = {v["ooi_id"]: v for v in verdicts}
    assert set(by_id) == {"LXA", "LXB"}
    assert by_id["LXA"]["items"][0]["status"] == "matched" and "tax" in by_id["LXA"]
    assert "items" not in by_id["LXB"]  # no declaration
    assert [a["type"] for a in by_id["LXB"]["alerts"]] == ["prohibited_item"]
    assert by_id["LXB"]["risk"]["lane"] == "red"
    assert rc == 1 and "BAD" in captured.err  # the broken parcel is reported, the others inspected


def test_inspect_table_and_detect(scans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["inspect", str(scans / "LXB")])
    out = capsys.readouterr().out
    assert "LXB" in out and "red" in out and "prohibited_item:knife" in out
    assert main(["detect", str(scans / "LXA"), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == {"ooi_id", "scan_uid", "model", "detections", "timing_ms"}
    assert obj["detections"][0]["category"] == "phone"


def test_missing_path_is_an_error_not_a_crash(tmp_path: Path, scans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "nope"), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "nope" in captured.err


def test_bad_declarations_file_fails_cleanly(tmp_path: Path, scans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["inspect", str(scans / "LXA"), "--declarations", str(bad)]) == 1
    assert "line 1 column 2" in capsys.readouterr().err
