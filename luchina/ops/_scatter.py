"""gather, scatter, scatter_add, index_select, index_add, index_copy, index_fill.

Re-exported by ``luchina.ops.indexing``. Backward passes that scatter gradients accumulate
repeated indices (``add.at``), as torch's do.
"""

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops._util import inplace, wrap_dim

__all__ = [
    "gather", "scatter", "scatter_add", "index_select", "index_add", "index_fill", "index_copy",
    "take_along_dim",
]


def _add_at(xp, target, key, values):
    """target[key] += values, accumulating repeated indices."""
    at = getattr(xp.add, "at", None)
    if at is not None:
        at(target, key, values)
    else:  # older CuPy
        import cupyx
        cupyx.scatter_add(target, key, values)


def _int_index(index, op, what="index"):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument '{what}' must be Tensor, not {type(index).__name__}")
    arr = index._data
    if arr.dtype.kind not in "iu" or arr.dtype == np.uint8:
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    return arr


def _check_range(idx, size, dim):
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        if hi >= size or lo < 0:
            raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for dimension "
                               f"{dim} with size {size}")


def _grid(xp, idx, dim):
    """An index tuple addressing, at each position of ``idx``, the element idx selects on dim."""
    nd = idx.ndim
    out = []
    for d, n in enumerate(idx.shape):
        if d == dim:
            out.append(idx)
        else:
            shp = [1] * nd
            shp[d] = n
            out.append(xp.arange(n).reshape(shp))
    return tuple(out)


def _sub(shape):
    return tuple(slice(0, n) for n in shape)


# -- gather / scatter ----------------------------------------------------------------------------
class Gather(Function):
    @staticmethod
    def forward(ctx, x, dim, idx):
        ctx.args = (x.shape, dim, idx)
        if x.ndim == 0:  # the index can only hold zeros
            return ctx.xp.broadcast_to(x, idx.shape).copy()
        return x[_grid(ctx.xp, idx, dim)]

    @staticmethod
    def backward(ctx, grad):
        shape, dim, idx = ctx.args
        if not shape:
            return ctx.xp.asarray(grad.sum(), dtype=grad.dtype), None, None
        g = ctx.xp.zeros(shape, grad.dtype)
        _add_at(ctx.xp, g, _grid(ctx.xp, idx, dim), grad)
        return g, None, None


def _gather_checks(input, dim, idx, op):
    shape = input._data.shape
    nd = len(shape)
    d = wrap_dim(dim, nd, op)
    if idx.ndim != nd and not (max(idx.ndim, nd) <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return d


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """torch.gather"""
    idx = _int_index(index, "gather")
    d = _gather_checks(input, dim, idx, "gather")
    shape = input._data.shape
    if len(shape) == 0 or idx.ndim == 0:
        _check_range(idx, shape[d] if shape else 1, d)
        return _maybe_out(Gather.apply(input, d, idx), out)
    for i, (a, b) in enumerate(zip(idx.shape, shape)):
        if i != d and a > b:
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{list(idx.shape)} to be no larger than self {list(shape)} apart "
                               f"from dimension {d}")
    _check_range(idx, shape[d], d)
    return _maybe_out(Gather.apply(input, d, idx), out)


def _maybe_out(result, out):
    if out is None:
        return result
    from luchina.ops.elementwise import _out
    return _out(result, out)


def take_along_dim(input, indices, dim=None, *, out=None):
    """torch.take_along_dim"""
    from luchina.ops.shape import broadcast_to, reshape
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    nd = input._data.ndim
    d = wrap_dim(dim, nd, "take_along_dim")
    xs, ix = list(input._data.shape), list(indices._data.shape)
    xs[d] = ix[d] = 1
    common = list(np.broadcast_shapes(tuple(xs), tuple(ix)))
    xs, ix = list(common), list(common)
    xs[d], ix[d] = input._data.shape[d], indices._data.shape[d]
    if tuple(xs) != input._data.shape:
        input = broadcast_to(input, tuple(xs))
    if tuple(ix) != indices._data.shape:
        indices = broadcast_to(indices, tuple(ix))
    return gather(input, d, indices, out=out)


class Scatter(Function):
    @staticmethod
    def forward(ctx, x, dim, idx, src):
        out = x.copy()
        out[_grid(ctx.xp, idx, dim)] = src[_sub(idx.shape)]
        ctx.args = (dim, idx, src.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, idx, sshape = ctx.args
        xp = ctx.xp
        grid = _grid(xp, idx, dim)
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            gx[grid] = 0
        if ctx.needs_input_grad[3]:
            gs = xp.zeros(sshape, grad.dtype)
            gs[_sub(idx.shape)] = grad[grid]
        return gx, None, None, gs


class ScatterValue(Function):
    _backward_name = "ScatterBackward1"

    @staticmethod
    def forward(ctx, x, dim, idx, value):
        out = x.copy()
        out[_grid(ctx.xp, idx, dim)] = value
        ctx.args = (dim, idx)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, idx = ctx.args
        gx = grad.copy()
        gx[_grid(ctx.xp, idx, dim)] = 0
        return gx, None, None, None


class ScatterReduce(Function):
    _backward_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, dim, idx, src, reduce):
        xp = ctx.xp
        out = x.copy()
        grid = _grid(xp, idx, dim)
        vals = src[_sub(idx.shape)] if getattr(src, "ndim", 0) else xp.full(idx.shape, src,
                                                                              x.dtype)
        if reduce == "add":
            _add_at(xp, out, grid, vals)
        else:
            xp.multiply.at(out, grid, vals)
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("the derivative for 'scatter' with reduce= is not implemented; use "
                           "scatter_add, or scatter_reduce with a differentiable reduction")


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, idx, src):
        out = x.copy()
        _add_at(ctx.xp, out, _grid(ctx.xp, idx, dim), src[_sub(idx.shape)])
        ctx.args = (dim, idx, src.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, idx, sshape = ctx.args
        gs = None
        if ctx.needs_input_grad[3]:
            gs = ctx.xp.zeros(sshape, grad.dtype)
            gs[_sub(idx.shape)] = grad[_grid(ctx.xp, idx, dim)]
        return grad, None, None, gs


def _scatter_checks(input, dim, index, src, op):
    idx = _int_index(index, op)
    shape = input._data.shape
    d = _gather_checks(input, dim, idx, op)
    sshape = src._data.shape if isinstance(src, Tensor) else None
    for i, n in enumerate(idx.shape):
        if (i != d and n > shape[i]) or (sshape is not None and n > sshape[i]):
            msg = (f"Expected index {list(idx.shape)} to be no larger than self {list(shape)} "
                   f"apart from dimension {d}")
            if sshape is not None:
                msg += f" and to be no larger size than src {list(sshape)}"
            raise RuntimeError(msg)
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    if shape:
        _check_range(idx, shape[d], d)
    return d, idx


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """torch.scatter (src tensor or value=); reduce='add'/'multiply' has no gradient, as torch."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing 1 required argument: 'src' or 'value'")
    d, idx = _scatter_checks(input, dim, index, src, "scatter")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        result = ScatterReduce.apply(input, d, idx, src, reduce)
    elif isinstance(src, Tensor):
        result = Scatter.apply(input, d, idx, src)
    else:
        result = ScatterValue.apply(input, d, idx, src.item() if hasattr(src, "item") else src)
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(result, out)
    return result


def scatter_add(input, dim, index, src):
    """torch.scatter_add"""
    d, idx = _scatter_checks(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, d, idx, src)


def _scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    return inplace(self, "scatter_", lambda t, s: scatter(t, dim, index, s, reduce=reduce),
                   (value if src is None else src,))


def _scatter_add_(self, dim, index, src):
    return inplace(self, "scatter_add_", lambda t, s: scatter_add(t, dim, index, s), (src,))


# -- index_select / index_add / index_fill / index_copy ------------------------------------------
def _vector_index(index, op, size):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype.kind not in "iu" or idx.dtype == np.uint8:
        raise RuntimeError(f"{op}(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    if idx.size and (int(idx.max()) >= size or int(idx.min()) < 0):
        raise IndexError("index out of range in self")
    return idx


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, dim, idx):
        ctx.args = (x.shape, dim, idx)
        if x.ndim == 0:  # torch keeps a 0-d input 0-d
            return x.copy()
        return ctx.xp.take(x, idx, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        shape, dim, idx = ctx.args
        if not shape:
            return grad, None, None
        g = ctx.xp.zeros(shape, grad.dtype)
        _add_at(ctx.xp, g, (slice(None),) * dim + (idx,), grad)
        return g, None, None


def index_select(input, dim, index, *, out=None):
    """torch.index_select"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "index_select")
    idx = _vector_index(index, "index_select", shape[d] if shape else 1)
    return _maybe_out(IndexSelect.apply(input, d, idx), out)


class IndexAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, idx, src, alpha):
        out = x.copy()
        _add_at(ctx.xp, out, (slice(None),) * dim + (idx,), src if alpha == 1 else src * alpha)
        ctx.args = (dim, idx, alpha)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, idx, alpha = ctx.args
        gs = None
        if ctx.needs_input_grad[3]:
            gs = ctx.xp.take(grad, idx, axis=dim)
            if alpha != 1:
                gs = gs * alpha
        return grad, None, None, gs, None


def _index_src_checks(input, d, idx, source, op):
    shape, sshape = input._data.shape, source._data.shape
    if source._data.dtype != input._data.dtype:
        n = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(f"{op}(): self ({n.get(input.dtype.name, input.dtype.name)}) and "
                           f"source ({n.get(source.dtype.name, source.dtype.name)}) must have "
                           "the same scalar type")
    if len(sshape) != len(shape) or any(a != b for i, (a, b) in enumerate(zip(shape, sshape))
                                        if i != d):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(shape)} source.shape = "
                           f"{list(sshape)}")
    if sshape and sshape[d] != idx.size:
        raise RuntimeError(f"{op}(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim) ({sshape[d]})")


def index_add(input, dim, index, source, *, alpha=1):
    """torch.index_add"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "index_add")
    idx = _vector_index(index, "index_add", shape[d] if shape else 1)
    _index_src_checks(input, d, idx, source, "index_add_")
    return IndexAdd.apply(input, d, idx, source, alpha)


class IndexCopy(Function):
    @staticmethod
    def forward(ctx, x, dim, idx, src):
        out = x.copy()
        out[(slice(None),) * dim + (idx,)] = src
        ctx.args = (dim, idx)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, idx = ctx.args
        key = (slice(None),) * dim + (idx,)
        gx = grad.copy()
        gx[key] = 0
        gs = ctx.xp.take(grad, idx, axis=dim) if ctx.needs_input_grad[3] else None
        return gx, None, None, gs


def index_copy(input, dim, index, source):
    """torch.index_copy"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "index_copy")
    idx = _vector_index(index, "index_copy", shape[d] if shape else 1)
    _index_src_checks(input, d, idx, source, "index_copy_")
    return IndexCopy.apply(input, d, idx, source)


class IndexFill(Function):
    @staticmethod
    def forward(ctx, x, dim, idx, value):
        out = x.copy()
        out[(slice(None),) * dim + (idx,)] = value
        ctx.args = (dim, idx, getattr(value, "dtype", None))
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, idx, vdtype = ctx.args
        key = (slice(None),) * dim + (idx,)
        gx = grad.copy()
        gx[key] = 0
        gv = None
        if ctx.needs_input_grad[3]:
            gv = ctx.xp.asarray(grad[key].sum(), dtype=vdtype)
        return gx, None, None, gv


class IndexFillTensor(IndexFill):
    _backward_name = "IndexFillBackward1"


def index_fill(input, dim, index, value):
    """torch.index_fill"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "index_fill")
    idx = _vector_index(index, "index_fill", shape[d] if shape else 1)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return IndexFillTensor.apply(input, d, idx, value)
    return IndexFill.apply(input, d, idx, value)


def _inplace_of(name, fn):
    def method(self, *args, **kwargs):
        return inplace(self, name, lambda t, *a: fn(t, *a, **kwargs), args)
    method.__name__ = name
    method.__doc__ = f"torch.Tensor.{name}"
    return method


METHODS = {
    "gather": gather, "scatter": scatter, "scatter_": _scatter_, "scatter_add": scatter_add,
    "scatter_add_": _scatter_add_, "index_select": index_select, "index_add": index_add,
    "index_add_": _inplace_of("index_add_", index_add), "index_copy": index_copy,
    "index_copy_": _inplace_of("index_copy_", index_copy), "index_fill": index_fill,
    "index_fill_": _inplace_of("index_fill_", index_fill), "take_along_dim": take_along_dim,
}
