"""Devices: 'cpu' runs on NumPy, 'cuda' on CuPy (imported here only, and only when asked for)."""

import numpy as np

__all__ = ["device"]

_cupy = None


def _load_cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception:  # no CuPy, no driver or no GPU: CUDA is simply unavailable
            _cupy = False
    return _cupy


def cuda_is_available():
    return bool(_load_cupy())


class device:
    """torch.device('cpu' | 'cuda' | 'cuda:N'); ``.xp`` is the array module that runs its ops."""

    __slots__ = ("type", "index")

    def __new__(cls, type_or_device="cpu", index=None):
        if isinstance(type_or_device, device):
            return type_or_device
        if not isinstance(type_or_device, str):
            if isinstance(type_or_device, int):
                type_or_device, index = "cuda", type_or_device
            else:
                raise TypeError(f"device(): expected a string such as 'cpu' or 'cuda:0', "
                                f"got {type(type_or_device).__name__}")
        kind, _, idx = type_or_device.partition(":")
        if kind not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, mps, meta device type at start of device string: "
                f"{type_or_device}")
        if idx:
            if index is not None:
                raise RuntimeError(f"device(): index given twice in {type_or_device!r} and {index}")
            index = int(idx)
        if kind == "cpu" and index is None and _CPU is not None:
            return _CPU
        self = object.__new__(cls)
        self.type = kind
        self.index = index
        return self

    @property
    def xp(self):
        if self.type == "cpu":
            return np
        if self.type == "cuda":
            cp = _load_cupy()
            if not cp:
                raise RuntimeError(
                    "Torch not compiled with CUDA enabled: no CUDA device is available to luchina "
                    "(it needs CuPy and an NVIDIA GPU); use device='cpu'")
            return cp
        raise RuntimeError(f"luchina has no backend for device type '{self.type}'; use 'cpu'")

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (self.index or 0) == (other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (str(self),))


_CPU = None
_CPU = device("cpu")
CPU = _CPU


def device_of(array):
    """The device an array lives on: numpy arrays are on the CPU, CuPy arrays on their GPU."""
    if type(array) is np.ndarray:
        return CPU
    return device("cuda", array.device.id)


def array_module(array):
    return np if type(array) is np.ndarray else _load_cupy()
