"""Flat buffers for optimizers: one array pass per update term for all parameters of a group.

torch's ``foreach``/``fused`` paths update every parameter of a group in one kernel launch per
term. The NumPy equivalent: keep the optimizer's own state (Adam's exp_avg, exp_avg_sq, SGD's
momentum buffer) in one flat array per quantity, copy the gradients into one flat array, and run
each ufunc once over the whole group instead of once per parameter. Each parameter's state
tensor stays what ``optimizer.state[p]`` shows (its ``_data`` is a view into the flat array), so
state_dict and user code see nothing different. The parameters themselves are *not* moved into
a flat buffer: a user may hold their memory (``w = layer.weight.data``, a state_dict taken
before training) and must keep seeing the updates, so the final update is one in-place add per
parameter from a flat update buffer.

The elementwise ops and their order are exactly those of the per-parameter loop, so the flat
path gives bit-for-bit the same numbers. It is taken only when every parameter of the group has
a gradient of its own dtype, the same array type and dtype as the others, and the same step
count; otherwise (a parameter without gradient, state loaded for some parameters only...) the
optimizer runs its per-parameter loop over the very same state arrays.
"""

from luchina._device import array_module
from luchina._tensor import Tensor

__all__ = ["FlatGroup", "flat_group"]


class FlatGroup:
    """The flat state, gradient and scratch buffers of one parameter group."""

    def __init__(self, params, state, keys, init, fresh=None):
        first = params[0]._data
        xp = array_module(first)
        self.params = list(params)
        self.keys = keys
        self.dtype = first.dtype
        self.kind = type(first)
        self.shapes = [p._data.shape for p in params]
        bounds, start = [], 0
        for p in params:
            bounds.append((start, start + p._data.size))
            start += p._data.size
        self.size = start
        self.bounds = bounds
        self.xp = xp
        self.grad = xp.empty(start, self.dtype)
        self.grad_views = self.views(self.grad)
        self._tmp = []  # flat scratch arrays, made on first use (memory is kept low)
        self._tmp_views = {}
        self.flat = {}
        self.state_views = {}
        self.fresh = not state.get(params[0])  # no state yet: the first step initialises it
        if fresh is not None:
            for p in params:
                if not state[p]:
                    fresh(state[p])  # keys that come first in state_dict order, e.g. 'step'
        for key in keys:
            buf = xp.empty(start, self.dtype)
            views = self.views(buf)
            for p, view in zip(params, views):
                st = state[p]
                old = st.get(key)
                if old is None:
                    view[...] = init(key, p)
                    st[key] = Tensor._make(view)
                else:  # existing state (an earlier per-parameter step, load_state_dict)
                    view[...] = old._data
                    old._data = view  # the same Tensor object, now backed by the flat array
            self.flat[key] = buf
            self.state_views[key] = views

    def views(self, flat):
        """Per-parameter views (in the parameters' shapes) of a flat array."""
        return [flat[a:b].reshape(s) for (a, b), s in zip(self.bounds, self.shapes)]

    def matches(self, params, state):
        """True while the group, its parameters and their state are still the packed ones."""
        if len(params) != len(self.params):
            return False
        for i, p in enumerate(params):
            if p is not self.params[i]:
                return False
            d = p._data
            g = p._grad
            if (g is None or type(d) is not self.kind or d.shape != self.shapes[i]
                    or d.dtype != self.dtype or g._data.dtype != self.dtype):
                return False
            st = state.get(p)
            if st is None:
                return False
            for key in self.keys:
                s = st.get(key)
                if s is None or s._data is not self.state_views[key][i]:
                    return False
        return True

    def tmp(self, k):
        """Flat scratch array number ``k``."""
        while len(self._tmp) <= k:
            t = self.xp.empty(self.size, self.dtype)
            self._tmp.append(t)
            self._tmp_views[id(t)] = self.views(t)
        return self._tmp[k]

    def gather_grads(self):
        """The group's gradients copied into the flat gradient buffer (one pass)."""
        for p, view in zip(self.params, self.grad_views):
            view[...] = p._grad._data
        return self.grad

    def gather_params(self, out):
        """The parameters' values copied into the flat array ``out`` (for weight decay)."""
        for p, (a, b) in zip(self.params, self.bounds):
            out[a:b] = p._data.reshape(-1)
        return out

    def coupled_grad(self, g, wd, maximize):
        """g + wd * p (or wd * p - g when maximizing) in scratch buffer 1: L2 weight decay
        folded into the gradient, as torch's non-decoupled optimizers do."""
        t0 = self.gather_params(self.tmp(1))
        t0 *= wd
        if maximize:
            t0 -= g
        else:
            t0 += g
        return t0

    def add_to_params(self, update):
        """p += update for every parameter (``update`` a flat array)."""
        views = self._tmp_views.get(id(update)) or self.views(update)
        for p, view in zip(self.params, views):
            p._data += view


def flat_group(opt, group, keys, init, foreach_off, fresh=None):
    """The group's FlatGroup when the flat path applies this step, else None.

    ``keys`` name the state arrays to pack; ``init(key, p)`` gives a fresh one's initial value;
    ``fresh(st)`` fills a new parameter's state dict first (torch's key order puts 'step' first).
    ``foreach_off`` (foreach=False) asks for torch's per-parameter loop.
    """
    if foreach_off:
        return None
    params = group["params"]
    if not params:
        return None
    cache = opt.__dict__.setdefault("_flat", {})
    key = id(group)
    fg = cache.get(key)
    state = opt.state
    if fg is not None and fg.matches(params, state):
        return fg
    first = params[0]._data
    if first.dtype.kind != "f":
        return None
    has_state = bool(state.get(params[0]))
    for p in params:
        d, g = p._data, p._grad
        if (g is None or type(d) is not type(first) or d.dtype != first.dtype
                or g._data.dtype != first.dtype or g._data.shape != d.shape):
            return None
        st = state.get(p)
        if bool(st) != has_state or (st and not all(k in st for k in keys)):
            return None  # some parameters without state, or partial state: per-parameter loop
    live = {id(g) for g in opt.param_groups}  # forget groups load_state_dict replaced
    for k in [k for k in cache if k not in live]:
        del cache[k]
    cache[key] = fg = FlatGroup(params, state, keys, init, fresh)
    return fg
