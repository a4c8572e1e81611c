"""Threat image projection (TIP): inserting a threat into an existing scan in the log domain.

Beer-Lambert for a monochromatic beam: I = I0 exp(-sum mu_i t_i), so the attenuation image -ln(I/I0) of threat +
parcel is the sum of their attenuation images, per energy. Compositing = adding log images, which is what
:func:`project_threat` does. Real tubes are polychromatic: the parcel hardens the beam, so a threat behind it
attenuates a little less than on its own, and the log-additive composite *overestimates* the threat's
attenuation where it overlaps dense material (a few percent over a few cm of water, more behind steel).
:func:`beam_hardening_error` measures it against a direct simulation; tests/datasets pin both the exactness for
an empty belt and a monochromatic beam, and the size of the polychromatic error.

A threat comes either from the object library (simulated on its own: :func:`patch_from_object`) or from another
scan (a cut around an annotated object: :func:`patch_from_scan`, with the local background subtracted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datasets.sim.geometry import SimObject
from datasets.sim.raster import Pose, ViewGeometry
from datasets.sim.render import Placed, SideGeometry, render_side, render_top
from nii.errors import NIIError
from nii.physics import attenuation_images
from nii.physics.detector import XrayDetector
from nii.physics.noise import add_quantum_noise
from nii.scan import View


class TIPError(NIIError):
    """A threat patch that cannot be projected onto the given view."""


@dataclass
class ThreatPatch:
    """A threat alone: attenuation images (air = 0) by energy name, float32 [h, w], and its mask bool [h, w]."""

    energies: dict[str, np.ndarray]
    mask: np.ndarray
    areal: dict[str, np.ndarray] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.mask.shape[0]), int(self.mask.shape[1]))


def object_areal(
    obj: SimObject,
    spacing_mm: float,
    *,
    angle_deg: float = 0.0,
    tilt_deg: float = 0.0,
    flip: bool = False,
    margin_px: int = 3,
    side_view: bool = False,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Areal densities (g/cm^2) and mask of one object rendered alone on a canvas just large enough: as the top
    view sees it lying on the belt, or with ``side_view`` as a dual-view scanner's side view sees it (across the
    belt, parallel beam: a knife lying flat is a thin line there)."""
    sx, sy, sz = obj.size_mm()
    reach = float(np.hypot(sx, sy))
    n = int(np.ceil(reach / spacing_mm + 2 * margin_px))
    view = ViewGeometry("plan", spacing_mm, n, n)
    centre = n * spacing_mm / 2
    placed = [Placed(obj, Pose(centre, centre, 0.0, angle_deg, tilt_deg, 0.0, flip))]
    if side_view:
        # a tilt turns the object about its base: rows from above its highest to below its lowest point
        z_top = float(np.hypot(reach, sz)) + 2 * margin_px * spacing_mm
        n_rows = int(np.ceil(2 * z_top / spacing_mm))
        side = SideGeometry(spacing_mm, n_rows, n, z_top, 1e9, 0.0, centre)  # far source: no magnification
        rendered = render_side(placed, view, side, [0])
    else:
        rendered = render_top(placed, view, [0])
    if not rendered.instances:
        raise TIPError(f"object {obj.kind!r} has no visible footprint at {spacing_mm} mm")
    inst = rendered.instances[0]
    mask = np.zeros(next(iter(rendered.areal.values())).shape, dtype=bool)
    mh, mw = inst.mask.shape
    mask[inst.r0 : inst.r0 + mh, inst.c0 : inst.c0 + mw] = inst.mask
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    sl = (
        slice(max(0, rows[0] - margin_px), rows[-1] + 1 + margin_px),
        slice(max(0, cols[0] - margin_px), cols[-1] + 1 + margin_px),
    )
    return {m: a[sl] for m, a in rendered.areal.items()}, mask[sl]


def patch_from_object(
    obj: SimObject,
    detector: XrayDetector,
    spacing_mm: float,
    *,
    dual_energy: bool = True,
    angle_deg: float = 0.0,
    tilt_deg: float = 0.0,
    flip: bool = False,
    side_view: bool = False,
) -> ThreatPatch:
    """A library object simulated on its own (noise-free) through ``detector`` at ``spacing_mm``, in the top view
    or, with ``side_view``, in the side view of a dual-view scanner."""
    areal, mask = object_areal(obj, spacing_mm, angle_deg=angle_deg, tilt_deg=tilt_deg, flip=flip, side_view=side_view)
    low, high = attenuation_images(areal, detector)
    energies = {"high": high, "low": low} if dual_energy else {"intensity": high}
    return ThreatPatch(energies, mask, areal)


def patch_from_scan(
    view: View, box_xyxy: tuple[int, int, int, int], mask: np.ndarray | None = None, border_px: int = 3
) -> ThreatPatch:
    """A cut around an object of another scan: the box's attenuation minus the local background (the median of a
    ``border_px`` ring just outside the box, per energy), clipped at 0; ``mask`` (bool, box-sized) keeps only the
    object's pixels."""
    x1, y1, x2, y2 = (int(v) for v in box_xyxy)
    h, w = view.shape
    if not (0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h):
        raise TIPError(f"box {box_xyxy} is not inside the {w}x{h} view")
    keep = np.ones((y2 - y1, x2 - x1), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if keep.shape != (y2 - y1, x2 - x1):
        raise TIPError(f"mask shape {keep.shape} does not match the box size {(y2 - y1, x2 - x1)}")
    energies = {}
    for name, img in view.energies.items():
        r0, r1 = max(0, y1 - border_px), min(h, y2 + border_px)
        c0, c1 = max(0, x1 - border_px), min(w, x2 + border_px)
        ring = np.ones((r1 - r0, c1 - c0), dtype=bool)
        ring[y1 - r0 : y2 - r0, x1 - c0 : x2 - c0] = False
        background = float(np.median(img[r0:r1, c0:c1][ring])) if ring.any() else 0.0
        energies[name] = np.where(keep, np.maximum(img[y1:y2, x1:x2] - background, 0.0), 0.0).astype(np.float32)
    return ThreatPatch(energies, keep)


def hardened_increment(
    background_high: np.ndarray, areal: dict[str, np.ndarray], detector: XrayDetector
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) attenuation a threat adds behind a background, float32 like ``background_high``, with beam
    hardening: the background is replaced by the water thickness of the same high-energy attenuation and the
    threat is simulated on top of it, A(water + threat) - A(water). Exact for water-like backgrounds."""
    from nii.physics.forward import transmission_table

    grid = np.concatenate([[0.0], np.geomspace(1e-3, 300.0, 400)]).astype(np.float32)  # g/cm^2 of water
    _, hi_w = transmission_table("water", grid, detector)
    water = np.interp(np.clip(background_high, 0, None), hi_w, grid).astype(np.float32)
    with_threat = dict(areal)
    with_threat["water"] = with_threat.get("water", np.zeros_like(water)) + water
    lo_t, hi_t = attenuation_images(with_threat, detector)
    lo_0, hi_0 = attenuation_images({"water": water}, detector)
    return lo_t - lo_0, hi_t - hi_0


def project_threat(
    view: View,
    patch: ThreatPatch,
    position: tuple[int, int],
    *,
    rng: np.random.Generator | None = None,
    photons_per_pixel: float | None = None,
    detector: XrayDetector | None = None,
) -> tuple[View, tuple[int, int, int, int], np.ndarray]:
    """``view`` with ``patch`` added in the log domain, its top-left corner at ``position`` = (x, y) pixels.

    Returns (new view, tight box [x1, y1, x2, y2] of the inserted mask in the view, full-size bool mask). The part
    of the patch outside the view is dropped. With ``rng`` and ``photons_per_pixel`` the quantum noise that the
    added attenuation would have brought is added too (variance (e^(A+P) - e^A) / N0 in the log domain).
    A dual-energy patch goes onto a single-energy view through its high-energy image; the reverse is refused.
    detector: for a library patch (which knows its areal densities), the scanner the view comes from; the added
    attenuation is then corrected for beam hardening (:func:`hardened_increment`) instead of plainly added.
    """
    x, y = position
    h, w = view.shape
    ph, pw = patch.shape
    r0, c0 = max(0, y), max(0, x)
    r1, c1 = min(h, y + ph), min(w, x + pw)
    if r1 <= r0 or c1 <= c0:
        raise TIPError(f"patch at {position} of size {pw}x{ph} falls outside the {w}x{h} view")
    psl = (slice(r0 - y, r1 - y), slice(c0 - x, c1 - x))
    increments = {k: v[psl] for k, v in patch.energies.items()}
    if detector is not None:
        if patch.areal is None:
            raise TIPError("beam-hardening correction needs a library patch (areal densities), not a cut from a scan")
        if not view.dual_energy and "intensity" not in patch.energies and "high" not in patch.energies:
            raise TIPError(f"patch energies {sorted(patch.energies)} cannot go onto a single-energy view")
        lo, hi = hardened_increment(view.high[r0:r1, c0:c1], {m: a[psl] for m, a in patch.areal.items()}, detector)
        increments = {"high": hi, "low": lo} if "low" in patch.energies else {"intensity": hi}
    out: dict[str, np.ndarray] = {}
    for name, img in view.energies.items():
        source = name if name in increments else ("high" if name == "intensity" else None)
        if source is None or source not in increments:
            raise TIPError(
                f"patch energies {sorted(patch.energies)} cannot go onto a view with {sorted(view.energies)}"
            )
        add = increments[source]
        new = img.copy()
        region = new[r0:r1, c0:c1]
        if rng is not None and photons_per_pixel:
            region[...] = _renoised(region, add, photons_per_pixel, rng)
        else:
            region += add
        out[name] = new
    mask = np.zeros((h, w), dtype=bool)
    mask[r0:r1, c0:c1] = patch.mask[psl]
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise TIPError(f"the patch's object falls outside the view at {position}")
    box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    return View(out, view.pixel_spacing_mm, {}, view.index), box, mask


def _renoised(region: np.ndarray, add: np.ndarray, n0: float, rng: np.random.Generator) -> np.ndarray:
    """``region + add`` with the quantum noise that ``add`` brings at ``n0`` photons per pixel: where the extra
    noise is small, the extra log-domain variance (e^(A+P) - e^A) / N0 is added to the region's own noise; where it
    is not (the Gaussian approximation fails as counts vanish), the counts are drawn again from Poisson(N0
    e^-(A+P)) by nii.physics.noise.add_quantum_noise (a pixel counting nothing reads ln(2 N0))."""
    total = region + add
    extra = np.maximum(np.exp(np.minimum(total, 30.0)) - np.exp(np.minimum(region, 30.0)), 0.0) / n0
    sd = np.sqrt(extra).astype(np.float32)
    small = sd < 0.25
    out = total + rng.standard_normal(add.shape).astype(np.float32) * np.where(small, sd, 0).astype(np.float32)
    if not small.all():
        out[~small] = add_quantum_noise(total[~small], n0, rng)
    return out.astype(np.float32)


def beam_hardening_error(
    background: dict[str, np.ndarray], threat: dict[str, np.ndarray], detector: XrayDetector
) -> tuple[float, float]:
    """(mean, max) relative error of the log-additive composite against a direct polychromatic simulation of
    background + threat areal densities (same shape), over the pixels where the threat lies."""
    names = set(background) | set(threat)
    shape = next(iter(background.values())).shape
    zero = np.zeros(shape, dtype=np.float32)
    both = {m: background.get(m, zero) + threat.get(m, zero) for m in names}
    lo_b, hi_b = attenuation_images(background, detector)
    lo_t, hi_t = attenuation_images(threat, detector)
    lo_d, hi_d = attenuation_images(both, detector)
    where = hi_t > 1e-3
    rel = np.concatenate([((lo_b + lo_t) - lo_d)[where] / lo_d[where], ((hi_b + hi_t) - hi_d)[where] / hi_d[where]])
    return float(np.mean(np.abs(rel))), float(np.max(np.abs(rel)))
