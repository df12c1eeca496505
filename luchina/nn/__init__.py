"""luchina.nn: modules, parameters, functional, init and utils, with torch's names."""

from luchina.nn import functional, init, utils
from luchina.nn.modules import *  # noqa: F401,F403
from luchina.nn.modules import __all__ as _modules_all
from luchina.nn.parameter import Buffer, Parameter

__all__ = ["Parameter", "Buffer", "functional", "init", "utils", *_modules_all]

