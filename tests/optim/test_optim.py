"""luchina.optim's optimizers against torch 2.13 (the oracle): 100-step trajectories for every
option, state_dict layout and values, load_state_dict in both directions, zero_grad, errors."""

import copy
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina as L  # noqa: E402
import luchina.optim as lo  # noqa: E402

# -- a fixed problem: a tiny regression with a quartic penalty, gradients computed in numpy ----
_rng = np.random.default_rng(1234)
X = _rng.standard_normal((8, 3))
Y = _rng.standard_normal((8, 4))
W0 = _rng.standard_normal((3, 4)) * 0.5
B0 = _rng.standard_normal(4) * 0.5


def numpy_grads(w, b, sign=1.0):
    """Gradients of 0.5 * mean squared residual + 0.05 * sum(w ** 4); ``sign=-1`` for maximize."""
    r = X @ w + b - Y
    gw = X.T @ r / len(X) + 0.2 * w ** 3
    gb = r.mean(0)
    return sign * gw, sign * gb


def arr(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy().copy()
    return np.array(t.detach().numpy(), copy=True)


def make_params(mod, dtype=np.float64):
    w = mod.tensor(W0.astype(dtype), requires_grad=True)
    b = mod.tensor(B0.astype(dtype), requires_grad=True)
    return w, b


def feed(mod, params, sign=1.0, skip=()):
    ws = [arr(p).astype(np.float64) for p in params]
    grads = numpy_grads(*ws, sign=sign)
    for i, (p, g) in enumerate(zip(params, grads)):
        p.grad = None if i in skip else mod.tensor(g.astype(arr(p).dtype))


def trajectory(mod, name, kw, dtype=np.float64, steps=100, groups=False, skip=()):
    params = make_params(mod, dtype)
    cls = getattr(mod.optim, name)
    if groups:  # a second group with its own lr
        kw2 = dict(kw)
        lr = kw2.pop("lr", 1e-2)
        opt = cls([{"params": [params[0]]}, {"params": [params[1]], "lr": lr * 0.5}], lr=lr, **kw2)
    else:
        opt = cls(params, **kw)
    sign = -1.0 if kw.get("maximize") else 1.0
    out = []
    for _ in range(steps):
        feed(mod, params, sign, skip)
        opt.step()
        out.append([arr(p) for p in params])
    return out, opt, params


def assert_same_trajectory(a, b, rtol, atol):
    for step, (pa, pb) in enumerate(zip(a, b)):
        for x, y in zip(pa, pb):
            np.testing.assert_allclose(y, x, rtol=rtol, atol=atol, err_msg=f"step {step + 1}")


# Configurations whose dynamics are chaotic (a fast second moment near the optimum makes the
# update sign-like) amplify last-bit differences -- torch uses fused multiply-adds in addcmul,
# add(alpha=) and lerp, NumPy cannot -- so the learning rates below keep every run smooth.
CASES = {
    "SGD": [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9, dampening=0.5),
            dict(lr=0.1, momentum=0.9, nesterov=True), dict(lr=0.1, weight_decay=0.1),
            dict(lr=0.1, maximize=True),
            dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05, maximize=True),
            dict(lr=0.05, momentum=0.5, dampening=0.3, weight_decay=0.2)],
    "Adam": [dict(), dict(lr=0.05), dict(lr=0.05, amsgrad=True), dict(lr=0.05, weight_decay=0.1),
             dict(lr=0.05, maximize=True), dict(lr=0.005, betas=(0.3, 0.5), eps=1e-3),
             dict(lr=0.05, decoupled_weight_decay=True, weight_decay=0.1),
             dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.05, amsgrad=True, maximize=True)],
    "AdamW": [dict(), dict(lr=0.05), dict(lr=0.05, amsgrad=True),
              dict(lr=0.05, weight_decay=0.3, maximize=True),
              dict(lr=0.05, betas=(0.4, 0.6), eps=1e-4, amsgrad=True, weight_decay=0.1)],
    "RMSprop": [dict(), dict(lr=0.003, alpha=0.9), dict(lr=0.01, centered=True),
                dict(lr=0.01, momentum=0.9), dict(lr=0.01, weight_decay=0.1),
                dict(lr=0.01, maximize=True), dict(lr=0.01, eps=1e-2),
                dict(lr=0.002, alpha=0.95, centered=True, momentum=0.5, weight_decay=0.05,
                     maximize=True)],
    "Adagrad": [dict(), dict(lr=0.1), dict(lr=0.1, lr_decay=0.05), dict(lr=0.1, weight_decay=0.1),
                dict(lr=0.1, initial_accumulator_value=0.5), dict(lr=0.1, eps=1e-2),
                dict(lr=0.1, maximize=True),
                dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1,
                     maximize=True)],
}
ALL = [pytest.param(n, kw, id=f"{n}-{i}") for n, kws in CASES.items() for i, kw in enumerate(kws)]


@pytest.mark.parametrize("name,kw", ALL)
def test_trajectory_float64(name, kw):
    ref, _, _ = trajectory(torch, name, kw)
    got, _, _ = trajectory(L, name, kw)
    assert_same_trajectory(ref, got, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name,kw", ALL)
def test_trajectory_float32(name, kw):
    ref, _, _ = trajectory(torch, name, kw, np.float32)
    got, _, params = trajectory(L, name, kw, np.float32)
    assert all(p.dtype == L.float32 for p in params)
    assert_same_trajectory(ref, got, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name,kw", [pytest.param(n, kws[-1], id=n) for n, kws in CASES.items()])
def test_trajectory_param_groups_and_missing_grad(name, kw):
    ref, topt, _ = trajectory(torch, name, kw, groups=True, steps=30)
    got, lopt, _ = trajectory(L, name, kw, groups=True, steps=30)
    assert_same_trajectory(ref, got, rtol=1e-6, atol=1e-12)
    # the bias gets no gradient: it must not move, and gets no state (Adagrad's is eager)
    ref, topt, _ = trajectory(torch, name, kw, steps=10, skip=(1,))
    got, lopt, params = trajectory(L, name, kw, steps=10, skip=(1,))
    assert_same_trajectory(ref, got, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(got[-1][1], B0)
    assert len(lopt.state) == len(topt.state)


@pytest.mark.parametrize("flag", [dict(foreach=True), dict(foreach=False), dict(fused=True)])
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_foreach_fused_flags_take_the_same_path(name, flag):
    kw = dict(CASES[name][-1])
    ref, _, _ = trajectory(torch, name, kw, steps=20)
    got, opt, _ = trajectory(L, name, {**kw, **flag}, steps=20)
    assert_same_trajectory(ref, got, rtol=1e-6, atol=1e-12)
    assert all(opt.param_groups[0][k] == v for k, v in flag.items())


def test_rmsprop_capturable_and_foreach_accepted():
    kw = CASES["RMSprop"][-1]
    ref, _, _ = trajectory(torch, "RMSprop", kw, steps=20)
    got, _, _ = trajectory(L, "RMSprop", {**kw, "foreach": True, "capturable": True}, steps=20)
    assert_same_trajectory(ref, got, rtol=1e-6, atol=1e-12)


# -- autograd-computed gradients on both sides ------------------------------------------------
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9)),
                                     ("Adam", dict(lr=0.02, amsgrad=True)),
                                     ("AdamW", dict(lr=0.02)),
                                     ("RMSprop", dict(lr=0.01, centered=True)),
                                     ("Adagrad", dict(lr=0.1))])
def test_linear_regression_with_autograd(name, kw):
    def run(mod):
        w, b = make_params(mod)
        x, y = mod.tensor(X), mod.tensor(Y)
        opt = getattr(mod.optim, name)([w, b], **kw)
        losses = []
        for _ in range(100):
            opt.zero_grad()
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return np.array(losses), arr(w), arr(b)

    for a, b in zip(run(torch), run(L)):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-12)


def test_step_closure_runs_with_grad_and_returns_loss():
    w = L.tensor(W0.copy(), requires_grad=True)
    opt = lo.SGD([w], lr=0.1)
    x, y = L.tensor(X), L.tensor(Y[:, :1].repeat(4, 1))

    def closure():
        opt.zero_grad()
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        return loss

    with L.no_grad():
        loss = opt.step(closure)
    assert isinstance(loss, L.Tensor) and w.grad is not None
    assert L.is_grad_enabled()


def test_step_bumps_the_version_counter_like_torch():
    for mod in (torch, L):
        w = mod.tensor([1.0, 2.0], requires_grad=True)
        y = (w * w).sum()
        w.grad = mod.tensor([1.0, 1.0])
        mod.optim.SGD([w], lr=0.1).step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


# -- state_dict ---------------------------------------------------------------------------------
def to_numpy_state_dict(sd):
    """A torch (or luchina) optimizer state_dict with every tensor turned into a numpy array."""
    def conv(v):
        if isinstance(v, (torch.Tensor, L.Tensor)):
            return arr(v)
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v
    return {"state": {k: conv(v) for k, v in sd["state"].items()},
            "param_groups": copy.deepcopy(sd["param_groups"])}


def assert_same_state_dict(tsd, lsd):
    assert list(lsd) == ["state", "param_groups"]
    assert lsd["param_groups"] == tsd["param_groups"]
    assert [list(g) for g in lsd["param_groups"]] == [list(g) for g in tsd["param_groups"]]
    assert list(lsd["state"]) == list(tsd["state"])
    for k, ts in tsd["state"].items():
        ls = lsd["state"][k]
        assert list(ls) == list(ts), k
        for key, tv in ts.items():
            lv = ls[key]
            assert isinstance(lv, L.Tensor)
            assert lv.shape == tuple(tv.shape) and str(lv.dtype) == str(tv.dtype), key
            np.testing.assert_allclose(arr(lv), arr(tv), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name,kw", [pytest.param(n, kws[i], id=f"{n}-{i}")
                                     for n, kws in CASES.items() for i in (0, -1)])
def test_state_dict_matches_torch(name, kw):
    _, topt, _ = trajectory(torch, name, kw, steps=5, groups=True)
    _, lopt, _ = trajectory(L, name, kw, steps=5, groups=True)
    assert_same_state_dict(topt.state_dict(), lopt.state_dict())
    if "step" in lopt.state_dict()["state"].get(0, {}):
        step = lopt.state_dict()["state"][0]["step"]
        assert step.dim() == 0 and step.dtype == L.float32 and step.item() == 5.0


@pytest.mark.parametrize("name,kw", [pytest.param(n, kws[-1], id=n) for n, kws in CASES.items()])
def test_load_state_dict_round_trip_within_luchina(name, kw):
    full, _, _ = trajectory(L, name, kw, steps=12, groups=True)
    _, opt, params = trajectory(L, name, kw, steps=5, groups=True)
    sd = pickle.loads(pickle.dumps(opt.state_dict()))
    params2 = [L.tensor(arr(p), requires_grad=True) for p in params]
    kw2 = dict(kw)
    lr = kw2.pop("lr", 1e-2)
    opt2 = getattr(lo, name)([{"params": [params2[0]]}, {"params": [params2[1]], "lr": 123.0}],
                             lr=lr, **kw2)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["lr"] == lr * 0.5
    assert opt2.param_groups[0]["params"][0] is params2[0]
    for p, p2 in zip(params, params2):  # the loaded state is a copy, with the same values
        for key, v in opt.state[p].items():
            assert opt2.state[p2][key] is not v
            np.testing.assert_array_equal(arr(opt2.state[p2][key]), arr(v))
    sign = -1.0 if kw.get("maximize") else 1.0
    for _ in range(7):
        feed(L, params2, sign)
        opt2.step()
    for x, y in zip(full[-1], params2):
        np.testing.assert_allclose(arr(y), x, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kw", [pytest.param(n, kws[-1], id=n) for n, kws in CASES.items()])
def test_load_torch_state_dict_as_numpy_and_back(name, kw):
    full, _, _ = trajectory(torch, name, kw, steps=25, groups=True)
    _, topt, tparams = trajectory(torch, name, kw, steps=5, groups=True)
    sd = to_numpy_state_dict(topt.state_dict())
    params = [L.tensor(arr(p), requires_grad=True) for p in tparams]
    kw2 = dict(kw)
    lr = kw2.pop("lr", 1e-2)
    opt = getattr(lo, name)([{"params": [params[0]]}, {"params": [params[1]]}], lr=lr, **kw2)
    opt.load_state_dict(sd)
    assert_same_state_dict(topt.state_dict(), opt.state_dict())
    sign = -1.0 if kw.get("maximize") else 1.0
    for _ in range(10):
        feed(L, params, sign)
        opt.step()
    # and back: luchina's state_dict, as numpy, loads into torch and continues identically
    lsd = to_numpy_state_dict(opt.state_dict())
    for st in lsd["state"].values():
        for k, v in st.items():
            st[k] = torch.tensor(v)
    tparams2 = [torch.tensor(arr(p), requires_grad=True) for p in params]
    topt2 = getattr(torch.optim, name)([{"params": [tparams2[0]]}, {"params": [tparams2[1]]}],
                                       lr=lr, **kw2)
    topt2.load_state_dict(lsd)
    for _ in range(10):
        feed(torch, tparams2, sign)
        topt2.step()
    for x, y in zip(full[-1], tparams2):
        np.testing.assert_allclose(arr(y), x, rtol=1e-6, atol=1e-12)


def test_load_state_dict_casts_to_the_parameter_dtype():
    _, opt, _ = trajectory(L, "Adam", dict(lr=0.05, amsgrad=True), steps=3)
    sd = opt.state_dict()  # float64 state
    p32 = [L.tensor(W0.astype(np.float32), requires_grad=True),
           L.tensor(B0.astype(np.float32), requires_grad=True)]
    opt32 = lo.Adam(p32, lr=0.05, amsgrad=True)
    opt32.load_state_dict(sd)
    st = opt32.state[p32[0]]
    assert st["exp_avg"].dtype == L.float32 and st["max_exp_avg_sq"].dtype == L.float32
    assert st["step"].dtype == L.float32 and st["step"].item() == 3.0
    # an old-style checkpoint with a Python number for 'step' becomes a float32 tensor
    sd = to_numpy_state_dict(opt.state_dict())
    sd["state"][0]["step"] = 3
    opt32.load_state_dict(sd)
    assert isinstance(opt32.state[p32[0]]["step"], L.Tensor)
    assert opt32.state[p32[0]]["step"].dtype == L.float32


def test_load_state_dict_errors_match_torch():
    for mod in (torch, L):
        w, b = make_params(mod)
        one = mod.optim.SGD([w, b], lr=0.1).state_dict()
        two = mod.optim.SGD([{"params": [w]}, {"params": [b]}], lr=0.1)
        with pytest.raises(ValueError, match="^loaded state dict has a different number of "
                                             "parameter groups$"):
            two.load_state_dict(one)
        with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that "
                                             "doesn't match the size of optimizer's group$"):
            mod.optim.SGD([w], lr=0.1).load_state_dict(one)


def test_sgd_state_layout():
    for mod in (torch, L):
        w, b = make_params(mod)
        opt = mod.optim.SGD([w, b], lr=0.1)
        feed(mod, [w, b])
        opt.step()
        assert opt.state_dict()["state"] == {}
    _, topt, _ = trajectory(torch, "SGD", dict(lr=0.1, momentum=0.9), steps=2)
    _, lopt, _ = trajectory(L, "SGD", dict(lr=0.1, momentum=0.9), steps=2)
    assert_same_state_dict(topt.state_dict(), lopt.state_dict())


def test_named_parameters():
    res = []
    for mod in (torch, L):
        w, b = make_params(mod)
        opt = mod.optim.Adam([("layer.weight", w), ("layer.bias", b)], lr=0.1)
        res.append(opt.state_dict()["param_groups"])
        with pytest.raises(ValueError, match="cannot add param group without names"):
            opt.add_param_group({"params": [mod.zeros(2, requires_grad=True)]})
    assert res[0] == res[1] and res[1][0]["param_names"] == ["layer.weight", "layer.bias"]


# -- repr, groups, zero_grad, errors --------------------------------------------------------------
@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    reprs = []
    for mod in (torch, L):
        w, b = make_params(mod)
        reprs.append(repr(getattr(mod.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.5}])))
    assert reprs[1] == reprs[0]


def test_param_groups_and_add_param_group():
    w, b = make_params(L)
    opt = lo.SGD([w], lr=0.1, momentum=0.9)
    assert opt.defaults["lr"] == 0.1
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["params"][0] is b
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter "
                                         "group$"):
        opt.add_param_group({"params": [w]})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        lo.SGD([w, w], lr=0.1)


def test_construction_errors_match_torch():
    def both(fn):
        errs = []
        for mod in (torch, L):
            with pytest.raises(Exception) as e:
                fn(mod)
            errs.append(e)
        assert type(errs[1].value) is type(errs[0].value)
        assert str(errs[1].value) == str(errs[0].value)

    both(lambda m: m.optim.SGD(m.zeros(2, requires_grad=True)))
    both(lambda m: m.optim.SGD([]))
    both(lambda m: m.optim.SGD([m.zeros(2, requires_grad=True), 1.0]))
    both(lambda m: m.optim.SGD([m.zeros(2, requires_grad=True) * 2]))
    both(lambda m: m.optim.SGD([{"params": {m.zeros(2, requires_grad=True)}}]))
    both(lambda m: m.optim.SGD([("a", m.zeros(2, requires_grad=True)),
                                m.zeros(2, requires_grad=True)]))
    both(lambda m: m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1).add_param_group([1]))


INVALID = [("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-1)), ("SGD", dict(weight_decay=-1)),
           ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
           ("SGD", dict(fused=True, foreach=True)),
           ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))),
           ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1)),
           ("Adam", dict(betas=(0.9, 1))), ("AdamW", dict(betas=(-0.5, 0.9))),
           ("AdamW", dict(lr=-1e-3)), ("RMSprop", dict(lr=-1.0)), ("RMSprop", dict(eps=-1.0)),
           ("RMSprop", dict(momentum=-1.0)), ("RMSprop", dict(weight_decay=-1.0)),
           ("RMSprop", dict(alpha=-1.0)), ("Adagrad", dict(lr=-1.0)),
           ("Adagrad", dict(lr_decay=-1.0)), ("Adagrad", dict(weight_decay=-1.0)),
           ("Adagrad", dict(initial_accumulator_value=-1.0)), ("Adagrad", dict(eps=-1.0))]


@pytest.mark.parametrize("name,kw", INVALID, ids=[f"{n}-{k}" for n, k in INVALID])
def test_invalid_hyperparameters_match_torch(name, kw):
    errs = []
    for mod in (torch, L):
        with pytest.raises((ValueError, RuntimeError)) as e:
            getattr(mod.optim, name)([mod.zeros(2, requires_grad=True)], **kw)
        errs.append(e.value)
    assert type(errs[1]) is type(errs[0]) and str(errs[1]) == str(errs[0])


def test_differentiable_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        lo.Adam([L.zeros(2, requires_grad=True)], differentiable=True)


def test_zero_grad():
    w, b = make_params(L)
    opt = lo.SGD([w, b], lr=0.1)
    feed(L, [w, b])
    g = w.grad
    buf = g._data
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and w.grad._data is buf and not g.requires_grad
    assert not buf.any() and not b.grad._data.any()
    opt.zero_grad()
    assert w.grad is None and b.grad is None
    opt.zero_grad(set_to_none=False)  # grads already None: nothing to do
    assert w.grad is None


def test_zero_grad_accumulation_matches_torch():
    res = []
    for mod in (torch, L):
        w = mod.tensor([1.0, -2.0, 3.0], requires_grad=True)
        opt = mod.optim.SGD([w], lr=0.1)
        for k in range(3):
            opt.zero_grad(set_to_none=(k % 2 == 0))
            (w * w).sum().backward()
            (w ** 3).sum().backward()
            opt.step()
        res.append(arr(w))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-6)


def test_step_without_any_grad_is_a_no_op():
    w, b = make_params(L)
    for name in CASES:
        getattr(lo, name)([w, b]).step()
    np.testing.assert_array_equal(arr(w), W0)


def test_custom_optimizer_subclass_like_a_tutorial():
    class PlainSGD(lo.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @L.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1
                        p.add_(p.grad, alpha=-group["lr"])

    w = L.tensor([1.0, 2.0], requires_grad=True)
    opt = PlainSGD([w])
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(arr(w), [0.8, 1.6])
    assert opt.state_dict()["state"] == {0: {"n": 1}}
    with pytest.raises(NotImplementedError):
        lo.Optimizer([w], {}).step()


def test_optimizer_pickles():
    _, opt, params = trajectory(L, "Adam", dict(lr=0.05), steps=3)
    opt2 = pickle.loads(pickle.dumps(opt))
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        repr(opt2)


def test_training_an_nn_module_matches_torch():
    nn = pytest.importorskip("luchina.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("luchina.nn.Linear not available yet")
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 4))
    tmodel = tmodel.double()
    lmodel = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 4)).double()
    for (_, tp), (_, lp) in zip(tmodel.named_parameters(), lmodel.named_parameters()):
        lp.data = L.tensor(arr(tp))
    results = []
    for mod, model in ((torch, tmodel), (L, lmodel)):
        opt = mod.optim.AdamW(model.named_parameters(), lr=0.01, amsgrad=True)
        sched = mod.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=60)
        x, y = mod.tensor(X), mod.tensor(Y)
        for _ in range(60):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
        results.append([arr(p) for p in model.parameters()] + [loss.item()])
        assert opt.state_dict()["param_groups"][0]["param_names"][0] == "0.weight"
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-12)
