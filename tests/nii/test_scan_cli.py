"""``nii scan info`` / ``nii scan render`` and ``nii bench read`` end to end, on files the project writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nii.bench.read import generate, measure
from nii.cli import main
from nii.commands.scan import RENDER_MODES
from nii.dicos import write_dx
from tests.nii.helpers import make_scan


@pytest.fixture
def parcel(tmp_path: Path) -> Path:
    folder = tmp_path / "parcel"
    write_dx(make_scan(np.random.default_rng(0), views=2, ooi_id="LX42"), folder)
    return folder


def test_info_prints_one_json_object_per_parcel(
    tmp_path: Path, parcel: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dx(make_scan(np.random.default_rng(1), views=1, dual_energy=False, ooi_id="LX43"), tmp_path / "other")
    assert main(["scan", "info", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    infos = {json.loads(line)["ooi_id"]: json.loads(line) for line in lines}
    assert set(infos) == {"LX42", "LX43"}
    assert infos["LX42"]["dual_energy"] is True and len(infos["LX42"]["views"]) == 2
    assert infos["LX42"]["views"][0]["energies"] == ["high", "low"]
    assert infos["LX43"]["source_format"] == "dicos-dx" and infos["LX43"]["machine_id"] == "BELT-07"


@pytest.mark.parametrize("mode", ["dual_energy", "grey"])
def test_render_writes_png(tmp_path: Path, parcel: Path, mode: str) -> None:
    out = tmp_path / "out" / "view.png"
    assert main(["scan", "render", str(parcel), "--mode", mode, "-o", str(out), "--view", "1"]) == 0
    with Image.open(out) as im:
        assert im.size == (30, 39) and im.mode == "RGB"  # view 1 has one row fewer


def test_errors_exit_1_with_reason(tmp_path: Path, parcel: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"not dicom at all" * 20)
    assert main(["scan", "info", str(bad)]) == 1
    assert "nii scan: error: " in capsys.readouterr().err
    assert main(["scan", "render", str(parcel), "-o", str(tmp_path / "x.png"), "--view", "7"]) == 1
    assert "view 7 does not exist" in capsys.readouterr().err
    assert main(["scan", "render", str(parcel), "--mode", "nope", "-o", str(tmp_path / "x.png")]) == 1
    assert "unknown render mode 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_colour_mode_on_single_energy_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_dx(make_scan(np.random.default_rng(2), views=1, dual_energy=False), tmp_path / "se")
    assert main(["scan", "render", str(tmp_path / "se"), "--mode", "dual_energy", "-o", str(tmp_path / "y.png")]) == 1
    assert "material information" in capsys.readouterr().err


def test_help_lists_every_render_preset() -> None:
    from nii.imaging import PRESETS

    assert sorted(RENDER_MODES) == sorted(PRESETS.names())


@pytest.mark.parametrize(
    "args", [["scan", "--help"], ["scan", "info", "--help"], ["scan", "render", "--help"], ["bench", "read", "--help"]]
)
def test_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0 and "usage: nii" in capsys.readouterr().out


def test_bench_read_measures_both_readers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = generate(tmp_path, 3, shape=(60, 40))
    assert len(files) == 3
    result = measure(files, repeats=1)
    assert result["files"] == 3 and float(result["ratio"]) > 0  # type: ignore[arg-type]
    assert main(["bench", "read", str(tmp_path), "--files", "2", "--repeats", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["files"] == 2 and out["nii_files_per_s"] > 0
