"""The ``nii`` command.

Subcommands of the domain library are defined here; the layers above (``datasets``, ``models``,
``training``, ``serve``) contribute theirs through the ``nii.commands`` entry-point group, and benchmarks
through ``nii.benches``, so this module never imports them. A plugin is a callable
``register(subparsers) -> None`` that adds one subparser whose ``func`` default runs the command and returns
an exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import EntryPoint, entry_points

from nii import __version__
from nii.errors import NIIError

log = logging.getLogger("nii")

Register = Callable[..., None]

# Built-in subcommands of nii/, each a module exposing ``register(subparsers)``.
BUILTIN_COMMANDS = ("nii.commands.bench", "nii.commands.describe", "nii.commands.scan", "nii.commands.inspect")


def load_plugins(group: str) -> list[tuple[str, Register]]:
    """Loads the ``register`` callables of an entry-point group, sorted by name.

    A plugin whose own top-level package is absent (a layer not installed) is skipped with a warning; any
    other import error is a bug and propagates.
    """
    found: list[tuple[str, Register]] = []
    eps: list[EntryPoint] = sorted(entry_points(group=group), key=lambda e: e.name)
    for ep in eps:
        try:
            found.append((ep.name, ep.load()))
        except ModuleNotFoundError as exc:
            top = ep.value.split(":")[0].split(".")[0]
            if exc.name is None or not (exc.name == top or exc.name.startswith(ep.value.split(":")[0])):
                raise
            log.warning("%s plugin %r unavailable: %s", group, ep.name, exc)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nii",
        description="Non-intrusive inspection of parcels: read DICOS/DICOM X-ray scans, detect contents, "
        "cross-check them against advance declarations and pick a customs lane.",
    )
    parser.add_argument("--version", action="version", version=f"nii {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for modname in BUILTIN_COMMANDS:
        importlib.import_module(modname).register(sub)
    for _name, register in load_plugins("nii.commands"):
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except NIIError as exc:
        print(f"nii {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
