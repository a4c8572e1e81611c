"""``nii inspect PATH... [--declarations FILE] [--json] [--model PATH]`` and ``nii detect PATH... [--json]``.

PATH is files or folders of DICOS/DICOM instances (grouped into parcels by Scan) or images. With --json, one JSON
object per parcel per line on standard output and nothing else there; logs and per-parcel errors go to standard
error. A parcel that cannot be read or inspected is reported and the others go on; the exit status is 1 when any
failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from nii.declarations.checks import check_parcel
from nii.declarations.io import read_manifest
from nii.declarations.models import Parcel
from nii.detection import Detector, load_default_detector
from nii.errors import NIIError
from nii.inspection import Inspector, detect, model_info
from nii.scan import Scan

log = logging.getLogger("nii.inspect")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("inspect", help="verdicts: detections, alerts, tax and lane per parcel", description=__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH", help="scan files or folders")
    p.add_argument("--declarations", metavar="FILE", help="manifest (JSON or CSV) matched by house_ref / tracking_no")
    p.add_argument("--json", action="store_true", help="one verdict per line (JSON Lines) on standard output")
    p.add_argument("--model", metavar="PATH", help="detector checkpoint (default: the shipped model)")
    p.add_argument("--no-physics", action="store_true", help="skip material fractions and mass estimate")
    p.set_defaults(func=run_inspect)
    d = sub.add_parser("detect", help="detections only, one object per parcel", description=__doc__)
    d.add_argument("paths", nargs="+", metavar="PATH", help="scan files or folders")
    d.add_argument("--json", action="store_true", help="one JSON object per line on standard output")
    d.add_argument("--model", metavar="PATH", help="detector checkpoint (default: the shipped model)")
    d.set_defaults(func=run_detect)


def iter_scans(paths: list[str], errors: list[str]) -> Iterator[tuple[Scan, float]]:
    """Scans of the paths with the read time per scan (ms). A path that fails is retried folder by folder, so
    one bad parcel does not hide the others; what still fails is appended to ``errors``."""
    from nii.io import read_scans

    for raw in paths:
        yield from _read_path(Path(raw), errors, read_scans)


ReadScans = Callable[[list[Path]], list[Scan]]


def _read_path(path: Path, errors: list[str], read_scans: ReadScans) -> Iterator[tuple[Scan, float]]:
    t0 = time.perf_counter()
    try:
        scans = read_scans([path])
    except NIIError as exc:
        subdirs = sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []
        if not subdirs:
            errors.append(f"{path}: {exc}")
            log.error("%s: %s", path, exc)
            return
        log.warning("%s: %s; reading its folders one by one", path, exc)
        files = [p for p in path.iterdir() if p.is_file()]
        if files:
            errors.append(f"{path}: files directly in the folder were not read")
        for sub in subdirs:
            yield from _read_path(sub, errors, read_scans)
        return
    ms = (time.perf_counter() - t0) * 1000.0 / max(len(scans), 1)
    for scan in scans:
        yield scan, ms


def _detector(model: str | None) -> Detector:
    return load_default_detector(model)


def _declarations(path: str | None) -> tuple[dict[str, tuple[Parcel, int]], int]:
    if not path:
        return {}, 0
    manifest = read_manifest(path)
    index = {id(p): i for i, p in enumerate(manifest.parcels)}
    return {ref: (p, index[id(p)]) for ref, p in manifest.by_ref().items()}, len(manifest.parcels)


def _table_row(v: dict[str, object]) -> str:
    risk = cast(dict[str, Any], v["risk"])
    alerts = cast(list[dict[str, Any]], v["alerts"])
    names = ", ".join(a["type"] + (f":{a['category']}" if a.get("category") else "") for a in alerts) or "-"
    return f"{v['ooi_id']!s:24} {risk['lane']:7} {risk['score']:5.2f}  {names}"


def run_inspect(args: argparse.Namespace) -> int:
    declarations, n_parcels = _declarations(args.declarations)
    if args.declarations:
        log.info("%d declared parcels from %s", n_parcels, args.declarations)
    inspector = Inspector(detector=_detector(args.model), compute_physics=not args.no_physics)
    errors: list[str] = []
    out = sys.stdout
    if not args.json:
        out.write(f"{'ooi_id':24} {'lane':7} {'score':>5}  alerts\n")
    for scan, read_ms in iter_scans(args.paths, errors):
        match = declarations.get(scan.ooi_id)
        if args.declarations and match is None:
            log.warning("%s: no declaration with this house_ref / tracking_no", scan.ooi_id)
        parcel, index = match if match else (None, 0)
        try:
            verdict = inspector.inspect(
                scan,
                declaration=parcel,
                findings=check_parcel(parcel, index) if parcel is not None else None,
                read_ms=read_ms,
            )
        except NIIError as exc:
            errors.append(f"{scan.ooi_id}: {exc}")
            log.error("%s: %s", scan.ooi_id, exc)
            continue
        out.write(json.dumps(verdict, ensure_ascii=False) + "\n" if args.json else _table_row(verdict) + "\n")
        out.flush()
    return _finish(errors)


def run_detect(args: argparse.Namespace) -> int:
    detector = _detector(args.model)
    errors: list[str] = []
    out = sys.stdout
    for scan, read_ms in iter_scans(args.paths, errors):
        try:
            dets, ms = detect(scan, detector)
        except NIIError as exc:
            errors.append(f"{scan.ooi_id}: {exc}")
            log.error("%s: %s", scan.ooi_id, exc)
            continue
        obj = {
            "ooi_id": scan.ooi_id,
            "scan_uid": scan.scan_uid,
            "model": model_info(detector),
            "detections": [d.to_json() for d in dets],
            "timing_ms": {"read": round(read_ms, 2), "detect": round(ms, 2), "total": round(read_ms + ms, 2)},
        }
        if args.json:
            out.write(json.dumps(obj) + "\n")
        else:
            cats = ", ".join(f"{d.category} {d.score:.2f}" for d in dets) or "-"
            out.write(f"{scan.ooi_id!s:24} {cats}\n")
    return _finish(errors)


def _finish(errors: list[str]) -> int:
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    return 1 if errors else 0
