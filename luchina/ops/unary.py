"""Unary math: exp, log, sqrt, trig, abs, rounding... (float results for integer inputs)."""

import math

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops.elementwise import _float_input, _out, not_for

__all__ = ["abs", "absolute", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "exp", "exp2",
           "expm1", "floor", "frac", "log", "log1p", "log2", "log10", "reciprocal", "round",
           "rsqrt", "sgn", "sign", "signbit", "sin", "sinh", "sqrt", "square", "tan", "trunc"]


def _unary(name, fwd, bwd, save="out", node=None):
    """Build a unary float op from forward ``fwd(xp, x)`` and ``bwd(xp, x, out, grad)``."""

    def forward(ctx, x):
        out = fwd(ctx.xp, x)
        ctx.save_for_backward(x if save == "in" else out)
        return out

    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return bwd(ctx.xp, s if save == "in" else None, s if save == "out" else None, grad)

    fn_cls = type(node or name.capitalize(), (Function,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward)})

    def op(input, *, out=None):
        return _out(fn_cls.apply(_float_input(input)), out)

    op.__name__ = name
    op.__doc__ = f"torch.{name}"
    return op, fn_cls


exp, Exp = _unary("exp", lambda xp, x: xp.exp(x), lambda xp, x, o, g: g * o)
exp2, Exp2 = _unary("exp2", lambda xp, x: xp.exp2(x), lambda xp, x, o, g: g * o * math.log(2))
log, Log = _unary("log", lambda xp, x: xp.log(x), lambda xp, x, o, g: g / x, save="in")
log2, Log2 = _unary("log2", lambda xp, x: xp.log2(x),
                    lambda xp, x, o, g: g / (x * math.log(2)), save="in")
log10, Log10 = _unary("log10", lambda xp, x: xp.log10(x),
                      lambda xp, x, o, g: g / (x * math.log(10)), save="in")
log1p, Log1p = _unary("log1p", lambda xp, x: xp.log1p(x), lambda xp, x, o, g: g / (x + 1),
                      save="in", node="Log1P")
expm1, Expm1 = _unary("expm1", lambda xp, x: xp.expm1(x), lambda xp, x, o, g: g * (o + 1))
sqrt, Sqrt = _unary("sqrt", lambda xp, x: xp.sqrt(x), lambda xp, x, o, g: g / (o * 2))
rsqrt, Rsqrt = _unary("rsqrt", lambda xp, x: 1 / xp.sqrt(x),
                      lambda xp, x, o, g: g * (o * o * o) * -0.5)
sin, Sin = _unary("sin", lambda xp, x: xp.sin(x), lambda xp, x, o, g: g * xp.cos(x), save="in")
cos, Cos = _unary("cos", lambda xp, x: xp.cos(x), lambda xp, x, o, g: -g * xp.sin(x), save="in")
tan, Tan = _unary("tan", lambda xp, x: xp.tan(x), lambda xp, x, o, g: g * (o * o + 1))
asin, Asin = _unary("asin", lambda xp, x: xp.arcsin(x),
                    lambda xp, x, o, g: g / xp.sqrt(1 - x * x), save="in")
acos, Acos = _unary("acos", lambda xp, x: xp.arccos(x),
                    lambda xp, x, o, g: -g / xp.sqrt(1 - x * x), save="in")
atan, Atan = _unary("atan", lambda xp, x: xp.arctan(x), lambda xp, x, o, g: g / (x * x + 1),
                    save="in")
sinh, Sinh = _unary("sinh", lambda xp, x: xp.sinh(x), lambda xp, x, o, g: g * xp.cosh(x),
                    save="in")
cosh, Cosh = _unary("cosh", lambda xp, x: xp.cosh(x), lambda xp, x, o, g: g * xp.sinh(x),
                    save="in")
reciprocal, Reciprocal = _unary("reciprocal", lambda xp, x: 1 / x,
                                lambda xp, x, o, g: -g * o * o)

# erf: numpy has none; Abramowitz & Stegun 7.1.26 is too coarse for float64 parity, so use the
# W. J. Cody rational approximations through math.erf on float64 when the array is small, and a
# vectorised form otherwise.
_erf_vec = np.vectorize(math.erf, otypes=[np.float64])


def _erf(xp, x):
    host = x if xp is np else x.get()
    r = _erf_vec(host).astype(x.dtype)
    return r if xp is np else xp.asarray(r)


erf, Erf = _unary("erf", _erf,
                  lambda xp, x, o, g: g * (2 / math.sqrt(math.pi)) * xp.exp(-x * x), save="in")


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.xp.sign(x)


def abs(input, *, out=None):
    """torch.abs"""
    not_for("abs_cpu", input, "b", "abs of a bool tensor is the tensor itself")
    return _out(Abs.apply(input), out)


absolute = abs


class Square(Function):
    _backward_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * 2)


def square(input, *, out=None):
    """torch.square"""
    if input._data.dtype == np.bool_:
        input = input.long()
    return _out(Square.apply(input), out)


def _zero_grad_op(name, fwd, node):
    """Piecewise-constant ops (sign, floor, ...): gradient zero everywhere, as torch's."""

    def forward(ctx, x):
        return fwd(ctx.xp, x)

    def backward(ctx, grad):
        return grad * 0

    fn_cls = type(node, (Function,), {"forward": staticmethod(forward),
                                      "backward": staticmethod(backward)})

    def op(input, *, out=None):
        return _out(fn_cls.apply(input), out)

    op.__name__ = name
    op.__doc__ = f"torch.{name}"
    return op


sign = _zero_grad_op("sign", lambda xp, x: xp.sign(x) if x.dtype != np.bool_ else x.copy(),
                     "Sign")
sgn = sign
floor = _zero_grad_op("floor", lambda xp, x: xp.floor(x) if x.dtype.kind == "f" else x.copy(),
                      "Floor")
ceil = _zero_grad_op("ceil", lambda xp, x: xp.ceil(x) if x.dtype.kind == "f" else x.copy(), "Ceil")
trunc = _zero_grad_op("trunc", lambda xp, x: xp.trunc(x) if x.dtype.kind == "f" else x.copy(),
                      "Trunc")
_round0 = _zero_grad_op("round", lambda xp, x: xp.round(x) if x.dtype.kind == "f" else x.copy(),
                        "Round")


def round(input, *, decimals=0, out=None):
    """torch.round (half to even, as torch)"""
    if decimals == 0:
        return _round0(input, out=out)
    return _out(RoundDecimals.apply(input, decimals), out)


class RoundDecimals(Function):
    _backward_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        scale = 10.0 ** decimals
        return ctx.xp.round(x * scale) / scale if x.dtype.kind == "f" else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


class Frac(Function):
    @staticmethod
    def forward(ctx, x):
        return x - ctx.xp.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def frac(input, *, out=None):
    """torch.frac"""
    not_for("frac_cpu", input, "biu", "frac needs a floating-point tensor; use .float()")
    return _out(Frac.apply(input), out)


def signbit(input):
    """torch.signbit"""
    return Tensor._make(input.device.xp.signbit(input._data))


