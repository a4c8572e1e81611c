"""Execution backends for the exportable part of a detector (``forward_raw``): eager PyTorch, TorchScript
(traced and frozen) and ONNX Runtime. All take float32 [B, C, H, W] and return the raw tensors; the model's own
``decode`` does the rest, so the three paths give the same detections up to float rounding.

``measure_backends`` times them on this machine; inference uses the fastest one the checkpoint records (see
models.inference), with eager as the fallback whenever another backend cannot be built.
"""

from __future__ import annotations

import io
import logging
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from models.base import DetectorModel

log = logging.getLogger(__name__)
BACKENDS = ("eager", "torchscript", "onnx")
Runner = Callable[[Tensor], tuple[Tensor, ...]]


class _Raw(nn.Module):
    def __init__(self, model: DetectorModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> tuple[Tensor, ...]:
        return self.model.forward_raw(x)


def make_runner(
    model: DetectorModel, backend: str, *, threads: int | None = None, example: Tensor | None = None
) -> Runner:
    """A callable images -> raw outputs for ``backend`` (one of BACKENDS); ValueError for an unknown name."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    model.eval()
    if backend == "eager" or not model.exportable:

        def eager(x: Tensor) -> tuple[Tensor, ...]:
            with torch.inference_mode():
                return model.forward_raw(x)

        return eager
    example = example if example is not None else torch.zeros(1, model.in_channels, 256, 256)
    if backend == "torchscript":
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore", FutureWarning)
            traced = torch.jit.freeze(torch.jit.trace(_Raw(model), example).eval())

        def script(x: Tensor) -> tuple[Tensor, ...]:
            with torch.inference_mode():
                return tuple(traced(x))

        return script
    import onnxruntime as ort

    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Raw(model),
            (example,),
            buf,  # type: ignore[arg-type]
            input_names=["images"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={"images": {0: "batch", 2: "height", 3: "width"}},
        )
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or torch.get_num_threads()
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(buf.getvalue(), opts, providers=["CPUExecutionProvider"])

    def onnx(x: Tensor) -> tuple[Tensor, ...]:
        return tuple(torch.from_numpy(o) for o in sess.run(None, {"images": x.numpy()}))

    return onnx


def measure_backends(
    model: DetectorModel, sizes: Sequence[tuple[int, int]], *, repeats: int = 10, backends: Sequence[str] = BACKENDS
) -> dict[str, dict[str, float]]:
    """Median and p95 milliseconds of ``forward_raw`` per backend over inputs of the given (H, W) sizes, plus the
    largest absolute difference from eager (a check that the export is faithful)."""
    inputs = [torch.randn(1, model.in_channels, h, w) for h, w in sizes]
    ref = make_runner(model, "eager")
    want = [ref(x) for x in inputs]
    out: dict[str, dict[str, float]] = {}
    for name in backends:
        try:
            run = make_runner(model, name, example=inputs[0])
        except Exception as exc:  # an exporter failure only rules that backend out
            log.warning("backend %s unavailable: %s", name, exc)
            continue
        times = []
        for x in inputs:
            run(x)
        for _ in range(repeats):
            for x in inputs:
                t0 = time.perf_counter()
                run(x)
                times.append((time.perf_counter() - t0) * 1000)
        diff = max(float((a - b).abs().max()) for x, w in zip(inputs, want) for a, b in zip(run(x), w))
        out[name] = {
            "median_ms": float(np.median(times)),
            "p95_ms": float(np.percentile(times, 95)),
            "max_abs_diff": diff,
        }
    return out
