"""summary: a Keras/torchinfo-style table of a model's layers, output shapes and parameters."""

__all__ = ["summary", "ModelSummary"]

_COLS = ("Output Shape", "Param #", "Frozen #", "Mode")


class ModelSummary:
    """The result of :func:`summary`: ``rows`` (one dict per module) and totals; prints as a table.

    Each row: ``name`` (module path, "" for the model), ``type``, ``depth``, ``index``,
    ``output_shape`` (list, list of lists for several outputs, None when not called), ``calls``,
    ``params`` / ``trainable`` / ``frozen`` (the module's whole subtree, shared parameters once),
    ``own_params`` (its direct parameters), ``mode`` ("train" or "eval"), ``is_leaf``.
    """

    def __init__(self, model_name, rows, totals, sizes):
        self.model_name = model_name
        self.rows = rows
        self.total_params, self.trainable_params, self.non_trainable_params = totals
        self.input_size_bytes, self.forward_backward_bytes, self.params_bytes = sizes

    @property
    def total_bytes(self):
        return self.input_size_bytes + self.forward_backward_bytes + self.params_bytes

    def _cells(self, r):
        if r["depth"] == 0:
            label = r["type"]
        else:
            tree = "├─" if r["depth"] == 1 else "│    " * (r["depth"] - 1) + "└─"
            leaf_name = r["name"].rsplit(".", 1)[-1]
            label = f"{tree}{r['type']} ({leaf_name}): {r['depth']}-{r['index']}"
        shown = r["params"] if r["is_leaf"] else r["own_params"]
        frozen = r["frozen"] if r["is_leaf"] else r["own_frozen"]
        return [label, _shape_str(r["output_shape"]), "--" if not shown else f"{shown:,}",
                "--" if not shown else f"{frozen:,}", r["mode"]]

    def __str__(self):
        cells = [self._cells(r) for r in self.rows if r["shown"]]
        w0 = max([40] + [len(c[0]) + 2 for c in cells])
        ws = [max([len(h) + 2, 14] + [len(c[i + 1]) + 2 for c in cells])
              for i, h in enumerate(_COLS)]
        ws[0] = max(ws[0], 25)
        width = w0 + sum(ws)
        bar = "=" * width
        lines = [bar, "Layer (type (var_name):depth-idx)".ljust(w0)
                 + "".join(h.ljust(w) for h, w in zip(_COLS, ws)).rstrip(), bar]
        for c in cells:
            lines.append((c[0].ljust(w0) + "".join(x.ljust(w) for x, w in zip(c[1:], ws)))
                         .rstrip())
        mb = 1e6
        lines += [bar,
                  f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}",
                  bar,
                  f"Input size (MB): {self.input_size_bytes / mb:.2f}",
                  f"Forward/backward pass size (MB): {self.forward_backward_bytes / mb:.2f}",
                  f"Params size (MB): {self.params_bytes / mb:.2f}",
                  f"Estimated Total Size (MB): {self.total_bytes / mb:.2f}",
                  bar]
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def _shape_str(shape):
    if shape is None:
        return "--"
    if shape and isinstance(shape[0], list):
        return "; ".join(str(s) for s in shape)
    return str(shape)


def _tensors_in(obj, out):
    from luchina._tensor import Tensor
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (tuple, list)):
        for x in obj:
            _tensors_in(x, out)
    elif isinstance(obj, dict):
        for x in obj.values():
            _tensors_in(x, out)
    return out


def _make_args(fn, model, input, input_size, dtypes):
    """Positional inputs for ``model`` from a tensor, a tuple of tensors or input size(s)."""
    import luchina
    from luchina._tensor import Tensor
    if input is not None and input_size is not None:
        raise TypeError(f"{fn}: pass either input or input_size, not both")
    if input is None and input_size is None:
        raise TypeError(f"{fn}: pass the model's input (a tensor or a tuple of tensors) or "
                        "input_size=(batch, features...)")
    if input is not None:
        if isinstance(input, Tensor):
            return (input,)
        if isinstance(input, (tuple, list)) and input and all(isinstance(t, Tensor)
                                                               for t in input):
            return tuple(input)
        if isinstance(input, (tuple, list)) and all(isinstance(n, int) for n in input) \
                or (isinstance(input, list) and all(isinstance(s, (tuple, list)) for s in input)):
            input_size = input
        else:
            raise TypeError(f"{fn}: input must be a tensor, a tuple of tensors or an input size "
                            f"tuple of ints, got {type(input).__name__}")
    sizes = [input_size] if all(isinstance(n, int) for n in input_size) else list(input_size)
    dtypes = list(dtypes) if dtypes is not None else [luchina.float32] * len(sizes)
    if len(dtypes) != len(sizes):
        raise ValueError(f"{fn}: {len(sizes)} input sizes but {len(dtypes)} dtypes")
    p = next(iter(model.parameters()), None)
    device = p.device if p is not None else None
    # integer inputs (token ids for an Embedding) are zeros: index 0 is valid for any vocabulary
    return tuple(luchina.rand(*s, dtype=d, device=device) if d.is_floating_point
                 else luchina.zeros(*s, dtype=d, device=device) for s, d in zip(sizes, dtypes))


def run_with_hooks(fn, model, args, hook):
    """Run ``model(*args)`` under no_grad with ``hook(name, module)`` -> forward hook attached to
    each module (or None); hooks removed, buffers and the random state put back afterwards."""
    import luchina
    from luchina.nn.modules.module import Module
    if not isinstance(model, Module):
        raise TypeError(f"{fn}: expected an nn.Module, got {type(model).__name__}")
    handles = []
    kept = [(m, k, t, t._data.copy()) for _, m in model.named_modules()
            for k, t in m._buffers.items() if t is not None]
    rng = luchina.get_rng_state()
    try:
        for name, m in model.named_modules():
            h = hook(name, m)
            if h is not None:
                handles.append(m.register_forward_hook(h))
        with luchina.no_grad():
            return model(*args)
    finally:
        for h in handles:
            h.remove()
        for m, k, t, data in kept:
            if t._data.shape == data.shape and t._data.dtype == data.dtype:
                t._data[...] = data
            else:
                t._data = data
            m._buffers[k] = t
        luchina.set_rng_state(rng)


def _count(params):
    n = tr = 0
    for p in params:
        k = p.numel()
        n += k
        tr += k if p.requires_grad else 0
    return n, tr


def summary(model, input=None, *, input_size=None, input_data=None, depth=3, dtypes=None):
    """Per-layer output shapes, parameter counts and train/eval mode (torchinfo.summary's table).

    Not in torch. ``input`` is a tensor, a tuple of tensors, or an input size (random float32
    data); the forward runs under no_grad and leaves the model and the random state unchanged.
    """
    import luchina
    if input is None:
        input = input_data
    rng = luchina.get_rng_state()
    args = _make_args("summary", model, input, input_size, dtypes)
    luchina.set_rng_state(rng)  # random inputs do not move the user's random stream
    seen = {}

    def hook(name, m):
        def record(mod, a, out):
            seen.setdefault(id(mod), []).append(out)
        return record

    run_with_hooks("summary", model, args, hook)
    rows = []
    counters = {}
    fwd_bytes = 0
    for name, m in model.named_modules():
        d = 0 if name == "" else name.count(".") + 1
        counters[d] = counters.get(d, 0) + 1
        outs = seen.get(id(m), [])
        shape = None
        if outs:
            ts = _tensors_in(outs[-1], [])
            shapes = [list(t.shape) for t in ts]
            shape = shapes[0] if len(shapes) == 1 else (shapes or None)
        is_leaf = not m._modules
        if is_leaf:
            for o in outs:
                fwd_bytes += sum(t._data.nbytes for t in _tensors_in(o, []))
        n, tr = _count(m.parameters())
        own, own_tr = _count(p for p in m._parameters.values() if p is not None)
        rows.append({"name": name, "type": type(m).__name__, "depth": d, "index": counters[d],
                     "output_shape": shape, "calls": len(outs), "params": n, "trainable": tr,
                     "frozen": n - tr, "own_params": own, "own_frozen": own - own_tr,
                     "mode": "train" if m.training else "eval", "is_leaf": is_leaf,
                     "shown": depth is None or d <= depth})
    total, trainable = _count(model.parameters())
    in_bytes = sum(t._data.nbytes for t in args)
    p_bytes = sum(p._data.nbytes for p in model.parameters())
    return ModelSummary(type(model).__name__, rows, (total, trainable, total - trainable),
                        (in_bytes, 2 * fwd_bytes, p_bytes))
