"""The nn.Module classes."""

from luchina.nn.modules import activation, loss
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
           "EmbeddingBag", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
           *activation.__all__, *loss.__all__]

from luchina.nn.modules.activation import *  # noqa: E402,F401,F403
from luchina.nn.modules.loss import *  # noqa: E402,F401,F403

