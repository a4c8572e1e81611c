"""Attribute values that break their VR's rules (the Stratovan toolkit's UIDs with leading zeros, long DS):
NII reports them through its own validation mode, one log line per file, and pydicom stays quiet."""

from __future__ import annotations

import itertools
import logging
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydicom import config
from pydicom.dataset import Dataset

from nii.dicos import sop
from nii.errors import InvalidScanError, ValidationMode
from nii.io import read_instance, read_scans
from nii.io.conformance import pydicom_checks_off, uid_problem, value_problem
from tests.nii.helpers import write_toolkit_dx
from tests.nii.io.helpers import hand_dataset, to_bytes, write

PIXELS = np.full((6, 5), 30000, dtype=np.uint16)
_serial = itertools.count(1)


def _bad_uid_bytes(study: str | None = None) -> bytes:
    """A DICOS DX file whose Study, Series and SOP Instance UIDs have a component with leading zeros, as the
    Stratovan toolkit writes them (each call makes new UIDs, so no value is met twice across tests)."""
    n = next(_serial)
    ds = hand_dataset(
        PIXELS, sop_class=sop.DICOS_DX_PROCESSING, dicos=True, ImageType=["ORIGINAL", "PRIMARY", "INTENSITY"]
    )
    values = {
        "StudyInstanceUID": study or f"0019129668.35635.03060.{n}",
        "SeriesInstanceUID": f"1724200979.36480.022466.{n}",
        "SOPInstanceUID": f"0756245268.32452.12854.{n}",
    }
    return _with_values(ds, values, MediaStorageSOPInstanceUID=values["SOPInstanceUID"])


def _with_values(ds: Dataset, values: dict[str, object], **meta: object) -> bytes:
    """The file of ``ds`` with values pydicom would refuse or warn about (made with its checks off)."""
    with config.disable_value_validation():
        # an element keeps the validation mode of its creation: replace it instead of assigning to it
        for target, attrs in ((ds, values), (ds.file_meta, meta)):
            for keyword, value in attrs.items():
                if keyword in target:
                    delattr(target, keyword)
                setattr(target, keyword, value)
        return to_bytes(ds)


def _nii_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "nii.io" and r.levelno >= logging.WARNING]


def _pydicom_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("pydicom")]


def test_warn_logs_one_line_per_file_and_pydicom_stays_quiet(
    caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> None:
    data = _bad_uid_bytes()
    caplog.set_level(logging.DEBUG)
    inst = read_instance(data, name="tk.dcs", mode=ValidationMode.WARN)
    line = (
        "tk.dcs: non-conformant: UI values (StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID): "
        "leading zeros in a component"
    )
    assert _nii_warnings(caplog) == [line]
    assert _pydicom_records(caplog) == []
    assert [str(w.message) for w in recwarn] == []
    assert inst.warnings == [line.removeprefix("tk.dcs: non-conformant: ")]
    assert inst.study_uid.startswith("0019129668.")  # read as written


def test_every_file_of_a_parcel_reports_its_own_values(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The same (remembered) Study Instance UID in a second file is reported again, for that file."""
    study = f"1.2.0826.{next(_serial)}"
    for name in ("a.dcm", "b.dcm"):
        (tmp_path / name).write_bytes(_bad_uid_bytes(study))
    caplog.set_level(logging.WARNING)
    (scan,) = read_scans([tmp_path])
    lines = _nii_warnings(caplog)
    assert [line.split(": ")[0] for line in lines] == [str(tmp_path / "a.dcm"), str(tmp_path / "b.dcm")]
    assert all("StudyInstanceUID" in line for line in lines)
    assert len(scan.metadata["warnings"]) == 2


def test_raise_refuses_naming_the_attribute(recwarn: pytest.WarningsRecorder) -> None:
    data = _bad_uid_bytes()
    with pytest.raises(InvalidScanError) as info:
        read_instance(data, name="tk.dcs", mode=ValidationMode.RAISE)
    message = str(info.value)
    assert message.startswith("tk.dcs: non-conformant: StudyInstanceUID '0019129668.35635.03060.")
    assert "is not a valid UI value: leading zeros in a component" in message
    assert "read with ValidationMode.WARN to accept such files" in message
    assert [str(w.message) for w in recwarn] == []


def test_ignore_logs_nothing(caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder) -> None:
    data = _bad_uid_bytes()
    caplog.set_level(logging.INFO)
    inst = read_instance(data, name="tk.dcs", mode=ValidationMode.IGNORE)
    assert caplog.records == []
    assert [str(w.message) for w in recwarn] == []
    assert len(inst.warnings) == 1  # kept with the instance, like every accepted non-conformance


def test_other_vrs_pydicom_checks_are_reported_the_same_way(
    caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> None:
    values = {"KVP": "160.0000000000001", "InstanceNumber": "1.0", "PatientID": "P" * 70}  # DS of 17 characters
    data = _with_values(hand_dataset(PIXELS), values)
    caplog.set_level(logging.WARNING)
    inst = read_instance(data, name="x.dcm")
    (line,) = _nii_warnings(caplog)
    assert "DS values (KVP): longer than 16 characters" in line
    assert "IS values (InstanceNumber): not an integer" in line
    assert "LO values (PatientID): longer than 64 characters" in line
    assert inst.header.kvp == pytest.approx(160.0) and inst.instance_number == 1
    assert [str(w.message) for w in recwarn] == []
    with pytest.raises(InvalidScanError, match=r"is not a valid (DS|IS|LO) value"):
        read_instance(data, name="x.dcm", mode=ValidationMode.RAISE)


def test_conformant_files_log_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(hand_dataset(PIXELS), tmp_path / "ok.dcm")
    caplog.set_level(logging.WARNING)
    assert read_instance(path, mode=ValidationMode.RAISE).warnings == []
    assert caplog.records == []


@pytest.mark.parametrize("mode", [None, config.WARN, config.RAISE])
def test_pydicom_setting_is_restored(mode: int | None) -> None:
    saved = config.settings._reading_validation_mode
    try:
        config.settings._reading_validation_mode = mode
        inst = read_instance(_bad_uid_bytes(), mode=ValidationMode.WARN)
        assert config.settings._reading_validation_mode == mode
        assert inst.sop_uid.startswith("0756245268.")  # pydicom's RAISE did not refuse the file: NII decides
        with pytest.raises(InvalidScanError):
            read_instance(b"not a scan" * 20)
        assert config.settings._reading_validation_mode == mode
    finally:
        config.settings._reading_validation_mode = saved


def test_nested_and_concurrent_reads_share_one_switch() -> None:
    saved = config.settings._reading_validation_mode
    inside = threading.Barrier(2)
    seen: list[int] = []

    def other() -> None:
        with pydicom_checks_off():
            inside.wait()
            inside.wait()
            seen.append(config.settings.reading_validation_mode)

    thread = threading.Thread(target=other)
    thread.start()
    with pydicom_checks_off():
        inside.wait()
        with pydicom_checks_off():
            pass
        assert config.settings.reading_validation_mode == config.IGNORE  # the inner exit restored nothing
    inside.wait()  # this thread has left; the other is still inside
    thread.join()
    assert seen == [config.IGNORE]
    assert config.settings._reading_validation_mode == saved


@pytest.mark.parametrize(
    ("uid", "problem"),
    [
        ("1.2.840.10008.1.2", None),
        ("0", None),
        ("1.0.2", None),
        ("1.02.3", "leading zeros in a component"),
        ("0019129668.3", "leading zeros in a component"),
        ("1..2", "an empty component"),
        ("1.2.", "an empty component"),
        ("1.2a.3", "characters other than digits and '.'"),
        ("1." + "2" * 63, "65 characters (at most 64)"),
        ("1.01." + "2" * 62, "leading zeros in a component, 67 characters (at most 64)"),
    ],
)
def test_uid_problem(uid: str, problem: str | None) -> None:
    assert uid_problem(uid) == problem


def test_value_problem_checks_each_item_and_skips_unchecked_vrs() -> None:
    from pydicom.multival import MultiValue
    from pydicom.uid import UID

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # making the values must not warn: pydicom's check is off
        with pydicom_checks_off():
            uids: Any = MultiValue(UID, ["1.2.3", "1.02"])
            assert value_problem("UI", uids) == "leading zeros in a component"
    assert value_problem("CS", "lower case") is None
    assert value_problem("US", 70000) is None
    assert value_problem(None, "1.02") is None
    assert value_problem("SH", "S" * 17) == "longer than 16 characters"


@pytest.mark.conformance
def test_toolkit_written_dx_reads_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> None:
    """The Stratovan toolkit's own file (its UIDs have leading zeros), where the toolkit is installed."""
    toolkit: Any = pytest.importorskip("pyDICOS", reason="the Stratovan DICOS toolkit (pydicos) is not installed")
    px = np.random.default_rng(1).integers(20000, 65535, size=(30, 40)).astype(np.uint16)
    path = write_toolkit_dx(toolkit, px, tmp_path / "tk.dcs")
    caplog.set_level(logging.WARNING)
    (scan,) = read_scans([path])
    lines = _nii_warnings(caplog)
    assert len(lines) <= 1 and _pydicom_records(caplog) == []  # the toolkit's UIDs may happen to be valid
    assert all(line.startswith(f"{path}: non-conformant: UI values (") for line in lines)
    assert [str(w.message) for w in recwarn] == []
    assert scan.views[0].energies["intensity"].shape == px.shape
