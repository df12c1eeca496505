"""memory_report: what a graph keeps alive for backward, by op."""

import numpy as np

__all__ = ["memory_report", "MemoryReport"]

_SKIP_ATTRS = ("_metadata", "_post_hooks")  # anomaly tracebacks, user hooks: not saved data


class MemoryReport:
    """The saved-for-backward buffers of a graph; prints as a table.

    ``total_bytes``: bytes of every distinct buffer the graph's nodes hold for backward (a view
    counts as the whole buffer it keeps alive; a buffer saved by several nodes counts once, under
    the first op in forward order that saved it). ``n_tensors``: how many distinct buffers.
    ``by_op``: node name (as ``grad_fn.name()``) -> ``{"count", "bytes", "nodes"}``.
    ``leaf_bytes``: the part that belongs to leaf tensors (parameters), which exist anyway;
    ``activation_bytes`` is the rest, the memory training adds.
    """

    def __init__(self, by_op, n_tensors, total_bytes, leaf_bytes, n_nodes, buffers):
        self.by_op = by_op
        self.n_tensors = n_tensors
        self.total_bytes = total_bytes
        self.leaf_bytes = leaf_bytes
        self.activation_bytes = total_bytes - leaf_bytes
        self.n_nodes = n_nodes
        self.buffers = buffers  # (op name, shape, dtype name, bytes, is_leaf), one per buffer

    @property
    def rows(self):
        return [{"op": k, **v} for k, v in self.by_op.items()]

    def __str__(self):
        w = max([len("op")] + [len(k) for k in self.by_op])
        lines = [f"{'op':<{w}}  {'nodes':>5}  {'saved':>5}  {'bytes':>12}  {'size':>10}",
                 "-" * (w + 42)]
        for k, v in self.by_op.items():
            lines.append(f"{k:<{w}}  {v['nodes']:>5}  {v['count']:>5}  {v['bytes']:>12,}  "
                         f"{_human(v['bytes']):>10}")
        lines.append("-" * (w + 42))
        lines.append(f"{'total':<{w}}  {self.n_nodes:>5}  {self.n_tensors:>5}  "
                     f"{self.total_bytes:>12,}  {_human(self.total_bytes):>10}")
        lines.append(f"of which leaf tensors (parameters): {self.leaf_bytes:,} bytes; "
                     f"activations and other intermediates: {self.activation_bytes:,} bytes")
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _is_array(x):
    return isinstance(x, np.ndarray) or (hasattr(x, "__cuda_array_interface__")
                                          and hasattr(x, "nbytes"))


def _root(a):
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while _is_array(getattr(a, "base", None)):
        a = a.base
    return a


def _arrays_in(obj, out, depth=0):
    """Collect the arrays held by ``obj`` (an array, a Tensor, or containers of them)."""
    if obj is None or depth > 4 or isinstance(obj, (str, bytes, int, float, bool, type)):
        return
    if _is_array(obj):
        out.append(obj)
        return
    data = getattr(obj, "_data", None)
    if data is not None and _is_array(data) and type(obj).__name__ in ("Tensor", "Parameter"):
        out.append(data)
        return
    if isinstance(obj, (tuple, list, set, frozenset)):
        for x in obj:
            _arrays_in(x, out, depth + 1)
    elif isinstance(obj, dict):
        for x in obj.values():
            _arrays_in(x, out, depth + 1)


def _roots_of(outputs):
    from luchina._tensor import Tensor
    if isinstance(outputs, Tensor):
        outputs = [outputs]
    elif isinstance(outputs, dict):
        outputs = list(outputs.values())
    else:
        try:
            outputs = list(outputs)
        except TypeError:
            raise TypeError("memory_report: expected a tensor, or a tuple/list/dict of tensors, "
                            f"got {type(outputs).__name__}") from None
    roots = []
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"memory_report: expected tensors, got {type(t).__name__}")
        if t.grad_fn is not None and all(t.grad_fn is not r for r in roots):
            roots.append(t.grad_fn)
    return roots


def _forward_order(roots):
    """The graph's nodes, inputs before the nodes that use them (no recursion)."""
    from luchina.autograd.function import Context
    deps = {}
    seen = {id(n) for n in roots}
    nodes = list(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for edge in node.next or ():
            if edge and isinstance(edge[0], Context):
                nxt = edge[0]
                deps[id(nxt)] = deps.get(id(nxt), 0) + 1
                if id(nxt) not in seen:
                    seen.add(id(nxt))
                    nodes.append(nxt)
                    stack.append(nxt)
    order = []
    ready = [n for n in roots if id(n) not in deps]
    while ready:
        node = ready.pop()
        order.append(node)
        for edge in node.next or ():
            if edge and isinstance(edge[0], Context):
                nxt = edge[0]
                deps[id(nxt)] -= 1
                if deps[id(nxt)] == 0:
                    ready.append(nxt)
    order.reverse()
    return order


def _leaf_roots(nodes):
    from luchina.autograd.function import Context
    ids = {}
    for node in nodes:
        for edge in node.next or ():
            if edge and not isinstance(edge[0], Context):
                r = _root(edge[0]._data)
                ids[id(r)] = r
    return ids


def _saved_arrays(node):
    from luchina.autograd.function import _RELEASED
    found = []
    saved = node.saved
    if saved is not None and saved is not _RELEASED:
        _arrays_in(saved, found)
    d = getattr(node, "__dict__", None)
    if d:
        for k, v in d.items():
            if k not in _SKIP_ATTRS:
                _arrays_in(v, found)
    return found


def memory_report(output):
    """What the graph of ``output`` (tensor, or tuple/list/dict of them) saves for backward.

    Not in torch. Counts ``ctx.save_for_backward`` arrays and arrays kept as ctx attributes
    (masks, indices), each distinct buffer once; after backward only the attributes remain,
    as the engine frees the saved tensors (unless ``retain_graph=True``).
    """
    roots = _roots_of(output)
    nodes = _forward_order(roots)
    leaves = _leaf_roots(nodes)
    seen = {}
    by_op = {}
    buffers = []
    total = leaf = 0
    for node in nodes:
        name = node.name()
        entry = by_op.setdefault(name, {"count": 0, "bytes": 0, "nodes": 0})
        entry["nodes"] += 1
        for a in _saved_arrays(node):
            r = _root(a)
            if id(r) in seen:
                continue
            seen[id(r)] = r  # keeps r alive so its id stays unique during the walk
            nbytes = int(r.nbytes)
            is_leaf = id(r) in leaves
            entry["count"] += 1
            entry["bytes"] += nbytes
            total += nbytes
            leaf += nbytes if is_leaf else 0
            buffers.append((name, tuple(r.shape), r.dtype.name, nbytes, is_leaf))
    return MemoryReport(by_op, len(seen), total, leaf, len(nodes), buffers)
