"""Detector networks, their registry, checkpoint format and the inference wrapper (never imports serve/training)."""

from __future__ import annotations

from models.registry import build_model, list_models, register_model

__all__ = ["build_model", "list_models", "register_model"]
