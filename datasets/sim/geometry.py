"""Solid parts of simulated objects: extruded outlines, lying cylinders / frustums, ellipsoids.

Every part is made of one material (a name of ``nii.physics.materials.MATERIALS``) and lives in its object's
local frame: x, y in mm in the object's base plane, z in mm above the object's base. A part is described by its
footprint and a thickness profile along z, symmetric about its centre height ``z``; this "column" description is
exact for prisms, cylinders lying on their side, ellipsoids and tilted slabs, and gives both the top view (path
length along z) and a side view (see :mod:`datasets.sim.raster`).

``fill`` scales the material's density: fabrics, corrugated board or powders fill part of their bulk volume
(e.g. 0.1), and a negative fill removes material, which is how shells are made (outer solid minus inner solid).
``mix`` makes a part a mixture: (material, volume fraction) pairs sharing one footprint (a Li-ion jelly roll,
coated paper, food); areal densities add linearly, so this is exact for the forward model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nii.errors import NIIError


class GeometryError(NIIError):
    """A part or object with impossible dimensions (negative sizes, empty outlines)."""


Mix = tuple[tuple[str, float], ...]


def _check_common(material: str, fill: float, mix: Mix) -> None:
    if not material:
        raise GeometryError("a part needs a material name")
    if fill == 0 or not math.isfinite(fill) or abs(fill) > 1.0:
        raise GeometryError(f"part fill must be in [-1, 0) or (0, 1], got {fill}")
    for name, frac in mix:
        if not 0 < frac <= 1:
            raise GeometryError(f"mix fraction of {name!r} must be in (0, 1], got {frac}")


class _PartBase:
    material: str
    fill: float
    mix: Mix

    def components(self) -> Mix:
        """(material, signed volume fraction) pairs of the part."""
        if self.mix:
            return tuple((m, f * self.fill) for m, f in self.mix)
        return ((self.material, self.fill),)

    def volume_mm3(self) -> float:
        raise NotImplementedError


@dataclass(frozen=True)
class Prism(_PartBase):
    """An extruded outline: ``polygons`` (each float [N, 2], mm, local x y) filled through ``thickness`` mm.

    The polygons are separate pieces of the same stock (coins, pills, chips): where two overlap they lie on one
    another and the X-ray sees both, as the volume (the sum of their areas) counts both. One piece is one polygon.

    edge: radius (mm) of rounded edges (0 = sharp; at most thickness / 2, which gives a pillow / cylinder edge).
    texture: relative amplitude of a smooth random density variation (folds, packing density), with features of
    about ``texture_mm``; ``seed`` makes it reproducible. in_mask: False for packaging that is not the object.
    """

    material: str
    polygons: tuple[np.ndarray, ...]
    thickness: float
    z: float
    edge: float = 0.0
    fill: float = 1.0
    texture: float = 0.0
    texture_mm: float = 20.0
    seed: int = 0
    in_mask: bool = True
    mix: Mix = ()

    def __post_init__(self) -> None:
        _check_common(self.material, self.fill, self.mix)
        if not self.polygons:
            raise GeometryError(f"prism of {self.material!r} has no outline")
        for p in self.polygons:
            if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 3:
                raise GeometryError(f"prism outline must be [N>=3, 2] mm, got shape {p.shape}")
        if not self.thickness > 0:
            raise GeometryError(f"prism thickness must be > 0 mm, got {self.thickness}")
        if not 0 <= self.edge <= self.thickness / 2 + 1e-9:
            raise GeometryError(f"edge radius must be in [0, thickness/2={self.thickness / 2}], got {self.edge}")

    def volume_mm3(self) -> float:
        area = sum(polygon_area(p) for p in self.polygons)
        if self.edge == 0:
            return area * self.thickness
        # rounded edges remove e^2 (2 - pi/2) of cross-section per unit of outline length; by Pappus the length
        # that counts is the one at the removed section's centroid, 0.2234 e inside the outline, and a closed outline
        # turns once, so each one loses 2 pi 0.2234 e of it (a pillow-edged plush toy was seen 7 % heavier)
        inset = 2 * math.pi * self.edge * (10 - 3 * math.pi) / (12 - 3 * math.pi)
        length = sum(max(polygon_perimeter(p) - inset, 0.0) for p in self.polygons)
        return max(0.0, area * self.thickness - length * self.edge**2 * (2 - math.pi / 2))

    def bounds(self) -> tuple[float, float, float, float]:
        pts = np.concatenate(self.polygons)
        return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())

    @property
    def half_height(self) -> float:
        return self.thickness / 2


@dataclass(frozen=True)
class Cylinder(_PartBase):
    """A cylinder or frustum lying in the base plane, axis from ``p0`` to ``p1`` (local mm), radii ``r0`` -> ``r1``.

    level: liquid-style filling, the filled fraction of the diameter from the bottom (1 = full solid); the filled
    part stays at the bottom of the lying cylinder. Centre height ``z`` is the axis height.
    """

    material: str
    p0: tuple[float, float]
    p1: tuple[float, float]
    r0: float
    r1: float
    z: float
    level: float = 1.0
    fill: float = 1.0
    in_mask: bool = True
    mix: Mix = ()

    def __post_init__(self) -> None:
        _check_common(self.material, self.fill, self.mix)
        if not (self.r0 > 0 and self.r1 > 0):
            raise GeometryError(f"cylinder radii must be > 0 mm, got {self.r0}, {self.r1}")
        if math.dist(self.p0, self.p1) <= 0:
            raise GeometryError("cylinder axis has zero length")
        if not 0 < self.level <= 1:
            raise GeometryError(f"cylinder level must be in (0, 1], got {self.level}")

    @property
    def length(self) -> float:
        return math.dist(self.p0, self.p1)

    def volume_mm3(self) -> float:
        r0, r1, length = self.r0, self.r1, self.length
        full = math.pi * length * (r0 * r0 + r0 * r1 + r1 * r1) / 3
        if self.level >= 1:
            return full
        # circular segment of height 2 r level, as a fraction of the disc (radius taken as the mean radius)
        h = 2 * self.level
        theta = 2 * math.acos(1 - h)
        frac = (theta - math.sin(theta)) / (2 * math.pi)
        return full * frac

    def bounds(self) -> tuple[float, float, float, float]:
        r = max(self.r0, self.r1)
        xs = (self.p0[0], self.p1[0])
        ys = (self.p0[1], self.p1[1])
        return min(xs) - r, min(ys) - r, max(xs) + r, max(ys) + r

    @property
    def half_height(self) -> float:
        return max(self.r0, self.r1)


@dataclass(frozen=True)
class Ellipsoid(_PartBase):
    """An ellipsoid: centre (local mm), in-plane semi-axes ``a`` (along ``angle_deg``) and ``b``, half-height ``c``."""

    material: str
    centre: tuple[float, float]
    a: float
    b: float
    c: float
    z: float
    angle_deg: float = 0.0
    fill: float = 1.0
    in_mask: bool = True
    mix: Mix = ()

    def __post_init__(self) -> None:
        _check_common(self.material, self.fill, self.mix)
        if not (self.a > 0 and self.b > 0 and self.c > 0):
            raise GeometryError(f"ellipsoid semi-axes must be > 0 mm, got {self.a}, {self.b}, {self.c}")

    def volume_mm3(self) -> float:
        return 4.0 / 3.0 * math.pi * self.a * self.b * self.c

    def bounds(self) -> tuple[float, float, float, float]:
        r = max(self.a, self.b)
        return self.centre[0] - r, self.centre[1] - r, self.centre[0] + r, self.centre[1] + r

    @property
    def half_height(self) -> float:
        return self.c


Part = Prism | Cylinder | Ellipsoid


@dataclass(frozen=True)
class Cavity:
    """A hollow inside an object where something can be hidden: local box x0 y0 x1 y1 (mm), floor height z0."""

    x0: float
    y0: float
    x1: float
    y1: float
    z0: float
    depth: float


@dataclass
class SimObject:
    """One simulated item: its parts (local frame, mm) and what the declaration side needs to know about it.

    kind: the variant name (``pistol``, ``folding_knife``, ``usb_cable``...). category: taxonomy category, or None
    for benign clutter and packing material. value_eur: its value. attributes: variant details (brand, model,
    cell type, count of units) used by the description templates. cavities: hiding places for concealment.
    """

    kind: str
    category: str | None
    parts: list[Part]
    value_eur: float = 0.0
    attributes: dict[str, object] = field(default_factory=dict)
    cavities: list[Cavity] = field(default_factory=list)
    _mass: float | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.parts:
            raise GeometryError(f"object {self.kind!r} has no parts")

    def mass_kg(self) -> float:
        """Mass from density x fill x volume of every part, kg (computed once; parts are not changed after build)."""
        if self._mass is None:
            from nii.physics.materials import get_material

            grams = 0.0
            for p in self.parts:
                vol_cm3 = p.volume_mm3() / 1000.0
                grams += sum(get_material(m).density_g_cm3 * f * vol_cm3 for m, f in p.components())
            self._mass = grams / 1000.0
        return self._mass

    def bounds(self) -> tuple[float, float, float, float]:
        """Footprint bounds of the positive parts, (x0, y0, x1, y1) mm local."""
        bs = np.array([p.bounds() for p in self.parts if p.fill > 0])
        return float(bs[:, 0].min()), float(bs[:, 1].min()), float(bs[:, 2].max()), float(bs[:, 3].max())

    def height_mm(self) -> float:
        """Top of the highest positive part above the base, mm."""
        return max(p.z + p.half_height for p in self.parts if p.fill > 0)

    def size_mm(self) -> tuple[float, float, float]:
        x0, y0, x1, y1 = self.bounds()
        return x1 - x0, y1 - y0, self.height_mm()

    def centred(self) -> SimObject:
        """The same object moved so that its footprint is centred on the local origin and its base is at z = 0."""
        x0, y0, x1, y1 = self.bounds()
        zmin = min(p.z - p.half_height for p in self.parts if p.fill > 0)
        return SimObject(
            self.kind,
            self.category,
            [translate(p, -(x0 + x1) / 2, -(y0 + y1) / 2, -zmin) for p in self.parts],
            self.value_eur,
            dict(self.attributes),
            [
                Cavity(
                    c.x0 - (x0 + x1) / 2,
                    c.y0 - (y0 + y1) / 2,
                    c.x1 - (x0 + x1) / 2,
                    c.y1 - (y0 + y1) / 2,
                    c.z0 - zmin,
                    c.depth,
                )
                for c in self.cavities
            ],
        )


def translate(part: Part, dx: float, dy: float, dz: float) -> Part:
    """The part moved by (dx, dy, dz) mm."""
    from dataclasses import replace

    if isinstance(part, Prism):
        shift = np.array([dx, dy])
        return replace(part, polygons=tuple(p + shift for p in part.polygons), z=part.z + dz)
    if isinstance(part, Cylinder):
        return replace(
            part,
            p0=(part.p0[0] + dx, part.p0[1] + dy),
            p1=(part.p1[0] + dx, part.p1[1] + dy),
            z=part.z + dz,
        )
    return replace(part, centre=(part.centre[0] + dx, part.centre[1] + dy), z=part.z + dz)


def transform_part(part: Part, angle_deg: float, dx: float, dy: float, dz: float = 0.0) -> Part:
    """The part rotated by ``angle_deg`` about the local origin, then moved by (dx, dy, dz) mm."""
    from dataclasses import replace

    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    rot = np.array([[c, -s], [s, c]])

    def tp(p: tuple[float, float]) -> tuple[float, float]:
        return (c * p[0] - s * p[1] + dx, s * p[0] + c * p[1] + dy)

    if isinstance(part, Prism):
        return replace(part, polygons=tuple(q @ rot.T + np.array([dx, dy]) for q in part.polygons), z=part.z + dz)
    if isinstance(part, Cylinder):
        return replace(part, p0=tp(part.p0), p1=tp(part.p1), z=part.z + dz)
    return replace(part, centre=tp(part.centre), angle_deg=part.angle_deg + angle_deg, z=part.z + dz)


def polygon_area(p: np.ndarray) -> float:
    """Area of a simple polygon [N, 2] (shoelace), mm^2."""
    x, y = p[:, 0], p[:, 1]
    return float(abs(np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:]) + x[-1] * y[0] - y[-1] * x[0]) / 2)


def polygon_perimeter(p: np.ndarray) -> float:
    d = np.diff(p, axis=0, append=p[:1])
    return float(np.sqrt((d * d).sum(axis=1)).sum())
