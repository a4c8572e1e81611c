"""Exception types of the domain library and the validation mode for non-conformant input.

Every error raised on bad input derives from :class:`NIIError`, so callers (the CLI, the service) can turn
it into a clear message without catching unrelated bugs.
"""

from __future__ import annotations

import enum


class NIIError(Exception):
    """Base class of every error NII raises on bad input or configuration."""


class InvalidScanError(NIIError):
    """A scan file or stream cannot be read as an X-ray scan (bytes, structure, pixel data or metadata)."""


class UnsupportedScanError(InvalidScanError):
    """A well-formed file whose SOP class or layout NII does not read."""


class InvalidDeclarationError(NIIError):
    """A manifest / declaration that fails parsing or validation."""


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
