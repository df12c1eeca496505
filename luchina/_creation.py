"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, rand..."""

import builtins
import math

import numpy as np

from luchina import _dtype
from luchina._device import CPU
from luchina._device import device as Device
from luchina._random import rng
from luchina._tensor import Tensor

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "CharTensor",
    "DoubleTensor",
    "FloatTensor",
    "HalfTensor",
    "IntTensor",
    "LongTensor",
    "ShortTensor",
    "arange",
    "as_tensor",
    "asarray",
    "bernoulli",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "logspace",
    "multinomial",
    "normal",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "range",
    "scalar_tensor",
    "tensor",
    "zeros",
    "zeros_like",
]


def _finish(arr, dtype, device, requires_grad):
    """Place an array on its device and wrap it; validates requires_grad as torch does."""
    if device is not None:
        dev = Device(device)
        if dev.type != "cpu":
            arr = dev.xp.asarray(arr)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer(data, dt=None):
    """Nested Python data -> numpy array with torch's dtype inference (or straight into dt)."""
    if isinstance(data, Tensor):
        return np.array(data)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return data.copy()
    if isinstance(data, np.generic):
        return np.array(data)
    if isinstance(data, (list, tuple)):
        _check_ragged(data)
        flat = _flatten_tensors(data)
        try:
            if dt is not None and not dt.is_floating_point and _has_float(flat):
                arr = np.array(flat)  # floats into an int type truncate, via _cast
            else:
                arr = np.array(flat, dtype=None if dt is None else dt.np)
        except ValueError as e:
            raise ValueError(f"tensor(): could not build a tensor from the nested data ({e})") \
                from None
        if arr.dtype == object:
            raise TypeError("tensor(): nested data must hold only numbers, bools or tensors")
        if arr.dtype.kind == "f" and dt is None and not _has_numpy_float(flat):
            arr = arr.astype(_dtype.get_default_dtype().np)
        elif arr.dtype.kind in "US":
            raise TypeError(f"new(): invalid data type '{arr.dtype.kind == 'U' and 'str'}'")
        elif arr.size == 0 and arr.dtype == np.float64:
            arr = arr.astype(_dtype.get_default_dtype().np)
        return arr
    if type(data) is builtins.float:
        return np.array(data, dtype=(dt or _dtype.get_default_dtype()).np)
    if isinstance(data, (builtins.int, builtins.bool)):
        return np.array(data)
    if hasattr(data, "__array__"):
        return np.asarray(data).copy()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _has_numpy_float(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            if _has_numpy_float(x):
                return True
        elif isinstance(x, (np.ndarray, np.floating)) and x.dtype == np.float64:
            return True
    return False


def _has_float(flat):
    for x in flat:
        if isinstance(x, list):
            if _has_float(x):
                return True
        elif isinstance(x, (builtins.float, np.floating)) or (
                isinstance(x, np.ndarray) and x.dtype.kind == "f"):
            return True
    return False


def _flatten_tensors(data):
    out = []
    for x in data:
        if isinstance(x, Tensor):
            if x.numel() != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            out.append(np.asarray(x).reshape(()))
        elif isinstance(x, (list, tuple)):
            out.append(_flatten_tensors(x))
        else:
            out.append(x)
    return out


def _check_ragged(data, depth=1):
    lens = None
    kinds = {isinstance(x, (list, tuple)) for x in data}
    if len(kinds) > 1:
        bad = next(x for x in data if not isinstance(x, (list, tuple)))
        raise TypeError(f"tensor(): expected a sequence at dim {depth} but found "
                        f"{type(bad).__name__} (the nested lists must be rectangular)")
    for x in data:
        if isinstance(x, (list, tuple)):
            if lens is None:
                lens = len(x)
            elif len(x) != lens:
                raise ValueError(f"expected sequence of length {lens} at dim {depth} "
                                 f"(got {len(x)})")
            _check_ragged(x, depth + 1)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: always copies; floats -> float32, ints -> int64, bools -> bool."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        arr = np.array(data) if data.device.type == "cpu" else data._data.copy()
        if device is None and data.device.type != "cpu":
            device = data.device
    elif dtype is not None and isinstance(data, (list, tuple, builtins.float, builtins.int)):
        arr = _infer(data, _dtype.to_dtype(dtype))
    else:
        arr = _infer(data)
    if dtype is not None:
        arr = _cast(arr, _dtype.to_dtype(dtype))
    return _finish(arr, dtype, device, requires_grad)


def _cast(arr, dt):
    if arr.dtype == dt.np:
        return arr
    if dt.np.kind in "iu" and arr.dtype.kind == "f" and arr.size and not np.isfinite(arr).all():
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    return arr.astype(dt.np)


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: shares memory with a numpy array or tensor when no conversion is needed."""
    if isinstance(data, Tensor):
        t = data
        if dtype is not None or device is not None:
            t = t.to(device=device, dtype=dtype)
        return t
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        arr = data if dtype is None else _cast(data, _dtype.to_dtype(dtype))
        return _finish(arr, dtype, device, False)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """torch.from_numpy: shares memory with the array (writes show through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size(size, op):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (builtins.int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(f"{op}(): argument 'size' must be a tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(builtins.int(s))
    return tuple(out)


def _np_dtype(dtype):
    return (_dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()).np


def _filled(op, fill, size, dtype, device, requires_grad, out=None, kw_size=None):
    shape = _size(size if kw_size is None else (kw_size,), op)
    arr = fill(shape, _np_dtype(dtype))
    t = _finish(arr, dtype, device, requires_grad)
    if out is not None:
        out._data = t._data
        return out
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kw):
    """torch.zeros"""
    return _filled("zeros", np.zeros, size, dtype, device, requires_grad, out, kw.get("size"))


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None, **kw):
    """torch.ones"""
    return _filled("ones", np.ones, size, dtype, device, requires_grad, out, kw.get("size"))


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kw):
    """torch.empty (zero-filled: luchina never exposes uninitialised memory)"""
    return _filled("empty", np.zeros, size, dtype, device, requires_grad, out, kw.get("size"))


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """torch.full: the dtype follows fill_value (float -> default float, int -> int64)."""
    if dtype is None:
        dtype = _dtype.result_type(_scalar_value(fill_value))
    shape = _size((size,), "full")
    arr = np.full(shape, _scalar_value(fill_value), dtype=_np_dtype(dtype))
    return _finish(arr, dtype, device, requires_grad)


def _scalar_value(v):
    if isinstance(v, Tensor):
        return v.item()
    return v.item() if isinstance(v, np.generic) else v


def _like(input, dtype, device):
    return (input.dtype if dtype is None else _dtype.to_dtype(dtype),
            input.device if device is None else device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """torch.zeros_like"""
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """torch.ones_like"""
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """torch.empty_like"""
    dt, dev = _like(input, dtype, device)
    return empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """torch.full_like"""
    dt, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """torch.scalar_tensor"""
    return tensor(builtins.float(s), dtype=dtype or _dtype.get_default_dtype(), device=device,
                  requires_grad=requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """torch.arange: int64 when start, end and step are all integers, else the default float."""
    if end is None:
        start, end = 0, start
    start, end, step = (_scalar_value(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        is_int = all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dtype = _dtype.int64 if is_int else _dtype.get_default_dtype()
    n = builtins.max(math.ceil((end - start) / step), 0)
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(_np_dtype(dtype)) \
        if _dtype.to_dtype(dtype).is_floating_point else \
        np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(_np_dtype(dtype))
    return _finish(arr, dtype, device, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """torch.range (deprecated in torch): includes the end point, default float dtype."""
    if end is None:
        start, end = 0, start
    n = math.floor((end - start) / step) + 1
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(_np_dtype(dtype))
    return _finish(arr, dtype, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """torch.linspace"""
    start, end = _scalar_value(start), _scalar_value(end)
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    dt = _np_dtype(dtype)
    work = dt if dt.kind == "f" else np.dtype(np.float64)
    arr = np.full(steps, start, dtype=work)
    if steps > 1:
        # as torch: the step rounded to the output type, each value one fused multiply-add
        # (exact product, one rounding), the second half counted back from the end point
        lo, hi = work.type(start), work.type(end)
        step = np.float64((hi - lo) / work.type(steps - 1))
        half = steps // 2
        idx = np.arange(steps, dtype=np.float64)
        arr = np.where(idx < half, np.float64(lo) + step * idx,
                       np.float64(hi) - step * (steps - 1 - idx)).astype(work)
    return _finish(arr.astype(dt), dtype, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """torch.logspace"""
    arr = base ** np.linspace(start, end, steps, dtype=np.float64)
    return _finish(arr.astype(_np_dtype(dtype)), dtype, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.eye"""
    arr = np.eye(n, n if m is None else m, dtype=_np_dtype(dtype))
    return _finish(arr, dtype, device, requires_grad)


# -- random ------------------------------------------------------------------------------------
def _float_random(op, dtype):
    dt = _np_dtype(dtype)
    if dt.kind != "f":
        raise RuntimeError(f"\"{op}\" not implemented for '{_dtype.to_dtype(dtype).name}': it "
                           "draws floating-point numbers; use randint for integers")
    return dt


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kw):
    """torch.rand: uniform on [0, 1)"""
    shape = _size(size or (kw.pop("size"),), "rand")
    dt = _float_random("rand", dtype)
    arr = rng(generator).random(shape, dtype=dt if dt in (np.float32, np.float64) else np.float64)
    return _finish(arr.astype(dt, copy=False), dtype, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kw):
    """torch.randn: standard normal"""
    shape = _size(size or (kw.pop("size"),), "randn")
    dt = _float_random("randn", dtype)
    arr = rng(generator).standard_normal(
        shape, dtype=dt if dt in (np.float32, np.float64) else np.float64)
    return _finish(arr.astype(dt, copy=False), dtype, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """torch.randint(low=0, high, size): integers in [low, high), int64 by default."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: call randint(high, size) or "
                        "randint(low, high, size)")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    shape = _size((size,), "randint")
    arr = rng(generator).integers(low, high, shape, dtype=np.int64)
    return _finish(arr.astype(_np_dtype(dtype or _dtype.int64)), dtype, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """torch.randperm"""
    arr = rng(generator).permutation(n).astype(_np_dtype(dtype or _dtype.int64))
    return _finish(arr, dtype, device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """torch.rand_like"""
    dt, dev = _like(input, dtype, device)
    return rand(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """torch.randn_like"""
    dt, dev = _like(input, dtype, device)
    return randn(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """torch.randint_like"""
    if high is None:
        low, high = 0, low
    dt, dev = _like(input, dtype, device)
    return randint(low, high, input.shape, dtype=dt, device=dev)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    """torch.normal: tensor or float mean/std (broadcast), or floats with a size."""
    g = rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        if isinstance(s, np.ndarray) and (s < 0).any() or not isinstance(s, np.ndarray) and s < 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        arr = (m + s * g.standard_normal(shape)).astype(ref._data.dtype)
        return _finish(arr, None, ref.device, False)
    if size is None:
        raise TypeError("normal(): with float mean and std, a size is required")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    shape = _size((size,), "normal")
    arr = (mean + std * g.standard_normal(shape)).astype(_np_dtype(dtype))
    return _finish(arr, dtype, device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """torch.bernoulli: 0/1 draws with probabilities ``input`` (or the scalar p)."""
    probs = input._data if p is None else np.full(input.shape, p)
    if probs.size and (bool((probs < 0).any()) or bool((probs > 1).any())):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false: "
                           "bernoulli probabilities must lie in [0, 1]")
    arr = (rng(generator).random(input.shape) < probs).astype(input._data.dtype)
    return Tensor._make(arr)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """torch.multinomial: rows of non-negative weights -> sampled indices (int64)."""
    w = np.asarray(input, dtype=np.float64)
    one = w.ndim == 1
    w2 = w.reshape(1, -1) if one else w
    if (w2 < 0).any() or not np.isfinite(w2).all():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if not replacement and num_samples > w2.shape[1]:
        raise RuntimeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({num_samples} > {w2.shape[1]})")
    g = rng(generator)
    rows = []
    for row in w2:
        total = row.sum()
        if total <= 0:
            raise RuntimeError("multinomial: invalid multinomial distribution (sum of "
                               "probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError("multinomial: invalid multinomial distribution (with replacement="
                               "False, not enough non-negative category to sample)")
        rows.append(g.choice(row.size, size=num_samples, replace=replacement, p=row / total))
    arr = np.array(rows, dtype=np.int64)
    return Tensor._make(arr[0] if one else arr)


# -- torch's legacy typed constructors ---------------------------------------------------------
def _legacy_tensor_data(args, dt, device):
    """Data for Tensor(...) / FloatTensor(...): sizes give zeros, a sequence gives a copy."""
    dt = dt or _dtype.get_default_dtype()
    if not args:
        arr = np.zeros((0,), dtype=dt.np)
    elif len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer, Tensor)) \
            and not isinstance(args[0], (tuple, list)) and not hasattr(args[0], "__array__"):
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    elif all(isinstance(a, (builtins.int, np.integer)) and not isinstance(a, builtins.bool)
             for a in args):
        arr = np.zeros(tuple(builtins.int(a) for a in args), dtype=dt.np)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        arr = np.array(args[0]).astype(dt.np)
    elif len(args) == 1:
        arr = np.array(_flatten_tensors(args[0]) if isinstance(args[0], (list, tuple))
                       else args[0]).astype(dt.np)
        if arr.ndim == 0:
            raise TypeError("new(): data must be a sequence (got a number)")
    else:
        raise TypeError(f"new() received an invalid combination of arguments {args!r}")
    if device is not None and Device(device).type != "cpu":
        arr = Device(device).xp.asarray(arr)
    return arr


class _TensorTypeMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._dtype.np and \
            obj.device == CPU

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _typed(name, dt):
    def __new__(cls, *args, device=None):
        t = Tensor.__new__(Tensor)
        t._init(_legacy_tensor_data(args, dt, device))
        return t
    return _TensorTypeMeta(name, (), {"__new__": __new__, "_dtype": dt,
                                      "__doc__": f"torch.{name}: a {dt} tensor constructor."})


FloatTensor = _typed("FloatTensor", _dtype.float32)
DoubleTensor = _typed("DoubleTensor", _dtype.float64)
HalfTensor = _typed("HalfTensor", _dtype.float16)
LongTensor = _typed("LongTensor", _dtype.int64)
IntTensor = _typed("IntTensor", _dtype.int32)
ShortTensor = _typed("ShortTensor", _dtype.int16)
CharTensor = _typed("CharTensor", _dtype.int8)
ByteTensor = _typed("ByteTensor", _dtype.uint8)
BoolTensor = _typed("BoolTensor", _dtype.bool)
