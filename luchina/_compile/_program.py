"""Turning a recording into a replay program: generated Python, one line per recorded action.

The program calls each op's own forward and backward on raw arrays, in the recorded order,
on graph nodes made once at capture time: no Tensor, Context, edge list or topological sort is
built per call. Gradients are summed in the order the engine summed them at capture time, so
the numbers are the eager ones bit for bit. ``Program.source`` is the generated code.
"""

import numpy as np

from luchina._compile import _fast
from luchina._tensor import Tensor
from luchina.autograd.engine import sum_to
from luchina.autograd.function import _RELEASED, Context

__all__ = ["Program", "Unsupported", "build", "MISS"]

MISS = object()  # the program's answer when a guard fails (a module switched train/eval...)


class Unsupported(Exception):
    """The recording holds something the replay cannot reproduce (the message says what)."""


class Program:
    """A compiled replay: ``program(inputs)`` runs one step, or returns MISS."""

    __slots__ = ("run", "source", "n_ops")

    def __init__(self, run, source, n_ops):
        self.run, self.source, self.n_ops = run, source, n_ops

    def __call__(self, inputs):
        return self.run(inputs)


def _arr(a):
    return np.asarray(a) if isinstance(a, np.generic) else a


def _count(t):
    t._data += 1
    t._bump_version("add_")


def _accumulate(t, g, take):
    """The engine's leaf accumulation: a fresh .grad, or an in-place += into the existing one."""
    if g.dtype != t._data.dtype:
        g, take = g.astype(t._data.dtype), True
    cur = t._grad
    if cur is None:
        t._grad = Tensor._make(g if take else g.copy())
    else:
        cur._data += g
        if cur._vc is not None:
            cur._vc[0] += 1


class _Names:
    def __init__(self):
        self.ns = {"_arr": _arr, "_count": _count, "_acc": _accumulate, "_sum_to": sum_to,
                   "_make": Tensor._make, "_RELEASED": _RELEASED, "_MISS": MISS, "tuple": tuple,
                   **_fast.NAMESPACE}
        self.ids = {}
        self.n = 0

    def __call__(self, obj, prefix):
        key = (prefix, id(obj))
        name = self.ids.get(key)
        if name is None:
            name = f"{prefix}{self.n}"
            self.n += 1
            self.ids[key] = name
            self.ns[name] = obj
        return name


def _literal(v):
    return type(v) in (bool, int, type(None)) or (type(v) is float and np.isfinite(v))


def _own_ctx(op):
    ctx = object.__new__(Context)
    ctx.saved = ctx.hooks = ctx.non_differentiable = ctx._versions = None
    ctx.fn = None
    ctx.xp = op.xp
    ctx.needs_input_grad = (False,) * len(op.args)
    ctx.n_out = len(op.outs)
    return ctx


def build(rec, result):
    """The Program replaying ``rec`` and returning a value shaped like ``result``."""
    from luchina.nn._functional_layers import _dropout_mask

    names = _Names()
    fast = _fast.Fast(rec, names, result)
    body = []
    ctx_name = {}     # id(ctx) -> name
    slot_node = {}    # slot -> (ctx, output_nr)
    backpropagated = set()

    def ref_expr(ref):
        kind = ref[0]
        if kind == "in":
            return f"a{ref[1]}"
        if kind == "slot":
            return f"v{ref[1]}"
        if kind == "ext":
            return names(ref[1], "E") + "._data"
        if kind == "raw":
            return names(ref[2], "R")
        v = ref[1]
        return repr(v) if _literal(v) else names(v, "K")

    def tensor_expr(t):
        ref = rec.tensors.get(id(t)) or rec.arrays.get(id(t._data)) or ("ext", t)
        return f"inputs[{ref[1]}]" if ref[0] == "in" else (
            names(ref[1], "E") if ref[0] == "ext" else None)

    n_ops = 0
    for ev in rec.events:
        kind = ev[0]
        if kind == "op":
            op = ev[1]
            n_ops += 1
            ctx = _own_ctx(op) if op.own_ctx else op.ctx
            c = ctx_name[id(ctx)] = names(ctx, "c")
            for i, s in enumerate(op.outs):
                slot_node[s] = (ctx, i)
            if fast.forward(op, ref_expr, body):
                continue
            fwd = names(op.cls.forward, "F")
            args = ", ".join([c] + [ref_expr(r) for r in op.args])
            outs = ", ".join(f"v{s}" for s in op.outs) + ("" if op.single else ",")
            body.append(f"{outs} = {fwd}({args})  # {op.cls.__name__}")
            for s, zero_d in zip(op.outs, op.zero_d):
                if zero_d:
                    body.append(f"v{s} = _arr(v{s})")
        elif kind == "mask":
            _, s, p, gen, like, _shape, _dtype = ev
            body.append(f"v{s} = {names(_dropout_mask, 'D')}({names(like, 'L')}, {p!r}, "
                        f"{names(gen, 'K') if gen is not None else 'None'})  # dropout mask")
        elif kind == "bump":
            body.append(f"{names(ev[1], 'E')}._bump_version({ev[2]!r})")
        elif kind == "count":
            body.append(f"_count({names(ev[1], 'E')})  # num_batches_tracked += 1")
        elif kind == "call":
            _, obj, name, args, kwargs, slot = ev
            call = names(getattr(obj, name), "C")
            argv = (f"*{names(args, 'K')}" if args else "") + (
                (", " if args else "") + f"**{names(kwargs, 'K')}" if kwargs else "")
            line = f"{call}({argv})  # {type(obj).__name__}.{name}"
            body.append(f"v{slot} = {line.replace('  #', '._data  #')}" if slot is not None
                        else line)
        else:
            _backward(ev, rec, names, body, ctx_name, slot_node, backpropagated, ref_expr,
                      tensor_expr, fast)

    ret = _result_expr(result, rec, names, ctx_name, backpropagated, tensor_expr)
    guards = []
    for module, training in rec.modules.values():
        guards.append(f"{names(module, 'M')}.training is not {training}")
    for t in rec.externals.values():
        e = names(t, "E")
        guards.append(f"{e}._rg is not {t._rg} or {e}._data.shape != {tuple(t._data.shape)!r} "
                      f"or {e}._data.dtype != {names(t._data.dtype, 'K')}")
    lines = ["def _replay(inputs):"]
    if guards:
        lines.append("    if (" + "\n            or ".join(guards) + "):")
        lines.append("        return _MISS")
    n_in = max([r[1] + 1 for r in rec.tensors.values() if r[0] == "in"], default=0)
    for k in range(n_in):
        lines.append(f"    a{k} = inputs[{k}]._data")
    lines += ["    " + line for line in body]
    lines.append(f"    return {ret}")
    source = "\n".join(lines) + "\n"
    ns = names.ns
    exec(compile(source, "<luchina.compile replay>", "exec"), ns)
    return Program(ns["_replay"], source, n_ops)


def _backward(ev, rec, names, body, ctx_name, slot_node, backpropagated, ref_expr,
              tensor_expr, fast):
    _, roots, grefs, shapes, dtypes, retain, order, final = ev
    contrib = {}   # (id(node), nr) -> [expression names]
    leaves = {}    # id(leaf) -> [leaf, [names], [observed arrays]]
    body.append("# backward")
    for r, ((root, root_t), gref, shape, dtype) in enumerate(zip(roots, grefs, shapes, dtypes)):
        g = f"gr{len(body)}_{r}"
        if gref is None:
            body.append(f"{g} = {names(np.ones, 'K')}({tuple(shape)!r}, {names(dtype, 'K')})")
        elif gref[0] == "const":
            body.append(f"{g} = {names(np.asarray, 'K')}({ref_expr(gref)}, "
                        f"{names(dtype, 'K')})")
        else:
            body.append(f"{g} = {ref_expr(gref)}")
        if root[0] == "slot" and root[1] in slot_node:
            node, nr = slot_node[root[1]]
            contrib.setdefault((id(node), nr), []).append(g)
        else:
            entry = leaves.setdefault(id(root_t), [root_t, [], []])
            entry[1].append(g)
            entry[2].append(None)
    for node, res, gout, had_saved in order:
        c = ctx_name[id(node)]
        k = c[1:]
        if not retain:
            backpropagated.add(id(node))
        gs = []
        for nr in range(node.n_out):
            parts = contrib.pop((id(node), nr), [])
            if not parts:
                like = next(g for g in gout if g is not None)
                shape = node.shapes[nr]
                gs.append(f"{names(node.xp.zeros, 'K')}({tuple(shape)!r}, "
                          f"{names(like.dtype, 'K')})")
                continue
            name = f"g{k}_{nr}"
            if len(parts) == 1:
                body.append(f"{name} = {parts[0]}")
                if parts[0] in fast.scratch:
                    fast.scratch.add(name)
            else:
                body.append(f"{name} = {parts[0]} + {parts[1]}")
                for p in parts[2:]:
                    body.append(f"{name} += {p}")
                fast.scratch.add(name)  # a new array
            gs.append(name)
        if not fast.backward(node, gs, res, gout, body, c):
            bwd = names(node.fn.backward, "B")
            body.append(f"r = {bwd}({c}, {', '.join(gs)})  # {node.name()}")
            if len(node.next) == 1:
                body.append("if type(r) is not tuple: r = (r,)")
        if had_saved and not retain:
            body.append(f"{c}.saved = _RELEASED")
        for i, edge in enumerate(node.next):
            if not edge or i >= len(res) or res[i] is None:
                continue
            nxt, nr = edge
            name = f"e{k}_{i}"
            if isinstance(nxt, Context):
                shape = nxt.shapes if nxt.n_out == 1 else nxt.shapes[nr]
            else:
                shape = nxt._data.shape
            if res[i].shape != shape:
                body.append(f"{name} = _sum_to(r[{i}], {tuple(shape)!r})")
            else:
                body.append(f"{name} = r[{i}]")
                if (id(node), i) in fast.owned:
                    fast.scratch.add(name)
            if isinstance(nxt, Context):
                contrib.setdefault((id(nxt), nr), []).append(name)
            else:
                entry = leaves.setdefault(id(nxt), [nxt, [], []])
                entry[1].append(name)
                entry[2].append(res[i])
    for leaf, parts, observed in leaves.values():
        t = tensor_expr(leaf)
        if t is None:
            raise Unsupported("a gradient into a tensor created inside the step")
        _, had, got = final.get(id(leaf), (leaf, True, None))
        if len(parts) == 1:
            take = not had and got is not None and got is observed[0]
            body.append(f"_acc({t}, {parts[0]}, {take})")
        else:
            body.append(f"gl = {parts[0]} + {parts[1]}")
            for p in parts[2:]:
                body.append(f"gl += {p}")
            body.append(f"_acc({t}, gl, True)")


def _result_expr(value, rec, names, ctx_name, backpropagated, tensor_expr):
    if isinstance(value, Tensor):
        ref = rec.tensors.get(id(value)) or rec.arrays.get(id(value._data))
        if ref is None or ref[0] != "slot":
            expr = tensor_expr(value)
            return expr
        node = value.grad_fn
        if node is None:
            return f"_make(v{ref[1]}, {value._rg})"
        if id(node) not in backpropagated or id(node) not in ctx_name:
            raise Unsupported("the step returns a tensor whose graph a later backward() needs "
                              "(call backward inside the step, or run under no_grad)")
        return f"_make(v{ref[1]}, True, {ctx_name[id(node)]}, {value._output_nr})"
    if type(value) in (tuple, list):
        items = [_result_expr(v, rec, names, ctx_name, backpropagated, tensor_expr)
                 for v in value]
        if type(value) is list:
            return "[" + ", ".join(items) + "]"
        return "(" + "".join(i + ", " for i in items) + ")"
    if type(value) is dict:
        return "{" + ", ".join(
            f"{names(k, 'K')}: {_result_expr(v, rec, names, ctx_name, backpropagated, tensor_expr)}"
            for k, v in value.items()) + "}"
    if isinstance(value, (bool, int, float, complex, str, bytes, type(None))):
        return repr(value) if _literal(value) else names(value, "K")
    raise Unsupported(f"the step returns a {type(value).__name__}; return tensors, numbers or "
                      "tuples/lists/dicts of them")
