"""The object library: every taxonomy category's variants, benign clutter and packing material.

Importing this package registers every kind in :data:`KINDS` (``datasets.sim.objects.base``).
"""

from __future__ import annotations

from datasets.sim.objects import clutter, contraband, devices, electronics, hard_goods, packing, soft_goods, weapons
from datasets.sim.objects.base import KINDS, ObjectKind, kinds_in_group, kinds_of

__all__ = [
    "KINDS",
    "ObjectKind",
    "clutter",
    "contraband",
    "devices",
    "electronics",
    "hard_goods",
    "kinds_in_group",
    "kinds_of",
    "packing",
    "soft_goods",
    "weapons",
]
