"""Every entry of tests/op_db.py against torch 2.13 (the oracle; the package never imports it).

For each (entry, dtype, sample, device): the forward equals torch's (shape, dtype, values, or
the same error type); gradients equal torch's under a random upstream gradient; a float64
numerical gradcheck (the whole Jacobian for small inputs, a random direction for large ones).
Per entry: the no_grad path builds no graph, grad_fn names equal torch's, the method form
matches the function form, out= writes the result, aliases match. Entries whose luchina op
does not exist yet skip with the missing name.
"""

import functools
import importlib
import warnings
import zlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from op_db import GRAD_FN_NAME_EXEMPT, MIXED, OP_DB, SKIP, TOL  # noqa: E402

import luchina  # noqa: E402
from luchina.autograd import gradcheck  # noqa: E402

CUDA = luchina.cuda.is_available()
DEVICES = ("cpu", "cuda") if CUDA else ("cpu",)
# without a GPU the 'cuda' cases collapse into one skipped case per test
_NO_CUDA = [] if CUDA else [pytest.param(
    None, None, None, "cuda", id="cuda", marks=pytest.mark.skip(
        reason="CUDA not available (luchina.cuda.is_available() is False)"))]
FULL_JACOBIAN_MAX = 32  # numel in and out up to which gradcheck checks the whole Jacobian


# -- resolving an entry on each library -----------------------------------------------------------
def _lookup(lib, path):
    """``lib.<path>`` for the first alternative of ``"a.b|c"`` that exists, else None."""
    for alt in path.split("|"):
        parts = alt.split(".")
        if parts[0] == "Tensor":
            if hasattr(lib.Tensor, parts[1]):
                return _method(parts[1])
            continue
        obj = lib
        for i, part in enumerate(parts):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                mod = ".".join([lib.__name__] + parts[:i + 1])
                try:
                    obj = importlib.import_module(mod)
                except ModuleNotFoundError as e:
                    if e.name is None or not mod.startswith(e.name):
                        raise
                    obj = None
                    break
        if obj is not None:
            return obj
    return None


def _method(name):
    def call(self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)
    call.__name__ = f"Tensor.{name}"
    return call


def _fn(op, lib):
    if lib is luchina:
        for need in op.needs:
            if _lookup(luchina, need) is None:
                pytest.skip(f"luchina.{need.split('|')[0]} not implemented yet")
    if isinstance(op.fn if lib is luchina else op.ref, str):
        return _lookup(lib, op.fn if lib is luchina else op.ref)
    return functools.partial(op.fn if lib is luchina else op.ref, lib)


# -- building inputs ------------------------------------------------------------------------------
def _convert(obj, lib, leaves, grad, device="cpu"):
    """Arrays become tensors (float ones require grad when ``grad``; they go to ``leaves``);
    numpy scalar types become the library's dtypes; everything else passes through."""
    if isinstance(obj, np.ndarray):
        if lib is torch:
            t = torch.from_numpy(_fresh(obj))
        else:
            t = luchina.from_numpy(_fresh(obj))
            if device != "cpu":
                t = t.to(device)
        if grad and obj.dtype.kind == "f":
            t.requires_grad_()
            leaves.append(t)
        return t
    if isinstance(obj, list):
        return [_convert(o, lib, leaves, grad, device) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_convert(o, lib, leaves, grad, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _convert(v, lib, leaves, grad, device) for k, v in obj.items()}
    if isinstance(obj, type) and issubclass(obj, np.generic):
        return getattr(lib, np.dtype(obj).name)
    return obj


def _fresh(a):
    """A copy of ``a`` with the same strides (non-contiguous samples stay non-contiguous)."""
    if a.flags.c_contiguous:
        return a.copy()
    base = a
    while isinstance(base.base, np.ndarray):
        base = base.base
    buf = base.copy()
    offset = a.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=buf, offset=offset, strides=a.strides)


def _inputs(sample, lib, grad=False, device="cpu"):
    leaves = []
    args = _convert(sample.args, lib, leaves, grad, device)
    kwargs = _convert(sample.kwargs, lib, leaves, grad, device)
    return args, kwargs, leaves


def _run(fn, args, kwargs):
    """(result, None) or (None, the exception)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs), None
        except Exception as e:  # noqa: BLE001 - compared with torch's error below
            return None, e


def _builtin_base(exc_type):
    """torch raises its own subclasses of RuntimeError etc.: compare the builtin base."""
    for cls in exc_type.__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def _check_error(t_err, l_out, l_err, what="luchina"):
    base = _builtin_base(type(t_err))
    assert l_err is not None, (
        f"torch raises {type(t_err).__name__}({str(t_err)[:200]!r}); {what} returned "
        f"{_summary(l_out)} instead")
    assert isinstance(l_err, base), (
        f"torch raises {base.__name__} ({str(t_err)[:200]!r}); {what} raised "
        f"{type(l_err).__name__}: {str(l_err)[:300]}")


def _summary(x):
    if isinstance(x, luchina.Tensor):
        return f"a tensor of shape {tuple(x.shape)} and dtype {x.dtype}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)}"
    return repr(x)[:100]


def _flat(out):
    """The tensors of an op's result, in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out] if isinstance(out, (luchina.Tensor, torch.Tensor)) else []


# -- comparing results ----------------------------------------------------------------------------
def assert_same(l, t, tol, where="output"):
    """luchina result ``l`` equals torch result ``t``: structure, shape, dtype, values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(l, luchina.Tensor), f"{where}: expected a Tensor, got {_summary(l)}"
        assert tuple(l.shape) == tuple(t.shape), (
            f"{where}: shape {tuple(l.shape)}, torch gives {tuple(t.shape)}")
        assert str(l.dtype) == str(t.dtype), f"{where}: dtype {l.dtype}, torch gives {t.dtype}"
        _assert_values(np.asarray(l), t.detach().numpy(), tol, where)
    elif isinstance(t, torch.Size):
        assert isinstance(l, tuple) and tuple(l) == tuple(t), f"{where}: {l!r}, torch gives {t}"
    elif isinstance(t, (tuple, list)):
        assert isinstance(l, (tuple, list)), f"{where}: expected a sequence, got {_summary(l)}"
        assert len(l) == len(t), f"{where}: {len(l)} results, torch gives {len(t)}"
        for i, name in enumerate(getattr(type(t), "__match_args__", ())):
            assert hasattr(l, name), f"{where}: the result has no .{name} (torch's has)"
            assert getattr(l, name) is l[i], f"{where}: .{name} is not item {i}"
        for i, (a, b) in enumerate(zip(l, t)):
            assert_same(a, b, tol, f"{where}[{i}]")
    elif t is None:
        assert l is None, f"{where}: expected None, got {_summary(l)}"
    else:
        assert type(l) is type(t) and l == t, f"{where}: {l!r}, torch gives {t!r}"


def _tol(op, torch_dtype):
    name = str(torch_dtype).replace("torch.", "")
    return op.tol.get(name, TOL.get(name, (0.0, 0.0)))


def _assert_values(a, b, tol, where):
    if a.dtype.kind == "f":
        rtol, atol = tol.get(a.dtype.name, TOL.get(a.dtype.name, (1e-5, 1e-6)))
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)


# -- parametrization ------------------------------------------------------------------------------
def _cases(select=lambda op, dtype, s: True, dtypes=None):
    cases = []
    for op in OP_DB:
        for dtype in dtypes or op.dtypes:
            if dtype not in op.dtypes:
                continue
            for i, s in enumerate(op.sample_list(dtype)):
                if select(op, dtype, s):
                    for dev in DEVICES:
                        cases.append(pytest.param(op, dtype, i, dev,
                                                  id=f"{op.name}-{dtype}-{i}-{s.desc}-{dev}"))
    return cases + _NO_CUDA


def _per_op(select=lambda op: True):
    return [pytest.param(op, id=op.name) for op in OP_DB if select(op)]


def _device(device):
    if device == "cuda" and not CUDA:
        pytest.skip("CUDA not available (luchina.cuda.is_available() is False)")


def _main_dtype(op):
    return next(d for d in op.dtypes if d != MIXED)


def _seed(*parts):
    return zlib.crc32("/".join(map(str, parts)).encode())


# -- the per-sample checks ------------------------------------------------------------------------
@pytest.mark.parametrize("op,dtype,index,device", _cases())
def test_forward(op, dtype, index, device):
    _device(device)
    fn = _fn(op, luchina)
    s = op.sample_list(dtype)[index]
    t_out, t_err = _run(_fn(op, torch), *_inputs(s, torch)[:2])
    l_out, l_err = _run(fn, *_inputs(s, luchina, device=device)[:2])
    if t_err is not None:
        _check_error(t_err, l_out, l_err)
        return
    if l_err is not None:
        raise AssertionError(f"luchina raised where torch returned {_summary(t_out)}") from l_err
    assert_same(l_out, t_out, op.tol)


def _has_float(obj, nonempty=False):
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind == "f" and (obj.size > 0 or not nonempty)
    if isinstance(obj, (list, tuple)):
        return any(_has_float(o, nonempty) for o in obj)
    if isinstance(obj, dict):
        return _has_float(list(obj.values()), nonempty)
    return False


def _backward_cases():
    return _cases(lambda op, dtype, s: op.differentiable and s.grad and dtype in
                  ("float32", "float64", MIXED) and _has_float((s.args, s.kwargs)))


@pytest.mark.parametrize("op,dtype,index,device", _backward_cases())
def test_backward(op, dtype, index, device):
    """Gradients of every input equal torch's under a random upstream gradient."""
    _device(device)
    fn = _fn(op, luchina)
    s = op.sample_list(dtype)[index]
    t_args, t_kwargs, t_leaves = _inputs(s, torch, grad=True)
    if not t_leaves:
        pytest.skip("no floating-point input")
    t_out, t_err = _run(_fn(op, torch), t_args, t_kwargs)
    if t_err is not None:
        pytest.skip("torch refuses this sample (test_forward compares the error)")
    l_args, l_kwargs, l_leaves = _inputs(s, luchina, grad=True, device=device)
    l_out, l_err = _run(fn, l_args, l_kwargs)
    if l_err is not None:
        raise AssertionError("luchina raised where torch did not") from l_err
    t_outs, l_outs = _flat(t_out), _flat(l_out)
    assert len(l_outs) == len(t_outs), f"{len(l_outs)} output tensors, torch gives {len(t_outs)}"
    if any(type(to.grad_fn).__name__ == "NotImplemented" for to in t_outs):
        # torch flags the result but has no derivative: luchina may either leave the result
        # out of the graph or raise in backward, but must not invent a gradient
        if not any(lo.requires_grad for lo in l_outs):
            return
        ups = [luchina.ones_like(lo) for lo in l_outs if lo.requires_grad]
        _, l_berr = _run(luchina.autograd.backward,
                         ([lo for lo in l_outs if lo.requires_grad], ups), {})
        assert l_berr is not None, (
            "torch has no derivative here (grad_fn NotImplemented, backward raises "
            "RuntimeError); luchina's backward returned gradients instead")
        return
    for i, (lo, to) in enumerate(zip(l_outs, t_outs)):
        assert lo.requires_grad == to.requires_grad, (
            f"output {i}: requires_grad={lo.requires_grad}, torch gives {to.requires_grad}")
    diff = [i for i, to in enumerate(t_outs) if to.requires_grad]
    if not diff:
        pytest.skip("torch's outputs do not require grad")
    rng = np.random.default_rng(_seed(op.name, dtype, index))
    ups = [rng.standard_normal(tuple(t_outs[i].shape)).astype(t_outs[i].detach().numpy().dtype)
           for i in diff]
    torch.autograd.backward([t_outs[i] for i in diff], [torch.from_numpy(u) for u in ups])
    l_ups = [luchina.from_numpy(u.copy()) for u in ups]
    if device != "cpu":
        l_ups = [u.to(device) for u in l_ups]
    _, l_berr = _run(luchina.autograd.backward, ([l_outs[i] for i in diff], l_ups), {})
    if l_berr is not None:
        raise AssertionError("luchina's backward raised") from l_berr
    # precision is that of the least precise tensor involved (mixed dtypes)
    tols = [_tol(op, t.dtype) for t in [t_outs[i] for i in diff] + t_leaves]
    for k, (lt, tt) in enumerate(zip(l_leaves, t_leaves)):
        where = f"grad of input {k} ({tuple(tt.shape)} {tt.dtype})"
        own = _tol(op, tt.dtype)
        tol = {str(tt.dtype)[6:]: tuple(max(v) for v in zip(own, *tols))}
        if tt.grad is None:
            assert lt.grad is None or not np.asarray(lt.grad).any(), f"{where}: torch gives None"
            continue
        assert lt.grad is not None, f"{where}: luchina gives None"
        assert str(lt.grad.dtype) == str(tt.dtype), f"{where}: gradient dtype {lt.grad.dtype}"
        assert tuple(lt.grad.shape) == tuple(tt.shape), f"{where}: shape {tuple(lt.grad.shape)}"
        _assert_values(np.asarray(lt.grad), tt.grad.numpy(), tol, where)


def _gradcheck_cases():
    return _cases(lambda op, dtype, s: op.differentiable and s.gradcheck
                  and _has_float((s.args, s.kwargs), nonempty=True), dtypes=("float64",))


@pytest.mark.parametrize("op,dtype,index,device", _gradcheck_cases())
def test_gradcheck(op, dtype, index, device):
    """luchina's backward against its own float64 central differences."""
    _device(device)
    fn = _fn(op, luchina)
    s = op.sample_list(dtype)[index]
    t_out, t_err = _run(_fn(op, torch), *_inputs(s, torch, grad=True)[:2])
    if t_err is not None:
        pytest.skip("torch refuses this sample (test_forward compares the error)")
    if any(type(t.grad_fn).__name__ == "NotImplemented" for t in _flat(t_out)):
        pytest.skip("torch has no derivative here (test_backward checks luchina's answer)")
    args, kwargs, leaves = _inputs(s, luchina, grad=True, device=device)
    leaves = [t for t in leaves if t.numel() > 0]
    if not leaves:
        pytest.skip("no non-empty floating-point input")

    def func(*tensors):
        it = iter(tensors)

        def swap(x):
            if isinstance(x, luchina.Tensor) and x.requires_grad and x.numel() > 0:
                return next(it)
            if isinstance(x, (list, tuple)):
                return type(x)(swap(o) for o in x)
            return x
        return fn(*swap(args), **{k: swap(v) for k, v in kwargs.items()})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = _flat(func(*leaves))
        if not any(o.requires_grad for o in out):
            pytest.skip("no differentiable output")
        n_in = sum(t.numel() for t in leaves)
        n_out = sum(o.numel() for o in out)
        fast = max(n_in, n_out) > FULL_JACOBIAN_MAX
        assert gradcheck(func, leaves, fast_mode=fast)


# -- the per-entry checks -------------------------------------------------------------------------
def _diff_float(op):
    return op.differentiable and any(d in op.dtypes for d in ("float32", "float64"))


@pytest.mark.parametrize("device", ("cpu", "cuda"))
@pytest.mark.parametrize("op", _per_op(_diff_float))
def test_no_grad(op, device):
    """Under no_grad results have no grad_fn and do not require grad (an input returned as is,
    e.g. by contiguous(), keeps its flag, as in torch). Deliberately stricter than torch, whose
    views of a tensor that requires grad still say requires_grad=True under no_grad."""
    _device(device)
    fn = _fn(op, luchina)
    dtype = "float32" if "float32" in op.dtypes else "float64"
    for s in op.sample_list(dtype):
        with torch.no_grad():
            t_out, t_err = _run(_fn(op, torch), *_inputs(s, torch, grad=True)[:2])
        if t_err is not None:
            continue
        args, kwargs, leaves = _inputs(s, luchina, grad=True, device=device)
        with luchina.no_grad():
            l_out, l_err = _run(fn, args, kwargs)
        if l_err is not None:
            raise AssertionError(f"sample {s.desc}: luchina raised under no_grad") from l_err
        for i, lo in enumerate(_flat(l_out)):
            assert lo.grad_fn is None, f"sample {s.desc}, output {i}: grad_fn {lo.grad_fn}"
            if not any(lo is x for x in leaves):
                assert not lo.requires_grad, f"sample {s.desc}, output {i}: requires_grad"


@pytest.mark.parametrize("op", _per_op(lambda op: _diff_float(op) and
                                       op.name not in GRAD_FN_NAME_EXEMPT))
def test_grad_fn_name(op):
    """``t.grad_fn.name()`` is torch's node name (``type(t.grad_fn).__name__``)."""
    fn = _fn(op, luchina)
    dtype = "float32" if "float32" in op.dtypes else "float64"
    bad = []
    for s in op.sample_list(dtype):
        t_out, t_err = _run(_fn(op, torch), *_inputs(s, torch, grad=True)[:2])
        if t_err is not None:
            continue
        l_out, l_err = _run(fn, *_inputs(s, luchina, grad=True)[:2])
        if l_err is not None:
            continue  # test_forward reports it
        for lo, to in zip(_flat(l_out), _flat(t_out)):
            if lo.grad_fn is not None and to.grad_fn is not None:
                want = type(to.grad_fn).__name__  # or torch's name(): torch::autograd::...
                if want != "NotImplemented" and lo.grad_fn.name() not in (
                        want, to.grad_fn.name()):
                    bad.append(f"{s.desc}: {lo.grad_fn.name()} (torch: {want})")
    assert not bad, "grad_fn names differ from torch's:\n" + "\n".join(sorted(set(bad)))


def _method_name(op):
    if op.method is False:
        return None
    name = op.method if isinstance(op.method, str) else op.fn
    if not isinstance(name, str) or "." in name or "|" in name:
        return None
    return name if hasattr(torch.Tensor, name) else None


@pytest.mark.parametrize("op", _per_op(_method_name))
def test_method_form(op):
    """``x.name(*rest)`` equals torch's ``torch.name(x, *rest)`` wherever torch has both."""
    _fn(op, luchina)
    name = _method_name(op)
    assert hasattr(luchina.Tensor, name), f"luchina.Tensor.{name} is missing (torch has it)"
    dtype = _main_dtype(op)
    for s in op.sample_list(dtype):
        if not s.args or not isinstance(s.args[0], np.ndarray):
            continue
        t_out, t_err = _run(_fn(op, torch), *_inputs(s, torch)[:2])
        (x, *rest), kwargs, _ = _inputs(s, luchina)
        l_out, l_err = _run(getattr(x, name), rest, kwargs)
        if t_err is not None:
            _check_error(t_err, l_out, l_err, f"x.{name}(...)")
            continue
        if l_err is not None:
            raise AssertionError(f"sample {s.desc}: x.{name}(...) raised") from l_err
        assert_same(l_out, t_out, op.tol, f"sample {s.desc}: x.{name}(...)")


@pytest.mark.parametrize("op", _per_op(lambda op: op.supports_out))
def test_out(op):
    """``fn(..., out=t)`` writes the result into ``t`` and returns it."""
    fn = _fn(op, luchina)
    for s in op.sample_list(_main_dtype(op)):
        t_out, t_err = _run(_fn(op, torch), *_inputs(s, torch)[:2])
        if t_err is not None or not isinstance(t_out, torch.Tensor):
            continue
        dt = str(t_out.dtype).replace("torch.", "")
        t_buf = torch.empty(0, dtype=t_out.dtype)
        args, kwargs, _ = _inputs(s, torch)
        if _run(_fn(op, torch), args, {**kwargs, "out": t_buf})[1] is not None:
            continue  # torch has no out= for this overload
        l_buf = luchina.empty(0, dtype=getattr(luchina, dt))
        args, kwargs, _ = _inputs(s, luchina)
        res, err = _run(fn, args, {**kwargs, "out": l_buf})
        if err is not None:
            raise AssertionError(f"sample {s.desc}: out= raised") from err
        assert res is l_buf, f"sample {s.desc}: out= must return the out tensor"
        assert_same(l_buf, t_buf, op.tol, f"sample {s.desc}: out tensor")


def _alias_cases():
    out = []
    for op in OP_DB:
        main = op.fn.split("|")[0].rsplit(".", 1)[-1] if isinstance(op.fn, str) else None
        for alias in op.covers:  # torch's functional in-place forms (torch.relu_) aside
            if alias != main and not alias.endswith("_") and hasattr(torch, alias):
                out.append(pytest.param(op, alias, id=f"{op.name}-{alias}"))
    return out


@pytest.mark.parametrize("op,alias", _alias_cases())
def test_alias(op, alias):
    """``luchina.<alias>`` behaves as ``torch.<alias>``."""
    _fn(op, luchina)
    fn = getattr(luchina, alias, None)
    if fn is None:
        pytest.skip(f"luchina.{alias} not implemented yet")
    for s in op.sample_list(_main_dtype(op))[:6]:
        t_out, t_err = _run(getattr(torch, alias), *_inputs(s, torch)[:2])
        l_out, l_err = _run(fn, *_inputs(s, luchina)[:2])
        if t_err is not None:
            _check_error(t_err, l_out, l_err, f"luchina.{alias}")
            continue
        if l_err is not None:
            raise AssertionError(f"sample {s.desc}: luchina.{alias} raised") from l_err
        assert_same(l_out, t_out, op.tol, f"sample {s.desc}")


def test_registry_covers_every_public_op():
    """Each name in a luchina.ops family's __all__, and each Tensor method the families bind
    (in-place forms and dunders aside), has an op_db entry or a SKIP reason."""
    covered = set().union(*(op.public_names for op in OP_DB))
    names = {(fam.__name__, name) for fam in luchina.ops.FAMILIES for name in fam.__all__}
    methods = {name for fam in luchina.ops.FAMILIES for name in getattr(fam, "METHODS", {})}
    methods |= set(getattr(luchina.ops, "_METHODS", {}))
    names |= {("Tensor", name) for name in methods
              if not name.startswith("_") and not name.endswith("_")}
    missing = sorted(f"{where}.{name}" for where, name in names
                     if name not in covered and name not in SKIP)
    assert not missing, ("register these in tests/op_db.py (or give a reason in SKIP): "
                         + ", ".join(missing))
