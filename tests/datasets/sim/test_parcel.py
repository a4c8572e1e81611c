"""Whole parcels: determinism, annotations inside the image and tight around their masks, recorded settings,
dual- and single-energy views, the side view, and material classes of the physics chain."""

from __future__ import annotations

import numpy as np
import pytest

from datasets.sim.config import SynthConfig
from datasets.sim.parcel import SimParcel, simulate_parcel


@pytest.fixture(scope="module")
def parcels() -> list[SimParcel]:
    cfg = SynthConfig()
    return [
        simulate_parcel(np.random.default_rng([21, i]), cfg, ooi_id=f"P{i}", pixel_spacing_mm=1.4) for i in range(6)
    ]


def test_same_seed_same_parcel() -> None:
    cfg = SynthConfig()
    a = simulate_parcel(np.random.default_rng([5, 1]), cfg, ooi_id="A", pixel_spacing_mm=1.5)
    b = simulate_parcel(np.random.default_rng([5, 1]), cfg, ooi_id="A", pixel_spacing_mm=1.5)
    c = simulate_parcel(np.random.default_rng([5, 2]), cfg, ooi_id="A", pixel_spacing_mm=1.5)
    assert len(a.scan.views) == len(b.scan.views)
    for va, vb in zip(a.scan.views, b.scan.views, strict=True):
        for e in va.energies:
            np.testing.assert_array_equal(va.energies[e], vb.energies[e])
    assert a.scan.scan_uid == b.scan.scan_uid
    assert a.scan.views[0].shape != c.scan.views[0].shape or not np.array_equal(
        a.scan.views[0].high, c.scan.views[0].high
    )


def test_annotations_are_tight_boxes_inside_the_image(parcels: list[SimParcel]) -> None:
    n = 0
    for p in parcels:
        for view, sv in zip(p.scan.views, p.views, strict=True):
            h, w = view.shape
            for inst in sv.instances:
                x1, y1, x2, y2 = inst.box_xyxy
                assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
                m = inst.mask
                assert m.any(axis=0)[x1 - inst.c0] and m.any(axis=0)[x2 - 1 - inst.c0]
                assert m.any(axis=1)[y1 - inst.r0] and m.any(axis=1)[y2 - 1 - inst.r0]
                assert 0.0 <= inst.occluded <= 1.0
                assert p.layout.placed[inst.index].obj.category is not None
                n += 1
    assert n > 5


def test_views_record_spacing_and_energy(parcels: list[SimParcel]) -> None:
    for p in parcels:
        assert p.scan.views[0].pixel_spacing_mm == (1.4, 1.4)
        assert p.scan.kvp in SynthConfig().scanner.kvp_choices
        for v in p.scan.views:
            assert set(v.energies) in ({"high", "low"}, {"intensity"})
            for img in v.energies.values():
                assert np.isfinite(img).all()


def test_single_energy_and_side_view_are_generated() -> None:
    cfg = SynthConfig()
    p = simulate_parcel(np.random.default_rng([3, 3]), cfg, ooi_id="S", dual_energy=False, pixel_spacing_mm=1.5)
    assert not p.scan.dual_energy
    seen_side = False
    for i in range(12):
        q = simulate_parcel(np.random.default_rng([8, i]), cfg, ooi_id="D", pixel_spacing_mm=1.6)
        if len(q.scan.views) == 2:
            seen_side = True
            side = q.scan.views[1]
            assert side.shape[1] == q.scan.views[0].shape[1]  # both views share the belt axis
            assert side.high[-int(40 / 1.6) :].max() > 3  # the belt seen edge-on at the bottom
            break
    assert seen_side


def test_true_mass_is_the_sum_of_contents(parcels: list[SimParcel]) -> None:
    for p in parcels:
        total = sum(x.obj.mass_kg() for x in p.layout.placed)
        assert p.layout.true_mass_kg() == pytest.approx(total)
        assert 0.05 < total < 40


def test_physics_chain_shows_metal_as_metal_and_paper_as_organic() -> None:
    """B's material classifier on simulated scans: a steel wrench reads as metal, a book as organic."""
    from datasets.sim.objects import KINDS
    from datasets.sim.raster import Pose, ViewGeometry
    from datasets.sim.render import Placed, render_top
    from datasets.sim.scanner import forward
    from nii.imaging.materials import INORGANIC, METAL, ORGANIC, material_map
    from nii.physics import DualEnergyDetector
    from nii.scan import View

    rng = np.random.default_rng(2)
    view = ViewGeometry("plan", 1.0, 300, 600)
    placed = [
        Placed(KINDS.get("wrench").build(rng), Pose(150, 150)),
        Placed(KINDS.get("book").build(rng), Pose(430, 150)),
    ]
    r = render_top(placed, view, [0, 1])
    low, high = forward(r.areal, DualEnergyDetector(kvp=150), (300, 600))
    classes = material_map(View({"high": high, "low": low}, (1.0, 1.0)))
    wrench, book = r.instances
    cw = classes[wrench.r0 : wrench.r0 + wrench.mask.shape[0], wrench.c0 : wrench.c0 + wrench.mask.shape[1]]
    cb = classes[book.r0 : book.r0 + book.mask.shape[0], book.c0 : book.c0 + book.mask.shape[1]]
    assert np.mean(cw[wrench.mask] == METAL) > 0.6
    assert np.mean(cb[book.mask] == ORGANIC) + np.mean(cb[book.mask] == INORGANIC) * 0 > 0.6


def test_pixel_spacing_is_varied_and_may_be_non_square() -> None:
    cfg = SynthConfig()
    seen = set()
    for i in range(4):
        p = simulate_parcel(np.random.default_rng([13, i]), cfg, ooi_id="V")
        rs, cs = p.scan.views[0].pixel_spacing_mm  # type: ignore[misc]
        assert 0.8 <= rs <= 1.6 and 0.85 * rs - 1e-3 <= cs <= 1.2 * rs + 1e-3
        seen.add((rs, cs))
    assert len(seen) == 4
