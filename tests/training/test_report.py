from __future__ import annotations

from pathlib import Path

from models.checkpoint import Checkpoint
from models.preprocess import InputSpec
from training.config import load_config
from training.report import _how_made, recipe_of

RECIPES = Path(__file__).resolve().parents[2] / "configs" / "train"


def _ckpt(train_config: dict[str, object]) -> Checkpoint:
    return Checkpoint("nii_det", {}, ["knife"], InputSpec(), {}, "0", train_config=train_config, extra={"epoch": 3})


def test_the_card_names_the_recipe_that_made_the_model() -> None:
    stage2 = load_config(RECIPES / "nii_det_stage2.yaml").model_dump(mode="json")
    assert recipe_of(stage2, RECIPES) == (RECIPES / "nii_det_stage2.yaml").as_posix()
    text = "\n".join(_how_made(_ckpt(stage2)))
    assert "nii_det_stage2.yaml" in text and "runs/nii_det/model.pt" in text
    assert "Threat image projection" in text and "knife" in text

    older = {**stage2, "train": {k: v for k, v in stage2["train"].items() if k != "display_p"}}
    assert recipe_of(older, RECIPES) == (RECIPES / "nii_det_stage2.yaml").as_posix()  # made before a field existed

    changed = {**stage2, "train": {**stage2["train"], "lr": 1.0}}  # e.g. nii train --set train.lr=1
    assert recipe_of(changed, RECIPES) is None
    assert "no file under configs/train matches" in "\n".join(_how_made(_ckpt(changed)))


def test_the_card_names_projected_look_alikes() -> None:
    stage4 = load_config(RECIPES / "nii_det_stage4.yaml").model_dump(mode="json")
    text = "\n".join(_how_made(_ckpt(stage4)))
    assert "nii_det_stage4.yaml" in text
    assert "unannotated look-alikes (umbrella, e_cigarette, pens, cutlery)" in text
    stage3 = load_config(RECIPES / "nii_det_stage3.yaml").model_dump(mode="json")
    assert "look-alikes" not in "\n".join(_how_made(_ckpt(stage3)))


def test_the_card_names_side_view_training() -> None:
    stage6 = load_config(RECIPES / "nii_det_stage6.yaml").model_dump(mode="json")
    text = "\n".join(_how_made(_ckpt(stage6)))
    assert "view 1 (side) x1.75" in text
    assert "A share 0.4 of the projected patches is seen as a dual-view scanner's side view" in text
    assert "knife x3" in text and "tool x1.5" in text


def test_the_pd_pfa_line_names_what_raises_the_false_alarms() -> None:
    from training.report import pd_pfa_line

    pro = {
        "Pd": 0.976,
        "Pfa": 0.619,
        "n_positive": 164,
        "n_negative": 236,
        "false_alarms_by": {"firearm": 8, "knife": 130, "ammunition": 39, "narcotics_packet": 0},
        "false_alarms_alone": {"firearm": 0, "knife": 65, "ammunition": 4, "narcotics_packet": 0},
    }
    line = pd_pfa_line(pro)
    assert line.startswith("Pd 0.976 (164 parcels), Pfa 0.619 (236 parcels)")
    pro |= {"pd_by": {"firearm": 0.958, "knife": 0.895}, "positive_by": {"firearm": 48, "knife": 38}}
    assert pd_pfa_line(pro).startswith(
        "Pd 0.976 (164 parcels; by its own category: firearm 0.958 of 48, knife 0.895 of 38), Pfa 0.619 (236 parcels)"
    )
    assert line.endswith("clean parcels alarmed by knife 130 (65 alone), ammunition 39 (4 alone), firearm 8 (0 alone)")
    assert pd_pfa_line({"Pd": 1.0, "Pfa": 0.0, "n_positive": 3, "n_negative": 5}).endswith("(5 parcels)")


def test_the_background_line_ranks_what_lies_under_the_false_alarms() -> None:
    from training.report import background_line

    pro = {"background": {"firearm": {}, "knife": {"belt": 2, "nothing located": 5, "umbrella": 3}}}
    assert (
        background_line(pro, top=2)
        == "On no annotated object, by what lies under them: knife 10 (nothing located 5, umbrella 3)"
    )
    assert background_line({"Pd": 1.0}) is None
