"""Losses (nn.functional and modules) against torch 2.13: every option and reduction, values and
gradients (input and target) under random upstream gradients, float64 gradcheck, extreme
logits, errors and warnings, and the course notes' class-weight example."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina  # noqa: E402
import luchina.nn as nn  # noqa: E402
import luchina.nn.functional as F  # noqa: E402
from luchina.autograd import gradcheck  # noqa: E402

TF = torch.nn.functional
RNG = np.random.default_rng(1)
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
REDUCTIONS = pytest.mark.parametrize("reduction", ["mean", "sum", "none"])


def _t(lib, a, rg=False):
    if a is None:
        return None
    return (luchina if lib == "l" else torch).tensor(a, requires_grad=rg and a.dtype.kind == "f")


def _close(lt, tt, dtype):
    rtol, atol = (2e-5, 1e-6) if dtype == np.float32 else (1e-10, 1e-12)
    np.testing.assert_allclose(lt.detach().numpy(), tt.detach().numpy(), rtol=rtol, atol=atol)


def parity(call, arrays, grad_idx, dtype, name=True):
    """call(F, *tensors) on both libraries; compare value, grad_fn name and the gradients of the
    arrays listed in grad_idx under a random upstream gradient."""
    lt = [_t("l", a, i in grad_idx) for i, a in enumerate(arrays)]
    tt = [_t("t", a, i in grad_idx) for i, a in enumerate(arrays)]
    yl, yt = call(F, *lt), call(TF, *tt)
    assert yl.shape == tuple(yt.shape)
    assert str(yl.dtype) == str(yt.dtype)
    _close(yl, yt, dtype)
    if name:
        assert yl.grad_fn.name() == yt.grad_fn.name()
    up = RNG.standard_normal(yt.shape).astype(yt.detach().numpy().dtype)
    yl.backward(luchina.tensor(up))
    yt.backward(torch.tensor(up))
    for i in grad_idx:
        assert lt[i].grad is not None, i
        _close(lt[i].grad, tt[i].grad, dtype)
    return yl


def _r(*shape, dtype=np.float64, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(dtype)


# -- regression losses ---------------------------------------------------------------------------
POINTWISE = {
    "mse": lambda f, x, y: f.mse_loss(x, y, reduction=R[0]),
    "l1": lambda f, x, y: f.l1_loss(x, y, reduction=R[0]),
    "smooth_l1": lambda f, x, y: f.smooth_l1_loss(x, y, reduction=R[0]),
    "smooth_l1_b0.5": lambda f, x, y: f.smooth_l1_loss(x, y, reduction=R[0], beta=0.5),
    "smooth_l1_b0": lambda f, x, y: f.smooth_l1_loss(x, y, reduction=R[0], beta=0.0),
    "huber": lambda f, x, y: f.huber_loss(x, y, reduction=R[0]),
    "huber_d2": lambda f, x, y: f.huber_loss(x, y, reduction=R[0], delta=2.0),
}
R = ["mean"]


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("name", list(POINTWISE))
def test_pointwise_losses(name, reduction, dtype):
    R[0] = reduction
    x, y = _r(5, 4, dtype=dtype, scale=2), _r(5, 4, dtype=dtype, scale=2)
    parity(POINTWISE[name], [x, y], (0, 1), dtype)
    xg, yg = _r(2, 3), _r(2, 3)
    assert gradcheck(lambda a, b: POINTWISE[name](F, a, b),
                     (luchina.tensor(xg, requires_grad=True), luchina.tensor(yg,
                                                                               requires_grad=True)))


@REDUCTIONS
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_pointwise(fn, reduction):
    x, y, w = _r(4, 3), _r(4, 3), np.abs(_r(4, 3))
    parity(lambda f, a, b, c: getattr(f, fn)(a, b, reduction=reduction, weight=c), [x, y, w],
           (0, 1), np.float64, name=False)


def test_size_mismatch_warns_as_torch():
    x = luchina.randn(4, 3)
    for fn in (F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss):
        with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4, 1\]\)\) "
                          r"that is different to the input size \(torch.Size\(\[4, 3\]\)\)"):
            fn(x, luchina.randn(4, 1))
    with pytest.warns(UserWarning, match="different to the input size"):
        nn.MSELoss()(luchina.randn(3), luchina.randn(3, 1))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(x, x, reduction="avg")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(x, x)


def test_mixed_dtypes_promote():
    x = luchina.randn(3, requires_grad=True)
    loss = F.mse_loss(x, luchina.randn(3).double())
    assert loss.dtype == luchina.float64
    loss.backward()
    assert x.grad.dtype == luchina.float32
    assert F.mse_loss(x, luchina.tensor([1, 2, 3])).dtype == luchina.float32


# -- binary cross-entropy ------------------------------------------------------------------------
@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("weight", [None, "row", "full"])
def test_bce(weight, reduction, dtype):
    p = RNG.uniform(0.02, 0.98, (5, 3)).astype(dtype)
    y = RNG.uniform(0, 1, (5, 3)).astype(dtype)
    w = {None: None, "row": RNG.uniform(0.5, 2, 3), "full": RNG.uniform(0.5, 2, (5, 3))}[weight]
    w = None if w is None else w.astype(dtype)
    parity(lambda f, a, b, c: f.binary_cross_entropy(a, b, weight=c, reduction=reduction),
           [p, y, w], (0, 1), dtype)
    assert gradcheck(lambda a: F.binary_cross_entropy(a, luchina.tensor(y[:2].astype(np.float64)),
                                                      reduction=reduction),
                     (luchina.tensor(p[:2].astype(np.float64), requires_grad=True),))


def test_bce_clamps_log_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], dtype=np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.5], dtype=np.float32)
    for red in ("none", "mean"):
        yl = parity(lambda f, a, b, r=red: f.binary_cross_entropy(a, b, reduction=r), [p, y],
                    (0,), np.float32)
        assert np.isfinite(yl.detach().numpy()).all()
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(luchina.tensor([1.5]), luchina.tensor([1.0]))
    with pytest.raises(ValueError, match=r"Using a target size \(torch.Size\(\[4, 1\]\)\)"):
        F.binary_cross_entropy(luchina.rand(4, 3), luchina.rand(4, 1))


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("opts", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(opts, reduction, dtype):
    x, y = _r(6, 3, dtype=dtype, scale=3), RNG.uniform(0, 1, (6, 3)).astype(dtype)
    w = RNG.uniform(0.5, 2, 3).astype(dtype) if opts in ("weight", "both") else None
    pw = RNG.uniform(0.5, 3, 3).astype(dtype) if opts in ("pos_weight", "both") else None

    def call(f, a, b, c, d):
        return f.binary_cross_entropy_with_logits(a, b, weight=c, pos_weight=d,
                                                  reduction=reduction)
    parity(call, [x, y, w, pw], (0, 1), dtype)
    xe = np.array([[-1e4, 1e4, -100.0, 100.0, 0.0, 40.0]], dtype=dtype)
    ye = np.array([[1.0, 0.0, 1.0, 0.0, 0.5, 1.0]], dtype=dtype)
    pwe = None if pw is None else np.full(6, 2.5, dtype=dtype)
    yl = parity(call, [xe, ye, None, pwe], (0,), dtype)
    assert np.isfinite(yl.detach().numpy()).all()
    assert gradcheck(lambda a, b: call(F, a, b, None, None if pw is None else
                                       luchina.tensor(pw[:3].astype(np.float64))),
                     (luchina.tensor(x[:2].astype(np.float64), requires_grad=True),
                      luchina.tensor(y[:2].astype(np.float64), requires_grad=True)))


# -- cross-entropy and NLL -----------------------------------------------------------------------
def _targets(n, c, ignore=None, shape=None):
    t = RNG.integers(0, c, shape if shape is not None else (n,))
    if ignore is not None:
        t.reshape(-1)[::3] = ignore
    return t


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("weight", [False, True])
@pytest.mark.parametrize("ignore", [None, 1, -100])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_index_targets(smoothing, ignore, weight, reduction, dtype):
    n, c = 7, 5
    x = _r(n, c, dtype=dtype, scale=3)
    t = _targets(n, c, ignore)
    w = RNG.uniform(0.2, 2.0, c).astype(dtype) if weight else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    if ignore is not None:
        kw["ignore_index"] = ignore
    parity(lambda f, a, b, ww: f.cross_entropy(a, b, weight=ww, **kw), [x, t, w], (0,), dtype)
    tg = luchina.tensor(np.array([0, 2, 1]))  # never all ignored (that loss is nan)
    assert gradcheck(lambda a: F.cross_entropy(a, tg, weight=None if w is None
                                               else luchina.tensor(w.astype(np.float64)), **kw),
                     (luchina.tensor(x[:3].astype(np.float64), requires_grad=True),))


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("shape", [(2, 4, 3), (2, 4, 3, 2), (4,)], ids=["NCd", "NCdd", "C"])
def test_cross_entropy_shapes(shape, reduction, dtype):
    x = _r(*shape, dtype=dtype)
    c = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    t = np.asarray(_targets(0, c, shape=tshape))
    w = RNG.uniform(0.5, 2, c).astype(dtype)
    for kw in ({}, {"weight": w}, {"ignore_index": 0}, {"label_smoothing": 0.1, "weight": w}):
        ww = kw.pop("weight", None)
        parity(lambda f, a, b, cw, k=kw: f.cross_entropy(a, b, weight=cw, reduction=reduction, **k),
               [x, t, ww], (0,), dtype, name=not (reduction == "none" and len(shape) == 3))
        parity(lambda f, a, b: f.nll_loss(f.log_softmax(a, dim=0 if len(shape) == 1 else 1), b,
                                          reduction=reduction), [x, t], (0,), dtype, name=False)


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("opts", [{}, {"weight": True}, {"label_smoothing": 0.3},
                                  {"weight": True, "label_smoothing": 0.1}],
                         ids=["plain", "weight", "smooth", "both"])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (4,)], ids=["NC", "NCd", "C"])
def test_cross_entropy_probability_targets(shape, opts, reduction, dtype):
    x = _r(*shape, dtype=dtype, scale=2)
    cdim = 1 if len(shape) > 1 else 0
    y = np.exp(_r(*shape))
    y = (y / y.sum(axis=cdim, keepdims=True)).astype(dtype)
    c = shape[cdim]
    w = RNG.uniform(0.5, 2, c).astype(dtype) if opts.get("weight") else None
    ls = opts.get("label_smoothing", 0.0)
    parity(lambda f, a, b, ww: f.cross_entropy(a, b, weight=ww, reduction=reduction,
                                               label_smoothing=ls),
           [x, y, w], (0, 1), dtype, name=not ls)


@DTYPES
def test_cross_entropy_extreme_logits(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [0.0, 0.0, 0.0], [-1e4, 1e4, 1e4]],
                 dtype=dtype)
    t = np.array([1, 2, 0, 0])
    for kw in ({}, {"label_smoothing": 0.1}, {"reduction": "none"}):
        yl = parity(lambda f, a, b, k=kw: f.cross_entropy(a, b, **k), [x, t], (0,), dtype)
        assert np.isfinite(yl.detach().numpy()).all()
    yl = parity(lambda f, a, b: f.cross_entropy(a, b), [x, np.full((4, 3), 1 / 3, dtype)], (0,),
                dtype)
    assert np.isfinite(yl.detach().numpy()).all()


def test_cross_entropy_is_one_node():
    x = luchina.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, luchina.tensor([0, 2, 1, 1]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    (edge,) = [e for e in loss.grad_fn.next_functions if e[0] is not None]
    assert edge[0].name() == "torch::autograd::AccumulateGrad"


def test_cross_entropy_all_ignored_is_nan_like_torch():
    x = _r(4, 3)
    t = np.full(4, -100)
    for kw in ({}, {"label_smoothing": 0.1}):
        yl = F.cross_entropy(luchina.tensor(x), luchina.tensor(t), **kw)
        yt = TF.cross_entropy(torch.tensor(x), torch.tensor(t), **kw)
        assert np.isnan(yl.item()) and np.isnan(yt.item())


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("weight", [False, True])
@pytest.mark.parametrize("shape", [(6, 4), (2, 4, 3), (2, 4, 2, 3), (4,)])
def test_nll_loss(shape, weight, reduction, dtype):
    x = _r(*shape, dtype=dtype)
    c = shape[1] if len(shape) > 1 else shape[0]
    t = np.asarray(_targets(0, c, shape=(shape[0],) + shape[2:] if len(shape) > 1 else ()))
    w = RNG.uniform(0.5, 2, c).astype(dtype) if weight else None
    for ig in (-100, 2):
        parity(lambda f, a, b, ww, i=ig: f.nll_loss(a, b, weight=ww, ignore_index=i,
                                              reduction=reduction),
               [x, t, w], (0,), dtype, name=not (reduction == "none" and len(shape) == 3))


def test_notes_class_weight_example():
    model_output = luchina.tensor([[30.0, 2.0], [30.0, 2.0]])
    target = luchina.tensor([0, 1])
    loss = nn.CrossEntropyLoss()(model_output, target)
    assert f"{loss.item():.2f}" == "14.00"
    loss = nn.CrossEntropyLoss(weight=luchina.tensor([0.2, 0.8]))(model_output, target)
    assert f"{loss.item():.2f}" == "22.40"
    loss = nn.CrossEntropyLoss(weight=luchina.tensor([1.0, 4.0]))(model_output, target)
    tl = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 4.0]))(
        torch.tensor([[30.0, 2.0], [30.0, 2.0]]), torch.tensor([0, 1]))
    assert f"{loss.item():.2f}" == f"{tl.item():.2f}" == "22.40"


def test_class_target_errors():
    x = luchina.randn(32, 3)
    msg = ("cross_entropy: target must hold class indices as int64 with shape (N,), got float32 "
           "(32, 1); use target.squeeze(1).long(), or BCEWithLogitsLoss for 0/1 targets")
    with pytest.raises(RuntimeError) as e:
        F.cross_entropy(x, luchina.rand(32, 1))
    assert str(e.value) == msg
    with pytest.raises(RuntimeError, match=r"use target.long\(\)"):
        F.cross_entropy(x, luchina.zeros(32, dtype=luchina.int32))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected.*target.squeeze"):
        F.cross_entropy(x, luchina.zeros(32, 1, dtype=luchina.int64))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(32\) to match target "
                                         r"batch_size \(5\)"):
        F.cross_entropy(x, luchina.zeros(5, dtype=luchina.int64))
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.nll_loss(x, luchina.full((32,), 5))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(x, luchina.full((32,), -1))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3 "
                                           "classes"):
        F.cross_entropy(x, luchina.zeros(32, dtype=luchina.int64), weight=luchina.ones(4))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2\]"):
        F.cross_entropy(luchina.randn(2, 3, 4), luchina.tensor([0, 1]))
    F.cross_entropy(x, luchina.zeros(32, dtype=luchina.uint8))  # Byte targets are accepted


# -- KL divergence and cosine embedding -----------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(log_target, reduction, dtype):
    x = np.log(RNG.dirichlet(np.ones(5), 4)).astype(dtype)
    y = RNG.dirichlet(np.ones(5), 4)
    y[0, 0] = 0.0  # 0 log 0 = 0
    y = (np.log(y + 1e-3) if log_target else y).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parity(lambda f, a, b: f.kl_div(a, b, reduction=reduction, log_target=log_target),
               [x, y], (0, 1) if log_target else (0,), dtype)
    if reduction == "mean":
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            nn.KLDivLoss(log_target=log_target)(luchina.tensor(x), luchina.tensor(y))


@DTYPES
@REDUCTIONS
@pytest.mark.parametrize("margin", [0.0, 0.3, -0.5])
def test_cosine_embedding_loss(margin, reduction, dtype):
    x1, x2 = _r(6, 4, dtype=dtype), _r(6, 4, dtype=dtype)
    x2[0] = x1[0]
    t = np.array([1, -1, 1, -1, -1, 1])
    parity(lambda f, a, b, c: f.cosine_embedding_loss(a, b, c, margin=margin, reduction=reduction),
           [x1, x2, t], (0, 1), dtype)
    parity(lambda f, a, b, c: f.cosine_embedding_loss(a, b, c, margin=margin, reduction=reduction),
           [x1[1], x2[1], np.array(-1)], (0, 1), dtype, name=False)
    assert gradcheck(lambda a, b: F.cosine_embedding_loss(a, b, luchina.tensor(t[:3]),
                                                          margin=margin, reduction=reduction),
                     (luchina.tensor(x1[:3].astype(np.float64), requires_grad=True),
                      luchina.tensor(x2[:3].astype(np.float64), requires_grad=True)))


# -- modules --------------------------------------------------------------------------------------
def test_loss_modules_match_torch():
    w = np.array([0.3, 1.2, 0.7], dtype=np.float32)
    cases = [
        ("MSELoss", {}, "reg"), ("MSELoss", {"reduction": "sum"}, "reg"),
        ("L1Loss", {"reduction": "none"}, "reg"), ("SmoothL1Loss", {"beta": 0.5}, "reg"),
        ("HuberLoss", {"delta": 2.0}, "reg"), ("BCELoss", {"weight": w}, "prob"),
        ("BCEWithLogitsLoss", {"pos_weight": w, "weight": w}, "logit"),
        ("CrossEntropyLoss", {"weight": w, "ignore_index": 1, "label_smoothing": 0.1}, "cls"),
        ("NLLLoss", {"weight": w}, "cls"), ("KLDivLoss", {"reduction": "batchmean",
                                                         "log_target": True}, "reg"),
        ("CosineEmbeddingLoss", {"margin": 0.5}, "cos"),
        ("MSELoss", {"size_average": False}, "reg"), ("L1Loss", {"reduce": False}, "reg"),
    ]
    for name, kw, kind in cases:
        lkw = {k: luchina.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lm, tm = getattr(nn, name)(**lkw), getattr(torch.nn, name)(**tkw)
        assert repr(lm) == repr(tm)
        assert lm.reduction == tm.reduction
        assert list(lm.state_dict()) == list(tm.state_dict())
        x = _r(4, 3, dtype=np.float32)
        args = {"reg": [x, _r(4, 3, dtype=np.float32)],
                "prob": [1 / (1 + np.exp(-x)), RNG.uniform(0, 1, (4, 3)).astype(np.float32)],
                "logit": [x, RNG.uniform(0, 1, (4, 3)).astype(np.float32)],
                "cls": [x, np.array([0, 2, 1, 1])],
                "cos": [x, _r(4, 3, dtype=np.float32), np.array([1, -1, 1, -1])]}[kind]
        mods = {F: lm, TF: tm}
        parity(lambda f, *a, m=mods: m[f](*a), args, (0,), np.float32)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
