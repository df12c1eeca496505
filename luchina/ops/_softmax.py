"""logsumexp, softmax, log_softmax, cumsum, cumprod and norm (re-exported by reduce.py)."""

import math

import numpy as np

from luchina import _dtype
from luchina._tensor import _wrap_dim
from luchina.autograd.function import Function
from luchina.ops._util import _acc_dtype, _cast, inplace
from luchina.ops.elementwise import _out
from luchina.ops.sorting import _alias, _arr, _axes, _int, _tname

__all__ = ["cumprod", "cumsum", "log_softmax", "logsumexp", "norm", "softmax"]


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


METHODS = {"logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
           "cumsum": cumsum, "cumprod": cumprod, "cumsum_": _cumsum_, "cumprod_": _cumprod_,
           "norm": norm}
