"""torch.accelerator: the current accelerator (CUDA through CuPy) or None on a CPU-only machine."""

from luchina._device import cuda_is_available, device

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available():
    """True when a GPU luchina can use is present."""
    return cuda_is_available()


def current_accelerator(check_available=False):
    """``device('cuda')`` when a GPU is available, else None (as torch on a CPU-only machine)."""
    return device("cuda") if cuda_is_available() else None


def device_count():
    from luchina.cuda import device_count as count
    return count()
