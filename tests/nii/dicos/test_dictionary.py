from __future__ import annotations

from io import BytesIO

import pydicom
from pydicom.datadict import DicomDictionary, dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ImplicitVRLittleEndian, generate_uid

from nii.dicos import sop
from nii.dicos.dictionary import (
    DICOS_ENTRIES,
    DICOS_VERSION,
    TAG_EFFECTIVE_ENERGY,
    TAG_META_DICOS_VERSION,
    TAG_SERIES_VIEW,
    ensure_dicos_dictionary,
)


def test_entries_are_added_and_idempotent() -> None:
    ensure_dicos_dictionary()
    before = dict(DicomDictionary)
    ensure_dicos_dictionary()
    assert dict(DicomDictionary) == before
    for tag, (vr, _vm, _name, _ret, keyword) in DICOS_ENTRIES.items():
        assert dictionary_VR(tag) == vr
        assert keyword_for_tag(tag) == keyword
    # pydicom's own DICOS keyword keeps its tag
    assert tag_for_keyword("DICOSVersion") == 0x4010103A
    assert tag_for_keyword("MetaDICOSVersion") == TAG_META_DICOS_VERSION


def test_dicos_elements_survive_an_implicit_vr_round_trip() -> None:
    """Implicit VR files carry no VR: only the dictionary lets pydicom give these elements their type back."""
    ensure_dicos_dictionary()
    ds = Dataset()
    ds.SOPClassUID = sop.DICOS_DX_PROCESSING
    ds.SOPInstanceUID = generate_uid()
    ds.EffectiveEnergy = 87.5
    ds.SeriesView = 2
    ds.CoordinateSystem = "RCS"
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.file_meta.MetaDICOSVersion = DICOS_VERSION
    buf = BytesIO()
    ds.save_as(buf, implicit_vr=True, little_endian=True, enforce_file_format=True)
    back = pydicom.dcmread(BytesIO(buf.getvalue()))
    assert back.file_meta[TAG_META_DICOS_VERSION].value == "V03"
    assert back.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    assert back[TAG_EFFECTIVE_ENERGY].VR == "FL"
    assert abs(back.EffectiveEnergy - 87.5) < 1e-6
    assert back[TAG_SERIES_VIEW].value == 2
    assert back.CoordinateSystem == "RCS"


def test_sop_classes_are_named_by_pydicom() -> None:
    assert "Threat Detection Report" in sop.DICOS_TDR.name
    assert "For Processing" in sop.DICOS_DX_PROCESSING.name
    assert sop.DICOS_DX_CLASSES <= sop.DICOS_STORAGE_CLASSES
    assert len(sop.DICOS_STORAGE_CLASSES) == 6
