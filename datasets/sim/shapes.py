"""Outline and part builders in millimetres, used by the object library.

Outlines are float64 [N, 2] arrays (local x, y in mm), counter-clockwise or not (filling ignores orientation).
The part builders return lists of parts so that hollow things (shells, tubes, rings) are one call.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from datasets.sim.geometry import Cylinder, Part, Prism


def rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Axis-aligned rectangle outline."""
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


def centred_rect(length: float, width: float, cx: float = 0.0, cy: float = 0.0) -> np.ndarray:
    return rect(cx - length / 2, cy - width / 2, cx + length / 2, cy + width / 2)


def rounded_rect(
    length: float, width: float, radius: float, cx: float = 0.0, cy: float = 0.0, n: int = 6
) -> np.ndarray:
    """Rectangle of ``length`` x ``width`` centred at (cx, cy) with corner radius ``radius`` (n points per corner)."""
    r = max(0.0, min(radius, length / 2, width / 2))
    if r == 0:
        return centred_rect(length, width, cx, cy)
    hx, hy = length / 2 - r, width / 2 - r
    pts = []
    for (sx, sy), a0 in (((1, 1), 0.0), ((-1, 1), 90.0), ((-1, -1), 180.0), ((1, -1), 270.0)):
        for a in np.linspace(a0, a0 + 90.0, n):
            t = math.radians(a)
            pts.append((cx + sx * hx + r * math.cos(t), cy + sy * hy + r * math.sin(t)))
    return np.array(pts, dtype=np.float64)


def ellipse(a: float, b: float, cx: float = 0.0, cy: float = 0.0, angle_deg: float = 0.0, n: int = 32) -> np.ndarray:
    """Ellipse outline with semi-axes a (along angle_deg) and b."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x, y = a * np.cos(t), b * np.sin(t)
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def circle(r: float, cx: float = 0.0, cy: float = 0.0, n: int = 24) -> np.ndarray:
    return ellipse(r, r, cx, cy, 0.0, n)


def poly(points: list[tuple[float, float]], scale: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """Outline from a list of (x, y) points, scaled then moved."""
    return np.asarray(points, dtype=np.float64) * scale + np.array([dx, dy])


def jitter(outline: np.ndarray, rng: np.random.Generator, amount_mm: float) -> np.ndarray:
    """The outline with each vertex moved by up to ``amount_mm`` (procedural shape variation)."""
    return outline + rng.uniform(-amount_mm, amount_mm, size=outline.shape)


def rotate(outline: np.ndarray, angle_deg: float, cx: float = 0.0, cy: float = 0.0) -> np.ndarray:
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    d = outline - np.array([cx, cy])
    return np.stack([cx + c * d[:, 0] - s * d[:, 1], cy + s * d[:, 0] + c * d[:, 1]], axis=1)


MIN_WALL_MM = 1.2
"""Walls thinner than this are drawn this wide with proportionally lower fill (mass kept), so that foil and film
walls seen edge-on stay visible at any pixel spacing instead of vanishing between subpixels."""


def box_shell(
    material: str,
    length: float,
    width: float,
    height: float,
    wall: float,
    *,
    z0: float = 0.0,
    cx: float = 0.0,
    cy: float = 0.0,
    fill: float = 1.0,
    radius: float = 0.0,
    in_mask: bool = True,
) -> list[Part]:
    """A closed hollow box (walls ``wall`` mm thick) standing on z0.

    Tall or square-cornered boxes are built as two plates and four wall slabs, so that the fan beam can project
    each wall at its own height (the oblique walls of real parcel images); flat rounded ones (laptops) as an outer
    solid minus the inner air."""
    il, iw, ih = length - 2 * wall, width - 2 * wall, height - 2 * wall
    if il <= 0 or iw <= 0 or ih <= 0 or (radius > 0 and height < 60):
        outer = Prism(
            material,
            (rounded_rect(length, width, radius, cx, cy),),
            height,
            z0 + height / 2,
            fill=fill,
            in_mask=in_mask,
        )
        if il <= 0 or iw <= 0 or ih <= 0:
            return [outer]
        inner = Prism(
            material,
            (rounded_rect(il, iw, max(0.0, radius - wall), cx, cy),),
            ih,
            z0 + height / 2,
            fill=-fill,
            in_mask=False,
        )
        return [outer, inner]
    plate = (rounded_rect(length, width, radius, cx, cy),)
    we = max(wall, MIN_WALL_MM)
    f = fill * wall / we
    x0, x1, y0, y1 = cx - length / 2, cx + length / 2, cy - width / 2, cy + width / 2
    walls = (
        rect(x0, y0, x1, y0 + we),
        rect(x0, y1 - we, x1, y1),
        rect(x0, y0 + we, x0 + we, y1 - we),
        rect(x1 - we, y0 + we, x1, y1 - we),
    )
    return [
        Prism(material, plate, wall, z0 + wall / 2, fill=fill, in_mask=in_mask),
        Prism(material, plate, wall, z0 + height - wall / 2, fill=fill, in_mask=in_mask),
        # one part per wall: a narrow footprint each, cheap to slice for the fan beam
        *(Prism(material, (w,), ih, z0 + height / 2, fill=f, in_mask=in_mask) for w in walls),
    ]


def open_tray(
    material: str,
    length: float,
    width: float,
    height: float,
    wall: float,
    *,
    z0: float = 0.0,
    fill: float = 1.0,
    radius: float = 0.0,
    in_mask: bool = True,
) -> list[Part]:
    """A box without lid: bottom plate plus walls (outer minus inner solid above the bottom)."""
    bottom = Prism(material, (rounded_rect(length, width, radius),), wall, z0 + wall / 2, fill=fill, in_mask=in_mask)
    h = height - wall
    if h <= 0:
        return [bottom]
    walls = Prism(material, (rounded_rect(length, width, radius),), h, z0 + wall + h / 2, fill=fill, in_mask=in_mask)
    inner = Prism(
        material,
        (rounded_rect(length - 2 * wall, width - 2 * wall, max(0.0, radius - wall)),),
        h,
        z0 + wall + h / 2,
        fill=-fill,
        in_mask=False,
    )
    return [bottom, walls, inner]


def tube(
    material: str,
    p0: tuple[float, float],
    p1: tuple[float, float],
    r_out: float,
    wall: float,
    z: float,
    *,
    fill: float = 1.0,
    in_mask: bool = True,
) -> list[Part]:
    """A hollow cylinder lying in the plane (gun barrel, pipe, can wall)."""
    outer = Cylinder(material, p0, p1, r_out, r_out, z, fill=fill, in_mask=in_mask)
    r_in = r_out - wall
    if r_in <= 0:
        return [outer]
    return [outer, Cylinder(material, p0, p1, r_in, r_in, z, fill=-fill, in_mask=False)]


def ring(
    material: str,
    r_out: float,
    r_in: float,
    thickness: float,
    z: float,
    cx: float = 0.0,
    cy: float = 0.0,
    *,
    fill: float = 1.0,
    in_mask: bool = True,
    n: int = 24,
) -> list[Part]:
    """A flat annulus (washer, eyelet, watch case, key ring seen from above)."""
    outer = Prism(material, (circle(r_out, cx, cy, n),), thickness, z, fill=fill, in_mask=in_mask)
    if r_in <= 0:
        return [outer]
    return [outer, Prism(material, (circle(r_in, cx, cy, n),), thickness, z, fill=-fill, in_mask=False)]


def polyline_band(points: list[tuple[float, float]] | np.ndarray, width: float) -> np.ndarray:
    """Outline of a band of ``width`` mm along a polyline (cable runs, straps, zipper tapes)."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 2:
        raise ValueError(f"a band needs at least 2 points, got {len(pts)}")
    d = np.gradient(pts, axis=0)
    n = np.stack([-d[:, 1], d[:, 0]], axis=1)
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    left = pts + n * width / 2
    right = pts - n * width / 2
    return np.concatenate([left, right[::-1]])


def cable_path(
    rng: np.random.Generator, start: tuple[float, float], length: float, step: float = 8.0, curl: float = 0.35
) -> np.ndarray:
    """A random smooth polyline of total ``length`` mm (a loose cable), starting at ``start``."""
    n = max(2, int(length / step))
    heading = rng.uniform(0, 2 * np.pi)
    turn = 0.0
    pts = [np.array(start, dtype=np.float64)]
    for _ in range(n):
        turn = 0.8 * turn + rng.normal(0, curl)
        heading += turn
        pts.append(pts[-1] + step * np.array([math.cos(heading), math.sin(heading)]))
    return np.array(pts)


def cylinder_chain(
    material: str, points: np.ndarray, radius: float, z: float, *, fill: float = 1.0, in_mask: bool = True
) -> list[Part]:
    """A bent round wire / cable: one cylinder per polyline segment."""
    parts: list[Part] = []
    for a, b in itertools.pairwise(points):
        if float(np.hypot(*(b - a))) > 1e-6:
            parts.append(
                Cylinder(
                    material,
                    (float(a[0]), float(a[1])),
                    (float(b[0]), float(b[1])),
                    radius,
                    radius,
                    z,
                    fill=fill,
                    in_mask=in_mask,
                )
            )
    return parts


def inset(outline: np.ndarray, d: float) -> np.ndarray:
    """A convex outline moved inwards by ``d`` mm (each edge shifted along its inward normal)."""
    p = np.asarray(outline, dtype=np.float64)
    x, y = p[:, 0], p[:, 1]
    ccw = (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) > 0
    e = np.roll(p, -1, axis=0) - p
    normal = np.stack([-e[:, 1], e[:, 0]], axis=1) if ccw else np.stack([e[:, 1], -e[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
    a = p + normal * d  # a point on each shifted edge, edge i runs from p[i] along e[i]
    out = []
    n = len(p)
    for i in range(n):
        j = (i - 1) % n  # intersect shifted edge j (previous) with shifted edge i
        m = np.array([e[j], -e[i]]).T
        if abs(np.linalg.det(m)) < 1e-12:
            out.append(a[i])
            continue
        t = np.linalg.solve(m, a[i] - a[j])
        out.append(a[j] + t[0] * e[j])
    return np.array(out)


def hollow(
    material: str,
    outline: np.ndarray,
    thickness: float,
    wall: float,
    z: float,
    *,
    fill: float = 1.0,
    in_mask: bool = True,
    mix: tuple[tuple[str, float], ...] = (),
) -> list[Part]:
    """A closed shell of a convex outline: outer solid minus the inner solid inset by ``wall`` on every side."""
    outer = Prism(material, (outline,), thickness, z, fill=fill, in_mask=in_mask, mix=mix)
    if thickness - 2 * wall <= 0:
        return [outer]
    inner = Prism(material, (inset(outline, wall),), thickness - 2 * wall, z, fill=-fill, in_mask=False, mix=mix)
    return [outer, inner]


def discs(centres: np.ndarray, r: float | np.ndarray, n: int = 12) -> tuple[np.ndarray, ...]:
    """Circle outlines of radius ``r`` (scalar or [K]) around ``centres`` [K, 2] (many small round things)."""
    c = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    unit = np.stack([np.cos(t), np.sin(t)], axis=1)
    radii = np.broadcast_to(np.asarray(r, dtype=np.float64), (len(c),))
    pts = c[:, None, :] + radii[:, None, None] * unit[None, :, :]
    return tuple(pts)


def rim(
    material: str,
    outline: np.ndarray,
    thickness: float,
    wall: float,
    z: float,
    *,
    fill: float = 1.0,
    in_mask: bool = True,
) -> list[Part]:
    """An open frame (band) of a convex outline, ``wall`` mm wide: a phone's side frame, a watch case."""
    return [
        Prism(material, (outline,), thickness, z, fill=fill, in_mask=in_mask),
        Prism(material, (inset(outline, wall),), thickness, z, fill=-fill, in_mask=False),
    ]


def soft_outline(
    rng: np.random.Generator,
    length: float,
    width: float,
    *,
    radius: float = 15.0,
    wobble: float = 0.04,
    cx: float = 0.0,
    cy: float = 0.0,
    n: int = 10,
) -> np.ndarray:
    """A rounded rectangle whose edges bulge and sag smoothly (folded textiles, pouches, crumpled paper):
    ``wobble`` is the relative amplitude of the low-frequency deformation."""
    base = rounded_rect(length, width, radius, 0.0, 0.0, n)
    angle = np.arctan2(base[:, 1], base[:, 0])
    bump = np.zeros(len(base))
    for k in (2, 3, 5):
        bump += rng.normal(0, wobble / k) * np.cos(k * angle + rng.uniform(0, 2 * np.pi))
    return base * (1.0 + bump)[:, None] + np.array([cx, cy])
