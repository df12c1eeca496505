"""Property tests against torch: broadcasting of binary ops, and indexing expressions.

Random broadcast-compatible shape pairs (including 0-d and empty dims) must give torch's
result and gradients; incompatible pairs must raise torch's error type. Random indexing
expressions (ints, slices with steps, None, Ellipsis, int lists, int tensors, bool masks) must
read and write as torch does, gradients included.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import luchina  # noqa: E402

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}

BINARY = {
    "add": lambda lib, a, b: lib.add(a, b),
    "sub": lambda lib, a, b: lib.sub(a, b),
    "mul": lambda lib, a, b: lib.mul(a, b),
    "div": lambda lib, a, b: lib.div(a, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "a+b": lambda lib, a, b: a + b,
    "a*b": lambda lib, a, b: a * b,
}


# -- helpers --------------------------------------------------------------------------------------
def _pair(arr, grad=True):
    """The same values as a luchina and a torch tensor (leaves requiring grad when float)."""
    lt = luchina.from_numpy(arr.copy())
    tt = torch.from_numpy(arr.copy())
    if grad and arr.dtype.kind == "f":
        lt.requires_grad_()
        tt.requires_grad_()
    return lt, tt


def _values(rng, shape, dtype, away_from_zero=False):
    x = np.asarray(rng.standard_normal(shape))
    if away_from_zero:
        x = np.sign(x + 1e-9) * (np.abs(x) + 0.5)
    return x.astype(dtype)


def _run(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except Exception as e:  # noqa: BLE001 - compared with torch's below
            return None, e


def _builtin_base(exc_type):
    return next(c for c in exc_type.__mro__ if c.__module__ == "builtins")


def _same_error(t_err, l_out, l_err):
    base = _builtin_base(type(t_err))
    assert l_err is not None, f"torch raises {base.__name__} ({t_err}); luchina returned {l_out}"
    assert isinstance(l_err, base), (
        f"torch raises {base.__name__} ({t_err}); luchina raised {type(l_err).__name__}: {l_err}")


def _close(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape}, torch gives {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype}, torch gives {b.dtype}"
    if a.dtype.kind == "f":
        rtol, atol = TOL[a.dtype.name]
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def _backward_both(l_out, t_out, rng):
    g = rng.standard_normal(tuple(t_out.shape)).astype(t_out.detach().numpy().dtype)
    t_out.backward(torch.from_numpy(g.copy()))
    l_out.backward(luchina.from_numpy(g.copy()))


def _check_grads(l_leaves, t_leaves):
    for k, (lt, tt) in enumerate(zip(l_leaves, t_leaves)):
        if not tt.requires_grad:
            continue
        if tt.grad is None:
            assert lt.grad is None or not np.asarray(lt.grad).any(), f"grad {k}: torch has None"
            continue
        assert lt.grad is not None, f"grad {k}: luchina has None"
        _close(lt.grad, tt.grad.numpy(), f"grad of input {k}")


# -- shapes ----------------------------------------------------------------------------------------
def _broadcastable(shapes):
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


@st.composite
def compatible_shapes(draw, n=2):
    return draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=4,
                                                  min_side=0, max_side=4)).input_shapes


@st.composite
def incompatible_shapes(draw):
    """Two shapes that clash in one aligned dimension (sizes both >= 2, or 0 against >= 2)."""
    a, b = (list(s) for s in draw(hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=1, max_dims=4, min_side=1, max_side=4)).input_shapes)
    i = draw(st.integers(1, min(len(a), len(b))))
    m, n = draw(st.sampled_from([(2, 3), (3, 2), (0, 2), (4, 0), (2, 4)]))
    a[-i], b[-i] = m, n
    return tuple(a), tuple(b)


FLOATS = st.sampled_from(["float32", "float64"])


@SETTINGS
@given(op=st.sampled_from(sorted(BINARY)), shapes=compatible_shapes(), dtype=FLOATS,
       seed=st.integers(0, 2**16))
def test_binary_broadcasting(op, shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    a = _values(rng, shapes[0], dtype)
    b = _values(rng, shapes[1], dtype, away_from_zero=op == "div")
    (la, ta), (lb, tb) = _pair(a), _pair(b)
    t_out = BINARY[op](torch, ta, tb)
    l_out, l_err = _run(BINARY[op], luchina, la, lb)
    assert l_err is None, f"{op}{shapes}: luchina raised {l_err!r}"
    _close(l_out.detach(), t_out.detach().numpy(), f"{op}{shapes}")
    _backward_both(l_out, t_out, rng)
    _check_grads([la, lb], [ta, tb])


@SETTINGS
@given(op=st.sampled_from(sorted(BINARY)), shapes=incompatible_shapes(), dtype=FLOATS)
def test_binary_incompatible_shapes(op, shapes, dtype):
    assert not _broadcastable(shapes)
    rng = np.random.default_rng(0)
    a, b = (_values(rng, s, dtype, away_from_zero=True) for s in shapes)
    t_out, t_err = _run(BINARY[op], torch, *(_pair(x)[1] for x in (a, b)))
    assert t_err is not None, f"torch accepted {shapes}"
    l_out, l_err = _run(BINARY[op], luchina, *(_pair(x)[0] for x in (a, b)))
    _same_error(t_err, l_out, l_err)


@SETTINGS
@given(shapes=compatible_shapes(n=3), dtype=FLOATS, seed=st.integers(0, 2**16),
       scalar=st.sampled_from([None, "input", "other"]))
def test_where_broadcasting(shapes, dtype, seed, scalar):
    rng = np.random.default_rng(seed)
    cond = np.asarray(rng.random(shapes[0]) < 0.5)
    a, b = _values(rng, shapes[1], dtype), _values(rng, shapes[2], dtype)
    (lc, tc), (la, ta), (lb, tb) = _pair(cond), _pair(a), _pair(b)
    l_args, t_args = [lc, la, lb], [tc, ta, tb]
    if scalar == "input":
        l_args[1] = t_args[1] = 1.5
    elif scalar == "other":
        l_args[2] = t_args[2] = -0.5
    t_out = torch.where(*t_args)
    l_out, l_err = _run(luchina.where, *l_args)
    assert l_err is None, f"where{shapes}: luchina raised {l_err!r}"
    _close(l_out.detach(), t_out.detach().numpy(), f"where{shapes}")
    if t_out.requires_grad:
        _backward_both(l_out, t_out, rng)
        _check_grads([la, lb], [ta, tb])


@SETTINGS
@given(shapes=incompatible_shapes(), dtype=FLOATS)
def test_where_incompatible_shapes(shapes, dtype):
    rng = np.random.default_rng(0)
    cond = np.asarray(rng.random(shapes[0]) < 0.5)
    a = _values(rng, shapes[1], dtype)
    t_out, t_err = _run(torch.where, _pair(cond)[1], _pair(a)[1], 0.0)
    assert t_err is not None
    l_out, l_err = _run(luchina.where, _pair(cond)[0], _pair(a)[0], 0.0)
    _same_error(t_err, l_out, l_err)


# -- indexing --------------------------------------------------------------------------------------
def _needs_indexing():
    if not hasattr(luchina.Tensor, "__getitem__"):
        pytest.skip("luchina.Tensor.__getitem__ not implemented yet")


@st.composite
def _part(draw, size, n_adv):
    """One index for a dimension of ``size``; advanced indices share ``n_adv`` elements."""
    kinds = ["slice", "list", "tensor"] + (["int"] if size > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return draw(st.integers(-size, size - 1)), 1
    if kind == "slice":
        bound = st.one_of(st.none(), st.integers(-size - 2, size + 2))
        return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3]))), 1
    if size == 0:
        return slice(None), 1
    values = draw(st.lists(st.integers(-size, size - 1), min_size=n_adv, max_size=n_adv))
    return (values if kind == "list" else np.array(values, dtype=np.int64)), 1


@st.composite
def index_cases(draw):
    """(shape, index): ints, slices, None, Ellipsis, int lists/tensors, bool masks."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))
    n_adv = draw(st.integers(1, 3))
    use_ellipsis = draw(st.booleans())
    n_front = draw(st.integers(0, len(shape)))
    n_back = draw(st.integers(0, len(shape) - n_front)) if use_ellipsis else 0
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))

    def parts(dims):
        out, i = [], 0
        while i < len(dims):
            if draw(st.integers(0, 5)) == 0:
                out.append(None)
                continue
            if draw(st.integers(0, 5)) == 0:  # a bool mask over one or more dims
                k = draw(st.integers(1, len(dims) - i))
                out.append(np.asarray(rng.random(dims[i:i + k]) < 0.5))
                i += k
                continue
            p, used = draw(_part(dims[i], n_adv))
            out.append(p)
            i += used
        return out

    index = parts(shape[:n_front])
    if use_ellipsis:
        index += [Ellipsis] + parts(shape[len(shape) - n_back:])
    if draw(st.booleans()):
        index.append(None)
    if len(index) == 1 and draw(st.booleans()):
        return shape, index[0]
    return shape, tuple(index)


def _convert_index(index, lib):
    if isinstance(index, tuple):
        return tuple(_convert_index(i, lib) for i in index)
    if isinstance(index, np.ndarray):
        return (luchina.from_numpy(index.copy()) if lib is luchina
                else torch.from_numpy(index.copy()))
    return index


@SETTINGS
@given(case=index_cases(), seed=st.integers(0, 2**16))
def test_getitem(case, seed):
    _needs_indexing()
    shape, index = case
    rng = np.random.default_rng(seed)
    lx, tx = _pair(_values(rng, shape, "float32"))
    t_out, t_err = _run(lambda: tx[_convert_index(index, torch)])
    l_out, l_err = _run(lambda: lx[_convert_index(index, luchina)])
    if t_err is not None:
        _same_error(t_err, l_out, l_err)
        return
    assert l_err is None, f"x{list(shape)}[{index!r}]: luchina raised {l_err!r}"
    _close(l_out.detach(), t_out.detach().numpy(), f"x{list(shape)}[{index!r}]")
    _backward_both(l_out, t_out, rng)
    _check_grads([lx], [tx])


def _has_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (list, np.ndarray)) for i in items)


@SETTINGS
@given(case=index_cases(), seed=st.integers(0, 2**16), tensor_value=st.booleans())
def test_setitem(case, seed, tensor_value):
    """y = x.clone(); y[index] = v: values and the gradients of x and v."""
    _needs_indexing()
    if not hasattr(luchina.Tensor, "__setitem__"):
        pytest.skip("luchina.Tensor.__setitem__ not implemented yet")
    shape, index = case
    rng = np.random.default_rng(seed)
    lx, tx = _pair(_values(rng, shape, "float32"))
    sel, t_err = _run(lambda: tx.detach()[_convert_index(index, torch)])
    # repeated advanced indices write in an unspecified order: write one number then
    tensor_value = tensor_value and t_err is None and not _has_advanced(index)
    if tensor_value:
        lv, tv = _pair(_values(rng, tuple(sel.shape), "float32"))
    else:
        lv = tv = 2.5

    def write(x, v, lib):
        y = x.clone()
        y[_convert_index(index, lib)] = v
        return y

    t_out, t_err = _run(write, tx, tv, torch)
    l_out, l_err = _run(write, lx, lv, luchina)
    if t_err is not None:
        _same_error(t_err, l_out, l_err)
        return
    assert l_err is None, f"x{list(shape)}[{index!r}] = v: luchina raised {l_err!r}"
    _close(l_out.detach(), t_out.detach().numpy(), f"x{list(shape)}[{index!r}] = v")
    _backward_both(l_out, t_out, rng)
    _check_grads([lx, lv] if tensor_value else [lx], [tx, tv] if tensor_value else [tx])


def test_incompatible_shapes_strategy_is_incompatible():
    """The strategy above really produces clashing shapes (a guard for the tests using it)."""
    @settings(max_examples=30, deadline=None, derandomize=True)
    @given(shapes=incompatible_shapes())
    def check(shapes):
        assert not _broadcastable(shapes)
    check()

