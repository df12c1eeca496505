"""Optimizer: torch.optim.Optimizer's param_groups, state and state_dict, on raw arrays.

Subclasses implement ``_step_group(group)``, which updates ``p._data`` in place with NumPy (or
CuPy) ufuncs writing into ``out=``; the base ``step`` runs the closure under enable_grad and the
update under no_grad, as torch does.
"""

import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from luchina._compat import typename
from luchina._device import array_module
from luchina._tensor import Tensor
from luchina.autograd.grad_mode import _mode, enable_grad

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a hyper-parameter every group must give (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _scalar(x):
    """A hyper-parameter as a Python number (torch accepts 1-element tensors for lr, betas)."""
    return x.item() if isinstance(x, Tensor) else x


def _check_flags(foreach, fused, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported by luchina.optim: updates are made in place "
            "on the raw arrays outside autograd; write the update with tensor ops instead")


def _as_array(value):
    """A luchina Tensor, a numpy/cupy array, a numpy scalar or a foreign tensor as an array."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    if hasattr(value, "__cuda_array_interface__") and hasattr(value, "get"):
        return value  # a cupy array
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # e.g. a torch.Tensor
        value = value.detach().cpu()
    return np.asarray(value)


def _is_tensor_like(value):
    return isinstance(value, (Tensor, np.ndarray, np.generic)) or (
        hasattr(value, "__array__") and hasattr(value, "shape") and hasattr(value, "dtype"))


class Optimizer:
    """torch.optim.Optimizer (no step/state_dict hooks)."""

    _tensor_step = False  # Adam, RMSprop, Adagrad keep 'step' as a 0-d float32 tensor

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._scratch = {}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # -- pickling and printing -----------------------------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._scratch = {}
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            s += "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return s + ")"

    # -- groups ----------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """torch.optim.Optimizer.add_param_group (the dict is completed in place, as torch does)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(p))
            if not self.defaults.get("differentiable", None) and not (
                    p.grad_fn is None or p._retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps ---------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """torch.optim.Optimizer.zero_grad; set_to_none=False zeroes the grads in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g._rg = False
                g._data.fill(0)
                if g._vc is not None:
                    g._bump_version("zero_")

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        prev = _mode.enabled
        _mode.enabled = False
        try:
            for group in self.param_groups:
                self._step_group(group)
        finally:
            _mode.enabled = prev
        return loss

    def _step_group(self, group):
        raise NotImplementedError

    def _tmp(self, a, k):
        """``k`` scratch arrays shaped like ``a``, reused across steps (one cache per dtype)."""
        key = (a.dtype, type(a))
        n = a.size
        buf = self._scratch.get(key)
        if buf is None or buf.size < k * n:
            buf = array_module(a).empty(max(k * n, 1), a.dtype)
            self._scratch[key] = buf
        shape = a.shape
        return [buf[i * n:(i + 1) * n].reshape(shape) for i in range(k)]

    def _new_state(self, p, fill=0.0):
        a = p._data
        return Tensor._make(array_module(a).full_like(a, fill))

    # -- state_dict ------------------------------------------------------------------------------
    def state_dict(self):
        """torch's layout: {'state': {index: {...}}, 'param_groups': [{..., 'params': [index]}]}."""
        mapping = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """torch.optim.Optimizer.load_state_dict; also takes numpy arrays (e.g. from a converted
        torch state_dict). State tensors are copied (torch may alias them) and cast to the
        parameter's dtype and device; 'step' keeps its own dtype."""
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = self._cast(param, v)
            else:
                state[k] = v
        for group, new in zip(groups, saved_groups):
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                new.setdefault(name, default)
        self.state = state
        self.param_groups = saved_groups
        if self._tensor_step:
            for st in state.values():
                if isinstance(st, dict) and "step" in st and not isinstance(st["step"], Tensor):
                    st["step"] = Tensor._make(np.array(float(st["step"]), np.float32))

    @classmethod
    def _cast(cls, param, value, key=None):
        if _is_tensor_like(value):
            a = _as_array(value)
            pa = param._data
            if key == "step":  # stays on the CPU with its dtype, as in torch
                return Tensor._make(np.array(a.get() if hasattr(a, "get") else a, copy=True))
            xp = array_module(pa)
            dtype = pa.dtype if pa.dtype.kind == "f" else a.dtype
            if xp is np:
                a = a.get() if type(a) is not np.ndarray else a
                return Tensor._make(np.array(a, dtype=dtype, copy=True))
            return Tensor._make(xp.array(a, dtype=dtype, copy=True))
        if isinstance(value, dict):
            return {k: cls._cast(param, v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(cls._cast(param, v) for v in value)
        return value


def _bump(p, op):
    """Mark an in-place update of ``p`` so autograd refuses stale saved copies, as torch does."""
    vc = p._vc
    if vc is not None:
        vc[0] += 1
        vc[1] = op


# The update helpers call NumPy ufuncs with out=; CuPy arrays dispatch them to CuPy kernels
# through __array_ufunc__, so the same code runs on both backends.
def _lerp_(a, b, w, tmp):
    """a <- lerp(a, b, w) in place, in torch's two-sided form (exact at w = 1)."""
    np.subtract(b, a, out=tmp)
    w = a.dtype.type(w)
    if abs(w) < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1 - w
        np.subtract(b, tmp, out=a)


def _effective_grad(p, g, weight_decay, maximize, out):
    """The gradient the update uses: -g when maximizing, plus weight_decay * p (torch's order)."""
    if weight_decay != 0:
        np.multiply(p, weight_decay, out=out)
        if maximize:
            out -= g
        else:
            out += g
        return out
    if maximize:
        return np.negative(g, out=out)
    return g
