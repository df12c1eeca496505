"""draw_graph and make_dot: the autograd graph as DOT text and as SVG drawn by luchina."""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from luchina._atomic import write_bytes
from luchina.viz import _graph
from luchina.viz import _values as V
from luchina.viz._dot import to_dot
from luchina.viz._svg import render_svg

__all__ = ["GraphDrawing", "draw_graph", "make_dot"]


@dataclass
class DrawNode:
    key: str
    kind: str        # op | leaf | output | base | saved | module | accumulate
    lines: list
    color: str = "lightgrey"


@dataclass
class DrawEdge:
    src: int
    dst: int
    style: str = "solid"
    arrow: bool = True


class GraphDrawing:
    """A drawn graph: ``.source`` (DOT), ``.svg()``, ``.save(path)``, inline in Jupyter."""

    def __init__(self, nodes, edges):
        self.nodes = nodes
        self.edges = edges

    @property
    def source(self):
        """The DOT text, as graphviz.Digraph.source."""
        return to_dot(self.nodes, self.edges)

    def svg(self, engine=None):
        """SVG text laid out by luchina; ``engine="dot"`` runs Graphviz's dot instead."""
        if engine in (None, "luchina"):
            return render_svg(self.nodes, self.edges)
        if engine == "dot":
            return self._dot_program("svg").decode("utf-8")
        raise ValueError(f"GraphDrawing.svg: unknown engine {engine!r}; use None (luchina's own "
                         "layout) or 'dot' (the Graphviz program)")

    def _dot_program(self, fmt):
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(f"GraphDrawing: the Graphviz program 'dot' is not on PATH, so "
                               f"format {fmt!r} cannot be made; install Graphviz (e.g. apt-get "
                               "install graphviz) or use .svg() / .save('graph.svg'), which "
                               "need no external program")
        res = subprocess.run([exe, f"-T{fmt}"], input=self.source.encode("utf-8"),
                             capture_output=True, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"GraphDrawing: dot failed: {res.stderr.decode(errors='replace')}")
        return res.stdout

    def save(self, path):
        """Write ``.svg``, ``.dot``/``.gv`` or ``.html`` (chosen by extension), atomically."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        if ext == ".svg":
            data = self.svg()
        elif ext in (".dot", ".gv"):
            data = self.source
        elif ext in (".html", ".htm"):
            data = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>graph</title>"
                    "</head><body>\n" + self._repr_html_() + "\n</body></html>\n")
        else:
            raise ValueError(f"GraphDrawing.save: cannot tell the format of {path!r} from its "
                             "extension; use .svg, .dot (or .gv) or .html")
        _atomic_write(path, data.encode("utf-8"))
        return path

    def render(self, filename="Digraph.gv", directory=None, format="svg", cleanup=False,
               view=False):
        """graphviz.Digraph.render: writes the DOT file and ``filename.format``; svg needs no
        Graphviz, other formats (png, pdf) use the dot program."""
        path = os.path.join(directory, filename) if directory else filename
        out = f"{path}.{format}"
        data = self.svg().encode("utf-8") if format == "svg" else self._dot_program(format)
        if not cleanup:
            _atomic_write(path, self.source.encode("utf-8"))
        _atomic_write(out, data)
        return out

    def _repr_svg_(self):
        return self.svg()

    def _repr_html_(self):
        body = self.svg().split("\n", 1)[1]  # without the XML declaration
        return f'<div style="overflow:auto">{body}</div>'

    def __repr__(self):
        return f"<GraphDrawing: {len(self.nodes)} nodes, {len(self.edges)} edges>"


_atomic_write = write_bytes


def _type_line(shape, dtype):
    return V.shape_str(shape) + ("" if dtype is None else f" {dtype.name}")


def draw_graph(outputs, params=None, show_values=False, show_grads=False, show_saved=False,
               depth=None):
    """The autograd graph of ``outputs`` (a tensor, tuple, list or dict) as a GraphDrawing.

    Leaves are named from ``params``, else by their path in the live Module holding them,
    else by the caller's variable names. ``depth=k`` draws each module k levels below the top
    as one node (``0``: the whole model); ``None`` draws every op.
    """
    fname = "draw_graph"
    items = _graph.as_outputs(outputs, fname)
    params, pmodule = _graph.normalise_params(params, fname)
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"{fname}: depth must be None or an int >= 0, got {depth!r}")
    walked = _graph.walk(items)
    if pmodule is not None:
        root = pmodule
        module_names = {id(p): n for n, p in pmodule.named_parameters()}
    else:
        root, module_names = _graph.find_root_module(walked.leaves)
    tensors = walked.leaves + [t for _, t in items]
    names = _graph.leaf_names(tensors, params, sys._getframe(1).f_locals, module_names)
    values = V.node_values(walked)
    dtypes = V.node_dtypes(walked, values)
    upstream, leaf_grads = {}, {}
    if show_grads:
        upstream, leaf_grads = _gradients(items)
    groups = {}
    if depth is not None and (root is not None or params):
        path_names = dict(module_names)
        if params:
            path_names.update({id(v): k for k, v in params.items()})
        groups = _graph.module_groups(walked, root, path_names, depth)

    nodes, index = [], {}

    def add(key, kind, lines, color="lightgrey"):
        index[key] = len(nodes)
        nodes.append(DrawNode(f"n{len(nodes)}", kind, lines, color))
        return index[key]

    for path in dict.fromkeys(groups.values()):
        members = [n for n, g in groups.items() if g == path]
        kind = _graph.module_type(root, path) if root is not None else "Module"
        n_params = sum(1 for t in walked.leaves if id(t) in module_names and
                       _inside(module_names[id(t)], path))
        add(("module", path), "module",
            [f"{path or 'model'}: {kind}", f"{len(members)} ops, {n_params} parameters"],
            "lightyellow")
    for node in walked.ops:
        if node in groups:
            index[id(node)] = index[("module", groups[node])]
            continue
        lines = [node.name()]
        for nr in range(node.n_out):
            lines.append(_type_line(V.node_shape(node, nr), dtypes.get((node, nr))))
            if show_values:
                lines.append("value " + V.summarize(values.get((node, nr))))
            if show_grads and node in upstream:
                lines.append("grad " + V.summarize(upstream[node][nr]))
        index[id(node)] = add(id(node), "op", lines)
    out_ids = {id(t) for _, t in items}
    for t in walked.leaves:
        if id(t) in out_ids:
            continue
        name = names.get(id(t), "")
        if groups and name and id(t) in module_names and any(
                _inside(module_names[id(t)], g) for g in set(groups.values())):
            continue  # drawn inside its collapsed module
        lines = [name or "(leaf)", _type_line(t._data.shape, t._data.dtype)]
        if show_values:
            lines.append("value " + V.summarize(t._data))
        if show_grads:
            g = leaf_grads.get(id(t), (None, t._grad))[1]
            lines.append("grad " + V.summarize(g))
        add(id(t), "leaf", lines, "lightblue")
    edges, seen = [], set()

    def connect(a, b, style="solid", arrow=True):
        if a is not None and b is not None and a != b and (a, b) not in seen:
            seen.add((a, b))
            edges.append(DrawEdge(a, b, style, arrow))

    for src, dst, _ in walked.edges:
        a = index.get(id(src[0])) if isinstance(src, tuple) else index.get(id(src))
        connect(a, index[id(dst)])
    for name, t in items:
        label = name or names.get(id(t)) or "output"
        lines = [label, _type_line(t._data.shape, t._data.dtype)]
        if show_values:
            lines.append("value " + V.summarize(t._data))
        k = add(("out", id(t)), "output", lines, "darkolivegreen1")
        if t.grad_fn is not None:
            connect(index[id(t.grad_fn)], k)
    if show_saved:
        _add_saved(walked, index, add, connect)
    return GraphDrawing(nodes, edges)


def _inside(param_name, path):
    mod = param_name.rpartition(".")[0]
    return path == "" or mod == path or mod.startswith(path + ".")


def _add_saved(walked, index, add, connect):
    from luchina.autograd.function import _RELEASED
    for node in walked.ops:
        saved = node.saved
        if saved is None or saved is _RELEASED:
            continue
        for k, s in enumerate(saved):
            if not hasattr(s, "nbytes") or not hasattr(s, "shape"):
                continue
            key = ("saved", id(s))
            if key not in index:
                add(key, "saved", [f"saved[{k}] of {node.name()}",
                                   _type_line(s.shape, s.dtype), V.bytes_str(V.nbytes(s))],
                    "orange")
            connect(index[key], index[id(node)], "dashed", False)


def _gradients(items):
    """Upstream gradient of every node and every leaf, from a fresh pass seeded with ones."""
    from luchina.viz._trace import run_pass
    seeds = [t.device.xp.ones_like(t._data) for _, t in items]
    try:
        steps, leaf_grads = run_pass(items, seeds)
    except RuntimeError:  # the graph was freed by a backward: only leaves' .grad is left
        return {}, {}
    return {node: g_out for node, g_out, _, _ in steps}, leaf_grads


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """torchviz.make_dot: the same nodes and colours (grey ops, AccumulateGrad boxes, blue
    leaves, orange saved tensors, green outputs); luchina's saved tensors are named saved[k]."""
    fname = "make_dot"
    items = _graph.as_outputs(var, fname)
    params, _ = _graph.normalise_params(params, fname)
    pmap = {id(v): k for k, v in (params or {}).items()}
    walked = _graph.walk(items)
    nodes, index, edges = [], {}, []

    def add(key, kind, lines, color="lightgrey"):
        if key not in index:
            index[key] = len(nodes)
            nodes.append(DrawNode(str(key), kind, lines, color))
        return index[key]

    def var_lines(t, name=None):
        return [name or pmap.get(id(t), ""), " " + V.shape_str(t._data.shape)]

    for node in walked.ops:
        add(id(node), "op", _fn_lines(node, show_attrs, max_attr_chars))
        if show_saved:
            saved = node.saved if isinstance(node.saved, tuple) else ()
            for k, s in enumerate(saved):
                if hasattr(s, "shape") and hasattr(s, "nbytes"):
                    j = add(id(s), "saved", [f"saved[{k}]", " " + V.shape_str(s.shape)], "orange")
                    edges.append(DrawEdge(index[id(node)], j, "solid", False))
    for t in walked.leaves:
        if any(t is o for _, o in items):
            continue
        acc = add(f"acc{id(t)}", "accumulate", ["AccumulateGrad"])
        v = add(id(t), "leaf", var_lines(t), "lightblue")
        edges.append(DrawEdge(v, acc))
    for src, dst, _ in walked.edges:
        a = index[id(src[0])] if isinstance(src, tuple) else index[f"acc{id(src)}"]
        edges.append(DrawEdge(a, index[id(dst)]))
    for _, t in items:
        if id(t) in index and t.grad_fn is None:
            continue
        k = add(id(t), "output", var_lines(t), "darkolivegreen1")
        if t.grad_fn is not None:
            edges.append(DrawEdge(index[id(t.grad_fn)], k))
        base = t._base
        if base is not None and id(base) not in index:
            b = add(id(base), "base", var_lines(base), "darkolivegreen3")
            edges.append(DrawEdge(b, k, "dotted"))
    return GraphDrawing(nodes, edges)


def _fn_lines(node, show_attrs, max_attr_chars):
    name = node.name()
    if not show_attrs:
        return [name]
    attrs = {}
    for k, v in sorted((node.__dict__ or {}).items()):
        if k.startswith("_") or callable(v):
            continue
        attrs[k] = "[saved tensor]" if hasattr(v, "shape") and hasattr(v, "nbytes") else str(v)
    if not attrs:
        return [name]
    width = max(max_attr_chars, 3)
    col1 = max(len(k) for k in attrs)
    col2 = min(max(len(v) for v in attrs.values()), width)
    cut = lambda s: s[:col2 - 3] + "..." if len(s) > col2 else s
    return [name, "-" * max(col1 + col2 + 2, len(name))] + \
        [f"{k.ljust(col1)}: {cut(v).rjust(col2)}" for k, v in attrs.items()]
