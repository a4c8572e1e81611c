"""DICOS (NEMA IIC 1 v03) data elements that pydicom 3's DICOM dictionary lacks.

DICOS reuses the DICOM data dictionary and adds a handful of elements of its own. Without them pydicom reads
those elements as ``UN`` (implicit VR files) and cannot set them by keyword. :func:`ensure_dicos_dictionary`
adds them once per process; readers and writers call it before touching a DICOS file.

Tags, VRs and names follow the Stratovan DICOS toolkit's tag table (the toolkit that writes and checks DICOS
files). Elements whose DICOS meaning clashes with a DICOM element of the same tag (e.g. (0008,0118) DICOS
"Image Origin" vs DICOM "Mapping Resource UID") are left as DICOM defines them.

Keywords are chosen not to collide with pydicom's: the file meta "DICOS Version" (0002,0004) is
``MetaDICOSVersion`` because ``DICOSVersion`` already names the SOP common element (4010,103A).
"""

from __future__ import annotations

import threading

from pydicom.datadict import DicomDictionary, add_dict_entries

# Tag constants for the elements that readers and writers use most.
TAG_META_DICOS_VERSION = 0x00020004
TAG_COORDINATE_SYSTEM = 0x00082108
TAG_EFFECTIVE_ENERGY = 0x43000902
TAG_SERIES_VIEW = 0x61000024
TAG_SERIES_VIEW_DESCRIPTION = 0x61000026
TAG_NUMBER_OF_VIEWS_IN_SCAN = 0x61000028
TAG_SERIES_ENERGY = 0x61000030
TAG_SERIES_ENERGY_DESCRIPTION = 0x61000031
TAG_NUMBER_OF_ENERGIES_IN_SCAN = 0x61000032
TAG_IMAGE_ORIGIN = 0x00080118
"""DICOS "Image Origin" (CS, e.g. ``MACHINE``); DICOM's dictionary has "Mapping Resource UID" (UI) at this tag,
so it is written with an explicit VR and not added to the dictionary."""

DICOS_VERSION = "V03"
"""The value of (0002,0004) that the Stratovan toolkit's reader requires."""

# tag -> (VR, VM, name, retired flag, keyword), the layout of pydicom's DicomDictionary.
DICOS_ENTRIES: dict[int, tuple[str, str, str, str, str]] = {
    TAG_META_DICOS_VERSION: ("CS", "1", "DICOS Version (File Meta)", "", "MetaDICOSVersion"),
    TAG_COORDINATE_SYSTEM: ("CS", "1", "Coordinate System", "", "CoordinateSystem"),
    TAG_EFFECTIVE_ENERGY: ("FL", "1", "Effective Energy", "", "EffectiveEnergy"),
    # Series-level view and energy bookkeeping (DICOS "Series View", "Series Energy", ...).
    TAG_SERIES_VIEW: ("US", "1", "Series View", "", "SeriesView"),
    TAG_SERIES_VIEW_DESCRIPTION: ("LO", "1", "Series View Description", "", "SeriesViewDescription"),
    TAG_NUMBER_OF_VIEWS_IN_SCAN: ("US", "1", "Number of Views in Scan", "", "NumberOfViewsInScan"),
    TAG_SERIES_ENERGY: ("US", "1", "Series Energy", "", "SeriesEnergy"),
    TAG_SERIES_ENERGY_DESCRIPTION: ("LO", "1", "Series Energy Description", "", "SeriesEnergyDescription"),
    TAG_NUMBER_OF_ENERGIES_IN_SCAN: ("US", "1", "Number of Energies in Scan", "", "NumberOfEnergiesInScan"),
    # DX detector module (energy bins of photon-counting detectors).
    0x40100003: ("SL", "1", "Bin Number", "", "BinNumber"),
    0x40100005: ("SL", "1", "Lower Energy", "", "LowerEnergy"),
    0x40100006: ("SL", "1", "Energy Resolution", "", "EnergyResolution"),
    0x40100007: ("SL", "1", "Higher Energy", "", "HigherEnergy"),
    # Object of inspection and TDR extras.
    0x00600022: ("LT", "1", "Bag Description", "", "BagDescription"),
    0x40101022: ("SS", "1", "OOI Owner Risk Score", "", "OOIOwnerRiskScore"),
    0x40101080: ("DT", "1", "PTO Processing Start Time", "", "PTOProcessingStartTime"),
    0x40101081: ("DT", "1", "PTO Processing End Time", "", "PTOProcessingEndTime"),
    0x40101082: ("FL", "1", "PTO Total Processing Time", "", "PTOTotalProcessingTime"),
    0x40101147: ("CS", "1", "Bounding Box Resolution", "", "BoundingBoxResolution"),
    0x40101149: ("LT", "1", "Aggregated Method for Bounding Box", "", "AggregatedMethodForBoundingBox"),
    0x40101247: ("CS", "1", "ROI Resolution", "", "ROIResolution"),
    0x40101249: ("LT", "1", "Aggregated Method of ROI Resolution", "", "AggregatedMethodOfROIResolution"),
    0x61008000: ("FL", "1", "Rho", "", "Rho"),
    0x61008002: ("FL", "1", "Zeff Alternative", "", "ZeffAlternative"),
    0x40102000: ("ST", "1", "External References", "", "ExternalReferences"),
    # Threat image projection (TIP) library.
    0x40102041: ("ST", "1", "TIP Library Name", "", "TIPLibraryName"),
    0x40102043: ("DT", "1", "TIP Library Date", "", "TIPLibraryDate"),
    0x40102045: ("ST", "1", "TIP Image Identifier", "", "TIPImageIdentifier"),
}

_lock = threading.Lock()
_done = False


def ensure_dicos_dictionary() -> None:
    """Adds :data:`DICOS_ENTRIES` to pydicom's data dictionary; safe to call any number of times.

    An entry pydicom already defines (a later pydicom may add DICOS elements) is left as pydicom has it.
    """
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        missing = {tag: entry for tag, entry in DICOS_ENTRIES.items() if tag not in DicomDictionary}
        if missing:
            add_dict_entries(missing)
        _done = True
