"""Layers against torch 2.13: weights copied both ways, outputs and gradients under random
upstream gradients, float32 and float64; running statistics, dropout, embeddings."""

from collections import OrderedDict

import numpy as np
import pytest

import luchina
import luchina.nn as lnn
from luchina.nn import _functional_layers as LF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

DTYPES = [(np.float32, 2e-5), (np.float64, 1e-10)]


def _rng(seed=0):
    return np.random.default_rng(seed)


def sync(ml, mt, direction="t2l"):
    """Copy weights between the two modules through numpy arrays."""
    if direction == "t2l":
        res = ml.load_state_dict(OrderedDict((k, v.detach().numpy().copy())
                                             for k, v in mt.state_dict().items()))
    else:
        res = mt.load_state_dict(OrderedDict((k, torch.from_numpy(np.array(v.numpy())))
                                             for k, v in ml.state_dict().items()))
    assert not res.missing_keys and not res.unexpected_keys


def close(a, b, tol):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def compare(ml, mt, inputs, tol, grad_inputs=True, seed=1):
    """Forward both modules on the same inputs, backward a random upstream gradient, compare
    outputs, input gradients and parameter gradients."""
    li, ti = [], []
    for a in inputs:
        req = grad_inputs and a.dtype.kind == "f"
        li.append(luchina.tensor(a, requires_grad=req))
        ti.append(torch.tensor(a, requires_grad=req))
    yl, yt = ml(*li), mt(*ti)
    close(yl, yt, tol)
    assert yl.dtype.name == str(yt.dtype).replace("torch.", "")
    g = _rng(seed).standard_normal(tuple(yt.shape)).astype(yt.detach().numpy().dtype)
    yl.backward(luchina.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(li, ti):
        if b.requires_grad:
            close(a.grad, b.grad, tol)
    pl, pt = dict(ml.named_parameters()), dict(mt.named_parameters())
    assert list(pl) == list(pt)
    for k in pt:
        if pt[k].grad is None:
            assert pl[k].grad is None, k
        else:
            close(pl[k].grad, pt[k].grad, tol)
    return yl, yt


def make(build, dtype, seed=0):
    torch.manual_seed(seed)
    mt = build(tnn)
    ml = build(lnn)
    if dtype == np.float64:
        mt.double()
        ml.double()
    return ml, mt


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 5), (5,)])
def test_linear(dtype, tol, bias, shape):
    ml, mt = make(lambda nn: nn.Linear(5, 4, bias=bias), dtype)
    sync(ml, mt)
    compare(ml, mt, [_rng().standard_normal(shape).astype(dtype)], tol)
    sync(ml, mt, "l2t")  # and back: luchina's own initialisation into torch
    ml2, mt2 = make(lambda nn: nn.Linear(5, 4, bias=bias), dtype, seed=3)
    sync(ml2, mt2, "l2t")
    compare(ml2, mt2, [_rng(2).standard_normal(shape).astype(dtype)], tol)


def test_linear_default_init_bounds():
    luchina.manual_seed(0)
    m = lnn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound  # uniform(-b, b) has std b/sqrt(3)
    assert abs(w.mean()) < 0.01 * bound
    assert m.weight.dtype == luchina.float32 and m.weight.shape == (300, 400)
    assert lnn.Linear(2, 3, dtype=luchina.float64).weight.dtype == luchina.float64
    y = m(luchina.randn(2, 400))
    assert y.grad_fn.name() == "AddmmBackward0"


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("lead", [(6,), (2, 3)])
def test_bilinear(dtype, tol, bias, lead):
    ml, mt = make(lambda nn: nn.Bilinear(3, 4, 5, bias=bias), dtype)
    sync(ml, mt)
    r = _rng()
    yl, yt = compare(ml, mt, [r.standard_normal(lead + (3,)).astype(dtype),
                              r.standard_normal(lead + (4,)).astype(dtype)], tol)
    assert yl.grad_fn.name() == yt.grad_fn.name()
    w = lnn.Bilinear(30, 4, 5).weight.detach().numpy()
    assert np.abs(w).max() <= 1 / np.sqrt(30)


# -- embeddings --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                {"scale_grad_by_freq": True}, {"max_norm": 1.5},
                                {"max_norm": 1.0, "norm_type": 1.0, "padding_idx": 0}])
def test_embedding(dtype, tol, kw):
    ml, mt = make(lambda nn: nn.Embedding(10, 4, **kw), dtype)
    sync(ml, mt)
    idx = np.array([[1, 2, 2, 9], [0, 2, 5, 1], [9, 9, 9, 3]])
    yl, yt = compare(ml, mt, [idx], tol)
    assert yl.grad_fn.name() == "EmbeddingBackward0" == yt.grad_fn.name()
    close(ml.weight, mt.weight, tol)  # max_norm renormalised the same rows in place
    if kw.get("padding_idx") is not None:
        pad = ml.padding_idx
        assert not ml.weight.grad[pad].any()


def test_embedding_init_and_padding_row():
    luchina.manual_seed(0)
    e = lnn.Embedding(1000, 64, padding_idx=3)
    w = e.weight.detach().numpy()
    assert not w[3].any()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert e.padding_idx == 3 and lnn.Embedding(5, 2, padding_idx=-2).padding_idx == 3
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        lnn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(IndexError, match="index out of range in self"):
        e(luchina.tensor([1000]))
    with pytest.raises(RuntimeError, match="Long, Int"):
        e(luchina.tensor([1.0]))
    y = e(luchina.tensor([[3, 3], [1, 3]]))
    assert y.shape == (2, 2, 64)


def test_embedding_from_pretrained():
    w = luchina.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    e = lnn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    assert np.shares_memory(e.weight._data, w._data)
    assert e(luchina.tensor([1])).tolist() == [[4.0, 5.099999904632568, 6.300000190734863]]
    e2 = lnn.Embedding.from_pretrained(w, freeze=False, padding_idx=0)
    assert e2.weight.requires_grad and e2.padding_idx == 0
    assert e2.weight[0].tolist() == [1.0, 2.299999952316284, 3.0]  # not zeroed, as torch
    e2(luchina.tensor([0, 1, 0])).sum().backward()
    assert e2.weight.grad.tolist() == [[0.0] * 3, [1.0] * 3]
    et = tnn.Embedding.from_pretrained(torch.tensor(w.numpy()), freeze=False, padding_idx=0)
    assert repr(e2) == repr(et)
    with pytest.raises(AssertionError, match="2-dimensional"):
        lnn.Embedding.from_pretrained(luchina.ones(3))


def test_from_pretrained_numpy_array():
    """A NumPy array (KeyedVectors.vectors) is taken as from_numpy would: same memory."""
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    e = lnn.Embedding.from_pretrained(a)
    assert np.shares_memory(e.weight._data, a) and e.weight.dtype == luchina.float32
    assert e(luchina.tensor([2])).tolist() == [a[2].tolist()]
    bag = lnn.EmbeddingBag.from_pretrained(a, freeze=False)
    assert bag.weight.requires_grad and bag(luchina.tensor([[0, 1]])).tolist() == [[1.5, 2.5, 3.5]]
    with pytest.raises(AssertionError, match="2-dimensional"):
        lnn.Embedding.from_pretrained(np.ones(3, dtype=np.float32))


_BAG_CASES = [
    ("2d", None, False), ("offsets", [0, 2, 2, 5], False), ("offsets", [0, 3, 7, 7], True),
]


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", range(len(_BAG_CASES)))
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(dtype, tol, mode, case, padding_idx):
    kind, offsets, last = _BAG_CASES[case]
    build = lambda nn: nn.EmbeddingBag(10, 3, mode=mode, include_last_offset=last,  # noqa: E731
                                        padding_idx=padding_idx)
    ml, mt = make(build, dtype)
    sync(ml, mt)
    if kind == "2d":
        idx = np.array([[1, 2, 4], [4, 3, 2], [2, 2, 2], [9, 0, 9]])
        args_l, args_t = [luchina.tensor(idx)], [torch.tensor(idx)]
    else:
        idx = np.array([1, 2, 4, 5, 4, 3, 2, 9])[:7 if last else 8]
        args_l = [luchina.tensor(idx), luchina.tensor(offsets)]
        args_t = [torch.tensor(idx), torch.tensor(offsets)]
    yl, yt = ml(*args_l), mt(*args_t)
    close(yl, yt, tol)
    g = _rng().standard_normal(tuple(yt.shape)).astype(dtype)
    yl.backward(luchina.tensor(g))
    yt.backward(torch.tensor(g))
    close(ml.weight.grad, mt.weight.grad, tol)
    assert yl.grad_fn.name() == "EmbeddingBagBackward0"


@pytest.mark.parametrize("dtype,tol", DTYPES)
def test_embedding_bag_per_sample_weights(dtype, tol):
    ml, mt = make(lambda nn: nn.EmbeddingBag(10, 3, mode="sum"), dtype)
    sync(ml, mt)
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    off = np.array([0, 4])
    psw = _rng().standard_normal(8).astype(dtype)
    pl, pt = luchina.tensor(psw, requires_grad=True), torch.tensor(psw, requires_grad=True)
    yl = ml(luchina.tensor(idx), luchina.tensor(off), per_sample_weights=pl)
    yt = mt(torch.tensor(idx), torch.tensor(off), per_sample_weights=pt)
    close(yl, yt, tol)
    g = _rng(1).standard_normal((2, 3)).astype(dtype)
    yl.backward(luchina.tensor(g))
    yt.backward(torch.tensor(g))
    close(ml.weight.grad, mt.weight.grad, tol)
    close(pl.grad, pt.grad, tol)
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        lnn.EmbeddingBag(10, 3)(luchina.tensor(idx), luchina.tensor(off),
                                per_sample_weights=luchina.tensor(psw))


def test_embedding_bag_errors_match_torch():
    el, et = lnn.EmbeddingBag(10, 3), tnn.EmbeddingBag(10, 3)
    for call_l, call_t in [
        (lambda: el(luchina.tensor([1, 2])), lambda: et(torch.tensor([1, 2]))),
        (lambda: lnn.EmbeddingBag(10, 3, mode="avg")(luchina.tensor([[1]])),
         lambda: tnn.EmbeddingBag(10, 3, mode="avg")(torch.tensor([[1]]))),
    ]:
        with pytest.raises(ValueError) as a:
            call_l()
        with pytest.raises(ValueError) as b:
            call_t()
        assert str(a.value) == str(b.value)


# -- dropout -----------------------------------------------------------------------------------
def test_dropout_statistics_and_modes():
    luchina.manual_seed(0)
    d = lnn.Dropout(0.3)
    x = luchina.ones(200, 500, requires_grad=True)
    y = d(x)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.7, rtol=1e-6)
    assert y.grad_fn.name() == "MulBackward0"
    g = luchina.randn(200, 500)
    y.backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g.numpy() * y.detach().numpy(), rtol=1e-6)
    d.eval()
    assert d(x) is x
    assert lnn.Dropout(0.0)(x) is x
    assert not lnn.Dropout(1.0)(x).detach().numpy().any()
    xd = luchina.ones(10, dtype=luchina.float64)
    assert lnn.Dropout(0.5)(xd).dtype == luchina.float64
    for p in (-0.1, 1.1):
        with pytest.raises(ValueError) as a:
            lnn.Dropout(p)
        with pytest.raises(ValueError) as b:
            tnn.Dropout(p)
        assert str(a.value) == str(b.value)
    assert repr(lnn.Dropout(0.2)) == repr(tnn.Dropout(0.2))


def test_dropout_reproducible_and_inplace():
    luchina.manual_seed(7)
    a = lnn.Dropout()(luchina.ones(50)).numpy()
    luchina.manual_seed(7)
    b = lnn.Dropout()(luchina.ones(50)).numpy()
    assert np.array_equal(a, b)
    x = luchina.ones(1000)
    y = lnn.Dropout(0.5, inplace=True)(x)
    assert y is x and 0.4 < (x.numpy() == 0).mean() < 0.6
    w = luchina.ones(100, requires_grad=True)
    h = w * 1
    out = LF.dropout(h, 0.5, True, inplace=True)
    assert out is h
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), h.detach().numpy())


# -- normalisation -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("shape,norm,kw", [
    ((4, 6), 6, {}), ((2, 3, 4, 5), (4, 5), {}), ((3, 7), [7], {"elementwise_affine": False}),
    ((2, 3, 5), 5, {"bias": False}), ((2, 5), 5, {"eps": 1e-2}),
])
def test_layer_norm(dtype, tol, shape, norm, kw):
    ml, mt = make(lambda nn: nn.LayerNorm(norm, **kw), dtype)
    r = _rng(5)
    with torch.no_grad():  # non-trivial affine parameters
        for p in mt.parameters():
            p.copy_(torch.tensor(r.standard_normal(tuple(p.shape))))
    sync(ml, mt)
    yl, yt = compare(ml, mt, [(r.standard_normal(shape) * 3 + 1).astype(dtype)], tol * 10)
    assert yl.grad_fn.name() == "NativeLayerNormBackward0"
    with pytest.raises(RuntimeError) as a:
        ml(luchina.ones(2, 3))
    with pytest.raises(RuntimeError) as b:
        mt(torch.ones(2, 3, dtype=mt.weight.dtype if mt.weight is not None else None))
    assert str(b.value) in str(a.value)


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("shape", [(8, 4), (5, 4, 3)])
@pytest.mark.parametrize("kw", [{}, {"momentum": None}, {"momentum": 0.3, "affine": False},
                                {"bias": False}, {"track_running_stats": False}])
def test_batch_norm_1d(dtype, tol, shape, kw):
    ml, mt = make(lambda nn: nn.BatchNorm1d(4, **kw), dtype)
    r = _rng(3)
    with torch.no_grad():
        for p in mt.parameters():
            p.copy_(torch.tensor(r.standard_normal(tuple(p.shape))))
    sync(ml, mt)
    for step in range(4):  # running statistics over several steps
        x = (r.standard_normal(shape) * (step + 1) + step).astype(dtype)
        yl, yt = compare(ml, mt, [x], tol * 10, seed=step)
        for name, bt in mt.named_buffers():
            bl = dict(ml.named_buffers())[name]
            close(bl, bt, tol)
            assert bl.dtype.name == str(bt.dtype).replace("torch.", "")
        ml.zero_grad()
        mt.zero_grad()
    assert yl.grad_fn.name() == "NativeBatchNormBackward0"
    ml.eval()
    mt.eval()
    compare(ml, mt, [r.standard_normal(shape).astype(dtype)], tol * 10)


def test_batch_norm_errors_and_eval_without_stats():
    bl, bt = lnn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    for fl, ft in [(lambda: bl(luchina.ones(1, 3)), lambda: bt(torch.ones(1, 3))),
                   (lambda: bl(luchina.ones(3)), lambda: bt(torch.ones(3)))]:
        with pytest.raises(ValueError) as a:
            fl()
        with pytest.raises(ValueError) as b:
            ft()
        assert str(a.value) == str(b.value)
    bl.eval()
    assert bl(luchina.ones(1, 3)).shape == (1, 3)  # a single sample is fine in eval mode
    nl = lnn.BatchNorm1d(3, track_running_stats=False).eval()
    nt = tnn.BatchNorm1d(3, track_running_stats=False).eval()
    x = _rng().standard_normal((6, 3)).astype(np.float32)
    close(nl(luchina.tensor(x)), nt(torch.tensor(x)), 1e-5)  # batch statistics in eval too


def test_batch_norm_2d_matches_torch():
    ml, mt = make(lambda nn: nn.BatchNorm2d(3), np.float64)
    sync(ml, mt)
    compare(ml, mt, [_rng().standard_normal((4, 3, 5, 2))], 1e-9)
    close(ml.running_var, mt.running_var, 1e-12)


def test_models_train_identically_in_float64():
    """A small MLP with every layer kind: 20 SGD steps give torch's parameters."""
    def build(nn):
        return nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.BatchNorm1d(8),
                             nn.Linear(8, 8), nn.Flatten(), nn.Linear(8, 1))
    ml, mt = make(build, np.float64)
    sync(ml, mt)
    r = _rng(9)
    for _ in range(20):
        x = r.standard_normal((16, 6))
        lossl = (ml(luchina.tensor(x)) ** 2).mean()
        losst = (mt(torch.tensor(x)) ** 2).mean()
        ml.zero_grad()
        mt.zero_grad()
        lossl.backward()
        losst.backward()
        with luchina.no_grad():
            for p in ml.parameters():
                p -= 0.1 * p.grad
        with torch.no_grad():
            for p in mt.parameters():
                p -= 0.1 * p.grad
    for (_k, a), (_, b) in zip(ml.state_dict().items(), mt.state_dict().items()):
        close(a, b, 1e-9)


@pytest.mark.parametrize("make", [lambda m: m.nn.BatchNorm1d(3), lambda m: m.nn.LayerNorm(3)])
def test_normalization_refuses_mixed_dtypes_like_torch(make):
    for m in (torch, luchina):
        with pytest.raises(RuntimeError, match="mixed dtype"):
            make(m)(m.randn(4, 3, dtype=m.float64))
