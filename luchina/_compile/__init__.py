"""luchina.compile: record one training step, then replay it without rebuilding the graph.

The first two calls with a given input signature (shapes, dtypes, requires_grad, grad mode,
other arguments) run eagerly while every op, backward pass and optimizer call is recorded; when
the two recordings agree, later calls replay the recording as generated Python that calls each
op's forward and backward on raw arrays. See docs/compile.md for what can and cannot be
captured.
"""

import functools
import warnings

from luchina._compile import _record
from luchina._compile._program import MISS, Unsupported, build
from luchina._tensor import Tensor
from luchina.autograd.grad_mode import _mode
from luchina.nn.modules.module import Module

__all__ = ["compile", "CompiledFunction", "CompiledModule"]

_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
_MISMATCH_LIMIT = 3  # recordings that disagree in a row before a signature runs eagerly


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, name=None, disable=False):
    """torch.compile as capture-and-replay; a Module is replayed only under no_grad.

    Differs from torch: no kernels are generated (the replay calls the same ops, so results
    are the eager ones bit for bit); ``mode`` and ``dynamic`` change nothing; ``backend='eager'``
    turns capture off; ``options={'cache_size_limit': n}`` bounds the recordings (default 8).
    """
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, name=name, disable=disable)
    if mode not in _MODES:
        raise RuntimeError(f"compile: unrecognized mode={mode!r}; use one of "
                           f"{[m for m in _MODES if m]}")
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if not isinstance(backend, str):
        raise NotImplementedError(f"compile: custom backends ({backend!r}) are not supported; "
                                  "use backend='inductor' (capture and replay) or 'eager'")
    options = dict(options or {})
    limit = options.pop("cache_size_limit", 8)
    if options:
        raise RuntimeError(f"compile: unknown options {sorted(options)}; the only option is "
                           "'cache_size_limit'")
    if not isinstance(limit, int) or limit < 0:
        raise ValueError(f"compile: cache_size_limit must be an int >= 0, got {limit!r}")
    if disable:
        return model
    if not callable(model):
        raise TypeError(f"compile: expected a function or an nn.Module, got "
                        f"{type(model).__name__}")
    kw = {"fullgraph": bool(fullgraph), "limit": limit, "eager": backend == "eager"}
    if isinstance(model, Module):
        return CompiledModule(model, **kw)
    return CompiledFunction(model, **kw)


class _Entry:
    """The programs and the pending recording of one input signature."""

    __slots__ = ("programs", "pending", "pending_sig", "mismatches", "reason")

    def __init__(self):
        self.programs = []
        self.pending = self.pending_sig = self.reason = None
        self.mismatches = 0


class CompiledFunction:
    """A step function that records itself on its first calls and replays afterwards."""

    def __init__(self, fn, fullgraph=False, limit=8, eager=False):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._fullgraph = fullgraph
        self._limit = limit
        self._eager = eager
        self._entries = {}
        self._n_programs = 0
        self._warned = set()

    def __call__(self, *args, **kwargs):
        if self._eager or _record.active() is not None:
            return self._fn(*args, **kwargs)  # inside another capture: its ops are recorded
        inputs = []
        try:
            key = _key(args, kwargs, inputs)
        except Unsupported as e:
            return self._eager_call(str(e), args, kwargs)
        entry = self._entries.get(key)
        if entry is not None:
            for program in entry.programs:
                out = program.run(inputs)
                if out is not MISS:
                    return out
            if entry.reason is not None:
                return self._fn(*args, **kwargs)
        if self._n_programs >= self._limit:
            return self._eager_call(f"cache_size_limit ({self._limit}) reached; new input "
                                    "shapes run eagerly", args, kwargs)
        if entry is None:
            entry = self._entries[key] = _Entry()
        return self._record(entry, inputs, args, kwargs)

    def _record(self, entry, inputs, args, kwargs):
        rec = _record.Recorder(inputs)
        saved = _record.install(rec)
        try:
            result = self._fn(*args, **kwargs)
        finally:
            _record.uninstall(saved)
        if rec.unsupported:
            return self._give_up(entry, "; ".join(rec.unsupported), result)
        sig = rec.signature()
        if entry.pending is None or entry.pending_sig != sig:
            if entry.pending is not None:
                entry.mismatches += 1
                if entry.mismatches >= _MISMATCH_LIMIT:
                    return self._give_up(entry, "the recorded steps differ from call to call "
                                         "(data-dependent Python code, or a tensor created "
                                         "inside the step from changing data)", result)
            entry.pending, entry.pending_sig = rec, sig
            return result
        try:
            program = build(rec, result)
        except Unsupported as e:
            return self._give_up(entry, str(e), result)
        entry.pending = entry.pending_sig = None
        entry.programs.append(program)
        self._n_programs += 1
        return result

    def _give_up(self, entry, reason, result):
        entry.reason = reason
        entry.pending = entry.pending_sig = None
        self._warn(reason)
        return result

    def _eager_call(self, reason, args, kwargs):
        self._warn(reason)
        return self._fn(*args, **kwargs)

    def _warn(self, reason):
        name = getattr(self._fn, "__qualname__", type(self._fn).__name__)
        msg = f"compile({name}): cannot replay this step: {reason}"
        if self._fullgraph:
            raise RuntimeError(msg + " (fullgraph=True; this call already ran eagerly)")
        if reason not in self._warned:
            self._warned.add(reason)
            warnings.warn(msg + "; it runs eagerly", RuntimeWarning, stacklevel=4)

    # -- introspection ---------------------------------------------------------------------
    @property
    def programs(self):
        """The replay programs recorded so far, one per input signature (and guard state)."""
        return [p for e in self._entries.values() for p in e.programs]

    def code(self):
        """The generated source of every replay program."""
        return "\n".join(p.source for p in self.programs)

    def reset(self):
        """Forget every recording (torch.compiler.reset for this function)."""
        self._entries.clear()
        self._n_programs = 0


def _key(args, kwargs, inputs):
    parts = [_mode.enabled]
    for a in args:
        _walk(a, inputs, parts)
    if kwargs:
        for k in sorted(kwargs):
            parts.append(k)
            _walk(kwargs[k], inputs, parts)
    return tuple(parts)


def _walk(a, inputs, parts):
    if isinstance(a, Tensor):
        inputs.append(a)
        d = a._data
        parts.append((d.shape, d.dtype, a._rg, type(d)))
    elif type(a) in (tuple, list):
        parts.append((type(a), len(a)))
        for x in a:
            _walk(x, inputs, parts)
    elif type(a) is dict:
        parts.append((dict, tuple(a)))
        for x in a.values():
            _walk(x, inputs, parts)
    elif isinstance(a, (bool, int, float, str, type(None))):
        parts.append((type(a), a))
    elif hasattr(a, "__array_interface__") or hasattr(a, "__cuda_array_interface__"):
        raise Unsupported(f"an argument is a {type(a).__name__}, not a tensor; pass tensors "
                          "(torch.as_tensor) so the replay can read new values")
    else:
        parts.append(("obj", id(a)))


class CompiledModule(Module):
    """torch's OptimizedModule: forward is replayed under no_grad, eager when grad is enabled.

    The wrapped module is ``_orig_mod`` (so state_dict keys start with ``_orig_mod.`` as in
    torch). With grad enabled the module runs eagerly: its outputs must carry a graph for a
    later ``backward()``, which a replay cannot provide; compile the whole training step for
    that.
    """

    def __init__(self, module, fullgraph=False, limit=8, eager=False):
        super().__init__()
        self._orig_mod = module
        self._compiled_call = CompiledFunction(lambda *a, **k: module(*a, **k), fullgraph,
                                               limit, eager)

    def forward(self, *args, **kwargs):
        if _mode.enabled:
            return self._orig_mod(*args, **kwargs)
        return self._compiled_call(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.__dict__["_modules"]["_orig_mod"], name)
