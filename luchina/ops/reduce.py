"""Reductions and scans: sum, mean, prod, var, std, nansum, nanmean, all, any, count_nonzero,
logsumexp, softmax, log_softmax, cumsum, cumprod, norm. The selections (max, sort, topk,
median...) live in sorting.py and are re-exported here."""

import math
import warnings

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor, _wrap_dim
from luchina.autograd.function import Function
from luchina.ops import sorting
from luchina.ops._util import inplace
from luchina.ops.elementwise import _out
from luchina.ops.sorting import *  # noqa: F401,F403
from luchina.ops.sorting import _alias, _arr, _axes, _expand, _int, _tname

__all__ = ["all", "any", "count_nonzero", "cumprod", "cumsum", "log_softmax", "logsumexp", "mean",
           "nanmean", "nansum", "norm", "prod", "softmax", "std", "std_mean", "sum", "var",
           "var_mean", *sorting.__all__]

_INT64 = np.dtype(np.int64)


def _count(shape, axes):
    if axes is None:
        return math.prod(shape)
    if type(axes) is int:
        return shape[axes]
    return math.prod([shape[a] for a in axes])


def _acc_dtype(x, dtype):
    """The dtype a sum-like op accumulates in: dtype=, else int64 for integer/bool inputs."""
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return _INT64 if x.dtype.kind in "biu" else None


def _cast(x, dt):
    # float -> int casts element-wise first, as torch's input.to(dtype) does
    return x.astype(dt) if dt is not None and x.dtype.kind == "f" and dt.kind != "f" else x


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


# -- logsumexp, softmax, log_softmax ----------------------------------------------------------
class Logsumexp(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = ctx.xp
        ctx.meta = (axes, keepdim)
        if x.size:
            m = x.max(axis=axes, keepdims=True)
            inf = xp.isinf(m)
            ctx.inf = inf.any()
            if ctx.inf:  # all -inf (or an inf) slices: no shift, and log(0) = -inf is right
                m = xp.where(inf, 0, m)
                with np.errstate(divide="ignore"):
                    out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
            else:
                out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        else:
            ctx.inf = True
            with np.errstate(divide="ignore"):
                out = xp.log(x.sum(axis=axes, keepdims=True))
        if not keepdim:
            out = out.reshape(()) if axes is None else out.squeeze(axes)
        out = _arr(xp, out)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.meta
        xp = ctx.xp
        if not keepdim and axes is not None:
            out, grad = xp.expand_dims(out, axes), xp.expand_dims(grad, axes)
        if ctx.inf:
            with np.errstate(invalid="ignore"):
                return _arr(xp, grad * xp.exp(x - out)), None, None
        return _arr(xp, grad * xp.exp(x - out)), None, None


def logsumexp(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.logsumexp, shifted by the max for stability; dim=() reduces every dim."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "logsumexp")
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    if input._data.dtype.kind != "f":
        input = input.to(_dtype.get_default_dtype())
    axes = _axes(dim, input._data.ndim, "logsumexp")
    return _out(Logsumexp.apply(input, axes, keepdim), out)


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        if not x.size:
            ctx.save_for_backward(x)
            return x.copy()
        shape = x.shape
        if not shape:
            x = x.reshape(1)
        e = x - x.max(axis=d, keepdims=True)
        ctx.xp.exp(e, out=e)
        e /= e.sum(axis=d, keepdims=True)
        if not shape:
            e = e.reshape(())
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if not out.ndim:
            return ctx.xp.zeros_like(grad), None
        g = grad * out
        g -= out * g.sum(axis=ctx.d, keepdims=True)
        return g, None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        if not x.size:
            ctx.save_for_backward(x)
            return x.copy()
        shape = x.shape
        if not shape:
            x = x.reshape(1)
        s = x - x.max(axis=d, keepdims=True)
        s -= ctx.xp.log(ctx.xp.exp(s).sum(axis=d, keepdims=True))
        if not shape:
            s = s.reshape(())
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if not out.ndim:
            return ctx.xp.zeros_like(grad), None
        return grad - ctx.xp.exp(out) * grad.sum(axis=ctx.d, keepdims=True), None


def _softmax_in(input, dim, dtype, op):
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{op}" not implemented for \'{_tname(x.dtype)}\'; convert '
                                  "the input with .float() or pass dtype=torch.float32")
    if dim is None:
        raise TypeError(f"{op}(): argument 'dim' must be int, not NoneType")
    return input, _wrap_dim(_int(dim, op), x.ndim, op)


def softmax(input, dim=None, dtype=None, *, out=None, **kw):
    """torch.softmax (dim required); shifted by the max, backward from the output."""
    if kw:
        dim = _alias(kw, dim, None, "softmax")[0]
    input, d = _softmax_in(input, dim, dtype, "softmax")
    return _out(Softmax.apply(input, d), out)


def log_softmax(input, dim=None, dtype=None, *, out=None, **kw):
    """torch.log_softmax (dim required); shifted by the max, backward from the output."""
    if kw:
        dim = _alias(kw, dim, None, "log_softmax")[0]
    input, d = _softmax_in(input, dim, dtype, "log_softmax")
    return _out(LogSoftmax.apply(input, d), out)


# -- cumsum, cumprod -----------------------------------------------------------------------------
def _rev_cumsum(xp, a, d):
    return xp.flip(xp.cumsum(xp.flip(a, d), axis=d), d)


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, d, dt):
        ctx.meta = (d, x.dtype)
        x = _cast(x, dt)
        if not x.ndim:
            return x.astype(dt or x.dtype, copy=True)
        return ctx.xp.cumsum(x, axis=d, dtype=dt)

    @staticmethod
    def backward(ctx, grad):
        d, dt = ctx.meta
        g = _rev_cumsum(ctx.xp, grad, d) if grad.ndim else grad
        return g.astype(dt, copy=False), None, None


class Cumprod(Function):
    @staticmethod
    def forward(ctx, x, d, dt):
        x = _cast(x, dt)
        out = x.astype(dt or x.dtype, copy=True) if not x.ndim else ctx.xp.cumprod(
            x, axis=d, dtype=dt)
        ctx.save_for_backward(x, out)
        ctx.d = d
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if not x.ndim:
            return grad.astype(x.dtype), None, None
        xp, d = ctx.xp, ctx.d
        g = _rev_cumsum(xp, grad * out, d)
        zero = x == 0
        if not xp.any(zero):
            return (g / x).astype(x.dtype, copy=False), None, None
        # d out_k / d x_i = out_k / x_i before the first zero of a slice; at the first zero
        # the product skips that zero; after it every term holds a zero factor
        seen = xp.cumsum(zero, axis=d)
        before = seen == 0
        first = zero & (seen == 1)
        res = xp.where(before, g / xp.where(before, x, 1), 0)
        skip = _rev_cumsum(xp, grad * xp.cumprod(xp.where(first, 1, x), axis=d), d)
        return xp.where(first, skip, res).astype(x.dtype, copy=False), None, None


def _scan(cls, input, dim, dtype, op):
    if dim is None:
        raise TypeError(f'{op}() missing 1 required positional arguments: "dim"')
    x = input._data
    d = _wrap_dim(_int(dim, op), x.ndim, op)
    return cls.apply(input, d, _acc_dtype(x, dtype))


def cumsum(input, dim=None, *, dtype=None, out=None, **kw):
    """torch.cumsum: integer and bool inputs give int64."""
    if kw:
        dim = _alias(kw, dim, None, "cumsum")[0]
    return _out(_scan(Cumsum, input, dim, dtype, "cumsum"), out)


def cumprod(input, dim=None, *, dtype=None, out=None, **kw):
    """torch.cumprod: integer and bool inputs give int64; exact gradient with zeros."""
    if kw:
        dim = _alias(kw, dim, None, "cumprod")[0]
    return _out(_scan(Cumprod, input, dim, dtype, "cumprod"), out)


def _cumsum_(self, dim, *, dtype=None):
    return inplace(self, "cumsum_", lambda t: cumsum(t, dim, dtype=dtype), ())


def _cumprod_(self, dim, *, dtype=None):
    return inplace(self, "cumprod_", lambda t: cumprod(t, dim, dtype=dtype), ())


# -- norm ------------------------------------------------------------------------------------
class LinalgVectorNorm(Function):
    @staticmethod
    def forward(ctx, x, p, axes, keepdim, dt):
        xp = ctx.xp
        ctx.meta = (p, axes, keepdim, x.dtype)
        if dt is not None:
            x = x.astype(dt)
        if p == 2:
            if axes is None and not keepdim:
                flat = x.reshape(-1)
                out = xp.sqrt(xp.dot(flat, flat))
            else:
                out = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        elif p == 1:
            out = xp.abs(x).sum(axis=axes, keepdims=keepdim)
        elif p == math.inf:
            out = xp.abs(x).max(axis=axes, keepdims=keepdim)
        elif p == -math.inf:
            out = xp.abs(x).min(axis=axes, keepdims=keepdim)
        elif p == 0:
            out = (x != 0).sum(axis=axes, keepdims=keepdim, dtype=x.dtype)
        else:
            with np.errstate(divide="ignore", over="ignore"):
                out = (xp.abs(x) ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
        out = _arr(xp, out)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p, axes, keepdim, in_dt = ctx.meta
        xp = ctx.xp
        if p == 0:
            return None, None, None, None, None
        if not keepdim and axes is not None:
            out, grad = xp.expand_dims(out, axes), xp.expand_dims(grad, axes)
        if p == 2:
            g = x * (grad / xp.where(out == 0, 1, out))  # zero gradient at a zero norm
            return _arr(xp, g).astype(in_dt, copy=False), None, None, None, None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == 1:
                g = xp.sign(x) * grad
            elif p == math.inf or p == -math.inf:  # ties share the gradient, as amax
                mask = xp.abs(x) == out
                g = xp.sign(x) * mask * (grad / mask.sum(axis=axes, keepdims=True))
            else:
                g = xp.sign(x) * (xp.abs(x) / xp.where(out == 0, 1, out)) ** (p - 1) * grad
                g = xp.where((x == 0) | (out == 0), 0, g)
        return _arr(xp, g).astype(in_dt, copy=False), None, None, None, None


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None, **kw):
    """torch.norm: vector norms over dim (or all dims); p='nuc' is not supported."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "norm")
    x = input._data
    if p is None or p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
        p = 2
    elif isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("norm(p='nuc') is not supported yet; compute it from the "
                                      "singular values")
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    if x.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_tname(x.dtype)}; convert with .float()")
    axes = _axes(dim, x.ndim, "norm")
    if x.size == 0 and p in (math.inf, -math.inf):
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                           "because the operation does not have an identity")
    dt = None if dtype is None else _dtype.to_dtype(dtype).np
    return _out(LinalgVectorNorm.apply(input, float(p), axes, keepdim, dt), out)


METHODS = {"sum": sum, "mean": mean, "prod": prod, "var": var, "std": std, "nansum": nansum,
           "nanmean": nanmean, "all": all, "any": any, "count_nonzero": count_nonzero,
           "logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
           "cumsum": cumsum, "cumprod": cumprod, "cumsum_": _cumsum_, "cumprod_": _cumprod_,
           "norm": norm, **sorting.METHODS}
