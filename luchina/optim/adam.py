"""Adam and AdamW: torch's single-tensor update (bias corrections, eps after the sqrt), in place."""

import numpy as np

from luchina._tensor import Tensor
from luchina.optim._flat import flat_group
from luchina.optim.optimizer import Optimizer, _bump, _check_flags, _effective_grad, _lerp_, _scalar

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """torch.optim.Adam. By default (and with foreach=True or fused=True) all parameters of a
    group update together over flat buffers (see optim/_flat.py), with the same numbers as the
    per-parameter loop that foreach=False selects; capturable changes nothing ('step' stays a
    CPU float32 tensor)."""

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
        keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else ("exp_avg", "exp_avg_sq")
        fg = flat_group(self, group, keys, _zero, group["foreach"] is False, _fresh)
        if fg is not None and _flat_adam(fg, state, lr, beta1, beta2, eps, wd, amsgrad, maximize,
                                         decoupled, name):
            return
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
            vmax = st["max_exp_avg_sq"]._data if amsgrad else None
            P += _adam_update(st["exp_avg"]._data, st["exp_avg_sq"]._data, vmax, g, step, lr,
                              beta1, beta2, eps, t1, t2)
            _bump(p, name)


def _adam_update(m, v, vmax, g, step, lr, beta1, beta2, eps, out, denom_out):
    """One Adam update, shared by the per-parameter loop and the flat path: m, v (and the
    AMSGrad maximum ``vmax``) are updated in place; returns ``out`` holding
    -lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). ``denom_out`` is scratch, and may be ``g``."""
    _lerp_(m, g, 1 - beta1, out)
    v *= beta2
    np.multiply(g, 1 - beta2, out=out)  # addcmul: value * g * g
    out *= g
    v += out
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        v = vmax
    denom = np.sqrt(v, out=denom_out)
    denom /= bias_correction2_sqrt
    denom += eps
    np.multiply(m, -(lr / bias_correction1), out=out)  # addcdiv: value * m / denom
    out /= denom
    return out


def _zero(key, p):
    return 0


def _fresh(st):
    st["step"] = Tensor._make(np.zeros((), np.float32))


def _flat_adam(fg, state, lr, beta1, beta2, eps, wd, amsgrad, maximize, decoupled, name):
    """The update of the loop in Adam._step_group, op for op, on a FlatGroup's buffers.

    Returns False (nothing done) when the parameters' step counts differ: then the
    per-parameter loop runs, on the same state arrays.
    """
    sts = [state[p] for p in fg.params]
    counters = []
    for st in sts:
        step_t = st.get("step")
        if step_t is None:
            step_t = st["step"] = Tensor._make(np.zeros((), np.float32))
        counters.append(step_t._data)
    step0 = counters[0]
    if any(c != step0 for c in counters):
        return False
    for c in counters:
        c += 1
    step = float(step0)
    # g is the flat gradient buffer (our own copy): maximize negates it in place
    g = fg.gather_grads()
    if wd != 0 and decoupled:
        for p in fg.params:
            p._data *= 1 - lr * wd
    elif wd != 0:
        g = fg.coupled_grad(g, wd, maximize)
    if maximize and (wd == 0 or decoupled):
        np.negative(g, out=g)
    vmax = fg.flat["max_exp_avg_sq"] if amsgrad else None
    # once m and v are updated the gradient buffer is free again: it holds the denominator
    fg.add_to_params(_adam_update(fg.flat["exp_avg"], fg.flat["exp_avg_sq"], vmax, g, step,
                                  lr, beta1, beta2, eps, fg.tmp(0), fg.grad))
    for p in fg.params:
        _bump(p, name)
    return True


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
