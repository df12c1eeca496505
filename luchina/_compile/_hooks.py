"""The entry points a capture wraps while it records, and their restoration.

Each wrapper does what the original does and tells the active Recorder about it: op calls,
backward passes, optimizer and gradient-clipping calls (replayed as calls), dropout masks
(redrawn on replay from the same generator), and everything the replay cannot reproduce.
"""

from luchina import _random
from luchina._tensor import Tensor
from luchina.autograd.function import Function

__all__ = ["install", "uninstall"]

_READS = {"item": ".item()", "tolist": ".tolist()", "numpy": ".numpy()",
          "__array__": "numpy.asarray(tensor)", "__bool__": "bool(tensor) or if tensor",
          "__float__": "float(tensor)", "__int__": "int(tensor)",
          "__index__": "a tensor used as an index"}


# -- installing the wrappers --------------------------------------------------------------------
class _RngProxy:
    """Stands for the default generator's numpy Generator and notes draws made outside ops."""

    def __init__(self, real, rec):
        self._real, self._rec = real, rec

    def __getattr__(self, name):
        attr = getattr(self._real, name)
        if not callable(attr):
            return attr
        rec = self._rec

        def draw(*args, **kwargs):
            if rec.quiet == 0:
                rec.fail("random numbers drawn outside an op (torch.rand/randn/randperm... "
                         "inside the step)")
            return attr(*args, **kwargs)
        return draw


def _subclasses(cls):
    out, stack = [], [cls]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.__subclasses__())
    return out


def install(rec):
    """Wrap the entry points for ``rec``; returns the list that ``uninstall`` restores."""
    from luchina import autograd
    from luchina.nn import _functional_layers as layers
    from luchina.nn.modules.module import Module
    from luchina.nn.modules.normalization import _BatchNorm
    from luchina.optim.lr_scheduler import LRScheduler
    from luchina.optim.optimizer import Optimizer

    saved = []

    def patch(owner, name, value):
        saved.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)

    plain_apply = Function.__dict__["apply"].__func__

    def apply(cls, *args):
        if rec.quiet:
            return plain_apply(cls, *args)
        rec.quiet += 1
        try:
            out = plain_apply(cls, *args)
        finally:
            rec.quiet -= 1
        rec.on_op(cls, args, out)
        return out
    patch(Function, "apply", classmethod(apply))

    for name in ("item", "tolist", "numpy", "__array__", "__bool__", "__float__", "__int__",
                 "__index__"):
        patch(Tensor, name, _host_read(rec, Tensor.__dict__[name], name))
    patch(Tensor, "_bump_version", _bump_wrapper(rec, Tensor.__dict__["_bump_version"]))

    plain_backward = autograd.backward

    def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                 inputs=None):
        if rec.quiet:
            return plain_backward(tensors, grad_tensors, retain_graph, create_graph, inputs)
        if create_graph or inputs is not None:
            rec.fail("backward(create_graph=True or inputs=...) inside the step")
        ts = tuple(tensors) if isinstance(tensors, (tuple, list)) else (tensors,)
        gs = grad_tensors if isinstance(grad_tensors, (tuple, list)) else (grad_tensors,)
        if len(gs) == 1 and len(ts) > 1:
            gs = gs * len(ts)
        rec.on_backward(ts, gs, retain_graph, lambda: plain_backward(
            tensors, grad_tensors, retain_graph, create_graph, inputs))
    patch(autograd, "backward", backward)
    patch(autograd, "grad", _failing(rec, autograd.grad, "autograd.grad inside the step"))

    plain_mask = layers._dropout_mask

    def dropout_mask(x, p, generator=None):
        rec.quiet += 1
        try:
            mask = plain_mask(x, p, generator)
        finally:
            rec.quiet -= 1
        if rec.quiet == 0:
            rec.on_mask(mask, x, p, generator)
        return mask
    patch(layers, "_dropout_mask", dropout_mask)

    plain_bn = _BatchNorm.forward

    def bn_forward(self, input):
        if rec.quiet == 0 and self.training and self.track_running_stats \
                and self.num_batches_tracked is not None:
            if self.momentum is None:
                rec.fail("BatchNorm with momentum=None (its factor changes every call)")
            rec.events.append(("count", self.num_batches_tracked))
            rec.expect_count = self.num_batches_tracked
        return plain_bn(self, input)
    patch(_BatchNorm, "forward", bn_forward)

    patch(Module, "zero_grad", _call_wrapper(rec, Module.__dict__["zero_grad"], "zero_grad"))
    grad = Tensor.__dict__["grad"]

    def set_grad(self, value):
        if rec.quiet == 0:
            rec.fail("an assignment to .grad inside the step; use optimizer.zero_grad()")
        grad.fset(self, value)
    patch(Tensor, "grad", property(grad.fget, set_grad, grad.fdel, grad.__doc__))

    plain_call = Module.__call__

    def module_call(self, *args, **kwargs):
        if rec.quiet == 0:
            rec.modules.setdefault(id(self), (self, self.training))
        return plain_call(self, *args, **kwargs)
    patch(Module, "__call__", module_call)

    for cls in _subclasses(Optimizer):
        for name in ("step", "zero_grad"):
            if name in cls.__dict__:
                patch(cls, name, _call_wrapper(rec, cls.__dict__[name], name))
        if "_step_group" in cls.__dict__:
            patch(cls, "_step_group", _group_wrapper(rec, cls.__dict__["_step_group"]))
    for cls in _subclasses(LRScheduler):
        if "step" in cls.__dict__:
            patch(cls, "step", _call_wrapper(rec, cls.__dict__["step"], "step"))

    from luchina.nn import utils as nn_utils
    from luchina.nn.utils import clip_grad
    for module in (nn_utils, clip_grad):
        for name in ("clip_grad_norm_", "clip_grad_norm", "clip_grad_value_",
                     "clip_grads_with_norm_"):
            patch(module, name, _function_call(rec, module, name, module.__dict__[name]))
    patch(clip_grad, "_grads", _failing(rec, clip_grad._grads, "gradient clipping through a "
                                        "name imported before compile; call it as "
                                        "torch.nn.utils.clip_grad_norm_(...)"))

    gen = _random.default_generator
    proxy = _RngProxy(gen._rng, rec)
    gen._rng = proxy
    saved.append((gen, "_rng", proxy))  # restored only while the proxy is still in place
    return saved


def uninstall(saved):
    """Put back every entry point ``install`` wrapped."""
    for owner, name, value in reversed(saved):
        if isinstance(value, _RngProxy):
            if owner.__dict__.get(name) is value:
                owner._rng = value._real
            continue
        setattr(owner, name, value)


def _host_read(rec, plain, name):
    def read(self, *args, **kwargs):
        if rec.quiet == 0:
            rec.fail(f"a tensor value read in Python ({_READS[name]}) inside the step")
        return plain(self, *args, **kwargs)
    return read


def _bump_wrapper(rec, plain):
    def bump(self, op):
        if rec.quiet == 0:
            rec.on_bump(self, op)
        return plain(self, op)
    return bump


def _failing(rec, plain, reason):
    def wrapper(*args, **kwargs):
        if rec.quiet == 0:
            rec.fail(reason)
        return plain(*args, **kwargs)
    return wrapper


def _call_wrapper(rec, plain, name):
    """Optimizer.step/zero_grad and LRScheduler.step: recorded as calls the replay repeats."""
    def method(self, *args, **kwargs):
        if rec.quiet:
            return plain(self, *args, **kwargs)
        if name == "step" and (args or kwargs) and not hasattr(self, "last_epoch"):
            rec.fail("optimizer.step(closure) inside the step")
        index = rec.on_call(self, name, args, kwargs)
        rec.quiet += 1
        try:
            result = plain(self, *args, **kwargs)
        finally:
            rec.quiet -= 1
        rec.on_call_result(index, result)
        return result
    return method


def _function_call(rec, module, name, plain):
    """Gradient clipping: raw in-place updates of .grad, recorded as a call to repeat."""
    def function(parameters, *args, **kwargs):
        if rec.quiet:
            return plain(parameters, *args, **kwargs)
        if not isinstance(parameters, (Tensor, list, tuple)):
            parameters = list(parameters)  # a generator would be empty on the replay
        index = rec.on_call(module, name, (parameters,) + args, kwargs)
        rec.quiet += 1
        try:
            result = plain(parameters, *args, **kwargs)
        finally:
            rec.quiet -= 1
        rec.on_call_result(index, result)
        return result
    return function


def _group_wrapper(rec, plain):
    """An optimizer update reached without our step wrapper (an LR scheduler wraps step)."""
    def step_group(self, group):
        if rec.quiet:
            return plain(self, group)
        if group is self.param_groups[0]:
            rec.on_call(self, "step", (), {})
        rec.quiet += 1
        try:
            return plain(self, group)
        finally:
            rec.quiet -= 1
    return step_group
