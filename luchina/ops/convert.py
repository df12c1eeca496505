"""Copies and conversions between dtypes and devices: to, clone, contiguous, float(), cpu()..."""

import numpy as np

from luchina import _dtype
from luchina._device import device as Device
from luchina._tensor import Tensor
from luchina.autograd.function import Function

__all__ = ["to", "clone", "contiguous", "type_as", "cpu", "cuda"]


class ToCopy(Function):
    @staticmethod
    def forward(ctx, x, np_dtype, dev):
        ctx.src = (x.dtype, type(x) is np.ndarray)
        if dev is not None:
            x = _move(x, dev)
        return x.astype(np_dtype) if np_dtype is not None else x.copy()

    @staticmethod
    def backward(ctx, grad):
        dt, on_cpu = ctx.src
        if on_cpu and type(grad) is not np.ndarray:
            grad = grad.get()
        elif not on_cpu and type(grad) is np.ndarray:
            grad = ctx.xp.asarray(grad)
        return grad.astype(dt, copy=False), None, None


def _move(x, dev):
    if dev.type == "cpu":
        return x if type(x) is np.ndarray else x.get()
    xp = dev.xp
    with xp.cuda.Device(dev.index or 0):
        return xp.asarray(x)


def _parse_to(args, kwargs):
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dt, dev = a.dtype, a.device
        elif isinstance(a, _dtype.dtype) or a in (float, int, bool):
            dt = a
        elif isinstance(a, (str, Device, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, bool):
            pass  # non_blocking positional
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return (_dtype.to_dtype(dt) if dt is not None else None,
            Device(dev) if dev is not None else None, copy)


def to(input, *args, **kwargs):
    """torch.Tensor.to(dtype | device | tensor, copy=False): self when nothing changes."""
    dt, dev, copy = _parse_to(args, kwargs)
    same_dt = dt is None or dt.np == input._data.dtype
    same_dev = dev is None or dev == input.device
    if same_dt and same_dev and not copy:
        return input
    if dev is not None and dev.type == "cuda":
        _ = dev.xp  # raises the clear "no CUDA" error before anything else
    return ToCopy.apply(input, None if dt is None else dt.np, None if same_dev else dev)


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input, *, memory_format=None):
    """torch.clone"""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """torch.Tensor.contiguous: self when already C-contiguous."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


def type_as(input, other):
    """torch.Tensor.type_as"""
    return to(input, other.dtype)


def cpu(input, memory_format=None):
    """torch.Tensor.cpu"""
    return to(input, "cpu")


def cuda(input, device=None, non_blocking=False, memory_format=None):
    """torch.Tensor.cuda"""
    return to(input, Device("cuda" if device is None else
                            (f"cuda:{device}" if isinstance(device, int) else device)))


def _caster(name, dt):
    def method(self, memory_format=None):
        return to(self, dt)
    method.__name__ = name
    method.__doc__ = f"torch.Tensor.{name}"
    return method


CASTS = {name: _caster(name, dt) for name, dt in (
    ("float", _dtype.float32), ("double", _dtype.float64), ("half", _dtype.float16),
    ("long", _dtype.int64), ("int", _dtype.int32), ("short", _dtype.int16),
    ("char", _dtype.int8), ("byte", _dtype.uint8), ("bool", _dtype.bool))}
