"""``nii bench NAME``: benchmarks. ``read`` and ``crosscheck`` live in nii/; the layers above add theirs
through the ``nii.benches`` entry-point group (each a ``register(subparsers)`` callable)."""

from __future__ import annotations

import argparse
import importlib

from nii.cli import load_plugins

BUILTIN_BENCHES: tuple[str, ...] = ("nii.bench.crosscheck", "nii.bench.physics", "nii.bench.read")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="measure speed (files/s, parcels/s, latency)", description=__doc__)
    bsub = p.add_subparsers(dest="bench", metavar="NAME", required=True)
    for modname in BUILTIN_BENCHES:
        importlib.import_module(modname).register(bsub)
    for _name, reg in load_plugins("nii.benches"):
        reg(bsub)
