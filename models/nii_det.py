"""``nii_det``: the project's own detector for parcels on a CPU.

Input: 3 channels at a fixed mm/pixel (models.preprocess): log-high, log-low and the low/high attenuation ratio
(a Zeff proxy; a neutral constant for single-energy views). A small CSP backbone (strides 4-32), a top-down neck
back to stride 4, so a 10 mm wide knife at 2 mm/px still spans a heatmap cell, and a TTFNet-style anchor-free
head (models.ttf_head). No anchors, no proposals, no per-box second stage: one pass and a top-k.
"""

from __future__ import annotations

from torch import Tensor

from models.base import DetectorModel, Prediction, Target, check_images
from models.layers import Backbone, TopDownNeck
from models.registry import register_model
from models.ttf_head import TTFHead, ttf_decode, ttf_losses


class NIIDet(DetectorModel):
    """Backbone -> top-down neck (stride 4) -> heatmap + side-distance head."""

    exportable = True
    stride = 4
    # channels meet there only through convolutions, batch norms and additions (the backbone's CSP stages
    # concatenate, so a wider backbone would mix old and new channels)
    widenable = ("neck.", "head.")

    def __init__(
        self,
        *,
        num_classes: int,
        in_channels: int = 3,
        stem: int = 16,
        widths: tuple[int, ...] = (32, 64, 96, 128),
        depths: tuple[int, ...] = (1, 2, 2, 1),
        neck_channels: int = 48,
        head_channels: int = 48,
        reg_scale: float = 16.0,
        gaussian_alpha: float = 0.54,
        reg_weight: float = 5.0,
        nms_iou: float = 0.6,
    ) -> None:
        super().__init__(num_classes=num_classes, in_channels=in_channels)
        if len(widths) != 4:
            raise ValueError(f"nii_det expects 4 stage widths (strides 4, 8, 16, 32), got {list(widths)}")
        self.backbone = Backbone(in_channels, stem, widths, depths)
        self.neck = TopDownNeck(widths, neck_channels)
        self.head = TTFHead(neck_channels, head_channels, num_classes, reg_scale)
        self.gaussian_alpha = gaussian_alpha
        self.reg_weight = reg_weight
        self.nms_iou = nms_iou

    def forward_raw(self, images: Tensor) -> tuple[Tensor, ...]:
        """Heatmap logits [B, C, H/4, W/4] and side distances [B, 4, H/4, W/4] (input pixels)."""
        return self.head(self.neck(self.backbone(images)))

    def losses(self, images: Tensor, targets: list[Target]) -> dict[str, Tensor]:
        check_images(images, self.in_channels)
        heat, ltrb = self.forward_raw(images)
        return ttf_losses(heat, ltrb, targets, self.stride, self.gaussian_alpha, self.reg_weight)

    def decode(
        self, raw: tuple[Tensor, ...], *, score_threshold: float = 0.01, max_detections: int = 100
    ) -> list[Prediction]:
        heat, ltrb = raw
        size = (heat.shape[2] * self.stride, heat.shape[3] * self.stride)
        return ttf_decode(
            heat,
            ltrb,
            self.stride,
            size,
            score_threshold=score_threshold,
            max_detections=max_detections,
            nms_iou=self.nms_iou,
        )

    def predict(self, images: Tensor, *, score_threshold: float = 0.01, max_detections: int = 100) -> list[Prediction]:
        check_images(images, self.in_channels)
        return self.decode(self.forward_raw(images), score_threshold=score_threshold, max_detections=max_detections)


@register_model
def nii_det(
    *,
    num_classes: int,
    in_channels: int = 3,
    stem: int = 16,
    widths: tuple[int, ...] | list[int] = (32, 64, 96, 128),
    depths: tuple[int, ...] | list[int] = (1, 2, 2, 1),
    neck_channels: int = 48,
    head_channels: int = 48,
    reg_scale: float = 16.0,
    gaussian_alpha: float = 0.54,
    reg_weight: float = 5.0,
    nms_iou: float = 0.6,
) -> NIIDet:
    """The project's CPU detector (see the module docstring); widths/depths per stage at strides 4, 8, 16, 32."""
    return NIIDet(
        num_classes=num_classes,
        in_channels=in_channels,
        stem=stem,
        widths=tuple(widths),
        depths=tuple(depths),
        neck_channels=neck_channels,
        head_channels=head_channels,
        reg_scale=reg_scale,
        gaussian_alpha=gaussian_alpha,
        reg_weight=reg_weight,
        nms_iou=nms_iou,
    )
