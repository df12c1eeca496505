"""Reductions: sum, mean, prod, var, std, nansum, nanmean, all, any, count_nonzero.

logsumexp, softmax, log_softmax, cumsum, cumprod and norm live in _softmax.py, the selections
(max, sort, topk, median...) in sorting.py; both are re-exported here."""

import math
import warnings

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor, _wrap_dim
from luchina.autograd.function import Function
from luchina.ops import _softmax, sorting
from luchina.ops._softmax import *  # noqa: F401,F403
from luchina.ops._util import _acc_dtype, _cast
from luchina.ops.elementwise import _out
from luchina.ops.sorting import *  # noqa: F401,F403
from luchina.ops.sorting import _alias, _arr, _axes, _expand, _int, _tname

__all__ = ["all", "any", "count_nonzero", "mean", "nanmean", "nansum", "prod", "std", "std_mean",
           "sum", "var", "var_mean", *_softmax.__all__, *sorting.__all__]


def _count(shape, axes):
    if axes is None:
        return math.prod(shape)
    if type(axes) is int:
        return shape[axes]
    return math.prod([shape[a] for a in axes])


# -- sum, mean, nansum ---------------------------------------------------------------------------
class Sum(Function):
    """A sum over every dim (SumBackward0); SumDim names the node of a sum over given dims."""

    _backward_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, dt):
        ctx.meta = (x.shape, x.dtype, axes, keepdim)
        return _cast(x, dt).sum(axis=axes, keepdims=keepdim, dtype=dt)  # _make wraps scalars

    @staticmethod
    def backward(ctx, grad):
        shape, dt, axes, keepdim = ctx.meta
        g = _expand(ctx.xp, grad, axes, keepdim, shape)
        return (g if g.dtype == dt else g.astype(dt)), None, None, None


class SumDim(Sum):
    _backward_name = "SumBackward1"


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, **kw):
    """torch.sum: integer and bool inputs sum to int64."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "sum")
    x = input._data
    dt = _acc_dtype(x, dtype)
    if dim is None:
        return _out(Sum.apply(input, None, keepdim, dt), out)
    return _out(SumDim.apply(input, _axes(dim, x.ndim, "sum"), keepdim, dt), out)


class Mean(Function):
    _backward_name = "MeanBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, dt):
        n = _count(x.shape, axes)
        ctx.meta = (x.shape, x.dtype, axes, keepdim, n)
        if dt is None and x.dtype == np.float16:
            s = x.sum(axis=axes, keepdims=keepdim, dtype=np.float32)
            return _arr(ctx.xp, (s / n).astype(np.float16))
        s = x.sum(axis=axes, keepdims=keepdim, dtype=dt)
        if n == 0:
            with np.errstate(invalid="ignore", divide="ignore"):
                return s / n
        if s.ndim:
            s /= n
            return s
        return s / n

    @staticmethod
    def backward(ctx, grad):
        shape, dt, axes, keepdim, n = ctx.meta
        g = _expand(ctx.xp, grad / n if n else grad, axes, keepdim, shape)
        return (g if g.dtype == dt else g.astype(dt)), None, None, None


class MeanDim(Mean):
    _backward_name = "MeanBackward1"


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None, **kw):
    """torch.mean: integer inputs need dtype=, as in torch."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "mean")
    x = input._data
    dt = None
    if dtype is not None:
        dt = _dtype.to_dtype(dtype).np
        if dt.kind != "f":
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be "
                               f"either a floating point or complex dtype. Got: {_tname(dt)}")
    elif x.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_tname(x.dtype)}; convert "
                           "with .float() or pass dtype=torch.float32")
    if dim is None:
        return _out(Mean.apply(input, None, keepdim, dt), out)
    return _out(MeanDim.apply(input, _axes(dim, x.ndim, "mean"), keepdim, dt), out)


class Nansum(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim, dt):
        ctx.save_for_backward(x)
        ctx.meta = (axes, keepdim)
        return _arr(ctx.xp, ctx.xp.nansum(_cast(x, dt), axis=axes, keepdims=keepdim, dtype=dt))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        axes, keepdim = ctx.meta
        g = _expand(ctx.xp, grad, axes, keepdim, x.shape)
        # a product with the mask, as torch's: an inf upstream gradient gives NaN at NaN entries
        return _arr(ctx.xp, g * ~ctx.xp.isnan(x)), None, None, None


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None, **kw):
    """torch.nansum: NaNs count as zero (and get no gradient)."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "nansum")
    x = input._data
    axes = _axes(dim, x.ndim, "nansum")
    return _out(Nansum.apply(input, axes, keepdim, _acc_dtype(x, dtype)), out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None, **kw):
    """torch.nanmean: nansum / count of non-NaN entries (a DivBackward0 node, as torch's)."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "nanmean")
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_tname(x.dtype)}; convert with .float()")
    axes = _axes(dim, x.ndim, "nanmean")
    count = _arr(input.device.xp, (~input.device.xp.isnan(x)).sum(axis=axes, keepdims=keepdim))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(nansum(input, dim, keepdim) / Tensor._make(count), out)


# -- prod, var, std --------------------------------------------------------------------------
def _others_prod(xp, x, axis):
    """Product of all other entries along ``axis``, exact with zeros (no division)."""
    x = xp.moveaxis(x, axis, -1)
    one = xp.ones(x.shape[:-1] + (1,), x.dtype)
    left = xp.cumprod(xp.concatenate([one, x[..., :-1]], -1), -1)
    right = xp.flip(xp.cumprod(xp.flip(xp.concatenate([x[..., 1:], one], -1), -1), -1), -1)
    return xp.moveaxis(left * right, -1, axis)


class Prod(Function):
    _backward_name = "ProdBackward0"

    @staticmethod
    def forward(ctx, x, d, keepdim, dt):
        out = _arr(ctx.xp, _cast(x, dt).prod(axis=d, keepdims=keepdim, dtype=dt))
        ctx.save_for_backward(x, out)
        ctx.meta = (d, keepdim)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        d, keepdim = ctx.meta
        xp = ctx.xp
        if xp.all(x != 0):
            others = _expand(xp, out, d, keepdim, x.shape) / x
        elif d is None:
            others = _others_prod(xp, x.reshape(-1), 0).reshape(x.shape)
        else:
            others = _others_prod(xp, x, d)
        g = _arr(xp, _expand(xp, grad, d, keepdim, x.shape) * others)
        return g.astype(x.dtype, copy=False), None, None, None


class ProdDim(Prod):
    _backward_name = "ProdBackward1"


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None, **kw):
    """torch.prod: one dim or all; integer and bool inputs give int64."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "prod")
    x = input._data
    dt = _acc_dtype(x, dtype)
    if dim is None:
        return _out(Prod.apply(input, None, keepdim, dt), out)
    d = _wrap_dim(_int(dim, "prod"), x.ndim, "prod")
    return _out(ProdDim.apply(input, d if x.ndim else None, keepdim, dt), out)


def _variance(xp, x, axes, keepdim, n, denom):
    m = x.sum(axis=axes, keepdims=True) / n
    dev = x - m
    return dev, _arr(xp, (dev * dev).sum(axis=axes, keepdims=keepdim) / denom), m


def _moments(ctx, x, axes, keepdim, c, n):
    """(x - mean, variance, mean with kept dims); ctx.meta keeps what backward needs."""
    denom = n - c if n > c else 0
    ctx.meta = (axes, keepdim, denom, n)
    if denom:
        return _variance(ctx.xp, x, axes, keepdim, n, denom)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _variance(ctx.xp, x, axes, keepdim, n, denom)


def _var_grad(xp, dev, grad, meta):
    axes, keepdim, denom, _ = meta
    g = _expand(xp, grad, axes, keepdim, dev.shape)
    return _arr(xp, g * (2.0 / denom if denom else math.inf) * dev)


def _std_grad(xp, dev, out, grad, meta):
    axes, keepdim, denom, _ = meta
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = xp.where(out == 0, 0, grad / (out * denom))  # torch: zero where std == 0
    g = _expand(xp, scale.astype(dev.dtype, copy=False), axes, keepdim, dev.shape)
    return _arr(xp, g * dev)


class Var(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim, c, n):
        dev, out, _ = _moments(ctx, x, axes, keepdim, c, n)
        ctx.save_for_backward(dev)
        return out

    @staticmethod
    def backward(ctx, grad):
        (dev,) = ctx.saved_tensors
        return _var_grad(ctx.xp, dev, grad, ctx.meta), None, None, None, None


class Std(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim, c, n):
        dev, v, _ = _moments(ctx, x, axes, keepdim, c, n)
        out = _arr(ctx.xp, ctx.xp.sqrt(v))
        ctx.save_for_backward(dev, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        dev, out = ctx.saved_tensors
        return _std_grad(ctx.xp, dev, out, grad, ctx.meta), None, None, None, None


def _var_mean(ctx, x, axes, keepdim, c, n, is_std):
    dev, out, m = _moments(ctx, x, axes, keepdim, c, n)
    if is_std:
        out = _arr(ctx.xp, ctx.xp.sqrt(out))
    if not keepdim:
        m = m.reshape(()) if axes is None else m.squeeze(axes)
    ctx.is_std = is_std
    ctx.save_for_backward(dev, out)
    return out, _arr(ctx.xp, m)


class VarMean(Function):
    """(var, mean) in one node; StdMean's first output is the std."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, c, n):
        return _var_mean(ctx, x, axes, keepdim, c, n, False)

    @staticmethod
    def backward(ctx, g_var, g_mean):
        xp = ctx.xp
        dev, out = ctx.saved_tensors
        axes, keepdim, _, n = ctx.meta
        g = (_std_grad(xp, dev, out, g_var, ctx.meta) if ctx.is_std
             else _var_grad(xp, dev, g_var, ctx.meta))
        g_mean = _expand(xp, g_mean / n if n else g_mean, axes, keepdim, dev.shape)
        return g + g_mean, None, None, None, None


class StdMean(VarMean):
    @staticmethod
    def forward(ctx, x, axes, keepdim, c, n):
        return _var_mean(ctx, x, axes, keepdim, c, n, True)


def _var(cls, input, dim, unbiased, keepdim, correction, op):
    if isinstance(dim, bool):  # var(input, unbiased)
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased= or correction=, not both")
    c = correction if correction is not None else (0 if unbiased is False else 1)
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"std and var only support floating point and complex dtypes, got "
                           f"{_tname(x.dtype)} ({op}); convert with .float()")
    axes = _axes(dim, x.ndim, op)
    n = _count(x.shape, axes)
    if n - c <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return cls.apply(input, axes, keepdim, c, n)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None, **kw):
    """torch.var: correction= (default 1) or the legacy unbiased=."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "var")
    return _out(_var(Var, input, dim, unbiased, keepdim, correction, "var"), out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None, **kw):
    """torch.std: correction= (default 1) or the legacy unbiased=; zero gradient where std == 0."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "std")
    return _out(_var(Std, input, dim, unbiased, keepdim, correction, "std"), out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, **kw):
    """torch.var_mean: (var, mean) in one pass."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "var_mean")
    return _var(VarMean, input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, **kw):
    """torch.std_mean: (std, mean) in one pass."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "std_mean")
    return _var(StdMean, input, dim, unbiased, keepdim, correction, "std_mean")


# -- all, any, count_nonzero -----------------------------------------------------------------
def _logical(input, dim, keepdim, op):
    x = input._data
    if isinstance(dim, (tuple, list)) and not dim:  # torch: an empty dim list reduces nothing
        r = x.astype(bool)
    else:
        r = _arr(input.device.xp, getattr(x, op)(axis=_axes(dim, x.ndim, op), keepdims=keepdim))
    return Tensor._make(r.astype(np.uint8) if x.dtype == np.uint8 else r)


def all(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.all: uint8 inputs give uint8, others bool."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "all")
    return _out(_logical(input, dim, keepdim, "all"), out)


def any(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.any: uint8 inputs give uint8, others bool."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "any")
    return _out(_logical(input, dim, keepdim, "any"), out)


def count_nonzero(input, dim=None, **kw):
    """torch.count_nonzero"""
    if kw:
        dim = _alias(kw, dim, None, "count_nonzero")[0]
    x = input._data
    axes = _axes(dim, x.ndim, "count_nonzero")
    return Tensor._make(_arr(input.device.xp, (x != 0).sum(axis=axes, dtype=np.int64)))


METHODS = {"sum": sum, "mean": mean, "prod": prod, "var": var, "std": std, "nansum": nansum,
           "nanmean": nanmean, "all": all, "any": any, "count_nonzero": count_nonzero,
           **_softmax.METHODS, **sorting.METHODS}
