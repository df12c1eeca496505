"""Reductions, scans and selections (luchina/ops/reduce.py, sorting.py) against torch 2.13.

Every check compares forward (shape, dtype, values) and the input gradients under a random
upstream gradient; float64 gradchecks use luchina.autograd.gradcheck.
"""
# ruff: noqa: B023  (the lambdas built in loops are called at once, inside the same iteration)

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina as L  # noqa: E402
from luchina._tensor import Tensor  # noqa: E402
from luchina.autograd import gradcheck  # noqa: E402

NAN, INF = float("nan"), float("inf")


# -- harness -----------------------------------------------------------------------------------
def _rng(seed=0):
    return np.random.default_rng(seed)


def _leaf(a, rg, transpose):
    """A luchina leaf and a torch leaf with the same values; luchina's non-contiguous on request."""
    a = np.asarray(a)
    t = torch.tensor(a, requires_grad=rg)
    if transpose and a.ndim >= 2:
        arr = np.ascontiguousarray(np.swapaxes(a, 0, 1)).swapaxes(0, 1)
        assert not arr.flags.c_contiguous or a.size <= 1
        return Tensor._make(arr, rg), t
    return Tensor._make(a.copy(), rg), t


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out]
    return [out]


def _close(lt, tt, atol, rtol, what):
    assert isinstance(lt, Tensor), f"{what}: got {type(lt)}"
    assert tuple(lt.shape) == tuple(tt.shape), f"{what}: shape {tuple(lt.shape)} vs {tt.shape}"
    assert str(lt.dtype) == str(tt.dtype), f"{what}: dtype {lt.dtype} vs {tt.dtype}"
    assert isinstance(lt._data, np.ndarray), f"{what}: holds {type(lt._data)}, not an array"
    np.testing.assert_allclose(np.asarray(lt._data, dtype=np.float64) if lt._data.size else
                               lt._data, tt.detach().numpy(), atol=atol, rtol=rtol,
                               equal_nan=True, err_msg=what)


def check(lfn, tfn, *arrays, rg=True, transpose=False, atol=1e-5, rtol=1e-4, seed=1, grad=True):
    """Forward and backward of lfn(luchina inputs) against tfn(torch inputs)."""
    arrays = [np.asarray(a) for a in arrays]
    pairs = [_leaf(a, rg and a.dtype.kind == "f", transpose) for a in arrays]
    lx, tx = [p[0] for p in pairs], [p[1] for p in pairs]
    result = lfn(*lx)
    lo, to = _flat(result), _flat(tfn(*tx))
    assert len(lo) == len(to)
    for i, (a, b) in enumerate(zip(lo, to)):
        _close(a, b, atol, rtol, f"output {i}")
        assert a.requires_grad == b.requires_grad, f"output {i} requires_grad"
    outs = [(a, b) for a, b in zip(lo, to) if b.requires_grad]
    if not grad or not outs:
        return result
    rng = _rng(seed)
    ups = [rng.standard_normal(b.shape).astype(b.detach().numpy().dtype) for _, b in outs]
    torch.autograd.backward([b for _, b in outs], [torch.tensor(u) for u in ups])
    L.autograd.backward([a for a, _ in outs], [L.tensor(u) for u in ups])
    for i, (a, b) in enumerate(zip(lx, tx)):
        if b.grad is None:
            assert a.grad is None, f"grad {i}: torch gives None"
        else:
            assert a.grad is not None, f"grad {i}: missing"
            _close(a.grad, b.grad, atol * 10, rtol * 10, f"grad of input {i}")
    return result


def gc(fn, shape, seed=0, positive=False, distinct=True):
    rng = _rng(seed)
    n = math.prod(shape)
    a = rng.permutation(n).astype(np.float64) / n + 0.5 if distinct else rng.standard_normal(n)
    if not positive and distinct:
        a = a * rng.choice([-1.0, 1.0], n)
    x = Tensor._make(a.reshape(shape), True)
    assert gradcheck(fn, (x,), eps=1e-6, atol=1e-5, rtol=1e-3)


def data(shape, dtype=np.float32, seed=0, distinct=True):
    """Distinct values (no ties) unless asked, so selections have one right answer."""
    rng = _rng(seed)
    n = math.prod(shape)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 7, shape).astype(dtype)
    if distinct:
        return ((rng.permutation(n) - n / 2) / max(n, 1) * 4).reshape(shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


SHAPE_DIMS = [  # (shape, dim) pairs every dim-reduction runs on
    ((), None), ((), 0), ((), -1), ((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0),
    ((3, 4), -1), ((3, 4), (0, 1)), ((3, 4), [1, 0]), ((2, 3, 4), 1), ((2, 3, 4), (0, 2)),
    ((2, 3, 4), -2), ((0, 3), 1), ((0, 3), 0), ((0, 3), None), ((3, 4), ()),
]
FLOATS = [np.float32, np.float64]


def _id(v):
    return str(v).replace(" ", "")


# -- sum / mean / nansum / nanmean -------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", SHAPE_DIMS, ids=_id)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["sum", "mean", "nansum"])
def test_sum_mean(op, shape, dim, keepdim):
    for dt in FLOATS:
        for tr in (False, True):
            if dim is None:
                kw = {} if not keepdim else None
                if kw is None:
                    continue
                check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(),
                      data(shape, dt), transpose=tr)
            else:
                check(lambda x: getattr(L, op)(x, dim, keepdim),
                      lambda x: getattr(torch, op)(x, dim, keepdim), data(shape, dt),
                      transpose=tr)


@pytest.mark.parametrize("op", ["sum", "nansum", "mean", "prod", "cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_, np.int64, np.int8])
def test_integer_inputs(op, dtype):
    a = data((3, 4), dtype)
    if op == "mean":
        with pytest.raises(RuntimeError, match="could not infer output dtype"):
            L.mean(L.tensor(a))
        check(lambda x: x.mean(0, dtype=L.float64), lambda x: x.mean(0, dtype=torch.float64), a)
        return
    if op.startswith("cum"):
        check(lambda x: getattr(x, op)(1), lambda x: getattr(x, op)(1), a)
        check(lambda x: getattr(x, op)(0, dtype=L.float32),
              lambda x: getattr(x, op)(0, dtype=torch.float32), a)
        return
    check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a)
    check(lambda x: getattr(x, op)(1, True), lambda x: getattr(x, op)(1, True), a)
    check(lambda x: getattr(x, op)(dtype=L.float64), lambda x: getattr(x, op)(dtype=torch.float64),
          a)


def test_sum_dtype_and_out():
    a = data((3, 4))
    check(lambda x: x.sum(0, dtype=L.float64), lambda x: x.sum(0, dtype=torch.float64), a)
    check(lambda x: x.sum(dtype=L.int32), lambda x: x.sum(dtype=torch.int32), a * 3, rg=False)
    check(lambda x: x.nansum(dtype=L.int32), lambda x: x.nansum(dtype=torch.int32), a * 3,
          rg=False)
    check(lambda x: x.mean((0, 1), True, dtype=L.float64),
          lambda x: x.mean((0, 1), True, dtype=torch.float64), a)
    o = L.empty(0)
    r = L.sum(L.tensor(a), 1, out=o)
    assert r is o and np.allclose(o.numpy(), a.sum(1))
    o = L.empty(0)
    L.mean(L.tensor(a), (0,), out=o)
    assert np.allclose(o.numpy(), a.mean(0))
    with pytest.raises(RuntimeError, match="out="):
        L.sum(L.tensor(a, requires_grad=True), 0, out=L.empty(4))


def test_sum_errors():
    x = L.tensor(data((3, 4)))
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.sum(2)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.sum((0, -2))
    with pytest.raises(TypeError):
        x.sum(0.5)
    with pytest.raises(IndexError):
        L.tensor(2.0).sum(1)
    with pytest.raises(RuntimeError, match="mean"):
        x.mean(dtype=L.int64)


def test_nan_reductions():
    a = data((3, 4))
    a[0, 1] = a[2, 2] = a[2, 3] = NAN
    b = np.full((2, 2), NAN, np.float32)
    b[0, 0] = 1.5
    for arr in (a, b):
        for dim in (None, 0, 1, (0, 1)):
            kw = {} if dim is None else {"dim": dim}
            check(lambda x: L.nansum(x, **kw), lambda x: torch.nansum(x, **kw), arr)
            with np.errstate(all="ignore"):
                check(lambda x: L.nanmean(x, **kw), lambda x: torch.nanmean(x, **kw), arr)
    r = L.nanmean(L.tensor(a, requires_grad=True), 1)
    assert r.grad_fn.name() == "DivBackward0"
    with pytest.raises(RuntimeError, match="nanmean"):
        L.nanmean(L.tensor([1, 2]))
    check(lambda x: x.nanmean(dtype=L.float64), lambda x: x.nanmean(dtype=torch.float64), a)


# -- prod ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_prod(zeros):
    a = data((3, 4), np.float64) + 0.1
    if zeros >= 1:
        a[1, 2] = 0.0
    if zeros == 2:
        a[1, 0] = 0.0
        a[2, 3] = 0.0
    for tr in (False, True):
        check(lambda x: x.prod(), lambda x: x.prod(), a, transpose=tr)
        for dim in (0, 1, -1):
            for kd in (False, True):
                check(lambda x: L.prod(x, dim, kd), lambda x: torch.prod(x, dim, kd), a,
                      transpose=tr)
    check(lambda x: x.prod(0, dtype=L.float64), lambda x: x.prod(0, dtype=torch.float64),
          a.astype(np.float32))
    for shape in [(), (0, 3), (5,)]:
        check(lambda x: x.prod(), lambda x: x.prod(), data(shape))
        if shape:
            check(lambda x: x.prod(-1), lambda x: x.prod(-1), data(shape))
    check(lambda x: x.prod(0), lambda x: x.prod(0), np.array(0.0))
    with pytest.raises(TypeError):
        L.tensor(a).prod((0, 1))


# -- var / std ----------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("shape,dim", [s for s in SHAPE_DIMS if 0 not in s[0] and s[1] != ()],
                         ids=_id)
def test_var_std(op, shape, dim):
    a = data(shape, np.float64, distinct=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kw in ({}, {"correction": 0}, {"correction": 2}, {"unbiased": False},
                   {"keepdim": True, "correction": 0.5}):
            if dim is not None:
                kw = {"dim": dim, **kw}
            check(lambda x: getattr(L, op)(x, **kw), lambda x: getattr(torch, op)(x, **kw), a)
            check(lambda x: getattr(x, op)(**kw), lambda x: getattr(x, op)(**kw),
                  a.astype(np.float32), transpose=True)


def test_var_std_legacy_positional():
    a = data((3, 4), distinct=False)
    for args in [(True,), (False,), (0, True), (0, False, True), (1, True, False), (None, False)]:
        for op in ("var", "std"):
            check(lambda x: getattr(x, op)(*args), lambda x: getattr(x, op)(*args), a)
            check(lambda x: getattr(L, op)(x, *args), lambda x: getattr(torch, op)(x, *args), a)
    with pytest.raises(RuntimeError, match="floating point"):
        L.tensor([1, 2]).var()
    with pytest.raises(TypeError):
        L.tensor(a).std(correction=1, unbiased=True)


def test_var_std_edge_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for shape, dim in [((1,), None), ((0,), None), ((0, 3), 0), ((0, 3), 1), ((), None)]:
            for op in ("var", "std"):
                kw = {} if dim is None else {"dim": dim}
                check(lambda x: getattr(x, op)(**kw), lambda x: getattr(x, op)(**kw), data(shape))
    with pytest.warns(UserWarning, match="degrees of freedom"):
        L.tensor([1.0]).var()
    # constant input: std is 0 and its gradient is 0 (not NaN), as in torch
    check(lambda x: x.std(), lambda x: x.std(), np.full(4, 2.0, np.float32))
    check(lambda x: x.std(1), lambda x: x.std(1), np.array([[1.0, 1, 1], [1, 2, 3]]))


def test_var_mean_std_mean():
    a = data((3, 4), distinct=False)
    for fn in ("var_mean", "std_mean"):
        for args, kw in [((1,), {}), ((), {"correction": 0, "keepdim": True}), ((), {}),
                         (((0, 1), True), {}), ((0,), {"unbiased": False})]:
            check(lambda x: getattr(L, fn)(x, *args, **kw),
                  lambda x: getattr(torch, fn)(x, *args, **kw), a, transpose=True)
        with L.no_grad():
            v, m = getattr(L, fn)(L.tensor(a), 1)
        np.testing.assert_allclose(v.numpy(), getattr(torch, fn)(torch.tensor(a), 1)[0],
                                   rtol=1e-5)


# -- max / min / amax / amin / argmax / argmin / aminmax -----------------------------------------
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min(op):
    for dt in FLOATS + [np.int32, np.bool_]:
        for shape in [(), (5,), (3, 4), (2, 3, 4)]:
            a = data(shape, dt)
            for tr in (False, True):
                check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a, transpose=tr)
                for dim in range(-max(len(shape), 1), max(len(shape), 1)):
                    for kd in (False, True):
                        lo = check(lambda x: getattr(L, op)(x, dim, kd),
                                   lambda x: getattr(torch, op)(x, dim, kd), a, transpose=tr)
                        assert type(lo).__name__ == op
    check(lambda x: L.max(x, 1, keepdim=True).values, lambda x: torch.max(x, 1, True).values,
          data((3, 4)))
    check(lambda x: getattr(x, op)(dim=1)[1], lambda x: getattr(x, op)(dim=1)[1], data((3, 4)))


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "median", "nanmedian"])
def test_full_reduction_ties_share_gradient(op):
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 3.0, 0.0, 3.0]], np.float32)
    if op in ("median", "nanmedian"):
        a = np.array([[1.0, 2.0, 2.0, 0.0], [2.0, 5.0, 0.0, 3.0]], np.float32)
    check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a)
    check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), np.ones((2, 3)))


def test_dim_ties_go_to_the_returned_index():
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0, 0, 5, 0]], np.float32)
    for op in ("max", "min"):
        for dim in (0, 1):
            check(lambda x: getattr(x, op)(dim), lambda x: getattr(x, op)(dim), a)
    for dims in [(), 0, 1, (0, 1), -1]:
        for op in ("amax", "amin"):
            check(lambda x: getattr(x, op)(dims), lambda x: getattr(x, op)(dims), a)
            check(lambda x: getattr(x, op)(dims, True), lambda x: getattr(x, op)(dims, True), a,
                  transpose=True)


def test_max_nan():
    a = np.array([1.0, NAN, 3.0, NAN], np.float32)
    for op in ("max", "min", "argmax", "argmin"):
        check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a)
        check(lambda x: getattr(x, op)(0), lambda x: getattr(x, op)(0), a)
    check(lambda x: x.amax(), lambda x: x.amax(), a)


def test_max_binary_and_out():
    a, b = data((3, 4)), data((3, 4), seed=1)
    check(lambda x, y: L.max(x, y), lambda x, y: torch.max(x, y), a, b)
    check(lambda x, y: x.min(y), lambda x, y: x.min(y), a, b)
    v, i = L.empty(0), L.empty(0, dtype=L.int64)
    r = L.max(L.tensor(a), 1, out=(v, i))
    assert r.values is v and r.indices is i
    np.testing.assert_array_equal(i.numpy(), a.argmax(1))


def test_max_errors():
    e = L.zeros(0, 3)
    with pytest.raises(RuntimeError, match="numel\\(\\) == 0"):
        e.max()
    with pytest.raises(IndexError, match="non-zero size"):
        e.max(0)
    with pytest.raises(IndexError, match="non-zero size"):
        e.amax(0)
    with pytest.raises(IndexError):
        e.argmax()
    with pytest.raises(RuntimeError, match="aminmax"):
        e.aminmax()
    with pytest.raises(IndexError, match="Dimension out of range"):
        L.zeros(2, 3).max(5)
    check(lambda x: x.max(1), lambda x: x.max(1), data((0, 3)))
    check(lambda x: x.amax(1), lambda x: x.amax(1), data((0, 3)))
    check(lambda x: x.argmax(1), lambda x: x.argmax(1), data((0, 3)))


def test_return_type_repr_matches_torch():
    a = data((2, 3))
    lx, tx = L.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for name, args in [("max", (1,)), ("min", (0, True)), ("sort", ()), ("topk", (2,)),
                       ("median", (1,)), ("kthvalue", (1,)), ("mode", ()), ("aminmax", ())]:
        lr, tr = getattr(lx, name)(*args), getattr(tx, name)(*args)
        assert repr(lr) == repr(tr)
        assert str(lr) == str(tr)
        assert lr[0] is lr.values if name != "aminmax" else lr.min is lr[0]
    assert isinstance(L.max(lx, 1), L.return_types.max)
    import pickle
    r = pickle.loads(pickle.dumps(L.max(L.tensor(a), 1)))
    assert type(r).__name__ == "max"


@pytest.mark.parametrize("shape,dim", [s for s in SHAPE_DIMS if 0 not in s[0]], ids=_id)
def test_amax_amin(shape, dim):
    for op in ("amax", "amin"):
        for kd in (False, True):
            args = (() if dim is None else dim, kd)
            check(lambda x: getattr(L, op)(x, *args), lambda x: getattr(torch, op)(x, *args),
                  data(shape), transpose=True)


def test_argmax_argmin():
    for shape in [(), (5,), (3, 4), (2, 3, 4)]:
        a = data(shape)
        for op in ("argmax", "argmin"):
            check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a)
            check(lambda x: getattr(L, op)(x, keepdim=True),
                  lambda x: getattr(torch, op)(x, keepdim=True), a)
            for dim in range(-max(len(shape), 1), max(len(shape), 1)):
                check(lambda x: getattr(L, op)(x, dim, True),
                      lambda x: getattr(torch, op)(x, dim, True), a, transpose=True)
                check(lambda x: getattr(x, op)(dim), lambda x: getattr(x, op)(dim), a)
    check(lambda x: x.argmax(1), lambda x: x.argmax(1), data((3, 4), np.int32))


def test_aminmax():
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 2.0]], np.float32)
    check(lambda x: L.aminmax(x), lambda x: torch.aminmax(x), a)
    for dim in (0, 1, -1):
        for kd in (False, True):
            check(lambda x: x.aminmax(dim=dim, keepdim=kd),
                  lambda x: x.aminmax(dim=dim, keepdim=kd), a)
    check(lambda x: x.aminmax(), lambda x: x.aminmax(), data((3, 4), np.int32))
    with pytest.raises(TypeError):
        L.aminmax(L.tensor(a), dim=(0, 1))


# -- all / any / count_nonzero -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.bool_, np.uint8, np.int64])
def test_all_any_count_nonzero(dtype):
    a = data((3, 4), dtype) if dtype != np.float32 else np.array(
        [[0, 1, 2, 3], [1, 1, 1, 1], [0, 0, 0, 0]], np.float32)
    for dim in (None, 0, 1, -1, (0, 1), ()):
        for op in ("all", "any"):
            if dim is None:
                check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a)
                continue
            check(lambda x: getattr(L, op)(x, dim), lambda x: getattr(torch, op)(x, dim), a)
            check(lambda x: getattr(x, op)(dim, True), lambda x: getattr(x, op)(dim, True), a)
        kw = {} if dim is None else {"dim": dim}
        check(lambda x: L.count_nonzero(x, **kw), lambda x: torch.count_nonzero(x, **kw), a)
    for shape in [(), (0, 3)]:
        check(lambda x: x.all(), lambda x: x.all(), data(shape, dtype))
        check(lambda x: x.any(), lambda x: x.any(), data(shape, dtype))
        check(lambda x: x.count_nonzero(), lambda x: x.count_nonzero(), data(shape, dtype))


# -- logsumexp / softmax / log_softmax -----------------------------------------------------------
@pytest.mark.parametrize("shape,dim", [s for s in SHAPE_DIMS if s[1] is not None], ids=_id)
def test_logsumexp(shape, dim):
    if dim == ():
        return  # torch errors on dim=(); luchina reduces every dim
    for kd in (False, True):
        for dt in FLOATS:
            check(lambda x: L.logsumexp(x, dim, kd), lambda x: torch.logsumexp(x, dim, kd),
                  data(shape, dt, distinct=False) * 30, transpose=True)


def test_logsumexp_special():
    a = np.array([[-INF, -INF, -INF], [INF, 1.0, 2.0], [1000.0, 1000.0, -1000.0]], np.float32)
    check(lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), a)
    check(lambda x: x.logsumexp(0), lambda x: x.logsumexp(0), a[2:])
    check(lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), np.arange(6).reshape(2, 3))
    check(lambda x: L.logsumexp(x, (0, 1)), lambda x: torch.logsumexp(x, (0, 1)), a[2:] / 3)
    with pytest.raises(TypeError):
        L.logsumexp(L.tensor(a))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax(op):
    for shape in [(), (5,), (3, 4), (2, 3, 4), (0, 3), (3, 0)]:
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            for dt in FLOATS:
                for tr in (False, True):
                    check(lambda x: getattr(L, op)(x, dim), lambda x: getattr(torch, op)(x, dim),
                          data(shape, dt, distinct=False) * 5, transpose=tr)
                check(lambda x: getattr(x, op)(dim=dim), lambda x: getattr(x, op)(dim=dim),
                      data(shape, dt, distinct=False))
    big = np.array([[1000.0, 1001.0, -1000.0], [-INF, 0.0, 1.0]], np.float32)
    check(lambda x: getattr(x, op)(1), lambda x: getattr(x, op)(1), big)
    check(lambda x: getattr(L, op)(x, 0, dtype=L.float64),
          lambda x: getattr(torch, op)(x, 0, dtype=torch.float64), data((3, 4)))
    check(lambda x: getattr(L, op)(x, 1, L.float32), lambda x: getattr(torch, op)(x, 1,
                                                                                 torch.float32),
          data((3, 4), np.int64))
    with pytest.raises(NotImplementedError):
        getattr(L, op)(L.tensor([1, 2]), 0)
    with pytest.raises(IndexError):
        getattr(L, op)(L.tensor(data((2, 3))), 2)


def test_softmax_backward_uses_output():
    x = L.tensor(data((2, 3)), requires_grad=True)
    y = x.softmax(1)
    assert y.grad_fn.saved[0] is y._data
    y = x.log_softmax(1)
    assert y.grad_fn.saved[0] is y._data


# -- cumsum / cumprod ----------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_cumulative(op):
    for shape in [(), (5,), (3, 4), (2, 3, 4), (0, 3)]:
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            for dt in FLOATS:
                check(lambda x: getattr(L, op)(x, dim), lambda x: getattr(torch, op)(x, dim),
                      data(shape, dt), transpose=True)
    check(lambda x: getattr(x, op)(0, dtype=L.float64),
          lambda x: getattr(x, op)(0, dtype=torch.float64), data((3, 4)))
    with pytest.raises(IndexError):
        getattr(L, op)(L.tensor(data((2, 3))), -3)


def test_cumprod_zeros():
    for row in ([2.0, 0.0, 3.0, 0.0, 5.0], [2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.0, 1.0],
                [1.5, 2.0, 3.0, 0.0], [0.0, 2.0, 3.0, 4.0]):
        a = np.array(row)
        check(lambda x: x.cumprod(0), lambda x: x.cumprod(0), a)
        check(lambda x: x.cumprod(1), lambda x: x.cumprod(1), np.stack([a, a[::-1], a + 1]))
        check(lambda x: x.cumprod(0), lambda x: x.cumprod(0), np.stack([a, a[::-1]]).T.copy())


def test_inplace_cumsum():
    a = data((3, 4))
    x = L.tensor(a)
    assert x.cumsum_(1) is x
    np.testing.assert_allclose(x.numpy(), np.cumsum(a, 1), rtol=1e-6)


# -- norm ---------------------------------------------------------------------------------------
P_VALUES = ["fro", 2, 1, INF, -INF, 0, 3, 0.5, -1, 2.5]


@pytest.mark.parametrize("p", P_VALUES, ids=str)
def test_norm(p):
    a = data((3, 4), np.float64, distinct=False)
    for tr in (False, True):
        for dim, kd in [(None, False), (None, True), (0, False), (1, True), ((0, 1), False),
                        ([-1], True), ((), False)]:
            check(lambda x: L.norm(x, p, dim, kd), lambda x: torch.norm(x, p, dim, kd), a,
                  transpose=tr)
    check(lambda x: x.norm(p), lambda x: x.norm(p), data((5,)))
    check(lambda x: x.norm(p), lambda x: x.norm(p), np.array(-2.5))
    check(lambda x: x.norm(p=p, dim=0), lambda x: x.norm(p=p, dim=0), data((2, 3, 4)))


@pytest.mark.parametrize("p", P_VALUES, ids=str)
def test_norm_zeros(p):
    # torch's gradient at a zero norm is 0; zeros inside a nonzero vector get 0 as well
    check(lambda x: x.norm(p), lambda x: x.norm(p), np.zeros(3))
    check(lambda x: x.norm(p), lambda x: x.norm(p), np.array([0.0, 0.0, 3.0, -4.0]))
    check(lambda x: x.norm(p, 1), lambda x: x.norm(p, 1), np.array([[0.0, 0.0], [3.0, -4.0]]))


def test_norm_misc():
    a = data((3, 4))
    check(lambda x: x.norm(dtype=L.float64), lambda x: x.norm(dtype=torch.float64), a)
    check(lambda x: x.norm(), lambda x: x.norm(), data((0, 3)))
    check(lambda x: L.norm(x, p=None), lambda x: torch.norm(x, p=None), a)
    o = L.empty(0)
    L.norm(L.tensor(a), "fro", 1, out=o)
    np.testing.assert_allclose(o.numpy(), np.linalg.norm(a, axis=1), rtol=1e-6)
    with pytest.raises(RuntimeError, match="floating point"):
        L.tensor([1, 2]).norm()
    with pytest.raises(RuntimeError, match="inf norm"):
        L.zeros(0).norm(INF)
    with pytest.raises(RuntimeError, match="2-tuple"):
        L.zeros(2, 2, 2).norm("fro", (0, 1, 2))


# -- sort / argsort / msort / topk ---------------------------------------------------------------
def test_sort_argsort():
    for shape in [(), (6,), (3, 4), (2, 3, 4), (0, 3)]:
        a = data(shape)
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            for desc in (False, True):
                check(lambda x: L.sort(x, dim, desc), lambda x: torch.sort(x, dim, desc), a,
                      transpose=True)
                check(lambda x: x.argsort(dim, desc), lambda x: x.argsort(dim, desc), a)
    ties = np.array([[3.0, 1, 3, 0, 1, NAN, 3], [2, 2, 2, 2, NAN, 1, NAN]], np.float32)
    for desc in (False, True):
        check(lambda x: x.sort(dim=1, descending=desc, stable=True),
              lambda x: x.sort(dim=1, descending=desc, stable=True), ties)
        check(lambda x: x.argsort(dim=1, descending=desc, stable=True),
              lambda x: x.argsort(dim=1, descending=desc, stable=True), ties)
        check(lambda x: L.sort(x, stable=True, descending=desc),
              lambda x: torch.sort(x, stable=True, descending=desc), data((4, 5), np.int64))
    check(lambda x: x.msort(), lambda x: x.msort(), data((4, 3)))
    check(lambda x: L.msort(x), lambda x: torch.msort(x), data((4,)))
    check(lambda x: x.sort(), lambda x: x.sort(), np.array([True, False, True]))


def test_topk():
    for shape in [(), (7,), (3, 5), (2, 3, 40)]:
        a = data(shape)
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            n = shape[dim] if shape else 1
            for k in sorted({0, 1, 2, n} & set(range(n + 1))):
                for largest in (True, False):
                    check(lambda x: L.topk(x, k, dim, largest),
                          lambda x: torch.topk(x, k, dim, largest), a, transpose=True)
    check(lambda x: x.topk(3, largest=False, sorted=True),
          lambda x: x.topk(3, largest=False, sorted=True),
          _rng(2).permutation(24).reshape(4, 6).astype(np.int32))
    check(lambda x: x.topk(2), lambda x: x.topk(2), np.array([1.0, NAN, 3.0, 2.0]))
    check(lambda x: x.topk(0, 0), lambda x: x.topk(0, 0), data((0, 3)))
    with pytest.raises(RuntimeError, match="out of range"):
        L.tensor(data((2, 3))).topk(4)
    with pytest.raises(RuntimeError, match="out of range"):
        L.tensor(2.0).topk(2)


# -- median / nanmedian / kthvalue / mode -------------------------------------------------------
def test_median():
    for shape in [(), (5,), (6,), (3, 4), (3, 5), (2, 3, 4)]:
        a = data(shape)
        check(lambda x: x.median(), lambda x: x.median(), a)
        check(lambda x: x.nanmedian(), lambda x: x.nanmedian(), a)
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            for kd in (False, True):
                for op in ("median", "nanmedian"):
                    check(lambda x: getattr(L, op)(x, dim, kd),
                          lambda x: getattr(torch, op)(x, dim, kd), a, transpose=True)
    nan = np.array([[1.0, NAN, 2, 5], [4, 3, 2, 1], [NAN, 1, NAN, 0], [NAN, NAN, NAN, NAN]],
                   np.float32)
    for op in ("median", "nanmedian"):
        check(lambda x: getattr(x, op)(1), lambda x: getattr(x, op)(1), nan[:3])
        check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), nan)
        check(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), nan[1])
    # an all-NaN row: the value is NaN; torch's index there is an artifact of its selection
    assert math.isnan(L.nanmedian(L.tensor(nan), 1).values[3].item())
    check(lambda x: x.median(), lambda x: x.median(), data((0,)))
    check(lambda x: x.median(1), lambda x: x.median(1), data((0, 3)))
    check(lambda x: x.median(), lambda x: x.median(), data((7,), np.int64))
    check(lambda x: x.median(0), lambda x: x.median(0), np.array([[2.0, 2, 1], [2, 3, 1],
                                                                   [2, 1, 1]]))
    with pytest.raises(IndexError):
        L.zeros(0, 3).median(0)


def test_kthvalue_mode():
    for shape in [(), (5,), (3, 4), (2, 3, 4)]:
        a = data(shape)
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            n = shape[dim] if shape else 1
            for k in {1, n, (n + 1) // 2}:
                check(lambda x: L.kthvalue(x, k, dim), lambda x: torch.kthvalue(x, k, dim), a,
                      transpose=True)
            check(lambda x: L.kthvalue(x, 1, dim, True),
                  lambda x: torch.kthvalue(x, 1, dim, True), a)
    with pytest.raises(RuntimeError, match="out of range"):
        L.tensor(data((2, 3))).kthvalue(4)
    rng = _rng(3)
    ints = rng.integers(0, 4, (6, 9))
    for dim in (0, 1, -1):
        for kd in (False, True):
            check(lambda x: L.mode(x, dim, kd), lambda x: torch.mode(x, dim, kd), ints)
            check(lambda x: L.mode(x, dim, kd), lambda x: torch.mode(x, dim, kd),
                  ints.astype(np.float64) / 2)
    check(lambda x: x.mode(), lambda x: x.mode(), np.array([5, 3, 5, 3, 1, 1, 7]))
    check(lambda x: x.mode(), lambda x: x.mode(), np.array(2.5))


# -- unique / bincount ---------------------------------------------------------------------------
def test_unique():
    a = np.array([[3, 1, 2], [1, 3, 3], [3, 1, 2]])
    for x in (a, a.astype(np.float32), np.array(2.5), np.zeros(0, np.float32)):
        for inv in (False, True):
            for cnt in (False, True):
                check(lambda t: L.unique(t, return_inverse=inv, return_counts=cnt),
                      lambda t: torch.unique(t, return_inverse=inv, return_counts=cnt), x,
                      grad=False)
    for dim in (0, 1, -1):
        check(lambda t: t.unique(dim=dim, return_inverse=True, return_counts=True),
              lambda t: t.unique(dim=dim, return_inverse=True, return_counts=True),
              a.astype(np.float64), grad=False)
    y = L.tensor([1.0, 2.0, 1.0], requires_grad=True).unique()
    assert y.grad_fn.name() == "Unique2Backward0"
    with pytest.raises(NotImplementedError, match="derivative"):
        y.sum().backward()


def test_bincount():
    x = np.array([1, 1, 3, 0, 5])
    check(lambda t: L.bincount(t), lambda t: torch.bincount(t), x)
    check(lambda t: t.bincount(minlength=9), lambda t: t.bincount(minlength=9), x)
    check(lambda t: L.bincount(t), lambda t: torch.bincount(t), np.zeros(0, np.int64))
    check(lambda t: L.bincount(t), lambda t: torch.bincount(t), x.astype(np.uint8))
    for w in (np.arange(5.0), np.arange(5, dtype=np.float32), np.arange(5)):
        check(lambda t, v: L.bincount(t, v), lambda t, v: torch.bincount(t, v), x, w, grad=False)
    with pytest.raises(RuntimeError, match="non-negative"):
        L.bincount(L.tensor([-1, 2]))
    with pytest.raises(RuntimeError, match="1-d"):
        L.bincount(L.tensor([[1]]))
    with pytest.raises(NotImplementedError):
        L.bincount(L.tensor([1.0]))
    with pytest.raises(RuntimeError, match="same length"):
        L.bincount(L.tensor([1, 2]), L.tensor([1.0]))
    r = L.bincount(L.tensor([0, 1, 1]), L.tensor([1.0, 2.0, 3.0], requires_grad=True))
    assert r.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::bincount"):
        r.sum().backward()


# -- graph-node names, methods, no_grad, gradcheck ------------------------------------------------
GRAD_FN_CASES = [
    ("sum", lambda m, x: x.sum()), ("sum1", lambda m, x: x.sum(0)),
    ("mean", lambda m, x: x.mean()), ("mean1", lambda m, x: x.mean(0)),
    ("prod", lambda m, x: x.prod()), ("prod1", lambda m, x: x.prod(0)),
    ("var", lambda m, x: x.var()), ("std", lambda m, x: x.std(0)),
    ("nansum", lambda m, x: x.nansum()), ("nanmean", lambda m, x: x.nanmean(0)),
    ("max", lambda m, x: x.max()), ("max1", lambda m, x: x.max(0)[0]),
    ("min", lambda m, x: x.min()), ("min1", lambda m, x: x.min(0)[0]),
    ("amax", lambda m, x: x.amax()), ("amin", lambda m, x: x.amin(0)),
    ("aminmax", lambda m, x: x.aminmax()[1]),
    ("lse", lambda m, x: x.logsumexp(0)), ("softmax", lambda m, x: x.softmax(0)),
    ("log_softmax", lambda m, x: x.log_softmax(0)), ("cumsum", lambda m, x: x.cumsum(0)),
    ("cumprod", lambda m, x: x.cumprod(1)), ("norm", lambda m, x: x.norm()),
    ("norm1", lambda m, x: x.norm(1, 0)), ("topk", lambda m, x: x.topk(2)[0]),
    ("sort", lambda m, x: x.sort()[0]), ("msort", lambda m, x: x.msort()),
    ("sort_stable", lambda m, x: x.sort(stable=True)[0]),
    ("sort_stable_none", lambda m, x: m.sort(x, dim=0, stable=None)[0]),
    ("median", lambda m, x: x.median()), ("median1", lambda m, x: x.median(0)[0]),
    ("nanmedian", lambda m, x: x.nanmedian()), ("nanmedian1", lambda m, x: x.nanmedian(1)[0]),
    ("kthvalue", lambda m, x: x.kthvalue(1)[0]), ("mode", lambda m, x: x.mode()[0]),
    ("unique", lambda m, x: x.unique()), ("unique_dim", lambda m, x: m.unique(x, dim=0)),
    ("maximum", lambda m, x: m.max(x, x * 2)),
    ("var_mean", lambda m, x: m.var_mean(x, 1)[0]), ("std_mean", lambda m, x: m.std_mean(x)[1]),
]


@pytest.mark.parametrize("name,fn", GRAD_FN_CASES, ids=[c[0] for c in GRAD_FN_CASES])
def test_grad_fn_names(name, fn):
    a = data((3, 4))
    lr, tr = fn(L, L.tensor(a, requires_grad=True)), fn(torch, torch.tensor(a, requires_grad=True))
    assert lr.grad_fn.name() == tr.grad_fn.name()


def test_methods_exist():
    names = ["sum", "mean", "prod", "var", "std", "nansum", "nanmean", "max", "min", "amax",
             "amin", "argmax", "argmin", "aminmax", "all", "any", "count_nonzero", "logsumexp",
             "softmax", "log_softmax", "cumsum", "cumprod", "cumsum_", "cumprod_", "norm", "topk",
             "sort", "argsort", "msort", "unique", "bincount", "median", "nanmedian", "kthvalue",
             "mode"]
    for n in names:
        assert hasattr(torch.Tensor, n), n
        assert callable(getattr(L.Tensor, n)), n
    for n in ["sum", "mean", "prod", "var", "std", "var_mean", "std_mean", "nansum", "nanmean",
              "max", "min", "amax", "amin", "argmax", "argmin", "aminmax", "all", "any",
              "count_nonzero", "logsumexp", "softmax", "log_softmax", "cumsum", "cumprod", "norm",
              "topk", "sort", "argsort", "msort", "unique", "bincount", "median", "nanmedian",
              "kthvalue", "mode"]:
        assert callable(getattr(L, n)), n


def test_numpy_style_aliases():
    a = data((3, 4))
    for name, kw in [("sum", {"axis": 1, "keepdims": True}), ("mean", {"axis": 0}),
                     ("max", {"axis": 1}), ("min", {"axis": 0, "keepdims": True}),
                     ("argmax", {"axis": 1}), ("std", {"axis": 0}), ("var", {"axis": 1}),
                     ("prod", {"axis": 0}), ("all", {"axis": 0}), ("amax", {"axis": 0}),
                     ("cumsum", {"axis": 1}), ("softmax", {"axis": 0}), ("sort", {"axis": 0}),
                     ("logsumexp", {"axis": 1}), ("median", {"axis": 1}), ("norm", {"dim": 0})]:
        check(lambda x: getattr(x, name)(**kw), lambda x: getattr(x, name)(**kw), a)
    with pytest.raises(TypeError, match="unexpected keyword"):
        L.sum(L.tensor(a), dimension=0)
    with pytest.raises(TypeError, match="dim"):
        L.cumsum(L.tensor(a))


def test_no_grad_builds_no_graph():
    x = L.tensor(data((3, 4)), requires_grad=True)
    with L.no_grad():
        for r in (x.sum(), x.mean(1), x.max(1).values, x.softmax(1), x.norm(), x.sort().values,
                  x.cumsum(0), x.var(), x.amax(0), x.topk(2).values, x.logsumexp(1)):
            assert r.grad_fn is None and not r.requires_grad


GRADCHECK_CASES = [
    ("sum", lambda x: x.sum(), (3, 4)), ("sum_dim", lambda x: L.sum(x, (0, 2), True), (2, 3, 2)),
    ("mean", lambda x: x.mean(1), (3, 4)), ("prod", lambda x: x.prod(1), (3, 4)),
    ("prod_all", lambda x: x.prod(), (2, 3)), ("var", lambda x: x.var(0), (3, 4)),
    ("std", lambda x: x.std(1, keepdim=True), (3, 4)), ("nansum", lambda x: x.nansum(0), (3, 4)),
    ("nanmean", lambda x: x.nanmean(1), (3, 4)), ("max", lambda x: x.max(), (3, 4)),
    ("max_dim", lambda x: x.max(1).values, (3, 4)), ("min_dim", lambda x: x.min(0)[0], (3, 4)),
    ("amax", lambda x: x.amax((0, 1)), (3, 4)), ("amin", lambda x: x.amin(1), (3, 4)),
    ("aminmax", lambda x: x.aminmax(dim=0), (3, 4)), ("lse", lambda x: x.logsumexp(1), (3, 4)),
    ("softmax", lambda x: x.softmax(0), (3, 4)), ("log_softmax", lambda x: x.log_softmax(1),
                                                 (3, 4)),
    ("cumsum", lambda x: x.cumsum(1), (3, 4)), ("cumprod", lambda x: x.cumprod(0), (3, 4)),
    ("norm2", lambda x: x.norm(), (3, 4)), ("norm1", lambda x: x.norm(1, 1), (3, 4)),
    ("norm3", lambda x: x.norm(3, 0), (3, 4)), ("norm_inf", lambda x: x.norm(INF, 1), (3, 4)),
    ("norm_half", lambda x: x.norm(0.5), (3, 4)), ("topk", lambda x: x.topk(2, 0), (3, 4)),
    ("sort", lambda x: x.sort(1, True), (3, 4)), ("median", lambda x: x.median(), (3, 4)),
    ("median_dim", lambda x: x.median(1), (3, 5)), ("kthvalue", lambda x: x.kthvalue(2), (3, 4)),
    ("mode", lambda x: x.mode(0), (3, 4)), ("nanmedian", lambda x: x.nanmedian(0), (4, 3)),
    ("var_mean", lambda x: L.var_mean(x, 1), (3, 4)), ("std_mean", lambda x: L.std_mean(x), (3, 4)),
]


@pytest.mark.parametrize("name,fn,shape", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck(name, fn, shape):
    gc(fn, shape, positive=name in ("prod", "prod_all", "cumprod"))


def test_gradcheck_prod_with_zero():
    x = Tensor._make(np.array([[2.0, 0.0, 3.0], [0.5, 0.0, 0.0], [1.5, 2.0, 0.7]]), True)
    assert gradcheck(lambda t: t.prod(1), (x,))
    assert gradcheck(lambda t: t.cumprod(1), (x,))
