"""``nii synth``: the output layout of the team brief, readable by nii.io and pydicom, valid COCO and manifest,
ground truth consistent with the annotations, the same for any number of workers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pydicom
import pytest

from datasets.coco import decode_rle
from datasets.sim.batch import generate_batch
from datasets.sim.config import load_config
from datasets.sim.parties import is_valid_s10
from nii.cli import main
from nii.resources import data_path


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "out"
    rc = main(
        ["synth", "--parcels", "5", "--seed", "3", "--out", str(out), "--pixel-spacing", "1.5", "--quiet", "--preview"]
    )
    assert rc == 0
    return out


def test_layout(batch: Path) -> None:
    for name in ("annotations.json", "manifest.json", "ground_truth.jsonl", "config.json", "preview.png"):
        assert (batch / name).is_file(), name
    folders = sorted(p.name for p in (batch / "scans").iterdir())
    assert len(folders) == 5 and all(is_valid_s10(f) for f in folders)
    cfg = json.loads((batch / "config.json").read_text())
    assert cfg["seed"] == 3 and cfg["config"]["scanner"]["pixel_spacing_mm"] == [1.5, 1.5]


def test_files_read_back_with_nii_io_and_pydicom(batch: Path) -> None:
    from nii.io import read_scans

    scans = {s.ooi_id: s for s in read_scans([batch / "scans"])}
    truth = [json.loads(line) for line in (batch / "ground_truth.jsonl").read_text().splitlines()]
    assert set(scans) == {t["ooi_id"] for t in truth}
    for t in truth:
        s = scans[t["ooi_id"]]
        assert s.scan_uid == t["scan_uid"]
        assert len(s.views) == t["views"] and s.dual_energy == t["dual_energy"]
        assert s.views[0].pixel_spacing_mm == (1.5, 1.5)
    for f in (batch / "scans").rglob("*.dcm"):
        ds = pydicom.dcmread(f)
        assert ds.pixel_array.dtype == np.uint16
        assert ds.ImageType[1] in ("HIGH ENERGY", "LOW ENERGY", "INTENSITY")


def test_coco_annotations(batch: Path) -> None:
    coco = json.loads((batch / "annotations.json").read_text())
    images = {im["id"]: im for im in coco["images"]}
    assert len({c["id"] for c in coco["categories"]}) == 16
    for im in images.values():
        assert (batch / im["file_name"]).is_file()
        assert {"ooi_id", "scan_uid", "view", "pixel_spacing_mm", "dual_energy", "width", "height"} <= set(im)
    assert coco["annotations"]
    for ann in coco["annotations"]:
        im = images[ann["image_id"]]
        x, y, w, h = ann["bbox"]
        assert x >= 0 and y >= 0 and x + w <= im["width"] and y + h <= im["height"]
        mask = decode_rle(ann["segmentation"])
        assert mask.shape == (im["height"], im["width"]) and mask.sum() == ann["area"] > 0
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        assert [cols[0], rows[0], cols[-1] + 1 - cols[0], rows[-1] + 1 - rows[0]] == [x, y, w, h]
        assert ann["iscrowd"] == 0 and 0 <= ann["occluded"] <= 1


def test_manifest_and_ground_truth(batch: Path) -> None:
    manifest = json.loads((batch / "manifest.json").read_text())
    jsonschema.validate(manifest, json.loads(data_path("parcel_manifest.schema.json").read_text()))
    truth = [json.loads(line) for line in (batch / "ground_truth.jsonl").read_text().splitlines()]
    assert [p["house_ref"] for p in manifest["parcels"]] == [t["ooi_id"] for t in truth]
    coco = json.loads((batch / "annotations.json").read_text())
    for t in truth:
        assert t["expected_lane"] in ("green", "blue", "yellow", "red")
        assert t["true_mass_kg"] > 0
        n_ann = sum(
            1
            for im in coco["images"]
            if im["ooi_id"] == t["ooi_id"]
            for a in coco["annotations"]
            if a["image_id"] == im["id"]
        )
        assert n_ann == len(t["objects"])
        prohibited = {o["category"] for o in t["objects"]} & {"firearm", "knife", "ammunition", "narcotics_packet"}
        assert prohibited == {a["category"] for a in t["expected_alerts"] if a["type"] == "prohibited_item"}
        if prohibited:
            assert t["expected_lane"] == "red" and "prohibited_item" in t["injected"]
        # the unannotated items, located for error analysis: every box in its view's image
        images = {im["view"]: im for im in coco["images"] if im["ooi_id"] == t["ooi_id"]}
        for o in t["clutter_objects"]:
            assert o["kind"] in t["clutter"] and o["view"] in images
            x1, y1, x2, y2 = o["box"]
            assert 0 <= x1 < x2 <= images[o["view"]]["width"] and 0 <= y1 < y2 <= images[o["view"]]["height"]
    assert any(t["clutter_objects"] for t in truth)


def test_same_batch_for_any_number_of_workers(tmp_path: Path) -> None:
    cfg = load_config(overrides={"scanner.pixel_spacing_mm": [1.6, 1.6]})
    generate_batch(3, 11, tmp_path / "one", cfg, workers=1, progress=False)
    generate_batch(3, 11, tmp_path / "two", cfg, workers=2, progress=False)
    assert (tmp_path / "one" / "ground_truth.jsonl").read_text() == (
        tmp_path / "two" / "ground_truth.jsonl"
    ).read_text()
    a = sorted((tmp_path / "one" / "scans").rglob("*.dcm"))
    b = sorted((tmp_path / "two" / "scans").rglob("*.dcm"))
    assert [p.name for p in a] == [p.name for p in b]
    for fa, fb in zip(a, b, strict=True):
        np.testing.assert_array_equal(pydicom.dcmread(fa).pixel_array, pydicom.dcmread(fb).pixel_array)


def test_refuses_a_non_empty_output_folder(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("keep me")
    assert main(["synth", "--parcels", "1", "--out", str(tmp_path), "--quiet"]) == 1
    assert (tmp_path / "x").read_text() == "keep me"
