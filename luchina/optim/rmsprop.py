"""RMSprop (alpha, eps, weight decay, momentum, centered, maximize): torch's update, in place."""

import numpy as np

from luchina._tensor import Tensor
from luchina.optim.optimizer import Optimizer, _bump, _check_flags, _effective_grad, _lerp_, _scalar

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """torch.optim.RMSprop. foreach is accepted and takes the same in-place path; capturable is
    accepted and changes nothing."""

    _tensor_step = True

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        _check_flags(foreach, None, differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr = _scalar(group["lr"])
        alpha = group["alpha"]
        eps = group["eps"]
        wd = group["weight_decay"]
        momentum = group["momentum"]
        centered = group["centered"]
        maximize = group["maximize"]
        state = self.state
        for p in group["params"]:
            if p._grad is None:
                continue
            P = p._data
            st = state[p]
            if len(st) == 0:
                st["step"] = Tensor._make(np.zeros((), np.float32))
                st["square_avg"] = self._new_state(p)
                if momentum > 0:
                    st["momentum_buffer"] = self._new_state(p)
                if centered:
                    st["grad_avg"] = self._new_state(p)
            step_t = st["step"]._data
            step_t += 1
            t0, t1, t2 = self._tmp(P, 3)
            g = _effective_grad(P, p._grad._data, wd, maximize, t0)
            sq = st["square_avg"]._data
            sq *= alpha
            np.multiply(g, 1 - alpha, out=t1)  # addcmul: value * g * g
            t1 *= g
            sq += t1
            avg = t2
            if centered:
                ga = st["grad_avg"]._data
                _lerp_(ga, g, 1 - alpha, t1)
                np.multiply(ga, -1, out=t1)
                t1 *= ga
                np.add(sq, t1, out=avg)
                np.sqrt(avg, out=avg)
            else:
                np.sqrt(sq, out=avg)
            avg += eps
            if momentum > 0:
                buf = st["momentum_buffer"]._data
                buf *= momentum
                np.divide(g, avg, out=t1)
                buf += t1
                np.multiply(buf, -lr, out=t1)
            else:
                np.multiply(g, -lr, out=t1)  # addcdiv: value * g / avg
                t1 /= avg
            P += t1
            _bump(p, "RMSprop.step")
