"""Fuzzing the readers: mutated valid files (bit flips, truncation, insertions, deletions, tag value changes)
either read or fail with InvalidScanError / UnsupportedScanError -- never another exception, never the
catch-all fallback of read_instance (UnexpectedReadError), never a non-finite image, never a hang.

Cases per seed file: NII_FUZZ_EXAMPLES (default 350; 7 seeds = 2,450 cases, ~5 s here, so not marked slow).
Derandomised, so CI runs the same cases every time; raise NII_FUZZ_EXAMPLES locally to search further
(``NII_FUZZ_EXAMPLES=3000 pytest tests/nii/io/test_fuzz.py`` ran 21,000 cases clean).
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pydicom
import pytest
import tifffile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pydicom.dataelem import RawDataElement
from pydicom.uid import JPEGLosslessSV1, RLELossless

from nii.dicos import sop, write_dx
from nii.errors import InvalidScanError
from nii.io import UnexpectedReadError, read_instance, read_scan_bytes
from tests.nii.helpers import make_scan
from tests.nii.io.helpers import hand_dataset, to_bytes

EXAMPLES = int(os.environ.get("NII_FUZZ_EXAMPLES", "350"))
_cases: dict[str, int] = {}

# Tags whose values decide how a file is read: image geometry, bit depths, rescale, relationship, transfer
# syntax, SOP class, frames.
_TARGET_TAGS = (
    0x00280010,
    0x00280011,
    0x00280100,
    0x00280101,
    0x00280102,
    0x00280103,
    0x00280002,
    0x00280008,
    0x00281052,
    0x00281053,
    0x00281040,
    0x00281041,
    0x00280004,
    0x00080016,
    0x00080008,
    0x00020010,
    0x00280030,
    0x7FE00010,
)


def _dicos(ts: str | None, dual: bool = True) -> bytes:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"nii_fuzz_seed_{os.getpid()}_{ts}_{dual}"
    paths = write_dx(
        make_scan(np.random.default_rng(5), views=1, shape=(24, 20), dual_energy=dual), folder, transfer_syntax=ts
    )
    data = paths[0].read_bytes()
    for p in paths:
        p.unlink()
    folder.rmdir()
    return data


def _ct() -> bytes:
    hu = np.random.default_rng(2).integers(-1000, 2000, size=(3, 12, 10)).astype(np.int16)
    return to_bytes(
        hand_dataset(
            hu, sop_class=sop.DICOS_CT, dicos=True, RescaleType="HU", PixelSpacing=[1, 1], SpacingBetweenSlices="2"
        )
    )


def _dx12() -> bytes:
    px = np.random.default_rng(3).integers(0, 4096, size=(16, 12)).astype(np.uint16)
    return to_bytes(
        hand_dataset(
            px,
            BitsStored=12,
            HighBit=11,
            RescaleSlope="1.5",
            RescaleIntercept="10",
            PixelIntensityRelationship="LOG",
            PhotometricInterpretation="MONOCHROME1",
        )
    )


def _png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(4).integers(0, 65535, size=(16, 12)).astype(np.uint16)).save(buf, "PNG")
    return buf.getvalue()


def _tiff() -> bytes:
    buf = io.BytesIO()
    tifffile.imwrite(buf, np.random.default_rng(6).integers(0, 65535, size=(16, 12)).astype(np.uint16))
    return buf.getvalue()


SEEDS: dict[str, Callable[[], bytes]] = {
    "dicos-dx-explicit": lambda: _dicos(None),
    "dicos-dx-jpeg-lossless": lambda: _dicos(str(JPEGLosslessSV1)),
    "dicos-dx-rle-single": lambda: _dicos(str(RLELossless), dual=False),
    "dicom-dx-12bit-log": _dx12,
    "dicos-ct": _ct,
    "png-16bit": _png,
    "tiff-16bit": _tiff,
}


@cache
def _seed(name: str) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """Seed bytes and the (value offset, length) of the target tags in it."""
    data = SEEDS[name]()
    spots: list[tuple[int, int]] = []
    if data[128:132] == b"DICM":
        ds = pydicom.dcmread(io.BytesIO(data))
        for holder in (ds, ds.file_meta):
            for tag in _TARGET_TAGS:
                elem = holder._dict.get(tag)  # raw elements keep their file offsets
                if isinstance(elem, RawDataElement) and elem.value_tell is not None:
                    spots.append((elem.value_tell, elem.length))
                    spots.append((elem.value_tell - 2, 2))  # the length field of short-VR elements
    return data, tuple(spots)


def _position(rnd: np.random.Generator, n: int, lo: int) -> int:
    """A position in [lo, n) (or [0, n) when lo >= n), uniform: hypothesis's own draws favour small values."""
    return int(rnd.integers(lo if lo < n else 0, n))


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    seed, spots = _seed(name)
    data = bytearray(seed)
    rnd = np.random.default_rng(draw(st.integers(0, 2**63)))
    # DICOM seeds: mostly leave the preamble and DICM marker alone, so mutations reach the parser
    lo = 132 if seed[128:132] == b"DICM" and draw(st.integers(0, 9)) else 0
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "flip", "truncate", "insert", "delete", "tag", "tag", "tag", "u32"]))
        n = len(data)
        if n <= lo:
            break
        if op == "flip":
            pos = _position(rnd, n, lo)
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[_position(rnd, n, lo) :]
        elif op == "insert":
            pos = _position(rnd, n, lo)
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            pos = _position(rnd, n, lo)
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "tag" and spots:
            pos, length = spots[_position(rnd, len(spots), 0)]
            value = draw(st.sampled_from([0, 1, 2, 3, 7, 8, 12, 15, 16, 17, 32, 255, 0x7FFF, 0x8000, 0xFFFF]))
            if length >= 2 and pos + 2 <= len(data):
                if draw(st.booleans()):
                    data[pos : pos + 2] = struct.pack("<H", value)
                else:
                    text = draw(st.sampled_from([b"0 ", b"-1", b"1e9", b"NaN", b"inf ", b"\xff\xfe", b"\\\\"]))
                    data[pos : pos + min(len(text), length)] = text[:length]
        else:  # u32: a random 32-bit value (lengths, UIDs, pixel data) anywhere
            pos = _position(rnd, max(n - 3, 1), lo)
            data[pos : pos + 4] = struct.pack("<L", draw(st.integers(0, 0xFFFFFFFF)))
    return bytes(data)


def _check(blob: bytes, name: str) -> None:
    _cases[name] = _cases.get(name, 0) + 1
    try:
        inst = read_instance(blob, ooi_id="FUZZ", name=name)
    except UnexpectedReadError as exc:  # the catch-all fired: an exception type the readers do not name
        raise AssertionError(f"unexpected exception type escaped the readers: {exc}") from exc
    except InvalidScanError:
        return
    assert inst.image.dtype == np.float32
    assert np.isfinite(inst.image).all(), "non-finite attenuation"
    try:
        scan = read_scan_bytes([blob], ooi_id="FUZZ")
    except UnexpectedReadError as exc:
        raise AssertionError(f"unexpected exception type escaped: {exc}") from exc
    except InvalidScanError:
        return
    assert scan.views and all(np.isfinite(v.attenuation).all() for v in scan.views)


def _fuzz_test(name: str) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES,
        deadline=2000,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(blob=mutated(name))
    def run(blob: bytes) -> None:
        _check(blob, name)

    return run


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns about every mangled value
@pytest.mark.parametrize("name", list(SEEDS))
def test_mutated_files_raise_only_typed_errors(name: str) -> None:
    assert read_instance(_seed(name)[0], ooi_id="FUZZ").image.size > 0  # the seed itself reads
    _fuzz_test(name)()


def test_fuzz_case_count() -> None:
    """Runs after the fuzz tests of this module (file order): they ran >= 2,000 cases together."""
    if set(_cases) != set(SEEDS):
        pytest.skip("run with the fuzz tests of this module to count their cases")
    total = sum(_cases.values())
    print(f"fuzz cases: {total} ({_cases})")
    assert total >= 2000 or EXAMPLES < 350
