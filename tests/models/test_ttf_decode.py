"""models.ttf_head: the heatmap's peak search (OpenCV dilation on the CPU) and decoding."""

from __future__ import annotations

import torch
from torch.nn import functional as F  # noqa: N812

from models.ttf_head import peaks, ttf_decode


def _pooled(heat: torch.Tensor) -> torch.Tensor:
    return heat * (F.max_pool2d(heat, 3, 1, 1) == heat).float()


def test_peaks_equal_the_max_pool_formulation_bit_for_bit() -> None:
    g = torch.Generator().manual_seed(0)
    heat = torch.rand(2, 5, 37, 53, generator=g)
    heat[0, 1, 10:13, 20:23] = 0.97  # a plateau: every equal maximum is a peak, as with the pool
    heat[1, 4, 0, 0] = 1.0  # a corner: the border counts as lower, not as zero
    heat[1, 2] = 0.0
    assert torch.equal(peaks(heat), _pooled(heat))
    assert peaks(heat)[1, 4, 0, 0] == 1.0 and peaks(heat)[0, 1, 11, 21] == heat[0, 1, 11, 21]
    assert not peaks(heat)[1, 2].any()


def test_peaks_keep_the_pool_where_gradients_or_other_dtypes_are_involved() -> None:
    heat = torch.rand(1, 2, 9, 9, requires_grad=True)
    out = peaks(heat)
    assert out.requires_grad and torch.equal(out.detach(), _pooled(heat.detach()))
    half = torch.rand(1, 2, 9, 9).to(torch.bfloat16)
    assert torch.equal(peaks(half), _pooled(half))


def test_decode_finds_a_peak_and_its_box() -> None:
    heat_logits = torch.full((1, 3, 20, 30), -9.0)
    heat_logits[0, 2, 5, 7] = 3.0
    ltrb = torch.zeros(1, 4, 20, 30)
    ltrb[0, :, 5, 7] = torch.tensor([8.0, 4.0, 12.0, 6.0])
    with torch.inference_mode():
        (pred,) = ttf_decode(heat_logits, ltrb, 4, (80, 120), score_threshold=0.1, max_detections=10, nms_iou=0.6)
    assert pred["labels"].tolist() == [2]
    cx, cy = 7 * 4 + 2, 5 * 4 + 2
    assert pred["boxes"][0].tolist() == [cx - 8.0, cy - 4.0, cx + 12.0, cy + 6.0]
    assert abs(float(pred["scores"][0]) - float(torch.sigmoid(torch.tensor(3.0)))) < 1e-6
