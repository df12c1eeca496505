"""Shared helpers of the op modules: dims, views and in-place updates."""

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor, _wrap_dim
from luchina.autograd.function import _SELF, Context, Function, _edge
from luchina.autograd.grad_mode import _mode

__all__ = ["wrap_dim", "dims_arg", "view_of", "inplace", "check_same_device"]

wrap_dim = _wrap_dim


def dims_arg(dims, op="op"):
    """Accept ``f(x, 1, 2)``, ``f(x, (1, 2))`` and ``f(x, [1, 2])`` alike (torch's varargs)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    out = []
    for d in dims:
        if isinstance(d, Tensor):
            d = int(d.item())
        elif not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}(): expected a sequence of ints, got {type(d).__name__}")
        out.append(int(d))
    return tuple(out)


def view_of(out, input, fn):
    """Mark ``out`` as a view of ``input``: shared memory, shared version counter.

    ``fn(array)`` recreates the view from the base's array; an in-place op on the view uses it
    to route gradients back into the base (torch's CopySlices).
    """
    base = input._base
    if base is None:
        out._base = input
        out._view_fn = fn
    else:
        out._base = base
        parent = input._view_fn
        out._view_fn = (lambda a: fn(parent(a))) if parent is not None else None
    cell = out._vc = input._version_cell()
    out._view_ver = cell[0]
    return out


class ViewOfBase(Function):
    """A view whose base changed in place since the view was taken: its gradient goes to the
    base's current history through the view's position in the base (torch's AsStrided)."""

    _backward_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base):
        raise AssertionError("ViewOfBase nodes are created by refresh_view only")

    @staticmethod
    def backward(ctx, grad):
        g_base = ctx.xp.zeros_like(ctx.base_like, dtype=grad.dtype)
        region = ctx.view_fn(g_base)
        if not region.flags.writeable:
            raise RuntimeError(
                "backward through an expanded view whose base was modified in place is not "
                "supported; take .clone() of the expanded tensor before changing the base")
        region[...] = grad
        return (g_base,)


def refresh_view(t):
    """Give a stale view (its base was changed in place after it was taken) a fresh history."""
    base = t._base
    t._view_ver = t._vc[0]
    if t._view_fn is None or not base._rg:
        return
    ctx = _view_node(ViewOfBase, t, t._data.shape, (_edge(base),))
    t.grad_fn, t._output_nr, t._rg = ctx, 0, True


def _view_node(fn, view, shape, edges):
    """A graph node built by hand for a view and its base (no forward runs for it)."""
    base = view._base
    ctx = Context()
    ctx.fn = fn
    ctx.xp = base.device.xp
    ctx.n_out = 1
    ctx.shapes = shape
    ctx.view_fn = view._view_fn
    ctx.base_like = base._data
    ctx.needs_input_grad = tuple(e is not None for e in edges)
    ctx.next = edges
    return ctx


class CopySlices(Function):
    """The base of a view after an in-place op on the view: gradients split by region."""

    _backward_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, view_fn):
        raise AssertionError("CopySlices nodes are created by in-place ops only")

    @staticmethod
    def backward(ctx, grad):
        view_fn = ctx.view_fn
        g_base = ctx.xp.empty_like(ctx.base_like, dtype=grad.dtype)  # the base's memory layout
        g_base[...] = grad
        g_view = view_fn(g_base).copy()
        view_fn(g_base)[...] = 0
        return g_base, g_view


def check_inplace_allowed(t, op):
    if t.grad_fn is None and t._rg:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Wrap the update in `with torch.no_grad():`, or use the out-of-place form.")
    base = t._base
    if base is not None and base.grad_fn is None and base._rg:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. Wrap the update in `with torch.no_grad():`, or clone() the tensor first.")


def inplace(t, op, compute, args):
    """Run ``compute(t, *args)`` (an out-of-place op) and store its result in ``t``'s memory.

    Without autograd this is only the array update. With autograd the result's history becomes
    ``t``'s, and if ``t`` is a view, its base gets a CopySlices node. As in torch, the new node
    keeps the old values only if its backward needs them, and if it saved its own output that
    output is ``t`` itself: a later in-place change of ``t`` is then caught by the version check.
    """
    tracked = _mode.enabled and (t._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if not tracked:
        out = compute(t, *args)
        _store(t, out._data, op)
        return t
    check_inplace_allowed(t, op)
    old = Tensor._make(t._data, t._rg, t.grad_fn, t._output_nr)
    out = compute(old, *args)
    node = out.grad_fn
    saved = node.saved if node is not None else None
    if saved:
        node.saved = tuple(s.copy() if s is t._data else s for s in saved)
    _store(t, out._data, op)
    if saved and any(s is out._data for s in saved):
        node.saved = tuple(t._data if s is out._data else s for s in node.saved)
        cell = t._version_cell()
        node._versions = [v for v in (node._versions or ()) if v[0] is not out._vc]
        node._versions.append((cell, cell[0], (t._data.dtype, t._data.shape, _SELF,
                                                out._output_nr)))
    base = t._base
    if base is not None and t._view_fn is not None:
        ctx = _view_node(CopySlices, t, base._data.shape,
                         (_edge(base), (node, out._output_nr) if node is not None else None))
        base.grad_fn, base._output_nr, base._rg = ctx, 0, True
    t.grad_fn, t._output_nr, t._rg = node, out._output_nr, out._rg
    if base is not None:
        t._view_ver = t._vc[0]  # the view's own history is current again
    return t


def _store(t, value, op):
    dst = t._data
    if value.dtype != dst.dtype and _CATEGORY[value.dtype.kind] > _CATEGORY[dst.dtype.kind]:
        raise RuntimeError(
            f"{op}: result type {_dt_name(value.dtype)} can't be cast to the desired output type "
            f"{_dt_name(dst.dtype)}; convert the tensor first, e.g. x = x.float()")
    if value.shape != dst.shape:
        raise RuntimeError(
            f"{op}: output with shape {list(dst.shape)} doesn't match the broadcast shape "
            f"{list(value.shape)}")
    if value is not dst:
        dst[...] = value  # numpy's assignment casts unsafely, as torch's in-place ops do
    t._bump_version(op)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # torch casts in place within or down a category


def _dt_name(np_dtype):
    from luchina._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype).name.capitalize()


def check_same_device(op, *tensors):
    """torch's device check, naming the op and both devices."""
    kinds = {type(t._data) for t in tensors if isinstance(t, Tensor)}
    if len(kinds) > 1:
        devs = ", ".join(str(t.device) for t in tensors if isinstance(t, Tensor))
        raise RuntimeError(
            f"{op}: Expected all tensors to be on the same device, but found at least two devices "
            f"({devs}); move them with .to(device)")


_INT64 = np.dtype(np.int64)


def _acc_dtype(x, dtype):
    """The dtype a sum-like op accumulates in: dtype=, else int64 for integer/bool inputs."""
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return _INT64 if x.dtype.kind in "biu" else None


def _cast(x, dt):
    # float -> int casts element-wise first, as torch's input.to(dtype) does
    return x.astype(dt) if dt is not None and x.dtype.kind == "f" and dt.kind != "f" else x
