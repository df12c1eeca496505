"""luchina: a small deep-learning framework on NumPy with PyTorch's API.

``import luchina as torch`` runs ordinary PyTorch code. This module only re-exports.
"""

from luchina._device import device
# torch.float / torch.int / torch.bool are dtypes, as in torch
from luchina._dtype import (bool, double, dtype, float, float16, float32, float64,
                            get_default_dtype, half, int, int8, int16, int32, int64, long,
                            promote_types, result_type, set_default_dtype, short, uint8)
from luchina._tensor import Size, Tensor
from luchina._tensor_str import get_printoptions, printoptions, set_printoptions
from luchina.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from luchina import ops as _ops  # binds the Tensor methods
from luchina._creation import *  # noqa: F401,F403
from luchina._creation import __all__ as _creation_all
from luchina._random import (Generator, default_generator, get_rng_state, initial_seed,
                             manual_seed, seed, seed_everything, set_rng_state)
from luchina.ops.activation import *  # noqa: F401,F403
from luchina.ops.convert import clone
from luchina.ops.elementwise import *  # noqa: F401,F403
from luchina.ops.unary import *  # noqa: F401,F403
from luchina.ops.compare import *  # noqa: F401,F403
from luchina.ops.indexing import *  # noqa: F401,F403
from luchina.ops.linalg import *  # noqa: F401,F403
from luchina.ops.reduce import *  # noqa: F401,F403
from luchina.ops.shape import *  # noqa: F401,F403
from luchina import accelerator, autograd, backends, cuda  # noqa: E402
from luchina._compat import *  # noqa: F401,F403
from luchina import nn, optim, serialization, text, utils, viz
from luchina.serialization import load, save
from luchina.autograd.anomaly import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                      set_anomaly_enabled)
from luchina._compile import compile  # step capture; imports nn, so it comes last

__version__ = "0.1.0"
