"""The interface every registered detector network implements, whatever its architecture.

Images are float32 [B, C, H, W] tensors already preprocessed (models.preprocess): channels as the checkpoint
names them, at the checkpoint's mm/pixel, H and W multiples of 32. Boxes are float32 [N, 4] pixel coordinates of
that input, x1 y1 x2 y2; labels are int64 [N] category indices (0 = first taxonomy category, no background class).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

Target = dict[str, Tensor]
Prediction = dict[str, Tensor]


class DetectorModel(nn.Module):
    """Base class of the registry's networks.

    ``losses`` is for training (model in train mode), ``predict`` for inference (eval mode). Networks that can be
    exported to ONNX / TorchScript set ``exportable`` and split ``predict`` into ``forward_raw`` (the traced part:
    images -> tensors) and ``decode`` (post-processing in eager torch). ``widenable`` names the parts (state-dict
    prefixes) that models.layers.load_grown may widen without changing what the network computes.
    """

    exportable: bool = False
    widenable: tuple[str, ...] = ()

    def __init__(self, *, num_classes: int, in_channels: int) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}")
        if in_channels < 1:
            raise ValueError(f"in_channels must be >= 1, got {in_channels}")
        self.num_classes = num_classes
        self.in_channels = in_channels

    def losses(self, images: Tensor, targets: list[Target]) -> dict[str, Tensor]:
        """Named scalar losses for a batch; the train loop minimises their sum."""
        raise NotImplementedError

    def predict(self, images: Tensor, *, score_threshold: float = 0.01, max_detections: int = 100) -> list[Prediction]:
        """Per image: ``boxes`` float32 [N, 4] (input pixels), ``scores`` float32 [N], ``labels`` int64 [N]."""
        raise NotImplementedError

    def forward_raw(self, images: Tensor) -> tuple[Tensor, ...]:
        """The exportable part of ``predict`` (only where ``exportable``)."""
        raise NotImplementedError(f"{type(self).__name__} is not exportable")

    def decode(
        self, raw: tuple[Tensor, ...], *, score_threshold: float = 0.01, max_detections: int = 100
    ) -> list[Prediction]:
        """Turns ``forward_raw`` outputs into predictions (only where ``exportable``)."""
        raise NotImplementedError(f"{type(self).__name__} is not exportable")

    def forward(self, images: Tensor, targets: list[Target] | None = None) -> Any:
        if self.training:
            if targets is None:
                raise ValueError("targets are required in training mode")
            return self.losses(images, targets)
        return self.predict(images)


def check_images(images: Tensor, in_channels: int) -> None:
    """Raises ValueError unless ``images`` is float [B, in_channels, H, W]."""
    if images.ndim != 4 or images.shape[1] != in_channels:
        raise ValueError(f"expected images [B, {in_channels}, H, W], got {tuple(images.shape)}")
    if not torch.is_floating_point(images):
        raise ValueError(f"expected floating-point images, got {images.dtype}")
