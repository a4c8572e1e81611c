"""Scene -> per-material areal density images (g/cm^2) and per-object instance masks, for the top and side views.

The top view adds every part's path length (mm) x density x fill into the canvas of its material. The side
view is made from the same 3-D layout: each pixel of a part's plan raster is a vertical column of material
(height = path length, centred on the column centre height); seen from the side, every column covers the rows
between its bottom and top with a path of one plan pixel (the beam runs across the belt). This is exact for
prisms, lying cylinders, ellipsoids and tilted slabs, i.e. for everything the library builds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from datasets.sim.geometry import Part, Prism, SimObject
from datasets.sim.raster import PartRaster, Pose, ViewGeometry, part_heights, rasterise
from nii.physics.materials import get_material, mass_attenuation

MASK_COVERAGE = 0.5
"""Share of a pixel a part must cover to count in its object's instance mask."""
OCCLUSION_ENERGY_KEV = 70.0
OCCLUSION_MIN_ATTENUATION = 0.1
"""An object's pixel counts as occluded when other items (not packaging or fill) add at least this attenuation
there at 70 keV (about 5 mm of plastic, 0.5 mm of steel)."""


@dataclass
class Placed:
    """An object in the scene. role: ``item`` (annotated if it has a category), ``packaging`` or ``filler``."""

    obj: SimObject
    pose: Pose
    role: str = "item"
    concealed: bool = False
    height_mm: float = 0.0

    def __post_init__(self) -> None:
        if not self.height_mm:
            self.height_mm = self.obj.height_mm()


@dataclass
class Instance:
    """One object's footprint in a view: bool mask [h, w] at (r0, c0), its occluded fraction, its index in the
    scene."""

    index: int
    r0: int
    c0: int
    mask: np.ndarray
    occluded: float = 0.0

    @property
    def box_xyxy(self) -> tuple[int, int, int, int]:
        """Tight box [x1, y1, x2, y2] in pixels (x2, y2 exclusive) of the mask."""
        rows = np.flatnonzero(self.mask.any(axis=1))
        cols = np.flatnonzero(self.mask.any(axis=0))
        return (
            self.c0 + int(cols[0]),
            self.r0 + int(rows[0]),
            self.c0 + int(cols[-1]) + 1,
            self.r0 + int(rows[-1]) + 1,
        )


@dataclass
class Rendered:
    """Areal densities (material -> float32 [rows, cols] g/cm^2), the instances of annotated objects and those of the
    unannotated ones asked for (``others``: their boxes for error analysis; they do not count in the annotated
    objects' occlusion)."""

    areal: dict[str, np.ndarray]
    instances: list[Instance] = field(default_factory=list)
    others: list[Instance] = field(default_factory=list)


@dataclass(frozen=True)
class SideGeometry:
    """The side view: rows = height (row 0 at ``z_top_mm``), columns shared with the top view. Its source sits
    ``source_distance_mm`` beyond the near wall (w = 0) at height ``source_height_mm``; magnification is 1 at
    ``w_ref_mm`` across the belt."""

    spacing_mm: float
    rows: int
    cols: int
    z_top_mm: float
    source_distance_mm: float
    source_height_mm: float
    w_ref_mm: float


@functools.cache
def _mu70(material: str) -> float:
    return float(mass_attenuation(material, [OCCLUSION_ENERGY_KEV])[0])


MAX_SLICES = 24


def _slice_count(part: Part, p: Placed, view: ViewGeometry) -> tuple[int, float, float]:
    """(number of height slices, bottom and top height in mm) of a tall prism whose top and bottom the fan beam
    magnifies differently by more than about half a pixel; 1 for everything else."""
    if view.kind != "top" or not isinstance(part, Prism) or part.thickness < 20:
        return 1, 0.0, 0.0
    zc = part_heights(part, p.pose, p.height_mm)
    x0, y0, x1, y1 = part.bounds()
    reach = abs(p.pose.w - view.source_lateral_mm) + max(x1 - x0, y1 - y0) / 2
    z_lo, z_hi = zc - part.thickness / 2, zc + part.thickness / 2
    dk = view.magnification(z_lo) - view.magnification(z_hi)
    return min(MAX_SLICES, math.ceil(reach * abs(dk) / view.row_spacing)), z_lo, z_hi


def _smear(r: PartRaster, view: ViewGeometry, zc: float, z_lo: float, z_hi: float, k: int) -> PartRaster:
    """The projection of a tall prism: its raster at mid height, re-magnified for ``k`` height slices and summed
    (each slice carries 1/k of the path; row scaling about the source keeps the mass). Box walls and shoe uppers
    then show as the oblique bands of real line-scan images."""
    k_mid = view.magnification(zc)
    src = view.source_lateral_mm / view.row_spacing - r.r0  # source row in bbox coordinates
    h, w = r.t_mm.shape
    scales = [view.magnification(z_lo + (j + 0.5) * (z_hi - z_lo) / k) / k_mid for j in range(k)]
    top = min(0.0, min(src + (0 - src) * a for a in scales))
    bottom = max(float(h), max(src + (h - src) * a for a in scales))
    r0 = max(0, math.floor(r.r0 + top))
    r1 = min(view.rows, math.ceil(r.r0 + bottom))
    out_h = max(1, r1 - r0)
    t = np.zeros((out_h, w), dtype=np.float32)
    cov = np.zeros((out_h, w), dtype=np.float32)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    for a in scales:
        # output row y (in the new bbox) samples input row (y + r0 - r.r0 - src) / a + src
        m = np.array([[1.0, 0.0, 0.0], [0.0, 1.0 / a, (r0 - r.r0 - src) / a + src]], dtype=np.float64)
        t += cv2.warpAffine(r.t_mm, m, (w, out_h), flags=flags) * np.float32(1.0 / (a * k))
        np.maximum(cov, cv2.warpAffine(r.coverage, m, (w, out_h), flags=flags), out=cov)
    return PartRaster(r0, r.c0, t, cov)


def _rasters(p: Placed, view: ViewGeometry, columns: bool) -> list[tuple[int, PartRaster]]:
    out = []
    for i, part in enumerate(p.obj.parts):
        r = rasterise(part, p.pose, p.height_mm, view, columns=columns)
        if r is None:
            continue
        k, z_lo, z_hi = _slice_count(part, p, view)
        if k > 1:
            r = _smear(r, view, (z_lo + z_hi) / 2, z_lo, z_hi, k)
        out.append((i, r))
    return out


def render_top(
    placed: Sequence[Placed], view: ViewGeometry, annotate: Sequence[int], others: Sequence[int] = ()
) -> Rendered:
    """Top view of the scene. annotate / others: indices into ``placed`` whose instance masks are wanted, as
    annotated objects and as unannotated ones."""
    shape = (view.rows, view.cols)
    areal: dict[str, np.ndarray] = {}
    att = np.zeros(shape, dtype=np.float32)
    own: dict[int, tuple[int, int, np.ndarray, np.ndarray]] = {}
    want = set(annotate) | set(others)
    for idx, p in enumerate(placed):
        rasters = _rasters(p, view, columns=False)
        if idx in want and rasters:
            r0 = min(r.r0 for _, r in rasters)
            c0 = min(r.c0 for _, r in rasters)
            r1 = max(r.r0 + r.t_mm.shape[0] for _, r in rasters)
            c1 = max(r.c0 + r.t_mm.shape[1] for _, r in rasters)
            own[idx] = (r0, c0, np.zeros((r1 - r0, c1 - c0), bool), np.zeros((r1 - r0, c1 - c0), np.float32))
        for i, r in rasters:
            part = p.obj.parts[i]
            h, w = r.t_mm.shape
            a = np.zeros((h, w), dtype=np.float32)
            for material, frac in part.components():
                ad = r.t_mm * np.float32(get_material(material).density_g_cm3 * frac / 10.0)
                canvas = areal.get(material)
                if canvas is None:
                    canvas = areal[material] = np.zeros(shape, dtype=np.float32)
                canvas[r.r0 : r.r0 + h, r.c0 : r.c0 + w] += ad
                a += ad * np.float32(_mu70(material))
            if p.role == "item":
                att[r.r0 : r.r0 + h, r.c0 : r.c0 + w] += a
            if idx in own:
                o_r0, o_c0, mask, oatt = own[idx]
                sl = (slice(r.r0 - o_r0, r.r0 - o_r0 + h), slice(r.c0 - o_c0, r.c0 - o_c0 + w))
                oatt[sl] += a
                if part.in_mask and part.fill > 0:
                    mask[sl] |= r.coverage >= MASK_COVERAGE
    for canvas in areal.values():
        np.maximum(canvas, 0, out=canvas)  # shells: outer minus inner can round below zero at edges

    def instances(indices: Sequence[int]) -> list[Instance]:
        out = []
        for idx in indices:
            if idx not in own:
                continue
            r0, c0, mask, oatt = own[idx]
            if not mask.any():
                continue
            h, w = mask.shape
            other = att[r0 : r0 + h, c0 : c0 + w] - oatt
            occluded = float(np.mean(other[mask] > OCCLUSION_MIN_ATTENUATION))
            out.append(Instance(idx, r0, c0, mask, occluded))
        return out

    return Rendered(areal, instances(annotate), instances(others))


def _side_rows(z: np.ndarray, w_mm: float | np.ndarray, side: SideGeometry) -> np.ndarray:
    k = (side.source_distance_mm + side.w_ref_mm) / (side.source_distance_mm + w_mm)
    z_img = side.source_height_mm + (z - side.source_height_mm) * k
    return (side.z_top_mm - z_img) / side.spacing_mm


def _splat(entries: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], rows: int, cols: int) -> np.ndarray:
    """Sums column spans (top row a, bottom row b, column c, value v; rows fractional) into a [rows, cols] image,
    each span covering the rows between a and b with area-exact fractional ends."""
    if not entries:
        return np.zeros((rows, cols), dtype=np.float32)
    a = np.concatenate([e[0] for e in entries])
    b = np.concatenate([e[1] for e in entries])
    c = np.concatenate([e[2] for e in entries])
    v = np.concatenate([e[3] for e in entries])
    a = np.clip(a, 0, rows)
    b = np.clip(b, 0, rows)
    ia, ib = np.floor(a).astype(np.int64), np.floor(b).astype(np.int64)
    fa, fb = (a - ia).astype(np.float32), (b - ib).astype(np.float32)
    n = (rows + 2) * cols
    idx = np.concatenate([ia * cols + c, (ia + 1) * cols + c, ib * cols + c, (ib + 1) * cols + c])
    wts = np.concatenate([v * (1 - fa), v * fa, -v * (1 - fb), -v * fb])
    diff = np.bincount(idx, weights=wts, minlength=n)[:n].reshape(rows + 2, cols)
    return np.cumsum(diff, axis=0)[:rows].astype(np.float32)


def render_side(
    placed: Sequence[Placed],
    plan: ViewGeometry,
    side: SideGeometry,
    annotate: Sequence[int],
    others: Sequence[int] = (),
) -> Rendered:
    """Side view of the scene from plan rasters (world grid, no magnification) of every part. annotate / others as
    for ``render_top``."""
    per_material: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {}
    instances: list[Instance] = []
    unannotated: list[Instance] = []
    annotated = set(annotate)
    want = annotated | set(others)
    s = plan.row_spacing  # each plan pixel is a column of material s mm deep along the side view's beam
    for idx, p in enumerate(placed):
        obj_entries = []
        for i, r in _rasters(p, plan, columns=True):
            part = p.obj.parts[i]
            assert r.zc_mm is not None
            ok = r.coverage > 1e-3
            if not ok.any():
                continue
            rr, cc = np.nonzero(ok)
            cov = r.coverage[ok]
            height = r.t_mm[ok] / cov
            zc = r.zc_mm[ok]
            w_mm = (r.r0 + rr + 0.5).astype(np.float32) * s  # each column magnified at its own distance
            top = _side_rows(zc + height / 2, w_mm, side)
            bottom = _side_rows(zc - height / 2, w_mm, side)
            col = cc.astype(np.int64) + r.c0
            for material, frac in part.components():
                rho = get_material(material).density_g_cm3 * frac / 10.0
                per_material.setdefault(material, []).append((top, bottom, col, cov * np.float32(s * rho)))
            if idx in want and part.in_mask and part.fill > 0:
                obj_entries.append((top, bottom, col, cov))
        if obj_entries:
            inst = _side_instance(idx, obj_entries, side.rows)
            if inst is not None:
                (instances if idx in annotated else unannotated).append(inst)
    areal = {m: np.maximum(_splat(e, side.rows, side.cols), 0) for m, e in per_material.items()}
    # side view occlusion: the share of an object's mask that other annotated objects' masks cover
    count = np.zeros((side.rows, side.cols), dtype=np.int16)
    for inst in instances:
        h, w = inst.mask.shape
        count[inst.r0 : inst.r0 + h, inst.c0 : inst.c0 + w] += inst.mask[: side.rows - inst.r0, : side.cols - inst.c0]
    for inst in instances:
        h, w = inst.mask.shape
        c = count[inst.r0 : inst.r0 + h, inst.c0 : inst.c0 + w]
        m = inst.mask[: c.shape[0], : c.shape[1]]
        inst.occluded = float(np.mean(c[m] > 1)) if m.any() else 0.0
    return Rendered(areal, instances, unannotated)


BELT_MM = 3.0


def add_belt_side(areal: dict[str, np.ndarray], side: SideGeometry, belt_width_mm: float, w0_mm: float = 20.0) -> None:
    """Adds the belt seen edge-on (rubber, ``BELT_MM`` thick, ``belt_width_mm`` across from ``w0_mm``) to a side
    view's areal densities: the dark band at the bottom of real side views, spread by the fan beam like the rest."""
    step = 5.0
    w = np.arange(w0_mm + step / 2, w0_mm + belt_width_mm, step, dtype=np.float32)
    top = _side_rows(np.zeros_like(w), w, side)
    bottom = _side_rows(np.full_like(w, -BELT_MM), w, side)
    value = np.full(w.shape, step / 10.0 * 0.93, dtype=np.float32)  # g/cm^2 per covered row: rubber 0.93 g/cm^3
    profile = _splat([(top, bottom, np.zeros(w.shape, np.int64), value)], side.rows, 1)[:, 0]
    rubber = areal.setdefault("rubber", np.zeros((side.rows, side.cols), dtype=np.float32))
    rubber += np.maximum(profile, 0)[:, None]


def _side_instance(
    idx: int, entries: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], rows: int
) -> Instance | None:
    top = np.concatenate([e[0] for e in entries])
    bottom = np.concatenate([e[1] for e in entries])
    col = np.concatenate([e[2] for e in entries])
    r0 = max(0, math.floor(top.min()))
    r1 = min(rows, math.ceil(bottom.max()) + 1)
    c0, c1 = int(col.min()), int(col.max()) + 1
    if r1 <= r0:
        return None
    cover = _splat([(top - r0, bottom - r0, col - c0, np.ones_like(top))], r1 - r0, c1 - c0)
    mask = cover >= MASK_COVERAGE
    if not mask.any():
        return None
    return Instance(idx, r0, c0, mask, 0.0)
