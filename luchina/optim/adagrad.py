"""Adagrad (lr_decay, weight decay, initial accumulator, eps, maximize): torch's update."""

import numpy as np

from luchina._tensor import Tensor
from luchina.optim.optimizer import Optimizer, _bump, _check_flags, _effective_grad, _scalar

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """torch.optim.Adagrad (dense gradients). foreach/fused are accepted and take the same
    in-place path."""

    _tensor_step = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        _check_flags(foreach, fused, differentiable)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates Adagrad's state eagerly
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        st = self.state[p]
        st["step"] = Tensor._make(np.zeros((), np.float32))
        st["sum"] = self._new_state(p, group["initial_accumulator_value"])
        return st

    def _step_group(self, group):
        lr = _scalar(group["lr"])
        lr_decay = group["lr_decay"]
        eps = group["eps"]
        wd = group["weight_decay"]
        maximize = group["maximize"]
        state = self.state
        for p in group["params"]:
            if p._grad is None:
                continue
            P = p._data
            st = state[p]
            if len(st) == 0:
                st = self._init_state(p, group)
            step_t = st["step"]._data
            step_t += 1
            step = float(step_t)
            t0, t1, t2 = self._tmp(P, 3)
            g = _effective_grad(P, p._grad._data, wd, maximize, t0)
            clr = lr / (1 + (step - 1) * lr_decay)
            s = st["sum"]._data
            np.multiply(g, g, out=t1)  # addcmul with value=1
            s += t1
            std = np.sqrt(s, out=t2)
            std += eps
            np.multiply(g, -clr, out=t1)  # addcdiv: value * g / std
            t1 /= std
            P += t1
            _bump(p, "Adagrad.step")
