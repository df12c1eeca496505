"""Activations on the hot path: sigmoid, tanh, relu (the rest live in nn.functional)."""

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


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
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
