"""The detector registry: ``@register_model`` builders chosen by name through ``build_model(name, **cfg)``.

A builder is a keyword-only, fully typed function returning a :class:`models.base.DetectorModel`; its keyword
arguments are the architecture config that a checkpoint stores, so ``build_model(ckpt.arch, **ckpt.arch_config)``
rebuilds the network.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from models.base import DetectorModel
from nii.errors import ModelError
from nii.registry import Registry

Builder = Callable[..., DetectorModel]
B = TypeVar("B", bound=Builder)

MODELS: Registry[Builder] = Registry("model")


def register_model(fn: B) -> B:
    """Registers a builder under its function name (decorator)."""
    MODELS.add(fn.__name__, fn)
    return fn


def list_models() -> list[str]:
    """Names of the registered architectures, in registration order."""
    _import_builtin()
    return MODELS.names()


def model_config_keys(name: str) -> list[str]:
    """The keyword arguments the builder ``name`` accepts."""
    _import_builtin()
    sig = inspect.signature(_get(name))
    return [p.name for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]


def build_model(name: str, **cfg: Any) -> DetectorModel:
    """Builds the architecture ``name`` with its keyword config; ModelError on an unknown name or key."""
    _import_builtin()
    builder = _get(name)
    allowed = set(model_config_keys(name))
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        raise ModelError(f"model {name!r} got unknown config keys {unknown}; expected some of {sorted(allowed)}")
    return builder(**cfg)


def _get(name: str) -> Builder:
    try:
        return MODELS.get(name)
    except KeyError as exc:
        raise ModelError(str(exc.args[0])) from None


def _import_builtin() -> None:
    # The builders register themselves on import; importing here keeps `models` cheap to import.
    import models.frcnn
    import models.nii_det  # noqa: F401
