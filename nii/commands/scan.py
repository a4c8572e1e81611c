"""``nii scan info PATH...`` and ``nii scan render PATH... --mode MODE -o out.png``: read DICOS / DICOM scans
and legacy image exports, print what was parsed, or render one view in a screening preset."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nii.errors import NIIError, ValidationMode

if TYPE_CHECKING:
    from nii.scan import Scan

RENDER_MODES = (
    "dual_energy",
    "grey",
    "inverse",
    "high_penetration",
    "low_penetration",
    "edge",
    "organic_strip",
    "inorganic_strip",
)
"""The presets of nii.imaging.PRESETS, listed here so that ``--help`` needs no import of nii.imaging (a test
keeps the two in step)."""


def _add_reading_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="DICOS/DICOM files, legacy images, or folders (recursive)")
    p.add_argument(
        "--validation",
        choices=[m.value for m in ValidationMode],
        default=ValidationMode.WARN.value,
        help="non-conformant but readable files: ignore, warn (default) or raise (refuse them)",
    )
    p.add_argument("--ooi-id", help="OOI ID (tracking number) of legacy images; default: the file stem")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="read X-ray scans: print their metadata or render a view",
        description="Read DICOS DX/CT, DICOM DX/CR/secondary capture and legacy image exports. Instances are "
        "grouped into parcels by Scan (StudyInstanceUID) and HIGH/LOW energies paired per view.",
    )
    ssub = p.add_subparsers(dest="scan_command", metavar="ACTION", required=True)

    info = ssub.add_parser(
        "info",
        help="print the parsed metadata of each parcel as JSON",
        description="Print one JSON object per parcel (one per line): OOI ID, scan UID, source format, machine, "
        "acquisition time, kVp, and per view its energies, size, pixel spacing and instance UIDs.",
    )
    _add_reading_options(info)
    info.add_argument("--indent", type=int, default=None, help="pretty-print with this indent (default: one line)")
    info.set_defaults(func=_info)

    render = ssub.add_parser(
        "render",
        help="render one view of one parcel as a PNG in a screening preset",
        description="Render a view in a screening-workstation preset and write it as PNG. Colour presets need a "
        "dual-energy scan; single-energy scans have no material information.",
    )
    _add_reading_options(render)
    render.add_argument(
        "--mode", default="dual_energy", metavar="MODE", help=f"preset, one of: {', '.join(RENDER_MODES)}"
    )
    render.add_argument("-o", "--output", required=True, type=Path, help="PNG file to write")
    render.add_argument("--view", type=int, default=0, help="view index (0 = first view)")
    render.set_defaults(func=_render)


def _read(args: argparse.Namespace) -> list[Scan]:
    from nii.io import read_scans

    return read_scans(args.paths, mode=ValidationMode(args.validation), ooi_id=args.ooi_id)


def _info(args: argparse.Namespace) -> int:
    scans = _read(args)
    if not scans:
        raise NIIError(f"no scans found in {', '.join(args.paths)}")
    for scan in scans:
        sys.stdout.write(json.dumps(scan.info(), indent=args.indent, default=str) + "\n")
    return 0


def _render(args: argparse.Namespace) -> int:
    from PIL import Image

    from nii.imaging import render

    scans = _read(args)
    if len(scans) != 1:
        found = ", ".join(s.ooi_id for s in scans) or "none"
        raise NIIError(f"render takes one parcel; {', '.join(args.paths)} holds {len(scans)} ({found})")
    scan = scans[0]
    if not 0 <= args.view < len(scan.views):
        raise NIIError(f"view {args.view} does not exist; parcel {scan.ooi_id} has views 0..{len(scan.views) - 1}")
    rgb = render(scan.views[args.view], args.mode)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_name(f".{args.output.name}.tmp")
    try:
        Image.fromarray(rgb).save(tmp, format="PNG")
        tmp.replace(args.output)
    except OSError as exc:
        raise NIIError(f"cannot write {args.output}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    print(f"{args.output}: view {args.view} of {scan.ooi_id}, {rgb.shape[1]} x {rgb.shape[0]}, mode {args.mode}")
    return 0
