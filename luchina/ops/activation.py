"""Activations on the hot path: sigmoid, tanh, relu (the rest live in nn.functional)."""

import numpy as np

from luchina.autograd.function import Function
from luchina.ops.elementwise import _float_input, _out

__all__ = ["sigmoid", "tanh", "relu"]


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.tanh(x * 0.5) * 0.5 + 0.5  # no overflow for large |x|, stays float32
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


_ZEROS = {}  # dtype -> a read-only flat array of zeros, grown to the largest input seen


def _zeros_like(x):
    """Zeros shaped like ``x``, as a view of a cached read-only buffer (no allocation)."""
    buf = _ZEROS.get(x.dtype)
    if buf is None or buf.size < x.size:
        buf = np.zeros(max(x.size, 4096), x.dtype)
        buf.flags.writeable = False
        _ZEROS[x.dtype] = buf
    return buf[:x.size].reshape(x.shape)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        if type(x) is np.ndarray and x.size >= 4096:
            # NumPy's maximum against a scalar runs a slow broadcasting loop; against an array of
            # the same shape it takes the vectorised one (2.5x faster at 1024x256 float32). The
            # zeros come from a cached buffer, so nothing is allocated or written for them.
            out = np.maximum(x, _zeros_like(x))
        else:
            out = ctx.xp.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)  # the mask comes from the output: nothing else is kept


def sigmoid(input, *, out=None):
    """torch.sigmoid"""
    return _out(Sigmoid.apply(_float_input(input)), out)


def tanh(input, *, out=None):
    """torch.tanh"""
    return _out(Tanh.apply(_float_input(input)), out)


def relu(input):
    """torch.relu"""
    if input._data.dtype.kind == "b":
        raise RuntimeError("relu: bool tensors are not supported; convert with .float()")
    return Relu.apply(input)
