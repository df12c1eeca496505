"""luchina.optim.lr_scheduler against torch 2.13: learning-rate (and momentum) sequences over 40+
steps with several param groups, chained schedulers, state_dict, warnings, ReduceLROnPlateau."""

import math
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina as L  # noqa: E402
import luchina.optim as lo  # noqa: E402

STEPS = 40


def make_opt(mod, opt="SGD", lrs=(0.1, 0.03), **kw):
    """An optimizer with one small parameter per group, one group per entry of ``lrs``."""
    groups = [{"params": [mod.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if opt == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(mod.optim, opt)(groups, lr=lrs[0], **kw)


def record(opt, scheds, steps=STEPS, metric=None):
    """Train-loop order (optimizer.step, then every scheduler's step); the lrs, momenta, betas."""
    out = [snapshot(opt, scheds)]
    for i in range(steps):
        opt.step()
        for s in scheds:
            s.step() if metric is None else s.step(metric(i))
        out.append(snapshot(opt, scheds))
    return out


def snapshot(opt, scheds):
    return ([g["lr"] for g in opt.param_groups], [g.get("momentum") for g in opt.param_groups],
            [g.get("betas") for g in opt.param_groups], [list(s.get_last_lr()) for s in scheds])


def both(build, opt="SGD", lrs=(0.1, 0.03), steps=STEPS, metric=None, **okw):
    res = []
    for mod in (torch, L):
        o = make_opt(mod, opt, lrs, **okw)
        scheds = build(mod.optim.lr_scheduler, o)
        scheds = scheds if isinstance(scheds, (list, tuple)) else [scheds]
        res.append(record(o, scheds, steps, metric))
    return res


def assert_same(res, exact=True):
    ref, got = res
    assert len(ref) == len(got)
    for i, (a, b) in enumerate(zip(ref, got)):
        if exact:
            assert a == b, f"step {i}: torch {a} luchina {b}"
        else:
            np.testing.assert_allclose(np.array(b[0]), np.array(a[0]), rtol=1e-12, err_msg=str(i))


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "StepLR-default-gamma": lambda S, o: S.StepLR(o, 3),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingLR-eta_min": lambda S, o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-per-group": lambda S, o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: e // 5]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.97),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=6),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=8),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=STEPS),
    "OneCycleLR-linear-3phase": lambda S, o: S.OneCycleLR(
        o, max_lr=0.8, epochs=4, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear",
        three_phase=True, div_factor=10.0, final_div_factor=100.0, base_momentum=0.8,
        max_momentum=0.9),
    "OneCycleLR-no-momentum": lambda S, o: S.OneCycleLR(o, max_lr=0.3, total_steps=STEPS + 5,
                                                        cycle_momentum=False),
    "chained-Step-Exponential": lambda S, o: [S.StepLR(o, 5, 0.5), S.ExponentialLR(o, 0.95)],
    "chained-Cosine-MultiStep": lambda S, o: [S.CosineAnnealingLR(o, 12),
                                              S.MultiStepLR(o, [8, 20], 0.5)],
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ExponentialLR(o, 0.9),
                                                         S.StepLR(o, 4, 0.5)]),
    "SequentialLR-warmup-cosine": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, 0.2, total_iters=5), S.CosineAnnealingLR(o, T_max=30)], [5]),
    "SequentialLR-three": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, 0.5, 3), S.ExponentialLR(o, 0.9), S.StepLR(o, 4)], [6, 20]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR triggers torch's own get_lr warnings
        assert_same(both(SCHEDULERS[name]))


@pytest.mark.parametrize("opt", ["Adam", "AdamW", "RMSprop", "SGD"])
def test_onecycle_cycles_momentum_or_beta1(opt):
    kw = {} if opt != "RMSprop" else {"momentum": 0.9}
    res = both(lambda S, o: S.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=STEPS), opt=opt, **kw)
    assert_same(res)
    if opt in ("Adam", "AdamW"):
        assert res[1][10][2][0][0] != 0.95 and res[1][10][1][0] is None


def test_onecycle_errors_match_torch():
    cases = [dict(max_lr=1.0), dict(max_lr=1.0, total_steps=0), dict(max_lr=1.0, epochs=2),
             dict(max_lr=1.0, total_steps=10, pct_start=1),
             dict(max_lr=1.0, total_steps=10, anneal_strategy="exp"),
             dict(max_lr=[1.0], total_steps=10)]
    for kw in cases:
        errs = []
        for mod in (torch, L):
            with pytest.raises(ValueError) as e:
                mod.optim.lr_scheduler.OneCycleLR(make_opt(mod), **kw)
            errs.append(str(e.value))
        assert errs[1] == errs[0]
    for mod in (torch, L):
        o = make_opt(mod, "Adagrad")
        with pytest.raises(ValueError, match="must support momentum or beta1"):
            mod.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10)
        o = make_opt(mod)
        s = mod.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=3)
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            for _ in range(4):
                o.step()
                s.step()


def test_cosine_annealing_is_the_recursive_form_past_t_max():
    res = both(lambda S, o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01), steps=37)
    assert_same(res)
    lrs = [r[0][0] for r in res[1]]
    assert lrs[5] == pytest.approx(0.01) and lrs[10] == pytest.approx(0.1)


def test_step_with_epoch_uses_the_closed_form_and_warns():
    for build in ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                  "ConstantLR"):
        res = []
        for mod in (torch, L):
            o = make_opt(mod)
            s = SCHEDULERS[build](mod.optim.lr_scheduler, o)
            seq = []
            for e in (3, 9, 4, 15, 0):
                o.step()
                with pytest.warns(UserWarning, match="epoch parameter"):
                    s.step(e)
                seq.append(list(s.get_last_lr()))
            res.append(seq)
        np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


def test_initial_lr_and_base_lrs():
    o = make_opt(L)
    s = lo.lr_scheduler.StepLR(o, 3)
    assert [g["initial_lr"] for g in o.param_groups] == [0.1, 0.03] == s.base_lrs
    assert s.last_epoch == 0 and s.get_last_lr() == [0.1, 0.03]
    o2 = make_opt(L)
    for mod, opt in ((torch, make_opt(torch)), (L, o2)):
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in "
                                           r"param_groups\[0\]"):
            mod.optim.lr_scheduler.StepLR(opt, 3, last_epoch=5)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lo.lr_scheduler.StepLR([], 3)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "OneCycleLR", "LinearLR", "LambdaLR"])
def test_state_dict_matches_torch_and_round_trips(name):
    build = SCHEDULERS[name]
    sds = []
    for mod in (torch, L):
        o = make_opt(mod)
        s = build(mod.optim.lr_scheduler, o)
        record(o, [s], steps=9)
        sds.append(s.state_dict())
    tsd, lsd = sds
    assert list(lsd) == list(tsd)
    assert {k: v for k, v in lsd.items() if k != "lr_lambdas"} == \
        {k: v for k, v in tsd.items() if k != "lr_lambdas"}
    # round trip: stop after 9 steps, rebuild, load optimizer and scheduler, go on
    o_full = make_opt(L)
    full = record(o_full, [build(lo.lr_scheduler, o_full)], steps=25)
    o = make_opt(L)
    s = build(lo.lr_scheduler, o)
    record(o, [s], steps=9)
    osd, ssd = pickle.loads(pickle.dumps((o.state_dict(), s.state_dict())))
    o2 = make_opt(L)
    s2 = build(lo.lr_scheduler, o2)
    o2.load_state_dict(osd)
    s2.load_state_dict(ssd)
    rest = record(o2, [s2], steps=16)
    assert rest == full[9:]


def test_lambda_state_dict_saves_callable_objects():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, e):
            return self.rate ** e

    o = make_opt(L)
    s = lo.lr_scheduler.LambdaLR(o, [Decay(0.5), lambda e: 1.0])
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}, None]
    s2 = lo.lr_scheduler.LambdaLR(make_opt(L), [Decay(0.9), lambda e: 1.0])
    s2.load_state_dict(sd)
    assert s2.lr_lambdas[0].rate == 0.5
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lo.lr_scheduler.LambdaLR(o, [lambda e: 1.0])


def test_chained_scheduler_state_dict():
    o = make_opt(L)
    S = lo.lr_scheduler
    c = S.ChainedScheduler([S.ExponentialLR(o, 0.9), S.StepLR(o, 4, 0.5)])
    record(o, [c], steps=6)
    sd = c.state_dict()
    assert len(sd["_schedulers"]) == 2 and sd["_schedulers"][0]["last_epoch"] == 6
    o2 = make_opt(L)
    c2 = S.ChainedScheduler([S.ExponentialLR(o2, 0.9), S.StepLR(o2, 4, 0.5)])
    c2.load_state_dict(sd)
    assert c2._schedulers[1].last_epoch == 6


# -- ReduceLROnPlateau --------------------------------------------------------------------------
METRICS = [1.0, 0.9, 0.8, 0.8, 0.81, 0.8, 0.79, 0.7999, 0.85, 0.9, 0.95, 0.7, 0.7, 0.7, 0.7,
           0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.5, 0.5, 0.49999, 0.51, 0.52, 0.53, 0.54, 0.55,
           0.56, 0.4, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49]

PLATEAU = [dict(), dict(patience=2), dict(patience=0, factor=0.5),
           dict(mode="max", patience=1, factor=0.5), dict(threshold_mode="abs", threshold=0.01,
                                                          patience=1),
           dict(mode="max", threshold_mode="abs", threshold=0.05, patience=2, factor=0.2),
           dict(patience=1, cooldown=3, factor=0.5), dict(patience=0, min_lr=0.02, factor=0.5),
           dict(patience=0, min_lr=[0.05, 0.001], factor=0.3), dict(patience=0, eps=0.05)]


@pytest.mark.parametrize("kw", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_matches_torch(kw):
    res = both(lambda S, o: S.ReduceLROnPlateau(o, **kw), metric=lambda i: METRICS[i],
               steps=len(METRICS))
    assert_same(res)


def test_reduce_lr_on_plateau_state_and_errors():
    res = []
    for mod in (torch, L):
        o = make_opt(mod)
        s = mod.optim.lr_scheduler.ReduceLROnPlateau(o, patience=1, cooldown=2)
        for m in METRICS[:12]:
            o.step()
            s.step(mod.tensor(m))  # a 0-d tensor metric, as from loss.item()-less code
        res.append(s.state_dict())
    assert res[1] == res[0]
    o = make_opt(L)
    s = lo.lr_scheduler.ReduceLROnPlateau(o, patience=1)
    s.load_state_dict(res[1])
    assert s.best == res[1]["best"] and s.num_bad_epochs == res[1]["num_bad_epochs"]
    for kw, msg in [(dict(factor=1.0), "Factor should be < 1.0."),
                    (dict(mode="avg"), "mode avg is unknown!"),
                    (dict(threshold_mode="x"), "threshold mode x is unknown!"),
                    (dict(min_lr=[0.1]), "expected 2 min_lrs, got 1")]:
        with pytest.raises(ValueError, match="^" + msg.replace(".", r"\.") + "$"):
            lo.lr_scheduler.ReduceLROnPlateau(make_opt(L), **kw)
    assert math.isinf(lo.lr_scheduler.ReduceLROnPlateau(make_opt(L)).best)


# -- the order warning -----------------------------------------------------------------------------
def test_warns_when_scheduler_steps_before_optimizer():
    for mod in (torch, L):
        o = make_opt(mod)
        s = mod.optim.lr_scheduler.StepLR(o, 3)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before "
                                             r"`optimizer.step\(\)`"):
            s.step()
    for mod in (torch, L):
        o = make_opt(mod)
        s = mod.optim.lr_scheduler.StepLR(o, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            o.step()
            s.step()
            o.step()
            s.step()


def test_warns_when_optimizer_step_is_replaced():
    o = make_opt(L)
    s = lo.lr_scheduler.ExponentialLR(o, 0.5)
    o.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        s.step()


def test_get_lr_outside_step_warns():
    s = lo.lr_scheduler.StepLR(make_opt(L), 3)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()


def test_tensor_lr_is_updated_in_place():
    p = L.zeros(2, requires_grad=True)
    o = lo.SGD([p], lr=L.tensor(0.1))
    lr = o.param_groups[0]["lr"]
    s = lo.lr_scheduler.ExponentialLR(o, 0.5)
    o.step()
    s.step()
    assert o.param_groups[0]["lr"] is lr and lr.item() == pytest.approx(0.05)
