"""Context and Function.apply: the one forward hot path of every differentiable op."""

import numpy as np

from luchina.autograd.grad_mode import _mode

__all__ = ["Function", "Context", "FunctionCtx"]

_RELEASED = object()  # ctx.saved after backward freed it


class Context:
    """A node of the graph: the ctx a Function's forward fills and its backward reads.

    ``next`` holds one edge per input: ``(node, output_nr)`` for an input produced by an op,
    ``(tensor, 0)`` for a leaf that requires grad, ``None`` otherwise.
    """

    __slots__ = ("fn", "next", "needs_input_grad", "saved", "_versions", "shapes", "xp",
                 "hooks", "non_differentiable", "materialize_grads", "n_out", "__dict__",
                 "__weakref__")

    def __init__(self):  # Function.apply builds contexts without calling this
        self.saved = self.hooks = self.non_differentiable = self._versions = None
        self.fn = None

    # -- the API forward/backward use ------------------------------------------------------
    def save_for_backward(self, *arrays):
        """Keep arrays (or tensors) for backward; a no-op when no input needs a gradient."""
        if self.fn is not None:
            self.saved = arrays

    @property
    def saved_tensors(self):
        saved = self.saved
        if saved is _RELEASED:
            raise RuntimeError(_freed_message(self))
        return () if saved is None else saved

    def mark_non_differentiable(self, *outputs):
        """Outputs passed here never require grad (torch's ctx.mark_non_differentiable)."""
        self.non_differentiable = {id(_raw(o)) for o in outputs}

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        pass  # luchina's custom Functions always produce new outputs; accepted for compatibility

    # -- what users see of a graph node ----------------------------------------------------
    def name(self):
        fn = self.fn
        if fn is None:
            return "BackwardNode"
        return fn.__dict__.get("_qualified_name") or fn._backward_name

    @property
    def next_functions(self):
        out = []
        for edge in self.next:
            if edge == ():
                continue
            if edge is None:
                out.append((None, 0))
            elif isinstance(edge[0], Context):
                out.append(edge)
            else:
                out.append((AccumulateGrad(edge[0]), 0))
        return tuple(out)

    def register_hook(self, hook):
        """Hook called as hook(grad_inputs, grad_outputs) after this node's backward."""
        self._node_hooks().append(hook)
        return _Handle(self.__dict__["_post_hooks"], hook)

    def register_prehook(self, hook):
        """Hook called as hook(grad_outputs) before this node's backward; may return new grads."""
        self.add_pre_hook(None, hook)
        return _Handle(self.hooks, (None, hook))

    def add_pre_hook(self, output_nr, hook):
        if self.hooks is None:
            self.hooks = []
        self.hooks.append((output_nr, hook))

    def _node_hooks(self):
        return self.__dict__.setdefault("_post_hooks", [])

    @property
    def metadata(self):
        return self.__dict__.setdefault("_metadata", {})

    def __call__(self, *grads):
        return self.fn.backward(self, *grads)

    def __repr__(self):
        return f"<{self.fn._backward_name} object at {hex(id(self))}>"


FunctionCtx = Context


class AccumulateGrad:
    """The node torch shows for a leaf in ``grad_fn.next_functions``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _Handle:
    def __init__(self, container, item):
        self._container, self._item = container, item

    def remove(self):
        try:
            self._container.remove(self._item)
        except ValueError:
            pass


def _raw(x):
    return x._data if hasattr(x, "_data") else x


def _freed_message(ctx):
    return ("Trying to backward through the graph a second time (or directly access saved "
            "tensors after they have already been freed). Saved intermediate values of the graph "
            f"are freed when you call .backward() or autograd.grad(); the freed node is "
            f"{ctx.name()}. Specify retain_graph=True if you need to backward through the graph "
            "a second time or if you need to access saved tensors after calling backward.")


def _describe_saved(ctx, info):
    dtype, shape, node, nr = info
    from luchina._tensor import _LEGACY_NAMES
    name = f"[torch.{_LEGACY_NAMES.get(dtype.name, dtype.name)} {list(shape)}]"
    if node is None:
        return f"{name}, which is a leaf tensor,"
    node = ctx if node is _SELF else node
    return f"{name}, which is output {nr} of {node.name()},"


def _check_versions(ctx):
    for cell, version, info in ctx._versions:
        if cell[0] != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {_describe_saved(ctx, info)} is at version {cell[0]}; "
                f"expected version {version} instead. It was saved by {ctx.name()} and last "
                f"changed in place by {cell[1]}. Hint: use the out-of-place form of that op "
                "(e.g. x = x + 1 instead of x += 1), or .clone() the tensor before changing it.")


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if "_backward_name" not in attrs:
            # built-in ops are named like torch's nodes (SigmoidBackward0), user Functions
            # like torch names custom ones (MyExpBackward)
            cls._backward_name = name + ("Backward" if cls._tensor_io else "Backward0")


class Function(metaclass=_FunctionMeta):
    """Base of every differentiable op, and torch.autograd.Function for users.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` as staticmethods.
    Built-in ops receive raw arrays in forward and backward; user subclasses (see
    ``luchina.autograd.Function`` in ``__init__``) receive Tensors, as in torch.
    """

    _tensor_io = False  # True for user Functions: forward/backward see Tensors
    _scalars_as_tensors = False  # True for + - * /: grad_fn.next_functions shows (None, 0)

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a Function subclass must implement backward(ctx, ...)")

    @classmethod
    def apply(cls, *args):
        grad_on = _mode.enabled
        track = False
        xp = np
        raw = []
        needs = []
        edges = []
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                raw.append(d)
                if type(d) is not np.ndarray:
                    xp = a.device.xp
                if a._base is not None and a._view_ver != a._vc[0] and grad_on:
                    refresh_view(a)  # its base was changed in place after it was taken
                if a._rg and grad_on:
                    track = True
                    needs.append(True)
                    fn = a.grad_fn
                    edges.append((a, 0) if fn is None else (fn, a._output_nr))
                    continue
                edges.append(None)
            else:
                raw.append(a)
                # torch wraps numbers into tensors for arithmetic (an edge to nothing) and
                # lists no edge at all for other ops' scalar arguments
                edges.append(None if cls._scalars_as_tensors else ())
            needs.append(False)
        ctx = _new_context(Context)
        ctx.saved = ctx.hooks = ctx.non_differentiable = ctx._versions = None
        ctx.xp = xp
        ctx.needs_input_grad = tuple(needs)
        if track:
            ctx.fn = cls
            ctx.next = tuple(edges)
        else:
            ctx.fn = None
        if cls._tensor_io:
            return _apply_tensor_io(cls, ctx, args, track)
        try:
            out = cls.forward(ctx, *raw)
        except ValueError as e:
            raise _op_error(cls, e, raw) from None
        if not track:
            if type(out) is tuple:
                return tuple([Tensor._make(o) for o in out])
            return Tensor._make(out)
        if type(out) is tuple:
            ctx.n_out = len(out)
            result = tuple([_wrap(ctx, o, i) for i, o in enumerate(out)])
            ctx.shapes = tuple([o.shape for o in out]) if len(out) != 1 else out[0].shape
        else:
            ctx.n_out = 1
            ctx.shapes = out.shape
            if out.dtype.kind != "f" or ctx.non_differentiable is not None:
                result = _wrap(ctx, out, 0)
            else:
                result = Tensor._make(out, True, ctx, 0)
        if ctx.saved is not None:
            _record_versions(ctx, args, raw, result)
        return result


_new_context = object.__new__


def refresh_view(t):
    from luchina.ops._util import refresh_view as refresh
    refresh(t)


def _op_error(cls, err, raw):
    """numpy's ValueError from inside a forward, as torch's RuntimeError naming the op."""
    op = cls if isinstance(cls, str) else \
        cls._backward_name.replace("Backward0", "").replace("Backward1", "").lower()
    shapes = [a.shape for a in raw if hasattr(a, "shape") and hasattr(a, "ndim")]
    if "broadcast" in str(err) and len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        for i in range(1, max(len(a), len(b)) + 1):
            na = a[-i] if i <= len(a) else 1
            nb = b[-i] if i <= len(b) else 1
            if na != nb and na != 1 and nb != 1:
                dim = max(len(a), len(b)) - i
                return RuntimeError(
                    f"The size of tensor a ({na}) must match the size of tensor b ({nb}) at "
                    f"non-singleton dimension {dim} ({op} of shapes {tuple(a)} and {tuple(b)}; "
                    "make the shapes broadcastable, e.g. with .unsqueeze() or .reshape())")
    return RuntimeError(f"{op}: {err} (input shapes {[tuple(s) for s in shapes]})")


def _edge(a):
    if isinstance(a, Tensor) and a._rg:
        fn = a.grad_fn
        return (a, 0) if fn is None else (fn, a._output_nr)
    return None


def _wrap(ctx, arr, i):
    nd = ctx.non_differentiable
    if arr.dtype.kind != "f" or (nd is not None and id(arr) in nd):
        return Tensor._make(arr)
    return Tensor._make(arr, True, ctx, i)


def _record_versions(ctx, args, raw, result):
    """Remember the version of every input/output a saved array belongs to."""
    outs = result if type(result) is tuple else (result,)
    versions = []
    for s in ctx.saved:
        if isinstance(s, Tensor):
            s = s._data
        for t in args:
            if isinstance(t, Tensor) and t._data is s:
                cell = t._version_cell()
                versions.append((cell, cell[0], (s.dtype, s.shape, t.grad_fn, t._output_nr)))
                break
        else:
            for t in outs:
                if isinstance(t, Tensor) and t._data is s:
                    cell = t._version_cell()
                    versions.append((cell, cell[0], (s.dtype, s.shape, _SELF, t._output_nr)))
                    break
    if versions:
        ctx._versions = versions


_SELF = object()  # "an output of this very node" (no reference cycle through the saved info)


def _apply_tensor_io(cls, ctx, args, track):
    """User Functions: forward and backward receive and return Tensors, as torch's do."""
    from luchina.autograd.grad_mode import no_grad

    ctx.materialize_grads = True
    with no_grad():
        out = cls.forward(ctx, *args)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    if ctx.saved is not None:
        ctx.saved = tuple(s.detach() if isinstance(s, Tensor) else s for s in ctx.saved)
    if not track:
        return out
    ctx.n_out = len(outs)
    nd = ctx.non_differentiable or ()
    result = []
    for i, o in enumerate(outs):
        if isinstance(o, Tensor):
            if o.is_floating_point() and id(o._data) not in nd:
                o = Tensor._make(o._data, True, ctx, i)
            else:
                o = Tensor._make(o._data)
        result.append(o)
    ctx.shapes = tuple(o.shape if isinstance(o, Tensor) else () for o in result)
    ctx.out_dtypes = tuple(o._data.dtype if isinstance(o, Tensor) else np.float32
                           for o in result)
    if ctx.n_out == 1:
        ctx.shapes = ctx.shapes[0]
    if ctx.saved is not None:
        _record_versions(ctx, args, [None] * len(args), tuple(result))
    return result[0] if single else tuple(result)


Tensor = None  # set by luchina._tensor once the class exists (the two modules need each other)
