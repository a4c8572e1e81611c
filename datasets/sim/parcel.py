"""One simulated parcel: compose it, project it (top view, optional side view), run the scanner chain, and return
a :class:`nii.scan.Scan` with the instance annotations of each view."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from pydicom.uid import generate_uid

from datasets.sim.composer import ParcelLayout, compose
from datasets.sim.config import SynthConfig
from datasets.sim.raster import ViewGeometry
from datasets.sim.render import Instance, SideGeometry, add_belt_side, render_side, render_top
from datasets.sim.scanner import (
    SIDE_BELOW_MM,
    ScannerProfile,
    degrade,
    forward,
    obliquity,
    sample_profile,
)
from nii.scan import Scan, View


@dataclass
class SimView:
    """One view's truth: per-material areal densities (g/cm^2), noise-free (low, high) attenuation, the
    annotated instances and those of the unannotated items (clutter; ``Instance.index`` indexes ``layout.placed``)."""

    areal: dict[str, np.ndarray]
    clean: tuple[np.ndarray, np.ndarray]
    instances: list[Instance]
    pixel_spacing_mm: tuple[float, float]
    others: list[Instance] = field(default_factory=list)


@dataclass
class SimParcel:
    """A simulated parcel: its scan, its layout, the scanner it went through and the truth of each view."""

    scan: Scan
    layout: ParcelLayout
    profile: ScannerProfile
    views: list[SimView] = field(default_factory=list)


def view_geometries(profile: ScannerProfile, length_mm: float) -> tuple[ViewGeometry, ViewGeometry, SideGeometry]:
    """(top view, plan raster for the side view, side view) pixel grids of a parcel image ``length_mm`` long."""
    s, sc = profile.pixel_spacing_mm, profile.col_spacing_mm  # rows (detector pitch), columns (belt travel)
    cols = math.ceil(length_mm / sc)
    rows = math.ceil(profile.tunnel_width_mm / s)
    top = ViewGeometry("top", sc, rows, cols, profile.source_distance_mm, profile.source_lateral_mm, row_spacing_mm=s)
    plan = ViewGeometry("plan", sc, math.ceil(profile.tunnel_width_mm / (2 * s)), cols, row_spacing_mm=2 * s)
    z_top = profile.tunnel_height_mm
    side = SideGeometry(
        s,
        math.ceil((z_top + SIDE_BELOW_MM) / s),
        cols,
        z_top,
        profile.side_source_distance_mm,
        profile.side_source_height_mm,
        profile.tunnel_width_mm / 2,
    )
    return top, plan, side


def simulate_parcel(
    rng: np.random.Generator,
    cfg: SynthConfig,
    *,
    ooi_id: str,
    scan_uid: str | None = None,
    dual_energy: bool | None = None,
    pixel_spacing_mm: float | None = None,
    acquired_at: dt.datetime | None = None,
) -> SimParcel:
    """Composes, projects and scans one random parcel.

    dual_energy / pixel_spacing_mm: force these instead of sampling them from the config.
    """
    profile = sample_profile(rng, cfg.scanner, dual_energy=dual_energy, pixel_spacing_mm=pixel_spacing_mm)
    layout = compose(
        rng,
        cfg.parcel,
        profile.tunnel_width_mm,
        profile.tunnel_height_mm,
        with_tray=bool(rng.random() < cfg.scanner.tray_share),
    )
    top, plan, side = view_geometries(profile, layout.length_mm)
    detector = profile.detector()
    photons = [profile.photons_low, profile.photons_high]
    sim_views: list[SimView] = []
    views: list[View] = []

    clutter = layout.clutter()
    rendered = render_top(layout.placed, top, layout.annotated, clutter)
    factor = obliquity(top.rows, top.row_spacing, profile.source_lateral_mm, profile.source_distance_mm)
    spacing = (top.row_spacing, top.spacing_mm)
    sim_views.append(
        SimView(
            rendered.areal,
            forward(rendered.areal, detector, (top.rows, top.cols), factor),
            rendered.instances,
            spacing,
            rendered.others,
        )
    )
    if profile.second_view:
        rs = render_side(layout.placed, plan, side, layout.annotated, clutter)
        add_belt_side(rs.areal, side, profile.tunnel_width_mm - 40)
        factor = obliquity(
            side.rows,
            side.spacing_mm,
            side.z_top_mm - profile.side_source_height_mm,
            profile.side_source_distance_mm + profile.tunnel_width_mm / 2,
        )
        sim_views.append(
            SimView(
                rs.areal,
                forward(rs.areal, detector, (side.rows, side.cols), factor),
                rs.instances,
                spacing,
                rs.others,
            )
        )
    for sv in sim_views:
        low, high = sv.clean
        if profile.dual_energy:
            lo_n, hi_n = degrade([low, high], photons, profile, rng)
            energies = {"high": hi_n, "low": lo_n}
        else:
            (single,) = degrade([high], [profile.photons_high], profile, rng)
            energies = {"intensity": single}
        views.append(View(energies, pixel_spacing_mm=sv.pixel_spacing_mm))
    uid = scan_uid or str(generate_uid(entropy_srcs=["nii-synth", ooi_id]))
    scan = Scan(
        ooi_id=ooi_id,
        scan_uid=uid,
        views=views,
        source_format="synthetic",
        machine_id=profile.machine_id,
        machine_location="NII simulator",
        acquired_at=acquired_at,
        kvp=profile.kvp,
        ooi_id_type="BARCODE",
        ooi_id_authority="UPU S10",
    )
    return SimParcel(scan, layout, profile, sim_views)
