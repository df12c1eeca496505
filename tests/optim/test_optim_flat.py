"""The flat-buffer update path of Adam/AdamW/SGD (the default, foreach=True, fused=True) gives
bit-for-bit the numbers of the per-parameter loop (foreach=False) in every situation that can
invalidate its buffers: p.data replaced, load_state_dict, parameters without gradients, mixed
dtypes. torch parity of the loop itself is tested in test_optim.py."""

import copy
import pickle

import numpy as np
import pytest

import luchina as L

CONFIGS = [
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.8, 0.9))),
    ("Adam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True)),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]


def model(dtype=np.float32):
    L.manual_seed(0)
    m = L.nn.Sequential(L.nn.Linear(5, 7), L.nn.ReLU(), L.nn.Linear(7, 3))
    if dtype == np.float64:
        m = m.double()
    return m


def batch(i, dtype=np.float32):
    rng = np.random.default_rng(i)
    return L.tensor(rng.standard_normal((6, 5)).astype(dtype)), L.tensor(rng.integers(0, 3, 6))


def train(name, kw, steps=12, flag=None, m=None, hook=None):
    m = m or model()
    opt = getattr(L.optim, name)(m.parameters(), **kw, **(flag or {}))
    for i in range(steps):
        x, y = batch(i, m[0].weight.detach().numpy().dtype)
        opt.zero_grad()
        L.nn.functional.cross_entropy(m(x), y).backward()
        if hook:
            hook(i, m, opt)
        opt.step()
    return m, opt


def params(m):
    return [p.detach().numpy().copy() for p in m.parameters()]


def assert_bitwise(ma, mb):
    for a, b in zip(params(ma), params(mb)):
        np.testing.assert_array_equal(a, b)


def assert_same_state(oa, ob):
    sa, sb = oa.state_dict()["state"], ob.state_dict()["state"]
    assert list(sa) == list(sb)
    for k in sa:
        assert list(sa[k]) == list(sb[k])
        for key in sa[k]:
            np.testing.assert_array_equal(sa[k][key].numpy(), sb[k][key].numpy())


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
@pytest.mark.parametrize("flag", [{}, {"foreach": True}, {"fused": True}], ids=str)
def test_flat_path_matches_the_loop_bitwise(name, kw, flag):
    if name == "SGD" and "fused" in flag and kw.get("maximize"):
        flag = {"foreach": True}
    ref, ropt = train(name, kw, flag={"foreach": False})
    got, gopt = train(name, kw, flag=flag)
    assert_bitwise(ref, got)
    assert_same_state(ropt, gopt)
    assert gopt.__dict__.get("_flat"), "the flat path was not taken"


@pytest.mark.parametrize("name,kw", CONFIGS[:2] + CONFIGS[8:9], ids=["Adam", "amsgrad", "SGD"])
def test_replacing_p_data_and_held_references(name, kw):
    def hook(i, m, opt):
        if i == 5:  # a new array for one parameter (as `p.data = ...` does)
            m[0].weight.data = m[0].weight.detach().clone() * 0.5
    ref, _ = train(name, kw, flag={"foreach": False}, hook=hook)
    m = model()
    held = m[2].weight.data  # shares memory with the parameter, as in torch
    got, _ = train(name, kw, m=m, hook=hook)
    assert_bitwise(ref, got)
    np.testing.assert_array_equal(held.numpy(), got[2].weight.detach().numpy())


@pytest.mark.parametrize("name,kw", CONFIGS[:2] + CONFIGS[8:9], ids=["Adam", "amsgrad", "SGD"])
def test_load_state_dict_mid_training(name, kw):
    saved = {}

    def save(i, m, opt):
        if i == 4:
            saved["m"] = copy.deepcopy(m.state_dict())
            saved["opt"] = pickle.loads(pickle.dumps(opt.state_dict()))

    full, fopt = train(name, kw, steps=10, hook=save)
    m = model()
    m.load_state_dict(saved["m"])
    opt = getattr(L.optim, name)(m.parameters(), **kw)
    opt.load_state_dict(saved["opt"])
    for i in range(4, 10):
        x, y = batch(i)
        opt.zero_grad()
        L.nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    assert_bitwise(full, m)
    assert_same_state(fopt, opt)


@pytest.mark.parametrize("name,kw", CONFIGS[:2] + CONFIGS[8:9], ids=["Adam", "amsgrad", "SGD"])
def test_missing_gradients_fall_back_to_the_loop(name, kw):
    def hook(i, m, opt):
        if i % 3 == 1:
            m[2].bias.grad = None  # this parameter skips the step: step counts diverge
    ref, ropt = train(name, kw, flag={"foreach": False}, hook=hook)
    got, gopt = train(name, kw, hook=hook)
    assert_bitwise(ref, got)
    assert_same_state(ropt, gopt)


def test_mixed_dtypes_in_one_group():
    def run(flag):
        L.manual_seed(0)
        a = L.randn(4, 3, requires_grad=True)
        b = L.randn(3, dtype=L.float64, requires_grad=True)
        opt = L.optim.Adam([a, b], lr=0.1, **flag)
        for _ in range(5):
            opt.zero_grad()
            ((a.sum(0).double() * b) ** 2).sum().backward()
            opt.step()
        return a.detach().numpy(), b.detach().numpy()
    for x, y in zip(run({"foreach": False}), run({})):
        np.testing.assert_array_equal(x, y)


def test_state_tensors_are_views_of_the_flat_buffers_and_stay_consistent():
    m, opt = train("Adam", dict(lr=0.01), steps=3)
    st = opt.state[m[0].weight]
    before = st["exp_avg"].numpy().copy()
    x, y = batch(99)
    opt.zero_grad()
    L.nn.functional.cross_entropy(m(x), y).backward()
    opt.step()
    assert not np.array_equal(before, st["exp_avg"].numpy())  # the same tensor sees the update
    clone = copy.deepcopy(opt)
    np.testing.assert_array_equal(clone.state[clone.param_groups[0]["params"][0]]["exp_avg"]
                                  .numpy(), st["exp_avg"].numpy())
