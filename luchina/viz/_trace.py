"""trace_backward: the backward pass, node by node, as a table whose rows are data."""

import sys
from dataclasses import dataclass, field

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.engine import _call_user_backward, sum_to
from luchina.autograd.function import _RELEASED, Context, _freed_message
from luchina.autograd.grad_mode import _mode
from luchina.viz import _graph
from luchina.viz._values import node_shape, node_values, saved_args, summarize, to_numpy

__all__ = ["trace_backward", "BackwardTrace", "TraceRow"]


@dataclass
class TraceRow:
    """One node of the backward pass.

    ``local_grads[i]`` is d(sum of the outputs)/d(input i), computed by the node's backward
    with an all-ones upstream gradient: the derivative itself for a scalar output, the
    elementwise derivative for an elementwise op. ``grads[i]`` is what the node sends to
    input i (upstream times local, reduced to the input's shape). Arrays are numpy arrays.
    """

    step: int
    op: str
    output: object                     # the node's forward value (None when not kept)
    upstream: object                   # gradient arriving at the node's output
    inputs: list = field(default_factory=list)        # input names
    input_values: list = field(default_factory=list)
    local_grads: list = field(default_factory=list)
    grads: list = field(default_factory=list)
    node: object = None                # the graph node (a Context), or the leaf tensor


class BackwardTrace:
    """The result of trace_backward: prints as a table; ``rows`` holds the data."""

    def __init__(self, rows, leaf_grads):
        self.rows = rows
        self._leaf_grads = leaf_grads  # id(leaf) -> (leaf, array)

    def grad(self, tensor):
        """The gradient the pass gives a leaf tensor (a numpy array), or None."""
        entry = self._leaf_grads.get(id(tensor))
        return None if entry is None else entry[1]

    def __str__(self):
        head = ["step", "op", "output", "upstream grad", "input", "input value", "local grad",
                "grad to input"]
        table = []
        for r in self.rows:
            first = [str(r.step), r.op, summarize(r.output), summarize(r.upstream)]
            shown = _shown_inputs(r)
            if not shown:
                table.append(first + ["", "", "", ""])
            for k, i in enumerate(shown):
                cells = [r.inputs[i], summarize(r.input_values[i]), summarize(r.local_grads[i]),
                         summarize(r.grads[i])]
                table.append((first if k == 0 else [""] * 4) + cells)
        widths = [max(len(h), *(len(row[c]) for row in table)) if table else len(h)
                  for c, h in enumerate(head)]
        line = lambda cells: "  ".join(s.ljust(w) for s, w in zip(cells, widths)).rstrip()
        out = [line(head), line(["-" * w for w in widths])]
        out += [line(row) for row in table]
        return "\n".join(out)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        from html import escape
        cells = "".join(f"<th>{h}</th>" for h in ("step", "op", "output", "upstream grad",
                                                  "input", "input value", "local grad",
                                                  "grad to input"))
        body = []
        for r in self.rows:
            shown = _shown_inputs(r)
            n = max(1, len(shown))
            for k in range(n):
                tds = ""
                if k == 0:
                    for v in (str(r.step), r.op, summarize(r.output), summarize(r.upstream)):
                        tds += f'<td rowspan="{n}">{escape(v)}</td>'
                if shown:
                    i = shown[k]
                    for v in (r.inputs[i], summarize(r.input_values[i]),
                              summarize(r.local_grads[i]), summarize(r.grads[i])):
                        tds += f"<td>{escape(v)}</td>"
                else:
                    tds += "<td></td>" * 4
                body.append(f"<tr>{tds}</tr>")
        return f"<table><tr>{cells}</tr>{''.join(body)}</table>"


def _shown_inputs(row):
    """Indices of the inputs worth a table line: constants the op kept no value of (a loss's
    target options, say) would only be rows of dashes, so the printed table leaves them out;
    ``row.inputs`` still lists every input."""
    return [i for i, name in enumerate(row.inputs)
            if not (name == "constant" and row.input_values[i] is None)]


def _call(node, g_out):
    """The node's backward on raw arrays, as the engine calls it (without hooks)."""
    if node.fn._tensor_io:
        return _call_user_backward(node, g_out)
    if node.n_out == 1:
        res = node.fn.backward(node, g_out[0])
    else:
        like = next(g for g in g_out if g is not None)
        g_out = [node.xp.zeros(s, dtype=like.dtype) if g is None else g
                 for g, s in zip(g_out, node.shapes)]
        res = node.fn.backward(node, *g_out)
    return res if type(res) is tuple else (res,)


def run_pass(outputs, seeds, want_local=False):
    """Backpropagate ``seeds`` from the outputs like the engine, without touching ``.grad``.

    Returns (steps, leaf_grads): steps lists (node, upstream grads, grads per input,
    local grads per input or None) in the engine's visiting order.
    """
    pending = {}
    leaf_grads = {}
    roots = []
    for (_, t), g in zip(outputs, seeds):
        node = t.grad_fn
        if node is None:
            if t._rg:
                _add_leaf(leaf_grads, t, g)
            continue
        slot = pending.setdefault(node, [None] * node.n_out)
        nr = t._output_nr
        slot[nr] = g if slot[nr] is None else slot[nr] + g
        if node not in roots:
            roots.append(node)
    deps = {}
    stack, seen = list(roots), {id(n) for n in roots}
    while stack:
        for e in stack.pop().next or ():
            if e and isinstance(e[0], Context):
                deps[e[0]] = deps.get(e[0], 0) + 1
                if id(e[0]) not in seen:
                    seen.add(id(e[0]))
                    stack.append(e[0])
    ready = [n for n in roots if n not in deps]
    steps = []
    prev = _mode.enabled
    _mode.enabled = False
    try:
        while ready:
            node = ready.pop()
            g_out = pending.pop(node, [None] * node.n_out)
            if node.saved is _RELEASED:
                raise RuntimeError(_freed_message(node) + " (trace the graph before calling "
                                   ".backward(), or call .backward(retain_graph=True))")
            if all(g is None for g in g_out):
                g_in = ()
            else:
                g_in = _call(node, [None if g is None else g.copy() for g in g_out])
            local = None
            if want_local:
                ones = [node.xp.ones(s, dtype=_dtype_of(g_out)) for s in
                        ((node.shapes,) if node.n_out == 1 else node.shapes)]
                local = _reduce_all(node, _call(node, ones))
            sent = _reduce_all(node, g_in)
            steps.append((node, g_out, sent, local))
            for i, e in enumerate(node.next or ()):
                if not e:
                    continue
                g = sent[i] if i < len(sent) else None
                src, nr = e
                if isinstance(src, Context):
                    if g is not None:
                        slot = pending.setdefault(src, [None] * src.n_out)
                        slot[nr] = g if slot[nr] is None else slot[nr] + g
                    deps[src] -= 1
                    if deps[src] == 0:
                        ready.append(src)
                elif g is not None:
                    _add_leaf(leaf_grads, src, g)
    finally:
        _mode.enabled = prev
    return steps, leaf_grads


def _dtype_of(g_out):
    g = next((g for g in g_out if g is not None), None)
    return np.float32 if g is None else g.dtype


def _add_leaf(leaf_grads, t, g):
    entry = leaf_grads.get(id(t))
    if entry is None:
        leaf_grads[id(t)] = (t, g)
    else:
        leaf_grads[id(t)] = (t, entry[1] + g)


def _reduce_all(node, g_in):
    """Each input's gradient summed down to that input's shape, as the engine does."""
    out = []
    for i, e in enumerate(node.next or ()):
        g = g_in[i] if i < len(g_in) else None
        if g is not None and e:
            src, nr = e
            shape = node_shape(src, nr) if isinstance(src, Context) else src._data.shape
            if g.shape != tuple(shape):
                g = sum_to(g, tuple(shape))
        out.append(g)
    return out


def _seed(t, gradient, fname):
    if gradient is None:
        if t._data.size != 1:
            raise RuntimeError(f"{fname}: grad can be implicitly created only for scalar "
                               f"outputs; this output has shape {tuple(t._data.shape)}: pass "
                               "gradient=... (a tensor of that shape) or reduce it, e.g. .sum()")
        return t.device.xp.ones_like(t._data)
    g = gradient._data if isinstance(gradient, Tensor) else t.device.xp.asarray(gradient)
    if g.shape != t._data.shape:
        raise RuntimeError(f"{fname}: gradient has shape {tuple(g.shape)} but the output has "
                           f"shape {tuple(t._data.shape)}")
    return g.astype(t._data.dtype, copy=True)


def trace_backward(output, gradient=None, params=None, accumulate_grad=False):
    """The backward pass from ``output`` as a table, one row per node in the engine's order.

    Leaves' ``.grad`` is left unchanged unless ``accumulate_grad=True`` (then the gradients
    are added to it as ``output.backward(gradient)`` would). The graph is not freed.
    """
    fname = "trace_backward"
    if not isinstance(output, Tensor):
        raise TypeError(f"{fname}: output must be a Tensor, got {type(output).__name__}")
    if output.grad_fn is None and not output._rg:
        raise RuntimeError(f"{fname}: the output does not require grad and has no grad_fn: "
                           "there is no graph to trace (was it computed under no_grad(), or "
                           "from tensors without requires_grad=True?)")
    params, _ = _graph.normalise_params(params, fname)
    outputs = [("output", output)]
    walked = _graph.walk(outputs)
    _, module_names = _graph.find_root_module(walked.leaves)
    names = _graph.leaf_names(walked.leaves, params, sys._getframe(1).f_locals, module_names)
    values = node_values(walked)
    steps, leaf_grads = run_pass(outputs, [_seed(output, gradient, fname)], want_local=True)
    ids = {}
    rows = []
    for node, g_out, sent, local in steps:
        ids[node] = len(rows) + 1
        in_names, in_vals = [], []
        by_saved = saved_args(node)
        for k, e in enumerate(node.next or ()):
            if not e:
                v = None if by_saved is None else by_saved[k]
                in_names.append("constant")
                in_vals.append(to_numpy(v))
                continue
            src, nr = e
            if isinstance(src, Context):
                in_names.append(src.name() + (f"[{nr}]" if src.n_out > 1 else ""))
                in_vals.append(to_numpy(values.get((src, nr))))
            else:
                in_names.append(names.get(id(src), "leaf " + _short_shape(src)))
                in_vals.append(to_numpy(src._data))
        n_out = node.n_out
        out_val = values.get((node, 0)) if n_out == 1 else \
            tuple(values.get((node, i)) for i in range(n_out))
        rows.append(TraceRow(
            step=len(rows) + 1, op=node.name(),
            output=to_numpy(out_val) if n_out == 1 else None,
            upstream=to_numpy(g_out[0]) if n_out == 1 else [to_numpy(g) for g in g_out],
            inputs=in_names, input_values=in_vals,
            local_grads=[to_numpy(x) for x in local],
            grads=[to_numpy(x) for x in sent], node=node))
    for t, g in leaf_grads.values():
        rows.append(TraceRow(step=len(rows) + 1, op="AccumulateGrad",
                             output=to_numpy(t._data), upstream=to_numpy(g),
                             inputs=[names.get(id(t), "leaf " + _short_shape(t))],
                             input_values=[to_numpy(t._data)], local_grads=[np.ones(())],
                             grads=[to_numpy(g)], node=t))
    if accumulate_grad:
        for t, g in leaf_grads.values():
            g = g.astype(t._data.dtype, copy=True)
            if t._grad is None:
                t._grad = Tensor._make(g)
            else:
                t._grad._data += g
    return BackwardTrace(rows, leaf_grads)


def _short_shape(t):
    return "(" + ", ".join(str(s) for s in t._data.shape) + ")"
