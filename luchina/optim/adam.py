"""Adam and AdamW: torch's single-tensor update (bias corrections, eps after the sqrt), in place."""

import numpy as np

from luchina._tensor import Tensor
from luchina.optim.optimizer import Optimizer, _bump, _check_flags, _effective_grad, _lerp_, _scalar

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """torch.optim.Adam. foreach/fused are accepted and take the same in-place path;
    capturable is accepted and changes nothing ('step' stays a CPU float32 tensor)."""

    _tensor_step = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(_scalar(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        _check_flags(foreach, fused, differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr = _scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        wd = group["weight_decay"]
        amsgrad = group["amsgrad"]
        maximize = group["maximize"]
        decoupled = group["decoupled_weight_decay"]
        name = type(self).__name__ + ".step"
        state = self.state
        for p in group["params"]:
            if p._grad is None:
                continue
            P = p._data
            st = state[p]
            if len(st) == 0:
                st["step"] = Tensor._make(np.zeros((), np.float32))
                st["exp_avg"] = self._new_state(p)
                st["exp_avg_sq"] = self._new_state(p)
                if amsgrad:
                    st["max_exp_avg_sq"] = self._new_state(p)
            step_t = st["step"]._data
            step_t += 1
            step = float(step_t)
            t0, t1, t2 = self._tmp(P, 3)
            if wd != 0 and decoupled:
                P *= 1 - lr * wd
                g = _effective_grad(P, p._grad._data, 0, maximize, t0)
            else:
                g = _effective_grad(P, p._grad._data, wd, maximize, t0)
            m = st["exp_avg"]._data
            v = st["exp_avg_sq"]._data
            _lerp_(m, g, 1 - beta1, t1)
            v *= beta2
            np.multiply(g, 1 - beta2, out=t1)  # addcmul: value * g * g
            t1 *= g
            v += t1
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2 ** 0.5
            if amsgrad:
                vmax = st["max_exp_avg_sq"]._data
                np.maximum(vmax, v, out=vmax)
                v = vmax
            denom = np.sqrt(v, out=t2)
            denom /= bias_correction2_sqrt
            denom += eps
            np.multiply(m, -step_size, out=t1)  # addcdiv: value * m / denom
            t1 /= denom
            P += t1
            _bump(p, name)


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay (p *= 1 - lr * weight_decay first)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
