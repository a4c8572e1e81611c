"""The plain training loop: seeded, resumable, checkpoint every epoch, early stopping, non-finite-loss guard,
AMP and DDP on CUDA (guarded: a CPU run never touches them), bfloat16 autocast on CPUs that have it, and an
exponential moving average of the weights (training.ema) that validation and checkpoints use.

A run folder holds: ``config.yaml`` (resolved), ``results.csv``, ``epoch_NNN.pt``, ``last.pt``, ``best.pt``,
``state.pt`` (optimizer / scheduler / RNG, for ``--resume``) and the report (training/report.py).
"""

from __future__ import annotations

import csv
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import yaml
from torch.utils.data import DataLoader, DistributedSampler
from tqdm import tqdm

from models import build_model
from models.base import DetectorModel
from models.checkpoint import Checkpoint, from_model, load_checkpoint, save_checkpoint
from models.layers import load_grown
from models.preprocess import InputSpec
from nii.errors import NIIError
from nii.taxonomy import load_taxonomy
from training.config import TrainConfig
from training.data import (
    CachedView,
    DetectionDataset,
    RepeatFactorSampler,
    build_cache,
    channel_stats,
    collate,
    dataset_hash,
    split_by_parcel,
    training_dataset,
)
from training.ema import ModelEMA
from training.evaluate import cached_gt, predict_dataset, summarise
from training.threads import ThreadTuner

log = logging.getLogger(__name__)


class TrainingError(NIIError):
    """Training cannot go on (non-finite losses, inconsistent resume state)."""


def _seed_worker(worker_id: int) -> None:
    info = torch.utils.data.get_worker_info()
    if info is None:
        return
    cv2.setNumThreads(1)  # the worker shares 2 cores with the training process
    seed = int(torch.initial_seed() % 2**31)
    ds = info.dataset
    if isinstance(ds, DetectionDataset):
        ds.rng = np.random.default_rng(seed)
        if ds.augment is not None:
            ds.augment.set_random_seed(seed)


def _lr_at(it: int, total: int, cfg: TrainConfig) -> float:
    """Linear warm-up then cosine decay to 5% of the base rate."""
    base, warm = cfg.train.lr, cfg.train.warmup_iters
    if it < warm:
        return base * (0.1 + 0.9 * it / max(1, warm))
    t = (it - warm) / max(1, total - warm)
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def plan_epochs(done: int, elapsed_s: float, budget_s: float, recent_epoch_s: list[float], cap: int) -> int:
    """Epochs that fit the wall-clock budget at the median pace of the recent epochs (a shared machine's load
    changes during a run; the median of three keeps one slow or fast epoch from flipping the plan, and with it
    the cosine schedule, back and forth), at least ``done`` and at most ``cap``."""
    pace = float(np.median(recent_epoch_s))
    fits = done + int(max(0.0, budget_s - elapsed_s) // max(pace, 1e-6))
    return min(cap, max(done, fits))


class Run:
    """One training run of ``cfg`` into ``out`` (see the module docstring)."""

    def __init__(self, cfg: TrainConfig, out: Path, *, resume: bool = False, progress: bool = True) -> None:
        self.cfg, self.out, self.progress = cfg, Path(out), progress
        self.out.mkdir(parents=True, exist_ok=True)
        torch.set_num_threads(cfg.train.threads)
        self.tuner = ThreadTuner(cfg.train.threads) if cfg.train.adaptive_threads and cfg.train.threads > 1 else None
        self.distributed = torch.cuda.is_available() and int(os.environ.get("WORLD_SIZE", "1")) > 1
        if self.distributed:
            torch.distributed.init_process_group("nccl")
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        self.device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
        self.main = not self.distributed or torch.distributed.get_rank() == 0
        self.amp = cfg.train.amp and self.device.type == "cuda"
        self.autocast_dtype: torch.dtype | None = torch.float16 if self.amp else None
        if cfg.train.bf16_cpu and self.device.type == "cpu":
            if torch.ops.mkldnn._is_mkldnn_bf16_supported():
                self.autocast_dtype = torch.bfloat16
            else:
                log.warning("bf16_cpu: this CPU has no native bfloat16; training in float32")
        torch.manual_seed(cfg.train.seed)
        self.categories = load_taxonomy().names
        self._prepare_data()
        self.model: DetectorModel = build_model(
            cfg.model.arch, num_classes=len(self.categories), **cfg.model.config
        ).to(self.device)
        self.grown: dict[str, Any] | None = None  # set by _init_from when it grows the checkpoint
        if cfg.model.init_from:
            self._init_from(Path(cfg.model.init_from))
        # NHWC convolutions: ~10 % faster training steps on this CPU with bf16 (0.46 -> 0.41 s per batch of 16)
        self.model = self.model.to(memory_format=torch.channels_last)
        self.ema = ModelEMA(self.model, cfg.train.ema_decay) if cfg.train.ema_decay else None
        self.net: torch.nn.Module = self.model
        if self.distributed:
            self.net = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=[self.device.index])
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.train.lr, weight_decay=cfg.train.weight_decay)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)
        self.epoch, self.iteration, self.best, self.stale = 0, 0, -1.0, 0
        self.planned, self.elapsed = cfg.train.epochs, 0.0
        self.rows: list[dict[str, Any]] = []
        if resume:
            self._resume()
        if self.main:  # on resume too: a resumed run may change e.g. the sampler, and config.yaml says so
            resolved = {**cfg.model_dump(mode="json"), "resolved_input": self.spec.to_dict()}
            if resume:
                resolved["resumed_at_epoch"] = self.epoch
            with open(self.out / "config.yaml", "w", encoding="utf-8") as f:
                yaml.safe_dump(resolved, f, sort_keys=False)

    def _prepare_data(self) -> None:
        cfg = self.cfg
        base = InputSpec(mm_per_px=cfg.data.mm_per_px, default_spacing_mm=cfg.data.default_spacing_mm)
        cache_root = Path(cfg.data.cache)
        train_dirs = [Path(d) for d in ([cfg.data.train] if isinstance(cfg.data.train, str) else cfg.data.train)]
        views: list[CachedView] = []
        for k, d in enumerate(train_dirs):
            views += self._cached(d, cache_root, base, id_offset=k * 10_000_000)
        self.train_cache = self.val_cache = cache_root
        if cfg.data.val:
            self.val_views = self._cached(Path(cfg.data.val), cache_root, base, id_offset=0)
            self.train_views: list[CachedView] = views
        else:
            tr, va = split_by_parcel(views, cfg.data.val_fraction, cfg.train.seed)
            self.train_views, self.val_views = [views[i] for i in tr], [views[i] for i in va]
        if not self.train_views or not self.val_views:
            raise TrainingError(
                f"need training and validation views, got {len(self.train_views)} / {len(self.val_views)}"
            )
        mean, std = channel_stats(self.train_cache, self.train_views, base)
        self.spec = InputSpec(**{**base.__dict__, "mean": tuple(mean), "std": tuple(std)})
        self.dataset_info = {
            "train": [str(d) for d in train_dirs],
            "train_hash": [dataset_hash(d) for d in train_dirs],
            "val": cfg.data.val,
            "val_hash": dataset_hash(Path(cfg.data.val)) if cfg.data.val else None,
            "n_train_views": len(self.train_views),
            "n_val_views": len(self.val_views),
        }
        self.train_ds = training_dataset(
            self.train_cache, self.train_views, self.spec, cfg.train, self.categories, cfg.data.mm_per_px
        )
        self.val_ds = DetectionDataset(self.val_cache, self.val_views, self.spec)

    def _cached(self, data_dir: Path, cache_root: Path, base: InputSpec, *, id_offset: int) -> list[CachedView]:
        """The cache of one dataset folder, with file paths relative to ``cache_root`` and offset image ids."""
        name = f"{data_dir.name}_{dataset_hash(data_dir)[:8]}_{self.cfg.data.mm_per_px:g}mm"
        views = build_cache(data_dir, cache_root / name, base, self.categories, progress=self.progress)
        for v in views:
            v.file = f"{name}/{v.file}"
            v.image_id += id_offset
        return views

    @property
    def eval_model(self) -> DetectorModel:
        """The weights that are validated and saved: the moving average when there is one."""
        return self.ema.module if self.ema is not None else self.model  # type: ignore[return-value]

    def _init_from(self, path: Path) -> None:
        ck = load_checkpoint(path)
        if ck.arch != self.cfg.model.arch or list(ck.categories) != list(self.categories):
            raise TrainingError(
                f"init_from {path}: architecture {ck.arch!r} with {len(ck.categories)} categories does not match "
                f"this recipe's {self.cfg.model.arch!r} with {len(self.categories)}"
            )
        try:
            self.model.load_state_dict(ck.state_dict)
        except RuntimeError as exc:
            # a deeper or wider recipe grows the checkpoint: the grown network computes what it did
            try:
                growth = load_grown(self.model, ck.state_dict, self.model.widenable)
            except ValueError as why:
                raise TrainingError(f"init_from {path}: weights do not fit the recipe's model config: {why}") from exc
            mine = self.cfg.model.config  # what the recipe sets (the checkpoint also stores e.g. num_classes)
            keys = [k for k in mine if ck.arch_config.get(k) != mine[k]]
            self.grown = {
                "from": {k: ck.arch_config.get(k) for k in keys},
                "to": {k: mine[k] for k in keys},
                "blocks_added": len(growth.blocks),
                "tensors_widened": len(growth.widened),
            }
            log.info(
                "initialised from %s, grown (%s): %d residual blocks added as identities, %d tensors widened",
                path,
                ", ".join(f"{k} {self.grown['from'][k]} -> {self.grown['to'][k]}" for k in keys),
                len(growth.blocks),
                len(growth.widened),
            )
            return
        log.info("initialised from %s", path)

    def checkpoint(self, metrics: dict[str, Any], thresholds: dict[str, float] | None = None) -> Checkpoint:
        return from_model(
            self.eval_model,
            arch=self.cfg.model.arch,
            arch_config=dict(self.cfg.model.config, num_classes=len(self.categories)),
            categories=list(self.categories),
            input=self.spec,
            version=self.cfg.version,
            thresholds=thresholds or {},
            train_config=self.cfg.model_dump(mode="json"),
            dataset=self.dataset_info,
            metrics=metrics,
            extra={"epoch": self.epoch, **({"grown": self.grown} if self.grown else {})},
        )

    def _resume(self) -> None:
        last, state = self.out / "last.pt", self.out / "state.pt"
        if not (last.is_file() and state.is_file()):
            raise TrainingError(f"cannot resume: {self.out} has no last.pt / state.pt")
        st = torch.load(state, map_location="cpu", weights_only=False)
        # last.pt holds the averaged weights when EMA is on; the raw ones are in state.pt
        self.model.load_state_dict(st.get("model") or load_checkpoint(last).state_dict)
        if self.ema is not None:
            if st.get("ema"):
                self.ema.load_state_dict(st["ema"])
            else:
                self.ema = ModelEMA(self.model, self.ema.decay)
        self.opt.load_state_dict(st["optimizer"])
        self.epoch, self.iteration, self.best, self.stale = st["epoch"], st["iteration"], st["best"], st["stale"]
        self.rows = st["rows"]
        self.planned = max(self.epoch, min(self.cfg.train.epochs, st.get("planned", self.cfg.train.epochs)))
        self.elapsed = float(st.get("elapsed", 0.0))
        if self.cfg.train.epochs > st.get("epochs", self.cfg.train.epochs):
            self.planned = self.cfg.train.epochs  # asked for more epochs than the first run
        torch.set_rng_state(st["torch_rng"])
        log.info("resumed %s at epoch %d", self.out, self.epoch)

    def _save_state(self) -> None:
        torch.save(
            {
                "optimizer": self.opt.state_dict(),
                "model": self.model.state_dict(),
                "ema": self.ema.state_dict() if self.ema is not None else None,
                "epoch": self.epoch,
                "iteration": self.iteration,
                "best": self.best,
                "stale": self.stale,
                "rows": self.rows,
                "planned": self.planned,
                "elapsed": self.elapsed,
                "epochs": self.cfg.train.epochs,
                "torch_rng": torch.get_rng_state(),
            },
            self.out / "state.pt.tmp",
        )
        os.replace(self.out / "state.pt.tmp", self.out / "state.pt")

    def _repeat_sampler(self) -> RepeatFactorSampler | None:
        """Repeat-factor sampling by rare category and view index, as the recipe asks; None for plain shuffling."""
        t = self.cfg.train
        if not (t.repeat_threshold or t.view_repeat):
            return None
        return RepeatFactorSampler(self.train_views, t.repeat_threshold, seed=t.seed, view_repeat=t.view_repeat)

    def train_epoch(self, total_iters: int) -> dict[str, float]:
        t = self.cfg.train
        # repeat-factor sampling is not combined with DDP here
        sampler: DistributedSampler[Any] | RepeatFactorSampler | None = (
            DistributedSampler(self.train_ds, seed=t.seed) if self.distributed else self._repeat_sampler()
        )
        if sampler is not None:
            sampler.set_epoch(self.epoch)
        g = torch.Generator().manual_seed(t.seed + self.epoch)
        loader = DataLoader(
            self.train_ds,
            batch_size=t.batch_size,
            shuffle=sampler is None,
            sampler=sampler,
            num_workers=t.workers,
            collate_fn=collate,
            worker_init_fn=_seed_worker,
            generator=g,
            drop_last=True,
            persistent_workers=False,
            # fork after torch / OpenMP threads exist can deadlock the worker (seen here); spawn is safe
            multiprocessing_context="spawn" if t.workers > 0 else None,
        )
        self.net.train()
        sums: dict[str, float] = {}
        n, bad, skipped = 0, 0, 0
        bar = tqdm(
            loader,
            desc=f"epoch {self.epoch + 1}/{self.planned}",
            unit="batch",
            disable=not (self.progress and self.main),
        )
        for images, targets in bar:
            t_iter = time.monotonic()
            if self.tuner is not None:
                self.tuner.before()
            for group in self.opt.param_groups:
                group["lr"] = _lr_at(self.iteration, total_iters, self.cfg)
            images = images.to(self.device, non_blocking=True).contiguous(memory_format=torch.channels_last)
            targets = [{k: v.to(self.device) for k, v in tg.items()} for tg in targets]
            with torch.autocast(
                self.device.type, dtype=self.autocast_dtype or torch.float32, enabled=self.autocast_dtype is not None
            ):
                losses = self.net(images, targets)
            loss = sum(losses.values())
            if not isinstance(loss, torch.Tensor) or not torch.isfinite(loss):
                bad += 1
                skipped += 1
                log.warning(
                    "non-finite loss at iteration %d: %s", self.iteration, {k: float(v) for k, v in losses.items()}
                )
                if bad > t.nonfinite_tolerance:
                    raise TrainingError(f"{bad} non-finite losses in a row at iteration {self.iteration}; stopping")
                self.opt.zero_grad(set_to_none=True)
                continue
            bad = 0
            self.opt.zero_grad(set_to_none=True)
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.opt)
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), t.grad_clip)
            self.scaler.step(self.opt)
            self.scaler.update()
            if self.ema is not None:
                self.ema.update(self.model)
            self.iteration += 1
            n += 1
            if self.tuner is not None:
                self.tuner.after(time.monotonic() - t_iter)
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach())
            bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
            if t.max_iters_per_epoch and n >= t.max_iters_per_epoch:
                break
        if n == 0 and skipped:
            raise TrainingError(f"epoch {self.epoch + 1}: every one of {skipped} batches had a non-finite loss")
        return {k: v / max(n, 1) for k, v in sums.items()}

    def validate(self, thresholds: dict[str, float] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        e = self.cfg.eval
        dets = predict_dataset(self.eval_model, self.val_ds, batch_size=8, progress=self.progress)
        gt = cached_gt(self.val_views, self.categories)
        return summarise(
            gt,
            dets,
            self.categories,
            group=e.group,
            target_pd=e.target_pd,
            default_threshold=e.default_threshold,
            thresholds=thresholds,
            fit_others=e.fit_other_thresholds,
        ), dets

    def fit(self) -> Path:
        """Trains until the epoch budget, early stop or time budget; returns the path of ``best.pt``.

        With ``max_minutes`` the planned number of epochs (at most ``epochs``) follows, after each epoch, what the
        remaining time allows at the last epoch's pace, so the cosine schedule still ends at its low rate instead
        of being cut off mid-way.
        """
        t = self.cfg.train
        repeat = None if self.distributed else self._repeat_sampler()
        n_train = len(repeat) if repeat is not None else len(self.train_ds)
        per_epoch = n_train // t.batch_size
        if t.max_iters_per_epoch:
            per_epoch = min(per_epoch, t.max_iters_per_epoch)
        while self.epoch < self.planned:
            t0 = time.monotonic()
            total = max(1, per_epoch * self.planned)
            losses = self.train_epoch(total)
            self.epoch += 1
            row: dict[str, Any] = {
                "epoch": self.epoch,
                **{f"train/{k}": round(v, 5) for k, v in losses.items()},
                "lr": _lr_at(self.iteration, total, self.cfg),
            }
            if self.main and (self.epoch % t.eval_every == 0 or self.epoch == self.planned):
                metrics, _ = self.validate()
                row.update(
                    {
                        "val/mAP50": round(metrics["mAP50"], 4),
                        "val/mAP50_95": round(metrics["mAP50_95"], 4),
                        "val/Pd": metrics["prohibited"].get("Pd"),
                        "val/Pfa": metrics["prohibited"].get("Pfa"),
                    }
                )
                score = metrics["mAP50"]
                ck = self.checkpoint(_brief(metrics), metrics["thresholds"])
                if score > self.best:
                    self.best, self.stale = score, 0
                    save_checkpoint(ck, self.out / "best.pt")
                else:
                    self.stale += 1
            epoch_s = time.monotonic() - t0
            row["epoch_s"] = round(epoch_s, 1)
            self.elapsed += epoch_s
            if t.max_minutes:
                recent = [float(r["epoch_s"]) for r in self.rows[-2:] if r.get("epoch_s")] + [epoch_s]
                planned = plan_epochs(self.epoch, self.elapsed, t.max_minutes * 60, recent, t.epochs)
                if planned != self.planned:
                    self.planned = planned
                    log.info("time budget %.0f min: planning %d epochs", t.max_minutes, self.planned)
            if self.main:
                ck = self.checkpoint({"epoch": self.epoch})
                save_checkpoint(ck, self.out / f"epoch_{self.epoch:03d}.pt")
                save_checkpoint(ck, self.out / "last.pt")
                self.rows.append(row)
                self._write_results()
                self._save_state()
                log.info("epoch %d: %s", self.epoch, row)
            if self.stale >= t.patience:
                log.info("early stop: no mAP50 gain for %d evaluations", self.stale)
                break
        return self.out / "best.pt"

    def _write_results(self) -> None:
        keys: list[str] = []
        for r in self.rows:
            keys += [k for k in r if k not in keys]
        with open(self.out / "results.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(self.rows)


def _brief(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics without the PR curves (kept out of checkpoints)."""
    return {k: v for k, v in metrics.items() if k != "pr50"}
