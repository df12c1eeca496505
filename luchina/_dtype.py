"""dtype objects (luchina.float32, ...) and torch's type-promotion rules."""

import builtins as _b

import numpy as np

__all__ = ["dtype", "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
           "bool", "get_default_dtype", "set_default_dtype", "promote_types", "result_type"]

_BOOL, _INT, _FLOAT = 0, 1, 2
builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool


class dtype:
    """A tensor element type; prints as torch's (``torch.float32``) so tutorial output matches."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "_kind")

    def __init__(self, name, np_dtype, kind):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == _FLOAT
        self.is_signed = name not in ("uint8", "bool")
        self._kind = kind

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    @property
    def is_complex(self):
        return False

    def to_complex(self):
        raise TypeError(f"complex dtypes are not supported (asked for the complex form of {self})")


float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
float16 = dtype("float16", np.float16, _FLOAT)
int64 = dtype("int64", np.int64, _INT)
int32 = dtype("int32", np.int32, _INT)
int16 = dtype("int16", np.int16, _INT)
int8 = dtype("int8", np.int8, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool = dtype("bool", np.bool_, _BOOL)  # noqa: A001  (torch.bool)

# torch's aliases
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

_ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, bool)
_FROM_NP = {d.np: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The luchina dtype of a numpy dtype; TypeError for types torch has no counterpart of."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types "
            "are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def to_dtype(d):
    """Accept a luchina dtype, a numpy dtype or a Python type (float, int, bool) as torch does."""
    if type(d) is dtype:
        return d
    if d is builtins_float:  # Python's float is a double, as torch reads it
        return float64
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    if isinstance(d, str):
        name = d.replace("torch.", "")
        if name in _BY_NAME:
            return _BY_NAME[name]
        aliases = {"float": float32, "double": float64, "half": float16, "long": int64,
                   "int": int32, "short": int16}
        if name in aliases:
            return aliases[name]
    return from_numpy_dtype(d)



_default = [float32]


def get_default_dtype():
    """torch.get_default_dtype"""
    return _default[0]


def set_default_dtype(d):
    """torch.set_default_dtype; only floating-point types are allowed, as in torch."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


# torch's promotion lattice: within a kind the wider type wins; uint8 with a signed int -> int16
def promote_types(a, b):
    """torch.promote_types"""
    if a is b:
        return a
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    if a._kind == _FLOAT:
        return a if a.itemsize > b.itemsize else b
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a.itemsize > b.itemsize else b


def _scalar_kind(x):
    t = type(x)
    if t is builtins_bool or t is np.bool_:
        return _BOOL
    if t is builtins_float or isinstance(x, np.floating):
        return _FLOAT
    return _INT


def result_type(*operands):
    """torch.result_type over tensors and Python scalars.

    Tensors with dimensions outrank 0-d tensors, which outrank Python scalars; a lower-priority
    operand only matters when it is of a higher kind (bool < integer < floating).
    """
    from luchina._tensor import Tensor

    dim_t = zero_t = None
    scalar_kind = -1
    for x in operands:
        if isinstance(x, Tensor):
            if x.data.ndim:
                dim_t = x.dtype if dim_t is None else promote_types(dim_t, x.dtype)
            else:
                zero_t = x.dtype if zero_t is None else promote_types(zero_t, x.dtype)
        else:
            scalar_kind = max(scalar_kind, _scalar_kind(x))
    out = dim_t
    if zero_t is not None:
        if out is None or zero_t._kind > out._kind:
            out = zero_t
    if scalar_kind >= 0:
        if out is None:
            out = (bool, int64, _default[0])[scalar_kind]
        elif scalar_kind > out._kind:
            out = int64 if scalar_kind == _INT else _default[0]
    return out
