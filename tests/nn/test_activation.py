"""Activations (nn.functional and modules) against torch 2.13: values, gradients under a random
upstream gradient, grad_fn names, float64 gradcheck, extreme inputs, in-place forms, reprs."""

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina  # noqa: E402
import luchina.nn as nn  # noqa: E402
import luchina.nn.functional as F  # noqa: E402
from luchina.autograd import gradcheck  # noqa: E402

TF = torch.nn.functional
RNG = np.random.default_rng(0)

# name -> (luchina call, torch call)
ACTS = {
    "threshold": (lambda f, x: f.threshold(x, 0.1, 20.0), None),
    "relu": (lambda f, x: f.relu(x), None),
    "relu6": (lambda f, x: f.relu6(x), None),
    "leaky_relu": (lambda f, x: f.leaky_relu(x), None),
    "leaky_relu_0.2": (lambda f, x: f.leaky_relu(x, 0.2), None),
    "leaky_relu_neg": (lambda f, x: f.leaky_relu(x, -0.3), None),
    "elu": (lambda f, x: f.elu(x), None),
    "elu_0.5": (lambda f, x: f.elu(x, alpha=0.5), None),
    "selu": (lambda f, x: f.selu(x), None),
    "celu": (lambda f, x: f.celu(x), None),
    "celu_2": (lambda f, x: f.celu(x, alpha=2.0), None),
    "gelu": (lambda f, x: f.gelu(x), None),
    "gelu_tanh": (lambda f, x: f.gelu(x, approximate="tanh"), None),
    "silu": (lambda f, x: f.silu(x), None),
    "mish": (lambda f, x: f.mish(x), None),
    "sigmoid": (lambda f, x: f.sigmoid(x), None),
    "tanh": (lambda f, x: f.tanh(x), None),
    "hardtanh": (lambda f, x: f.hardtanh(x), None),
    "hardtanh_-2_3": (lambda f, x: f.hardtanh(x, -2.0, 3.0), None),
    "hardsigmoid": (lambda f, x: f.hardsigmoid(x), None),
    "hardswish": (lambda f, x: f.hardswish(x), None),
    "softplus": (lambda f, x: f.softplus(x), None),
    "softplus_b2_t5": (lambda f, x: f.softplus(x, beta=2.0, threshold=5.0), None),
    "softplus_b0.5": (lambda f, x: f.softplus(x, beta=0.5), None),
    "softsign": (lambda f, x: f.softsign(x), None),
    "softmax": (lambda f, x: f.softmax(x, dim=1), None),
    "softmax_-1": (lambda f, x: f.softmax(x, dim=-1), None),
    "log_softmax": (lambda f, x: f.log_softmax(x, dim=1), None),
    "softmin": (lambda f, x: f.softmin(x, dim=0), None),
    "glu": (lambda f, x: f.glu(x), None),
    "glu_0": (lambda f, x: f.glu(x, dim=0), None),
    "logsigmoid": (lambda f, x: f.logsigmoid(x), None),
}


def _pair(a, requires_grad=True):
    return (luchina.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _close(lt, tt, dtype):
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-10, 1e-12)
    np.testing.assert_allclose(lt.detach().numpy(), tt.detach().numpy(), rtol=rtol, atol=atol)


def _input(dtype, shape=(4, 6, 2)):
    x = RNG.standard_normal(shape) * 3
    x.flat[:4] = [-3.5, 3.5, 0.25, -0.25]
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", list(ACTS))
def test_forward_backward_parity(name, dtype):
    fn = ACTS[name][0]
    xl, xt = _pair(_input(dtype))
    yl, yt = fn(F, xl), fn(TF, xt)
    assert yl.shape == tuple(yt.shape) and yl.dtype.itemsize == yt.dtype.itemsize
    _close(yl, yt, dtype)
    assert yl.grad_fn.name() == yt.grad_fn.name()
    up = RNG.standard_normal(yt.shape).astype(dtype)
    yl.backward(luchina.tensor(up))
    yt.backward(torch.tensor(up))
    assert xl.grad.dtype == xl.dtype
    _close(xl.grad, xt.grad, dtype)


@pytest.mark.parametrize("name", list(ACTS))
def test_gradcheck(name):
    fn = ACTS[name][0]
    x = luchina.tensor(_input(np.float64, (2, 4)), requires_grad=True)
    assert gradcheck(lambda t: fn(F, t), (x,))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", list(ACTS))
def test_extreme_inputs_finite(name, dtype):
    fn = ACTS[name][0]
    x = np.array([[-1e4, -200.0, -30.0, -1e-3, 0.0, 1e-3, 30.0, 200.0, 1e4, 5.0]], dtype=dtype)
    x = np.concatenate([x, x[:, ::-1]])
    xl, xt = _pair(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy overflow warnings are failures
        yl = fn(F, xl)
        yl.backward(luchina.ones_like(yl))
    yt = fn(TF, xt)
    yt.backward(torch.ones_like(yt))
    assert np.isfinite(yl.detach().numpy()).all() and np.isfinite(xl.grad.numpy()).all()
    _close(yl, yt, dtype)
    _close(xl.grad, xt.grad, dtype)


def test_prelu_functional_and_module():
    for shape, n in [((4, 3, 5, 2), 3), ((4, 3), 1), ((6,), 1), ((4, 3, 2), 3)]:
        x = _input(np.float64, shape)
        w = np.array([0.25, -0.5, 0.1][:n])
        xl, xt = _pair(x)
        wl, wt = _pair(w)
        yl, yt = F.prelu(xl, wl), TF.prelu(xt, wt)
        _close(yl, yt, np.float64)
        assert yl.grad_fn.name() == yt.grad_fn.name() == "PreluKernelBackward0"
        up = RNG.standard_normal(yt.shape)
        yl.backward(luchina.tensor(up))
        yt.backward(torch.tensor(up))
        _close(xl.grad, xt.grad, np.float64)
        _close(wl.grad, wt.grad, np.float64)
        assert gradcheck(F.prelu, (luchina.tensor(x[:2]).requires_grad_(), wl.detach()
                                   .requires_grad_()))
    m, tm = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert repr(m) == repr(tm) == "PReLU(num_parameters=3)"
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (3,)
    x = _input(np.float32, (2, 3, 4))
    _close(m(luchina.tensor(x)), tm(torch.tensor(x)), np.float32)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(luchina.ones(2, 3), luchina.ones(2))


# torch's in-place node names differ for some ops (EluBackward1, LeakyReluBackward1, ...)
INPLACE = {
    "relu": lambda f, x: f.relu(x, inplace=True),
    "relu_": lambda f, x: f.relu_(x),
    "relu6": lambda f, x: f.relu6(x, inplace=True),
    "threshold": lambda f, x: f.threshold(x, 0.5, -2.0, inplace=True),
    "leaky_relu": lambda f, x: f.leaky_relu(x, 0.1, inplace=True),
    "elu": lambda f, x: f.elu(x, inplace=True),
    "elu_": lambda f, x: f.elu_(x, 0.7),
    "selu": lambda f, x: f.selu(x, inplace=True),
    "celu": lambda f, x: f.celu(x, 1.5, inplace=True),
    "silu": lambda f, x: f.silu(x, inplace=True),
    "mish": lambda f, x: f.mish(x, inplace=True),
    "hardtanh": lambda f, x: f.hardtanh(x, inplace=True),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x, inplace=True),
    "hardswish": lambda f, x: f.hardswish(x, inplace=True),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace(name):
    fn = INPLACE[name]
    x = _input(np.float64, (3, 5))
    xl, xt = _pair(x)
    hl, ht = xl * 1.0, xt * 1.0
    yl, yt = fn(F, hl), fn(TF, ht)
    assert yl is hl
    _close(hl, ht, np.float64)
    assert yl.grad_fn.name() == yt.grad_fn.name()
    up = RNG.standard_normal(x.shape)
    yl.backward(luchina.tensor(up))
    yt.backward(torch.tensor(up))
    _close(xl.grad, xt.grad, np.float64)
    # without autograd the update goes straight into the array
    raw = luchina.tensor(x.copy())
    fn(F, raw)
    np.testing.assert_allclose(raw.numpy(), fn(TF, torch.tensor(x.copy())).numpy(), rtol=1e-12)


def test_erf_accuracy_and_speed_form():
    from luchina.nn._activation_fn import erf_array
    x = np.concatenate([np.linspace(-7, 7, 200001), [0.0, -0.0, 1e-300, 0.46875, 4.0, 30.0]])
    ref = np.array([math.erf(v) for v in x])
    assert np.abs(erf_array(np, x) - ref).max() < 1e-14
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(erf_array(np, x32), torch.erf(torch.tensor(x32)).numpy(),
                               rtol=0, atol=3e-7)
    assert erf_array(np, x32).dtype == np.float32


MODULES = [
    ("Threshold", (0.1, 20)), ("Threshold", (0.1, 20, True)), ("ReLU", ()), ("ReLU", (True,)),
    ("ReLU6", ()), ("ReLU6", (True,)), ("LeakyReLU", ()), ("LeakyReLU", (0.1,)),
    ("LeakyReLU", (0.1, True)), ("PReLU", ()), ("ELU", ()), ("ELU", (0.5, True)), ("SELU", ()),
    ("SELU", (True,)), ("CELU", ()), ("CELU", (2.0, True)), ("GELU", ()), ("GELU", ("tanh",)),
    ("SiLU", ()), ("SiLU", (True,)), ("Mish", ()), ("Sigmoid", ()), ("Tanh", ()),
    ("Hardtanh", ()), ("Hardtanh", (-2, 2, True)), ("Hardsigmoid", ()), ("Hardsigmoid", (True,)),
    ("Hardswish", ()), ("Softplus", ()), ("Softplus", (2, 10)), ("Softsign", ()),
    ("Softmax", (1,)), ("Softmax", (-1,)), ("LogSoftmax", (1,)), ("Softmin", (0,)), ("GLU", ()),
    ("GLU", (0,)), ("LogSigmoid", ()),
]


@pytest.mark.parametrize("name,args", MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_module_repr_and_forward(name, args):
    lm, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(lm) == repr(tm)
    assert str(lm) == str(tm)
    x = _input(np.float32, (4, 6))
    xl, xt = _pair(x)
    yl, yt = lm(xl * 1.0), tm(xt * 1.0)
    _close(yl, yt, np.float32)
    assert yl.grad_fn.name() == yt.grad_fn.name()
    for attr in ("inplace", "negative_slope", "alpha", "approximate", "beta", "threshold",
                 "value", "dim", "min_val", "max_val", "num_parameters", "init"):
        if hasattr(tm, attr):
            assert getattr(lm, attr) == getattr(tm, attr), attr


def test_reprs_in_sequential():
    lm = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.1), nn.Softplus(beta=2.0, threshold=10.0),
                       nn.Softmax(dim=1))
    tm = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LeakyReLU(0.1),
                             torch.nn.Softplus(beta=2.0, threshold=10.0), torch.nn.Softmax(dim=1))
    assert repr(lm) == repr(tm)
    assert repr(nn.Softmax()) == "Softmax(dim=None)"


def test_softmax_implicit_dim_warns_like_torch():
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        x = _input(np.float32, shape)
        for name in ("softmax", "log_softmax", "softmin"):
            with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}"):
                yl = getattr(F, name)(luchina.tensor(x))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yt = getattr(TF, name)(torch.tensor(x))
            _close(yl, yt, np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        nn.Softmax()(luchina.ones(2, 3))


def test_errors():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is "
                                           "size 5"):
        F.glu(luchina.ones(2, 5))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(luchina.ones(2), approximate="foo")
    with pytest.raises(NotImplementedError, match="Long"):
        F.elu(luchina.tensor([1, 2]))
    np.testing.assert_array_equal(F.relu(luchina.tensor([-1, 2])).numpy(), [0, 2])


def test_one_node_each():
    x = luchina.randn(4, 4, requires_grad=True)
    for name, (fn, _) in ACTS.items():
        if name.startswith("softmin"):
            continue  # softmax of -x: two nodes, as in torch
        y = fn(F, x)
        (edge,) = [e for e in y.grad_fn.next_functions if e[0] is not None]
        assert edge[0].name() == "torch::autograd::AccumulateGrad", name
