"""Exception types of the domain library and the validation mode for non-conformant input.

Every error raised on bad input derives from :class:`NIIError`, so callers (the CLI, the service) can turn
it into a clear message without catching unrelated bugs.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence


class NIIError(Exception):
    """Base class of every error NII raises on bad input or configuration."""


class InvalidScanError(NIIError):
    """A scan file or stream cannot be read as an X-ray scan (bytes, structure, pixel data or metadata)."""


class UnsupportedScanError(InvalidScanError):
    """A well-formed file whose SOP class or layout NII does not read."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem found in an input document: ``path`` locates it (e.g. ``parcels[3].items[0].hs6``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidDeclarationError(NIIError):
    """A manifest / declaration that fails parsing or validation; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        if self.problems:
            shown = "; ".join(str(p) for p in self.problems[:20])
            more = f"; ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            message = f"{message}: {shown}{more}"
        super().__init__(message)


class ConfigError(NIIError):
    """A configuration file or value is missing or malformed."""


class ModelError(NIIError):
    """A model checkpoint is missing, corrupt or incompatible."""


class ValidationMode(enum.Enum):
    """How strictly non-conformant (but readable) vendor files are treated, after pydicom's settings.

    IGNORE reads silently, WARN reads and logs a warning, RAISE refuses with :class:`InvalidScanError`.
    Structural damage (no pixel data, truncated bytes) always raises whatever the mode.
    """

    IGNORE = "ignore"
    WARN = "warn"
    RAISE = "raise"
