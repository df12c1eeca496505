"""Small pieces of torch's namespace that client code touches: allclose, equal, numel..."""

import numpy as np

from luchina._tensor import Tensor

__all__ = ["allclose", "isclose", "equal", "numel", "is_tensor", "is_floating_point",
           "is_nonzero", "typename"]


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.isclose"""
    return Tensor._make(np.isclose(np.asarray(input), np.asarray(other), rtol=rtol, atol=atol,
                                   equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.allclose"""
    return bool(np.allclose(np.asarray(input), np.asarray(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def equal(input, other):
    """torch.equal: same shape and same values"""
    return input.shape == other.shape and bool(np.array_equal(np.asarray(input),
                                                              np.asarray(other)))


def numel(input):
    """torch.numel"""
    return input.numel()


def is_tensor(obj):
    """torch.is_tensor"""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """torch.is_floating_point"""
    return input.is_floating_point()


def is_nonzero(input):
    """torch.is_nonzero"""
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, 'module.QualName' otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        name = obj.__qualname__
    elif hasattr(obj, "__name__"):
        name = obj.__name__
    else:
        module, name = type(obj).__module__ or "", type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"
