"""Checks of compressed frames before they are decoded.

A JPEG (or JPEG-LS, JPEG 2000) frame carries its own image size in its frame header, and decoders allocate
what that header says, not what the DICOM Rows / Columns say: fuzzing found a 3 kB file whose JPEG header
claimed 60,495 x 512 pixels (a 2-second decode; 65,535 x 65,535 would ask for 8 GB). So every frame header
is read first and must agree with Rows / Columns, which the pixel cap has already bounded.
"""

from __future__ import annotations

import struct

from pydicom.encaps import generate_frames

from nii.io.base import ReadContext

JPEG_FAMILY = frozenset(
    {
        "1.2.840.10008.1.2.4.50",  # baseline
        "1.2.840.10008.1.2.4.51",  # extended
        "1.2.840.10008.1.2.4.57",  # lossless
        "1.2.840.10008.1.2.4.70",  # lossless SV1
        "1.2.840.10008.1.2.4.80",  # JPEG-LS lossless
        "1.2.840.10008.1.2.4.81",  # JPEG-LS near-lossless
    }
)
JPEG_2000 = frozenset(
    {
        "1.2.840.10008.1.2.4.90",
        "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.201",
        "1.2.840.10008.1.2.4.202",
        "1.2.840.10008.1.2.4.203",
    }
)
# start-of-frame markers: SOF0-3, 5-7, 9-11, 13-15 (T.81) and SOF55 (JPEG-LS, T.87)
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def jpeg_size(frame: bytes) -> tuple[int, int] | None:
    """(rows, columns) from a JPEG / JPEG-LS frame header; None when no header comes before the scan."""
    if not frame.startswith(b"\xff\xd8"):
        return None
    pos, n = 2, len(frame)
    while pos + 4 <= n:
        if frame[pos] != 0xFF:
            return None
        marker = frame[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", frame, pos + 2)
        if marker in _SOF:
            if pos + 9 > n:
                return None
            rows, cols = struct.unpack_from(">HH", frame, pos + 5)
            return rows, cols
        if marker == 0xDA or length < 2:  # start of scan without a frame header, or a broken segment
            return None
        pos += 2 + length
    return None


def j2k_size(frame: bytes) -> tuple[int, int] | None:
    """(rows, columns) from a JPEG 2000 codestream's SIZ segment (a JP2 box wrapper is searched for it)."""
    start = frame.find(b"\xff\x4f\xff\x51")
    if start < 0 or start + 24 > len(frame):
        return None
    xsiz, ysiz, xo, yo = struct.unpack_from(">IIII", frame, start + 8)
    if xsiz < xo or ysiz < yo:
        return None
    return ysiz - yo, xsiz - xo


RLE_LOSSLESS = "1.2.840.10008.1.2.5"
RLE_MAX_RATIO = 64
"""DICOM RLE (PackBits) expands 2 bytes into at most 128: no valid RLE data decodes to more than 64x its size."""
JPEG_LOSSLESS = frozenset({"1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"})
"""Lossless JPEG codes every sample with at least one bit."""


def check_frames(
    pixel_data: bytes,
    ts: str,
    rows: int,
    cols: int,
    frames: int,
    ctx: ReadContext,
    *,
    samples: int = 1,
    bytes_per_sample: int = 2,
) -> None:
    """Raises InvalidScanError when the compressed data cannot hold Rows x Columns x frames (a decompression
    bomb: more output than the codec can produce from that many bytes), or when a compressed frame's own
    header disagrees with Rows x Columns."""
    need = rows * cols * frames * samples
    if ts == RLE_LOSSLESS and need * bytes_per_sample > RLE_MAX_RATIO * len(pixel_data) + 1024:
        raise ctx.invalid(
            f"RLE data of {len(pixel_data)} bytes cannot hold {need} samples of {bytes_per_sample} "
            f"byte(s) (at most {RLE_MAX_RATIO}x expansion)"
        )
    if ts in JPEG_LOSSLESS and need > 8 * len(pixel_data) + 1024:
        raise ctx.invalid(f"JPEG Lossless data of {len(pixel_data)} bytes cannot hold {need} samples")
    reader = jpeg_size if ts in JPEG_FAMILY else j2k_size if ts in JPEG_2000 else None
    if reader is None:
        return
    try:
        for k, frame in enumerate(generate_frames(pixel_data, number_of_frames=frames)):
            if k >= frames:
                break
            size = reader(frame)
            if size is None:
                raise ctx.invalid(f"compressed frame {k + 1} has no readable frame header")
            if size != (rows, cols):
                raise ctx.invalid(
                    f"compressed frame {k + 1} declares {size[0]} x {size[1]} pixels; Rows x Columns say "
                    f"{rows} x {cols}"
                )
    except (ValueError, struct.error, KeyError, IndexError, EOFError) as exc:
        raise ctx.invalid(f"encapsulated pixel data cannot be split into frames: {exc}") from exc
