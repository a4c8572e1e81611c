"""Reading parcel manifests from JSON and CSV (docs/declarations.md) into :class:`~nii.declarations.models.Manifest`.

Every problem is reported with its JSON path (``parcels[3].items[0].hs6``) in one
:class:`~nii.errors.InvalidDeclarationError`; malformed bytes, JSON or CSV give the reason with line and column.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nii.declarations.models import Manifest
from nii.errors import InvalidDeclarationError, Problem

ITEM_PREFIX = "item."
MANIFEST_COLUMNS = ("manifest_id", "source_format", "filed_at")
LIST_COLUMNS = ("licence_nos", "certificate_nos")  # ";"-separated in CSV


def json_path(loc: tuple[int | str, ...]) -> str:
    """Formats a pydantic error location as a JSON path, e.g. parcels[3].items[0].hs6."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "manifest"


def validate_manifest(data: object, *, locations: Mapping[str, str] | None = None) -> Manifest:
    """Validates parsed manifest data against the schema; raises InvalidDeclarationError listing every problem.

    locations: optional JSON path prefix -> where it came from (e.g. a CSV line), appended to messages.
    """
    if not isinstance(data, dict):
        raise InvalidDeclarationError(
            "invalid manifest", [Problem("manifest", f"expected a JSON object, got {type(data).__name__}")]
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path = json_path(tuple(err["loc"]))
            msg = err["msg"]
            if err["type"] != "missing":
                msg += f" (got {err.get('input')!r})"
            if locations:
                where = _longest_prefix(path, locations)
                if where:
                    msg += f" [{where}]"
            problems.append(Problem(path, msg))
        raise InvalidDeclarationError("invalid manifest", problems) from None


def _longest_prefix(path: str, locations: Mapping[str, str]) -> str | None:
    best = ""
    for prefix in locations:
        if (path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")) and len(prefix) > len(
            best
        ):
            best = prefix
    return locations.get(best) if best else None


def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidDeclarationError(
            f"{source}: not UTF-8 text", [Problem("manifest", f"byte {exc.start}: {exc.reason}")]
        ) from None


def read_manifest_json(data: bytes | str, *, source: str = "<json>") -> Manifest:
    """Parses and validates a JSON manifest (one object with manifest_id, source_format, parcels)."""
    text = _decode(data, source)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDeclarationError(
            f"{source}: malformed JSON",
            [Problem("manifest", f"line {exc.lineno} column {exc.colno}: {exc.msg}")],
        ) from None
    return validate_manifest(parsed)


def _set_path(target: dict[str, Any], dotted: str, value: object) -> None:
    keys = dotted.split(".")
    node = target
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ValueError(f"column {dotted!r} nests under {key!r}, which another column sets to a value")
        node = child
    node[keys[-1]] = value


def read_manifest_csv(
    data: bytes | str, *, source: str = "<csv>", manifest_id: str | None = None, source_format: str = "other"
) -> Manifest:
    """Parses and validates a CSV manifest: one row per item (columns in docs/declarations.md).

    Parcel columns (``house_ref``, ``consignee.name``, ``total_value.amount``, ...) may be repeated on every row of a
    parcel or given only on its first row; a later row that gives a different value is a problem. Item columns
    carry the ``item.`` prefix (``item.description``, ``item.hs6``, ``item.value.amount``, ...).
    manifest_id defaults to the ``manifest_id`` column, else ``source``.
    """
    text = _decode(data, source)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InvalidDeclarationError(f"{source}: empty CSV", [Problem("manifest", "line 1: no header row")])
        header = [h.strip() for h in header]
        if "house_ref" not in header:
            problems.append(Problem("manifest", "line 1: no 'house_ref' column (the parcel key)"))
        dupes = sorted({h for h in header if header.count(h) > 1 and h})
        if dupes:
            problems.append(Problem("manifest", f"line 1: duplicate columns {dupes}"))
        rows: list[tuple[int, dict[str, str]]] = []
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                problems.append(Problem("manifest", f"line {line}: {len(fields)} fields, header has {len(header)}"))
                continue
            rows.append((line, {h: f.strip() for h, f in zip(header, fields) if h and f.strip()}))
    except csv.Error as exc:
        raise InvalidDeclarationError(
            f"{source}: malformed CSV", [*problems, Problem("manifest", f"line {reader.line_num}: {exc}")]
        ) from None
    if problems:
        raise InvalidDeclarationError(f"{source}: malformed CSV", problems)
    if not rows:
        raise InvalidDeclarationError(f"{source}: no data rows", [Problem("parcels", "no rows")])
    doc, locations = _rows_to_manifest(rows, problems)
    doc.setdefault("manifest_id", manifest_id or source)
    doc.setdefault("source_format", source_format)
    if problems:
        raise InvalidDeclarationError(f"{source}: inconsistent CSV", problems)
    return validate_manifest(doc, locations=locations)


def _rows_to_manifest(
    rows: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, str]]:
    doc: dict[str, Any] = {}
    parcels: dict[str, dict[str, Any]] = {}
    first_values: dict[str, dict[str, tuple[str, int]]] = {}
    locations: dict[str, str] = {}
    for line, row in rows:
        for col in MANIFEST_COLUMNS:
            if col in row:
                doc.setdefault(col, row[col])
        ref = row.get("house_ref", "")
        if ref not in parcels:
            parcels[ref] = {"items": []}
            first_values[ref] = {}
        p_index = list(parcels).index(ref)
        parcel, seen = parcels[ref], first_values[ref]
        item: dict[str, Any] = {}
        for col, value in row.items():
            if col in MANIFEST_COLUMNS:
                continue
            try:
                if col.startswith(ITEM_PREFIX):
                    _set_path(item, col[len(ITEM_PREFIX) :], value)
                elif col.startswith("master."):
                    _set_path(doc, col, value)
                elif col in seen:
                    if seen[col][0] != value:
                        problems.append(
                            Problem(
                                f"parcels[{p_index}].{col}",
                                f"line {line}: {value!r} differs from {seen[col][0]!r} on line {seen[col][1]}",
                            )
                        )
                else:
                    seen[col] = (value, line)
                    _set_path(parcel, col, value.split(";") if col in LIST_COLUMNS else value)
            except ValueError as exc:
                problems.append(Problem("manifest", f"line {line}: {exc}"))
        locations.setdefault(f"parcels[{p_index}]", f"CSV line {line}")
        locations[f"parcels[{p_index}].items[{len(parcel['items'])}]"] = f"CSV line {line}"
        parcel["items"].append(item)
    doc["parcels"] = list(parcels.values())
    return doc, locations


def read_manifest(path: str | Path) -> Manifest:
    """Reads a manifest file: ``.csv`` as CSV, anything else as JSON."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidDeclarationError(f"cannot read manifest {p}: {exc.strerror or exc}") from None
    if p.suffix.lower() == ".csv":
        return read_manifest_csv(data, source=str(p), manifest_id=p.stem)
    return read_manifest_json(data, source=str(p))
