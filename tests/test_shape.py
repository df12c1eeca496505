"""Shape ops (luchina.ops.shape and the modules it re-exports) against torch 2.13."""

import warnings

import numpy as np
import pytest

import luchina as L
from luchina.autograd import gradcheck
from luchina.ops import _rearrange
from luchina.ops import shape as S

torch = pytest.importorskip("torch")
hyp = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

RNG = np.random.default_rng(0)


# -- helpers ---------------------------------------------------------------------------------------
def _arr(shape, dtype=np.float64):
    if np.dtype(dtype).kind == "f":
        return RNG.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return RNG.random(shape) > 0.5
    return RNG.integers(-5, 5, shape).astype(dtype)


def _pair(a, rg=True):
    rg = rg and a.dtype.kind == "f"
    return (L.tensor(a.copy(), requires_grad=rg), torch.tensor(a.copy(), requires_grad=rg))


def _outs(o):
    return list(o) if isinstance(o, (tuple, list)) else [o]


def _same(lo, to, atol=1e-6):
    assert tuple(lo.shape) == tuple(to.shape)
    assert str(lo.dtype) == str(to.dtype)
    np.testing.assert_allclose(np.asarray(lo.detach()), to.detach().numpy(), atol=atol)


def compare(fn, *arrays, grad=True, name=True, tfn=None, view=None):
    """Run ``fn(module, *tensors)`` with luchina and torch: values, dtype, grad_fn name,
    view-ness, and input gradients under a random upstream gradient."""
    pairs = [_pair(a, grad) for a in arrays]
    lt = [p[0] for p in pairs]
    tt = [p[1] for p in pairs]
    lo, to = _outs(fn(L, *lt)), _outs((tfn or fn)(torch, *tt))
    assert len(lo) == len(to)
    for a, b in zip(lo, to):
        _same(a, b)
        if name:
            tn = None if b.grad_fn is None else type(b.grad_fn).__name__
            ln = None if a.grad_fn is None else a.grad_fn.name()
            assert ln == tn, (ln, tn)
        if view is not None:
            assert (a._base is not None) == view
            assert (b._base is not None) == view
    if not grad or not any(p[0].requires_grad for p in pairs):
        return lo, to
    lg, tg, lsel, tsel = [], [], [], []
    for a, b in zip(lo, to):
        if b.requires_grad:
            g = RNG.standard_normal(tuple(b.shape))
            lsel.append(a)
            tsel.append(b)
            lg.append(L.tensor(g.astype(np.asarray(a.detach()).dtype)))
            tg.append(torch.tensor(g, dtype=b.dtype))
    if tsel:
        L.autograd.backward(lsel, lg)
        torch.autograd.backward(tsel, tg)
    for a, b in zip(lt, tt):
        if b.requires_grad:
            tgrad = np.zeros(tuple(b.shape)) if b.grad is None else b.grad.numpy()
            lgrad = np.zeros(tuple(b.shape)) if a.grad is None else np.asarray(a.grad)
            np.testing.assert_allclose(lgrad, tgrad, atol=1e-6)
            if a.grad is not None:
                assert a.grad.dtype == a.dtype
    return lo, to


def _gc(fn, *shapes):
    xs = [L.tensor(RNG.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(fn, xs)


# -- view / reshape / flatten ----------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda m, x: x.view(12), lambda m, x: x.view(-1), lambda m, x: x.view(2, -1, 3),
    lambda m, x: x.view((4, 3)), lambda m, x: x.view([2, 6]), lambda m, x: x.view(torch.Size([12])
                                                                                 if m is torch
                                                                                 else L.Size([12])),
    lambda m, x: x.reshape(6, 2), lambda m, x: m.reshape(x, (-1,)), lambda m, x: x.reshape(2, 2, 3),
    lambda m, x: x.t().reshape(12), lambda m, x: x.t().reshape(-1, 2), lambda m, x: x.flatten(),
    lambda m, x: x.t().flatten(), lambda m, x: m.flatten(x, 0, 0), lambda m, x: x.ravel(),
    lambda m, x: x.unflatten(1, (2, 2)), lambda m, x: x.unflatten(1, (-1, 2)),
    lambda m, x: x.t().unflatten(0, (2, 2)), lambda m, x: x.view_as(x.t().contiguous()),
    lambda m, x: x.reshape_as(x.t()), lambda m, x: x[:, ::2].reshape(6),
])
def test_view_reshape(fn):
    compare(fn, _arr((3, 4)))


def test_reshape_view_or_copy():
    compare(lambda m, x: x.reshape(4, 3), _arr((3, 4)), view=True)
    compare(lambda m, x: x.t().reshape(12), _arr((3, 4)), view=False)
    compare(lambda m, x: x.t().reshape(4, 3), _arr((3, 4)), view=True)
    compare(lambda m, x: x.flatten(), _arr((3, 4)), view=True)


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (1,), (2, 0, 3)])
def test_view_reshape_edge_shapes(shape):
    compare(lambda m, x: x.reshape(-1), _arr(shape))
    compare(lambda m, x: x.flatten(), _arr(shape))
    compare(lambda m, x: x.view(-1), _arr(shape))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.view(5, -1), lambda m, x: x.view(-1, -1), lambda m, x: x.reshape(5, 3),
    lambda m, x: x.t().view(-1), lambda m, x: m.zeros(0, 3).view(0, -1),
    lambda m, x: x.flatten(1, 0), lambda m, x: x.unflatten(1, (3, 2)),
])
def test_view_errors(fn):
    a = _arr((3, 4))
    with pytest.raises(RuntimeError) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(RuntimeError) as le:
        fn(L, L.tensor(a))
    first = str(te.value).split("(")[0].split(".")[0][:30]
    assert first.split()[0] in str(le.value)


def test_view_error_message():
    with pytest.raises(RuntimeError, match="shape '\\[5, -1\\]' is invalid for input of size 12"):
        L.zeros(3, 4).view(5, -1)
    with pytest.raises(RuntimeError, match="view size is not compatible.*Use .reshape"):
        L.zeros(3, 4).t().view(-1)


def test_view_dtype():
    a = _arr((3, 4), np.float32)
    lx, tx = L.tensor(a), torch.tensor(a)
    np.testing.assert_array_equal(np.asarray(lx.view(L.int32)), tx.view(torch.int32).numpy())
    assert tuple(lx.view(L.float64).shape) == tuple(tx.view(torch.float64).shape)
    v = lx.view(L.int32)
    v[0, 0] = 0
    assert lx[0, 0].item() == 0


def test_flatten_same_dim_returns_input():
    x = L.zeros(3, 4)
    assert x.flatten(1, 1) is x
    assert x.flatten(1, -1) is x


# -- transposes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,shape", [
    (lambda m, x: x.transpose(0, 1), (3, 4)), (lambda m, x: x.transpose(-1, 0), (2, 3, 4)),
    (lambda m, x: m.swapaxes(x, 0, 2), (2, 3, 4)), (lambda m, x: x.swapdims(1, 2), (2, 3, 4)),
    (lambda m, x: x.t(), (3, 4)), (lambda m, x: x.t(), (3,)), (lambda m, x: m.t(x), ()),
    (lambda m, x: x.permute(1, 0), (3, 4)), (lambda m, x: x.permute((2, 0, 1)), (2, 3, 4)),
    (lambda m, x: m.permute(x, [0, 2, 1]), (2, 3, 4)), (lambda m, x: x.movedim(0, -1), (2, 3, 4)),
    (lambda m, x: x.movedim((0, 1), (2, 0)), (2, 3, 4)),
    (lambda m, x: m.moveaxis(x, [0], [1]), (2, 3, 4)), (lambda m, x: x.t().t(), (3, 4)),
    (lambda m, x: x.transpose(0, 1).transpose(1, 2), (2, 3, 4)),
    (lambda m, x: m.adjoint(x), (2, 3, 4)),
])
def test_transposes(fn, shape):
    compare(fn, _arr(shape), view=True)
    if len(shape) > 0:
        _gc(lambda x: fn(L, x), shape)


@pytest.mark.parametrize("prop,shape", [("T", (3, 4)), ("T", (2, 3, 4)), ("T", (3,)),
                                        ("T", ()), ("mT", (3, 4)), ("mT", (2, 3, 4)),
                                        ("H", (3, 4)), ("mH", (2, 3, 4))])
def test_properties(prop, shape):
    a = _arr(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda m, x: getattr(x, prop) if m is torch else S.PROPERTIES[prop](x), a,
                view=True)
    if not isinstance(getattr(L.Tensor, prop, None), property):
        pytest.xfail("ops/__init__.py does not install shape.PROPERTIES as Tensor properties yet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda m, x: getattr(x, prop), a, view=True)


def test_property_errors_and_warnings():
    with pytest.raises(RuntimeError, match="mT is only supported on matrices"):
        S.PROPERTIES["mT"](L.zeros(3))
    with pytest.warns(UserWarning, match="deprecated"):
        S.PROPERTIES["T"](L.zeros(2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S.PROPERTIES["T"](L.zeros(2, 3))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.transpose(0, 2), lambda m, x: x.permute(0, 0), lambda m, x: x.permute(0),
    lambda m, x: m.zeros(2, 3, 4).t(), lambda m, x: x.movedim((0, 0), (1, 0)),
])
def test_transpose_errors(fn):
    a = _arr((3, 4))
    with pytest.raises(Exception) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(te.type):
        fn(L, L.tensor(a))


# -- squeeze / unsqueeze / expand ------------------------------------------------------------------
@pytest.mark.parametrize("fn,shape", [
    (lambda m, x: x.squeeze(), (1, 3, 1, 4)), (lambda m, x: x.squeeze(0), (1, 3, 1, 4)),
    (lambda m, x: x.squeeze(1), (1, 3, 1, 4)), (lambda m, x: x.squeeze(-2), (1, 3, 1, 4)),
    (lambda m, x: x.squeeze((0, 2)), (1, 3, 1, 4)), (lambda m, x: m.squeeze(x, (0, 1)), (1, 3, 1)),
    (lambda m, x: x.squeeze(), ()), (lambda m, x: x.squeeze(0), ()),
    (lambda m, x: x.squeeze(), (1,)),
    (lambda m, x: x.unsqueeze(0), (3, 4)), (lambda m, x: x.unsqueeze(-1), (3, 4)),
    (lambda m, x: m.unsqueeze(x, 1), (3, 4)), (lambda m, x: x.unsqueeze(0), ()),
    (lambda m, x: x.t().unsqueeze(1), (3, 4)), (lambda m, x: x.t().squeeze(), (1, 4)),
    (lambda m, x: x.expand(2, 3, 4), (3, 4)), (lambda m, x: x.expand(2, -1, -1), (3, 4)),
    (lambda m, x: x.expand(3, 5), (3, 1)), (lambda m, x: x.expand(L.Size([2, 3]) if m is L else
                                                                 torch.Size([2, 3])), (3,)),
    (lambda m, x: x.expand_as(m.zeros(2, 3, 4)), (1, 4)),
    (lambda m, x: m.broadcast_to(x, (2, 3, 4)), (3, 1)), (lambda m, x: x.expand(2, 3), ()),
    (lambda m, x: x.t().expand(2, 4, 3), (3, 4)), (lambda m, x: x.expand(0, 4), (1, 4)),
])
def test_squeeze_unsqueeze_expand(fn, shape):
    compare(fn, _arr(shape), view=True)


def test_squeeze_expand_gradcheck():
    _gc(lambda x: x.squeeze(1), (3, 1, 2))
    _gc(lambda x: x.unsqueeze(1).expand(3, 4, 2), (3, 2))
    _gc(lambda x: x.expand(2, 3, 2), (3, 1))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.expand(4, 5), lambda m, x: x.expand(4), lambda m, x: x.expand(-1, 4, 4),
    lambda m, x: x.squeeze(5), lambda m, x: x.unsqueeze(3),
])
def test_expand_squeeze_errors(fn):
    a = _arr((3, 4))
    with pytest.raises(Exception) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(te.type) as le:
        fn(L, L.tensor(a))
    if te.type is RuntimeError:
        assert str(te.value).split(":")[0][-20:] in str(le.value) or "expand" in str(le.value)


def test_expand_error_message():
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(5\) must match the "
                                           r"existing size \(4\) at non-singleton dimension 1"):
        L.zeros(3, 4).expand(4, 5)


def test_broadcast_tensors_shapes():
    assert L.broadcast_shapes((3, 1), (1, 4), (2, 1, 1)) == torch.broadcast_shapes(
        (3, 1), (1, 4), (2, 1, 1))
    compare(lambda m, x, y: m.broadcast_tensors(x, y), _arr((3, 1)), _arr((2, 1, 4)))
    with pytest.raises(RuntimeError):
        L.broadcast_shapes((3,), (4,))


# -- narrow / select / diagonal / unfold -----------------------------------------------------------
@pytest.mark.parametrize("fn,shape", [
    (lambda m, x: x.narrow(0, 1, 2), (3, 4)), (lambda m, x: m.narrow(x, -1, -2, 2), (3, 4)),
    (lambda m, x: x.narrow(1, 0, 0), (3, 4)), (lambda m, x: x.narrow(1, 1, 2), (2, 3, 4)),
    (lambda m, x: x.select(1, -1), (3, 4)), (lambda m, x: m.select(x, 0, 2), (3, 4)),
    (lambda m, x: x.select(0, 0), (3,)),
    (lambda m, x: x.diagonal(), (3, 4)), (lambda m, x: x.diagonal(1), (3, 4)),
    (lambda m, x: x.diagonal(-2), (3, 4)), (lambda m, x: m.diagonal(x, 0, 1, 0), (3, 4)),
    (lambda m, x: x.diagonal(1, -1, 0), (2, 3, 4)), (lambda m, x: x.diagonal(5), (3, 4)),
    (lambda m, x: x.t().diagonal(), (3, 4)),
    (lambda m, x: x.unfold(0, 2, 1), (3, 4)), (lambda m, x: x.unfold(1, 3, 2), (3, 4)),
    (lambda m, x: x.unfold(-1, 2, 3), (2, 3, 7)), (lambda m, x: x.unfold(0, 0, 1), (3,)),
])
def test_narrow_select_diagonal_unfold(fn, shape):
    compare(fn, _arr(shape), view=True)
    _gc(lambda x: fn(L, x), shape)


def test_narrow_tensor_start_and_errors():
    compare(lambda m, x: x.narrow(1, m.tensor(1), 2), _arr((3, 4)))
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds dimension size"):
        L.zeros(3, 4).narrow(0, 2, 2)
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 4"):
        L.zeros(3, 4).unfold(1, 5, 1)


def test_diagonal_is_writable_view():
    lx, tx = L.zeros(3, 4), torch.zeros(3, 4)
    lx.diagonal().fill_(1.0) if hasattr(lx, "fill_") else lx.diagonal().add_(1.0)
    tx.diagonal().add_(1.0)
    np.testing.assert_array_equal(np.asarray(lx), tx.numpy())
    assert lx._version == tx._version


# -- memory sharing, versions and in-place through views -------------------------------------------
VIEWS = [
    ("view", lambda m, x: x.view(-1)), ("reshape", lambda m, x: x.reshape(4, 6)),
    ("flatten", lambda m, x: x.flatten(1)), ("transpose", lambda m, x: x.transpose(0, 2)),
    ("permute", lambda m, x: x.permute(2, 0, 1)), ("squeeze", lambda m, x: x[:1].squeeze(0)),
    ("unsqueeze", lambda m, x: x.unsqueeze(1)), ("narrow", lambda m, x: x.narrow(2, 1, 2)),
    ("select", lambda m, x: x.select(1, 2)), ("split", lambda m, x: x.split(1)[1]),
    ("chunk", lambda m, x: x.chunk(3, 2)[1]), ("unbind", lambda m, x: x.unbind(2)[3]),
    ("diagonal", lambda m, x: x.diagonal(0, 1, 2)), ("t", lambda m, x: x[0].t()),
    ("movedim", lambda m, x: x.movedim(0, 2)), ("unflatten", lambda m, x: x.unflatten(2, (2, 2))),
    ("chain", lambda m, x: x.transpose(0, 1)[1:].unsqueeze(0).narrow(3, 0, 3)),
]


@pytest.mark.parametrize("name,fn", VIEWS)
def test_views_share_memory_and_version(name, fn):
    a = _arr((2, 3, 4))
    lx, tx = L.tensor(a.copy()), torch.tensor(a.copy())
    lv, tv = fn(L, lx), fn(torch, tx)
    assert lv._base is lx and tv._base is tx
    lv.mul_(2.0)
    tv.mul_(2.0)
    np.testing.assert_allclose(np.asarray(lx), tx.numpy())
    assert lx._version == tx._version == lv._version == tv._version
    if lv.numel():
        lv[(0,) * lv.ndim] = 7.0
        tv[(0,) * tv.ndim] = 7.0
    np.testing.assert_allclose(np.asarray(lx), tx.numpy())
    assert lx._version == tx._version
    lx.add_(1.0)
    tx.add_(1.0)
    np.testing.assert_allclose(np.asarray(lv), tv.numpy())
    assert lv._version == tv._version


def test_view_write_through():
    x, tx = L.zeros(3, 4), torch.zeros(3, 4)
    x.view(-1)[0] = 5
    tx.view(-1)[0] = 5
    x.t()[1] = 2
    tx.t()[1] = 2
    np.testing.assert_array_equal(np.asarray(x), tx.numpy())
    assert x._version == tx._version


# torch refuses in-place changes to outputs of multi-output view ops (split, chunk, unbind);
# luchina allows them: check its gradients against torch doing the same through a single view
_SINGLE = {"split": lambda m, x: x.narrow(0, 1, 1), "chunk": lambda m, x: x.narrow(2, 2, 2),
           "unbind": lambda m, x: x.select(2, 3)}


@pytest.mark.parametrize("name,fn", VIEWS)
def test_inplace_on_view_gradients(name, fn):
    a, b = _arr((2, 3, 4)), _arr((2, 3, 4))

    def run(f):
        def body(m, w, z):
            y = w * 1.0
            v = f(m, y)
            v.mul_(f(m, z))
            return y, v
        return body

    compare(run(fn), a, b, name=False, tfn=run(_SINGLE.get(name, fn)))


def test_inplace_on_view_grad_fn_and_leaf_errors():
    w = L.randn(3, 4, requires_grad=True)
    y = w * 1
    y.view(-1).mul_(2)
    assert y.grad_fn.name() == "CopySlices"
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.view(-1).mul_(2)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.t().add_(1)
    with L.no_grad():
        w.view(-1).mul_(2)
        w.t()[0] = 1.0
    assert w._version == 2


# -- cat / stack and friends -----------------------------------------------------------------------
@pytest.mark.parametrize("fn,shapes", [
    (lambda m, x, y: m.cat([x, y]), [(2, 3), (4, 3)]),
    (lambda m, x, y: m.cat((x, y), dim=1), [(2, 3), (2, 1)]),
    (lambda m, x, y: m.cat([x, y], -1), [(2, 3, 0), (2, 3, 2)]),
    (lambda m, x, y: m.concat([x, y, x]), [(1, 3), (2, 3)]),
    (lambda m, x, y: m.concatenate([x, y], 0), [(3,), (0,)]),
    (lambda m, x, y: m.cat([x, y], 1), [(2, 3), (0,)]),
    (lambda m, x, y: m.cat([x.t(), y]), [(2, 3), (1, 2)]),
    (lambda m, x, y: m.stack([x, y]), [(2, 3), (2, 3)]),
    (lambda m, x, y: m.stack([x, y], 2), [(2, 3), (2, 3)]),
    (lambda m, x, y: m.stack([x, y], -1), [(), ()]),
    (lambda m, x, y: m.hstack([x, y]), [(2,), (3,)]),
    (lambda m, x, y: m.hstack([x, y]), [(2, 3), (2, 1)]),
    (lambda m, x, y: m.vstack([x, y]), [(3,), (3,)]),
    (lambda m, x, y: m.vstack([x, y]), [(2, 3), (1, 3)]),
    (lambda m, x, y: m.row_stack([x, y]), [(3,), (2, 3)]),
    (lambda m, x, y: m.dstack([x, y]), [(2, 3), (2, 3)]),
    (lambda m, x, y: m.column_stack([x, y]), [(3,), (3, 2)]),
    (lambda m, x, y: m.atleast_3d(x, y), [(), (3,)]),
])
def test_cat_stack(fn, shapes):
    compare(fn, *[_arr(s) for s in shapes])


def test_cat_gradcheck():
    _gc(lambda x, y: L.cat([x, y, x], 1), (2, 3), (2, 2))
    _gc(lambda x, y: L.stack([x, y], 1), (2, 3), (2, 3))


@pytest.mark.parametrize("dts", [(np.float32, np.float64), (np.int64, np.float32),
                                 (np.bool_, np.int64), (np.int32, np.int64),
                                 (np.uint8, np.int8), (np.int64, np.float16)])
def test_cat_stack_dtype_promotion(dts):
    arrs = [_arr((2, 3), dt) for dt in dts]
    compare(lambda m, x, y: m.cat([x, y]), *arrs)
    compare(lambda m, x, y: m.stack([x, y]), *arrs)
    compare(lambda m, x, y: m.cat([x, y.view(-1)[:0]]), *arrs)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.cat([x, x[:, :2]]), lambda m, x: m.cat([x, m.zeros(2, 0)]),
    lambda m, x: m.cat([x, x], dim=2), lambda m, x: m.cat([x, m.zeros(3)]),
    lambda m, x: m.cat([m.tensor(1.0), m.tensor(2.0)]), lambda m, x: m.stack([x, x[:2]]),
    lambda m, x: m.stack([x, x], dim=3), lambda m, x: m.cat([]), lambda m, x: m.stack([]),
])
def test_cat_stack_errors(fn):
    a = _arr((3, 4))
    with pytest.raises(Exception) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(te.type) as le:
        fn(L, L.tensor(a))
    assert str(te.value)[:25] in str(le.value) or str(le.value)[:25] in str(te.value)


def test_cat_out():
    out = L.zeros(1)
    L.cat([L.ones(2), L.zeros(2)], out=out)
    np.testing.assert_array_equal(np.asarray(out), [1, 1, 0, 0])


# -- split / chunk / unbind ------------------------------------------------------------------------
@pytest.mark.parametrize("fn,shape", [
    (lambda m, x: x.split(2), (5, 3)), (lambda m, x: m.split(x, 1, 1), (5, 3)),
    (lambda m, x: x.split([1, 4]), (5, 3)), (lambda m, x: x.split([3, 0, 0], 1), (5, 3)),
    (lambda m, x: x.split(5), (5, 3)), (lambda m, x: x.split(10), (5, 3)),
    (lambda m, x: x.split(2), (0, 3)), (lambda m, x: x.split(0), (0, 3)),
    (lambda m, x: x.chunk(2), (5, 3)), (lambda m, x: m.chunk(x, 3, 1), (5, 3)),
    (lambda m, x: x.chunk(4), (6,)), (lambda m, x: x.chunk(3), (0,)),
    (lambda m, x: x.chunk(1), (4,)),
    (lambda m, x: x.unbind(), (3, 2)), (lambda m, x: m.unbind(x, 1), (3, 2)),
    (lambda m, x: x.unbind(-1), (2, 1)), (lambda m, x: x.unbind(0), (0, 2)),
    (lambda m, x: x.t().split(1), (3, 2)), (lambda m, x: list(x), (3, 2)),
    (lambda m, x: m.tensor_split(x, 3), (7, 2)), (lambda m, x: m.tensor_split(x, [1, 5], 0), (7,)),
])
def test_split_chunk_unbind(fn, shape):
    compare(fn, _arr(shape), view=True, name="tensor_split" not in repr(fn))


def test_split_gradcheck_partial_use():
    _gc(lambda x: x.split(2)[1], (5, 3))
    _gc(lambda x: x.unbind(1)[0] * 2.0, (3, 2))
    _gc(lambda x: x.chunk(2, 1)[1], (3, 4))
    _gc(lambda x: x.split([1, 2])[1], (3, 2))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.split(0), lambda m, x: x.chunk(0), lambda m, x: x.split([1, 1]),
    lambda m, x: m.tensor(1.0).unbind(),
])
def test_split_errors(fn):
    a = _arr((3, 4))
    with pytest.raises(Exception) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(te.type) as le:
        fn(L, L.tensor(a))
    assert str(te.value)[:30] in str(le.value)


# -- repeat / tile / flip / roll / tril / triu / diag ----------------------------------------------
@pytest.mark.parametrize("fn,shape", [
    (lambda m, x: x.repeat(2, 1), (3, 4)), (lambda m, x: x.repeat(2, 3, 1), (3, 4)),
    (lambda m, x: x.repeat((1, 2)), (3, 4)), (lambda m, x: x.repeat(0, 2), (3, 4)),
    (lambda m, x: x.repeat(3), ()), (lambda m, x: x.t().repeat(2, 2), (3, 4)),
    (lambda m, x: x.tile((2,)), (3, 4)), (lambda m, x: m.tile(x, (2, 1, 2)), (3, 4)),
    (lambda m, x: x.flip(0), (3, 4)), (lambda m, x: m.flip(x, (0, 1)), (3, 4)),
    (lambda m, x: x.flip(-1, 0), (2, 3, 4)), (lambda m, x: x.fliplr(), (3, 4)),
    (lambda m, x: m.flipud(x), (3, 4)), (lambda m, x: x.roll(1), (3, 4)),
    (lambda m, x: x.roll(-2, 1), (3, 4)), (lambda m, x: m.roll(x, (1, 2), (0, 1)), (3, 4)),
    (lambda m, x: x.roll(5, 0), (3, 4)), (lambda m, x: x.tril(), (3, 4)),
    (lambda m, x: x.tril(-1), (2, 3, 4)), (lambda m, x: m.triu(x, 1), (3, 4)),
    (lambda m, x: x.triu(-5), (4, 3)), (lambda m, x: x.diag(), (3, 4)),
    (lambda m, x: m.diag(x, 1), (3, 4)), (lambda m, x: x.diag(-1), (4,)),
    (lambda m, x: m.diag(x), (3,)),
])
def test_copies(fn, shape):
    lo, _ = compare(fn, _arr(shape), view=False)
    _gc(lambda x: fn(L, x), shape)


def _ri(m, *args, **kwargs):
    fn = m.repeat_interleave if m is torch else _rearrange.repeat_interleave
    return fn(*args, **kwargs)


@pytest.mark.parametrize("fn,shape", [
    (lambda m, x: _ri(m, x, 2), (2, 3)), (lambda m, x: _ri(m, x, 3, 1), (2, 3)),
    (lambda m, x: _ri(m, x, m.tensor([1, 0, 2]), dim=1), (2, 3)),
    (lambda m, x: _ri(m, x, m.tensor([2]), dim=0), (2, 3)),
    (lambda m, x: _ri(m, x, 0, -1), (2, 3)), (lambda m, x: _ri(m, x, 2), ()),
    (lambda m, x: _ri(m, m.tensor([1, 0, 3])), ()),
])
def test_repeat_interleave(fn, shape):
    compare(fn, _arr(shape))
    if fn(L, L.zeros(shape)).is_floating_point():
        _gc(lambda x: fn(L, x), shape)


def test_flip_is_a_copy():
    x = L.zeros(3)
    y = x.flip(0)
    y[0] = 1
    assert x.sum().item() == 0 if hasattr(x, "sum") else np.asarray(x).sum() == 0


def test_tril_triu_inplace():
    for name in ("tril_", "triu_"):
        a = _arr((3, 4))
        lx, tx = L.tensor(a.copy()), torch.tensor(a.copy())
        getattr(lx, name)(1)
        getattr(tx, name)(1)
        np.testing.assert_array_equal(np.asarray(lx), tx.numpy())
        assert lx._version == tx._version


@pytest.mark.parametrize("fn", [
    lambda m, x: x.repeat(2), lambda m, x: x.flip(0, 0), lambda m, x: x.roll(1, (0, 1)),
    lambda m, x: m.zeros(3).tril(), lambda m, x: m.zeros(2, 2, 2).diag(),
    lambda m, x: m.zeros(3).fliplr(),
])
def test_copy_errors(fn):
    a = _arr((3, 4))
    with pytest.raises(Exception) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(te.type):
        fn(L, L.tensor(a))


# -- non-contiguous inputs, no_grad, methods -------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda m, x: x.view(-1), lambda m, x: x.reshape(6, 4), lambda m, x: x.flatten(),
    lambda m, x: x.squeeze(), lambda m, x: x.unsqueeze(1), lambda m, x: x.permute(2, 0, 1),
    lambda m, x: m.cat([x, x], 1), lambda m, x: m.stack([x, x]), lambda m, x: x.split(1, 2),
    lambda m, x: x.repeat(1, 2, 1), lambda m, x: x.flip(2), lambda m, x: x.roll(1, 1),
    lambda m, x: x.tril(), lambda m, x: x.expand(2, 4, 2, 3), lambda m, x: x.diagonal(0, 0, 2),
])
def test_non_contiguous_inputs(fn):
    def run(m, x):
        return fn(m, x.permute(2, 1, 0)[:, ::1])  # (4, 3, 2), non-contiguous

    a = _arr((2, 3, 4))
    try:
        torch_ok = fn(torch, torch.tensor(a).permute(2, 1, 0)) is not None
    except RuntimeError:
        torch_ok = False
    if not torch_ok:
        with pytest.raises(RuntimeError):
            fn(L, L.tensor(a).permute(2, 1, 0))
        return
    compare(run, a, name=False)


def test_no_grad_builds_no_graph():
    x = L.randn(3, 4, requires_grad=True)
    with L.no_grad():
        for y in (x.view(-1), x.t(), x[1:], L.cat([x, x]), x.split(2)[0], x.expand(2, 3, 4),
                  x.repeat(2, 1), x.flip(0)):
            assert y.grad_fn is None and not y.requires_grad
    v = x.detach().view(-1)
    assert v._base is not None


def test_methods_exist():
    for name in ("view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "transpose",
                 "swapaxes", "swapdims", "t", "permute", "movedim", "moveaxis", "squeeze",
                 "unsqueeze", "expand", "expand_as", "broadcast_to", "repeat", "tile", "split",
                 "chunk", "unbind", "flip", "fliplr", "flipud", "roll", "narrow", "tril", "triu",
                 "diag", "diagonal", "select", "unfold", "ravel", "tril_", "triu_", "squeeze_",
                 "unsqueeze_", "t_", "transpose_", "tensor_split"):
        assert hasattr(L.Tensor, name), name
        assert hasattr(torch.Tensor, name), name


def test_inplace_metadata_ops():
    for name, args in (("unsqueeze_", (0,)), ("squeeze_", ()), ("t_", ()),
                       ("transpose_", (0, 1))):
        a = _arr((1, 3))
        lx, tx = L.tensor(a.copy()), torch.tensor(a.copy())
        assert getattr(lx, name)(*args) is lx
        getattr(tx, name)(*args)
        assert tuple(lx.shape) == tuple(tx.shape)
        np.testing.assert_array_equal(np.asarray(lx), tx.numpy())
        assert lx._version == tx._version

        def run(m, w, name=name, args=args):
            y = w * 1.0
            getattr(y, name)(*args)
            return y

        compare(run, _arr((1, 3)))
    w = L.zeros(1, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.squeeze_()


# -- property tests --------------------------------------------------------------------------------
shapes = st.lists(st.integers(0, 3), min_size=0, max_size=4).map(tuple)


@settings(max_examples=100, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4), dim=st.integers(-4, 4),
       sizes=st.lists(st.integers(0, 3), min_size=1, max_size=3), data=st.data())
def test_cat_stack_property(shape, dim, sizes, data):
    nd = len(shape)
    d = dim % nd
    arrs = []
    for n in sizes:
        s = list(shape)
        s[d] = n
        arrs.append(_arr(tuple(s)))
    compare(lambda m, *xs: m.cat(list(xs), d - nd * data.draw(st.integers(0, 1))), *arrs,
            tfn=lambda m, *xs: m.cat(list(xs), d))
    same = [_arr(tuple(shape)) for _ in sizes]
    sd = data.draw(st.integers(-nd - 1, nd))
    compare(lambda m, *xs: m.stack(list(xs), sd), *same)


@settings(max_examples=150, deadline=None)
@given(shape=shapes, data=st.data())
def test_expand_property(shape, data):
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    target = list(lead)
    for s in shape:
        if s == 1:
            target.append(data.draw(st.sampled_from([-1, 1, 2, 3])))
        else:
            target.append(data.draw(st.sampled_from([-1, s])))
    compare(lambda m, x: x.expand(tuple(target)), _arr(shape), view=True)
    bshape = tuple(t if t != -1 else s for t, s in zip(target[len(lead):], shape))
    compare(lambda m, x, y: m.broadcast_tensors(x, y), _arr(shape),
            _arr(tuple(lead) + bshape), name=False)


@settings(max_examples=150, deadline=None)
@given(shape=shapes, data=st.data())
def test_reshape_permute_property(shape, data):
    a = _arr(shape)
    n = a.size
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [0]
    d0 = data.draw(st.sampled_from(divisors))
    new = (d0, -1) if n else (0, data.draw(st.integers(0, 3)))
    perm = data.draw(st.permutations(list(range(len(shape)))))
    compare(lambda m, x: x.permute(*perm).reshape(*new) if perm else x.reshape(*new), a)
    compare(lambda m, x: x.permute(*perm).flatten() if perm else x.flatten(), a)
