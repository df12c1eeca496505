"""nn.init against torch 2.13: gains, fans, bounds and statistics, determinism, errors."""

import math
import warnings

import numpy as np
import pytest

import luchina
from luchina.nn import init

torch = pytest.importorskip("torch")
tinit = torch.nn.init

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


def same_error(fl, ft):
    with pytest.raises(Exception) as a:
        fl()
    with pytest.raises(Exception) as b:
        ft()
    assert type(a.value) is type(b.value) and str(a.value) == str(b.value)


@pytest.mark.parametrize("name", NONLINEARITIES)
def test_calculate_gain_matches_torch(name):
    assert init.calculate_gain(name) == tinit.calculate_gain(name)
    if name == "leaky_relu":
        for param in (0, 0.2, 3, 1.5):
            assert init.calculate_gain(name, param) == tinit.calculate_gain(name, param)


def test_calculate_gain_errors():
    same_error(lambda: init.calculate_gain("leaky_relu", True),
               lambda: tinit.calculate_gain("leaky_relu", True))
    same_error(lambda: init.calculate_gain("swish"), lambda: tinit.calculate_gain("swish"))


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (6, 4, 3, 3), (2, 3, 2, 2, 2)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(luchina.empty(shape)) == \
        tinit._calculate_fan_in_and_fan_out(torch.empty(shape))
    for mode in ("fan_in", "fan_out", "FAN_IN"):
        assert init._calculate_correct_fan(luchina.empty(shape), mode) == \
            tinit._calculate_correct_fan(torch.empty(shape), mode)


def test_fan_errors_match_torch():
    same_error(lambda: init._calculate_fan_in_and_fan_out(luchina.empty(3)),
               lambda: tinit._calculate_fan_in_and_fan_out(torch.empty(3)))
    same_error(lambda: init.kaiming_uniform_(luchina.empty(3, 3), mode="fan_avg"),
               lambda: tinit.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg"))
    same_error(lambda: init.eye_(luchina.empty(3)), lambda: tinit.eye_(torch.empty(3)))
    same_error(lambda: init.orthogonal_(luchina.empty(3)),
               lambda: tinit.orthogonal_(torch.empty(3)))
    same_error(lambda: init.dirac_(luchina.empty(3, 3)), lambda: tinit.dirac_(torch.empty(3, 3)))


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), np.abs(a).max()


SHAPE = (256, 512)  # fan_in 512, fan_out 256


@pytest.mark.parametrize("fn,kw,bound,std", [
    (init.uniform_, {"a": -2.0, "b": 3.0}, None, 5 / math.sqrt(12)),
    (init.normal_, {"mean": 0.0, "std": 0.3}, None, 0.3),
    (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(6 / 768), 2 * math.sqrt(2 / 768)),
    (init.xavier_normal_, {}, None, math.sqrt(2 / 768)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(512), 1 / math.sqrt(3 * 512)),
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"},
     math.sqrt(6 / 256), math.sqrt(2 / 256)),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, None, math.sqrt(2 / 512)),
    (init.kaiming_normal_, {"a": 0.2, "mode": "fan_out"}, None,
     math.sqrt(2 / (1 + 0.04)) / math.sqrt(256)),
    (init.trunc_normal_, {"std": 0.02, "a": -0.04, "b": 0.04}, 0.04, None),
])
def test_initialiser_statistics(fn, kw, bound, std):
    luchina.manual_seed(0)
    t = luchina.empty(SHAPE, requires_grad=True)
    assert fn(t, **kw) is t
    assert t.requires_grad and t.grad_fn is None  # in place, outside autograd
    mean, sd, mx = _stats(t)
    if bound is not None:
        assert mx <= bound * (1 + 1e-6)
        assert mx > 0.95 * bound
    if std is not None:
        assert abs(sd - std) < 0.02 * std
    if fn is init.uniform_:
        assert abs(mean - 0.5) < 0.02
    else:
        assert abs(mean) < 0.05 * (std or bound)


def test_generator_and_manual_seed_reproduce():
    g = luchina.Generator().manual_seed(3)
    a = init.kaiming_normal_(luchina.empty(4, 5), generator=g).numpy().copy()
    g.manual_seed(3)
    b = init.kaiming_normal_(luchina.empty(4, 5), generator=g).numpy().copy()
    assert np.array_equal(a, b)
    luchina.manual_seed(11)
    c = init.xavier_uniform_(luchina.empty(4, 5)).numpy().copy()
    luchina.manual_seed(11)
    d = init.xavier_uniform_(luchina.empty(4, 5)).numpy().copy()
    assert np.array_equal(c, d)
    luchina.manual_seed(1)
    e = init.orthogonal_(luchina.empty(3, 4)).numpy().copy()
    luchina.manual_seed(1)
    assert np.array_equal(e, init.orthogonal_(luchina.empty(3, 4)).numpy())


def test_deterministic_initialisers_match_torch():
    for shape in [(3, 3), (2, 5), (5, 2)]:
        assert np.array_equal(init.eye_(luchina.empty(shape)).numpy(),
                              tinit.eye_(torch.empty(shape)).numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 3, 3, 3), 1)]:
        assert np.array_equal(init.dirac_(luchina.empty(shape), groups).numpy(),
                              tinit.dirac_(torch.empty(shape), groups).numpy())
    assert init.constant_(luchina.empty(2, 2), 0.5).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert init.ones_(luchina.empty(3)).tolist() == [1.0, 1.0, 1.0]
    assert init.zeros_(luchina.ones(3, dtype=luchina.float64)).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("shape,gain", [((6, 4), 1.0), ((4, 6), 2.0), ((4, 3, 2), 0.5)])
def test_orthogonal(shape, gain):
    t = init.orthogonal_(luchina.empty(shape, dtype=luchina.float64), gain=gain)
    m = t.numpy().reshape(shape[0], -1)
    small = min(m.shape)
    prod = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(prod, gain ** 2 * np.eye(small), atol=1e-10)


def test_zero_element_warns_like_torch():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        init.kaiming_uniform_(luchina.empty(0, 3))
        init.kaiming_normal_(luchina.empty(0, 3))
    assert [str(x.message) for x in w] == ["Initializing zero-element tensors is a no-op"] * 2


def test_sparse_and_dtypes():
    t = init.sparse_(luchina.empty(10, 6), sparsity=0.3)
    assert ((t.numpy() == 0).sum(axis=0) >= 3).all()
    t64 = init.normal_(luchina.empty(5, dtype=luchina.float64))
    assert t64.dtype == luchina.float64
    t16 = init.uniform_(luchina.empty(5, dtype=luchina.float16))
    assert t16.dtype == luchina.float16
    p = luchina.nn.Parameter(luchina.empty(3, 3))
    assert init.xavier_uniform_(p) is p and isinstance(p, luchina.nn.Parameter)
