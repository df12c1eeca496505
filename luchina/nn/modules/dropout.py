"""Dropout."""

from luchina.nn._functional_layers import dropout
from luchina.nn.modules.module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """torch.nn.Dropout: identity in eval mode; masks from luchina's default generator."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
