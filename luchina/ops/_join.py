"""Joining and splitting: cat, stack, hstack..., split, chunk, unbind, tensor_split.

Re-exported by ``luchina.ops.shape``; split/chunk/unbind/tensor_split return views of the input.
"""

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops._util import check_same_device, dims_arg, view_of, wrap_dim

__all__ = [
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "row_stack",
    "column_stack", "atleast_1d", "atleast_2d", "atleast_3d", "split", "chunk", "unbind",
    "tensor_split",
]


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        "Tensor")
    tensors = tensors if type(tensors) is list else list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def _common_dtype(tensors):
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not dt:
            dt = _dtype.promote_types(dt, t.dtype)
    return dt


# -- cat / stack ---------------------------------------------------------------------------------
class Cat(Function):
    @staticmethod
    def forward(ctx, dim, np_dtype, *arrays):
        if ctx.fn is not None:  # tracked: backward needs the pieces' sizes
            ctx.dim = dim
            ctx.meta = [(a.shape[dim] if a.ndim > dim else 0, a.dtype, a.shape) for a in arrays]
        parts = arrays
        if any(a.ndim != 1 for a in arrays):  # torch skips 1-D empty tensors (legacy)
            parts = [a for a in arrays if a.ndim != 1 or a.shape[0] != 0]
        if np_dtype is None:
            return ctx.xp.concatenate(parts, axis=dim)
        return ctx.xp.concatenate(parts, axis=dim, dtype=np_dtype, casting="unsafe")

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        out = [None, None]
        start = 0
        lead = (slice(None),) * dim
        for (n, dt, shape), need in zip(ctx.meta, ctx.needs_input_grad[2:]):
            if len(shape) == 1 and shape[0] == 0 and grad.ndim != 1:
                out.append(ctx.xp.zeros(shape, dt) if need else None)
                continue
            if need:
                g = grad[lead + (slice(start, start + n),)]
                out.append(g if g.dtype == dt else g.astype(dt))
            else:
                out.append(None)
            start += n
        return tuple(out)


def cat(tensors, dim=0, *, out=None):
    """torch.cat: dtypes promote across inputs; 1-D empty tensors are skipped, as in torch."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    ref = None
    dt0 = tensors[0]._data.dtype
    mixed = False
    for i, t in enumerate(tensors):
        a = t._data
        if a.dtype != dt0:
            mixed = True
        if a.ndim != 1 or a.shape[0]:
            if a.ndim == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                                   "concatenated")
            if ref is None:
                ref = t
    ref = tensors[0] if ref is None else ref
    d = wrap_dim(dim, ref._data.ndim, "cat")
    np_dt = _common_dtype(tensors).np if mixed else None
    try:
        result = Cat.apply(d, np_dt, *tensors)
    except (ValueError, RuntimeError):  # apply turns numpy's ValueError into RuntimeError
        _cat_error(tensors, ref, d)
        raise
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(result, out)
    return result


def _cat_error(tensors, ref, d):
    check_same_device("cat", *tensors)
    rs = ref._data.shape
    for i, t in enumerate(tensors):
        s = t._data.shape
        if len(s) == 1 and s[0] == 0:
            continue
        if len(s) != len(rs):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(rs)} and "
                               f"{len(s)}")
        for j, (a, b) in enumerate(zip(rs, s)):
            if j != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list.")


concat = concatenate = cat


class Stack(Function):
    @staticmethod
    def forward(ctx, dim, np_dtype, *arrays):
        ctx.dim = dim
        ctx.dtypes = [a.dtype for a in arrays]
        if np_dtype is None:
            return ctx.xp.stack(arrays, axis=dim)
        return ctx.xp.stack(arrays, axis=dim, dtype=np_dtype, casting="unsafe")

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        out = [None, None]
        for i, (dt, need) in enumerate(zip(ctx.dtypes, ctx.needs_input_grad[2:])):
            if need:
                g = grad[lead + (i, Ellipsis)]
                out.append(g if g.dtype == dt else g.astype(dt))
            else:
                out.append(None)
        return tuple(out)


def stack(tensors, dim=0, *, out=None):
    """torch.stack"""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(s0) + 1, "stack")
    dt = _common_dtype(tensors)
    np_dt = None if all(t._data.dtype == dt.np for t in tensors) else dt.np
    result = Stack.apply(d, np_dt, *tensors)
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(result, out)
    return result


def atleast_1d(*tensors):
    """torch.atleast_1d"""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """torch.atleast_2d"""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """torch.atleast_3d"""
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and not single:
        tensors = tensors[0]
    out = _atleast_list(tensors, n)
    return out[0] if single else tuple(out)


def _atleast_list(tensors, n):
    out = []
    for t in tensors:
        nd = t._data.ndim
        if nd < n:
            from luchina.ops.shape import reshape, unsqueeze
            if nd == 0:
                t = reshape(t, (1,) * n)
            elif n == 2 or nd == 2:
                t = unsqueeze(t, 0) if n == 2 else unsqueeze(t, -1)
            else:  # 1-D to 3-D: (n,) -> (1, n, 1)
                t = unsqueeze(unsqueeze(t, 0), -1)
        out.append(t)
    return out


def hstack(tensors, *, out=None):
    """torch.hstack"""
    tensors = _atleast_list(_tensor_list(tensors, "hstack"), 1)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """torch.vstack"""
    return cat(_atleast_list(_tensor_list(tensors, "vstack"), 2), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """torch.dstack"""
    return cat(_atleast_list(_tensor_list(tensors, "dstack"), 3), 2, out=out)


def column_stack(tensors, *, out=None):
    """torch.column_stack"""
    from luchina.ops.shape import reshape
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t
          for t in _tensor_list(tensors, "column_stack")]
    return cat(ts, 1, out=out)


# -- split / chunk / unbind ----------------------------------------------------------------------
class Split(Function):
    @staticmethod
    def forward(ctx, x, dim, bounds):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (slice(a, b),)] for a, b in bounds)

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.concatenate(grads, axis=ctx.dim), None, None


class SplitWithSizes(Split):
    pass


class Split1(Function):
    """A split into one piece: a single-output node with the split's name."""

    _backward_name = "SplitBackward0"

    @staticmethod
    def forward(ctx, x, dim, bounds):
        return x[(slice(None),) * dim + (slice(*bounds[0]),)]

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None


class SplitWithSizes1(Split1):
    _backward_name = "SplitWithSizesBackward0"


def _split_views(input, d, sizes, fn, fn1):
    bounds = []
    start = 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    bounds = tuple(bounds)
    lead = (slice(None),) * d
    if len(bounds) == 1:
        key = lead + (slice(*bounds[0]),)
        return (view_of(fn1.apply(input, d, bounds), input, lambda a: a[key]),)
    outs = fn.apply(input, d, bounds)
    return tuple(view_of(o, input, _slicer(lead + (slice(a, b),)))
                 for o, (a, b) in zip(outs, bounds))


def _slicer(key):
    return lambda a: a[key]


def split(tensor, split_size_or_sections, dim=0):
    """torch.split: views of the input."""
    shape = tensor._data.shape
    d = wrap_dim(dim, len(shape), "split")
    n = shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        s = int(split_size_or_sections)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0:
            if n:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {n}")
            sizes = [0]
        else:
            sizes = [s] * (n // s) + ([n % s] if n % s else [])
            sizes = sizes or [0]
        return _split_views(tensor, d, sizes, Split, Split1)
    sizes = dims_arg((split_size_or_sections,), "split")
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={list(sizes)}")
    return _split_views(tensor, d, sizes, SplitWithSizes, SplitWithSizes1)


def chunk(input, chunks, dim=0):
    """torch.chunk"""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "chunk")
    n = shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:
        return split(input, [0] * chunks, d)
    return split(input, size, d)


def tensor_split(input, indices_or_sections, dim=0):
    """torch.tensor_split"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "tensor_split")
    n = shape[d]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
    else:
        idx = [min(max(i + n if i < 0 else i, 0), n)
               for i in dims_arg((indices_or_sections,), "tensor_split")]
        bounds = [0] + idx + [n]
        from luchina.ops._views import narrow
        return tuple(narrow(input, d, a, max(b - a, 0)) for a, b in zip(bounds, bounds[1:]))
    from luchina.ops._views import narrow
    out, start = [], 0
    for s in sizes:
        out.append(narrow(input, d, start, s))
        start += s
    return tuple(out)


class Unbind(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.stack(grads, axis=ctx.dim), None


class Unbind1(Function):
    _backward_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return x[(slice(None),) * dim + (0, Ellipsis)]

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.expand_dims(grad, ctx.dim), None


def unbind(input, dim=0):
    """torch.unbind: views of the input."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, nd, "unbind")
    lead = (slice(None),) * d
    n = input._data.shape[d]
    if n == 1:
        return (view_of(Unbind1.apply(input, d), input, _slicer(lead + (0, Ellipsis))),)
    outs = Unbind.apply(input, d)
    return tuple(view_of(o, input, _slicer(lead + (i, Ellipsis))) for i, o in enumerate(outs))


METHODS = {
    "split": split, "chunk": chunk, "unbind": unbind, "tensor_split": tensor_split,
}
