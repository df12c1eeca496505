"""Walking an autograd graph: its op nodes, leaves and edges, leaf names, module groups."""

import gc
from dataclasses import dataclass, field

from luchina._tensor import Tensor
from luchina.autograd.function import Context

__all__ = ["GraphWalk", "walk", "as_outputs", "leaf_names", "module_groups"]


@dataclass
class GraphWalk:
    """What a walk from the outputs found: op nodes once each (a DAG, not a tree)."""

    outputs: list                      # (name, tensor)
    ops: list = field(default_factory=list)      # Context, in discovery order
    leaves: list = field(default_factory=list)   # leaf tensors that require grad, each once
    # (source, destination context, input index); source is a (Context, output_nr) pair or
    # a leaf tensor
    edges: list = field(default_factory=list)


def as_outputs(outputs, fname):
    """Normalise a tensor, tuple, list or dict of tensors into [(name, tensor)]."""
    if isinstance(outputs, Tensor):
        return [("", outputs)]
    if isinstance(outputs, dict):
        items = [(str(k), v) for k, v in outputs.items()]
    elif isinstance(outputs, (tuple, list)):
        items = [("", v) for v in outputs]
    else:
        raise TypeError(f"{fname}: outputs must be a Tensor or a tuple, list or dict of Tensors, "
                        f"got {type(outputs).__name__}")
    if not items:
        raise ValueError(f"{fname}: got no outputs to draw (an empty {type(outputs).__name__})")
    for name, v in items:
        if not isinstance(v, Tensor):
            where = f"output {name!r}" if name else "an output"
            raise TypeError(f"{fname}: {where} is a {type(v).__name__}, not a Tensor")
    return items


def walk(outputs):
    """Every node reachable from the outputs, iteratively (no recursion limit)."""
    g = GraphWalk(outputs=outputs)
    seen_ops = set()
    seen_leaves = set()
    stack = []
    for _, t in outputs:
        fn = t.grad_fn
        if fn is not None and id(fn) not in seen_ops:
            seen_ops.add(id(fn))
            g.ops.append(fn)
            stack.append(fn)
        elif fn is None and t._rg and id(t) not in seen_leaves:
            seen_leaves.add(id(t))
            g.leaves.append(t)
    while stack:
        node = stack.pop()
        for i, edge in enumerate(node.next or ()):
            if not edge:
                continue
            src, nr = edge
            if type(src) is Context or isinstance(src, Context):
                g.edges.append(((src, nr), node, i))
                if id(src) not in seen_ops:
                    seen_ops.add(id(src))
                    g.ops.append(src)
                    stack.append(src)
            else:
                g.edges.append((src, node, i))
                if id(src) not in seen_leaves:
                    seen_leaves.add(id(src))
                    g.leaves.append(src)
    return g


# -- names ----------------------------------------------------------------------------------------
def _live_modules():
    from luchina.nn.modules.module import Module
    return [o for o in gc.get_objects() if issubclass(type(o), Module)]


def _root_modules(modules):
    children = set()
    for m in modules:
        for c in m.__dict__.get("_modules", {}).values():
            if c is not None:
                children.add(id(c))
    return [m for m in modules if id(m) not in children]


def find_root_module(leaves):
    """The live top-level Module whose parameters cover most of the leaves (or None)."""
    wanted = {id(t) for t in leaves}
    if not wanted:
        return None, {}
    best, best_names, best_score = None, {}, 0
    for root in _root_modules(_live_modules()):
        try:
            names = {id(p): n for n, p in root.named_parameters()}
            names.update({id(b): n for n, b in root.named_buffers()})
        except Exception:  # a half-built module: skip it
            continue
        score = len(wanted.intersection(names))
        if score > best_score:
            best, best_names, best_score = root, names, score
    return best, best_names


def leaf_names(tensors, params=None, local_vars=None, module_names=None):
    """id(tensor) -> name: from ``params``, then module paths, then the caller's variables."""
    names = {}
    if local_vars:
        for k, v in local_vars.items():
            if isinstance(v, Tensor) and not k.startswith("_"):
                names.setdefault(id(v), k)
    if module_names:
        names.update(module_names)
    if params:
        names.update({id(v): k for k, v in params.items()})
    return {id(t): names[id(t)] for t in tensors if id(t) in names}


def normalise_params(params, fname):
    """``params`` as a dict name -> tensor (a Module or an iterable of pairs is accepted too)."""
    if params is None:
        return None, None
    from luchina.nn.modules.module import Module
    if isinstance(params, Module):
        return dict(params.named_parameters()), params
    try:
        items = dict(params)
    except (TypeError, ValueError):
        raise TypeError(f"{fname}: params must be a dict name -> Tensor, such as "
                        f"dict(model.named_parameters()), got {type(params).__name__}") from None
    for k, v in items.items():
        if not isinstance(v, Tensor):
            raise TypeError(f"{fname}: params[{k!r}] is a {type(v).__name__}, not a Tensor")
    return items, None


# -- module groups --------------------------------------------------------------------------------
def module_groups(walked, root, names, depth):
    """Context -> module path for the ops that collapse into one node at ``depth``.

    An op belongs to the module owning a parameter it reads directly; an op without
    parameters joins a module when it lies on a path between two of that module's ops.
    """
    owner = {}
    for src, dst, _ in walked.edges:
        if isinstance(src, Tensor) and id(src) in names:
            path = names[id(src)].rpartition(".")[0]
            prev = owner.get(dst)
            owner[dst] = path if prev is None else _common(prev, path)
    groups = {}
    for node, path in owner.items():
        parts = path.split(".") if path else []
        if len(parts) >= depth:
            groups[node] = ".".join(parts[:depth])
    members = {}
    for node, g in groups.items():
        members.setdefault(g, []).append(node)
    consumers = {}
    for src, dst, _ in walked.edges:
        if isinstance(src, tuple):
            consumers.setdefault(src[0], []).append(dst)
    for g, nodes in members.items():
        below = _reach(nodes, lambda n: [e[0] for e in (n.next or ()) if e and
                                         isinstance(e[0], Context)])
        above = _reach(nodes, lambda n: consumers.get(n, ()))
        for n in below & above:
            groups.setdefault(n, g)
    return groups


def _reach(start, step):
    seen = set()
    stack = list(start)
    while stack:
        n = stack.pop()
        for m in step(n):
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return seen


def _common(a, b):
    pa, pb = a.split("."), b.split(".")
    out = []
    for x, y in zip(pa, pb):
        if x != y:
            break
        out.append(x)
    return ".".join(out)


def module_type(root, path):
    """The class name of the submodule at ``path`` ('' is the root)."""
    try:
        return root.get_submodule(path)._get_name()
    except Exception:
        return "Module"
