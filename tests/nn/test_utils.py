"""nn.utils against torch 2.13: clip_grad_norm_/clip_grad_value_, parameters <-> vector,
rnn.pad_sequence."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina  # noqa: E402
import luchina.nn as nn  # noqa: E402
from luchina.nn.utils import (  # noqa: E402
    clip_grad_norm_,
    clip_grad_value_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)
from luchina.nn.utils.rnn import pad_sequence  # noqa: E402

TU = torch.nn.utils
RNG = np.random.default_rng(3)
SHAPES = [(4, 3), (3,), (2, 2, 2), ()]


def _params(dtype=np.float32, scale=1.0, none_grad=False):
    lp, tp = [], []
    for i, s in enumerate(SHAPES):
        v = RNG.standard_normal(s).astype(dtype)
        g = (RNG.standard_normal(s) * scale).astype(dtype)
        a, b = nn.Parameter(luchina.tensor(v)), torch.nn.Parameter(torch.tensor(v))
        if not (none_grad and i == 1):
            a.grad, b.grad = luchina.tensor(g.copy()), torch.tensor(g.copy())
        lp.append(a)
        tp.append(b)
    return lp, tp


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm(max_norm, norm_type, dtype):
    lp, tp = _params(dtype, scale=2.0, none_grad=True)
    nt = float(norm_type)
    tl = clip_grad_norm_(lp, max_norm, norm_type=nt)
    tt = TU.clip_grad_norm_(tp, max_norm, norm_type=nt)
    assert str(tl.dtype) == str(tt.dtype) and tl.shape == ()
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(tl.item(), tt.item(), rtol=rtol)
    for a, b in zip(lp, tp):
        if b.grad is None:
            assert a.grad is None
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    p = nn.Parameter(luchina.ones(3))
    assert clip_grad_norm_(p, 1.0).item() == 0.0  # no gradients at all
    p.grad = luchina.tensor([3.0, 4.0, 0.0])
    before = p.grad
    total = clip_grad_norm_(p, 1.0)  # a single tensor is accepted
    assert total.item() == pytest.approx(5.0)
    assert p.grad is before  # in place
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    p.grad = luchina.tensor([float("nan"), 1.0, 0.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_([p], 1.0, foreach=True).item())
    lp, tp = _params()
    gl = get_total_norm([q.grad for q in lp])
    gt = TU.get_total_norm([q.grad for q in tp])
    np.testing.assert_allclose(gl.item(), gt.item(), rtol=1e-6)
    # a generator of parameters (model.parameters()) is consumed once and still clipped
    m = nn.Linear(3, 2)
    m(luchina.randn(4, 3) * 100).sum().backward()
    clip_grad_norm_(m.parameters(), 0.1)
    assert get_total_norm([q.grad for q in m.parameters()]).item() == pytest.approx(0.1, rel=1e-4)


def test_clip_grad_value():
    lp, tp = _params(scale=3.0, none_grad=True)
    assert clip_grad_value_(lp, 1.5) is None
    TU.clip_grad_value_(tp, 1.5)
    for a, b in zip(lp, tp):
        if b.grad is not None:
            np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_parameters_to_vector_and_back():
    lp, tp = _params(dtype=np.float64)
    vl, vt = parameters_to_vector(lp), TU.parameters_to_vector(tp)
    np.testing.assert_array_equal(vl.detach().numpy(), vt.detach().numpy())
    assert vl.requires_grad and vl.grad_fn is not None  # differentiable, as in torch
    new = RNG.standard_normal(vt.shape[0])
    vector_to_parameters(luchina.tensor(new), lp)
    TU.vector_to_parameters(torch.tensor(new), tp)
    for a, b in zip(lp, tp):
        assert a.shape == tuple(b.shape)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        vector_to_parameters([1.0], lp)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("trail", [(), (3,)])
def test_pad_sequence(batch_first, side, trail):
    lens = [4, 1, 3]
    arrays = [RNG.standard_normal((n,) + trail) for n in lens]
    lt = [luchina.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    yl = pad_sequence(lt, batch_first=batch_first, padding_value=-1.5, padding_side=side)
    yt = torch.nn.utils.rnn.pad_sequence(tt, batch_first=batch_first, padding_value=-1.5,
                                         padding_side=side)
    assert yl.shape == tuple(yt.shape)
    np.testing.assert_array_equal(yl.detach().numpy(), yt.detach().numpy())
    assert yl.grad_fn.name() == yt.grad_fn.name()
    up = RNG.standard_normal(yt.shape)
    yl.backward(luchina.tensor(up))
    yt.backward(torch.tensor(up))
    for a, b in zip(lt, tt):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_pad_sequence_inputs_and_errors():
    assert pad_sequence(luchina.ones(2, 3)).shape == (3, 2)
    assert pad_sequence([luchina.tensor([1, 2]), luchina.tensor([3])]).tolist() == [[1, 3],
                                                                                      [2, 0]]
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right, "
                                           "but got middle."):
        pad_sequence([luchina.ones(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    assert "rnn" in nn.utils.__all__ and nn.utils.rnn.pad_sequence is pad_sequence
