"""Selections along a dim: max/min, amax/amin, aminmax, argmax/argmin, sort, argsort, msort,
topk, median, nanmedian, kthvalue, mode, unique, bincount; plus the helpers reduce.py shares
(dims, named result tuples, 0-d results as arrays)."""

import collections
import sys
import types

import numpy as np

from luchina._tensor import Tensor, _wrap_dim
from luchina.autograd.function import Function
from luchina.ops.elementwise import _out

__all__ = ["amax", "amin", "aminmax", "argmax", "argmin", "argsort", "bincount", "kthvalue",
           "max", "median", "min", "mode", "msort", "nanmedian", "return_types", "sort", "topk",
           "unique"]


# -- helpers shared with reduce.py ---------------------------------------------------------------
def _arr(xp, r):
    """numpy reductions and 0-d arithmetic give scalars; tensors always hold arrays."""
    return r if isinstance(r, xp.ndarray) else xp.asarray(r)


def _axes(dim, ndim, op):
    """torch's dim argument as a numpy axis: None for every dim (also for () and 0-d inputs)."""
    if dim is None:
        return None
    if type(dim) is int:
        if 0 <= dim < ndim:
            return dim
        d = _wrap_dim(dim, ndim, op)
        return d if ndim else None
    if isinstance(dim, (tuple, list)):
        if not dim:
            return None
        out = tuple([_wrap_dim(_int(d, op), ndim, op) for d in dim])
        if len(set(out)) != len(out):
            d = next(d for d in out if out.count(d) > 1)
            raise RuntimeError(f"{op}(): dim {d} appears multiple times in the list of dims "
                               f"{list(dim)}")
        return out if ndim else None
    return _axes(_int(dim, op), ndim, op)


def _int(d, op):
    if isinstance(d, (int, np.integer)) and not isinstance(d, bool):
        return int(d)
    if isinstance(d, Tensor) and d.numel() == 1 and d._data.dtype.kind in "iu":
        return int(d.item())
    raise TypeError(f"{op}(): argument 'dim' must be int or tuple of ints, not "
                    f"{type(d).__name__}")


def _alias(kw, dim, keepdim, op):
    """torch also takes numpy's names: axis= for dim, keepdims= for keepdim."""
    bad = set(kw) - {"axis", "keepdims"}
    if bad:
        raise TypeError(f"{op}() got an unexpected keyword argument '{bad.pop()}'")
    return kw.get("axis", dim), kw.get("keepdims", keepdim)


def _tuple_axes(axes, ndim):
    return tuple(range(ndim)) if axes is None else (axes,) if type(axes) is int else axes


def _expand(xp, g, axes, keepdim, shape):
    """A reduced gradient broadcast back over the input's shape (a view, no copy)."""
    if not keepdim and axes is not None:
        g = xp.expand_dims(g, axes)
    return xp.broadcast_to(g, shape)


_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _tname(np_dtype):
    return _TORCH_NAMES.get(np_dtype.name, np_dtype.name)


def _out2(rt, v, i, out):
    if out is not None:
        v, i = _out(v, out[0]), _out(i, out[1])
    return rt(v, i)


# -- named result tuples (torch.return_types) ----------------------------------------------------
return_types = types.ModuleType("luchina.return_types", "Named result tuples (torch.return_types)")
sys.modules["luchina.return_types"] = return_types


def _return_type(name, fields=("values", "indices")):
    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (collections.namedtuple(name, fields),),
               {"__slots__": (), "__repr__": __repr__, "__module__": "luchina.return_types"})
    setattr(return_types, name, cls)
    return cls


_RT = {n: _return_type(n) for n in ("max", "min", "sort", "topk", "median", "nanmedian",
                                    "kthvalue", "mode")}
_RT["aminmax"] = _return_type("aminmax", ("min", "max"))


# -- reductions whose gradient is shared evenly among ties --------------------------------------
def _spread(xp, x, out, grad, axes, keepdim, nan_ties=False):
    """grad of an extreme (or median) value, split evenly among the entries equal to it."""
    if not keepdim and axes is not None:
        out, grad = xp.expand_dims(out, axes), xp.expand_dims(grad, axes)
    mask = x == out
    if nan_ties and out != out:
        mask = xp.isnan(x)
    count = mask.sum(axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # amax over NaN: NaN, as torch
        return _arr(xp, mask * (grad / count))


class Amax(Function):
    """amax/amin, and max/min/median without dim (other names, same backward)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, fn, nan_ties):
        out = _arr(ctx.xp, fn(ctx.xp, x, axes, keepdim))
        ctx.save_for_backward(x, out)
        ctx.meta = (axes, keepdim, nan_ties)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        axes, keepdim, nan_ties = ctx.meta
        return _spread(ctx.xp, x, out, grad, axes, keepdim, nan_ties), None, None, None, None


class Amin(Amax):
    pass


class MaxAll(Amax):
    _backward_name = "MaxBackward1"


class MinAll(Amax):
    _backward_name = "MinBackward1"


class MedianAll(Amax):
    _backward_name = "MedianBackward0"


class NanmedianAll(Amax):
    _backward_name = "NanmedianBackward0"


def _max_fn(xp, x, axes, keepdim):
    return x.max(axis=axes, keepdims=keepdim)


def _min_fn(xp, x, axes, keepdim):
    return x.min(axis=axes, keepdims=keepdim)


def _nanmedian_fn(xp, x, axes, keepdim):
    return _median_fn(xp, x, axes, keepdim, True)


def _median_fn(xp, x, axes, keepdim, ignore_nan=False):
    flat = x.reshape(-1)
    if x.dtype.kind == "f":
        if ignore_nan:
            flat = flat[~xp.isnan(flat)]
        elif flat.size and xp.isnan(flat).any():
            return xp.asarray(np.nan, dtype=x.dtype)
    n = flat.size
    if n == 0:
        return xp.asarray(np.nan if x.dtype.kind == "f" else np.iinfo(x.dtype).min, x.dtype)
    k = (n - 1) // 2
    return xp.partition(flat, k)[k]


def _check_nonempty(x, axes, op):
    if x.size == 0:
        if axes is None:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        for a in _tuple_axes(axes, x.ndim):
            if x.shape[a] == 0:
                raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def amax(input, dim=(), keepdim=False, *, out=None, **kw):
    """torch.amax: ties share the gradient evenly."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "amax")
    axes = _axes(dim, input._data.ndim, "amax")
    _check_nonempty(input._data, axes, "amax")
    return _out(Amax.apply(input, axes, keepdim, _max_fn, False), out)


def amin(input, dim=(), keepdim=False, *, out=None, **kw):
    """torch.amin: ties share the gradient evenly."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "amin")
    axes = _axes(dim, input._data.ndim, "amin")
    _check_nonempty(input._data, axes, "amin")
    return _out(Amin.apply(input, axes, keepdim, _min_fn, False), out)


class Aminmax(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = ctx.xp
        lo = _arr(xp, x.min(axis=axes, keepdims=keepdim))
        hi = _arr(xp, x.max(axis=axes, keepdims=keepdim))
        ctx.save_for_backward(x, lo, hi)
        ctx.meta = (axes, keepdim)
        return lo, hi

    @staticmethod
    def backward(ctx, g_lo, g_hi):
        x, lo, hi = ctx.saved_tensors
        axes, keepdim = ctx.meta
        xp = ctx.xp
        return (_spread(xp, x, lo, g_lo, axes, keepdim) + _spread(xp, x, hi, g_hi, axes, keepdim),
                None, None)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """torch.aminmax: (min, max) in one call."""
    x = input._data
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    axes = _axes(dim, x.ndim, "aminmax")
    if x.size == 0 and (axes is None or x.shape[axes] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    lo, hi = Aminmax.apply(input, axes, keepdim)
    return _out2(_RT["aminmax"], lo, hi, out)


# -- values picked at indices along one dim; the gradient goes back to those indices -------------
class _Pick(Function):
    """``pick(xp, x, d, arg)`` returns int64 indices along ``d`` (same rank as x)."""

    @staticmethod
    def forward(ctx, x, d, keepdim, pick, arg):
        xp = ctx.xp
        shape = x.shape
        if not shape:
            x = x.reshape(1)
        idx = pick(xp, x, d, arg)
        if type(idx) is tuple:  # the picker found the values too
            idx, val = idx
        else:
            val = xp.take_along_axis(x, idx, d)
        ctx.save_for_backward(idx)
        ctx.meta = (shape, x.shape, d)
        if not shape:
            return val.reshape(()), idx.reshape(())
        if not keepdim:
            return val.squeeze(d), idx.squeeze(d)
        return val, idx

    @staticmethod
    def backward(ctx, grad, _):
        (idx,) = ctx.saved_tensors
        shape, work, d = ctx.meta
        xp = ctx.xp
        grad = grad.reshape(idx.shape)
        if idx.shape[d] == 1:  # one index per slice: a mask is cheaper than a scatter
            pos = xp.arange(work[d]).reshape((-1,) + (1,) * (len(work) - d - 1))
            g = (pos == idx) * grad
        else:
            g = xp.zeros(work, grad.dtype)
            xp.put_along_axis(g, idx, grad, d)
        return g.reshape(shape), None, None, None, None


class Max(_Pick):
    pass


class Min(_Pick):
    pass


class Sort(_Pick):
    pass


class SortStable(_Pick):
    _backward_name = "SortBackward1"


class Topk(_Pick):
    pass


class Kthvalue(_Pick):
    pass


class Mode(_Pick):
    pass


class Median(_Pick):
    _backward_name = "MedianBackward1"


class Nanmedian(_Pick):
    _backward_name = "NanmedianBackward1"


def _argsort(xp, x, d, descending):
    """Stable argsort; descending keeps equal values in index order and puts NaN first."""
    kind = "stable" if xp is np else None
    if not descending:
        return xp.argsort(x, axis=d, kind=kind)
    r = xp.argsort(xp.flip(x, d), axis=d, kind=kind)
    return (x.shape[d] - 1) - xp.flip(r, d)


def _take(a, d, start, stop):
    return a[(slice(None),) * d + (slice(start, stop),)]


def _pick_arg(xp, x, d, largest):
    if largest:  # two reductions beat a gather (take_along_axis) on small inputs
        return x.argmax(axis=d, keepdims=True), x.max(axis=d, keepdims=True)
    return x.argmin(axis=d, keepdims=True), x.min(axis=d, keepdims=True)


def _pick_sort(xp, x, d, descending):
    return _argsort(xp, x, d, descending)


def _pick_topk(xp, x, d, arg):
    k, largest = arg
    n = x.shape[d]
    if 0 < k and 8 * k < n:  # partition first: only the k selected values get sorted
        part = xp.argpartition(x, n - k if largest else k - 1, axis=d)
        sel = xp.sort(_take(part, d, n - k, n) if largest else _take(part, d, 0, k), axis=d)
        order = _argsort(xp, xp.take_along_axis(x, sel, d), d, largest)
        return xp.take_along_axis(sel, order, d)
    return _take(_argsort(xp, x, d, largest), d, 0, k)


def _pick_median(xp, x, d, ignore_nan):
    n = x.shape[d]
    idx = _argsort(xp, x, d, False)
    if x.dtype.kind == "f":  # NaNs sort last: median is the first NaN, nanmedian skips them
        nans = xp.isnan(x).sum(axis=d, keepdims=True)
        if ignore_nan:
            pos = xp.maximum((n - 1 - nans) // 2, 0)
        else:
            pos = xp.where(nans > 0, n - nans, (n - 1) // 2)
    else:
        pos = xp.full(idx.shape[:d] + (1,) + idx.shape[d + 1:], (n - 1) // 2)
    return xp.take_along_axis(idx, pos, d)


def _pick_kth(xp, x, d, k):
    return _take(_argsort(xp, x, d, False), d, k - 1, k)


def _pick_mode(xp, x, d, _):
    xm = xp.moveaxis(x, d, -1)
    s = xp.sort(xm, axis=-1)
    n = s.shape[-1]
    pos = xp.arange(n)
    new = xp.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    run = pos - xp.maximum.accumulate(xp.where(new, pos, 0), axis=-1) + 1
    # the first position reaching the longest run ends the smallest most frequent value
    val = xp.take_along_axis(s, run.argmax(axis=-1, keepdims=True), -1)
    last = (n - 1) - xp.flip(xm == val, -1).argmax(axis=-1, keepdims=True)
    return xp.moveaxis(last, -1, d)


def _picked(cls, input, dim, keepdim, pick, arg, out, op):
    x = input._data
    d = _wrap_dim(_int(dim, op), x.ndim, op)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    v, i = cls.apply(input, d, keepdim, pick, arg)
    return _out2(_RT[op], v, i, out)


def max(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.max: the 0-d max; (values, indices) along dim; maximum(input, other) for a Tensor."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "max")
    if dim is None:
        _check_nonempty(input._data, None, "max")
        return _out(MaxAll.apply(input, None, False, _max_fn, True), out)
    if isinstance(dim, Tensor):
        from luchina.ops.compare import maximum
        return maximum(input, dim, out=out)
    return _picked(Max, input, dim, keepdim, _pick_arg, True, out, "max")


def min(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.min: the 0-d min; (values, indices) along dim; minimum(input, other) for a Tensor."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "min")
    if dim is None:
        _check_nonempty(input._data, None, "min")
        return _out(MinAll.apply(input, None, False, _min_fn, True), out)
    if isinstance(dim, Tensor):
        from luchina.ops.compare import minimum
        return minimum(input, dim, out=out)
    return _picked(Min, input, dim, keepdim, _pick_arg, False, out, "min")


def median(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.median: the lower median; NaN if the slice holds one."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "median")
    if dim is None:
        return _out(MedianAll.apply(input, None, False, _median_fn, True), out)
    return _picked(Median, input, dim, keepdim, _pick_median, False, out, "median")


def nanmedian(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.nanmedian: the lower median of the non-NaN values."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "nanmedian")
    if dim is None:
        return _out(NanmedianAll.apply(input, None, False, _nanmedian_fn, True), out)
    if input._data.ndim and input._data.shape[_wrap_dim(dim, input._data.ndim, "median")] == 0:
        raise IndexError(f"median(): Expected reduction dim {dim} to have non-zero size.")
    return _picked(Nanmedian, input, dim, keepdim, _pick_median, True, out, "nanmedian")


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None, **kw):
    """torch.kthvalue: the k-th smallest (1-based); among equal values the index may differ."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "kthvalue")
    x = input._data
    d = _wrap_dim(dim, x.ndim, "kthvalue")
    n = x.shape[d] if x.ndim else 1
    if n and not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension {d} "
                           f"of size {n}")
    return _picked(Kthvalue, input, d, keepdim, _pick_kth, k, out, "kthvalue")


def mode(input, dim=-1, keepdim=False, *, out=None, **kw):
    """torch.mode: the smallest most frequent value and its last index."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "mode")
    return _picked(Mode, input, dim, keepdim, _pick_mode, None, out, "mode")


_UNSET = object()


def sort(input, dim=-1, descending=False, *, stable=_UNSET, out=None, **kw):
    """torch.sort: always stable (equal values keep their order); NaN sorts as the largest."""
    if kw:
        dim = _alias(kw, dim, None, "sort")[0]
    x = input._data
    d = _wrap_dim(_int(dim, "sort"), x.ndim, "sort")
    # torch names the node of its stable= overload SortBackward1
    v, i = (Sort if stable is _UNSET else SortStable).apply(input, d, True, _pick_sort, descending)
    return _out2(_RT["sort"], v, i, out)


def argsort(input, dim=-1, descending=False, stable=False, **kw):
    """torch.argsort: always stable."""
    if kw:
        dim = _alias(kw, dim, None, "argsort")[0]
    x = input._data
    d = _wrap_dim(_int(dim, "argsort"), x.ndim, "argsort")
    if not x.ndim:
        return Tensor._make(input.device.xp.zeros((), np.int64))
    return Tensor._make(_argsort(input.device.xp, x, d, descending))


def msort(input, *, out=None):
    """torch.msort: sort along dim 0."""
    return _out(sort(input, 0).values, out)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None, **kw):
    """torch.topk: the result is always sorted; equal values may come in another order."""
    if kw:
        dim = _alias(kw, dim, None, "topk")[0]
    x = input._data
    d = _wrap_dim(_int(dim, "topk"), x.ndim, "topk")
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k={k} out of range for dimension {d} of "
                           f"size {n}")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes; convert with .int() first")
    if not x.ndim:
        k = 1
    v, i = Topk.apply(input, d, True, _pick_topk, (k, largest))
    return _out2(_RT["topk"], v, i, out)


def argmax(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.argmax: dim=None looks at the flattened input."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "argmax")
    return _out(_arg(input, dim, keepdim, "argmax"), out)


def argmin(input, dim=None, keepdim=False, *, out=None, **kw):
    """torch.argmin: dim=None looks at the flattened input."""
    if kw:
        dim, keepdim = _alias(kw, dim, keepdim, "argmin")
    return _out(_arg(input, dim, keepdim, "argmin"), out)


def _arg(input, dim, keepdim, op):
    x = input._data
    xp = input.device.xp
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        r = _arr(xp, getattr(x, op)())
        if keepdim:
            r = r.reshape((1,) * x.ndim)
    else:
        d = _wrap_dim(_int(dim, op), x.ndim, op)
        if not x.ndim:
            r = xp.zeros((), np.int64)
        elif x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
        else:
            r = _arr(xp, getattr(x, op)(axis=d, keepdims=keepdim))
    return Tensor._make(r.astype(np.int64, copy=False))


# -- unique and bincount ------------------------------------------------------------------------
class _Undifferentiable(Function):
    """Outputs that require grad (as torch's do) but whose backward is not implemented."""

    @staticmethod
    def forward(ctx, x, fn, name):
        ctx.what = name
        return fn(x)

    @staticmethod
    def backward(ctx, *grads):
        if ctx.what == "bincount":
            raise RuntimeError("derivative for aten::bincount is not implemented")
        raise NotImplementedError(f"the derivative for '{ctx.what}' is not implemented.")


class Unique2(_Undifferentiable):
    pass


class UniqueDim(_Undifferentiable):
    pass


class Bincount(_Undifferentiable):
    _backward_name = "NotImplemented"


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """torch.unique: the values always come sorted."""
    x = input._data
    xp = input.device.xp
    if dim is None:
        vals, inv, cnt = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True,
                                   **({"equal_nan": False} if xp is np else {}))
        inv = inv.reshape(x.shape)
    else:
        d = _wrap_dim(_int(dim, "unique"), x.ndim, "unique")
        vals, inv, cnt = xp.unique(x, return_inverse=True, return_counts=True, axis=d)
        inv = inv.reshape(-1)
    if x.dtype.kind == "f":
        cls = Unique2 if dim is None else UniqueDim
        v = cls.apply(input, lambda a: vals, "_unique2" if dim is None else "unique_dim")
    else:
        v = Tensor._make(vals)
    extra = ([Tensor._make(inv.astype(np.int64, copy=False))] if return_inverse else []) + (
        [Tensor._make(cnt.astype(np.int64, copy=False))] if return_counts else [])
    return (v, *extra) if extra else v


def bincount(input, weights=None, minlength=0):
    """torch.bincount: float weights keep their dtype, integer weights give float64."""
    x = input._data
    if x.dtype.kind not in "iub":
        raise NotImplementedError(f'"bincount" not implemented for \'{_tname(x.dtype)}\'; '
                                  "convert the input with .long()")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs, got shape "
                           f"{tuple(x.shape)}")
    xp = input.device.xp
    if weights is None:
        return Tensor._make(xp.bincount(x, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError(f"weights should be 1-d and have the same length as input (input "
                           f"{tuple(x.shape)}, weights {tuple(w.shape)})")
    dt = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)

    def count(wa):
        return xp.bincount(x, weights=wa, minlength=minlength).astype(dt, copy=False)
    return Bincount.apply(weights, count, "bincount")


METHODS = {"max": max, "min": min, "amax": amax, "amin": amin, "aminmax": aminmax,
           "argmax": argmax, "argmin": argmin, "sort": sort, "argsort": argsort, "msort": msort,
           "topk": topk, "median": median, "nanmedian": nanmedian, "kthvalue": kthvalue,
           "mode": mode, "unique": unique, "bincount": bincount}
