"""Forward values and dtypes of graph nodes, recovered after the fact, and their summaries."""

from contextlib import contextmanager

import numpy as np

from luchina.autograd.function import _RELEASED, _SELF, Context, Function

__all__ = ["node_values", "node_dtypes", "to_numpy", "summarize", "nbytes", "keep_values"]

_KEPT = "_viz_values"


@contextmanager
def keep_values():
    """While active, every new graph node remembers its forward outputs for the drawings."""
    original = Function.__dict__["apply"]
    if getattr(original.__func__, "_viz_keeps", False):  # nested: the outer one already records
        yield
        return
    plain = original.__func__

    def apply(cls, *args):
        out = plain(cls, *args)
        for o in (out if type(out) is tuple else (out,)):
            fn = getattr(o, "grad_fn", None)
            if fn is not None and hasattr(o, "_data"):
                fn.__dict__.setdefault(_KEPT, {})[o._output_nr] = o._data
        return out

    apply._viz_keeps = True
    Function.apply = classmethod(apply)
    try:
        yield
    finally:
        Function.apply = original


def to_numpy(a):
    """A host numpy array (cupy arrays are copied to the host)."""
    if a is None:
        return None
    if hasattr(a, "_data"):
        a = a._data
    if type(a) is not np.ndarray and hasattr(a, "get"):
        return a.get()
    return np.asarray(a)


def _is_array(a):
    return hasattr(a, "shape") and hasattr(a, "dtype") and not isinstance(a, (int, float))


def node_values(walked):
    """(Context, output_nr) -> array for every node output whose value can be known.

    The graph keeps no outputs, so values come from the outputs themselves, from the arrays
    ops saved for backward (matched through the version records), and from replaying the
    forward of ops whose every argument is a tensor of known value.
    """
    values = {}
    for node in walked.ops:
        kept = node.__dict__.get(_KEPT) if node.__dict__ else None
        if kept:
            for nr, v in kept.items():
                values[(node, nr)] = v
    for _, t in walked.outputs:
        if t.grad_fn is not None:
            values[(t.grad_fn, t._output_nr)] = t._data
    for node in walked.ops:
        saved, entries = node.saved, node._versions
        if saved is None or saved is _RELEASED or not entries:
            continue
        j = 0
        for s in saved:
            if j >= len(entries):
                break
            if not _is_array(s):
                continue
            cell, version, (dtype, shape, src, nr) = entries[j]
            if s.dtype != dtype or s.shape != shape:
                continue
            j += 1
            if cell[0] != version:
                continue  # changed in place since: no longer the forward value
            if src is _SELF:
                values.setdefault((node, nr), s)
            elif src is not None:
                values.setdefault((src, nr), s)
    _replay(walked, values)
    return values


def _replay(walked, values):
    """Recompute outputs of ops whose inputs are all known tensors, inputs first."""
    for node in reversed(_topo(walked.ops)):
        fn = node.fn
        if fn is None or fn._tensor_io:
            continue
        n_out = getattr(node, "n_out", 1)
        if all((node, i) in values for i in range(n_out)):
            continue
        args = []
        by_saved = saved_args(node)
        for i, e in enumerate(node.next):
            v = None
            if e:
                src, nr = e
                v = values.get((src, nr)) if isinstance(src, Context) else src._data
            if v is None and by_saved is not None:
                v = by_saved[i]
            if v is None:
                break
            args.append(v)
        else:
            ctx = object.__new__(Context)
            ctx.saved = ctx.hooks = ctx.non_differentiable = ctx._versions = None
            ctx.fn = None
            ctx.xp = node.xp
            ctx.needs_input_grad = node.needs_input_grad
            try:
                out = fn.forward(ctx, *args)
            except Exception:
                continue
            outs = out if type(out) is tuple else (out,)
            for i, o in enumerate(outs):
                values.setdefault((node, i), o)


def saved_args(node):
    """The node's forward arguments when it saved exactly those (as + - * / do), else None."""
    saved, nxt = node.saved, node.next
    if saved is None or saved is _RELEASED or nxt is None or len(saved) != len(nxt):
        return None
    if not node.fn or node.fn.__name__ not in ("Mul", "Div"):
        return None
    return saved


def _topo(ops):
    """Ops ordered so that each comes before the ops it consumes (outputs first)."""
    indeg = {n: 0 for n in ops}
    for n in ops:
        for e in n.next or ():
            if e and isinstance(e[0], Context) and e[0] in indeg:
                indeg[e[0]] += 1
    ready = [n for n in ops if indeg[n] == 0]
    order = []
    while ready:
        n = ready.pop()
        order.append(n)
        for e in n.next or ():
            if e and isinstance(e[0], Context) and e[0] in indeg:
                indeg[e[0]] -= 1
                if indeg[e[0]] == 0:
                    ready.append(e[0])
    return order


def node_dtypes(walked, values):
    """(Context, output_nr) -> numpy dtype: known values first, then the inputs' promotion."""
    dtypes = {k: v.dtype for k, v in values.items() if _is_array(v)}
    for node in reversed(_topo(walked.ops)):
        out_dt = getattr(node, "out_dtypes", None)
        n_out = getattr(node, "n_out", 1)
        for i in range(n_out):
            if (node, i) in dtypes:
                continue
            if out_dt is not None:
                dtypes[(node, i)] = np.dtype(out_dt[i])
                continue
            ins = []
            for e in node.next or ():
                if e:
                    src, nr = e
                    d = dtypes.get((src, nr)) if isinstance(src, Context) else src._data.dtype
                    if d is not None:
                        ins.append(d)
            if ins:
                dtypes[(node, i)] = np.result_type(*ins)
    return dtypes


def node_shape(node, nr):
    shapes = node.shapes
    if getattr(node, "n_out", 1) != 1:
        shapes = shapes[nr]
    return tuple(shapes)


def nbytes(a):
    return int(getattr(a, "nbytes", 0))


def _num(x):
    x = float(x)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.4g}"


def summarize(a, tiny=6):
    """The numbers of a tiny array, else min/mean/max/norm, as one short line."""
    a = to_numpy(a)
    if a is None:
        return "-"
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    if a.size == 0:
        return "[] (empty)"
    if a.size == 1:
        return _num(a.reshape(()))
    if a.size <= tiny:
        return "[" + ", ".join(_num(v) for v in a.ravel()) + "]"
    f = a.astype(np.float64, copy=False)
    return (f"min {_num(f.min())} mean {_num(f.mean())} max {_num(f.max())} "
            f"norm {_num(np.sqrt((f * f).sum()))}")


def shape_str(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def bytes_str(n):
    if n < 1024:
        return f"{n} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 ** 2:.1f} MiB"
