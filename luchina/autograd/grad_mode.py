"""no_grad, enable_grad, set_grad_enabled, inference_mode: context managers and decorators."""

import functools
import inspect

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _Mode:
    """Process-wide grad mode; Function.apply reads ``_mode.enabled`` once per call."""

    __slots__ = ("enabled", "inference")


_mode = _Mode()
_mode.enabled = True
_mode.inference = False


def is_grad_enabled():
    """torch.is_grad_enabled"""
    return _mode.enabled


def is_inference_mode_enabled():
    """torch.is_inference_mode_enabled"""
    return _mode.inference


class _GradModeContext:
    """Base of the grad-mode managers: a context manager that also decorates functions."""

    _target = True

    def __enter__(self):
        self._prev = (_mode.enabled, _mode.inference)
        _mode.enabled = self._target
        return self

    def __exit__(self, *exc):
        _mode.enabled, _mode.inference = self._prev
        return False

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, func):
        """Each resumption of the generator runs under this mode, as torch's decorators do."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    value = next(gen)
                while True:
                    try:
                        sent = yield value
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self.clone():
                            value = gen.throw(exc)
                    else:
                        with self.clone():
                            value = gen.send(sent)
            except StopIteration as stop:
                return stop.value
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradModeContext):
    """torch.no_grad: ops record no graph inside the block."""

    _target = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if callable(func):  # used as a bare decorator: @no_grad
            self.__init__()
            return self(func)
        return self

    def __init__(self, func=None):
        pass


class enable_grad(no_grad):
    """torch.enable_grad"""

    _target = True


class set_grad_enabled(_GradModeContext):
    """torch.set_grad_enabled(mode): takes effect at once, and as a context manager restores."""

    def __init__(self, mode):
        self._target = bool(mode)
        self._prev = (_mode.enabled, _mode.inference)
        _mode.enabled = self._target

    def __enter__(self):
        return self

    def __call__(self, func):
        _mode.enabled = self._prev[0]  # as a decorator it must not change the mode now
        return super().__call__(func)

    def clone(self):
        return _Restoring(self._target)


class _Restoring(_GradModeContext):
    def __init__(self, target):
        self._target = target


class inference_mode(_GradModeContext):
    """torch.inference_mode(mode=True): like no_grad (luchina has no separate inference tensors)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode=True):
        self._target = not mode
        self._infer = bool(mode)

    def __enter__(self):
        super().__enter__()
        _mode.inference = self._infer
        return self

    def clone(self):
        return inference_mode(self._infer)
