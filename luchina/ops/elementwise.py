"""Elementwise arithmetic with torch's type promotion, ``out=``, and the in-place forms."""

import builtins
import math

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.autograd.grad_mode import _mode
from luchina.ops._util import check_same_device, inplace

__all__ = ["add", "div", "divide", "float_power", "floor_divide", "fmod", "mul", "multiply",
           "neg", "negative", "pow", "remainder", "sub", "subtract", "true_divide"]

_PY_SCALARS = (builtins.int, builtins.float, builtins.bool)


def _scalar(x):
    """Python and numpy scalars pass through as Python numbers; anything else must be a Tensor."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (np.ndarray, list, tuple)):
        raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}; wrap it with "
                        "torch.tensor(...)")
    return x


def promote(op, a, b):
    """Bring two operands to torch's common dtype (casting tensors, keeping Python scalars)."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        if a._data.dtype == b._data.dtype:
            if type(a._data) is not type(b._data):
                check_same_device(op, a, b)
            return a, b
        check_same_device(op, a, b)
        dt = _dtype.result_type(a, b)
        return (a if a.dtype is dt else a.to(dt)), (b if b.dtype is dt else b.to(dt))
    if ta:
        b = _scalar(b)
        t = a
    elif tb:
        a = _scalar(a)
        t = b
    else:
        raise TypeError(f"{op}(): expected at least one Tensor argument")
    s = b if ta else a
    if not isinstance(s, _PY_SCALARS):
        raise TypeError(f"{op}(): unsupported operand type {type(s).__name__}")
    kind = t._data.dtype.kind
    if kind in "iu" and type(s) is builtins.int:
        lo, hi = _INT_RANGE[t._data.dtype.char]
        if not lo <= s <= hi:  # torch wraps the scalar into the tensor's type
            s = np.array(s & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).astype(t._data.dtype).item()
            return (a, s) if ta else (s, b)
        return a, b
    if kind == "f" or (kind in "iu" and type(s) is not builtins.float) or type(s) is builtins.bool:
        return a, b
    dt = _dtype.result_type(t, s)
    t = t.to(dt)
    return (t, b) if ta else (a, t)


_INT_RANGE = {np.dtype(t).char: (np.iinfo(t).min, np.iinfo(t).max)
              for t in (np.int8, np.int16, np.int32, np.int64, np.uint8)}


_TORCH_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def not_for(op, x, kinds, hint):
    """torch's NotImplementedError for a dtype an op has no kernel for."""
    if isinstance(x, Tensor) and x._data.dtype.kind in kinds:
        raise NotImplementedError(
            f"\"{op}\" not implemented for '{_TORCH_TYPE[x._data.dtype.name]}': {hint}")


def raw_call(op, fn, *arrays):
    """Call a numpy function outside Function.apply with torch's broadcasting error."""
    try:
        return fn(*arrays)
    except ValueError as e:
        from luchina.autograd.function import _op_error
        raise _op_error(op, e, arrays) from None


def _float_input(x):
    """Integer and bool tensors become the default float type before float math, as in torch."""
    return x if x._data.dtype.kind == "f" else x.to(_dtype.get_default_dtype())


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


# -- arithmetic --------------------------------------------------------------------------------
class Add(Function):
    _scalars_as_tensors = True
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    _scalars_as_tensors = True
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class RSub(Function):
    _backward_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b):  # b - a, with a the tensor
        return b - a

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


class Mul(Function):
    _scalars_as_tensors = True
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (grad * b if na else None), (grad * a if nb else None)


class Div(Function):
    _scalars_as_tensors = True
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = grad / b if na else None
        gb = -grad * a / (b * b) if nb else None
        return ga, gb


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


def _check_alpha(input, other, alpha):
    if type(alpha) is builtins.float and all(
            not isinstance(x, Tensor) or x._data.dtype.kind in "biu" for x in (input, other)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def add(input, other, *, alpha=1, out=None):
    """torch.add"""
    if alpha != 1:
        _check_alpha(input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    a, b = promote("add", input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return _out(Add.apply(a, b), out)


def sub(input, other, *, alpha=1, out=None):
    """torch.sub"""
    if alpha != 1:
        _check_alpha(input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    bools = [type(x) is builtins.bool or isinstance(x, Tensor) and x._data.dtype == np.bool_
             for x in (input, other)]
    if all(bools):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    a, b = promote("sub", input, other)
    if isinstance(a, Tensor):
        return _out(Sub.apply(a, b), out)
    return _out(RSub.apply(b, a), out)


def mul(input, other, *, out=None):
    """torch.mul"""
    a, b = promote("mul", input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return _out(Mul.apply(a, b), out)


def div(input, other, *, rounding_mode=None, out=None):
    """torch.div; integer inputs give the default float type unless rounding_mode is set."""
    if rounding_mode == "floor":
        a, b = promote("div", input, other)
        not_for("div_floor_cpu", a if isinstance(a, Tensor) else b, "b", "use .long() first")
        _check_int_zero_division("div", b)
        if not isinstance(a, Tensor):
            a = Tensor._make(b.device.xp.asarray(a, dtype=b._data.dtype))
        return _out(DivFloor.apply(a, b), out)
    if rounding_mode == "trunc":
        a, b = promote("div", input, other)
        not_for("div_trunc_cpu", a if isinstance(a, Tensor) else b, "b", "use .long() first")
        if not _is_float(a, b):
            _check_int_zero_division("div", b)
        if not isinstance(a, Tensor):
            a = Tensor._make(b.device.xp.asarray(a, dtype=b._data.dtype))
        return _out(DivTrunc.apply(a, b), out)
    if rounding_mode is not None:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    a, b = promote("div", input, other)
    if not _is_float(a, b):
        a = _float_input(a) if isinstance(a, Tensor) else builtins.float(a)
        b = _float_input(b) if isinstance(b, Tensor) else builtins.float(b)
    return _out(Div.apply(a, b), out)


def _is_float(a, b):
    for x in (a, b):
        if isinstance(x, Tensor) and x._data.dtype.kind == "f":
            return True
        if type(x) is builtins.float:
            return True
    return False


class DivTrunc(Function):
    """Division rounded toward zero; its gradient is zero, as torch's DivBackward2."""

    _backward_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b):
        xp = ctx.xp
        if a.dtype.kind == "f":
            return xp.trunc(a / b)
        q = xp.trunc(xp.true_divide(a, b))
        return q.astype(xp.result_type(a, b))

    @staticmethod
    def backward(ctx, grad):
        zero = grad * 0
        return zero, (zero if ctx.needs_input_grad[1] else None)


class FloorDivide(Function):
    _backward_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b):
        return a // b

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented; use "
                           "torch.div(a, b, rounding_mode='floor') on detached values, or a "
                           "differentiable formulation")


def floor_divide(input, other, *, out=None):
    """torch.floor_divide (gradient zero, as torch's)"""
    a, b = promote("floor_divide", input, other)
    not_for("div_floor_cpu", a, "b", "floor division needs numbers, not bools")
    _check_int_zero_division("floor_divide", b)
    if not isinstance(a, Tensor):
        return _out(Tensor._make(np.floor_divide(a, b._data)), out)
    return _out(FloorDivide.apply(a, b), out)


class DivFloor(DivTrunc):
    """Division rounded down; its gradient is zero, as torch's DivBackward2."""

    _backward_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b):
        return a // b


def _check_int_zero_division(op, b):
    arr = _arr(b)
    kind = arr.dtype.kind if isinstance(b, Tensor) else ("f" if isinstance(b, float) else "i")
    if kind in "iu" and not bool(np.all(arr != 0)):
        raise RuntimeError(f"{op}: ZeroDivisionError (integer division by zero)")


class Remainder(Function):
    _backward_name = "RemainderBackward1"
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.mod(a, b) if ctx.xp is np else ctx.xp.mod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = -grad * ctx.xp.floor(a / b) if ctx.needs_input_grad[1] else None
        return grad, gb


class RemainderScalar(Remainder):
    _backward_name = "RemainderBackward0"


def remainder(input, other, *, out=None):
    """torch.remainder: Python's modulus (the result has the divisor's sign)."""
    a, b = promote("remainder", input, other)
    not_for("remainder_cpu", a, "b", "convert with .long() or .float()")
    _check_int_zero_division("remainder", b)
    if not isinstance(a, Tensor):
        return _out(Tensor._make(np.mod(a, b._data)), out)
    return _out((Remainder if isinstance(b, Tensor) else RemainderScalar).apply(a, b), out)


class Fmod(Function):
    _backward_name = "FmodBackward1"
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = -grad * ctx.xp.trunc(a / b) if ctx.needs_input_grad[1] else None
        return grad, gb


class FmodScalar(Fmod):
    _backward_name = "FmodBackward0"


def fmod(input, other, *, out=None):
    """torch.fmod: C's remainder (the result has the dividend's sign)."""
    a, b = promote("fmod", input, other)
    not_for("fmod_cpu", a, "b", "convert with .long() or .float()")
    _check_int_zero_division("fmod", b)
    return _out((Fmod if isinstance(b, Tensor) else FmodScalar).apply(a, b), out)


class Pow(Function):
    """tensor ** number"""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return a ** exponent

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return grad * 0, None
        if e == 2:
            return grad * (a * 2), None
        return grad * (e * a ** (e - 1)), None


class PowTensor(Function):
    """tensor ** tensor"""

    _backward_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        xp = ctx.xp
        na, nb = ctx.needs_input_grad
        ga = grad * b * xp.where(b == 0, 0, a ** (b - 1)) if na else None
        gb = grad * out * xp.log(xp.where((a == 0) & (b >= 0), 1, a)) if nb else None
        return ga, gb


class RPow(Function):
    """number ** tensor"""

    _backward_name = "PowBackward2"

    @staticmethod
    def forward(ctx, a, base):
        out = base ** a
        ctx.save_for_backward(out)
        ctx.base = base
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        base = ctx.base
        return grad * out * (math.log(base) if base > 0 else (0.0 if base == 0 else math.nan)), None


def pow(input, exponent, *, out=None):
    """torch.pow"""
    a, b = promote("pow", input, exponent)
    not_for("pow", a if isinstance(a, Tensor) else b, "b", "convert with .long() or .float()")
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a._data.dtype.kind in "iu" and bool((b._data < 0).any()):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _out(PowTensor.apply(a, b), out)
    if isinstance(a, Tensor):
        if a._data.dtype.kind in "iub" and type(b) is builtins.int and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _out(Pow.apply(a, b), out)
    return _out(RPow.apply(b, a), out)


def float_power(input, exponent):
    """torch.float_power: pow in float64"""
    a = input.double() if isinstance(input, Tensor) else builtins.float(input)
    b = exponent.double() if isinstance(exponent, Tensor) else builtins.float(exponent)
    return pow(a, b)


def rdiv(input, other):
    """``number / tensor``: torch computes it as ``tensor.reciprocal() * number``."""
    if isinstance(other, Tensor):
        return div(other, input)
    from luchina.ops.unary import reciprocal
    return mul(reciprocal(input), other)


def neg(input, *, out=None):
    """torch.neg"""
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return _out(Neg.apply(input), out)


negative = neg
subtract = sub
multiply = mul
divide = div
true_divide = div


def _out(result, out):
    """Write into ``out=`` (torch resizes it and keeps its dtype rules); autograd refuses it."""
    if out is None:
        return result
    if _mode.enabled and (result._rg or out._rg):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one "
                           "of the arguments requires grad.")
    if out._data.dtype != result._data.dtype and not np.can_cast(
            result._data.dtype, out._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type "
                           f"{out.dtype}")
    if out._data.shape != result._data.shape:
        out._data = out.device.xp.empty(result._data.shape, out._data.dtype)
    out._data[...] = result._data
    out._bump_version("out=")
    return out


# -- in-place forms -----------------------------------------------------------------------------
def _inplace_binary(name, op, ufunc):
    """``x.add_(y)``: a ufunc writing into x's memory when autograd is not involved."""

    def method(self, other, **kwargs):
        if kwargs or _mode.enabled and (self._rg or isinstance(other, Tensor) and other._rg) \
                or type(other) is builtins.bool:
            return inplace(self, name, lambda t, o: op(t, o, **kwargs), (other,))
        b = other._data if isinstance(other, Tensor) else _scalar(other)
        if isinstance(other, Tensor) and type(b) is not type(self._data):
            check_same_device(name, self, other)
        try:
            ufunc(self._data, b, out=self._data, casting="same_kind")
        except TypeError:
            # torch casts any result back within the same category (int16 into uint8), and
            # refuses only float into int or int into bool
            return inplace(self, name, op, (other,))
        except ValueError as e:
            try:
                full = np.broadcast_shapes(self._data.shape, np.shape(b))
            except ValueError:
                from luchina.autograd.function import _op_error
                raise _op_error(name, e, (self._data, b)) from None
            raise RuntimeError(f"{name}: output with shape {list(self._data.shape)} doesn't "
                               f"match the broadcast shape {list(full)}") from None
        self._bump_version(name)
        return self

    method.__name__ = name
    return method


add_ = _inplace_binary("add_", add, np.add)
sub_ = _inplace_binary("sub_", sub, np.subtract)
mul_ = _inplace_binary("mul_", mul, np.multiply)
div_ = _inplace_binary("div_", div, np.true_divide)


def _inplace_of(name, op):
    def method(self, *args, **kwargs):
        return inplace(self, name, lambda t, *a: op(t, *a, **kwargs), args)
    method.__name__ = name
    return method
