"""Masks and flat indices: masked_fill, masked_select, take, nonzero, argwhere, one_hot.

Re-exported by ``luchina.ops.indexing``.
"""

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.autograd.grad_mode import _mode
from luchina.ops._scatter import _add_at, _int_index
from luchina.ops._util import inplace

__all__ = ["masked_fill", "masked_select", "take", "nonzero", "argwhere"]

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


# -- masks ---------------------------------------------------------------------------------------
class MaskedFill(Function):
    @staticmethod
    def forward(ctx, x, mask, value):
        v = ctx.xp.asarray(value, dtype=x.dtype)
        ctx.args = (mask, getattr(value, "dtype", None))
        return ctx.xp.where(mask, v, x)

    @staticmethod
    def backward(ctx, grad):
        mask, vdtype = ctx.args
        xp = ctx.xp
        gx = xp.where(mask, 0, grad) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[2]:
            gv = xp.asarray(xp.where(mask, grad, 0).sum(), dtype=vdtype)
        return gx, None, gv


class MaskedFillTensor(MaskedFill):
    _backward_name = "MaskedFillBackward1"


def _mask_value(mask, value, op):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        got = _C_NAMES.get(mask._data.dtype.name) if isinstance(mask, Tensor) else "?"
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {got}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value._data.ndim} dimension(s).")
    elif isinstance(value, np.generic):
        value = value.item()
    return value


def masked_fill(input, mask, value):
    """torch.masked_fill (input and mask broadcast together)"""
    value = _mask_value(mask, value, "masked_fill_")
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, mask._data, value)
    return MaskedFill.apply(input, mask._data, value)


def masked_fill_(self, mask, value):
    """torch.Tensor.masked_fill_"""
    value = _mask_value(mask, value, "masked_fill_")
    if not (_mode.enabled and (self._rg or isinstance(value, Tensor) and value._rg)):
        a = self._data
        v = value._data if isinstance(value, Tensor) else value
        try:
            array_mod = np if type(a) is np.ndarray else self.device.xp
            array_mod.copyto(a, array_mod.asarray(v, dtype=a.dtype), where=mask._data)
        except ValueError:
            raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast "
                               f"shape {list(np.broadcast_shapes(a.shape, mask._data.shape))}"
                               ) from None
        self._bump_version("masked_fill_")
        return self
    return inplace(self, "masked_fill_", masked_fill, (mask, value))


class MaskedSelect(Function):
    @staticmethod
    def forward(ctx, x, mask):
        xp = ctx.xp
        shape = np.broadcast_shapes(x.shape, mask.shape)
        m = xp.broadcast_to(mask, shape)
        ctx.args = (shape, m)
        return xp.broadcast_to(x, shape)[m]

    @staticmethod
    def backward(ctx, grad):
        shape, m = ctx.args
        g = ctx.xp.zeros(shape, grad.dtype)
        g[m] = grad
        return g, None


def masked_select(input, mask, *, out=None):
    """torch.masked_select"""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({input._data.shape}) must match the size of "
                           f"tensor b ({mask._data.shape})") from None
    return MaskedSelect.apply(input, mask._data)


class Take(Function):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.args = (x.shape, idx)
        return ctx.xp.take(x, idx)

    @staticmethod
    def backward(ctx, grad):
        shape, idx = ctx.args
        n = 1
        for s in shape:
            n *= s
        g = ctx.xp.zeros(n, grad.dtype)
        _add_at(ctx.xp, g, idx, grad)
        return g.reshape(shape), None


def take(input, index):
    """torch.take: index into the flattened input"""
    idx = _int_index(index, "take")
    n = input._data.size
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        if hi >= n or lo < -n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on a "
                             f"tensor of {n} elements.")
    return Take.apply(input, idx)


# -- integer results -----------------------------------------------------------------------------
def nonzero(input, *, out=None, as_tuple=False):
    """torch.nonzero"""
    a = input._data
    xp = np if type(a) is np.ndarray else input.device.xp
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False))
                     for i in xp.nonzero(a.reshape(1) if a.ndim == 0 else a))
    return Tensor._make(xp.argwhere(a).astype(np.int64, copy=False))


def argwhere(input):
    """torch.argwhere"""
    return nonzero(input)


def one_hot(tensor, num_classes=-1):
    """torch.nn.functional.one_hot: int64 classes in, int64 one-hot rows out."""
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = np if type(a) is np.ndarray else tensor.device.xp
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if int(a.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(a.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((a[..., None] == xp.arange(num_classes)).astype(np.int64))


METHODS = {
    "masked_fill": masked_fill, "masked_fill_": masked_fill_, "masked_select": masked_select,
    "take": take, "nonzero": nonzero, "argwhere": argwhere,
}
