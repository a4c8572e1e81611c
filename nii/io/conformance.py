"""Value conformance of the attributes NII reads, checked by NII instead of by pydicom.

pydicom checks a value against its VR (PS3.5 table 6.2-1) when it converts the value and reports each bad
value twice, as a ``pydicom`` log record and as a ``UserWarning``, whatever the caller asked for. NII reads with
its own :class:`nii.errors.ValidationMode`, so during a read pydicom's check is switched off
(:func:`pydicom_checks_off`) and :func:`value_problem` applies the same rules to the values NII reads; the reader
reports them through :meth:`nii.io.base.ReadContext.nonconformant_value` (one line per file under WARN).

Checked, as pydicom checks them on reading: UI (digits and dots, no empty component, no leading zero in a
component, at most 64 characters), DS and IS (number syntax and length), SH / LO / UC / ST / LT (length) and
PN (component groups and length). pydicom does not check AE, AS, CS, DA, DT, TM on reading; NII neither.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

from pydicom import config
from pydicom.multival import MultiValue
from pydicom.valuerep import MAX_VALUE_LEN, PersonName, is_valid_ds

_lock = threading.Lock()
_active = 0
_saved_mode: int | None = None


@contextlib.contextmanager
def pydicom_checks_off() -> Iterator[None]:
    """Sets pydicom's ``reading_validation_mode`` to IGNORE while the block runs and restores it afterwards.

    pydicom keeps this setting in one process-global object (``pydicom.config.settings``), not per thread or per
    dataset. Nested and concurrent NII reads share one switch: the first to enter turns pydicom's check off and
    the last to leave restores the value found by the first. While any NII read runs, other code of the process
    that converts pydicom values (in another thread) is not checked by pydicom either; pydicom's writing check
    (``writing_validation_mode``) is left alone.
    """
    global _active, _saved_mode
    with _lock:
        if _active == 0:
            # the private attribute keeps "not set" (None: follow pydicom's future_behavior) as it was;
            # pydicom's own config.disable_value_validation() restores it the same way
            _saved_mode = config.settings._reading_validation_mode
            config.settings.reading_validation_mode = config.IGNORE
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                config.settings._reading_validation_mode = _saved_mode


_UID_CHARS = re.compile(r"[0-9.]*")
_IS = re.compile(r" *[+\-]?\d+ *")
_TEXT_VRS = frozenset({"SH", "LO", "UC", "ST", "LT"})
CHECKED_VRS = frozenset({"UI", "DS", "IS", "PN"}) | _TEXT_VRS
"""The VRs :func:`value_problem` checks (those pydicom checks on reading)."""


def uid_problem(uid: str) -> str | None:
    """What makes ``uid`` an invalid UI value (PS3.5 9.1), or None. Several problems are joined with ``, ``."""
    problems = []
    if not _UID_CHARS.fullmatch(uid):
        problems.append("characters other than digits and '.'")
    components = uid.split(".")
    if any(c == "" for c in components):
        problems.append("an empty component")
    if any(len(c) > 1 and c[0] == "0" for c in components):
        problems.append("leading zeros in a component")
    if len(uid) > 64:
        problems.append(f"{len(uid)} characters (at most 64)")
    return ", ".join(problems) or None


def _one(vr: str, item: Any) -> str | None:
    if vr == "UI":
        return uid_problem(item) if isinstance(item, str) and item else None
    if vr in ("DS", "IS"):
        # pydicom's DS / IS keep the text they were read from; a value made from a number has nothing to check
        text = getattr(item, "original_string", None)
        if not isinstance(text, str) or not text:
            return None
        if len(text) > MAX_VALUE_LEN[vr]:
            return f"longer than {MAX_VALUE_LEN[vr]} characters"
        if vr == "DS" and not is_valid_ds(text):
            return "not a decimal number"
        if vr == "IS" and not _IS.fullmatch(text):
            return "not an integer"
        return None
    if vr in _TEXT_VRS:
        limit = MAX_VALUE_LEN.get(vr, 0)
        return f"longer than {limit} characters" if isinstance(item, str) and 0 < limit < len(item) else None
    if vr == "PN" and isinstance(item, PersonName):
        groups = item.components
        if len(groups) > 3:
            return f"{len(groups)} component groups (at most 3)"
        if any(len(g) > 64 for g in groups):
            return "a component group longer than 64 characters"
    return None


def value_problem(vr: str | None, value: Any) -> str | None:
    """What makes a converted value (one item or a pydicom MultiValue) non-conformant to ``vr``, or None.

    Values of VRs outside :data:`CHECKED_VRS` and of unexpected types are not checked (None).
    """
    if vr not in CHECKED_VRS or value is None:
        return None
    items = value if isinstance(value, MultiValue | list | tuple) else (value,)
    for item in items:
        problem = _one(vr, item)
        if problem is not None:
            return problem
    return None
