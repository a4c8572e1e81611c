"""Training data from the simulator's output (COCO annotations.json + DICOS scans, layout in the team brief).

Decoding DICOS and resampling is the slow part, so :func:`build_cache` does it once: each view becomes
``views/<image_id>.npy`` (float16 [H, W, 2]: high, low attenuation at the model's mm/pixel; a single-energy view
repeats its image) and ``index.json`` lists them with boxes (pixels of the cached image, x1 y1 x2 y2), category
indices and the parcel each view belongs to. :class:`DetectionDataset` serves augmented crops from the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset
from tqdm import tqdm

from models.preprocess import InputSpec, energies_to_channels, pad_channels, view_energies, view_scale
from nii.errors import ConfigError
from nii.scan import Scan
from training.augment import build_augment, display_export
from training.config import TrainSection
from training.tip import ThreatProjector, load_or_build_bank

log = logging.getLogger(__name__)
CACHE_VERSION = 1


@dataclass
class CachedView:
    """One cached view: file, parcel, view index, dual-energy flag, boxes/labels in cached pixels, and the scale."""

    image_id: int
    file: str
    ooi_id: str
    view: int
    dual: bool
    boxes: list[list[float]]
    labels: list[int]
    scale: tuple[float, float]
    orig_size: tuple[int, int]


def dataset_hash(data_dir: Path) -> str:
    """SHA-256 (first 16 hex) of annotations.json and config.json: identifies a generated dataset."""
    h = hashlib.sha256()
    for name in ("annotations.json", "config.json"):
        p = data_dir / name
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_coco(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "annotations.json"
    if not path.is_file():
        raise ConfigError(f"{data_dir} has no annotations.json; expected the simulator's output (nii synth)")
    with open(path, encoding="utf-8") as f:
        coco: dict[str, Any] = json.load(f)
    for key in ("images", "annotations", "categories"):
        if not isinstance(coco.get(key), list):
            raise ConfigError(f"{path}: expected a COCO file with a {key!r} list")
    return coco


def category_map(coco: dict[str, Any], categories: Sequence[str]) -> dict[int, int]:
    """COCO category id -> index in ``categories``; ConfigError for a COCO name the model does not know."""
    out = {}
    for c in coco["categories"]:
        if c["name"] not in categories:
            raise ConfigError(f"COCO category {c['name']!r} is not among the model's categories {list(categories)}")
        out[int(c["id"])] = list(categories).index(c["name"])
    return out


def read_parcels(data_dir: Path, folders: Sequence[str]) -> dict[str, Scan]:
    """Reads each parcel folder (relative to data_dir) with nii.io.read_scans; keyed by folder."""
    from nii.io import read_scans

    out: dict[str, Scan] = {}
    for folder in folders:
        scans = read_scans([data_dir / folder])
        if len(scans) != 1:
            raise ConfigError(f"{data_dir / folder}: expected one parcel, read {len(scans)}")
        out[folder] = scans[0]
    return out


def build_cache(
    data_dir: Path, cache_dir: Path, spec: InputSpec, categories: Sequence[str], *, progress: bool = True
) -> list[CachedView]:
    """Decodes and resamples every view of ``data_dir`` into ``cache_dir`` (reused when hash and spec match)."""
    data_dir, cache_dir = Path(data_dir), Path(cache_dir)
    key = {
        "version": CACHE_VERSION,
        "hash": dataset_hash(data_dir),
        "mm_per_px": spec.mm_per_px,
        "default_spacing_mm": spec.default_spacing_mm,
        "categories": list(categories),
    }
    index_path = cache_dir / "index.json"
    if index_path.is_file():
        with open(index_path, encoding="utf-8") as f:
            idx = json.load(f)
        if idx.get("key") == key:
            return [_view_from_json(v) for v in idx["views"]]
        log.info("cache %s is stale; rebuilding", cache_dir)
    coco = load_coco(data_dir)
    cmap = category_map(coco, categories)
    anns: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in coco["annotations"]:
        anns[int(a["image_id"])].append(a)
    by_folder: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for im in coco["images"]:
        by_folder[str(Path(im["file_name"]).parent)].append(im)
    (cache_dir / "views").mkdir(parents=True, exist_ok=True)
    views: list[CachedView] = []
    for folder, images in tqdm(
        sorted(by_folder.items()), desc=f"cache {data_dir.name}", unit="parcel", disable=not progress
    ):
        scan = read_parcels(data_dir, [folder])[folder]
        for im in images:
            vi = int(im.get("view", 0))
            if vi >= len(scan.views):
                raise ConfigError(f"image {im['id']} names view {vi} but {folder} has {len(scan.views)} views")
            view = scan.views[vi]
            energies = view_energies(view, spec)
            sx, sy = view_scale(view, spec)
            boxes, labels = [], []
            for a in anns[int(im["id"])]:
                x, y, w, h = (float(v) for v in a["bbox"])
                boxes.append([x * sx, y * sy, (x + w) * sx, (y + h) * sy])
                labels.append(cmap[int(a["category_id"])])
            rel = f"views/{int(im['id'])}.npy"
            np.save(cache_dir / rel, energies.astype(np.float16))
            views.append(
                CachedView(
                    int(im["id"]),
                    rel,
                    str(im.get("ooi_id", scan.ooi_id)),
                    vi,
                    view.dual_energy,
                    boxes,
                    labels,
                    (sx, sy),
                    view.shape,
                )
            )
    tmp = index_path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"key": key, "views": [_view_to_json(v) for v in views]}, f)
    tmp.replace(index_path)
    return views


def _view_to_json(v: CachedView) -> dict[str, Any]:
    return {**v.__dict__, "scale": list(v.scale), "orig_size": list(v.orig_size)}


def _view_from_json(d: dict[str, Any]) -> CachedView:
    return CachedView(**{**d, "scale": tuple(d["scale"]), "orig_size": tuple(d["orig_size"])})


def split_by_parcel(views: Sequence[CachedView], val_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices (train, val) with all views of a parcel on one side; the split depends only on ids and seed."""
    parcels = sorted({v.ooi_id for v in views})
    rng = np.random.default_rng(seed)
    n_val = round(len(parcels) * val_fraction)
    val = set(rng.permutation(parcels)[:n_val].tolist()) if n_val else set()
    tr = [i for i, v in enumerate(views) if v.ooi_id not in val]
    va = [i for i, v in enumerate(views) if v.ooi_id in val]
    return tr, va


def channel_stats(
    cache_dir: Path, views: Sequence[CachedView], spec: InputSpec, n: int = 64
) -> tuple[list[float], list[float]]:
    """Per-channel mean and std of the (unnormalised) input channels over up to ``n`` dual-energy views."""
    ident = InputSpec(**{**spec.__dict__, "mean": (0.0, 0.0, 0.0), "std": (1.0, 1.0, 1.0)})
    chans = []
    for v in [v for v in views if v.dual][:n]:
        e = np.load(cache_dir / v.file).astype(np.float32)
        chans.append(energies_to_channels(e, ident, dual=True).reshape(3, -1))
    if not chans:
        return list(spec.mean), list(spec.std)
    allc = np.concatenate(chans, axis=1)
    return [round(float(x), 4) for x in allc.mean(1)], [round(float(x), 4) for x in np.maximum(allc.std(1), 1e-3)]


class DetectionDataset(Dataset[tuple[torch.Tensor, dict[str, torch.Tensor]]]):
    """Cached views -> (normalised float32 [3, H, W], {boxes float32 [N, 4], labels int64 [N], image_id}).

    ``augment`` (training/augment.py) gives fixed-size crops; without it a view is padded to a multiple of
    spec.pad_to. ``single_energy_p`` drops a dual-energy view to single energy with that probability, so the
    model learns both kinds of scanner. ``tip`` (training/tip.py) projects extra threats into a view first;
    ``display_p`` turns a crop into a workstation's display export (training.augment.display_export).
    """

    def __init__(
        self,
        cache_dir: Path,
        views: Sequence[CachedView],
        spec: InputSpec,
        *,
        augment: Any = None,
        single_energy_p: float = 0.0,
        seed: int = 0,
        tip: ThreatProjector | None = None,
        display_p: float = 0.0,
        display_k: tuple[float, float] = (0.25, 1.0),
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.views = list(views)
        self.spec = spec
        self.augment = augment
        self.single_energy_p = single_energy_p
        self.tip = tip
        self.display_p = display_p
        self.display_k = display_k
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.views)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        v = self.views[i]
        img = np.load(self.cache_dir / v.file).astype(np.float32)
        boxes = np.asarray(v.boxes, np.float32).reshape(-1, 4)
        labels = np.asarray(v.labels, np.int64)
        h, w = img.shape[:2]
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
        ok = (boxes[:, 2] - boxes[:, 0] >= 1) & (boxes[:, 3] - boxes[:, 1] >= 1)
        boxes, labels = boxes[ok], labels[ok]
        dual = v.dual
        if self.tip is not None:
            img, boxes, labels = self.tip(img, boxes, labels, dual, self.rng)
        if self.augment is not None:
            out = self.augment(image=img, bboxes=boxes, labels=labels)
            img = out["image"]
            boxes = np.asarray(out["bboxes"], np.float32).reshape(-1, 4)
            labels = np.asarray(out["labels"], np.int64)
            if self.display_p and self.rng.random() < self.display_p:
                k = float(np.exp(self.rng.uniform(np.log(self.display_k[0]), np.log(self.display_k[1]))))
                img, dual = display_export(img, dual, k), False
            elif dual and self.rng.random() < self.single_energy_p:
                dual = False
        chans = pad_channels(energies_to_channels(img, self.spec, dual=dual), self.spec)
        target = {
            "boxes": torch.from_numpy(boxes),
            "labels": torch.from_numpy(labels),
            "image_id": torch.tensor(v.image_id),
        }
        return torch.from_numpy(chans), target


def training_dataset(
    cache_dir: Path,
    views: Sequence[CachedView],
    spec: InputSpec,
    t: TrainSection,
    categories: Sequence[str],
    mm_per_px: float,
) -> DetectionDataset:
    """The augmented training set a recipe's ``train`` section asks for: crops and physics augmentation
    (training.augment), single-energy dropout, display exports and threat image projection (training.tip, its bank
    stored in ``cache_dir``)."""
    aug = build_augment(
        (t.crop[0], t.crop[1]),
        seed=t.seed,
        scale=t.scale_jitter,
        noise_p=t.noise_p,
        gain_p=t.gain_p,
        gain=t.gain,
        blur_p=t.blur_p,
        export8_p=t.export8_p,
    )
    tip = None
    if t.tip_p > 0:
        weights = tip_label_weights(t, categories)
        bank = load_or_build_bank(
            cache_dir,
            categories,
            t.tip_categories,
            mm_per_px,
            t.tip_bank,
            seed=t.seed,
            negatives=t.tip_negatives,
            side_share=t.tip_side_share,
        )
        tip = ThreatProjector(bank, t.tip_p, t.tip_max, weights)
    return DetectionDataset(
        cache_dir,
        views,
        spec,
        augment=aug,
        single_energy_p=t.single_energy_p,
        seed=t.seed,
        tip=tip,
        display_p=t.display_p,
        display_k=t.display_k,
    )


def tip_label_weights(t: TrainSection, categories: Sequence[str]) -> dict[int, float]:
    """``train.tip_weights`` keyed by the TIP bank's labels (a category's index, -1 - k for the k-th negative)."""
    unknown = sorted(set(t.tip_weights) - {*t.tip_categories, *t.tip_negatives})
    if unknown:
        raise ConfigError(f"train.tip_weights names {unknown}, which are not in tip_categories or tip_negatives")
    labels = {name: -1 - k for k, name in enumerate(t.tip_negatives)}
    labels |= {name: list(categories).index(name) for name in t.tip_categories if name in categories}
    return {labels[name]: w for name, w in t.tip_weights.items()}


def collate(
    batch: Sequence[tuple[torch.Tensor, dict[str, torch.Tensor]]],
) -> tuple[torch.Tensor, list[dict[str, torch.Tensor]]]:
    """Stacks images padded (bottom/right, with each image's own corner value = air) to the largest in the batch."""
    h = max(b[0].shape[1] for b in batch)
    w = max(b[0].shape[2] for b in batch)
    out = torch.empty(len(batch), batch[0][0].shape[0], h, w)
    for i, (img, _) in enumerate(batch):
        out[i] = img[:, -1:, -1:]  # the padded corner holds the air value
        out[i, :, : img.shape[1], : img.shape[2]] = img
    return out, [b[1] for b in batch]


class RepeatFactorSampler(torch.utils.data.Sampler[int]):
    """Repeat-factor sampling (LVIS, Gupta et al. 2019): a view holding a category seen in fewer than a share
    ``threshold`` of the views is drawn r = max over its categories of sqrt(threshold / share) times per epoch
    (stochastic rounding, seeded per epoch), so rare categories (the prohibited ones) are seen more often.
    ``view_repeat`` multiplies the factor of the views of a view index (e.g. {1: 1.75}: the side views of dual-view
    scanners, where flat objects are edge-on and hardest); ``threshold`` None repeats by view index only."""

    def __init__(
        self,
        views: Sequence[CachedView],
        threshold: float | None,
        *,
        seed: int,
        view_repeat: Mapping[int, float] | None = None,
    ) -> None:
        counts: dict[int, int] = defaultdict(int)
        for v in views:
            for c in set(v.labels):
                counts[c] += 1
        n = max(len(views), 1)
        rc = {c: max(1.0, float(np.sqrt(threshold / (k / n)))) if threshold else 1.0 for c, k in counts.items()}
        vr = dict(view_repeat or {})
        self.factors = np.array(
            [max([rc[c] for c in v.labels], default=1.0) * vr.get(v.view, 1.0) for v in views], dtype=np.float64
        )
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def indices(self) -> list[int]:
        rng = np.random.default_rng([self.seed, self.epoch])
        whole = np.floor(self.factors)
        reps = whole + (rng.random(len(self.factors)) < self.factors - whole)
        idx = np.repeat(np.arange(len(self.factors)), reps.astype(np.int64))
        return rng.permutation(idx).tolist()

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices())

    def __len__(self) -> int:
        return int(np.round(self.factors.sum()))
