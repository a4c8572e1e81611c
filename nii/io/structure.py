"""Recognising what a byte stream is, and checking a DICOM Part 10 stream's structure before pydicom parses it.

pydicom parses sequences lazily and recursively: a hostile file with sequences nested thousands deep would make
the first attribute access recurse until Python's stack limit. :func:`check_structure` walks the whole byte
stream once, iteratively (an explicit stack, no recursion), and refuses before any parsing:

- nesting of sequences deeper than ``ReadLimits.max_depth``;
- more data elements than ``ReadLimits.max_elements``;
- values, items or sequences whose declared length runs past the end of the stream or of their container
  (truncated files), undefined lengths where only sequences may have them, items outside sequences,
  unknown VRs, a missing transfer syntax;
- files larger than ``ReadLimits.max_bytes`` (for Deflated Explicit VR Little Endian: the inflated size).

It returns where the top-level pixel data elements lie (:class:`Structure`), so that pydicom can parse the
attributes before them and the pixel values be read from the bytes in place, without a copy (nii.io.dicom).

Only DICOM Part 10 files (128-byte preamble + ``DICM``) are accepted as DICOM; raw datasets without the file
meta header are refused (their encoding cannot be known without guessing).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from pydicom.datadict import dictionary_VR

from nii.io.base import ReadContext

DICM_OFFSET = 128

_VRS = frozenset(
    b"AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split(b" ")
)
_LONG_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split(b" "))
_UNDEFINED = 0xFFFFFFFF
_ITEM, _ITEM_END, _SEQ_END = 0xE000, 0xE00D, 0xE0DD
_PIXEL_DATA = 0x7FE00010
PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, _PIXEL_DATA})
"""Float Pixel Data, Double Float Pixel Data, Pixel Data: where pydicom's ``stop_before_pixels`` stops."""

IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_BE = "1.2.840.10008.1.2.2"
DEFLATED = ("1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.8.1")


def sniff(data: bytes) -> str | None:
    """The container format of ``data``: ``dicom`` (Part 10), ``png``, ``jpeg``, ``tiff``, or None."""
    if len(data) >= DICM_OFFSET + 4 and data[DICM_OFFSET : DICM_OFFSET + 4] == b"DICM":
        return "dicom"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    return None


@dataclass(frozen=True)
class PixelElement:
    """One top-level pixel data element of a checked stream.

    tag: 0x7FE00010 (Pixel Data), 0x7FE00008 or 0x7FE00009 (float pixels); start: offset of its tag, bytes;
    value: offset of its value, bytes; length: value length, bytes (None: undefined length, i.e. encapsulated
    fragments); vr: the explicit VR (``OB``, ``OW``, ...) or None (implicit VR); implicit / little: its encoding.
    """

    tag: int
    start: int
    value: int
    length: int | None
    vr: str | None
    implicit: bool
    little: bool


@dataclass(frozen=True)
class Structure:
    """What :func:`check_structure` found: the Transfer Syntax UID and the top-level pixel data elements, in
    stream order (offsets into the inflated dataset for Deflated Explicit VR Little Endian)."""

    transfer_syntax: str
    pixels: tuple[PixelElement, ...] = ()


@dataclass
class _Frame:
    end: int | None  # offset where a defined-length container ends; None: undefined length (delimited)
    kind: str  # "seq" (items of datasets), "frag" (encapsulated pixel data fragments), "item" (a dataset)
    implicit: bool
    little: bool


def _sq_in_dictionary(tag: int) -> bool:
    try:
        return dictionary_VR(tag) == "SQ"
    except KeyError:
        return False


def check_structure(data: bytes, ctx: ReadContext) -> Structure:
    """Checks a DICOM Part 10 byte stream (see the module doc); returns its transfer syntax and pixel elements.

    Raises InvalidScanError naming ``ctx.name`` and the offending element and offset.
    """
    limits = ctx.limits
    if len(data) > limits.max_bytes:
        raise ctx.invalid(f"file is {len(data)} bytes; the limit is {limits.max_bytes}")
    if sniff(data) != "dicom":
        raise ctx.invalid("not a DICOM Part 10 file (no 'DICM' marker at byte 128)")
    pos, ts = _walk_meta(data, DICM_OFFSET + 4, ctx)
    body = data
    if ts in DEFLATED:
        body = data[:pos] + _inflate(data[pos:], ctx)
    implicit, little = ts == IMPLICIT_LE, ts != EXPLICIT_BE
    if len(body) - pos >= 6:
        # pydicom trusts the bytes over the transfer syntax when they disagree; so do we, to check what it reads.
        looks_explicit = body[pos + 4 : pos + 6] in _VRS
        implicit = not looks_explicit
    pixels = _walk(body, pos, implicit=implicit, little=little, ctx=ctx)
    return Structure(ts, tuple(pixels))


def _walk_meta(data: bytes, pos: int, ctx: ReadContext) -> tuple[int, str]:
    """Walks the file meta group (explicit VR little endian); returns (offset after it, transfer syntax)."""
    ts: str | None = None
    n = len(data)
    meta_end: int | None = None
    while pos + 8 <= n:
        group, elem = struct.unpack_from("<HH", data, pos)
        if group != 0x0002:
            break
        vr = data[pos + 4 : pos + 6]
        if vr not in _VRS:
            raise ctx.invalid(f"file meta element (0002,{elem:04X}) at offset {pos} has invalid VR {vr!r}")
        if vr in _LONG_VRS:
            if pos + 12 > n:
                raise ctx.invalid("truncated in the file meta header")
            (length,) = struct.unpack_from("<L", data, pos + 8)
            pos += 12
        else:
            (length,) = struct.unpack_from("<H", data, pos + 6)
            pos += 8
        if length == _UNDEFINED or pos + length > n:
            raise ctx.invalid(f"truncated file meta element (0002,{elem:04X}) declaring {length} bytes")
        if elem == 0x0010:
            ts = data[pos : pos + length].rstrip(b"\x00 ").decode("ascii", errors="replace")
        if elem == 0x0000 and length == 4:
            (group_length,) = struct.unpack_from("<L", data, pos)
            meta_end = pos + 4 + group_length
            if meta_end > n:
                raise ctx.invalid(f"truncated in the file meta header ({group_length} bytes declared)")
        pos += length
    if pos + 8 > n and pos != n:
        raise ctx.invalid("truncated in the file meta header")
    if not ts:
        raise ctx.invalid("file meta header has no Transfer Syntax UID (0002,0010)")
    return pos, ts


def _inflate(payload: bytes, ctx: ReadContext) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(payload, ctx.limits.max_bytes + 1)
    except zlib.error as exc:
        raise ctx.invalid(f"deflated dataset cannot be inflated: {exc}") from exc
    if len(out) > ctx.limits.max_bytes:
        raise ctx.invalid(f"deflated dataset inflates past the limit of {ctx.limits.max_bytes} bytes")
    return out


def _tag(group: int, elem: int) -> str:
    return f"({group:04X},{elem:04X})"


def _walk(data: bytes, pos: int, *, implicit: bool, little: bool, ctx: ReadContext) -> list[PixelElement]:
    """Iterative walk over the dataset starting at ``pos`` (see the module doc); returns the top-level pixel
    data elements (the first of each tag)."""
    limits = ctx.limits
    n = len(data)
    stack: list[_Frame] = []
    depth = 0  # number of "seq" frames on the stack
    elements = 0
    pixels: list[PixelElement] = []
    while True:
        while stack and stack[-1].end is not None and pos >= stack[-1].end:
            frame = stack.pop()
            if pos > frame.end:  # type: ignore[operator]
                raise ctx.invalid(f"contents overrun their {frame.kind} container ending at offset {frame.end}")
            depth -= frame.kind == "seq"
        if pos >= n:
            if stack:
                raise ctx.invalid(f"truncated: the file ends inside a sequence (offset {pos})")
            return pixels
        top = stack[-1] if stack else None
        imp, le = (top.implicit, top.little) if top else (implicit, little)
        end_ = "<" if le else ">"
        if pos + 8 > n:
            raise ctx.invalid(f"truncated: {n - pos} stray byte(s) at offset {pos} where a data element should start")
        start = pos
        group, elem = struct.unpack_from(end_ + "HH", data, pos)
        if group == 0xFFFE:
            (length,) = struct.unpack_from(end_ + "L", data, pos + 4)
            pos += 8
            if elem == _ITEM:
                if top is None or top.kind == "item":
                    raise ctx.invalid(f"item at offset {start} outside a sequence")
                if top.kind == "frag":
                    if length == _UNDEFINED or pos + length > n:
                        raise ctx.invalid(f"truncated pixel data fragment at offset {start} ({length} bytes)")
                    pos += length
                else:
                    end = None if length == _UNDEFINED else pos + length
                    _check_end(end, top, n, ctx, group, elem)
                    stack.append(_Frame(end, "item", imp, le))
            elif elem == _ITEM_END:
                if top is None or top.kind != "item" or top.end is not None:
                    raise ctx.invalid(f"unexpected item delimiter at offset {start}")
                stack.pop()
            elif elem == _SEQ_END:
                if top is None or top.kind == "item" or top.end is not None:
                    raise ctx.invalid(f"unexpected sequence delimiter at offset {start}")
                stack.pop()
                depth -= top.kind == "seq"
            else:
                raise ctx.invalid(f"unknown delimitation tag {_tag(group, elem)} at offset {start}")
            continue
        if top is not None and top.kind != "item":
            raise ctx.invalid(f"element {_tag(group, elem)} at offset {pos} inside a sequence but outside any item")
        elements += 1
        if elements > limits.max_elements:
            raise ctx.invalid(f"more than {limits.max_elements} data elements")
        vr: bytes | None = None
        if imp:
            (length,) = struct.unpack_from(end_ + "L", data, pos + 4)
            pos += 8
        else:
            vr = data[pos + 4 : pos + 6]
            if vr not in _VRS:
                raise ctx.invalid(f"element {_tag(group, elem)} at offset {pos} has invalid VR {vr!r}")
            if vr in _LONG_VRS:
                if pos + 12 > n:
                    raise ctx.invalid(f"truncated header of element {_tag(group, elem)} at offset {pos}")
                (length,) = struct.unpack_from(end_ + "L", data, pos + 8)
                pos += 12
            else:
                (length,) = struct.unpack_from(end_ + "H", data, pos + 6)
                pos += 8
        undefined = length == _UNDEFINED
        full_tag = (group << 16) | elem
        if top is None and full_tag in PIXEL_TAGS and all(p.tag != full_tag for p in pixels):
            pixels.append(
                PixelElement(
                    full_tag,
                    start,
                    pos,
                    None if undefined else length,
                    None if vr is None else vr.decode("ascii"),
                    imp,
                    le,
                )
            )
        if full_tag == _PIXEL_DATA and undefined:
            stack.append(_Frame(None, "frag", imp, le))
            continue
        if vr == b"SQ" or ((vr is None or vr == b"UN") and (undefined or _sq_in_dictionary(full_tag))):
            depth += 1
            if depth > limits.max_depth:
                raise ctx.invalid(
                    f"sequences nested deeper than {limits.max_depth} levels (element {_tag(group, elem)})"
                )
            end = None if undefined else pos + length
            _check_end(end, top, n, ctx, group, elem)
            # an UN-encoded sequence holds implicit VR little endian items
            stack.append(_Frame(end, "seq", imp or vr == b"UN", le if vr != b"UN" else True))
            continue
        if undefined:
            raise ctx.invalid(f"element {_tag(group, elem)} at offset {pos} has undefined length but is not a sequence")
        pos += length
        if pos > n:
            raise ctx.invalid(
                f"truncated: element {_tag(group, elem)} declares {length} bytes, only {n - pos + length} remain"
            )
        if top is not None and top.end is not None and pos > top.end:
            raise ctx.invalid(f"element {_tag(group, elem)} runs past the end of its item at offset {top.end}")


def _check_end(end: int | None, parent: _Frame | None, n: int, ctx: ReadContext, group: int, elem: int) -> None:
    if end is None:
        return
    tag = _tag(group, elem)
    if end > n:
        raise ctx.invalid(f"truncated: {tag} declares {end - n} bytes more than the file holds")
    if parent is not None and parent.end is not None and end > parent.end:
        raise ctx.invalid(f"{tag} runs past the end of its container at offset {parent.end}")
