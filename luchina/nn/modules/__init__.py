"""The nn.Module classes. activation/loss modules are imported when their files exist."""

from luchina.nn.modules.container import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from luchina.nn.modules.dropout import Dropout
from luchina.nn.modules.flatten import Flatten, Unflatten
from luchina.nn.modules.linear import Bilinear, Identity, Linear
from luchina.nn.modules.module import Module
from luchina.nn.modules.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm
from luchina.nn.modules.sparse import Embedding, EmbeddingBag

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Dropout", "Embedding",
           "EmbeddingBag", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


def _optional(name):
    """Import a sibling module written separately; absent files are skipped, errors are not."""
    import importlib
    full = f"luchina.nn.modules.{name}"
    try:
        mod = importlib.import_module(full)
    except ImportError as e:  # tolerated while the file is being written; the lead may tighten
        if e.name != full:
            import warnings
            warnings.warn(f"{full} could not be imported ({e}); it is left out", stacklevel=2)
        return
    names = getattr(mod, "__all__", [])
    globals().update({n: getattr(mod, n) for n in names})
    __all__.extend(names)


for _name in ("activation", "loss"):
    _optional(_name)
del _name
