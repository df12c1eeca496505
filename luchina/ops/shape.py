"""Shape ops that return views: view, reshape, flatten, transpose, permute, squeeze...

Every view shares memory and the version counter with its base (``view_of``), as torch's do.
The family continues in ``_views.py`` (expand, narrow, select, diagonal, unfold), ``_join.py``
(cat, stack, split, chunk, unbind) and ``_rearrange.py`` (repeat, flip, roll, tril...), all
re-exported here; ``PROPERTIES`` holds T, mT, H and mH for installation as Tensor properties.
"""

import warnings

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops import _grid, _join, _rearrange, _views
from luchina.ops._grid import *  # noqa: F401,F403
from luchina.ops._join import *  # noqa: F401,F403
from luchina.ops._rearrange import *  # noqa: F401,F403
from luchina.ops._util import dims_arg, view_of, wrap_dim
from luchina.ops._views import *  # noqa: F401,F403
from luchina.ops._views import _shape_arg, expand, expand_as, unfold

__all__ = [
    "reshape", "flatten", "unflatten", "ravel", "transpose", "swapaxes", "swapdims", "t",
    "permute", "movedim", "moveaxis", "squeeze", "unsqueeze", "adjoint",
] + _views.__all__ + _join.__all__ + _rearrange.__all__ + _grid.__all__


# -- view / reshape ------------------------------------------------------------------------------
def _nocopy_reshape(a, shape):
    """``a`` reshaped without copying; ValueError when the strides do not allow it."""
    if a.flags.c_contiguous:
        return a.reshape(shape)
    if type(a) is np.ndarray:
        return a.reshape(shape, copy=False)
    v = a.view()
    v.shape = shape  # cupy raises AttributeError when a copy would be needed
    return v


class View(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return _nocopy_reshape(x, shape)
        except AttributeError as e:
            raise ValueError(str(e)) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class ReshapeAlias(View):
    """reshape of a non-contiguous tensor whose strides still allow a view."""


class UnsafeView(Function):
    """reshape when no view is possible: a copy."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


def _check_shape(shape, numel, op):
    """Raise torch's error for a shape that cannot hold ``numel`` elements."""
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError(f"{op}: only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}: invalid shape dimension {s}")
        else:
            known *= s
    if infer is not None and known == 0:
        raise RuntimeError(
            f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
            "unspecified dimension size -1 can be any value and is ambiguous")
    if (infer is None and known != numel) or (infer is not None and numel % known):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _view_fn(shape):
    return lambda a: _nocopy_reshape(a, shape)


def _reshaper(shape):
    return lambda a: a.reshape(shape)


def view(input, *shape):
    """torch.Tensor.view; view(dtype) reinterprets the bytes (no gradient)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list, Tensor)):
        return _view_dtype(input, shape[0])
    shape = _shape_arg(shape, "view")
    try:
        out = View.apply(input, shape)
    except (ValueError, RuntimeError):  # apply turns numpy's ValueError into RuntimeError
        _check_shape(shape, input._data.size, "view")
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces); input shape "
            f"{list(input.shape)}, strides {list(input.stride())}, requested {list(shape)}. "
            "Use .reshape(...) instead.") from None
    return view_of(out, input, _view_fn(shape))


def _view_dtype(input, dtype):
    dt = _dtype.to_dtype(dtype)
    a = input._data
    if dt.np == a.dtype:
        return view(input, a.shape)
    if a.ndim == 0 and dt.itemsize != a.itemsize:
        raise RuntimeError("self.dim() cannot be 0 to view a tensor as a dtype with a different "
                           "element size")
    try:
        out = a.view(dt.np)
    except ValueError as e:
        raise RuntimeError(f"view(dtype): cannot view {list(a.shape)} {input.dtype} as {dt}: "
                           f"{e}") from None
    t = Tensor._make(out)
    t._vc = input._version_cell()
    return t


def view_as(input, other):
    """torch.Tensor.view_as"""
    return view(input, other._data.shape)


def reshape(input, *shape):
    """torch.reshape: a view when the strides allow one, else a copy (UnsafeViewBackward0)."""
    shape = _shape_arg(shape, "reshape")
    a = input._data
    cls = View
    if not a.flags.c_contiguous:
        try:
            _nocopy_reshape(a, shape)
            cls = ReshapeAlias
        except (ValueError, AttributeError):
            _check_shape(shape, a.size, "reshape")
            return UnsafeView.apply(input, shape)
    try:
        out = cls.apply(input, shape)
    except RuntimeError:
        _check_shape(shape, a.size, "reshape")
        raise
    return view_of(out, input, _view_fn(shape))


def reshape_as(input, other):
    """torch.Tensor.reshape_as"""
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """torch.flatten"""
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, nd, "flatten")
    e = wrap_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def ravel(input):
    """torch.ravel"""
    if not input._data.flags.c_contiguous:
        from luchina.ops.convert import contiguous
        input = contiguous(input)
    return view(input, -1)


def unflatten(input, dim, sizes):
    """torch.unflatten"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "unflatten")
    sizes = dims_arg((sizes,), "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if (-1 not in sizes and known != shape[d]) or (known and shape[d] % known):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:])


# -- transposes ----------------------------------------------------------------------------------
class Transpose(Function):
    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.dims = (d0, d1)
        return x.swapaxes(d0, d1) if x.ndim else x[...]  # 0-d: the identity, as torch

    @staticmethod
    def backward(ctx, grad):
        return (grad.swapaxes(*ctx.dims) if grad.ndim else grad), None, None


def transpose(input, dim0, dim1):
    """torch.transpose"""
    nd = input._data.ndim
    d0 = wrap_dim(dim0, nd, "transpose")
    d1 = wrap_dim(dim1, nd, "transpose")
    out = Transpose.apply(input, d0, d1)
    return view_of(out, input, (lambda a: a.swapaxes(d0, d1)) if nd else _transpose_all)


swapaxes = swapdims = transpose


class T(Function):
    @staticmethod
    def forward(ctx, x):
        return x.transpose()

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose()


def t(input):
    """torch.t"""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return view_of(T.apply(input), input, _transpose_all)


def _transpose_all(a):
    return a.transpose()


class Permute(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(np.argsort(ctx.dims)), None


def permute(input, *dims):
    """torch.permute"""
    dims = dims_arg(dims, "permute")
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd, "permute") for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return view_of(Permute.apply(input, dims), input, lambda a: a.transpose(dims))


def movedim(input, source, destination):
    """torch.movedim"""
    nd = input._data.ndim
    src = dims_arg((source,), "movedim")
    dst = dims_arg((destination,), "movedim")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = [wrap_dim(d, nd, "movedim") for d in src]
    dst = [wrap_dim(d, nd, "movedim") for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError("movedim: repeated dim in `source` or `destination`")
    if nd == 0:
        from luchina.ops._views import Alias, _basic_view
        return _basic_view(Alias, input, (Ellipsis,))
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def _T(input):
    nd = input._data.ndim
    if nd != 2:
        msg = ("Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
               "cases." if nd == 0 else
               "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
               "deprecated and it will throw an error in a future release. Consider `x.mT` to "
               "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
               "to reverse the dimensions of a tensor.")
        warnings.warn(msg, UserWarning, stacklevel=2)
    return permute(input, tuple(range(nd - 1, -1, -1)))


def _mT(input):
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


def _H(input):
    nd = input._data.ndim
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return permute(input, ())
    if nd != 2:
        hint = (" For batches of matrices, consider using tensor.mH" if nd > 2 else "")
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           f"tensor.{hint}")
    return transpose(input, 0, 1)


def adjoint(input):
    """torch.adjoint: transpose of the last two dims (real tensors only)."""
    return _mT(input)


PROPERTIES = {"T": _T, "mT": _mT, "H": _H, "mH": _mT}


# -- squeeze / unsqueeze / expand ----------------------------------------------------------------
class Squeeze(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)  # dropping size-1 dims never copies

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class SqueezeDim(Squeeze):
    _backward_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    _backward_name = "SqueezeBackward2"


def squeeze(input, dim=None):
    """torch.squeeze: dim may be None, an int or a tuple of ints."""
    shape = input._data.shape
    nd = len(shape)
    if dim is None:
        fn = Squeeze
        new = tuple(s for s in shape if s != 1)
    else:
        if isinstance(dim, (tuple, list)):
            fn = SqueezeDims
            dims = {wrap_dim(d, nd, "squeeze") for d in dims_arg((dim,), "squeeze")}
        else:
            fn = SqueezeDim
            dims = {wrap_dim(dim, nd, "squeeze")}
        new = tuple(s for i, s in enumerate(shape) if s != 1 or i not in dims)
    out = fn.apply(input, new)
    return view_of(out, input, _reshaper(new))


class Unsqueeze(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)  # adding size-1 dims never copies

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


def unsqueeze(input, dim):
    """torch.unsqueeze"""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1, "unsqueeze")
    new = shape[:d] + (1,) + shape[d:]
    out = Unsqueeze.apply(input, new)
    return view_of(out, input, _reshaper(new))


# -- in-place metadata changes ------------------------------------------------------------------
def _renamed(cls, name):
    return type(cls.__name__ + "Inplace", (cls,), {"_backward_name": name})


_INPLACE_NODES = {}


def _meta_inplace(op, fn):
    def method(self, *args):
        from luchina.autograd.grad_mode import _mode
        from luchina.ops._util import check_inplace_allowed
        if _mode.enabled and self._rg:
            check_inplace_allowed(self, op)
        out = fn(self, *args)
        self._data = out._data
        node = out.grad_fn
        if node is not None:
            node.fn = _INPLACE_NODES.get(node.fn, node.fn)  # torch's in-place node names
            self.grad_fn, self._output_nr = node, out._output_nr
        self._bump_version(op)
        return self
    method.__name__ = op
    method.__doc__ = f"torch.Tensor.{op}"
    return method


_INPLACE_NODES.update({
    Squeeze: _renamed(Squeeze, "SqueezeBackward3"),
    SqueezeDim: _renamed(SqueezeDim, "SqueezeBackward4"),
    SqueezeDims: _renamed(SqueezeDims, "SqueezeBackward5"),
    Unsqueeze: _renamed(Unsqueeze, "UnsqueezeBackward1"),
    Transpose: _renamed(Transpose, "TransposeBackward1"), T: _renamed(T, "TBackward1"),
})

METHODS = {
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as,
    "flatten": flatten, "unflatten": unflatten, "ravel": ravel, "transpose": transpose,
    "swapaxes": swapaxes, "swapdims": swapdims, "t": t, "permute": permute, "movedim": movedim,
    "moveaxis": moveaxis, "squeeze": squeeze, "unsqueeze": unsqueeze, "expand": expand,
    "expand_as": expand_as, "broadcast_to": _views.broadcast_to, "narrow": _views.narrow,
    "select": _views.select, "diagonal": _views.diagonal, "unfold": unfold, "adjoint": adjoint,
    "squeeze_": _meta_inplace("squeeze_", squeeze),
    "unsqueeze_": _meta_inplace("unsqueeze_", unsqueeze),
    "t_": _meta_inplace("t_", t), "transpose_": _meta_inplace("transpose_", transpose),
    "swapaxes_": _meta_inplace("swapaxes_", transpose),
    "swapdims_": _meta_inplace("swapdims_", transpose),
    **_join.METHODS, **_rearrange.METHODS,
}
