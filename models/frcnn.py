"""``frcnn_mbv3``: torchvision's Faster R-CNN with a MobileNetV3-Large FPN backbone, the reference baseline.

Built from scratch (no downloaded weights). It gets the same preprocessed input as the project's detector; the
torchvision transform inside still resizes to ``min_size`` / ``max_size`` (defaults as torchvision's: 800 / 1333)
and its normalisation is set to identity because models.preprocess already normalises.
"""

from __future__ import annotations

from torch import Tensor
from torchvision.models.detection import fasterrcnn_mobilenet_v3_large_fpn

from models.base import DetectorModel, Prediction, Target, check_images
from models.registry import register_model


class FRCNNBaseline(DetectorModel):
    """Wraps the torchvision model: shifts labels by one (torchvision reserves 0 for background)."""

    def __init__(self, *, num_classes: int, in_channels: int = 3, min_size: int = 800, max_size: int = 1333) -> None:
        super().__init__(num_classes=num_classes, in_channels=in_channels)
        if in_channels != 3:
            raise ValueError(f"frcnn_mbv3 takes 3 input channels, got {in_channels}")
        self.net = fasterrcnn_mobilenet_v3_large_fpn(
            weights=None,
            weights_backbone=None,
            num_classes=num_classes + 1,
            min_size=min_size,
            max_size=max_size,
            image_mean=[0.0, 0.0, 0.0],
            image_std=[1.0, 1.0, 1.0],
        )

    def losses(self, images: Tensor, targets: list[Target]) -> dict[str, Tensor]:
        check_images(images, self.in_channels)
        shifted = [{"boxes": t["boxes"].float(), "labels": t["labels"].long() + 1} for t in targets]
        out: dict[str, Tensor] = self.net(list(images), shifted)
        return out

    def predict(self, images: Tensor, *, score_threshold: float = 0.01, max_detections: int = 100) -> list[Prediction]:
        check_images(images, self.in_channels)
        self.net.roi_heads.score_thresh = score_threshold
        self.net.roi_heads.detections_per_img = max_detections
        raw = self.net(list(images))
        return [{"boxes": r["boxes"], "scores": r["scores"], "labels": r["labels"] - 1} for r in raw]


@register_model
def frcnn_mbv3(*, num_classes: int, in_channels: int = 3, min_size: int = 800, max_size: int = 1333) -> FRCNNBaseline:
    """torchvision ``fasterrcnn_mobilenet_v3_large_fpn(weights=None, weights_backbone=None)`` baseline."""
    return FRCNNBaseline(num_classes=num_classes, in_channels=in_channels, min_size=min_size, max_size=max_size)
