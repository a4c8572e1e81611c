"""Bad input: every failure is an InvalidScanError / UnsupportedScanError naming the file and the reason."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import JPEG2000Lossless, JPEGLosslessSV1, RLELossless

from nii.dicos import write_dx
from nii.errors import InvalidScanError, UnsupportedScanError
from nii.io import ReadLimits, read_instance, read_scans
from tests.nii.helpers import make_scan
from tests.nii.io.helpers import PYDICOM_TEST_FILES, hand_dataset, to_bytes


@pytest.fixture
def dx_bytes() -> bytes:
    return to_bytes(hand_dataset(np.full((20, 16), 30000, dtype=np.uint16)))


def test_non_dicom_bytes_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "parcel.dcm"
    path.write_bytes(b"%PDF-1.7 this is not an X-ray scan" * 10)
    with pytest.raises(InvalidScanError, match=r"parcel\.dcm: not a DICOM Part 10 file"):
        read_scans([path])


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.dcm").write_bytes(b"")
    with pytest.raises(InvalidScanError, match="empty file"):
        read_instance(tmp_path / "empty.dcm")


def test_raw_dataset_without_preamble_is_refused(dx_bytes: bytes) -> None:
    with pytest.raises(InvalidScanError, match="no 'DICM'"):
        read_instance(dx_bytes[132:])


@pytest.mark.parametrize("keep", [200, 400, -7, -1])
def test_truncated_files(dx_bytes: bytes, keep: int) -> None:
    with pytest.raises(InvalidScanError, match="truncated"):
        read_instance(dx_bytes[:keep], name="cut.dcm")


def test_unknown_sop_class() -> None:
    with pytest.raises(UnsupportedScanError, match=r"unsupported SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.4 \(MR"):
        read_instance(PYDICOM_TEST_FILES / "MR_small.dcm")


def test_missing_pixel_data() -> None:
    ds = hand_dataset(np.zeros((4, 4), dtype=np.uint16))
    del ds.PixelData
    with pytest.raises(InvalidScanError, match=r"missing pixel data \(7FE0,0010\)"):
        read_instance(to_bytes(ds))


def test_absurd_dimensions_are_capped_before_decoding() -> None:
    ds = hand_dataset(np.zeros((4, 4), dtype=np.uint16), Rows=65535, Columns=65535)
    with pytest.raises(InvalidScanError, match="4294836225 pixels exceeds the limit of 50000000"):
        read_instance(to_bytes(ds))


def test_pixel_cap_is_configurable(dx_bytes: bytes) -> None:
    with pytest.raises(InvalidScanError, match="exceeds the limit of 100"):
        read_instance(dx_bytes, limits=ReadLimits(max_pixels=100))
    assert read_instance(dx_bytes, limits=ReadLimits(max_pixels=320)).image.shape == (20, 16)


def test_rows_columns_disagree_with_pixel_data_length() -> None:
    ds = hand_dataset(np.zeros((4, 4), dtype=np.uint16), Rows=8)
    with pytest.raises(InvalidScanError, match=r"pixel data holds 32 bytes; .* \(8 x 4 x 1 x 1\) at 16 bits needs 64"):
        read_instance(to_bytes(ds))


@pytest.mark.parametrize(
    ("attrs", "error", "message"),
    [
        ({"BitsAllocated": 12}, UnsupportedScanError, "BitsAllocated 12"),
        ({"BitsStored": 17}, InvalidScanError, "BitsStored 17"),
        ({"SamplesPerPixel": 2}, InvalidScanError, "SamplesPerPixel 2"),
        ({"PixelRepresentation": 3}, InvalidScanError, "PixelRepresentation 3"),
        ({"Rows": 0}, InvalidScanError, "0 x 4 pixels"),
        ({"PhotometricInterpretation": "PALETTE COLOR"}, UnsupportedScanError, "PALETTE COLOR"),
        ({"RescaleSlope": "0"}, InvalidScanError, "Rescale Slope is 0"),
        ({"Columns": None}, InvalidScanError, "missing Columns"),
        ({"StudyInstanceUID": None}, InvalidScanError, "missing StudyInstanceUID"),
    ],
)
def test_bad_image_pixel_module(attrs: dict[str, object], error: type[Exception], message: str) -> None:
    ds = hand_dataset(np.zeros((4, 4), dtype=np.uint16), **attrs)
    with pytest.raises(error, match=message):
        read_instance(to_bytes(ds), name="bad.dcm")


def _nested_sequences(depth: int) -> bytes:
    """A DX file whose dataset ends with sequences nested ``depth`` deep (undefined lengths)."""
    base = to_bytes(hand_dataset(np.zeros((2, 2), dtype=np.uint16)))
    opening = struct.pack("<HH2sHL", 0x0040, 0xA730, b"SQ", 0, 0xFFFFFFFF) + struct.pack(
        "<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF
    )
    closing = struct.pack("<HHL", 0xFFFE, 0xE00D, 0) + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    return base + opening * depth + closing * depth


def test_pathological_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidScanError, match="sequences nested deeper than 12 levels"):
        read_instance(_nested_sequences(20_000))


def test_moderate_nesting_reads() -> None:
    inst = read_instance(_nested_sequences(5))
    assert inst.image.shape == (2, 2)
    with pytest.raises(InvalidScanError, match="nested deeper than 4"):
        read_instance(_nested_sequences(5), limits=ReadLimits(max_depth=4))


def test_sequence_delimiters_out_of_place(dx_bytes: bytes) -> None:
    with pytest.raises(InvalidScanError, match="unexpected sequence delimiter"):
        read_instance(dx_bytes + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0))
    with pytest.raises(InvalidScanError, match="outside a sequence"):
        read_instance(dx_bytes + struct.pack("<HHL", 0xFFFE, 0xE000, 0))


def test_too_many_elements(dx_bytes: bytes) -> None:
    with pytest.raises(InvalidScanError, match="more than 10 data elements"):
        read_instance(dx_bytes, limits=ReadLimits(max_elements=10))


def test_file_size_cap(tmp_path: Path, dx_bytes: bytes) -> None:
    (tmp_path / "a.dcm").write_bytes(dx_bytes)
    with pytest.raises(InvalidScanError, match="the limit is 100"):
        read_instance(tmp_path / "a.dcm", limits=ReadLimits(max_bytes=100))


@pytest.mark.parametrize("transfer_syntax", [JPEGLosslessSV1, RLELossless])
def test_corrupt_compressed_pixel_data(tmp_path: Path, transfer_syntax: str) -> None:
    (path, _) = write_dx(make_scan(np.random.default_rng(3), views=1), tmp_path, transfer_syntax=transfer_syntax)
    data = bytearray(path.read_bytes())
    start = len(data) - 300
    data[start : start + 200] = bytes(200)  # zero a run of the compressed stream
    try:
        inst = read_instance(bytes(data))
    except InvalidScanError:
        return  # the decoder noticed
    assert inst.image.shape == (40, 30)  # or decoded garbage of the right shape, never another exception


def test_compressed_without_or_with_failing_decoder() -> None:
    ds = hand_dataset(np.zeros((4, 4), dtype=np.uint16))
    ds.PixelData = encapsulate([b"\x00" * 16])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless
    with pytest.raises(InvalidScanError, match=r"JPEG 2000|no readable frame header"):
        read_instance(to_bytes(ds))


def test_folder_error_names_the_file(tmp_path: Path, dx_bytes: bytes) -> None:
    (tmp_path / "good.dcm").write_bytes(dx_bytes)
    (tmp_path / "broken.dcm").write_bytes(dx_bytes[:-50])
    with pytest.raises(InvalidScanError, match=r"broken\.dcm: truncated"):
        read_scans([tmp_path])


def test_jpeg_frame_header_must_agree_with_rows_columns(tmp_path: Path) -> None:
    """Found by fuzzing: decoders allocate what the JPEG header says (here 60,000 x 20), not Rows x Columns."""
    (path, _) = write_dx(make_scan(np.random.default_rng(4), views=1), tmp_path, transfer_syntax=JPEGLosslessSV1)
    data = bytearray(path.read_bytes())
    sof = data.index(b"\xff\xc3")
    assert struct.unpack_from(">HH", data, sof + 5) == (40, 30)
    struct.pack_into(">H", data, sof + 5, 60000)
    with pytest.raises(InvalidScanError, match="frame 1 declares 60000 x 30 pixels; Rows x Columns say 40 x 30"):
        read_instance(bytes(data))


@pytest.mark.parametrize(
    ("transfer_syntax", "message"), [(RLELossless, "at most 64x expansion"), (JPEGLosslessSV1, "JPEG Lossless data of")]
)
def test_decompression_bombs_are_refused(tmp_path: Path, transfer_syntax: str, message: str) -> None:
    """A few kB of compressed data that claim 7,000 x 7,000 pixels (within the pixel cap) are refused unread."""
    (path, _) = write_dx(make_scan(np.random.default_rng(5), views=1), tmp_path, transfer_syntax=transfer_syntax)
    bomb = bytearray(path.read_bytes())
    for tag in (b"\x28\x00\x10\x00US\x02\x00", b"\x28\x00\x11\x00US\x02\x00"):  # Rows, Columns
        struct.pack_into("<H", bomb, bomb.index(tag) + 8, 7000)
    bomb = bytes(bomb)
    with pytest.raises(InvalidScanError, match=message):
        read_instance(bomb)
