"""Threat image projection (TIP) while training: rare threats from the simulator's object library projected into
training views, the way screening systems insert fictional threats into live images.

Firearms and knives are in about 5 % of the simulator's views, so a training run sees a few hundred of each. TIP
adds more, drawn from the object library (``datasets.sim.objects``) in random poses and simulated on their own
through a random scanner of the simulator's fleet (:func:`datasets.sim.tip.patch_from_object`), then added in the
log domain at a random place on the parcel (Beer-Lambert: attenuations along a ray add;
:func:`datasets.sim.tip.project_threat`), with the extra quantum noise the added attenuation brings at the view's
own dose. The log-additive composite slightly overstates a threat behind dense material (a polychromatic beam is
hardened by the parcel; datasets/sim/tip.py measures it); the scanner of a cached view is not known, so that
correction is not applied here.

The projected categories need not be threats: benign goods the model confuses with one (tools, watches and cells
read as knives) can be projected with their own labels as hard negatives, which also keeps the projection itself
from becoming a cue for "threat". Unannotated clutter kinds (folded umbrellas, pens, cutlery: long steel in a
plastic shell, where 0.4.0's best-scored wrong knife boxes on background lay) can be projected too, with no box:
negatives the loss sees as background.

Rendering a patch takes a few tenths of a second, so the bank is made once per recipe and kept next to the
training cache (``<cache>/tip_<key>.npz``), keyed by everything it depends on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nii.errors import ConfigError

if TYPE_CHECKING:
    from datasets.sim.objects.base import ObjectKind

log = logging.getLogger(__name__)
BANK_VERSION = 2  # 2: prisms sampled at pixel centres, overlapping pieces stacked (datasets.sim.raster)
MAX_COUNTS_LOG = 2.0  # a pixel that counts nothing reads ln(2 N0) (nii.physics.noise)


@dataclass
class ThreatBank:
    """Threat patches alone on air at the model's mm/pixel: category index, (high, low) attenuation float32 [h, w]
    and the object's mask bool [h, w] each. A negative label (-1 - k for the k-th negative kind) marks a clutter
    patch, projected without a box."""

    labels: list[int]
    high: list[np.ndarray]
    low: list[np.ndarray]
    masks: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.labels)


def bank_key(
    categories: Sequence[str],
    threats: Sequence[str],
    mm_per_px: float,
    per_category: int,
    seed: int,
    negatives: Sequence[str] = (),
    side_share: float = 0.0,
) -> str:
    """Identifies a bank: model categories, projected categories and clutter kinds, spacing, size, seed, simulator
    config, version."""
    from datasets.sim.config import load_config

    cfg = load_config()
    blob = json.dumps(
        {
            "version": BANK_VERSION,
            "categories": list(categories),
            "threats": list(threats),
            **({"negatives": list(negatives)} if negatives else {}),  # banks without them keep their key
            **({"side_share": side_share} if side_share else {}),
            "mm_per_px": mm_per_px,
            "per_category": per_category,
            "seed": seed,
            "scanner": cfg.to_dict()["scanner"],
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def negative_kinds(names: Sequence[str]) -> list[ObjectKind]:
    """The object library's kinds ``names``, each of which must be unannotated (clutter, packing)."""
    from datasets.sim.objects import KINDS

    out = []
    for name in names:
        if name not in KINDS:
            raise ConfigError(f"TIP negative {name!r} is not an object kind; known: {sorted(KINDS.names())}")
        k = KINDS.get(name)
        if k.category is not None:
            raise ConfigError(f"TIP negative {name!r} is a {k.category!r}: project it among tip_categories instead")
        out.append(k)
    return out


def build_bank(
    categories: Sequence[str],
    threats: Sequence[str],
    mm_per_px: float,
    per_category: int,
    *,
    seed: int,
    negatives: Sequence[str] = (),
    side_share: float = 0.0,
) -> ThreatBank:
    """``per_category`` patches of each of ``threats`` (names among ``categories``) and of each unannotated kind in
    ``negatives``: a random kind of the category, a random in-plane angle, a tilt (a third of them, up to 45°) and a
    mirror, through a random dual-energy scanner of the default simulator fleet, blurred like the simulator's
    views. A share ``side_share`` of them is seen as a dual-view scanner's side view sees an object lying in the
    parcel (flat objects edge-on; about a quarter of the simulator's views are side views)."""
    from datasets.sim.config import load_config
    from datasets.sim.objects import kinds_of
    from datasets.sim.scanner import sample_profile
    from datasets.sim.tip import TIPError, patch_from_object
    from training.augment import transmission_blur

    unknown = [c for c in threats if c not in categories]
    if unknown:
        raise ConfigError(f"TIP categories {unknown} are not among the model's categories {list(categories)}")
    groups: list[tuple[int, list[ObjectKind]]] = []
    for name in threats:
        kinds = kinds_of(name)
        if not kinds:
            raise ConfigError(f"the object library has no kind of category {name!r} to project")
        groups.append((list(categories).index(name), kinds))
    groups += [(-1 - k, [kind]) for k, kind in enumerate(negative_kinds(negatives))]
    cfg = load_config()
    bank = ThreatBank([], [], [], [])
    for ci, (label, kinds) in enumerate(groups):
        rng = np.random.default_rng([seed, ci])
        made = 0
        while made < per_category:
            obj = kinds[int(rng.integers(len(kinds)))].build(rng)
            detector = sample_profile(rng, cfg.scanner, dual_energy=True).detector()
            tilt = float(rng.uniform(0.0, 45.0)) if rng.random() < 1 / 3 else 0.0
            side = bool(side_share) and bool(rng.random() < side_share)  # no draw without it: older banks keep theirs
            try:
                patch = patch_from_object(
                    obj,
                    detector,
                    mm_per_px,
                    angle_deg=float(rng.uniform(0.0, 360.0)),
                    tilt_deg=tilt,
                    flip=bool(rng.random() < 0.5),
                    side_view=side,
                )
            except TIPError:  # no visible footprint at this spacing (too small): draw another
                continue
            # the scanner's point-spread function, as the simulator applies to whole views (sigma 0.35-0.9 of
            # its ~1.2 mm pixels: 0.2-0.55 of ours at 2 mm), so a projected edge is no sharper than the scene's
            sigma = float(rng.uniform(0.35, 0.9)) * 1.2 / mm_per_px
            bank.labels.append(label)
            bank.high.append(transmission_blur(patch.energies["high"], sigma, sigma))
            bank.low.append(transmission_blur(patch.energies["low"], sigma, sigma))
            bank.masks.append(patch.mask.copy())
            made += 1
    return bank


def load_or_build_bank(
    cache_root: Path,
    categories: Sequence[str],
    threats: Sequence[str],
    mm_per_px: float,
    per_category: int,
    *,
    seed: int,
    negatives: Sequence[str] = (),
    side_share: float = 0.0,
) -> ThreatBank:
    """The bank stored under ``cache_root`` for these settings, built and stored first if there is none."""
    key = bank_key(categories, threats, mm_per_px, per_category, seed, negatives, side_share)
    path = Path(cache_root) / f"tip_{key}.npz"
    if path.is_file():
        with np.load(path) as z:
            n = int(z["labels"].size)
            return ThreatBank(
                [int(v) for v in z["labels"]],
                [z[f"high_{i}"] for i in range(n)],
                [z[f"low_{i}"] for i in range(n)],
                [z[f"mask_{i}"] for i in range(n)],
            )
    log.info(
        "TIP bank: rendering %d patches of %s at %g mm/px",
        per_category * (len(threats) + len(negatives)),
        [*threats, *negatives],
        mm_per_px,
    )
    bank = build_bank(
        categories, threats, mm_per_px, per_category, seed=seed, negatives=negatives, side_share=side_share
    )
    arrays: dict[str, Any] = {"labels": np.asarray(bank.labels, np.int64)}
    for i in range(len(bank)):
        arrays[f"high_{i}"], arrays[f"low_{i}"], arrays[f"mask_{i}"] = bank.high[i], bank.low[i], bank.masks[i]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    return bank


def estimate_photons(att: np.ndarray, default: float = 1e4) -> float:
    """Photons per pixel without object (N0) of an attenuation image, from the spread of its air: the noise of
    -ln(I/I0) there is 1/sqrt(N0). The median of the air pixels above zero (within 0.1 of it) is 0.674 sigma for
    zero-mean noise, whether or not the reader clipped negative attenuation to 0; ``default`` with little air."""
    a = np.asarray(att, np.float32)
    air = a[(a > 0) & (a < 0.1)]
    if air.size < 200:
        return default
    sigma = float(np.median(air)) / 0.6745
    return float(np.clip(1.0 / max(sigma, 1e-4) ** 2, 100.0, 1e6))


class ThreatProjector:
    """Projects 1..``max_threats`` bank patches into a training view with probability ``p``, each drawn from a
    category or negative kind chosen uniformly, or in proportion to ``weights`` (bank label -> relative weight,
    1 for a label not named).

    Called by training.data.DetectionDataset on a whole cached view before augmentation (flips, crops and the
    scanner-side augmentations then act on the composite), with the view's boxes and labels extended by the
    inserted objects' tight boxes (none for a negative). A single-energy view gets the high-energy patch on both of
    its (equal) channels.
    """

    def __init__(
        self, bank: ThreatBank, p: float, max_threats: int = 1, weights: Mapping[int, float] | None = None
    ) -> None:
        if not len(bank):
            raise ConfigError("the TIP bank is empty")
        self.bank = bank
        self.p = p
        self.max_threats = max(1, max_threats)
        by_label: dict[int, list[int]] = {}
        for i, lab in enumerate(bank.labels):
            by_label.setdefault(lab, []).append(i)
        weights = dict(weights or {})
        unknown = sorted(set(weights) - set(by_label))
        if unknown:
            raise ConfigError(f"TIP weights for labels {unknown}, which the bank does not hold")
        if any(not w > 0 for w in weights.values()):
            raise ConfigError(f"TIP weights must be > 0, got {weights}")
        self.by_label = list(by_label.values())
        w = np.asarray([weights.get(lab, 1.0) for lab in by_label], np.float64)
        self.group_p: np.ndarray | None = None if np.all(w == w[0]) else w / w.sum()

    def __call__(
        self, img: np.ndarray, boxes: np.ndarray, labels: np.ndarray, dual: bool, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(image [H, W, 2] float32, boxes [N, 4] x1 y1 x2 y2, labels [N]) with threats added (or unchanged)."""
        if self.p <= 0 or rng.random() >= self.p:
            return img, boxes, labels
        from datasets.sim.tip import ThreatPatch, project_threat
        from nii.scan import View

        h, w = img.shape[:2]
        n0 = estimate_photons(img[..., 0])
        view = View({"high": img[..., 0], "low": img[..., 1]}) if dual else View({"intensity": img[..., 0]})
        footprint = np.argwhere(img[..., 0] > 0.1)  # rows, cols on the parcel (not the air around it)
        new_boxes, new_labels = [boxes], [labels]
        for _ in range(int(rng.integers(1, self.max_threats + 1))):
            g = (
                rng.integers(len(self.by_label))
                if self.group_p is None
                else rng.choice(len(self.by_label), p=self.group_p)
            )
            group = self.by_label[int(g)]
            i = group[int(rng.integers(len(group)))]
            ph, pw = self.bank.masks[i].shape
            if ph > h or pw > w:
                continue
            cy, cx = footprint[int(rng.integers(len(footprint)))] if len(footprint) else (h // 2, w // 2)
            x = int(np.clip(cx - pw // 2, 0, w - pw))
            y = int(np.clip(cy - ph // 2, 0, h - ph))
            patch = ThreatPatch({"high": self.bank.high[i], "low": self.bank.low[i]}, self.bank.masks[i])
            view, box, _ = project_threat(view, patch, (x, y), rng=rng, photons_per_pixel=n0)
            if self.bank.labels[i] >= 0:
                new_boxes.append(np.asarray([box], np.float32))
                new_labels.append(np.asarray([self.bank.labels[i]], labels.dtype))
        # no pixel reads more than a photon-starved one (at least the view's own maximum, which is measured)
        n0s = np.array([n0, estimate_photons(img[..., 1]) if dual else n0], np.float32)
        cap = np.maximum(np.log(MAX_COUNTS_LOG * n0s), img.reshape(-1, 2).max(0))
        if dual:
            out = np.stack([view.energies["high"], view.energies["low"]], -1)
        else:
            out = np.repeat(view.energies["intensity"][..., None], 2, axis=-1)
        return np.minimum(out, cap), np.concatenate(new_boxes).reshape(-1, 4), np.concatenate(new_labels)
