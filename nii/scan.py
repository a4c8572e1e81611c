"""The scan model: one object of inspection (OOI, a parcel) seen in one or more views.

Images are float32 attenuation images ``-ln(I/I0)`` (0 = air, larger = more material), shape [rows, cols],
row 0 at the top, as the scanner's belt direction and detector array give them. A dual-energy view holds
``high`` and ``low``; a single-energy view holds ``intensity`` (still an attenuation image, despite the
DICOS name of the image type).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from nii.errors import InvalidScanError

ENERGIES = ("high", "low", "intensity")
# metadata["pixel_spacing_source"] of a view whose file gave no spacing and whose scanner has no configured one:
# its pixel_spacing_mm is a stand-in (nii.io.spacing), not a measurement
SPACING_FALLBACK = "fallback"


@dataclass
class View:
    """One projection of the parcel.

    energies: name -> float32 [rows, cols] attenuation image; keys among ``high``, ``low``, ``intensity``.
    pixel_spacing_mm: (row spacing, column spacing) in mm, None where the file gives none and no default applies.
    instance_uids: SOPInstanceUIDs of the instances the view was read from, by energy name.
    """

    energies: dict[str, np.ndarray]
    pixel_spacing_mm: tuple[float, float] | None = None
    instance_uids: dict[str, str] = field(default_factory=dict)
    index: int = 0

    def __post_init__(self) -> None:
        if not self.energies:
            raise InvalidScanError("a view needs at least one energy image")
        shapes = set()
        for name, img in self.energies.items():
            if name not in ENERGIES:
                raise InvalidScanError(f"unknown energy {name!r}; expected one of {ENERGIES}")
            if not isinstance(img, np.ndarray) or img.ndim != 2:
                raise InvalidScanError(f"energy {name!r} must be a 2-D array, got {getattr(img, 'shape', type(img))}")
            shapes.add(img.shape)
        if len(shapes) > 1:
            raise InvalidScanError(f"energy images of one view differ in size: {sorted(shapes)}")
        if "intensity" in self.energies and len(self.energies) > 1:
            raise InvalidScanError("a view is either dual-energy (high + low) or single-energy (intensity)")
        if ("high" in self.energies) != ("low" in self.energies):
            raise InvalidScanError(f"dual-energy view needs both high and low, got {sorted(self.energies)}")
        for name in list(self.energies):
            self.energies[name] = np.ascontiguousarray(self.energies[name], dtype=np.float32)

    @property
    def dual_energy(self) -> bool:
        return "high" in self.energies

    @property
    def shape(self) -> tuple[int, int]:
        img = next(iter(self.energies.values()))
        return (int(img.shape[0]), int(img.shape[1]))

    @property
    def high(self) -> np.ndarray:
        """The high-energy image, or the single-energy image for single-energy views."""
        return self.energies["high"] if self.dual_energy else self.energies["intensity"]

    @property
    def low(self) -> np.ndarray | None:
        return self.energies.get("low")

    @property
    def attenuation(self) -> np.ndarray:
        """The image a single-energy consumer should use (high energy for dual-energy views)."""
        return self.high


@dataclass
class Scan:
    """One object of inspection (a parcel) as one scanner saw it.

    ooi_id: DICOS OOI ID (PatientID) = tracking number / house reference.
    scan_uid: DICOS Scan Instance UID (StudyInstanceUID).
    source_format: e.g. ``dicos-dx``, ``dicos-ct``, ``dicom-dx``, ``image``.
    """

    ooi_id: str
    scan_uid: str
    views: list[View]
    source_format: str = "unknown"
    machine_id: str | None = None
    machine_location: str | None = None
    acquired_at: dt.datetime | None = None
    kvp: float | None = None
    ooi_id_type: str | None = None
    ooi_id_authority: str | None = None
    series_uid: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.views:
            raise InvalidScanError(f"scan {self.scan_uid!r} has no views")
        for i, v in enumerate(self.views):
            v.index = i

    @property
    def dual_energy(self) -> bool:
        """True when every view carries high and low energies (material information available)."""
        return all(v.dual_energy for v in self.views)

    def spacing_unknown(self) -> list[bool]:
        """Per view: True where its pixel spacing is not known, either None or the reader's stand-in for a file
        that gave none (metadata ``pixel_spacing_source`` ``fallback``)."""
        sources = self.metadata.get("pixel_spacing_source")
        sources = sources if isinstance(sources, list) and len(sources) == len(self.views) else [None] * len(self.views)
        return [v.pixel_spacing_mm is None or src == SPACING_FALLBACK for v, src in zip(self.views, sources)]

    def info(self) -> dict[str, object]:
        """JSON-ready summary of the scan's metadata (no pixel data)."""
        return {
            "ooi_id": self.ooi_id,
            "scan_uid": self.scan_uid,
            "source_format": self.source_format,
            "machine_id": self.machine_id,
            "machine_location": self.machine_location,
            "acquired_at": self.acquired_at.isoformat() if self.acquired_at else None,
            "kvp": self.kvp,
            "dual_energy": self.dual_energy,
            "views": [
                {
                    "index": v.index,
                    "energies": sorted(v.energies),
                    "rows": v.shape[0],
                    "columns": v.shape[1],
                    "pixel_spacing_mm": list(v.pixel_spacing_mm) if v.pixel_spacing_mm else None,
                    "instance_uids": dict(v.instance_uids),
                }
                for v in self.views
            ],
            **({"metadata": self.metadata} if self.metadata else {}),
        }
