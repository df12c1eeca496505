"""Tensor indexing: ``x[key]`` and ``x[key] = value`` with torch's semantics, and index_put.

A key is split the way torch applies it: ints, slices, None and Ellipsis first (a view that
shares memory with ``x``), then the advanced indices (int/bool tensors, lists) on that view,
which copies. gather/scatter/masked_fill... live in ``_scatter.py`` and are re-exported here.
"""

import warnings

import numpy as np

from luchina._device import array_module
from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.autograd.grad_mode import _mode
from luchina.ops import _masked, _scatter
from luchina.ops._masked import *  # noqa: F401,F403
from luchina.ops._masked import one_hot  # noqa: F401  (for nn.functional)
from luchina.ops._scatter import *  # noqa: F401,F403
from luchina.ops._scatter import _add_at
from luchina.ops._util import inplace
from luchina.ops._views import Alias, IndexUnsqueeze, Select, Slice, _basic_view, _expand_shape

__all__ = ["index_put"] + _scatter.__all__ + _masked.__all__

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
              "are valid indices (got {})")
_SEQ = (list, tuple)


def _seq_as_tuple(key):
    """torch's legacy rule: a list holding slices, None, Ellipsis, tensors or lists is a tuple."""
    if len(key) >= 32:
        return False
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, (slice, Tensor, list, tuple)):
            return True
    return False


def _index_array(k, xp):
    arr = np.asarray(k)
    if arr.dtype.kind == "f" and arr.size == 0:
        arr = arr.astype(np.int64)
    return arr if xp is np else xp.asarray(arr)


def _parse(a, key, setting):
    """Split ``key`` into a basic key (always holding one Ellipsis), the advanced indices as
    ``[(dim in the basic view, array, is_mask)]`` (None when there are none), and the Function
    class that names the basic view's node."""
    single = type(key) is not tuple
    if single:
        if type(key) is list and _seq_as_tuple(key):
            warnings.warn(
                "Using a non-tuple sequence for multidimensional indexing is deprecated; use "
                "x[tuple(seq)] instead of x[seq].", UserWarning, stacklevel=3)
            key = tuple(key)
            single = False
        else:
            key = (key,)
    ndim = a.ndim
    items = []
    used = 0
    ell = False
    for k in key:
        t = type(k)
        if t is int:
            items.append((0, k))
            used += 1
        elif t is slice:
            items.append((1, k))
            used += 1
        elif k is None:
            items.append((2, None))
        elif k is Ellipsis:
            if ell:
                raise IndexError("an index can only have a single ellipsis ('...')")
            ell = True
            items.append((3, None))
        elif t is bool or t is np.bool_:
            items.append((4, bool(k)))
        elif isinstance(k, np.integer):
            items.append((0, int(k)))
            used += 1
        else:
            if isinstance(k, Tensor):
                arr = k._data
                if type(arr) is not type(a) and type(a) is not np.ndarray:
                    arr = array_module(a).asarray(arr)  # CPU index tensors work on the GPU
            elif isinstance(k, (list, tuple, np.ndarray)):
                arr = _index_array(k, array_module(a))
            elif t is float:
                raise IndexError(_BAD_INDEX.format(t.__name__))
            else:
                raise TypeError(f"invalid index of type {t.__name__}: use ints, slices, None, "
                                "Ellipsis, or int/bool tensors")
            kind = arr.dtype.kind
            if kind == "b" or arr.dtype == np.uint8:
                if kind != "b":
                    warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use "
                                  "a dtype torch.bool instead.", UserWarning, stacklevel=3)
                    arr = arr.astype(bool)
                if arr.ndim == 0:
                    items.append((4, bool(arr)))
                else:
                    items.append((6, arr))
                    used += arr.ndim
            elif kind in "iu":
                if arr.ndim == 0:
                    items.append((0, int(arr)))
                else:
                    items.append((5, arr))
                used += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if used > ndim:
        if ndim == 0 and any(kind == 0 for kind, _ in items):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    shape = a.shape
    bkey = []
    adv = None
    cls = None
    i = o = 0  # dim of the input, dim of the basic view
    for kind, v in items:
        if kind == 0:
            size = shape[i]
            if not -size <= v < size:
                raise IndexError(f"index {v} is out of bounds for dimension {i} with size {size}")
            bkey.append(v)
            cls = Select
            i += 1
        elif kind == 1:
            step = v.step
            if step is not None and step <= 0:
                raise ValueError("slice step cannot be zero" if step == 0 else
                                 "step must be greater than zero")
            bkey.append(v)
            if (single and not setting) or not _full(v, shape[i]):
                cls = Slice
            i += 1
            o += 1
        elif kind == 2:
            bkey.append(None)
            cls = IndexUnsqueeze
            o += 1
        elif kind == 3:
            n = ndim - used
            bkey.append(Ellipsis)
            i += n
            o += n
        elif kind == 4:  # a bool scalar: a new dim of size 1, indexed by [0] or []
            bkey.append(None)
            if setting:
                cls = IndexUnsqueeze  # torch names the write CopySlices
            adv = adv or []
            adv.append((o, array_module(a).zeros(1 if v else 0, np.int64), False))
            o += 1
        else:
            k = 1 if kind == 5 else v.ndim
            bkey.extend([slice(None)] * k)
            adv = adv or []
            adv.append((o, v, kind == 6))
            i += k
            o += k
    if not ell:
        bkey.append(Ellipsis)
    return tuple(bkey), adv, cls


def _full(s, n):
    """torch skips a slice in a tuple key when it is literally [0 or None : >= n or None]."""
    return ((s.start is None or s.start == 0) and (s.stop is None or s.stop >= n)
            and (s.step is None or s.step == 1))


def _adv_key(nd, adv):
    key = [slice(None)] * nd
    for pos, arr, mask in reversed(adv):
        key[pos:pos + (arr.ndim if mask else 1)] = [arr]
    return tuple(key)


def _int_key(akey, xp):
    """The advanced key with bool masks replaced by their nonzero() indices (for add.at)."""
    out = []
    for k in akey:
        if type(k) is not slice and k.dtype == np.bool_:
            out.extend(xp.nonzero(k))
        else:
            out.append(k)
    return tuple(out)


def _adv_error(vshape, adv):
    """torch's message for a failed advanced index (the view's shape is ``vshape``)."""
    for pos, arr, mask in adv:
        if mask:
            for j in range(arr.ndim):
                if pos + j >= len(vshape) or arr.shape[j] != vshape[pos + j]:
                    raise IndexError(
                        f"The shape of the mask {list(arr.shape)} at index {j} does not match "
                        f"the shape of the indexed tensor {list(vshape)} at index {pos + j}")
    for k, (pos, arr, mask) in enumerate(adv):
        if not mask and arr.size:
            size = vshape[pos]
            hi, lo = int(arr.max()), int(arr.min())
            if hi >= size or lo < -size:
                raise IndexError(f"index {hi if hi >= size else lo} is out of bounds for "
                                 f"dimension {k} with size {size}")
    shapes = ", ".join(str([int(arr.sum())] if mask else list(arr.shape)) for _, arr, mask in adv)
    raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with "
                     f"shapes {shapes}")


class Index(Function):
    @staticmethod
    def forward(ctx, x, bkey, akey, masks_only):
        ctx.args = (x.shape, bkey, akey, masks_only)
        return x[bkey][akey]

    @staticmethod
    def backward(ctx, grad):
        shape, bkey, akey, masks_only = ctx.args
        xp = ctx.xp
        g = xp.zeros(shape, grad.dtype)
        gv = g[bkey]
        if masks_only:  # no index can repeat: plain assignment
            gv[akey] = grad
        else:
            _add_at(xp, gv, _int_key(akey, xp), grad)
        return g, None, None, None


def getitem(self, key):
    """torch.Tensor.__getitem__: basic indexing returns a view, advanced indexing a copy."""
    a = self._data
    tk = type(key)
    if tk is int and a.ndim:
        size = a.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        return _basic_view(Select, self, (key, Ellipsis))
    if tk is slice and a.ndim and (key.step is None or type(key.step) is int and key.step > 0):
        return _basic_view(Slice, self, (key, Ellipsis))
    bkey, adv, cls = _parse(a, key, False)
    if adv is None:
        return _basic_view(cls or Alias, self, bkey)
    view = a[bkey]
    akey = _adv_key(view.ndim, adv)
    try:
        return Index.apply(self, bkey, akey, all(m for _, _, m in adv))
    except IndexError:
        _adv_error(view.shape, adv)
        raise


# -- writes --------------------------------------------------------------------------------------
class IndexPut(Function):
    """``x`` with ``x[key] = value`` applied, out of place (the in-place machinery stores it)."""

    @staticmethod
    def forward(ctx, x, value, bkey, akey):
        out = x.copy()
        dst = out[bkey]
        if akey is None:
            dst[...] = value
        else:
            dst[akey] = value
        ctx.args = (bkey, akey, getattr(value, "shape", None), getattr(value, "dtype", None))
        return out

    @staticmethod
    def backward(ctx, grad):
        bkey, akey, vshape, vdtype = ctx.args
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            if akey is None:
                gx[bkey] = 0
            else:
                gx[bkey][akey] = 0
        if ctx.needs_input_grad[1]:
            gv = grad[bkey] if akey is None else grad[bkey][akey]
            if gv.ndim < len(vshape):
                gv = gv.reshape((1,) * (len(vshape) - gv.ndim) + gv.shape)
            if gv.dtype != vdtype:
                gv = gv.astype(vdtype)
        return gx, gv, None, None


class CopySlicesPut(IndexPut):
    _backward_name = "CopySlices"


class CopyPut(IndexPut):
    _backward_name = "CopyBackwards"


class FillPut(IndexPut):
    _backward_name = "FillBackward3"


_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool"}


def setitem(self, key, value):
    """torch.Tensor.__setitem__: value a number or a tensor broadcast to the indexed region."""
    a = self._data
    if isinstance(value, Tensor):
        raw, rg = value._data, value._rg
    elif isinstance(value, (int, float)):
        raw, rg = value, False
    elif isinstance(value, np.generic):
        raw = value = value.item()
        rg = False
    else:
        t = type(value)
        name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"
        raise TypeError(f"can't assign a {name} to a {self.type()}")
    if key is False:
        return  # torch writes nothing and leaves the version alone
    bkey, adv, cls = _parse(a, key, True)
    if adv is not None and isinstance(value, Tensor) and raw.dtype != a.dtype and not all(
            m for _, _, m in adv):
        try:  # a shape mismatch is reported first
            dst = a[bkey]
            np.broadcast_shapes(raw.shape, dst[_adv_key(dst.ndim, adv)].shape)
        except ValueError:
            _setitem_error(a, bkey, adv, raw)
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{_TORCH_NAMES[a.dtype.name]} for the destination and "
            f"{_TORCH_NAMES[raw.dtype.name]} for the source.")
    if not a.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")
    try:
        if _mode.enabled and (rg or self._rg):
            akey = None if adv is None else _adv_key(a[bkey].ndim, adv)
            if cls is not None:
                fn = CopySlicesPut
            elif adv is not None:
                fn = IndexPut
            else:
                fn = FillPut if getattr(raw, "ndim", 0) == 0 and a.ndim else CopyPut
            inplace(self, "__setitem__", lambda t, v: fn.apply(t, v, bkey, akey), (value,))
            return
        dst = a[bkey]
        if adv is None:
            dst[...] = raw
        else:
            dst[_adv_key(dst.ndim, adv)] = raw
    except IndexError:
        _adv_error(a[bkey].shape, adv)
        raise
    except (ValueError, RuntimeError) as e:  # apply turns numpy's ValueError into RuntimeError
        if isinstance(e, ValueError) or "broadcast" in str(e):
            _setitem_error(a, bkey, adv, raw)
        raise
    self._bump_version("__setitem__")


def _setitem_error(a, bkey, adv, raw):
    vshape = getattr(raw, "shape", ())
    dst = a[bkey]
    if adv is not None:
        target = dst[_adv_key(dst.ndim, adv)].shape
        try:
            np.broadcast_shapes(vshape, target)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be "
                               f"broadcast to indexing result of shape {list(target)}") from None
        return
    while vshape and vshape[0] == 1 and len(vshape) > dst.ndim:
        vshape = vshape[1:]
    _expand_shape(vshape, dst.shape)


def index_put_(input, indices, values, accumulate=False):
    """torch.Tensor.index_put_"""
    indices = tuple(slice(None) if i is None else i for i in indices)
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put_(): argument 'values' must be Tensor, not "
                        f"{type(values).__name__}")
    if not accumulate:
        setitem(input, indices, values)
        return input
    a = input._data
    bkey, adv, _ = _parse(a, indices, False)
    if adv is None:
        adv = []
    akey = _adv_key(a[bkey].ndim, adv)
    return inplace(input, "index_put_", lambda t, v: IndexPutAccumulate.apply(t, v, bkey, akey),
                   (values,))


class IndexPutAccumulate(Function):
    _backward_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, value, bkey, akey):
        xp = ctx.xp
        out = x.copy()
        dst = out[bkey]
        full = np.broadcast_shapes(dst[akey].shape, value.shape)
        _add_at(xp, dst, _int_key(akey, xp), xp.broadcast_to(value, full))
        ctx.args = (bkey, akey, value.shape, value.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        bkey, akey, vshape, vdtype = ctx.args
        gv = None
        if ctx.needs_input_grad[1]:
            gv = grad[bkey][akey]
            if gv.ndim < len(vshape):
                gv = gv.reshape((1,) * (len(vshape) - gv.ndim) + gv.shape)
            gv = gv.astype(vdtype, copy=False)
        return grad, gv, None, None


def index_put(input, indices, values, accumulate=False):
    """torch.index_put"""
    from luchina.ops.convert import clone
    return index_put_(clone(input), indices, values, accumulate)


METHODS = {
    "__getitem__": getitem, "__setitem__": setitem, "index_put_": index_put_,
    "index_put": index_put, **_scatter.METHODS, **_masked.METHODS,
}
