"""nii.io.dicom: the parse that leaves uncompressed pixel data in the file's bytes, and attribute reading."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from nii.errors import UnsupportedScanError
from nii.io import dicom, read_instance
from nii.io.base import ReadContext
from nii.io.structure import check_structure
from tests.nii.io.helpers import hand_dataset, to_bytes

PIXELS = np.arange(12, dtype=np.uint16).reshape(3, 4) * 1000


@pytest.mark.parametrize("transfer_syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian])
def test_parse_agrees_with_pydicom_and_keeps_pixels_in_place(transfer_syntax: str) -> None:
    ds = hand_dataset(PIXELS, PixelSpacing=[0.5, 0.25], InstitutionName="Port of Hamburg")
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    data = to_bytes(ds)
    parsed = dicom.parse(data, ReadContext("t"))
    reference = pydicom.dcmread(io.BytesIO(data))
    assert [e.tag for e in parsed] == [e.tag for e in reference]
    for elem in reference:
        if elem.keyword != "PixelData":
            assert parsed[elem.tag].value == elem.value, elem.keyword
    pixel_data = parsed.PixelData
    assert isinstance(pixel_data, memoryview) and pixel_data.obj is data  # a view, not a copy
    assert bytes(pixel_data) == reference.PixelData


def test_structure_locates_the_pixel_data() -> None:
    data = to_bytes(hand_dataset(PIXELS))
    structure = check_structure(data, ReadContext("t"))
    (element,) = structure.pixels
    assert element.tag == 0x7FE00010 and element.vr == "OW" and element.length == PIXELS.nbytes
    assert data[element.value : element.value + PIXELS.nbytes] == PIXELS.astype("<u2").tobytes()


def test_elements_after_the_pixel_data_do_not_disturb_reading() -> None:
    ds = hand_dataset(PIXELS)
    ds.add_new(0xFFFCFFFC, "OB", b"\x00" * 8)  # Data Set Trailing Padding
    inst = read_instance(to_bytes(ds))
    np.testing.assert_allclose(inst.image, -np.log(np.maximum(PIXELS, 1) / 65535), atol=1e-6)


def test_floating_point_pixels_are_unsupported() -> None:
    ds = hand_dataset(PIXELS, PixelData=None)
    ds.FloatPixelData = np.zeros(12, dtype="<f4").tobytes()
    with pytest.raises(UnsupportedScanError, match="FloatPixelData"):
        read_instance(to_bytes(ds))


def test_attribute_values_agree_with_pydicom_and_are_not_shared_when_mutable() -> None:
    ctx = ReadContext("t")
    data = to_bytes(hand_dataset(PIXELS, PixelSpacing=[0.5, 0.25], KVP="160"))
    first, second = dicom.parse(data, ctx), dicom.parse(data, ctx)
    reference = pydicom.dcmread(io.BytesIO(data))
    for keyword in ("Rows", "BitsAllocated", "PatientID", "StationName", "SOPClassUID", "KVP", "ImageType"):
        assert dicom.get(first, keyword, ctx) == reference.get(keyword), keyword
        assert dicom.get(second, keyword, ctx) == reference.get(keyword), keyword
    spacing = dicom.get(first, "PixelSpacing", ctx)
    spacing[0] = 9.0
    assert dicom.get(second, "PixelSpacing", ctx) == [0.5, 0.25]


def test_remembered_text_values_respect_the_character_set() -> None:
    ctx = ReadContext("t")
    latin1 = to_bytes(hand_dataset(PIXELS, SpecificCharacterSet="ISO_IR 100", StationName="Zöll"))
    cyrillic = latin1.replace(b"ISO_IR 100", b"ISO_IR 144")  # the same bytes, another character set
    for data in (latin1, cyrillic, latin1):
        expected = pydicom.dcmread(io.BytesIO(data)).StationName
        assert dicom.get(dicom.parse(data, ctx), "StationName", ctx) == expected
    assert pydicom.dcmread(io.BytesIO(latin1)).StationName != pydicom.dcmread(io.BytesIO(cyrillic)).StationName
