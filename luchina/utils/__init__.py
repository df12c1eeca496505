"""luchina.utils: data loading, safetensors, and model diagnostics (summary, grad_stats...)."""

from luchina.utils import data
from luchina.utils._stats import activation_stats, grad_stats, plot_grad_flow
from luchina.utils._summary import summary

__all__ = ["data", "summary", "grad_stats", "activation_stats", "plot_grad_flow"]
