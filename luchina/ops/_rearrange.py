"""Copies that rearrange or repeat elements: repeat, tile, flip, roll, tril, triu, diag.

Re-exported by ``luchina.ops.shape``.
"""

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops._util import dims_arg, wrap_dim

# repeat_interleave is ready but not exported until tests/op_db.py registers it
__all__ = ["flip", "fliplr", "flipud", "roll", "tril", "triu", "diag", "tile", "repeat_interleave"]


# -- repeat / tile -------------------------------------------------------------------------------
class Repeat(Function):
    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.reps = reps
        return ctx.xp.tile(x, reps)

    @staticmethod
    def backward(ctx, grad):
        shape, reps = ctx.shape, ctx.reps
        inter = []
        for r, s in zip(reps, shape):
            inter += [r, s]
        g = grad.reshape(inter).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return g, None


def repeat(input, *sizes):
    """torch.Tensor.repeat"""
    reps = dims_arg(sizes, "repeat")
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(reps)}")
    return Repeat.apply(input, reps)


def tile(input, dims):
    """torch.tile"""
    reps = dims_arg((dims,), "tile")
    nd = input._data.ndim
    if len(reps) < nd:
        reps = (1,) * (nd - len(reps)) + reps
    return repeat(input, reps)


# -- flip / roll ---------------------------------------------------------------------------------
class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.xp.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.flip(grad, ctx.dims), None


def flip(input, *dims):
    """torch.flip (a copy, as torch's)"""
    nd = input._data.ndim
    dims = tuple(wrap_dim(d, nd, "flip") for d in dims_arg(dims, "flip"))
    seen = set()
    for d in dims:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return Flip.apply(input, dims)


def fliplr(input):
    """torch.fliplr"""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """torch.flipud"""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Function):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.args = (shifts, dims)
        return ctx.xp.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        shifts, dims = ctx.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return ctx.xp.roll(grad, neg, dims), None, None


def roll(input, shifts, dims=None):
    """torch.roll"""
    nd = input._data.ndim
    if dims is None:
        sh = dims_arg((shifts,), "roll") if not isinstance(shifts, int) else (shifts,)
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, sh[0], None)
    sh = dims_arg((shifts,), "roll") if not isinstance(shifts, int) else (shifts,)
    dm = dims_arg((dims,), "roll") if not isinstance(dims, int) else (dims,)
    if len(sh) != len(dm):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(dm)}")
    dm = tuple(wrap_dim(d, nd, "roll") for d in dm)
    return Roll.apply(input, sh, dm)


# -- triangles and diagonals ---------------------------------------------------------------------
class Tril(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return ctx.xp.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.tril(grad, ctx.k), None


class Triu(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return ctx.xp.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.triu(grad, ctx.k), None


def tril(input, diagonal=0, *, out=None):
    """torch.tril"""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _maybe_out(Tril.apply(input, int(diagonal)), out)


def triu(input, diagonal=0, *, out=None):
    """torch.triu"""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _maybe_out(Triu.apply(input, int(diagonal)), out)


def _maybe_out(result, out):
    if out is None:
        return result
    from luchina.ops.elementwise import _out
    return _out(result, out)


class DiagEmbed(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return ctx.xp.diag(x, k)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.diagonal(grad, ctx.k).copy(), None


class DiagonalCopy(Function):
    _backward_name = "DiagonalBackward0_copy"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        ctx.shape = x.shape
        return ctx.xp.diagonal(x, k).copy()

    @staticmethod
    def backward(ctx, grad):
        from luchina.ops._views import _diag_view
        g = ctx.xp.zeros(ctx.shape, grad.dtype)
        _diag_view(g, ctx.k, 0, 1)[...] = grad
        return g, None


def diag(input, diagonal=0, *, out=None):
    """torch.diag: a 1-D input gives a matrix, a 2-D input its diagonal (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        return _maybe_out(DiagEmbed.apply(input, int(diagonal)), out)
    if nd == 2:
        return _maybe_out(DiagonalCopy.apply(input, int(diagonal)), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """torch.repeat_interleave"""
    from luchina.ops._scatter import index_select
    from luchina.ops._views import expand
    from luchina.ops.convert import contiguous
    from luchina.ops.shape import flatten, reshape, unsqueeze
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts
        r = input._data
        return Tensor._make(np.repeat(np.arange(r.size), r.reshape(-1)).astype(np.int64))
    if dim is None:
        input = flatten(input)
        dim = 0
    d = wrap_dim(dim, input._data.ndim, "repeat_interleave")
    shape = input._data.shape
    if isinstance(repeats, Tensor) and repeats._data.ndim:
        r = repeats._data.reshape(-1)
        if r.size not in (1, shape[d]):
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {r.size} and input.size({d}) = {shape[d]}")
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        idx = np.repeat(np.arange(shape[d]), np.broadcast_to(r, (shape[d],)))
        return index_select(input, d, Tensor._make(idx.astype(np.int64)))
    n = int(repeats)
    if n < 0:
        raise RuntimeError("repeats can not be negative")
    big = expand(unsqueeze(input, d + 1), shape[:d + 1] + (n,) + shape[d + 1:])
    return reshape(contiguous(big), shape[:d] + (shape[d] * n,) + shape[d + 1:])


def _tri_(name, fn):
    def method(self, diagonal=0):
        from luchina.ops._util import inplace
        return inplace(self, name, fn, (diagonal,))
    method.__name__ = name
    method.__doc__ = f"torch.Tensor.{name}"
    return method


METHODS = {
    "repeat": repeat, "tile": tile, "flip": flip, "fliplr": fliplr, "flipud": flipud,
    "roll": roll, "tril": tril, "triu": triu, "tril_": _tri_("tril_", tril),
    "triu_": _tri_("triu_", triu), "diag": diag, "repeat_interleave": repeat_interleave,
}
