"""Anomaly mode: name the first op that makes a NaN/Inf, and the user's line that called it.

Nothing on the hot path checks a flag. While anomaly mode is on in some thread, checking
wrappers replace ``Function.apply`` (the forward entry of every op) and the engine's
``_call_backward`` (plus the two engine helpers that raise about saved tensors); when the last
user turns it off, the original objects are put back, so the op path is again exactly the one
that runs without anomaly mode.
"""

import functools
import linecache
import os
import sys
import threading
import traceback
import warnings

import numpy as np

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]

_local = threading.local()  # .enabled, .check_nan: anomaly mode is per thread
_lock = threading.Lock()
_active = 0  # threads with anomaly mode on; the wrappers are installed while it is > 0
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled():
    """torch.is_anomaly_enabled: whether anomaly mode is on (in this thread)."""
    return getattr(_local, "enabled", False)


def is_anomaly_check_nan_enabled():
    """torch.is_anomaly_check_nan_enabled"""
    return getattr(_local, "check_nan", True)


def set_anomaly_enabled(enabled, check_nan=True):
    """torch.set_anomaly_enabled: turn anomaly mode on or off for this thread."""
    global _active
    enabled = bool(enabled)
    with _lock:
        was = getattr(_local, "enabled", False)
        _local.enabled = enabled
        _local.check_nan = bool(check_nan)
        if enabled and not was:
            _active += 1
            if _active == 1:
                _install()
        elif was and not enabled:
            _active -= 1
            if _active == 0:
                _uninstall()


class detect_anomaly:
    """torch.autograd.detect_anomaly: a context manager (and, unlike torch's, a decorator).

    Beyond torch, the forward pass is checked too: the first op whose output holds NaN (or an
    Inf made from finite inputs) raises RuntimeError naming the op and the calling line. Errors
    raised in backward name the line of the forward call that created the failing node.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._prev = []
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev.append((is_anomaly_enabled(), is_anomaly_check_nan_enabled()))
        set_anomaly_enabled(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self._prev.pop())
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """torch.autograd.set_detect_anomaly: on or off now; as a context manager, restored on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)
        return False


# -- installing the checking wrappers ----------------------------------------------------------

def _targets():
    from luchina.autograd import engine, function
    return [(function.Function, "apply", lambda cm: classmethod(_checked_apply(cm.__func__))),
            (engine, "_call_backward", _checked_backward),
            (engine, "_check_versions", _noted),
            (engine, "_freed_message", _with_where)]


def _replaced(obj):
    """What our wrapper ``obj`` replaced, or None when ``obj`` is not ours."""
    return getattr(getattr(obj, "__func__", obj), "_anomaly_orig", None)


def _install():
    for owner, name, wrap in _targets():
        cur = owner.__dict__.get(name)
        if cur is None:
            continue
        cur = _replaced(cur) or cur  # a wrapper of ours left on top: wrap what it wrapped
        new = wrap(cur)
        getattr(new, "__func__", new)._anomaly_orig = cur
        setattr(owner, name, new)


def _uninstall():
    for owner, name, _ in _targets():
        orig = _replaced(owner.__dict__.get(name))
        if orig is not None:
            setattr(owner, name, orig)
        # else another wrapper was installed over ours and is still there (patches that do not
        # nest): ours, underneath, passes every call straight through while the mode is off


# -- forward -------------------------------------------------------------------------------------

def _user_frame(frame):
    """The innermost frame outside the luchina package (the user's line)."""
    while frame is not None and frame.f_code.co_filename.startswith(_PKG):
        frame = frame.f_back
    return frame


def _checked_apply(orig):
    def apply(cls, *args):
        if not getattr(_local, "enabled", False):
            return orig(cls, *args)
        out = orig(cls, *args)
        frame = _user_frame(sys._getframe(1))
        outs = out if type(out) is tuple else (out,)
        node = next((t.grad_fn for t in outs if getattr(t, "grad_fn", None) is not None), None)
        if node is not None and "anomaly_location" not in node.metadata:
            meta = node.metadata
            meta["traceback_"] = traceback.format_stack(frame) if frame is not None else []
            meta["anomaly_location"] = _location(frame)
        if getattr(_local, "check_nan", True):
            for i, t in enumerate(outs):
                bad = _nonfinite(getattr(t, "_data", None))
                if bad is not None and _reportable(bad, args):
                    raise RuntimeError(_forward_message(cls, node, i, len(outs), t._data, bad,
                                                        args, frame))
        return out
    return apply


def _nonfinite(a):
    """None when the float array ``a`` is all finite, else 'nan' or 'inf'."""
    if a is None or getattr(a, "dtype", None) is None or a.dtype.kind not in "fc":
        return None
    xp = _xp(a)
    if bool(xp.isfinite(a).all()):
        return None
    return "nan" if bool(xp.isnan(a).any()) else "inf"


def _xp(a):
    if isinstance(a, np.ndarray):
        return np
    return sys.modules.get(type(a).__module__.split(".")[0], np)


def _inputs_nonfinite(args):
    found = set()
    for a in args:
        raw = getattr(a, "_data", a)
        if isinstance(raw, float):
            if raw != raw:
                found.add("nan")
            elif raw in (float("inf"), float("-inf")):
                found.add("inf")
        else:
            kind = _nonfinite(raw) if hasattr(raw, "dtype") else None
            if kind:
                found.add(kind)
    return found


def _reportable(kind, args):
    """NaN always; Inf only when no input held NaN/Inf (an Inf mask passed along is intended)."""
    return kind == "nan" or not _inputs_nonfinite(args)


def _op_name(cls):
    name = cls.__dict__.get("_qualified_name") or cls._backward_name
    short = name
    for suffix in ("Backward0", "Backward1", "Backward"):
        if short.endswith(suffix):
            short = short[: -len(suffix)]
            break
    return (short.lower() if not cls._tensor_io else short), name


def _forward_message(cls, node, i, n_out, arr, kind, args, frame):
    op, node_name = _op_name(cls)
    xp = _xp(arr)
    n_nan = int(xp.isnan(arr).sum())
    n_inf = int(xp.isinf(arr).sum())
    parts = [f"{n_nan} NaN"] if n_nan else []
    if n_inf:
        parts.append(f"{n_inf} Inf")
    which = f"output {i}" if n_out > 1 else "output"
    msg = (f"{op} produced {' and '.join(parts)} among the {arr.size} elements of its {which} "
           f"(node {node_name}, shape {tuple(arr.shape)}){_at(frame)}.")
    had = _inputs_nonfinite(args)
    if had:
        msg += (f" An input already held {'/'.join(sorted(had))}: it came from outside this op "
                "(check the data, or the op that made that input).")
    else:
        msg += " Its inputs were all finite."
    return "detect_anomaly: " + msg


def _location(frame):
    if frame is None:
        return None
    code = frame.f_code
    return (code.co_filename, frame.f_lineno, code.co_name)


def _describe(loc):
    filename, lineno, _ = loc
    src = linecache.getline(filename, lineno).strip()
    return f"{filename}:{lineno}" + (f": `{src}`" if src else "")


def _at(frame):
    loc = _location(frame)
    return "" if loc is None else " at " + _describe(loc)


# -- backward ------------------------------------------------------------------------------------

def _forward_loc(node):
    d = getattr(node, "__dict__", None)
    meta = d.get("_metadata") if d else None
    return meta.get("anomaly_location") if meta else None


def _where_suffix(node):
    loc = _forward_loc(node)
    if loc is None:
        return ""
    return f" The forward call that created {node.name()} was at {_describe(loc)}."


def _annotate(err, node):
    """Say where the failing node's forward ran: a note on the error and torch's warning."""
    if getattr(err, "_anomaly_noted", False):
        return
    loc = _forward_loc(node)
    if loc is None:
        return
    err._anomaly_noted = True
    if hasattr(err, "add_note"):
        err.add_note(f"detect_anomaly: the forward call that created {node.name()} was at "
                     f"{_describe(loc)}")
    tb = "".join(node.metadata.get("traceback_", ()))
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                  f"error:\n{tb}", stacklevel=2)


def _checked_backward(orig):
    def call_backward(node, g_out):
        if not getattr(_local, "enabled", False):
            return orig(node, g_out)
        try:
            res = orig(node, g_out)
        except Exception as e:
            _annotate(e, node)
            raise
        if getattr(_local, "check_nan", True):
            for i, g in enumerate(res):
                if g is not None and getattr(g, "dtype", None) is not None \
                        and g.dtype.kind in "fc" and bool(_xp(g).isnan(g).any()):
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                       f"{i}th output.{_where_suffix(node)}")
        return res
    return call_backward


def _with_where(orig):
    def freed_message(ctx):
        msg = orig(ctx)
        return msg + _where_suffix(ctx) if getattr(_local, "enabled", False) else msg
    return freed_message


def _noted(orig):
    def wrapped(node, *args):
        try:
            return orig(node, *args)
        except Exception as e:
            if getattr(_local, "enabled", False):
                _annotate(e, node)
            raise
    return wrapped
