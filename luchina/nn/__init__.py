"""luchina.nn: modules, parameters, functional, init and utils, with torch's names."""

from luchina.nn import init
from luchina.nn.modules import *  # noqa: F401,F403
from luchina.nn.modules import __all__ as _modules_all
from luchina.nn.parameter import Buffer, Parameter

__all__ = ["Parameter", "Buffer", "init", *_modules_all]


def _optional(name):
    """Import a subpackage written separately; an absent file is skipped, its errors are not."""
    import importlib
    full = f"luchina.nn.{name}"
    try:
        mod = importlib.import_module(full)
    except ImportError as e:  # tolerated while the file is being written; the lead may tighten
        if e.name != full:
            import warnings
            warnings.warn(f"{full} could not be imported ({e}); it is left out", stacklevel=2)
        return
    globals()[name] = mod
    __all__.append(name)


for _name in ("functional", "utils"):
    _optional(_name)
del _name
