"""Projection of parts: mass conservation in the top and side views, tight instance masks, tilt and fan beam."""

from __future__ import annotations

import numpy as np
import pytest

from datasets.sim.geometry import Cylinder, Ellipsoid, Prism, SimObject
from datasets.sim.raster import Pose, ViewGeometry
from datasets.sim.render import Placed, SideGeometry, render_side, render_top
from datasets.sim.shapes import rounded_rect, tube


def _obj() -> SimObject:
    parts = [
        Prism("steel", (rounded_rect(100, 50, 5),), 10, 5, edge=3),
        Cylinder("aluminium", (-40, 30), (40, 30), 8, 8, 8),
        *tube("copper", (-40, -40), (40, -40), 6, 1, 6),
        Ellipsoid("water", (0, 0), 30, 20, 10, 10),
        Cylinder("water", (-40, 60), (40, 60), 20, 20, 20, level=0.4),
        Cylinder("copper", (-40, -60), (40, -60), 0.4, 0.4, 1),  # a wire much thinner than a pixel
    ]
    return SimObject("test", None, parts).centred()


def _mass_kg(areal: dict[str, np.ndarray], spacing_mm: float) -> float:
    return float(sum(a.sum() for a in areal.values()) * (spacing_mm / 10) ** 2 / 1000)


@pytest.mark.parametrize("spacing", [0.8, 1.0, 1.6])
@pytest.mark.parametrize(
    "pose", [Pose(200, 150, 40), Pose(200, 150, 60, 33, 25, 40), Pose(200, 150, 50, 120, 0, 0, True)]
)
def test_top_and_side_views_conserve_mass(spacing: float, pose: Pose) -> None:
    obj = _obj()
    plan = ViewGeometry("plan", spacing, int(300 / spacing), int(400 / spacing))
    top = render_top([Placed(obj, pose)], plan, [0])
    assert _mass_kg(top.areal, spacing) == pytest.approx(obj.mass_kg(), rel=0.03)
    side = SideGeometry(spacing, int(340 / spacing), plan.cols, 300.0, 1e9, 150.0, 150.0)
    rs = render_side([Placed(obj, pose)], plan, side, [0])
    assert _mass_kg(rs.areal, spacing) == pytest.approx(obj.mass_kg(), rel=0.03)


def test_side_view_from_a_coarser_plan_grid_keeps_mass() -> None:
    obj = _obj()
    plan = ViewGeometry("plan", 1.0, 150, 400, row_spacing_mm=2.0)
    side = SideGeometry(1.0, 340, 400, 300.0, 900.0, 20.0, 150.0)
    rs = render_side([Placed(obj, Pose(200, 150, 30, 20))], plan, side, [0])
    assert _mass_kg(rs.areal, 1.0) == pytest.approx(obj.mass_kg(), rel=0.04)


def test_thin_wire_keeps_its_mass_at_coarse_pixels() -> None:
    wire = SimObject("wire", None, [Cylinder("copper", (0, 0), (200, 3), 0.3, 0.3, 1)]).centred()
    for spacing in (0.8, 1.6):
        plan = ViewGeometry("plan", spacing, int(100 / spacing), int(300 / spacing))
        top = render_top([Placed(wire, Pose(150, 50))], plan, [])
        assert _mass_kg(top.areal, spacing) == pytest.approx(wire.mass_kg(), rel=0.02)


def test_thin_blade_keeps_its_mass_at_coarse_pixels() -> None:
    """Prism outlines are sampled at pixel centres: a 1 mm blade at 2 mm/px keeps its mass on average over where it
    falls (cv2.fillPoly, which fills every pixel an edge touches, gave it 1.8-2x)."""
    rng = np.random.default_rng(0)
    for width in (1.0, 3.0):
        blade = SimObject("blade", None, [Prism("steel", (rounded_rect(120, width, 0),), 2.0, 1.0)]).centred()
        seen = []
        for _ in range(12):
            pose = Pose(*rng.uniform(140, 160, size=2), 0.0, float(rng.uniform(0, 180)))
            top = render_top([Placed(blade, pose)], ViewGeometry("plan", 2.0, 150, 150), [])
            seen.append(_mass_kg(top.areal, 2.0))
        assert np.mean(seen) == pytest.approx(blade.mass_kg(), rel=0.03), width


def test_overlapping_outlines_lie_on_one_another() -> None:
    """Pieces of one prism that overlap (coins in a pile, crossed scissor blades) add their thickness there; the
    even-odd fill left a hole in the overlap (a pile of coins was seen with 0.64-0.72x its mass)."""
    square = np.array([[0.0, 0.0], [40.0, 0.0], [40.0, 40.0], [0.0, 40.0]])
    pile = SimObject("pile", None, [Prism("steel", (square, square + 20), 2.0, 1.0)]).centred()
    top = render_top([Placed(pile, Pose(50, 50))], ViewGeometry("plan", 1.0, 100, 100), [])
    a = top.areal["steel"]
    assert a[35, 35] > 0 and a[65, 65] == pytest.approx(a[35, 35], rel=0.01)
    assert a[50, 50] == pytest.approx(2 * a[35, 35], rel=0.01)  # the shared 20 x 20 mm: two layers
    assert _mass_kg(top.areal, 1.0) == pytest.approx(pile.mass_kg(), rel=0.01)


def test_a_band_crossing_itself_counts_twice_there() -> None:
    """A curled cable's outline crosses itself: the crossing is two layers of cable (absolute winding number)."""
    from datasets.sim.raster import layer_count
    from datasets.sim.shapes import polyline_band

    loop = polyline_band([(10, 50), (90, 50), (90, 10), (50, 10), (50, 90)], 6.0)
    filled = layer_count(loop, 100, 100)
    assert filled is not None
    r0, c0, counts = filled
    assert counts[50 - r0, 50 - c0] == 2  # where the last leg crosses the first
    assert counts[50 - r0, 20 - c0] == 1
    assert counts.max() == 2


def test_unannotated_items_are_located_without_changing_the_scene_or_the_annotations() -> None:
    """``others`` (clutter located for error analysis) leaves the image and the annotated objects' masks and
    occlusion as they are, in both views."""
    phone = SimObject("phone", "phone", [Prism("aluminium", (rounded_rect(150, 70, 8),), 8, 4)]).centred()
    keys = SimObject("keys", None, [Prism("brass", (rounded_rect(60, 25, 4),), 2, 1)]).centred()
    scene = [Placed(phone, Pose(150, 100, 10)), Placed(keys, Pose(170, 110, 20, 30))]
    plan = ViewGeometry("plan", 1.0, 200, 300)
    side = SideGeometry(1.0, 340, plan.cols, 300.0, 1e9, 150.0, 150.0)
    for render in (
        lambda others: render_top(scene, plan, [0], others),
        lambda others: render_side(scene, plan, side, [0], others),
    ):
        alone, both = render(()), render([1])
        assert alone.others == [] and [o.index for o in both.others] == [1]
        assert alone.areal.keys() == both.areal.keys()
        assert all(np.array_equal(alone.areal[m], both.areal[m]) for m in alone.areal)
        (a,), (b,) = alone.instances, both.instances
        assert np.array_equal(a.mask, b.mask) and a.occluded == b.occluded and a.box_xyxy == b.box_xyxy
        x1, y1, x2, y2 = both.others[0].box_xyxy
        assert x2 > x1 and y2 > y1


def test_masks_give_tight_boxes_inside_the_image() -> None:
    obj = _obj()
    plan = ViewGeometry("plan", 1.0, 300, 400)
    inst = render_top([Placed(obj, Pose(200, 150, 0, 20))], plan, [0]).instances[0]
    x1, y1, x2, y2 = inst.box_xyxy
    assert 0 <= x1 < x2 <= 400 and 0 <= y1 < y2 <= 300
    full = np.zeros((300, 400), bool)
    h, w = inst.mask.shape
    full[inst.r0 : inst.r0 + h, inst.c0 : inst.c0 + w] = inst.mask
    assert full[:, x1].any() and full[:, x2 - 1].any() and full[y1].any() and full[y2 - 1].any()
    assert not full[:, :x1].any() and not full[:y1].any()


def test_tilt_foreshortens_and_thickens() -> None:
    slab = SimObject("slab", None, [Prism("aluminium", (rounded_rect(100, 100, 0),), 5, 2.5)]).centred()
    plan = ViewGeometry("plan", 1.0, 200, 200)
    flat = render_top([Placed(slab, Pose(100, 100))], plan, [0])
    tilted = render_top([Placed(slab, Pose(100, 100, 0, 0, 60, 0))], plan, [0])
    a_flat, a_tilt = flat.areal["aluminium"], tilted.areal["aluminium"]
    assert (a_tilt > 0).sum() == pytest.approx((a_flat > 0).sum() / 2, rel=0.08)  # cos 60 = 0.5
    assert a_tilt.max() == pytest.approx(2 * a_flat.max(), rel=0.02)
    assert a_tilt.sum() == pytest.approx(a_flat.sum(), rel=0.02)


def test_fan_beam_shrinks_objects_higher_above_the_belt() -> None:
    slab = SimObject("slab", None, [Prism("aluminium", (rounded_rect(100, 100, 0),), 5, 2.5)]).centred()
    top = ViewGeometry("top", 1.0, 400, 200, source_distance_mm=1000.0, source_lateral_mm=200.0)
    low = render_top([Placed(slab, Pose(100, 200, 0))], top, [0]).instances[0]
    high = render_top([Placed(slab, Pose(100, 200, 250))], top, [0]).instances[0]
    h_low = low.box_xyxy[3] - low.box_xyxy[1]
    h_high = high.box_xyxy[3] - high.box_xyxy[1]
    assert h_high == pytest.approx(h_low * 1000 / 1252.5, abs=2)  # across the belt only
    assert high.box_xyxy[2] - high.box_xyxy[0] == low.box_xyxy[2] - low.box_xyxy[0]  # along the belt: none


def test_liquid_level_shows_in_the_side_view_only() -> None:
    bottle = SimObject("b", None, [Cylinder("water", (0, 0), (200, 0), 40, 40, 40, level=0.5)]).centred()
    plan = ViewGeometry("plan", 1.0, 200, 300)
    side = SideGeometry(1.0, 140, 300, 100.0, 1e9, 50.0, 100.0)
    rs = render_side([Placed(bottle, Pose(150, 100))], plan, side, [0])
    column = rs.areal["water"][:, 150]
    filled = np.flatnonzero(column > 0.05)
    # half full: water from the belt (row 100) up to 40 mm (row 60)
    assert filled.min() == pytest.approx(60, abs=2) and filled.max() == pytest.approx(99, abs=2)


def test_non_square_pixels_keep_mass_and_stretch_along_the_belt() -> None:
    obj = _obj()
    square = ViewGeometry("plan", 1.0, 300, 400)
    wide = ViewGeometry("plan", 1.25, 300, 320, row_spacing_mm=1.0)  # columns 1.25 mm (faster belt)
    a = render_top([Placed(obj, Pose(200, 150))], square, [0])
    b = render_top([Placed(obj, Pose(200, 150))], wide, [0])
    mass_b = sum(x.sum() for x in b.areal.values()) * (1.0 * 1.25 / 100) / 1000
    assert mass_b == pytest.approx(obj.mass_kg(), rel=0.03)
    wa = a.instances[0].box_xyxy[2] - a.instances[0].box_xyxy[0]
    wb = b.instances[0].box_xyxy[2] - b.instances[0].box_xyxy[0]
    assert wb == pytest.approx(wa / 1.25, abs=2)
