"""``nii bench read [FOLDER] [--files N]``: scan reading speed (files/s, MB/s) of :func:`nii.io.read_scans`
beside plain ``pydicom.dcmread(f).pixel_array`` on the same files in the same run, and their ratio.

Without FOLDER it writes N DICOS DX files (N/2 dual-energy parcels of 1000 x 700 pixels, 16-bit, NII's writer)
to a temporary folder first. Both readers see the files after one warm-up pass (page cache hot); each is
timed ``--repeats`` times and the best run counts. Plain pydicom is timed keeping its arrays (``ratio``: the
same memory as read_scans, which returns every image) and dropping them (``ratio_vs_dropped``). The nii side
does more work per file: the structure walk (nii.io.structure), attribute validation, stored value -> float32
attenuation, grouping and energy pairing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np

from nii.bench.common import best_of, report

TRANSFER_SYNTAXES = {
    "explicit": "1.2.840.10008.1.2.1",
    "jpeg-lossless": "1.2.840.10008.1.2.4.70",
    "rle": "1.2.840.10008.1.2.5",
}


def generate(
    folder: Path, files: int, *, seed: int = 0, shape: tuple[int, int] = (1000, 700), transfer_syntax: str = "explicit"
) -> list[Path]:
    """Writes ``files`` DICOS DX files (dual-energy parcels, 2 files each; one single-energy parcel when odd)."""
    from pydicom.uid import generate_uid

    from nii.dicos import write_dx
    from nii.scan import Scan, View

    rng = np.random.default_rng(seed)
    written: list[Path] = []
    parcel = 0
    while len(written) < files:
        high = rng.gamma(1.2, 0.15, size=shape).astype(np.float32)
        for _ in range(int(rng.integers(4, 12))):  # boxes of goods, up to ~40 % of the parcel's size each
            h, w = (int(rng.integers(max(1, s // 20), max(2, s * 2 // 5))) for s in shape)
            r0, c0 = int(rng.integers(0, shape[0] - h + 1)), int(rng.integers(0, shape[1] - w + 1))
            high[r0 : r0 + h, c0 : c0 + w] += rng.uniform(0.3, 4)
        dual = files - len(written) >= 2
        energies = {"high": high, "low": high * np.float32(1.35)} if dual else {"intensity": high}
        ooi = f"BENCH{parcel:06d}"
        scan = Scan(
            ooi,
            str(generate_uid(entropy_srcs=[ooi, str(seed)])),
            [View(energies, (1.0, 1.0))],
            machine_id="BENCH",
            acquired_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            kvp=160.0,
        )
        written += write_dx(scan, folder / ooi, transfer_syntax=TRANSFER_SYNTAXES[transfer_syntax])
        parcel += 1
    return written


def measure(files: list[Path], repeats: int = 3) -> dict[str, object]:
    """Times both readers over ``files``; returns a JSON-ready dict of the figures.

    ``ratio`` compares with plain pydicom keeping every decoded array (as read_scans keeps every image: the
    same memory traffic); ``ratio_vs_dropped`` with plain pydicom dropping each array at once, which lets the
    allocator reuse one buffer and so avoids the page faults of fresh memory.
    """
    import pydicom

    from nii.io import read_scans

    if not files:
        raise ValueError("no files to read")
    nbytes = sum(f.stat().st_size for f in files)

    def plain_kept() -> list[object]:
        return [pydicom.dcmread(f).pixel_array for f in files]

    def plain_dropped() -> None:
        for f in files:
            pydicom.dcmread(f).pixel_array  # noqa: B018  (decoding is the point)

    def nii() -> None:
        read_scans(files)

    plain_kept()
    nii()  # warm-up: page cache, imports
    t_kept = best_of(plain_kept, repeats)
    t_dropped = best_of(plain_dropped, repeats)
    t_nii = best_of(nii, repeats)
    mb = nbytes / 1e6
    return {
        "files": len(files),
        "megabytes": round(mb, 2),
        "repeats": repeats,
        "pydicom_s": round(t_kept, 4),
        "pydicom_dropped_s": round(t_dropped, 4),
        "nii_s": round(t_nii, 4),
        "pydicom_files_per_s": round(len(files) / t_kept, 1),
        "nii_files_per_s": round(len(files) / t_nii, 1),
        "pydicom_mb_per_s": round(mb / t_kept, 1),
        "nii_mb_per_s": round(mb / t_nii, 1),
        "ratio": round(t_nii / t_kept, 3),
        "ratio_vs_dropped": round(t_nii / t_dropped, 3),
    }


def _run(args: argparse.Namespace) -> int:
    from nii.errors import NIIError
    from nii.io.grouping import _expand

    with tempfile.TemporaryDirectory(prefix="nii_bench_read_") as tmp:
        if args.folder is not None:
            files = _expand([args.folder])
            if args.files is not None:
                files = files[: args.files]
            source = str(args.folder)
        else:
            t0 = time.perf_counter()
            files = generate(Path(tmp), args.files or 40, seed=args.seed, transfer_syntax=args.transfer_syntax)
            source = f"generated {len(files)} files ({args.transfer_syntax}) in {time.perf_counter() - t0:.1f} s"
        if not files:
            raise NIIError(f"no DICOM files under {args.folder}")
        result = {"source": source, **measure(files, args.repeats)}
    verdict = f"nii.io reads at {result['ratio']}x the time of plain pydicom (target < 1.5x)"
    report(result, as_json=args.json, key_width=20, verdict=verdict)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "read",
        help="scan reading speed: nii.io vs plain pydicom",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("folder", nargs="?", type=Path, help="folder of DICOS/DICOM files (default: generate a set)")
    p.add_argument("--files", type=int, default=None, help="files to read (default: all; 40 when generating)")
    p.add_argument(
        "--transfer-syntax",
        choices=sorted(TRANSFER_SYNTAXES),
        default="explicit",
        help="transfer syntax of generated files (default explicit VR little endian)",
    )
    p.add_argument("--repeats", type=int, default=3, help="timed runs per reader; the best counts (default 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated parcels")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)
