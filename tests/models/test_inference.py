from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch

from models import build_model
from models.backends import make_runner, measure_backends
from models.checkpoint import from_model, save_checkpoint
from models.inference import TorchDetector, load_shipped_detector, resolve_model_path
from models.preprocess import InputSpec
from models.store import ModelStore
from nii.detection import Detector
from nii.errors import ModelError
from nii.scan import Scan, View

CFG = {"num_classes": 3, "stem": 8, "widths": [16, 16, 16, 16], "depths": [1, 1, 1, 1]}


def _ckpt(version: str = "0.0.1", backend: str = "eager", sure: bool = False):  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    model = build_model("nii_det", **CFG)
    if sure:  # scores spread over (0, 1) and change with the input's scale, as a trained model's do
        heat = model.head.heatmap[-1]
        with torch.no_grad():
            heat.bias.zero_()
            heat.weight.mul_(30)
    return from_model(
        model,
        arch="nii_det",
        arch_config=CFG,
        categories=["firearm", "knife", "phone"],
        input=InputSpec(mm_per_px=2.0),
        version=version,
        thresholds={"firearm": 0.0, "knife": 0.0, "phone": 0.0},
        extra={"inference_backend": backend},
    )


def _scan(seed: int, views: int = 2) -> Scan:
    rng = np.random.default_rng(seed)
    vs = []
    for _ in range(views):
        h = rng.random((120, 90), dtype=np.float32)
        vs.append(View(energies={"high": h, "low": h * 1.5}, pixel_spacing_mm=(1.0, 1.5)))
    return Scan(ooi_id=f"P{seed}", scan_uid="1.2", views=vs)


def test_detector_protocol_boxes_in_view_pixels_and_batch_equals_single() -> None:
    det = TorchDetector(_ckpt())
    assert isinstance(det, Detector)
    scans = [_scan(1), _scan(2, views=1)]
    single = [det.detect(s) for s in scans]
    batch = det.detect_batch(scans)
    for a, b in zip(single, batch):
        # an untrained net scores everything near its prior, so compare the best scores, not tie-broken order
        sa = sorted((d.score for d in a), reverse=True)[:20]
        sb = sorted((d.score for d in b), reverse=True)[:20]
        np.testing.assert_allclose(sa, sb, atol=1e-4)
    assert {d.view for d in single[0]} <= {0, 1}
    for d in single[0]:
        assert 0 <= d.box[0] <= d.box[2] <= 90 and 0 <= d.box[1] <= d.box[3] <= 120


def test_thread_safe_concurrent_detect() -> None:
    det = TorchDetector(_ckpt())
    scan = _scan(3)
    want = [d.box for d in det.detect(scan)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: [d.box for d in det.detect(scan)], range(8)))
    for g in got:
        np.testing.assert_allclose(g, want, atol=1e-4)


@pytest.mark.parametrize("backend", ["torchscript", "onnx"])
def test_exported_backends_match_eager(backend: str) -> None:
    model = _ckpt().build()
    x = torch.randn(1, 3, 64, 96)
    want = make_runner(model, "eager")(x)
    got = make_runner(model, backend, example=torch.randn(1, 3, 96, 64))(x)
    for a, b in zip(got, want):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, atol=1e-3, rtol=1e-3)
    timing = measure_backends(model, [(64, 64)], repeats=1, backends=["eager", backend])
    assert set(timing) == {"eager", backend} and timing[backend]["max_abs_diff"] < 1e-3


def test_model_resolution_and_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NII_DATA_DIR", str(tmp_path / "nii"))
    monkeypatch.delenv("NII_MODEL_PATH", raising=False)
    a = save_checkpoint(_ckpt("1.0.0"), tmp_path / "a.pt")
    b = save_checkpoint(_ckpt("2.0.0"), tmp_path / "b.pt")
    store = ModelStore()
    assert store.champion() is None
    ida = store.promote(str(a))
    idb = store.promote(str(b))
    assert ida != idb and store.champion() == idb and set(store.list()) == {ida, idb}
    assert load_shipped_detector().version == "2.0.0"
    assert store.rollback() == ida
    assert load_shipped_detector().version == "1.0.0"
    assert store.rollback() is None
    with pytest.raises(ModelError, match="nothing to roll back"):
        store.rollback()
    assert load_shipped_detector(str(b)).version == "2.0.0"
    monkeypatch.setenv("NII_MODEL_PATH", str(a))
    assert resolve_model_path() == a
    ck = _ckpt("3.0.0")
    ck.extra["cross_view"] = {"unconfirmed": 0.5, "min_overlap": 0.7}
    c = save_checkpoint(ck, tmp_path / "c.pt")
    assert load_shipped_detector(str(c)).cross_view is not None
    monkeypatch.setenv("NII_CROSS_VIEW", "off")
    assert load_shipped_detector(str(c)).cross_view is None
    monkeypatch.setenv("NII_CROSS_VIEW", "sometimes")
    with pytest.raises(ModelError, match="NII_CROSS_VIEW"):
        load_shipped_detector(str(c))
    with pytest.raises(ModelError, match="neither"):
        store.promote("no-such-model")


def _without_spacing(scan: Scan, spacing: tuple[float, float] | None = None) -> Scan:
    views = [View(energies=dict(v.energies), pixel_spacing_mm=spacing, index=v.index) for v in scan.views]
    return Scan(ooi_id=scan.ooi_id, scan_uid=scan.scan_uid, views=views)


def _per_view(dets: list) -> dict[int, list[tuple[str, float, tuple[float, ...]]]]:  # type: ignore[type-arg]
    out: dict[int, list[tuple[str, float, tuple[float, ...]]]] = {}
    for d in dets:
        out.setdefault(d.view, []).append((d.category, round(d.score, 5), tuple(round(v, 3) for v in d.box)))
    return {k: sorted(v) for k, v in out.items()}


def test_view_without_spacing_is_read_at_the_candidate_spacing_the_model_is_surest_of() -> None:
    grid = (0.8, 1.6, 3.0)
    det = TorchDetector(_ckpt(sure=True), spacing_search=grid)
    scan = _without_spacing(_scan(4))
    got = _per_view(det.detect_all(scan))
    for view in scan.views:
        trials = [[d for d in det.detect_all(_without_spacing(scan, (s, s))) if d.view == view.index] for s in grid]
        conf = [np.mean((sorted((d.score for d in t), reverse=True) + [0.0] * 3)[:3]) for t in trials]
        assert len(set(np.round(conf, 6))) == len(grid)  # the model's confidence differs between the candidates
        assert got[view.index] == _per_view(trials[int(np.argmax(conf))])[view.index]
    # a reader's 1 mm stand-in for a file without spacing (nii.io.spacing) is searched over too
    fallback = _without_spacing(scan, (1.0, 1.0))
    fallback.metadata["pixel_spacing_source"] = ["fallback"] * len(fallback.views)
    assert _per_view(det.detect_all(fallback)) == got
    # without a search the checkpoint's default spacing stands in; views with a spacing never take part
    plain = TorchDetector(_ckpt(sure=True), spacing_search=())
    assert _per_view(plain.detect_all(scan)) == _per_view(det.detect_all(_without_spacing(scan, (1.0, 1.0))))
    known = _scan(5)
    assert _per_view(plain.detect_all(known)) == _per_view(det.detect_all(known))
    with pytest.raises(ModelError, match="spacing_search"):
        TorchDetector(_ckpt(), spacing_search=(0.0, 1.0))


def test_views_confirm_each_other_only_where_aligned() -> None:
    from dataclasses import replace

    from models.crossview import CrossView

    ck = _ckpt(sure=True)
    ck.thresholds = {}
    h = np.random.default_rng(5).random((120, 90), dtype=np.float32)
    same = Scan(ooi_id="P", scan_uid="1.2", views=[View(energies={"high": h, "low": h * 1.5}) for _ in range(2)])
    plain = TorchDetector(ck).detect_all(same)  # a checkpoint without extra['cross_view'] does not confirm
    assert plain == TorchDetector(ck, cross_view=None).detect_all(same)
    ck.extra["cross_view"] = CrossView(unconfirmed=0.5, min_overlap=0.9).to_dict()
    confirmed = TorchDetector(ck).detect_all(same)
    # identical views: every detection has its twin in the other view (support at least its own score)
    assert 0 < len(confirmed) <= len(plain)  # some fall under the 0.01 floor
    for b in confirmed:
        a = next(d for d in plain if d.box == b.box and d.view == b.view and d.category == b.category)
        best = max(d.score for d in plain if d.category == a.category and d.view != a.view)
        assert a.score * (0.5 + 0.5 * a.score) - 1e-6 <= b.score <= a.score * (0.5 + 0.5 * best) + 1e-6
    # views of different lengths along the belt are not aligned: nothing changes
    wider = replace(same, views=[same.views[0], View(energies={"high": h[:, :80], "low": h[:, :80] * 1.5})])
    assert TorchDetector(ck).detect_all(wider) == TorchDetector(ck, cross_view=None).detect_all(wider)
    with pytest.raises(ModelError, match="cross_view"):
        TorchDetector(ck, cross_view="on")
