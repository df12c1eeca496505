"""Views by striding: expand / broadcast_to, narrow, select, diagonal, unfold, and the
basic-indexing Functions (Select, Slice...) that ``x[key]`` uses. Re-exported by ``shape``."""

import numpy as np

from luchina._device import array_module
from luchina._tensor import Size
from luchina.autograd.function import Function
from luchina.ops._util import dims_arg, view_of, wrap_dim

__all__ = ["broadcast_to", "broadcast_shapes", "broadcast_tensors", "narrow", "select",
           "diagonal"]


def _shape_arg(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for s in shape:
        if type(s) is not int:
            return dims_arg(tuple(shape), op)
    return tuple(shape)


class Expand(Function):
    @staticmethod
    def forward(ctx, x, shape):
        return ctx.xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # the engine sums it down to the input's shape


def _expand_shape(shape, sizes):
    """torch's expand rule: -1 keeps a size, new dims go in front; torch's errors otherwise."""
    n, m = len(sizes), len(shape)
    if n < m:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of "
            f"sizes provided ({n}) must be greater or equal to the number of dimensions in the "
            f"tensor ({m})")
    out = list(sizes)
    for i in range(n - 1, -1, -1):
        j = i - (n - m)
        s = sizes[i]
        if j < 0:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            continue
        if s == -1:
            out[i] = shape[j]
        elif shape[j] != 1 and s != shape[j]:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({shape[j]}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}")
        elif s < 0:
            raise RuntimeError(f"expand: invalid size {s} at dimension {i}")
    return tuple(out)


def expand(input, *sizes):
    """torch.Tensor.expand (the result is a read-only view, as numpy's broadcast_to)."""
    shape = _expand_shape(input._data.shape, _shape_arg(sizes, "expand"))
    out = Expand.apply(input, shape)
    return view_of(out, input, lambda a: array_module(a).broadcast_to(a, shape))


def expand_as(input, other):
    """torch.Tensor.expand_as"""
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    """torch.broadcast_to"""
    return expand(input, size)


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes"""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape "
                           f"({', '.join(str(list(s)) for s in shapes)})") from None


def broadcast_tensors(*tensors):
    """torch.broadcast_tensors"""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = tuple(broadcast_shapes(*[t._data.shape for t in tensors]))
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


# -- narrow / select / diagonal / unfold ---------------------------------------------------------
class _Basic(Function):
    """A view by basic indexing (``x[key]``); named after the torch op it stands for."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.in_shape = x.shape
        ctx.key = key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        g = ctx.xp.zeros(ctx.in_shape, grad.dtype)
        g[ctx.key] = grad
        return g, None


class Select(_Basic):
    pass


class Slice(_Basic):
    pass


class IndexUnsqueeze(_Basic):
    _backward_name = "UnsqueezeBackward0"


class Alias(_Basic):
    pass


def _basic_view(cls, input, key):
    out = cls.apply(input, key)
    return view_of(out, input, lambda a: a[key])


def narrow(input, dim, start, length):
    """torch.narrow"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "narrow")
    start, length = int(start), int(length)
    size = shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but "
                         f"got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    key = (slice(None),) * d + (slice(start, start + length), Ellipsis)
    return _basic_view(Slice, input, key)


def select(input, dim, index):
    """torch.select"""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape), "select")
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(shape)} at dimension {d}")
    key = (slice(None),) * d + (index, Ellipsis)
    return _basic_view(Select, input, key)


def _diag_view(a, offset, d1, d2):
    """A writable view of a diagonal (numpy's own diagonal() is read-only)."""
    xp = array_module(a)
    a = xp.moveaxis(a, (d1, d2), (-2, -1))
    n1, n2 = a.shape[-2:]
    if offset >= 0:
        a = a[..., :, offset:]
        n = max(min(n1, n2 - offset), 0)
    else:
        a = a[..., -offset:, :]
        n = max(min(n1 + offset, n2), 0)
    st = a.strides
    return xp.lib.stride_tricks.as_strided(a, a.shape[:-2] + (n,), st[:-2] + (st[-2] + st[-1],))


class Diagonal(Function):
    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        shape, offset, d1, d2 = ctx.args
        g = ctx.xp.zeros(shape, grad.dtype)
        _diag_view(g, offset, d1, d2)[...] = grad
        return g, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """torch.diagonal (a writable view)"""
    nd = input._data.ndim
    d1 = wrap_dim(dim1, nd, "diagonal")
    d2 = wrap_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = Diagonal.apply(input, offset, d1, d2)
    return view_of(out, input, lambda a: _diag_view(a, offset, d1, d2))


def _unfold_view(a, d, size, step):
    xp = array_module(a)
    n = (a.shape[d] - size) // step + 1 if a.ndim else 1
    if a.ndim == 0:
        return a.reshape(1)
    st = a.strides
    shape = a.shape[:d] + (n,) + a.shape[d + 1:] + (size,)
    strides = st[:d] + (st[d] * step,) + st[d + 1:] + (st[d],)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


class Unfold(Function):
    @staticmethod
    def forward(ctx, x, d, size, step):
        ctx.args = (x.shape, d, size, step)
        return _unfold_view(x, d, size, step)

    @staticmethod
    def backward(ctx, grad):
        shape, d, size, step = ctx.args
        if not shape:
            return grad.reshape(()), None, None, None
        g = ctx.xp.zeros(shape, grad.dtype)
        n = grad.shape[d]
        lead = (slice(None),) * d
        for k in range(size):
            g[lead + (slice(k, k + step * (n - 1) + 1, step),)] += grad[..., k]
        return g, None, None, None


def unfold(input, dimension, size, step):
    """torch.Tensor.unfold: sliding windows of ``size`` along ``dimension`` (a view)."""
    nd = input._data.ndim
    d = wrap_dim(dimension, nd, "unfold")
    n = input._data.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    out = Unfold.apply(input, d, size, step)
    return view_of(out, input, lambda a: _unfold_view(a, d, size, step))
