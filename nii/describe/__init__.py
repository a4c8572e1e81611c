"""Understanding free-text goods descriptions: taxonomy category, HS 2022 suggestion, vagueness."""

from __future__ import annotations

from nii.describe.classifier import Classification, DescriptionClassifier, classify_description, default_classifier
from nii.describe.vague import VagueTerms, default_vague_terms

__all__ = [
    "Classification",
    "DescriptionClassifier",
    "VagueTerms",
    "classify_description",
    "default_classifier",
    "default_vague_terms",
]
