"""luchina.utils: data loading (``luchina.utils.data``) and ``luchina.utils.safetensors``."""

from luchina.utils import data

__all__ = ["data"]
