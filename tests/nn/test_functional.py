"""nn.functional's pad, normalize, cosine_similarity, pairwise_distance, one_hot and the
re-exported layer functions, against torch 2.13."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina  # noqa: E402
import luchina.nn.functional as F  # noqa: E402
from luchina.autograd import gradcheck  # noqa: E402

TF = torch.nn.functional
RNG = np.random.default_rng(2)


def _close(lt, tt, dtype=np.float64):
    rtol, atol = (2e-5, 1e-6) if dtype == np.float32 else (1e-10, 1e-12)
    np.testing.assert_allclose(lt.detach().numpy(), tt.detach().numpy(), rtol=rtol, atol=atol)


def parity(call, arrays, dtype=np.float64, name=True):
    lt = [luchina.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    yl, yt = call(F, *lt), call(TF, *tt)
    assert yl.shape == tuple(yt.shape) and str(yl.dtype) == str(yt.dtype)
    _close(yl, yt, dtype)
    if name:
        assert yl.grad_fn.name() == yt.grad_fn.name()
    up = RNG.standard_normal(yt.shape).astype(arrays[0].dtype)
    yl.backward(luchina.tensor(up))
    yt.backward(torch.tensor(up))
    for a, b in zip(lt, tt):
        _close(a.grad, b.grad, dtype)


PADS = [((3, 4), (1, 2)), ((2, 3, 5), (2, 1)), ((2, 3, 5), (0, 3)), ((2, 3, 4, 5), (1, 2, 2, 1)),
        ((2, 3, 4), (1, 1, 2, 0)), ((1, 2, 3, 4, 5), (1, 2, 0, 1, 2, 1)),
        ((2, 4, 5), (-1, 2)), ((2, 4, 5), (2, -2, -1, 1))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PADS, ids=[str(p) for p in PADS])
def test_pad(shape, pad, mode, dtype):
    k = len(pad) // 2
    if mode != "constant" and len(shape) not in (k + 1, k + 2):
        for lib in (F, TF):
            with pytest.raises(NotImplementedError, match=f"Padding size {len(pad)} is not "
                                                         "supported"):
                lib.pad((luchina if lib is F else torch).ones(*shape), pad, mode=mode)
        return
    if mode != "constant" and min(pad) < 0 and mode != "reflect" and mode != "circular":
        pytest.skip("negative padding is only exercised for constant/reflect/circular")
    x = RNG.standard_normal(shape).astype(dtype)
    kw = {"value": 1.5} if mode == "constant" else {}
    parity(lambda f, a: f.pad(a, pad, mode=mode, **kw), [x], dtype)
    if dtype == np.float64 and x.size < 200:
        assert gradcheck(lambda a: F.pad(a, pad, mode=mode),
                         (luchina.tensor(x, requires_grad=True),))


def test_pad_errors_and_defaults():
    x = luchina.ones(2, 3, 4)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(RuntimeError, match="Padding length should be less than or equal to two "
                                           "times the input dimension"):
        F.pad(luchina.ones(4), (1, 1, 1, 1))
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding "
                                           "input dimension"):
        F.pad(x, (4, 4), mode="reflect")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (5, 1), mode="circular")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    y = F.pad(luchina.arange(4).view(1, 4), (1, 2))  # integers keep their dtype, value 0
    assert y.dtype == luchina.int64 and y.tolist() == [[0, 0, 1, 2, 3, 0, 0]]
    assert F.pad(luchina.arange(4.0).view(1, 4), (2, -3), value=7).tolist() == [[7.0, 7.0, 0.0]]


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("dim", [1, 0, -1])
def test_normalize(p, dim):
    x = RNG.standard_normal((4, 5))
    x[1] = 0.0  # a zero row: the eps branch
    parity(lambda f, a: f.normalize(a, p=p, dim=dim), [x])
    x32 = x.astype(np.float32)
    parity(lambda f, a: f.normalize(a, p=p, dim=dim), [x32], np.float32)
    if p != float("inf"):
        assert gradcheck(lambda a: F.normalize(a, p=p, dim=dim),
                         (luchina.tensor(x[:3] + 0.1, requires_grad=True),))


@pytest.mark.parametrize("shapes,dim", [(((4, 5), (4, 5)), 1), (((4, 5), (1, 5)), 1),
                                        (((3, 4, 2), (3, 4, 2)), -1), (((5,), (5,)), 0),
                                        (((2, 5), (5,)), 1)])
def test_cosine_similarity(shapes, dim):
    a, b = (RNG.standard_normal(s) for s in shapes)
    parity(lambda f, x, y: f.cosine_similarity(x, y, dim=dim), [a, b])
    parity(lambda f, x, y: f.cosine_similarity(x, y, dim=dim), [a.astype(np.float32),
                                                                b.astype(np.float32)], np.float32)
    assert gradcheck(lambda x, y: F.cosine_similarity(x, y, dim=dim),
                     (luchina.tensor(a, requires_grad=True), luchina.tensor(b,
                                                                            requires_grad=True)))


def test_cosine_similarity_zero_vectors_and_eps():
    a = np.zeros((3, 4))
    a[1] = 1e-9
    a[2] = RNG.standard_normal(4)
    b = RNG.standard_normal((3, 4))
    parity(lambda f, x, y: f.cosine_similarity(x, y, dim=1, eps=1e-8), [a, b], name=False)
    parity(lambda f, x, y: f.cosine_similarity(x, y, dim=1, eps=0.5), [a, b], name=False)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim):
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    parity(lambda f, x, y: f.pairwise_distance(x, y, p=p, keepdim=keepdim), [a, b], name=False)


def test_one_hot_and_reexports():
    t = np.array([0, 2, 1, 3])
    assert F.one_hot(luchina.tensor(t)).tolist() == TF.one_hot(torch.tensor(t)).tolist()
    assert F.one_hot(luchina.tensor(t), 6).shape == (4, 6)
    for name in ("linear", "dropout", "embedding", "layer_norm", "batch_norm", "relu", "gelu",
                 "cross_entropy", "mse_loss", "pad", "normalize", "cosine_similarity",
                 "softmax", "log_softmax", "one_hot"):
        assert name in F.__all__ and callable(getattr(F, name)), name
    x, w, bias = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 4)), RNG.standard_normal(2)
    parity(lambda f, a, b, c: f.linear(a, b, c), [x, w, bias])


def test_softmax_family_dtype_and_dims():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    for name in ("softmax", "log_softmax", "softmin"):
        for dim in (0, 1, 2, -1):
            parity(lambda f, a, n=name, d=dim: getattr(f, n)(a, dim=d), [x], np.float32)
        yl = getattr(F, name)(luchina.tensor(x), dim=1, dtype=luchina.float64)
        yt = getattr(TF, name)(torch.tensor(x), dim=1, dtype=torch.float64)
        assert yl.dtype == luchina.float64
        _close(yl, yt)
