"""torch.nn.functional: activations, losses, padding and distances, plus the layers' functions.

Every activation and loss is one fused graph node; see ``_activation_fn`` and ``_loss_fn``.
"""

import warnings

from luchina.nn import _activation_fn as A
from luchina.nn._functional_layers import *  # noqa: F401,F403
from luchina.nn._functional_layers import __all__ as _layers_all
from luchina.nn._loss import *  # noqa: F401,F403
from luchina.nn._loss import __all__ as _loss_all
from luchina.nn._pad_fn import *  # noqa: F401,F403
from luchina.nn._pad_fn import __all__ as _pad_all
from luchina.ops._util import wrap_dim
from luchina.ops.activation import relu as _relu
from luchina.ops.activation import sigmoid, tanh
from luchina.ops.indexing import one_hot
from luchina.ops.linalg import linear
from luchina.ops.reduce import log_softmax as _log_softmax
from luchina.ops.reduce import softmax as _softmax

__all__ = ["threshold", "threshold_", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_",
           "prelu", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish",
           "sigmoid", "tanh", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus",
           "softsign", "glu", "logsigmoid", "softmax", "log_softmax", "softmin", "one_hot",
           "linear"] + list(_loss_all) + list(_pad_all) + list(_layers_all)


def threshold(input, threshold, value, inplace=False):
    """torch.nn.functional.threshold"""
    if inplace:
        return A.run(A.ThresholdInplace, input, (threshold, value), True, "threshold")
    return A.run(A.Threshold, input, (threshold, value), False, "threshold")


def threshold_(input, threshold, value):
    """torch.nn.functional.threshold_"""
    return A.run(A.ThresholdInplace, input, (threshold, value), True, "threshold")


def relu(input, inplace=False):
    """torch.nn.functional.relu"""
    if inplace:
        return A.inplace(input, "relu_", lambda t: _relu(t), ())
    return _relu(input)


def relu_(input):
    """torch.nn.functional.relu_"""
    return relu(input, True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """torch.nn.functional.hardtanh"""
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val, got "
                         f"min_val={min_val}, max_val={max_val}")
    return A.run(A.Hardtanh, input, (min_val, max_val), inplace, "hardtanh")


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """torch.nn.functional.hardtanh_"""
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """torch.nn.functional.relu6 (a HardtanhBackward0 node, as in torch)"""
    return A.run(A.Hardtanh, input, (0.0, 6.0), inplace, "relu6")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """torch.nn.functional.leaky_relu"""
    return A.run(A.LeakyReluInplace if inplace else A.LeakyRelu, input, (negative_slope,), inplace,
                "leaky_relu")


def leaky_relu_(input, negative_slope=0.01):
    """torch.nn.functional.leaky_relu_"""
    return leaky_relu(input, negative_slope, True)


def prelu(input, weight):
    """torch.nn.functional.prelu: weight holds 1 or C (= input.shape[1]) slopes."""
    A.check("prelu", input)
    c = input.shape[1] if input.ndim >= 2 else 1
    n = weight.numel()
    if weight.ndim > 1 or (n != 1 and n != c):
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {n} and channel size = {c}.")
    return A.PreluKernel.apply(input, weight)


def elu(input, alpha=1.0, inplace=False):
    """torch.nn.functional.elu"""
    fn = A.EluInplace if inplace else A.Elu
    return A.run(fn, input, (float(alpha), 1.0, 1.0), inplace, "elu")


def elu_(input, alpha=1.0):
    """torch.nn.functional.elu_"""
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """torch.nn.functional.selu"""
    fn = A.EluInplace if inplace else A.Elu
    return A.run(fn, input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace, "selu")


def selu_(input):
    """torch.nn.functional.selu_"""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """torch.nn.functional.celu"""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: celu: alpha must be non-zero")
    return A.run(A.CeluInplace if inplace else A.Celu, input, (float(alpha), 1.0, float(alpha)),
                inplace, "celu")


def celu_(input, alpha=1.0):
    """torch.nn.functional.celu_"""
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    """torch.nn.functional.gelu ('none' uses a vectorised erf accurate to 2.2e-16)"""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    A.check("gelu", input)
    return A.Gelu.apply(input, approximate)


def silu(input, inplace=False):
    """torch.nn.functional.silu"""
    return A.run(A.Silu, input, (), inplace, "silu")


def mish(input, inplace=False):
    """torch.nn.functional.mish"""
    return A.run(A.Mish, input, (), inplace, "mish")


def hardsigmoid(input, inplace=False):
    """torch.nn.functional.hardsigmoid"""
    return A.run(A.Hardsigmoid, input, (), inplace, "hardsigmoid")


def hardswish(input, inplace=False):
    """torch.nn.functional.hardswish"""
    return A.run(A.Hardswish, input, (), inplace, "hardswish")


def softplus(input, beta=1.0, threshold=20.0):
    """torch.nn.functional.softplus: log(1 + exp(beta x)) / beta, linear above the threshold."""
    A.check("softplus", input)
    return A.Softplus.apply(input, float(beta), float(threshold))


def softsign(input):
    """torch.nn.functional.softsign (one fused node, named DivBackward0 as torch's)"""
    A.check("softsign", input)
    return A.Softsign.apply(input)


def glu(input, dim=-1):
    """torch.nn.functional.glu: first half times sigmoid of the second half along dim."""
    A.check("glu", input)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim, "glu")
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    return A.Glu.apply(input, d)


def logsigmoid(input):
    """torch.nn.functional.logsigmoid"""
    A.check("logsigmoid", input)
    return A.LogSigmoid.apply(input)


_SOFTMAX_NDIM0 = (0, 1, 3)


def _implicit_dim(op, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in _SOFTMAX_NDIM0 else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """torch.nn.functional.softmax (dim=None picks torch's implicit dim, with its warning)"""
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim, _stacklevel)
    return _softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """torch.nn.functional.log_softmax (dim=None picks torch's implicit dim, with its warning)"""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim, _stacklevel)
    return _log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """torch.nn.functional.softmin: softmax of -input (two nodes, as torch)"""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)
