"""luchina.autograd: backward, grad, Function, gradcheck and the grad-mode switches."""

import numpy as np

from luchina.autograd import grad_mode
from luchina.autograd.function import Context, FunctionCtx
from luchina.autograd.function import Function as _OpFunction
from luchina.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = ["backward", "grad", "Function", "Variable", "FunctionCtx", "gradcheck", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled", "grad_mode",
           "Context", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "memory_report"]


class Function(_OpFunction):
    """torch.autograd.Function: subclass it with staticmethods forward(ctx, ...) and
    backward(ctx, *grads) working on Tensors, then call ``MyFn.apply(...)``."""

    _tensor_io = True


def Variable(data, requires_grad=False, volatile=False):
    """torch.autograd.Variable (deprecated in torch): now just the tensor itself."""
    if requires_grad:
        data.requires_grad_(True)
    return data


def _as_tuple(x):
    from luchina._tensor import Tensor
    if x is None:
        return (None,)
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grad_outputs, op):
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (the output of "
                    f"{op} has shape {tuple(out.shape)}); pass gradient= with that shape, "
                    "or reduce the output first, e.g. out.sum().backward()")
            g = out._data.dtype.type(1) + out.device.xp.zeros(out._data.shape, out._data.dtype)
        else:
            g = g._data if hasattr(g, "_data") else np.asarray(g, dtype=out._data.dtype)
            if g.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{tuple(g.shape)} and output[{i}] has a shape of "
                                   f"{tuple(out.shape)}.")
            if g.dtype != out._data.dtype:
                g = g.astype(out._data.dtype)
        grads.append(g)
    return grads


def _no_create_graph(create_graph):
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by luchina yet: backward "
            "passes build no graph. Compute second derivatives numerically, e.g. with "
            "luchina.autograd.gradcheck's finite differences.")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """torch.autograd.backward: accumulate gradients of ``tensors`` into the leaves' ``.grad``."""
    from luchina.autograd.engine import run_backward
    _no_create_graph(create_graph)
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors)
    if len(grad_tensors) == 1 and grad_tensors[0] is None:
        grad_tensors = (None,) * len(tensors)
    grads = _make_grads(tensors, grad_tensors, "backward")
    if inputs is None:
        run_backward(tensors, grads, bool(retain_graph))
        return
    from luchina._tensor import Tensor
    inputs = _as_tuple(inputs)
    got = run_backward(tensors, grads, bool(retain_graph), inputs=inputs, allow_unused=True)
    for t, g in zip(inputs, got):
        if g is None:
            continue
        if t._grad is None:
            t._grad = Tensor._make(g.copy())
        else:
            t._grad._data += g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: the gradients of ``outputs`` w.r.t. ``inputs``; no ``.grad`` changes."""
    from luchina._tensor import Tensor
    from luchina.autograd.engine import run_backward
    _no_create_graph(create_graph)
    if is_grads_batched:
        raise NotImplementedError("autograd.grad: is_grads_batched=True is not supported")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"autograd.grad: input {i} does not require grad; call "
                               ".requires_grad_() on it before computing the outputs")
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) == 1 and grad_outputs[0] is None:
        grad_outputs = (None,) * len(outputs)
    grads = _make_grads(outputs, grad_outputs, "grad")
    got = run_backward(outputs, grads, bool(retain_graph), inputs=inputs,
                       allow_unused=bool(allow_unused) or materialize_grads)
    res = []
    for t, g in zip(inputs, got):
        if g is None:
            res.append(Tensor._make(t.device.xp.zeros_like(t._data)) if materialize_grads
                       else None)
        else:
            res.append(Tensor._make(g if g.dtype == t._data.dtype else g.astype(t._data.dtype)))
    return tuple(res)


from luchina.autograd.anomaly import (  # noqa: E402
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
    set_detect_anomaly,
)
from luchina.autograd.gradcheck import gradcheck  # noqa: E402
from luchina.autograd.memory import memory_report  # noqa: E402
