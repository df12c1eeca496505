"""Replay code for the hot ops that writes into buffers made once per program.

A replayed step would otherwise allocate every activation and gradient afresh, as eager mode
does; at batch 1024 that is several megabytes of new memory per step, and writing into fresh
memory instead of arrays still in cache is a measurable part of the step. For
``Linear`` (2-D input) and ``Relu`` on NumPy arrays the program instead emits the op's own
arithmetic with ``out=`` arguments: the same ufuncs and matrix products on the same operands in
the same order, so the numbers stay the eager ones bit for bit. A ReLU whose input is a
Linear output nothing else reads clamps it in place, and masks in place a gradient only it
reads, as a hand-written NumPy MLP would.

A buffer is reused only when nothing outside the program can see it. Each one lives in a
one-element list (a *box*); before it is written, ``own`` compares the array's reference count
with that of an array nobody else holds. A returned tensor, a ``.grad`` the optimizer left in
place or the user kept, a view of either: any of them holds a reference, and then a fresh array
replaces the box's (the old one stays with whoever holds it). So a tensor the user can see is
never overwritten by a later call, exactly as in eager mode, and a step that lets go of
everything (``zero_grad()`` sets the grads to None) allocates nothing in these ops.

These ops do not store their saved arrays on the graph node: the backward reads the forward's
local variables. A program whose backward keeps the graph (``retain_graph=True``) therefore uses
the plain op calls throughout.
"""

import sys

import numpy as np

from luchina.ops.activation import Relu
from luchina.ops.linalg import Linear, LinearNoBias

__all__ = ["Fast"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def own(box):
    """The box's array when nothing else references it, else a fresh one put in the box."""
    a = box[0]
    if sys.getrefcount(a) <= _BASE:
        return a
    a = box[0] = np.empty_like(a)
    return a


def _base():
    box = [np.empty(1)]
    a = box[0]
    return sys.getrefcount(a)  # what ``own`` sees for an array only the box holds


_BASE = _base()


def _kind(op):
    """'linear' / 'relu' when ``op`` is one this module replays with buffers, else None."""
    if op.xp is not np or len(op.outs) != 1 or op.zero_d[0] or op.out_metas[0] is None:
        return None
    metas, (out_shape, out_dtype) = op.metas, op.out_metas[0]
    if out_dtype not in _FLOATS:
        return None
    if op.cls in (Linear, LinearNoBias) and len(op.args) == 3:
        x, w, b = metas
        if (x is None or w is None or len(x[0]) != 2 or len(w[0]) != 2
                or not x[1] == w[1] == out_dtype):
            return None
        if op.cls is Linear and (b is None or b[1] != out_dtype or len(b[0]) != 1):
            return None
        if op.cls is LinearNoBias and op.args[2] != ("const", None):
            return None
        return "linear"
    if op.cls is Relu and len(op.args) == 1:
        x = metas[0]
        if x is not None and x[0] == out_shape and x[1] == out_dtype:
            return "relu"
    return None


class Fast:
    """The buffered replay of the fast ops of one recording (see the module docstring)."""

    def __init__(self, rec, names, result):
        self.names = names
        self.ops = {}        # id(op) -> kind
        self.nodes = {}      # id(node) -> (kind, op)
        self.saved = {}      # id(node) -> names of the forward arrays its backward reads
        self.uses = {}       # slot -> number of ops reading it
        self.pinned = set()  # slots something other than an op reads (returned, backward roots)
        self.mine = set()    # slots holding a buffer of this program (a fast Linear's output)
        self.owned = set()   # (id(node), i): the backward's i-th gradient is a program buffer
        self.scratch = set()  # gradient names the program may overwrite in place
        if any(ev[0] == "backward" and ev[5] for ev in rec.events):
            return  # retain_graph: later backward calls need the nodes' own saved arrays
        for ev in rec.events:
            if ev[0] == "op":
                for ref in ev[1].args:
                    if ref[0] == "slot":
                        self.uses[ref[1]] = self.uses.get(ref[1], 0) + 1
                kind = _kind(ev[1])
                if kind is not None:
                    self.ops[id(ev[1])] = kind
                    if not ev[1].own_ctx:
                        self.nodes[id(ev[1].ctx)] = (kind, ev[1])
            elif ev[0] == "backward":
                self._pin(rec, [t for _, t in ev[1]])
                self.pinned.update(r[1] for r in ev[2] if r is not None and r[0] == "slot")
            elif ev[0] == "call":
                self._pin(rec, [ev[3], ev[4]])
            elif ev[0] == "mask":
                self._pin(rec, [ev[4]])
        self._pin(rec, [result])

    def _pin(self, rec, values):
        for v in values:
            if type(v) in (tuple, list):
                self._pin(rec, v)
            elif type(v) is dict:
                self._pin(rec, list(v.values()))
            elif hasattr(v, "_data"):
                ref = rec.tensors.get(id(v)) or rec.arrays.get(id(v._data))
                if ref is not None and ref[0] == "slot":
                    self.pinned.add(ref[1])

    def buffer(self, shape, dtype):
        box = [np.empty(shape, dtype)]
        return f"_own({self.names(box, 'P')})"

    def forward(self, op, ref_expr, body):
        """Emit the buffered forward of ``op``; False when it is not a fast op."""
        kind = self.ops.get(id(op))
        if kind is None:
            return False
        s = op.outs[0]
        x = f"x{s}"
        body.append(f"{x} = {ref_expr(op.args[0])}")
        if kind == "linear":
            w = f"w{s}"
            body.append(f"{w} = {ref_expr(op.args[1])}")
            out = self.buffer(*op.out_metas[0])
            body.append(f"v{s} = _mm({x}, {w}.T, out={out})  # {op.cls.__name__}")
            if op.cls is Linear:
                body.append(f"v{s} += {ref_expr(op.args[2])}")
            saved = (x, w)
            self.mine.add(s)
        else:
            zeros = np.zeros(*op.out_metas[0])
            zeros.flags.writeable = False
            ref = op.args[0]
            if (ref[0] == "slot" and ref[1] in self.mine and self.uses.get(ref[1]) == 1
                    and ref[1] not in self.pinned):
                out = x  # the Linear output only this ReLU reads: clamped in place
            else:
                out = self.buffer(*op.out_metas[0])
            body.append(f"v{s} = _max({x}, {self.names(zeros, 'Z')}, out={out})  # Relu")
            saved = (f"v{s}",)
        if not op.own_ctx:
            self.saved[id(op.ctx)] = saved
        return True

    def backward(self, node, gs, res, gout, body, ctx_name):
        """Emit ``r = (...)``, the buffered backward of ``node``; False when not fast."""
        entry = self.nodes.get(id(node))
        if entry is None or id(node) not in self.saved:
            return False
        if not self._backward(entry, node, gs, res, gout, body):
            # the node's own backward runs: it reads the arrays from the node, as in eager mode
            body.append(f"{ctx_name}.saved = ({', '.join(self.saved[id(node)])},)")
            return False
        return True

    def _backward(self, entry, node, gs, res, gout, body):
        if len(gs) != 1:
            return False
        kind, op = entry
        g = gs[0]
        like = gout[0] if gout else None
        if like is None or type(like) is not np.ndarray or like.shape != op.out_metas[0][0] \
                or like.dtype != op.out_metas[0][1]:
            return False
        outs = []
        for a in res:
            if a is not None and (type(a) is not np.ndarray or a.dtype != like.dtype):
                return False
            outs.append(None if a is None else (a.shape, a.dtype))
        if kind == "relu" and outs and outs[0] is not None and g in self.scratch \
                and like.shape == outs[0][0]:
            outs[0] = g  # a gradient only this node reads: masked in place
        outs = [o if o is None or type(o) is str else self.buffer(*o) for o in outs]
        if kind == "linear":
            x, w = self.saved[id(node)]
            outs += [None] * (3 - len(outs))
            self.owned.update((id(node), i) for i, o in enumerate(outs) if o)
            exprs = [f"_mm({g}, {w}, out={outs[0]})" if outs[0] else "None",
                     f"_mm({g}.T, {x}, out={outs[1]})" if outs[1] else "None",
                     f"{g}.sum(axis=0, out={outs[2]})" if outs[2] else "None"]
            body.append(f"r = ({', '.join(exprs)})  # {node.name()}")
        else:
            (y,) = self.saved[id(node)]
            if not outs or outs[0] is None:
                body.append(f"r = (None,)  # {node.name()}")
            else:
                k = op.outs[0]
                mask = self.buffer(op.out_metas[0][0], np.bool_)
                self.owned.add((id(node), 0))
                body.append(f"m{k} = _gt({y}, 0, out={mask})")
                body.append(f"r = (_mul({g}, m{k}, out={outs[0]}),)  # {node.name()}")
        return True


NAMESPACE = {"_own": own, "_mm": np.matmul, "_max": np.maximum, "_gt": np.greater,
             "_mul": np.multiply}
