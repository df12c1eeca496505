"""Gradient clipping, in place on the raw gradient arrays: one pass to measure, one to scale."""

import math
import warnings

import numpy as np

from luchina._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _tensors(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return [t for t in tensors if t is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """torch.nn.utils.get_total_norm: the norm of all tensors' norms, as a 0-d tensor."""
    arrays = [t._data for t in _tensors(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        from luchina._creation import tensor
        return tensor(0.0)
    a0 = arrays[0]
    xp = np if type(a0) is np.ndarray else Tensor._make(a0).device.xp
    dt = a0.dtype
    if norm_type == math.inf:
        total = max(float(xp.abs(a).max()) if a.size else 0.0 for a in arrays)
    elif norm_type == 2.0:
        # vdot is one BLAS pass per gradient; the partial sums are added in float64
        total = math.sqrt(sum(float(xp.vdot(a.ravel(), a.ravel())) for a in arrays))
    elif norm_type == -math.inf:
        total = min(float(xp.abs(a).min()) for a in arrays if a.size)
    else:
        p = norm_type
        total = sum(float((xp.abs(a) ** p).sum()) for a in arrays) ** (1.0 / p) if p else \
            float(sum(int(xp.count_nonzero(a)) for a in arrays))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(xp.asarray(total, dtype=dt))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """torch.nn.utils.clip_grads_with_norm_: scale every gradient by min(1, max/(norm+1e-6))."""
    grads = _grads(parameters)
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    dt = grads[0]._data.dtype
    # torch's float arithmetic: max_norm * (1 / (total + 1e-6)), clamped at 1
    coef = (1.0 / (tn.astype(dt) + dt.type(1e-6))).astype(dt) * dt.type(max_norm)
    c = float(coef)
    if c >= 1.0:  # multiplying by 1 changes nothing: skip the pass
        return
    for g in grads:
        g._data *= g._data.dtype.type(c)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """torch.nn.utils.clip_grad_norm_: returns the total norm (before clipping) as a tensor."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """torch.nn.utils.clip_grad_norm (deprecated alias of clip_grad_norm_)"""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """torch.nn.utils.clip_grad_value_: clamp every gradient to [-clip_value, clip_value]."""
    v = float(clip_value)
    for g in _grads(parameters):
        a = g._data
        a.clip(-v, v, out=a)
