"""The structure walk over every uncompressed transfer syntax, with sequences (defined and undefined length)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ImplicitVRLittleEndian

from nii.errors import InvalidScanError
from nii.io import ReadLimits, read_instance
from nii.io.base import ReadContext
from nii.io.structure import check_structure, sniff
from tests.nii.io.helpers import hand_dataset


def _with_sequences(depth: int) -> Dataset:
    ds = hand_dataset(np.arange(12, dtype=np.uint16).reshape(3, 4) * 1000)
    item = Dataset()
    item.CodeMeaning = "leaf"
    for _ in range(depth - 1):
        outer = Dataset()
        outer.ContentSequence = [item]
        item = outer
    ds.ContentSequence = [item]
    return ds


@pytest.mark.parametrize(
    "transfer_syntax", [ImplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian]
)
def test_other_transfer_syntaxes_read(transfer_syntax: str) -> None:
    ds = _with_sequences(3)
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    if transfer_syntax == ExplicitVRBigEndian:  # raw pixel bytes are written as given: give them big endian
        ds.PixelData = (np.arange(12, dtype=np.uint16) * 1000).astype(">u2").tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    inst = read_instance(buf.getvalue())
    np.testing.assert_allclose(
        inst.image, -np.log(np.maximum(np.arange(12).reshape(3, 4) * 1000, 1) / 65535), atol=1e-5
    )
    with pytest.raises(InvalidScanError, match="nested deeper than 2"):
        read_instance(buf.getvalue(), limits=ReadLimits(max_depth=2))


def test_inflated_size_is_capped() -> None:
    ds = hand_dataset(np.zeros((200, 200), dtype=np.uint16))  # 80 kB of zeros deflate to almost nothing
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    assert len(buf.getvalue()) < 5000
    with pytest.raises(InvalidScanError, match="inflates past the limit of 20000 bytes"):
        check_structure(buf.getvalue(), ReadContext("zip.dcm", limits=ReadLimits(max_bytes=20000)))


def test_sniff() -> None:
    assert sniff(b"\x00" * 128 + b"DICM") == "dicom"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff(b"II*\x00") == "tiff" and sniff(b"MM\x00*") == "tiff"
    assert sniff(b"GIF89a") is None
