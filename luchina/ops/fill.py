"""In-place fills: zero_, fill_, copy_, and the random initialisers uniform_, normal_, random_."""

import numpy as np

from luchina._random import rng
from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.autograd.grad_mode import _mode
from luchina.ops._util import check_same_device, inplace

__all__ = []


class Fill(Function):
    """The old values are overwritten: no gradient flows to them, all of it to the source."""

    _backward_name = "FillBackward2"

    @staticmethod
    def forward(ctx, dst, src):
        xp = ctx.xp
        out = xp.empty(dst.shape, dst.dtype)
        out[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        return (ctx.xp.zeros_like(grad) if ctx.needs_input_grad[0] else None), grad


class FillTensor(Fill):
    _backward_name = "FillBackward3"


class Zero(Fill):
    pass


class Copy(Fill):
    _backward_name = "CopyBackwards"
    _qualified_name = "torch::autograd::CopyBackwards"


_NODES = {"copy_": Copy, "zero_": Zero, "fill_": Fill}


def _direct(t, name, values):
    """Write into t's memory when autograd is not involved; else go through ``inplace``."""
    if _mode.enabled and (t._rg or isinstance(values, Tensor) and values._rg):
        node = _NODES.get(name, Fill)
        if name == "fill_" and isinstance(values, Tensor):
            node = FillTensor
        src = values if isinstance(values, Tensor) else Tensor._make(t.device.xp.asarray(values))
        return inplace(t, name, lambda d, s: node.apply(d, s), (src,))
    v = values._data if isinstance(values, Tensor) else values
    try:
        t._data[...] = v
    except ValueError:
        raise RuntimeError(f"{name}: the source of shape {list(np.shape(v))} cannot be broadcast "
                           f"to the destination's shape {list(t.shape)}") from None
    t._bump_version(name)
    return t


def zero_(self):
    """torch.Tensor.zero_"""
    return _direct(self, "zero_", 0)


def fill_(self, value):
    """torch.Tensor.fill_ (value: a number or a 0-d tensor)"""
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    return _direct(self, "fill_", value)


def copy_(self, src, non_blocking=False):
    """torch.Tensor.copy_: broadcasts src and converts its dtype and device."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if type(src._data) is not type(self._data):
        src = src.to(self.device)
    elif src._data.dtype != self._data.dtype:
        check_same_device("copy_", self, src)
    if src._data.dtype != self._data.dtype:
        src = src.to(self.dtype)
    return _direct(self, "copy_", src)


def _random_fill(name, draw):
    def method(self, *args, generator=None, **kwargs):
        if self._data.dtype.kind != "f" and name in ("uniform_", "normal_"):
            raise RuntimeError(f"\"{name}\" is only implemented for floating-point tensors, got "
                               f"{self.dtype}")
        values = draw(rng(generator), self._data.shape, *args, **kwargs)
        if type(self._data) is not np.ndarray:
            values = self.device.xp.asarray(values)
        return _direct(self, name, values.astype(self._data.dtype, copy=False))
    method.__name__ = name
    method.__doc__ = f"torch.Tensor.{name}"
    return method


def _uniform(g, shape, a=0.0, b=1.0):
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > "
                           f"to={b}")
    return g.uniform(a, b, shape)


def _normal(g, shape, mean=0.0, std=1.0):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return mean + std * g.standard_normal(shape)


def _random(g, shape, low=0, high=None, **kw):
    if "to" in kw or "from" in kw:
        low, high = kw.get("from", low), kw.get("to", high)
    if high is None:  # random_(n) means [0, n); random_() means [0, 2**24] for float32
        low, high = (0, low) if low else (0, 2 ** 24 + 1)
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    return g.integers(low, high, shape)


def _bernoulli(g, shape, p=0.5):
    probs = p._data if isinstance(p, Tensor) else p
    return g.random(shape) < probs


def _exponential(g, shape, lambd=1.0):
    return g.exponential(1.0 / lambd, shape)


def _geometric(g, shape, p):
    return g.geometric(p, shape)


def _cauchy(g, shape, median=0.0, sigma=1.0):
    return median + sigma * g.standard_cauchy(shape)


def _log_normal(g, shape, mean=1.0, std=2.0):
    return g.lognormal(mean, std, shape)


uniform_ = _random_fill("uniform_", _uniform)
normal_ = _random_fill("normal_", _normal)
random_ = _random_fill("random_", _random)
bernoulli_ = _random_fill("bernoulli_", _bernoulli)
exponential_ = _random_fill("exponential_", _exponential)
geometric_ = _random_fill("geometric_", _geometric)
cauchy_ = _random_fill("cauchy_", _cauchy)
log_normal_ = _random_fill("log_normal_", _log_normal)

METHODS = {"zero_": zero_, "fill_": fill_, "copy_": copy_, "uniform_": uniform_,
           "normal_": normal_, "random_": random_, "bernoulli_": bernoulli_,
           "exponential_": exponential_, "geometric_": geometric_, "cauchy_": cauchy_,
           "log_normal_": log_normal_}
