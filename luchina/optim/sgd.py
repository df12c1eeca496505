"""SGD with momentum, dampening, Nesterov, weight decay and maximize: torch's update, in place."""

import numpy as np

from luchina.optim._flat import flat_group
from luchina.optim.optimizer import Optimizer, _bump, _check_flags, _effective_grad, _scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """torch.optim.SGD. With momentum, by default (and with foreach=True or fused=True) all
    parameters of a group update together over flat buffers (see optim/_flat.py), with the same
    numbers as the per-parameter loop that foreach=False selects."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_flags(foreach, fused, differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr = _scalar(group["lr"])
        momentum = group["momentum"]
        dampening = group["dampening"]
        wd = group["weight_decay"]
        nesterov = group["nesterov"]
        maximize = group["maximize"]
        state = self.state
        if momentum != 0:
            fg = flat_group(self, group, ("momentum_buffer",), _zero, group["foreach"] is False)
            if fg is not None:
                _flat_sgd(fg, lr, momentum, dampening, wd, nesterov, maximize)
                return
        for p in group["params"]:
            if p._grad is None:
                continue
            P = p._data
            t0, t1 = self._tmp(P, 2)
            g = _effective_grad(P, p._grad._data, wd, maximize, t0)
            if momentum != 0:
                st = state[p]
                buf = st.get("momentum_buffer")
                first = buf is None
                if first:
                    buf = st["momentum_buffer"] = self._new_state(p)
                g = _momentum_direction(buf._data, g, first, momentum, dampening, nesterov, t1)
            np.multiply(g, -lr, out=t1)
            P += t1
            _bump(p, "SGD.step")


def _momentum_direction(B, g, first, momentum, dampening, nesterov, scratch):
    """The momentum buffer ``B`` updated in place with gradient ``g`` (copied in on the first
    step, as torch does) and the direction to step along: ``B``, or ``g + momentum * B`` in
    ``scratch`` for Nesterov. Shared by the per-parameter loop and the flat path."""
    if first:
        B[...] = g
    else:
        B *= momentum
        if dampening == 0:
            B += g
        else:
            np.multiply(g, 1 - dampening, out=scratch)
            B += scratch
    if nesterov:
        np.multiply(B, momentum, out=scratch)
        scratch += g
        return scratch
    return B


def _zero(key, p):
    return 0


def _flat_sgd(fg, lr, momentum, dampening, wd, nesterov, maximize):
    """The momentum update of SGD._step_group, op for op, on a FlatGroup's buffers."""
    g = fg.gather_grads()  # our own copy: changed in place below
    if wd != 0:
        g = fg.coupled_grad(g, wd, maximize)
    elif maximize:
        np.negative(g, out=g)
    t1 = fg.tmp(0)
    g = _momentum_direction(fg.flat["momentum_buffer"], g, fg.fresh, momentum, dampening,
                            nesterov, t1)
    fg.fresh = False
    np.multiply(g, -lr, out=t1)
    fg.add_to_params(t1)
    for p in fg.params:
        _bump(p, "SGD.step")
