"""Every differentiable op, grouped by family; this module binds them as Tensor methods.

Each family module lists its namespace functions in ``__all__`` and the Tensor methods it
provides in ``METHODS`` (name -> function taking the tensor first).
"""

import types

from luchina._tensor import Tensor
from luchina.ops import (
    activation,
    compare,
    convert,
    elementwise,
    fill,
    indexing,
    linalg,
    reduce,
    shape,
    unary,
)

__all__ = ["FAMILIES"]

FAMILIES = (elementwise, unary, compare, activation, convert, fill, reduce, linalg, shape,
            indexing)

# the three pointwise modules, as one namespace for the method table below
E = types.SimpleNamespace(**{k: v for m in (elementwise, unary, compare) for k, v in vars(m).items()
                             if not k.startswith("__")})


def _reflected(op):
    def method(self, other):
        return op(other, self)
    method.__name__ = "__r" + op.__name__ + "__"
    return method


def _inplace_dunder(method):
    def dunder(self, other):
        return method(self, other)
    return dunder


_METHODS = {
    # arithmetic and its dunders
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul,
    "div": E.div, "divide": E.div, "true_divide": E.div, "floor_divide": E.floor_divide,
    "remainder": E.remainder, "fmod": E.fmod, "pow": E.pow, "neg": E.neg, "negative": E.neg,
    "float_power": E.float_power,
    "__add__": E.add, "__radd__": E.add, "__sub__": E.sub, "__rsub__": _reflected(E.sub),
    "__mul__": E.mul, "__rmul__": E.mul, "__truediv__": E.div, "__rtruediv__": E.rdiv,
    "__floordiv__": E.floor_divide, "__rfloordiv__": _reflected(E.floor_divide),
    "__mod__": E.remainder, "__rmod__": _reflected(E.remainder),
    "__pow__": E.pow, "__rpow__": _reflected(E.pow), "__neg__": E.neg,
    "__pos__": lambda self: self, "__abs__": E.abs,
    "__eq__": E.eq, "__ne__": E.ne, "__lt__": E.lt, "__le__": E.le, "__gt__": E.gt,
    "__ge__": E.ge,
    "__and__": E.bitwise_and, "__or__": E.bitwise_or, "__xor__": E.bitwise_xor,
    "__rand__": E.bitwise_and, "__ror__": E.bitwise_or, "__rxor__": E.bitwise_xor,
    "__invert__": E.invert,
    "add_": E.add_, "sub_": E.sub_, "mul_": E.mul_, "div_": E.div_,
    "subtract_": E.sub_, "multiply_": E.mul_, "divide_": E.div_,
    "__iadd__": E.add_, "__isub__": E.sub_, "__imul__": E.mul_, "__itruediv__": E.div_,
    # comparisons and logic
    "eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge,
    "greater": E.gt, "less": E.lt, "greater_equal": E.ge, "less_equal": E.le,
    "not_equal": E.ne, "logical_and": E.logical_and, "logical_or": E.logical_or,
    "logical_xor": E.logical_xor, "logical_not": E.logical_not,
    "bitwise_and": E.bitwise_and, "bitwise_or": E.bitwise_or, "bitwise_xor": E.bitwise_xor,
    "bitwise_not": E.bitwise_not,
    "isnan": E.isnan, "isinf": E.isinf, "isfinite": E.isfinite, "isposinf": E.isposinf,
    "isneginf": E.isneginf, "nan_to_num": E.nan_to_num, "signbit": E.signbit,
    # math
    "maximum": E.maximum, "minimum": E.minimum, "clamp": E.clamp, "clip": E.clamp,
    "where": lambda self, condition, other: E.where(condition, self, other),
    "lerp": E.lerp, "addcmul": E.addcmul, "addcdiv": E.addcdiv, "atan2": E.atan2,
    "heaviside": E.heaviside,
    # conversions
    "to": convert.to, "clone": convert.clone, "contiguous": convert.contiguous,
    "type_as": convert.type_as, "cpu": convert.cpu, "cuda": convert.cuda, **convert.CASTS,
    # activations
    "sigmoid": activation.sigmoid, "tanh": activation.tanh, "relu": activation.relu,
}

for _name in ("exp", "exp2", "log", "log1p", "expm1", "log2", "log10", "sqrt", "rsqrt",
              "square", "abs", "absolute", "sign", "sgn", "sin", "cos", "tan", "asin", "acos",
              "atan", "sinh", "cosh", "reciprocal", "floor", "ceil", "round", "trunc", "frac",
              "erf"):
    _METHODS[_name] = getattr(E, _name)

# in-place forms through the generic machinery (add_/sub_/mul_/div_ have ufunc fast paths)
for _name, _op in (("clamp", E.clamp), ("clip", E.clamp), ("pow", E.pow), ("neg", E.neg),
                   ("floor_divide", E.floor_divide), ("remainder", E.remainder),
                   ("fmod", E.fmod), ("lerp", E.lerp), ("addcmul", E.addcmul),
                   ("addcdiv", E.addcdiv), ("exp", E.exp), ("log", E.log), ("sqrt", E.sqrt),
                   ("rsqrt", E.rsqrt), ("abs", E.abs), ("sign", E.sign), ("sin", E.sin),
                   ("cos", E.cos), ("tanh", activation.tanh), ("sigmoid", activation.sigmoid),
                   ("relu", activation.relu), ("floor", E.floor), ("ceil", E.ceil),
                   ("round", E.round), ("trunc", E.trunc), ("reciprocal", E.reciprocal),
                   ("square", E.square), ("log1p", E.log1p), ("expm1", E.expm1),
                   ("maximum", E.maximum), ("minimum", E.minimum), ("nan_to_num", E.nan_to_num),
                   ("negative", E.neg), ("frac", E.frac), ("exp2", E.exp2), ("log2", E.log2)):
    _METHODS[_name + "_"] = E._inplace_of(_name + "_", _op)
_METHODS["__ipow__"] = _METHODS["pow_"]
_METHODS["__ifloordiv__"] = _METHODS["floor_divide_"]
_METHODS["__imod__"] = _METHODS["remainder_"]
for _name in ("and", "or", "xor"):
    _METHODS[f"__i{_name}__"] = E._inplace_of(f"bitwise_{_name}_",
                                              getattr(E, f"bitwise_{_name}"))
    _METHODS[f"bitwise_{_name}_"] = _METHODS[f"__i{_name}__"]
for _name in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"):
    _METHODS[_name + "_"] = E._inplace_of(_name + "_", getattr(E, _name))
_METHODS["logical_not_"] = E._inplace_of("logical_not_", E.logical_not)


def _bind():
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    for family in FAMILIES:
        for name, fn in getattr(family, "METHODS", {}).items():
            setattr(Tensor, name, fn)
    for name, fn in shape.PROPERTIES.items():  # x.T, x.mT, x.H, x.mH
        setattr(Tensor, name, property(fn))
    Tensor.__matmul__ = Tensor.matmul
    Tensor.__rmatmul__ = _reflected(linalg.matmul)


_bind()
