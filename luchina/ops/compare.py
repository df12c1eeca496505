"""clamp, maximum, minimum, where and friends; comparisons, predicates and logical ops."""


import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops.elementwise import (
    _arr,
    _float_input,
    _out,
    _scalar,
    not_for,
    promote,
    raw_call,
)

__all__ = ["addcdiv", "addcmul", "atan2", "bitwise_and", "bitwise_not", "bitwise_or",
           "bitwise_xor", "clamp", "clip", "eq", "ge", "greater", "greater_equal", "gt",
           "heaviside", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "le", "lerp",
           "less", "less_equal", "logical_and", "logical_not", "logical_or", "logical_xor", "lt",
           "maximum", "minimum", "nan_to_num", "ne", "not_equal", "where"]


class Clamp(Function):
    _backward_name = "ClampBackward1"  # number bounds; ClampBackward0 with tensor bounds

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        if out is x:
            out = x.copy()
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        lo, hi = ctx.lo, ctx.hi
        keep = xp.ones(x.shape, dtype=bool)
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
        ga = grad * keep
        glo = (grad * ((x < lo) & (True if hi is None else lo <= hi)) if lo is not None and
               ctx.needs_input_grad[1] else None)
        ghi = grad * (x > hi) if hi is not None and ctx.needs_input_grad[2] else None
        return ga, glo, ghi


def clamp(input, min=None, max=None, *, out=None):
    """torch.clamp: min and max may be numbers or tensors (broadcast)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = _dtype.result_type(*[v for v in (input, min, max) if v is not None])
    x = input if input.dtype is dt else input.to(dt)
    lo = min.to(dt) if isinstance(min, Tensor) and min.dtype is not dt else _scalar(min)
    hi = max.to(dt) if isinstance(max, Tensor) and max.dtype is not dt else _scalar(max)
    tensor_bounds = isinstance(lo, Tensor) or isinstance(hi, Tensor)
    return _out((ClampTensor if tensor_bounds else Clamp).apply(x, lo, hi), out)


class ClampTensor(Clamp):
    _backward_name = "ClampBackward0"


clip = clamp


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # ties split the gradient evenly, as torch does
        wa = (a > b) + (a == b) * 0.5
        na, nb = ctx.needs_input_grad
        return (grad * wa.astype(grad.dtype) if na else None,
                grad * (1 - wa).astype(grad.dtype) if nb else None)


class Minimum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        wa = (a < b) + (a == b) * 0.5
        na, nb = ctx.needs_input_grad
        return (grad * wa.astype(grad.dtype) if na else None,
                grad * (1 - wa).astype(grad.dtype) if nb else None)


def maximum(input, other, *, out=None):
    """torch.maximum"""
    if not isinstance(other, Tensor):
        raise TypeError("maximum(): argument 'other' must be Tensor, not "
                        f"{type(other).__name__}; use clamp(min=...) for a number")
    a, b = promote("maximum", input, other)
    return _out(Maximum.apply(a, b), out)


def minimum(input, other, *, out=None):
    """torch.minimum"""
    if not isinstance(other, Tensor):
        raise TypeError("minimum(): argument 'other' must be Tensor, not "
                        f"{type(other).__name__}; use clamp(max=...) for a number")
    a, b = promote("minimum", input, other)
    return _out(Minimum.apply(a, b), out)


class Where(Function):
    _backward_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return ctx.xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        _, na, nb = ctx.needs_input_grad
        return None, (grad * cond if na else None), (grad * ~cond if nb else None)


def where(condition, input=None, other=None, *, out=None):
    """torch.where(cond, x, y); with one argument, torch.nonzero(cond, as_tuple=True)."""
    if input is None and other is None:
        return tuple(Tensor._make(i) for i in condition.device.xp.nonzero(condition._data))
    if condition._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.name.capitalize()}; use cond.bool()")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor._make(np.asarray(input, dtype=_dtype.result_type(input, other).np))
    a, b = promote("where", input, other)
    return _out(Where.apply(condition, a, b), out)


class Lerp(Function):
    """start + weight * (end - start) with a number weight."""

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.w = weight
        return start + weight * (end - start)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.w
        return grad * (1 - w), grad * w, None


class LerpTensor(Function):
    _backward_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save_for_backward(start, end, weight)
        return start + weight * (end - start)

    @staticmethod
    def backward(ctx, grad):
        start, end, w = ctx.saved_tensors
        ns, ne, nw = ctx.needs_input_grad
        return (grad * (1 - w) if ns else None, grad * w if ne else None,
                grad * (end - start) if nw else None)


def lerp(input, end, weight, *, out=None):
    """torch.lerp"""
    if isinstance(weight, Tensor):
        return _out(LerpTensor.apply(input, end, weight), out)
    return _out(Lerp.apply(input, end, _scalar(weight)), out)


class Addcmul(Function):
    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return x + value * (t1 * t2)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        _, n1, n2, _ = ctx.needs_input_grad
        return grad, (grad * (t2 * v) if n1 else None), (grad * (t1 * v) if n2 else None), None


class Addcdiv(Function):
    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return x + value * (t1 / t2)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        _, n1, n2, _ = ctx.needs_input_grad
        return (grad, (grad * (v / t2) if n1 else None),
                (-grad * (v * t1 / (t2 * t2)) if n2 else None), None)


def _same_dtype(op, *tensors):
    dt = _dtype.result_type(*tensors)
    return [t if t.dtype is dt else t.to(dt) for t in tensors]


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """torch.addcmul: input + value * tensor1 * tensor2"""
    x, t1, t2 = _same_dtype("addcmul", input, tensor1, tensor2)
    return _out(Addcmul.apply(x, t1, t2, _scalar(value)), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """torch.addcdiv: input + value * tensor1 / tensor2"""
    x, t1, t2 = _same_dtype("addcdiv", input, tensor1, tensor2)
    if t1._data.dtype.kind in "biu":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2. "
                           "Use .float() on the tensors first.")
    return _out(Addcdiv.apply(x, t1, t2, _scalar(value)), out)


class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        d = a * a + b * b
        return grad * b / d, -grad * a / d


def atan2(input, other, *, out=None):
    """torch.atan2"""
    a, b = promote("atan2", _float_input(input), other)
    return _out(Atan2.apply(a, b), out)


def heaviside(input, values):
    """torch.heaviside"""
    xp = input.device.xp
    x = input._data
    return Tensor._make(xp.where(x == 0, values._data, (x > 0).astype(x.dtype)))


# -- predicates and comparisons (no gradient) --------------------------------------------------
def _pred(name, f):
    def op(input):
        return Tensor._make(f(input.device.xp, input._data))
    op.__name__ = name
    op.__doc__ = f"torch.{name}"
    return op


isnan = _pred("isnan",
              lambda xp, x: xp.isnan(x) if x.dtype.kind == "f" else xp.zeros(x.shape, bool))
isinf = _pred("isinf",
              lambda xp, x: xp.isinf(x) if x.dtype.kind == "f" else xp.zeros(x.shape, bool))
isfinite = _pred("isfinite",
                 lambda xp, x: xp.isfinite(x) if x.dtype.kind == "f" else xp.ones(x.shape, bool))
isposinf = _pred("isposinf", lambda xp, x: xp.isposinf(x) if x.dtype.kind == "f"
                 else xp.zeros(x.shape, bool))
isneginf = _pred("isneginf", lambda xp, x: xp.isneginf(x) if x.dtype.kind == "f"
                 else xp.zeros(x.shape, bool))


class NanToNum(Function):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = ctx.xp
        if x.dtype.kind != "f":
            return x.copy()
        ctx.save_for_backward(x)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.xp.isfinite(x), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """torch.nan_to_num (the gradient passes where the value was finite)"""
    return _out(NanToNum.apply(input, nan, posinf, neginf), out)


def _compare(name, ufunc):
    def op(input, other, *, out=None):
        if isinstance(other, (list, tuple)):
            other = Tensor._make(np.asarray(other))
        a, b = promote(name, input, other)
        return _out(Tensor._make(raw_call(name, ufunc, _arr(a), _arr(b))), out)
    op.__name__ = name
    op.__doc__ = f"torch.{name}"
    return op


eq = _compare("eq", np.equal)
ne = _compare("ne", np.not_equal)
lt = _compare("lt", np.less)
le = _compare("le", np.less_equal)
gt = _compare("gt", np.greater)
ge = _compare("ge", np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def _logical(name, ufunc):
    def op(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        b = other._data if isinstance(other, Tensor) else other
        return _out(Tensor._make(raw_call(name, ufunc, input._data, b)), out)
    op.__name__ = name
    op.__doc__ = f"torch.{name}"
    return op


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input, *, out=None):
    """torch.logical_not"""
    return _out(Tensor._make(np.logical_not(input._data)), out)


def _bitwise(name, ufunc):
    def op(input, other, *, out=None):
        a, b = promote(name, input, other)
        for x in (a, b):
            not_for(f"{name}_cpu", x, "f", "bitwise ops need integer or bool tensors")
        return _out(Tensor._make(raw_call(name, ufunc, _arr(a), _arr(b))), out)
    op.__name__ = name
    op.__doc__ = f"torch.{name}"
    return op


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


def invert(input):
    """``~tensor``: bitwise_not, with torch's TypeError for floating-point tensors."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


def bitwise_not(input, *, out=None):
    """torch.bitwise_not (~)"""
    not_for("bitwise_not_cpu", input, "f", "~ needs an integer or bool tensor")
    return _out(Tensor._make(np.invert(input._data)), out)


