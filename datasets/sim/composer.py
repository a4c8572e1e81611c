"""Parcel composer: picks contents, packs them into a box, mailer or polybag with overlap and stacking, hides
threats (inside shoes or toys, under a laptop or book, among cables) and lays the parcel on the belt.

Packing keeps a height map of the container floor (5 mm cells): each item goes where, among a few random
candidate spots, it rests lowest; it then raises the map under its footprint. Items overlap in projection as
they do in real parcels, and the 3-D layout stays consistent for the side view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from datasets.sim.config import ParcelConfig
from datasets.sim.geometry import SimObject
from datasets.sim.objects import KINDS, ObjectKind, kinds_in_group, kinds_of
from datasets.sim.objects.packing import mailer, polybag, shipping_box, tray
from datasets.sim.raster import Pose
from datasets.sim.render import Placed
from nii.taxonomy import load_taxonomy

CELL_MM = 5.0
HOSTS_UNDER = ("laptop", "book", "folded_clothing", "electronic_toy", "shoes_pair")
MAX_BOX = (800.0, 560.0, 600.0)


@dataclass
class ParcelLayout:
    """A packed parcel on the belt. ``placed[0]`` is the container; ``annotated`` are the indices of objects with
    a taxonomy category; ``concealment[i]`` names how object i is hidden (``inside``, ``under``, ``among``)."""

    placed: list[Placed]
    annotated: list[int]
    container: str
    length_mm: float
    tunnel_width_mm: float
    height_mm: float
    concealment: dict[int, str] = field(default_factory=dict)

    def true_mass_kg(self) -> float:
        return float(sum(p.obj.mass_kg() for p in self.placed))

    def clutter(self) -> list[int]:
        """Indices of the items without a taxonomy category (keys, cables, cutlery): in the parcel, not annotated."""
        return [i for i, p in enumerate(self.placed) if p.role == "item" and p.obj.category is None]


def _weighted(rng: np.random.Generator, kinds: list[ObjectKind]) -> ObjectKind:
    w = np.array([k.weight for k in kinds], dtype=np.float64)
    return kinds[int(rng.choice(len(kinds), p=w / w.sum()))]


def _category(rng: np.random.Generator, names: list[str], weights: dict[str, float]) -> str:
    w = np.array([weights.get(n, 1.0) for n in names], dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(len(names))
    return names[int(rng.choice(len(names), p=w / w.sum()))]


def pick_contents(
    rng: np.random.Generator, cfg: ParcelConfig
) -> tuple[list[SimObject], list[SimObject], list[SimObject], list[SimObject]]:
    """(goods, threats, clutter, fillers) objects for one parcel."""
    tax = load_taxonomy()
    benign = [c.name for c in tax.categories if not c.prohibited]
    prohibited = [c.name for c in tax.categories if c.prohibited]
    counts = np.asarray(cfg.goods_count_weights, dtype=np.float64)
    n = int(rng.choice(len(counts), p=counts / counts.sum()))
    goods: list[SimObject] = []
    while len(goods) < n:
        kind = _weighted(rng, kinds_of(_category(rng, benign, cfg.category_weights)))
        copies = int(rng.choice([1, 2, 3], p=[0.75, 0.18, 0.07]))
        obj = kind.build(rng)  # identical units share one object: one declared line with a quantity
        goods += [obj] * min(copies, max(1, n - len(goods)))
    threats: list[SimObject] = []
    if rng.random() < cfg.threat_share:
        k = 2 if rng.random() < cfg.second_threat_share else 1
        for _ in range(k):
            threats.append(_weighted(rng, kinds_of(_category(rng, prohibited, cfg.category_weights))).build(rng))
    clutter = [
        _weighted(rng, kinds_in_group("clutter")).build(rng)
        for _ in range(int(rng.integers(cfg.clutter_count[0], cfg.clutter_count[1] + 1)))
    ]
    fillers = [
        _weighted(rng, kinds_in_group("packing")).build(rng)
        for _ in range(int(rng.integers(cfg.filler_count[0], cfg.filler_count[1] + 1)))
    ]
    return goods, threats, clutter, fillers


class NoRoomError(Exception):
    """An optional item (packing fill) does not fit under the container's lid."""


class _Packer:
    """Height-map packing inside an inner rectangle [0, L] x [0, W] (container-local mm, z from the floor)."""

    def __init__(self, rng: np.random.Generator, length: float, width: float, max_height: float, cfg: ParcelConfig):
        self.rng, self.L, self.W, self.H, self.cfg = rng, length, width, max_height, cfg
        self.hmap = np.zeros((max(1, int(width / CELL_MM)), max(1, int(length / CELL_MM))), dtype=np.float32)

    def _cells(self, x: float, y: float, hx: float, hy: float) -> tuple[slice, slice]:
        c0, c1 = int((x - hx) / CELL_MM), math.ceil((x + hx) / CELL_MM)
        r0, r1 = int((y - hy) / CELL_MM), math.ceil((y + hy) / CELL_MM)
        rows, cols = self.hmap.shape
        return slice(max(0, r0), max(min(rows, r1), max(0, r0) + 1)), slice(
            max(0, c0), max(min(cols, c1), max(0, c0) + 1)
        )

    def pose_for(
        self,
        obj: SimObject,
        at: tuple[float, float] | None = None,
        angle: float | None = None,
        *,
        optional: bool = False,
    ) -> tuple[Pose, float]:
        """A resting pose for ``obj`` (and the top height it reaches); ``at`` forces the position. With
        ``optional`` a pose that would rise above the container raises :class:`NoRoomError` instead."""
        rng = self.rng
        sx, sy, h = obj.size_mm()
        best: tuple[float, Pose, float] | None = None
        long_item = sx > 0.8 * self.W or sy > 0.8 * self.W
        for _ in range(6 if at is None else 1):
            if angle is not None:
                a = angle
            elif long_item:  # lay it along the container's length
                a = float((0 if sx >= sy else 90) + rng.choice([0, 180]) + rng.normal(0, 3))
            elif rng.random() < 0.6:
                a = float(rng.choice([0, 90, 180, 270]) + rng.normal(0, 6))
            else:
                a = rng.uniform(0, 360)
            ca, sa = abs(math.cos(math.radians(a))), abs(math.sin(math.radians(a)))
            hx, hy = (sx * ca + sy * sa) / 2, (sx * sa + sy * ca) / 2
            if at is None:
                x = rng.uniform(min(hx, self.L / 2), max(self.L - hx, self.L / 2))
                y = rng.uniform(min(hy, self.W / 2), max(self.W - hy, self.W / 2))
            else:
                x = float(np.clip(at[0], min(hx, self.L / 2), max(self.L - hx, self.L / 2)))
                y = float(np.clip(at[1], min(hy, self.W / 2), max(self.W - hy, self.W / 2)))
            tilt, axis = 0.0, 0.0
            if rng.random() < self.cfg.tilt_share:
                tilt = float(min(abs(rng.normal(0, self.cfg.max_tilt_deg / 2.5)), self.cfg.max_tilt_deg))
                axis = rng.uniform(0, 180)
            sl = self._cells(x, y, hx * 0.85, hy * 0.85)
            base = float(self.hmap[sl].max())
            n = math.radians(axis)
            extent = abs(-math.sin(n) * sx / 2) + abs(math.cos(n) * sy / 2)  # half extent along the tilt normal
            lift = extent * math.sin(math.radians(tilt))
            top = base + h * math.cos(math.radians(tilt)) + 2 * lift
            score = base + (1000.0 if top > self.H else 0.0) + rng.uniform(0, 5)
            pose = Pose(x, y, base + lift, a, tilt, axis, bool(rng.random() < 0.5))
            if best is None or score < best[0]:
                best = (score, pose, top)
        assert best is not None
        _, pose, top = best
        if optional and top > self.H:
            raise NoRoomError(obj.kind)
        ca, sa = abs(math.cos(math.radians(pose.angle_deg))), abs(math.sin(math.radians(pose.angle_deg)))
        sl = self._cells(pose.u, pose.w, (sx * ca + sy * sa) / 2 * 0.9, (sx * sa + sy * ca) / 2 * 0.9)
        self.hmap[sl] = np.maximum(self.hmap[sl], top)
        return pose, top


def _local_to_world(host: Pose, x: float, y: float) -> tuple[float, float]:
    ys = -y if host.flip else y
    c, s = math.cos(math.radians(host.angle_deg)), math.sin(math.radians(host.angle_deg))
    return host.u + c * x - s * ys, host.w + s * x + c * ys


def _fits(obj: SimObject, cw: float, ch: float) -> float | None:
    """Angle (0 or 90) at which the object's footprint fits in a cw x ch cavity, or None."""
    sx, sy, _ = obj.size_mm()
    if sx <= cw and sy <= ch:
        return 0.0
    if sy <= cw and sx <= ch:
        return 90.0
    return None


HOSTS_INSIDE = ("shoes_pair", "electronic_toy", "plush_toy")


def _cavity_fit(obj: SimObject, hosts: list[SimObject]) -> bool:
    return any(_fits(obj, c.x1 - c.x0, c.y1 - c.y0) is not None for h in hosts for c in h.cavities)


def _plan_concealment(
    rng: np.random.Generator, cfg: ParcelConfig, goods: list[SimObject], threats: list[SimObject]
) -> dict[int, str]:
    """Decides how each threat is hidden (threat index -> inside / under / among). A smuggler picks the cover:
    the host (shoes or a toy to hide in, a laptop, book or clothes to hide under) is added when the parcel has
    none, and a threat hidden inside is a variant small enough for the cavity (else it goes under a host)."""
    hidden: dict[int, str] = {}
    for t in range(len(threats)):
        if rng.random() >= cfg.concealment_share:
            continue
        mode = str(rng.choice(["inside", "under", "among"]))
        if mode == "inside":
            hosts = [g for g in goods if g.cavities]
            if not hosts:
                hosts = [KINDS.get(str(rng.choice(HOSTS_INSIDE))).build(rng)]
                goods += hosts
            if not _cavity_fit(threats[t], hosts):
                small = [k for k in kinds_of(str(threats[t].category)) if k.concealable]
                for _ in range(8 if small else 0):
                    candidate = small[int(rng.integers(len(small)))].build(rng)
                    if _cavity_fit(candidate, hosts):
                        threats[t] = candidate
                        break
                else:
                    mode = "under"
        if mode == "under" and not any(g.kind in HOSTS_UNDER for g in goods):
            goods.append(KINDS.get(str(rng.choice(HOSTS_UNDER[:4]))).build(rng))
        hidden[t] = mode
    return hidden


def compose(
    rng: np.random.Generator,
    cfg: ParcelConfig,
    tunnel_width_mm: float,
    tunnel_height_mm: float,
    with_tray: bool = False,
) -> ParcelLayout:
    """Packs one random parcel and lays it on the belt (world frame of :mod:`datasets.sim.raster`)."""
    goods, threats, clutter, fillers = pick_contents(rng, cfg)
    hidden = _plan_concealment(rng, cfg, goods, threats)
    items = goods + threats + clutter
    if not items:
        items = clutter = [_weighted(rng, kinds_in_group("clutter")).build(rng)]
    dims = [[*sorted(o.size_mm()[:2], reverse=True), o.size_mm()[2]] for o in items]
    area = sum(d[0] * d[1] for d in dims)
    longest = max(d[0] for d in dims)
    second = max(d[1] for d in dims)
    tallest = max(d[2] for d in dims)
    soft = all(o.category in ("clothing", "shoes", "book", "banknotes", None) for o in goods + threats)
    options = {
        "box": 1.0,
        "mailer": 1.0 if tallest <= 40 and longest <= 340 and len(items) <= 4 else 0.0,
        "polybag": 1.0 if soft and tallest <= 120 and longest <= 420 else 0.0,
    }
    w = np.array([cfg.container_weights.get(c, 0.0) * ok for c, ok in options.items()])
    container = list(options)[int(rng.choice(3, p=w / w.sum()))] if w.sum() > 0 else "box"
    max_w = min(MAX_BOX[1], tunnel_width_mm - 60)
    pack = rng.uniform(0.8, 1.7)  # > 1: more item area than floor area, items overlap and stack
    L = float(np.clip(max(longest + 8, math.sqrt(area / pack) * rng.uniform(1.0, 1.5)), 150, MAX_BOX[0]))
    W = float(np.clip(max(second + 8, area / pack / L), 100, max_w))
    H = min(MAX_BOX[2], tunnel_height_mm - 60) if container == "box" else (45.0 if container == "mailer" else 140.0)
    packer = _Packer(rng, L, W, H, cfg)

    placed: list[Placed] = []
    concealment: dict[int, str] = {}
    order = sorted(
        range(len(goods) + len(clutter)), key=lambda i: -(dims[i if i < len(goods) else i + len(threats)][0])
    )
    benign = goods + clutter
    hosts_inside = [i for i, o in enumerate(goods) if o.cavities]
    under_hosts = [i for i, o in enumerate(goods) if o.kind in HOSTS_UNDER]

    # threats hidden under a host go in first, the host is then laid over them
    host_at: dict[int, tuple[float, float]] = {}
    for t, how in list(hidden.items()):
        if how == "under" and under_hosts:
            h = under_hosts.pop(int(rng.integers(len(under_hosts))))
            pose, _ = packer.pose_for(threats[t])
            placed.append(Placed(threats[t], pose))
            concealment[len(placed) - 1] = "under"
            host_at[h] = (pose.u + rng.normal(0, 10), pose.w + rng.normal(0, 10))
        elif how == "under":
            hidden[t] = "among"
    goods_index: dict[int, int] = {}
    for i in order:
        obj = benign[i]
        pose, _ = packer.pose_for(obj, at=host_at.get(i))
        placed.append(Placed(obj, pose))
        if i < len(goods):
            goods_index[i] = len(placed) - 1
    for t, threat in enumerate(threats):
        if any(p.obj is threat for p in placed):
            continue
        mode = hidden.get(t)
        if mode == "inside":
            spot = None
            for h in rng.permutation(hosts_inside) if hosts_inside else []:
                host = placed[goods_index[int(h)]]
                for cav in host.obj.cavities:
                    ang = _fits(threat, cav.x1 - cav.x0, cav.y1 - cav.y0)
                    if ang is not None:
                        spot = (host, cav, ang)
                        break
                if spot:
                    break
            if spot is not None:
                host, cav, ang = spot
                u, wv = _local_to_world(host.pose, (cav.x0 + cav.x1) / 2, (cav.y0 + cav.y1) / 2)
                z0 = host.height_mm - cav.z0 - cav.depth if host.pose.flip else cav.z0
                pose = Pose(
                    u,
                    wv,
                    host.pose.z + max(0.0, z0),
                    host.pose.angle_deg + ang,
                    host.pose.tilt_deg,
                    host.pose.tilt_axis_deg,
                    False,
                )
                placed.append(Placed(threat, pose, concealed=True))
                concealment[len(placed) - 1] = "inside"
                continue
            mode = "among"
        pose, _ = packer.pose_for(threat)
        placed.append(Placed(threat, pose))
        if mode == "among":
            concealment[len(placed) - 1] = "among"
            for _ in range(int(rng.integers(2, 5))):
                cable = KINDS.get(str(rng.choice(["usb_cable", "usb_cable", "charger", "earbuds"]))).build(rng)
                cpose, _ = packer.pose_for(cable, at=(pose.u + rng.normal(0, 25), pose.w + rng.normal(0, 25)))
                placed.append(Placed(cable, cpose))
    for idx in concealment:
        placed[idx].concealed = True
    for f in fillers:
        try:
            pose, _ = packer.pose_for(f, optional=True)
        except NoRoomError:
            continue
        placed.append(Placed(f, pose, role="filler"))

    height = float(packer.hmap.max()) + (rng.uniform(5, 40) if container == "box" else 2.0)
    height = max(height, 50.0 if container == "box" else 8.0)
    if container == "box":
        cont = shipping_box(L + 10, W + 10, height + 10, rng)
        floor = 5.0
    elif container == "mailer":
        cont = mailer(L + 30, W + 30, height + 2, rng)
        floor = 1.0
    else:
        cont = polybag(L + 40, W + 40, height + 2, rng)
        floor = 0.5
    # container-local (0..L, 0..W) -> belt: centre, turn, place across the belt
    turn = float(rng.choice([0.0, 90.0], p=[0.85, 0.15]) + rng.normal(0, 7))
    c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
    ext_u = abs(c) * (L + 40) + abs(s) * (W + 40)
    ext_w = abs(s) * (L + 40) + abs(c) * (W + 40)
    lead = rng.uniform(40, 160)
    cu = lead + ext_u / 2
    margin = max(10.0, (tunnel_width_mm - ext_w) / 2 - 10)
    cw = tunnel_width_mm / 2 + rng.uniform(-margin, margin) * 0.8
    lift = 4.0 if with_tray else 0.0

    def to_belt(p: Pose, z0: float) -> Pose:
        x, y = p.u - L / 2, p.w - W / 2
        return Pose(
            cu + c * x - s * y,
            cw + s * x + c * y,
            p.z + z0 + lift,
            p.angle_deg + turn,
            p.tilt_deg,
            p.tilt_axis_deg,
            p.flip,
        )

    world = [Placed(cont, to_belt(Pose(L / 2, W / 2), 0.0), role="packaging")]
    world += [Placed(p.obj, to_belt(p.pose, floor), p.role, p.concealed) for p in placed]
    shift = {i: i + 1 for i in range(len(placed))}
    if with_tray:
        world.insert(
            0,
            Placed(
                tray(ext_u + 60, min(ext_w + 60, tunnel_width_mm - 20), rng), Pose(cu, cw, 0.0, 0.0), role="packaging"
            ),
        )
        shift = {i: i + 2 for i in range(len(placed))}
    annotated = [shift[i] for i, p in enumerate(placed) if p.obj.category is not None and p.role == "item"]
    conceal = {shift[i]: m for i, m in concealment.items()}
    length = lead + ext_u + rng.uniform(40, 160)
    return ParcelLayout(world, annotated, container, length, tunnel_width_mm, height + lift + 10, conceal)
