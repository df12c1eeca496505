"""Parameter (a Tensor that a Module registers as learnable) and Buffer (torch.nn.Buffer)."""

import numpy as np

from luchina._tensor import Tensor
from luchina._tensor_str import PARAMETER_HEADER

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """torch.nn.Parameter: shares ``data``'s memory; operations on it return plain Tensors."""

    _torch_name = "torch.nn.parameter.Parameter"

    __slots__ = ("__dict__",)

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.empty((0,), dtype=_default_np()))
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, got {type(data).__name__}; "
                            "wrap it first with torch.tensor(...)")
        Tensor._init(self, data._data)
        self._vc = data._version_cell()  # an alias of data, as torch's detach() is
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return PARAMETER_HEADER + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (np.asarray(self), self._rg))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter.__new__(type(self))
        Tensor._init(p, self._data.copy(), self._rg)
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = p
        return p


def _rebuild_parameter(array, requires_grad):
    """Unpickling: a Parameter holding ``array``."""
    return Parameter(Tensor._make(array), requires_grad)


def _default_np():
    from luchina._dtype import get_default_dtype
    return get_default_dtype().np


class Buffer(Tensor):
    """torch.nn.Buffer: assigning one to a Module attribute registers it as a buffer.

    The module stores a plain Tensor sharing this one's memory (torch stores a plain Tensor too).
    """

    _torch_name = "torch.nn.parameter.Buffer"

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            data = Tensor._make(np.empty((0,), dtype=_default_np()))
        Tensor._init(self, data._data, data._rg)
        self._vc = data._version_cell()
        self.persistent = persistent

    def _as_tensor(self):
        t = Tensor._make(self._data, self._rg)
        t._vc = self._version_cell()
        return t
