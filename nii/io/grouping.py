"""From files and folders (or uploaded bytes) to parcels: instances grouped by Scan, energies paired per view.

- Parcel = DICOS Scan = StudyInstanceUID. Legacy images get a Scan UID derived from their OOI ID (the caller's
  ``ooi_id``, else the file stem), so the images of one OOI ID become the views of one parcel.
- Views: the projection instances of a scan are partitioned by the first view identity under which every
  instance has a value and every part is one view (one ``intensity`` image, or one ``high`` + one ``low``):
  DICOS Series View, Acquisition Number (NII's writer: view index + 1), View Position, Series Instance UID,
  image size (legacy images: each file one view, in input order). Views are ordered by that identity
  (numerically where it is a number), then Instance Number.
  Each CT series of the scan adds one view, its top-view projection (nii.io.ct), after the projections.
- DICOS objects that are not images (TDR, AIT) and material images (Z_EFFECTIVE, ...) in a folder are
  skipped with a log line; any other unreadable file fails the call with the file's name.
- Scan-level values (OOI ID, machine, time, kVp) come from the instances, first found in view order;
  instances that disagree on the OOI ID are a non-conformance.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from nii.errors import InvalidScanError, ValidationMode
from nii.io import ct
from nii.io.base import DEFAULT_LIMITS, Instance, NotAnImageError, ReadContext, ReadLimits, ScanHeader
from nii.io.reader import read_instance
from nii.io.structure import DICM_OFFSET, sniff
from nii.scan import Scan, View

log = logging.getLogger("nii.io")

VIEW_KEYS = ("SeriesView", "AcquisitionNumber", "ViewPosition", "SeriesInstanceUID", "size", "file")
"""View identities grouping tries, in order; ``file`` (each file its own view, in input order) is what legacy
images carry."""


def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named directly, and under folders (recursively, sorted) the files that look like DICOM or images."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in f.relative_to(path).parts):
                    continue
                try:
                    with f.open("rb") as fh:
                        head = fh.read(DICM_OFFSET + 4)
                except OSError as exc:
                    raise InvalidScanError(f"{f}: cannot read: {exc.strerror or exc}") from exc
                if sniff(head) is not None:
                    out.append(f)
                else:
                    log.debug("%s: not DICOM nor an image, skipped", f)
        elif path.is_file():
            out.append(path)
        else:
            raise InvalidScanError(f"{path}: no such file or folder")
    return out


def _read_all(
    sources: Sequence[tuple[str | os.PathLike[str] | bytes, str]],
    mode: ValidationMode,
    ooi_id: str | None,
    limits: ReadLimits,
) -> tuple[list[Instance], list[str]]:
    instances: list[Instance] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for source, name in sources:
        try:
            inst = read_instance(source, mode=mode, limits=limits, ooi_id=ooi_id, name=name)
        except NotAnImageError as exc:
            log.info("skipped: %s", exc)
            skipped.append(str(exc))
            continue
        if inst.sop_uid in seen:
            log.debug("%s: instance %s already read, skipped", name, inst.sop_uid)
            continue
        seen.add(inst.sop_uid)
        instances.append(inst)
    return instances, skipped


def _sort_key(value: object) -> tuple[int, float, str]:
    s = str(value)
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)


def _valid_part(group: list[Instance]) -> bool:
    energies = sorted(i.energy for i in group)
    return energies in (["intensity"], ["high", "low"])


def _partition(insts: list[Instance], scan_uid: str) -> list[list[Instance]]:
    """The projection instances of one scan as views (see the module doc)."""
    if len(insts) == 1:
        return [insts]
    for key in VIEW_KEYS:
        if not all(key in i.view_keys for i in insts):
            continue
        parts: dict[str, list[Instance]] = defaultdict(list)
        for inst in insts:
            parts[str(inst.view_keys[key])].append(inst)
        if all(_valid_part(p) for p in parts.values()):
            if key == "file":
                return list(parts.values())
            ordered = sorted(parts.items(), key=lambda kv: (_sort_key(kv[0]), _min_number(kv[1])))
            return [p for _, p in ordered]
    counts: dict[str, int] = defaultdict(int)
    for inst in insts:
        counts[inst.energy] += 1
    names = ", ".join(i.source for i in insts[:6]) + (", ..." if len(insts) > 6 else "")
    raise InvalidScanError(
        f"scan {scan_uid}: cannot pair energies into views ({dict(counts)} instances; no view identity among "
        f"{', '.join(VIEW_KEYS)} gives one HIGH + LOW pair or one INTENSITY image per view): {names}"
    )


def _min_number(group: list[Instance]) -> int:
    return min((i.instance_number for i in group if i.instance_number is not None), default=0)


def _view(group: list[Instance]) -> View:
    shapes = {i.source: i.image.shape for i in group}
    if len(set(shapes.values())) > 1:
        detail = ", ".join(f"{name}: {s[0]} x {s[1]}" for name, s in shapes.items())
        raise InvalidScanError(f"energy images of one view differ in size ({detail})")
    first = next((i for i in group if i.energy in ("high", "intensity")), group[0])
    return View(
        energies={i.energy: i.image for i in group},
        pixel_spacing_mm=first.pixel_spacing_mm,
        instance_uids={i.energy: i.sop_uid for i in group},
    )


def _build_scan(scan_uid: str, insts: list[Instance], ctx: ReadContext, skipped: list[str]) -> Scan:
    projections = [i for i in insts if i.kind == "projection"]
    groups = _partition(projections, scan_uid) if projections else []
    views = [_view(g) for g in groups]
    sources = [g[0] for g in groups]
    spacing_sources = [g[0].spacing_source for g in groups]
    metadata: dict[str, object] = {}
    by_series: dict[str, list[Instance]] = defaultdict(list)
    for inst in insts:
        if inst.kind == "ct":
            by_series[inst.series_uid].append(inst)
    ct_meta = []
    for series, slices in sorted(by_series.items(), key=lambda kv: _min_number(kv[1])):
        projection, spacing = ct.top_view(slices)
        views.append(
            View(
                energies={"intensity": projection},
                pixel_spacing_mm=spacing,
                instance_uids={"intensity": slices[0].sop_uid},
            )
        )
        sources.append(slices[0])
        spacing_sources.append(slices[0].spacing_source)
        ct_meta.append(
            {
                "series_uid": series,
                "instances": len(slices),
                "volume_shape": [int(projection.shape[0]), int(slices[0].image.shape[1]), int(projection.shape[1])],
                "projection": "top view: sum of mu * row spacing over the vertical (row) axis",
            }
        )
    if ct_meta:
        metadata["ct"] = ct_meta
    first_ids = {id(i) for i in sources}
    ordered = sources + [i for i in insts if id(i) not in first_ids]
    head = _merge_headers(ordered, ctx)
    ooi_id = head.ooi_id or ctx.ooi_id
    if ooi_id is None:
        ctx.nonconformant(f"scan {scan_uid} has no OOI ID (PatientID); its scan UID stands in")
        ooi_id = scan_uid
    metadata["pixel_spacing_source"] = spacing_sources
    warnings = [f"{i.source}: {w}" for i in insts for w in i.warnings] + ctx.warnings
    if warnings:
        metadata["warnings"] = warnings
    if skipped:
        metadata["skipped"] = skipped
    series_uids = {i.series_uid for i in insts}
    return Scan(
        ooi_id=ooi_id,
        scan_uid=scan_uid,
        views=views,
        source_format="+".join(sorted({i.source_format for i in insts})),
        machine_id=head.machine_id,
        machine_location=head.machine_location,
        acquired_at=head.acquired_at,
        kvp=head.kvp,
        ooi_id_type=head.ooi_id_type,
        ooi_id_authority=head.ooi_id_authority,
        series_uid=series_uids.pop() if len(series_uids) == 1 and "" not in series_uids else None,
        metadata=metadata,
    )


def _merge_headers(insts: list[Instance], ctx: ReadContext) -> ScanHeader:
    merged = ScanHeader()
    for field in ("ooi_id", "machine_id", "machine_location", "acquired_at", "kvp", "ooi_id_type", "ooi_id_authority"):
        values = [getattr(i.header, field) for i in insts if getattr(i.header, field) is not None]
        if values:
            setattr(merged, field, values[0])
    ids = sorted({i.header.ooi_id for i in insts if i.header.ooi_id is not None})
    if len(ids) > 1:
        ctx.nonconformant(f"instances of one scan name different OOI IDs {ids}; using {merged.ooi_id!r}")
    return merged


def group_instances(
    instances: Sequence[Instance],
    *,
    mode: ValidationMode = ValidationMode.WARN,
    ooi_id: str | None = None,
    skipped: Sequence[str] = (),
) -> list[Scan]:
    """Groups decoded instances into scans (parcels), in the order their first instance appears."""
    by_scan: dict[str, list[Instance]] = {}
    for inst in instances:
        by_scan.setdefault(inst.study_uid, []).append(inst)
    scans = []
    for scan_uid, insts in by_scan.items():
        ctx = ReadContext(name=f"scan {scan_uid}", mode=mode, ooi_id=ooi_id)
        scans.append(_build_scan(scan_uid, insts, ctx, list(skipped) if len(by_scan) == 1 else []))
    return scans


def read_scans(
    paths: Iterable[str | os.PathLike[str]],
    *,
    mode: ValidationMode = ValidationMode.WARN,
    ooi_id: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> list[Scan]:
    """Reads files and folders (recursively) into parcels; see the module doc for grouping and pairing.

    mode: treatment of non-conformant but readable files. ooi_id: OOI ID for legacy images (else each file's
    stem) and for DICOM scans without PatientID. Raises InvalidScanError / UnsupportedScanError naming the file.
    """
    files = _expand(paths)
    instances, skipped = _read_all([(f, str(f)) for f in files], mode, ooi_id, limits)
    return group_instances(instances, mode=mode, ooi_id=ooi_id, skipped=skipped)


def read_scan_bytes(
    blobs: Sequence[bytes],
    *,
    mode: ValidationMode = ValidationMode.WARN,
    ooi_id: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Scan:
    """Reads the uploaded instances of one parcel (DICOS/DICOM Part 10 files or legacy images, as bytes).

    Raises InvalidScanError when nothing readable was given or the instances belong to more than one scan.
    """
    if not blobs:
        raise InvalidScanError("no instances were given")
    if ooi_id is None and any(sniff(b[: DICM_OFFSET + 4]) not in ("dicom", None) for b in blobs):
        raise InvalidScanError("a legacy image carries no OOI ID; pass ooi_id with the upload")
    instances, skipped = _read_all([(b, f"instance {k + 1}") for k, b in enumerate(blobs)], mode, ooi_id, limits)
    scans = group_instances(instances, mode=mode, ooi_id=ooi_id, skipped=skipped)
    if not scans:
        raise InvalidScanError(f"none of the {len(blobs)} instance(s) holds an image ({'; '.join(skipped)})")
    if len(scans) > 1:
        uids = ", ".join(s.scan_uid for s in scans)
        raise InvalidScanError(f"the instances belong to {len(scans)} scans ({uids}); expected one parcel")
    return scans[0]
