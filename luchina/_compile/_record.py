"""Recording one eager call of a step: its ops, backward passes and optimizer calls, in order.

While a ``Recorder`` is active, ``Function.apply`` and a few entry points are wrapped (and
restored afterwards): every op call becomes an ``Op`` event whose arguments are classified as
step inputs, outputs of earlier ops, tensors that live outside the step (parameters, buffers)
or constants. Whatever the replay could not reproduce (a tensor read in Python, an in-place
change made outside an op, random numbers drawn outside an op...) is noted in ``unsupported``;
the eager call itself always runs to the end unchanged.
"""

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import _RELEASED, Context

__all__ = ["Recorder", "Op", "active", "install", "uninstall"]

_state = {"rec": None}


def active():
    """The Recorder of the capture in progress, or None."""
    return _state["rec"]


class Op:
    """One recorded ``Function.apply``: the class, classified arguments, node and outputs."""

    __slots__ = ("cls", "args", "ctx", "own_ctx", "outs", "single", "zero_d", "xp", "metas",
                 "out_metas")


def _is_array(a):
    return isinstance(a, np.ndarray) or (hasattr(a, "__cuda_array_interface__")
                                         and hasattr(a, "dtype"))


def _meta(a):
    d = getattr(a, "_data", a) if isinstance(a, Tensor) else a
    return (d.shape, d.dtype) if type(d) is np.ndarray else None


def _const_sig(v):
    if isinstance(v, (bool, int, float, complex, str, bytes, type(None), np.generic, np.dtype)):
        return (type(v).__name__, v)
    if isinstance(v, (tuple, list)):
        return (type(v).__name__,) + tuple(_const_sig(x) for x in v)
    if isinstance(v, slice):
        return ("slice", _const_sig(v.start), _const_sig(v.stop), _const_sig(v.step))
    return ("obj", id(v))


class Recorder:
    """Collects the events of one call; ``install``/``uninstall`` wrap and restore the hooks."""

    def __init__(self, inputs):
        self.events = []        # ("op", Op) ("mask", slot, p, gen, like) ("bump", t, name)
        self.unsupported = []   # ("count", t) ("call", obj, name, args, kwargs, slot)
        self.quiet = 0          # >0 inside an op, an optimizer call or a backward pass
        self.n_slots = 0
        self.tensors = {}       # id(tensor) -> ref
        self.arrays = {}        # id(array) -> ref
        self.ctx_op = {}        # id(ctx) -> index of its Op in events
        self.keep = []          # everything whose id is a key above stays alive
        self.modules = {}       # id(module) -> (module, training flag seen)
        self.externals = {}     # id(tensor) -> tensor read from outside the step
        self.expect_count = None
        for k, t in enumerate(inputs):
            self._bind(t, ("in", k))

    # -- classification ------------------------------------------------------------------------
    def _bind(self, t, ref):
        self.tensors[id(t)] = ref
        self.arrays.setdefault(id(t._data), ref)
        self.keep.append(t)

    def _new_slot(self):
        self.n_slots += 1
        return self.n_slots - 1

    def ref_of_tensor(self, t):
        ref = self.tensors.get(id(t))
        if ref is None:
            ref = self.arrays.get(id(t._data))  # .detach(), .data: same memory, same value
            if ref is None:
                ref = ("ext", t)
                self.externals[id(t)] = t
                self.keep.append(t)
        return ref

    def _ref(self, a):
        if isinstance(a, Tensor):
            return self.ref_of_tensor(a)
        if _is_array(a):
            ref = self.arrays.get(id(a))
            if ref is not None:
                return ref
            self.keep.append(a)
            return ("raw", a, a.copy())
        return ("const", a)

    def fail(self, reason):
        if reason not in self.unsupported:
            self.unsupported.append(reason)

    # -- events --------------------------------------------------------------------------------
    def on_op(self, cls, args, out):
        if cls._tensor_io:
            self.fail(f"custom autograd.Function {cls.__name__} (its forward sees Tensors)")
        op = Op()
        op.cls = cls
        op.args = [self._ref(a) for a in args]
        op.metas = [_meta(a) for a in args]  # (shape, dtype) of NumPy arguments, for _fast
        outs = out if type(out) is tuple else (out,)
        op.single = type(out) is not tuple
        node = next((o.grad_fn for o in outs if isinstance(o, Tensor) and o.grad_fn is not None),
                    None)
        op.own_ctx = node is None
        op.ctx = node
        op.xp = np
        for a in args:
            if isinstance(a, Tensor) and type(a._data) is not np.ndarray:
                op.xp = a.device.xp
        op.outs = []
        op.zero_d = []
        op.out_metas = [_meta(o) for o in outs]
        for o in outs:
            s = self._new_slot()
            self._bind(o, ("slot", s))
            op.outs.append(s)
            op.zero_d.append(o._data.ndim == 0)
        if node is not None:
            self.ctx_op[id(node)] = len(self.events)
            self.keep.append(node)
        self.events.append(("op", op))

    def on_mask(self, mask, x, p, generator):
        s = self._new_slot()
        self.arrays[id(mask)] = ("slot", s)
        self.keep.append(mask)
        self.events.append(("mask", s, p, generator, x, mask.shape, mask.dtype))

    def on_bump(self, t, name):
        if name == "add_" and self.expect_count is t:
            self.expect_count = None
            return
        last = next((ev[1] for ev in reversed(self.events) if ev[0] != "bump"), None)
        if name == "batch_norm" and isinstance(last, Op):
            op = last
            for i, ref in enumerate(op.args):
                if ref[0] == "raw" and ref[1] is t._data:
                    op.args[i] = self.ref_of_tensor(t)  # running stats, updated by the forward
                    self.events.append(("bump", t, name))
                    return
        self.fail(f"an in-place change ({name}) of a tensor outside an op; use the "
                  "out-of-place form")

    def on_call(self, obj, name, args, kwargs):
        self.events.append(("call", obj, name, args, kwargs, None))
        return len(self.events) - 1

    def on_call_result(self, index, result):
        if isinstance(result, Tensor):
            s = self._new_slot()
            self._bind(result, ("slot", s))
            ev = self.events[index]
            self.events[index] = ev[:5] + (s,)

    # -- backward ------------------------------------------------------------------------------
    def on_backward(self, tensors, grads, retain_graph, run):
        """Run ``run()`` (the real backward) and record the order the engine visits nodes."""
        roots = [(self.ref_of_tensor(t), t) for t in tensors]
        gref = [None if g is None else self._ref(g) for g in grads]
        order = []
        handles = []
        ops = [ev[1] for ev in self.events if ev[0] == "op" and not ev[1].own_ctx]
        for op in ops:
            node = op.ctx
            if node.hooks is not None:
                self.fail(f"a tensor hook or retain_grad() on the output of {node.name()}")

            def hook(g_in, g_out, node=node):
                order.append((node, tuple(None if g is None else g._data for g in g_in),
                              tuple(None if g is None else g._data for g in g_out),
                              node.saved is not None and node.saved is not _RELEASED))
            handles.append((node, node.register_hook(hook)))
        leaves = {}
        for ev in self._reachable_leaves(tensors).values():
            leaves[id(ev)] = (ev, ev._grad is not None)
            if ev._hooks:
                self.fail("a hook registered on a leaf tensor")
        self.quiet += 1
        try:
            run()
        finally:
            self.quiet -= 1
            for node, h in handles:
                h.remove()
                if not node.__dict__.get("_post_hooks", True):
                    del node.__dict__["_post_hooks"]
        final = {k: (t, had, None if t._grad is None else t._grad._data)
                 for k, (t, had) in leaves.items()}
        self.events.append(("backward", roots, gref, [t._data.shape for t in tensors],
                            [t._data.dtype for t in tensors], bool(retain_graph), order, final))

    def _reachable_leaves(self, tensors):
        seen, stack, leaves = set(), [], {}
        for t in tensors:
            if t.grad_fn is None:
                if t._rg:
                    leaves[id(t)] = t
            else:
                stack.append(t.grad_fn)
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if id(node) not in self.ctx_op:
                self.fail(f"backward through {node.name()}, a node built outside the step or "
                          "by an in-place op")
            for edge in node.next:
                if edge:
                    nxt = edge[0]
                    if isinstance(nxt, Context):
                        stack.append(nxt)
                    else:
                        leaves[id(nxt)] = nxt
        for t in leaves.values():
            ref = self.tensors.get(id(t))
            if ref is not None and ref[0] == "slot":
                self.fail("a gradient into a tensor created inside the step (requires_grad_())")
        return leaves

    # -- the signature two recordings must share -----------------------------------------------
    def signature(self):
        sig = [tuple(sorted((k, m[1]) for k, m in self.modules.items()))]
        sig.append(tuple(sorted((k, t._rg, t._data.shape, str(t._data.dtype))
                                for k, t in self.externals.items())))
        for ev in self.events:
            kind = ev[0]
            if kind == "op":
                op = ev[1]
                sig.append((op.cls, op.own_ctx, tuple(op.outs), op.single,
                            tuple(self._ref_sig(r) for r in op.args)))
            elif kind == "mask":
                sig.append(("mask", ev[1], _const_sig(ev[2]), id(ev[3]), ev[5], str(ev[6])))
            elif kind in ("bump", "count"):
                sig.append((kind, id(ev[1])))
            elif kind == "call":
                sig.append(("call", id(ev[1]), ev[2], _const_sig(list(ev[3])),
                            _const_sig(sorted(ev[4].items())), ev[5]))
            else:
                sig.append(("backward", tuple(self._ref_sig(r[0]) for r in ev[1]),
                            tuple(None if r is None else self._ref_sig(r) for r in ev[2]), ev[5],
                            tuple(self.ctx_op[id(o[0])] for o in ev[6]),
                            tuple(sorted((k, v[1]) for k, v in ev[7].items()))))
        return sig

    @staticmethod
    def _ref_sig(ref):
        kind = ref[0]
        if kind in ("in", "slot"):
            return ref
        if kind == "ext":
            return ("ext", id(ref[1]))
        if kind == "raw":
            snap = ref[2]
            host = snap if isinstance(snap, np.ndarray) else snap.get()
            return ("raw", host.shape, str(host.dtype), hash(host.tobytes()))
        return ("const", _const_sig(ref[1]))


def install(rec):
    """Wrap the entry points for ``rec``; returns what ``uninstall`` restores."""
    from luchina._compile._hooks import install as _install
    saved = _install(rec)
    _state["rec"] = rec
    return saved


def uninstall(saved):
    """Restore every entry point ``install`` wrapped."""
    from luchina._compile._hooks import uninstall as _uninstall
    _state["rec"] = None
    _uninstall(saved)
