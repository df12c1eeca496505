"""backward: iterative topological order, gradient accumulation, central unbroadcast."""

from luchina.autograd.function import _RELEASED, Context, _check_versions, _freed_message
from luchina.autograd.grad_mode import _mode

__all__ = ["run_backward", "sum_to"]


def sum_to(g, shape):
    """Reduce a gradient of a broadcast result back to an input's shape."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead:
        g = g.reshape(shape)
    return g


def _topo_counts(roots):
    """Number of consumers of each node reachable from the roots (no recursion)."""
    deps = {}
    stack = list(roots)
    seen = {id(n) for n in roots}
    while stack:
        node = stack.pop()
        for edge in node.next:
            if edge:
                nxt = edge[0]
                if type(nxt) is Context:
                    deps[nxt] = deps.get(nxt, 0) + 1
                    if id(nxt) not in seen:
                        seen.add(id(nxt))
                        stack.append(nxt)
    return deps


class _Accumulator:
    """Pending gradients: sums are allocated once, then updated in place.

    ``shared`` holds ids of arrays that may be referenced outside the engine (the user's root
    gradients, upstream gradients passed into a backward, arrays returned for two inputs at once,
    arrays a hook saw): a leaf copies those instead of taking them as its ``.grad``.
    """

    __slots__ = ("pending", "owned", "shared", "leaves")

    def __init__(self):
        self.pending = {}  # node -> array (one output) or list of arrays (several outputs)
        self.owned = set()
        self.shared = set()
        self.leaves = {}   # id(leaf) -> [leaf, summed gradient]

    def _sum(self, prev, g):
        if id(prev) in self.owned:
            prev += g
            return prev
        s = prev + g
        self.owned.add(id(s))
        return s

    def add(self, node, nr, g):
        if node.n_out != 1:
            slot = self.pending.get(node)
            if slot is None:
                slot = self.pending[node] = [None] * node.n_out
            slot[nr] = g if slot[nr] is None else self._sum(slot[nr], g)
            return
        prev = self.pending.get(node)
        self.pending[node] = g if prev is None else self._sum(prev, g)

    def add_leaf(self, t, g):
        entry = self.leaves.get(id(t))
        if entry is None:
            self.leaves[id(t)] = [t, g]
        else:
            entry[1] = self._sum(entry[1], g)

    def take(self, node):
        g = self.pending.pop(node, None)
        if node.n_out == 1:
            self.owned.discard(id(g))
            self.shared.add(id(g))
            return (g,)
        if g is None:
            return (None,) * node.n_out
        self.shared.update(id(x) for x in g)
        return tuple(g)

    def private(self, g):
        """``g`` itself when nothing else can see it, else a copy."""
        if id(g) in self.owned or (id(g) not in self.shared and g.flags.owndata
                                   and g.flags.writeable):
            self.shared.add(id(g))
            return g
        return g.copy()


def run_backward(tensors, grads, retain_graph=False, inputs=None, allow_unused=False):
    """Backpropagate ``grads`` (arrays) from ``tensors``.

    Without ``inputs`` the gradients accumulate into the leaves' ``.grad`` (Tensor.backward).
    With ``inputs`` (autograd.grad) nothing's ``.grad`` changes: the gradients reaching those
    tensors are returned as arrays (None where unreachable).
    """
    capture = None
    if inputs is not None:
        capture = {_key(t): None for t in inputs}
    acc = _Accumulator()
    roots = []
    for t, g in zip(tensors, grads):
        acc.shared.add(id(g))
        node = t.grad_fn
        if node is None:
            if t._rg:
                acc.add_leaf(t, g)
            continue
        acc.add(node, t._output_nr, g)
        if node not in roots:
            roots.append(node)

    deps = _topo_counts(roots)
    ready = [n for n in roots if n not in deps]
    prev_mode = _mode.enabled
    _mode.enabled = False  # backward builds no graph (no higher-order gradients yet)
    try:
        while ready:
            node = ready.pop()
            g_out = acc.take(node)
            if node.hooks is not None:
                g_out = _run_pre_hooks(node, list(g_out), acc)
            if capture is not None:
                for i, g in enumerate(g_out):
                    if (node, i) in capture:
                        capture[(node, i)] = g
            if node.saved is _RELEASED:
                raise RuntimeError(_freed_message(node))
            if node._versions is not None:
                _check_versions(node)
            g_in = _call_backward(node, g_out)
            if not retain_graph and node.saved is not None:
                node.saved = _RELEASED
            n = len(g_in)
            if n > 1:
                _mark_duplicates(g_in, acc.shared)
            for i, edge in enumerate(node.next):
                if not edge:
                    continue
                g = g_in[i] if i < n else None
                nxt, nr = edge
                if type(nxt) is Context:
                    if g is not None:
                        shape = nxt.shapes if nxt.n_out == 1 else nxt.shapes[nr]
                        acc.add(nxt, nr, g if g.shape == shape else sum_to(g, shape))
                    left = deps[nxt] - 1
                    deps[nxt] = left
                    if left == 0:
                        ready.append(nxt)
                elif g is not None:
                    acc.add_leaf(nxt, g if g.shape == nxt._data.shape else
                                 sum_to(g, nxt._data.shape))
        for t, g in acc.leaves.values():
            if t._hooks:
                g = _run_leaf_hooks(t, g, acc)
            if capture is None:
                _accumulate(t, g, acc)
            elif id(t) in capture:
                capture[id(t)] = g
    finally:
        _mode.enabled = prev_mode
    if capture is None:
        return None
    out = []
    for t in inputs:
        g = capture[_key(t)]
        if g is None and not allow_unused:
            raise RuntimeError(
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior.")
        out.append(None if g is None else acc.private(g))
    return out


def _key(t):
    return (t.grad_fn, t._output_nr) if t.grad_fn is not None else id(t)


def _mark_duplicates(g_in, shared):
    seen = set()
    for g in g_in:
        if g is not None:
            if id(g) in seen:
                shared.add(id(g))
            seen.add(id(g))


def _accumulate(t, g, acc):
    if g.dtype != t._data.dtype:
        g = g.astype(t._data.dtype)
    cur = t._grad
    if cur is None:
        from luchina._tensor import Tensor
        t._grad = Tensor._make(acc.private(g))
    else:
        cur._data += g  # in place, as torch accumulates into an existing .grad
        if cur._vc is not None:
            cur._vc[0] += 1


def _run_leaf_hooks(t, g, acc):
    from luchina._tensor import Tensor
    for h in list(t._hooks.values()):
        acc.shared.add(id(g))
        r = h(Tensor._make(g))
        if r is not None:
            g = r._data
            acc.shared.add(id(g))
    return g


def _call_backward(node, g_out):
    fn = node.fn
    if fn._tensor_io:
        return _call_user_backward(node, g_out)
    if node.n_out == 1:
        g = g_out[0]
        if g is None:
            return ()
        res = fn.backward(node, g)
    else:
        if all(g is None for g in g_out):
            return ()
        like = next(g for g in g_out if g is not None)
        g_out = [node.xp.zeros(s, dtype=like.dtype) if g is None else g
                 for g, s in zip(g_out, node.shapes)]
        res = fn.backward(node, *g_out)
    if type(res) is not tuple:
        res = (res,)
    post = node.__dict__.get("_post_hooks") if node.__dict__ else None
    if post:
        from luchina._tensor import Tensor
        wrap = tuple(None if r is None else Tensor._make(r) for r in res)
        gw = tuple(None if g is None else Tensor._make(g) for g in g_out)
        for h in post:
            h(wrap, gw)
    return res


def _call_user_backward(node, g_out):
    """User Functions get and return Tensors; missing output gradients become zeros."""
    from luchina._tensor import Tensor
    fn = node.fn
    shapes = (node.shapes,) if node.n_out == 1 else node.shapes
    grads = []
    for g, shape, dt in zip(g_out, shapes, node.out_dtypes):
        if g is None and node.materialize_grads:
            g = node.xp.zeros(shape, dtype=dt)
        grads.append(None if g is None else Tensor._make(g))
    res = fn.backward(node, *grads)
    if not isinstance(res, tuple):
        res = (res,)
    if len(res) != len(node.next):
        raise RuntimeError(
            f"function {fn._backward_name} returned an incorrect number of gradients "
            f"(expected {len(node.next)}, got {len(res)})")
    return tuple(None if r is None else (r._data if hasattr(r, "_data") else r) for r in res)


def _run_pre_hooks(node, g_out, acc):
    """Tensor hooks of this node's outputs, in registration order; retain_grad runs last."""
    from luchina._tensor import Tensor
    retained = []
    for nr, hook in list(node.hooks):
        if isinstance(hook, RetainGrad):
            retained.append((nr, hook))
        elif nr is None:
            wrapped = tuple(None if g is None else Tensor._make(g) for g in g_out)
            r = hook(wrapped)
            if r is not None:
                g_out = [None if x is None else x._data for x in r]
        elif g_out[nr] is not None:
            acc.shared.add(id(g_out[nr]))
            r = hook(Tensor._make(g_out[nr]))
            if r is not None:
                g_out[nr] = r._data if hasattr(r, "_data") else r
                acc.shared.add(id(g_out[nr]))
    for nr, hook in retained:
        if g_out[nr] is not None:
            hook.keep(g_out[nr])
    return tuple(g_out)


class RetainGrad:
    """The hook retain_grad() installs on a non-leaf tensor's node: it fills ``.grad``."""

    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = tensor

    def keep(self, g):
        from luchina._tensor import Tensor
        t = self.tensor
        if t._grad is None:
            t._grad = Tensor._make(g.copy())
        else:
            t._grad._data = t._grad._data + g
