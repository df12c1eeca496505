"""torch.cuda: availability and seeding; the GPU itself is driven through CuPy."""

from luchina._device import _load_cupy, cuda_is_available

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "current_device",
           "synchronize", "get_device_name", "empty_cache"]


def is_available():
    """True when CuPy imports and sees an NVIDIA GPU."""
    return cuda_is_available()


def device_count():
    cp = _load_cupy()
    return cp.cuda.runtime.getDeviceCount() if cp else 0


def manual_seed(seed):
    """Seeds luchina's generator (GPU random numbers are drawn through it too)."""
    from luchina._random import manual_seed as _ms
    _ms(seed)


manual_seed_all = manual_seed


def current_device():
    cp = _load_cupy()
    if not cp:
        raise RuntimeError("No CUDA GPUs are available")
    return cp.cuda.runtime.getDevice()


def synchronize(device=None):
    cp = _load_cupy()
    if cp:
        cp.cuda.runtime.deviceSynchronize()


def get_device_name(device=None):
    cp = _load_cupy()
    if not cp:
        raise RuntimeError("No CUDA GPUs are available")
    return cp.cuda.runtime.getDeviceProperties(device or 0)["name"].decode()


def empty_cache():
    cp = _load_cupy()
    if cp:
        cp.get_default_memory_pool().free_all_blocks()
