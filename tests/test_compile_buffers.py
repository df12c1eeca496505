"""luchina.compile's preallocated buffers (luchina/_compile/_fast.py): a replayed step reuses its
buffers, stays bit for bit equal to eager, and never overwrites what the user holds."""

import warnings

import numpy as np
import pytest
from test_compile import RNG, X, Y, batches, mlp  # noqa: F401

import luchina
from luchina import nn
from luchina._compile import compile

XW = RNG.standard_normal((64 * 6, 100)).astype(np.float32)
YW = RNG.integers(0, 10, 64 * 6)


def wide_step(opt_name):
    """A step wide enough for BLAS and ReLU's large-array path, and its model and optimizer."""
    luchina.manual_seed(0)
    m = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                      nn.Linear(64, 10, bias=False))
    o = (luchina.optim.Adam(m.parameters(), 1e-2) if opt_name == "adam"
         else luchina.optim.SGD(m.parameters(), 0.1, momentum=0.9))

    def step(x, y):
        o.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        o.step()
        return loss
    return step, m


@pytest.mark.parametrize("opt_name", ["adam", "sgd"])
def test_buffered_replay_matches_eager_and_keeps_what_the_user_holds(opt_name):
    data = batches(XW, YW, [64] * 6)
    runs = []
    for compiled in (False, True):
        step, m = wide_step(opt_name)
        f = compile(step) if compiled else step
        losses, held = [], []
        for i, (x, y) in enumerate(data):
            losses.append(f(x, y))  # the loss tensors are kept: later calls must not touch them
            if i == 3:
                held = [p.grad for p in m.parameters()]  # kept across the next steps
        runs.append(([t.item() for t in losses], [g._data.copy() for g in held],
                     [p._data.copy() for p in m.parameters()]))
        if compiled:
            assert "_own(" in f.code() and len(f.programs) == 1
    (le, he, pe), (lr, hr, pr) = runs
    assert le == lr
    for a, b in zip(he + pe, hr + pr):
        np.testing.assert_array_equal(a, b)


def test_replayed_step_allocates_almost_nothing():
    tracemalloc = pytest.importorskip("tracemalloc")
    data = batches(XW, YW, [64] * 4)
    peaks = {}
    for compiled in (False, True):
        step, _ = wide_step("adam")
        f = compile(step) if compiled else step
        for x, y in data[:3]:
            f(x, y)
        tracemalloc.start()
        try:
            f(*data[3])
            peaks[compiled] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # eager: every activation and gradient is new; the replay reuses its buffers
    assert peaks[True] < peaks[False] / 4, peaks


def test_returned_outputs_are_not_overwritten_by_later_calls():
    luchina.manual_seed(0)
    model = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 10))
    cm = compile(model)
    xs = [luchina.tensor(XW[i * 64:(i + 1) * 64]) for i in range(5)]
    with luchina.no_grad():
        outs = [cm(x) for x in xs]
        for o, x in zip(outs, xs):
            np.testing.assert_array_equal(o._data, model(x)._data)
    assert "_own(" in cm._compiled_call.code()


def test_retain_graph_step_uses_the_plain_ops():
    def run(compiled):
        luchina.manual_seed(0)
        m = mlp()

        def step(x, y):
            loss = nn.functional.cross_entropy(m(x), y)
            loss.backward(retain_graph=True)
            loss.backward()  # needs the graph the first call kept
            return loss
        f = compile(step) if compiled else step
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            losses = [f(x, y).item() for x, y in batches(X, Y, [8] * 4)]
        if compiled:
            assert len(f.programs) == 1 and "_own(" not in f.code()
        return losses, [p.grad._data.copy() for p in m.parameters()]
    (le, ge), (lr, gr) = run(False), run(True)
    assert le == lr
    for a, b in zip(ge, gr):
        np.testing.assert_array_equal(a, b)


class Shared(nn.Module):
    """A Linear output read twice (by a ReLU and by another Linear), a ReLU fed two gradients."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(100, 96), nn.Linear(96, 10), nn.Linear(96, 10)

    def forward(self, x):
        h = self.fc1(x)
        a = luchina.relu(h)
        return self.fc2(a) + self.fc3(h) + self.fc2(a), h


def test_in_place_relu_only_where_nothing_else_reads_the_array():
    data = batches(XW, YW, [64] * 6)
    runs = []
    for compiled in (False, True):
        luchina.manual_seed(0)
        m = Shared()
        o = luchina.optim.Adam(m.parameters(), 1e-2)

        def step(x, y, m=m, o=o):
            o.zero_grad()
            out, h = m(x)
            loss = nn.functional.cross_entropy(out, y)
            loss.backward()
            o.step()
            return loss, h
        f = compile(step) if compiled else step
        outs = [f(x, y) for x, y in data]  # every returned h is kept and must stay intact
        runs.append(([lo.item() for lo, _ in outs], [h._data.copy() for _, h in outs],
                     [p._data.copy() for p in m.parameters()]))
        if compiled:
            assert "_own(" in f.code() and len(f.programs) == 1
    (le, he, pe), (lr, hr, pr) = runs
    assert le == lr
    for a, b in zip(he + pe, hr + pr):
        np.testing.assert_array_equal(a, b)
