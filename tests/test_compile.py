"""luchina.compile: a replayed training step gives the eager numbers bit for bit, re-records when
shapes change, and runs eagerly (with a warning) where it cannot replay."""

import re
import warnings

import numpy as np
import pytest

import luchina
from luchina import nn
from luchina._compile import CompiledFunction, CompiledModule, compile

RNG = np.random.default_rng(0)
X = RNG.standard_normal((256, 20)).astype(np.float32)
Y = RNG.integers(0, 3, 256)
YB = (RNG.random((256, 1)) > 0.5).astype(np.float32)
TOK = RNG.integers(0, 50, (256, 7))


class Tweet(nn.Module):
    """The course's tweet classifier: Embedding -> mean -> Linear -> ReLU -> Dropout -> Linear."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 16)
        self.fc1 = nn.Linear(16, 8)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        h = self.emb(x).mean(dim=1)
        return luchina.sigmoid(self.fc2(self.drop(luchina.relu(self.fc1(h)))))


def mlp():
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))


CASES = {
    "mlp-adam": (mlp, lambda p: luchina.optim.Adam(p, 1e-2), nn.CrossEntropyLoss, X, Y),
    "mlp-sgd-momentum": (mlp, lambda p: luchina.optim.SGD(p, 0.1, momentum=0.9),
                         nn.CrossEntropyLoss, X, Y),
    "dropout": (lambda: nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Dropout(0.3),
                                      nn.Linear(32, 3)),
                lambda p: luchina.optim.SGD(p, 0.1), nn.CrossEntropyLoss, X, Y),
    "batchnorm-train": (lambda: nn.Sequential(nn.Linear(20, 32), nn.BatchNorm1d(32),
                                              nn.ReLU(), nn.Linear(32, 3)),
                        lambda p: luchina.optim.Adam(p, 1e-2), nn.CrossEntropyLoss, X, Y),
    "bce-sigmoid": (lambda: nn.Sequential(nn.Linear(20, 8), nn.ReLU(), nn.Linear(8, 1),
                                          nn.Sigmoid()),
                    lambda p: luchina.optim.Adam(p, 1e-2), nn.BCELoss, X, YB),
    "tweet": (Tweet, lambda p: luchina.optim.Adam(p, 1e-2), nn.BCELoss, TOK, YB),
}


def batches(xs, ys, sizes):
    out, start = [], 0
    for bs in sizes:
        out.append((luchina.tensor(xs[start:start + bs]), luchina.tensor(ys[start:start + bs])))
        start += bs
    return out


def train(case, data, compiled, body=None):
    """Losses, final state and the step function after one pass over ``data``."""
    build, make_opt, make_loss, _, _ = CASES[case]
    luchina.manual_seed(0)
    model = build()
    opt = make_opt(model.parameters())
    loss_fn = make_loss()

    def train_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    step = compile(train_step) if compiled else train_step
    luchina.manual_seed(1)  # the dropout masks come from this stream in both runs
    losses = [step(x, y).item() for x, y in data]
    state = {k: v._data.copy() for k, v in model.state_dict().items()}
    grads = [p.grad._data.copy() for p in model.parameters()]
    return losses, state, grads, step, opt


def assert_same(a, b):
    assert a[0] == b[0]  # every loss, bit for bit
    assert a[1].keys() == b[1].keys()
    for k in a[1]:
        np.testing.assert_array_equal(a[1][k], b[1][k], err_msg=k)
    for ga, gb in zip(a[2], b[2]):
        np.testing.assert_array_equal(ga, gb)
    for sa, sb in zip(a[4].state.values(), b[4].state.values()):
        for k in sa:
            np.testing.assert_array_equal(np.asarray(sa[k]), np.asarray(sb[k]), err_msg=k)


@pytest.mark.parametrize("case", list(CASES))
def test_replay_matches_eager_bitwise(case):
    _, _, _, xs, ys = CASES[case]
    data = batches(xs, ys, [16] * 15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing here may fall back to eager
        eager = train(case, data, False)
        replay = train(case, data, True)
    assert len(replay[3].programs) == 1  # recorded once, replayed for calls 3..15
    assert_same(eager, replay)


def test_new_shapes_record_again_and_the_cache_is_bounded():
    sizes = [16, 16, 16, 5, 16, 16, 5, 5, 16]  # an epoch's smaller last batch, twice
    data = batches(X, Y, sizes)
    eager = train("mlp-adam", data, False)
    replay = train("mlp-adam", data, True)
    assert_same(eager, replay)
    assert len(replay[3].programs) == 2

    step = compile(lambda x: (x * 2).sum(), options={"cache_size_limit": 1})
    for n in (3, 3, 3):
        step(luchina.ones(n))
    with pytest.warns(RuntimeWarning, match="cache_size_limit"):
        assert step(luchina.ones(4)).item() == 8.0
    assert len(step.programs) == 1


def test_returned_loss_behaves_like_eager():
    data = batches(X, Y, [8] * 4)
    step = train("mlp-adam", data, True)[3]
    loss = step(*data[0])
    assert loss.requires_grad and loss.grad_fn.name() == "NllLossBackward0"
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()  # the step already ran backward, as in eager mode
    first = loss.item()
    step(*data[1])
    assert loss.item() == first  # later calls do not overwrite a returned tensor


def test_generated_program_is_readable():
    data = batches(X, Y, [8] * 3)
    step = train("mlp-adam", data, True)[3]
    code = step.code()
    assert "Linear" in code and "AddmmBackward0" in code and "Adam.step" in code
    assert code.count("# Linear") == 2 and "zero_grad" in code


def unsupported_steps():
    def item(m, o, x, y):
        o.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        o.step()
        loss.item()
        return loss

    def branch(m, o, x, y):
        o.zero_grad()
        out = m(x)
        if out.sum() > 0:
            out = out * 2
        loss = nn.functional.cross_entropy(out, y)
        loss.backward()
        o.step()
        return loss

    def noise(m, o, x, y):
        o.zero_grad()
        loss = nn.functional.cross_entropy(m(x + luchina.randn(x.shape)), y)
        loss.backward()
        o.step()
        return loss

    def manual_sgd(m, o, x, y):
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        with luchina.no_grad():
            for p in m.parameters():
                p -= 0.1 * p.grad
                p.grad = None
        return loss

    def from_numpy(m, o, x, y):
        o.zero_grad()
        loss = nn.functional.cross_entropy(m(luchina.tensor(np.asarray(x))), y)
        loss.backward()
        o.step()
        return loss

    def forward_only(m, o, x, y):
        return m(x)
    return {"item": (item, r"\.item\(\)"), "branch": (branch, "bool"),
            "noise": (noise, "random numbers"), "manual_sgd": (manual_sgd, "in-place.*grad"),
            "from_numpy": (from_numpy, "asarray"), "forward_only": (forward_only, "graph")}


@pytest.mark.parametrize("name", list(unsupported_steps()))
def test_uncapturable_steps_warn_and_stay_eager(name):
    body, message = unsupported_steps()[name]
    data = batches(X, Y, [8] * 5)

    def run(compiled):
        luchina.manual_seed(0)
        m = mlp()
        o = luchina.optim.SGD(m.parameters(), 0.1)
        step = compile(lambda x, y: body(m, o, x, y)) if compiled else \
            (lambda x, y: body(m, o, x, y))
        luchina.manual_seed(1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outs = [step(x, y).detach().numpy().copy() for x, y in data]
        if compiled:
            texts = [str(w.message) for w in caught if w.category is RuntimeWarning]
            assert len(texts) == 1 and "runs eagerly" in texts[0]
            assert re.search(message, texts[0]), texts[0]
            assert step.programs == []
        return outs + [p._data.copy() for p in m.parameters()]
    for a, b in zip(run(False), run(True)):
        np.testing.assert_array_equal(a, b)


def test_fullgraph_raises_instead_of_falling_back():
    m = mlp()
    step = compile(lambda x: m(x).sum().item(), fullgraph=True)
    with pytest.raises(RuntimeError, match=r"fullgraph=True.*\.item\(\)|\.item\(\).*fullgraph"):
        step(luchina.tensor(X[:4]))


def test_module_zero_grad_and_gradient_accumulation():
    def run(compiled):
        luchina.manual_seed(0)
        m = mlp()
        o = luchina.optim.SGD(m.parameters(), 0.1)

        def zero(x, y):
            m.zero_grad()
            nn.functional.cross_entropy(m(x), y).backward()
            o.step()

        def accumulate(x, y):  # no zero_grad: .grad keeps growing, in place
            nn.functional.cross_entropy(m(x), y).backward()
        fz, fa = (compile(zero), compile(accumulate)) if compiled else (zero, accumulate)
        for x, y in batches(X, Y, [8] * 6):
            fz(x, y)
        for x, y in batches(X, Y, [8] * 6):
            fa(x, y)
        if compiled:
            assert len(fz.programs) == 1 and len(fa.programs) == 1
        return [p._data.copy() for p in m.parameters()] + \
            [p.grad._data.copy() for p in m.parameters()]
    for a, b in zip(run(False), run(True)):
        np.testing.assert_array_equal(a, b)


def test_scheduler_and_clipping_are_replayed():
    def run(compiled):
        luchina.manual_seed(0)
        m = mlp()
        o = luchina.optim.SGD(m.parameters(), 0.5)
        sched = luchina.optim.lr_scheduler.StepLR(o, 2, 0.5)

        def step(x, y):
            o.zero_grad()
            loss = nn.functional.cross_entropy(m(x), y)
            loss.backward()
            norm = luchina.nn.utils.clip_grad_norm_(m.parameters(), 0.05)
            o.step()
            sched.step()
            return loss, norm
        f = compile(step) if compiled else step
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            outs = [tuple(t.item() for t in f(x, y)) for x, y in batches(X, Y, [8] * 8)]
        if compiled:
            assert len(f.programs) == 1
        return outs, [p._data.copy() for p in m.parameters()], o.param_groups[0]["lr"]
    eager, replay = run(False), run(True)
    assert eager[0] == replay[0] and eager[2] == replay[2]
    for a, b in zip(eager[1], replay[1]):
        np.testing.assert_array_equal(a, b)


def test_train_eval_switch_is_guarded():
    luchina.manual_seed(0)
    m = nn.Sequential(nn.Linear(20, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    f = compile(lambda x: m(x))
    x = luchina.tensor(X[:8])
    with luchina.no_grad():
        for training in (True, True, True, False, False, False, True):
            m.train(training)
            luchina.manual_seed(3)
            got = f(x)._data
            luchina.manual_seed(3)
            np.testing.assert_array_equal(got, m(x)._data)
    assert len(f.programs) == 2


def test_compiled_module_replays_under_no_grad_only():
    luchina.manual_seed(0)
    model = mlp()
    cm = compile(model)
    assert isinstance(cm, CompiledModule) and cm._orig_mod is model
    assert list(cm.state_dict())[0] == "_orig_mod.0.weight"
    x = luchina.tensor(X[:8])
    with luchina.no_grad():
        outs = [cm(x) for _ in range(4)]
        ref = model(x)
    for o in outs:
        np.testing.assert_array_equal(o._data, ref._data)
        assert not o.requires_grad
    assert len(cm._compiled_call.programs) == 1
    out = cm(x)  # grad enabled: eager, so backward works
    assert out.grad_fn is not None
    out.sum().backward()
    assert model[0].weight.grad is not None


def test_compile_arguments():
    f = lambda x: x + 1  # noqa: E731
    assert compile(f, disable=True) is f
    assert isinstance(compile(f, mode="reduce-overhead", dynamic=True), CompiledFunction)
    assert isinstance(compile(mode="max-autotune")(f), CompiledFunction)
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        compile(f, mode="fast")
    with pytest.raises(RuntimeError, match="unknown options"):
        compile(f, options={"triton.cudagraphs": True})
    with pytest.raises(NotImplementedError, match="custom backends"):
        compile(f, backend=lambda gm, inputs: gm)
    with pytest.raises(TypeError, match="function or an nn.Module"):
        compile(3)
    eager = compile(f, backend="eager")
    for _ in range(3):
        eager(luchina.ones(2))
    assert eager.programs == []


def test_numpy_argument_runs_eagerly_with_a_warning():
    f = compile(lambda a: luchina.tensor(a) * 2)
    with pytest.warns(RuntimeWarning, match="not a tensor"):
        assert f(np.ones(2, np.float32)).sum().item() == 4.0


def test_matches_torch_over_steps():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # small matrices: threads only add contention on a shared machine
    luchina.manual_seed(0)
    m = mlp()
    tm = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3))
    with torch.no_grad():
        for p, q in zip(tm.parameters(), m.parameters()):
            p.copy_(torch.from_numpy(q._data.copy()))
    o = luchina.optim.Adam(m.parameters(), 1e-2)
    to = torch.optim.Adam(tm.parameters(), 1e-2)

    @compile
    def step(x, y):
        o.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        o.step()
        return loss
    for i in range(10):
        x, y = X[i * 16:(i + 1) * 16], Y[i * 16:(i + 1) * 16]
        loss = step(luchina.tensor(x), luchina.tensor(y)).item()
        to.zero_grad()
        tl = torch.nn.functional.cross_entropy(tm(torch.from_numpy(x)), torch.from_numpy(y))
        tl.backward()
        to.step()
        assert loss == pytest.approx(tl.item(), rel=1e-5, abs=1e-6)
    for p, q in zip(tm.parameters(), m.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q._data, rtol=1e-4, atol=1e-5)
