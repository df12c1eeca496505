"""trace_backward against the notes' hand computations and torch's autograd."""

import numpy as np
import pytest

import luchina
from luchina.viz import TraceRow, keep_values, trace_backward

torch = pytest.importorskip("torch")

W, X = (2.0, -3.0, -3.0), (-1.0, -2.0)


def _neuron(lib, split=True):
    """f = sigmoid(w0*x0 + w1*x1 + w2), drawn as the notes draw it (split) or with sigmoid."""
    w0, w1, w2 = (lib.tensor(v, requires_grad=True) for v in W)
    x0, x1 = (lib.tensor(v, requires_grad=True) for v in X)
    s = w0 * x0 + w1 * x1 + w2
    f = 1 / (1 + lib.exp(-1 * s)) if split else lib.sigmoid(s)
    return f, (w0, x0, w1, x1, w2)


@pytest.mark.parametrize("split", [True, False])
def test_neuron_matches_the_notes_and_torch(split):
    f, leaves = _neuron(luchina, split)
    tr = trace_backward(f, params=dict(zip(("w0", "x0", "w1", "x1", "w2"), leaves)))
    assert all(isinstance(r, TraceRow) for r in tr.rows)
    assert round(float(tr.rows[0].output), 2) == 0.73
    # 0.2 arrives at the sum node w0*x0 + w1*x1 + w2 (the add whose input is w2)
    names = [r.inputs for r in tr.rows]
    sum_row = next(r for r, n in zip(tr.rows, names) if r.op == "AddBackward0" and "w2" in n)
    assert round(float(sum_row.upstream), 1) == 0.2
    grads = [round(float(tr.grad(t)), 2) for t in leaves]
    assert grads == [-0.2, 0.39, -0.39, -0.59, 0.2]   # w0, x0, w1, x1, w2 as in the figures
    # the gradient each mul node sends equals upstream * local (the other input)
    for r in tr.rows:
        if r.op == "MulBackward0" and "w0" in r.inputs:
            np.testing.assert_allclose(r.grads[0], r.upstream * r.local_grads[0], rtol=1e-6)
            assert float(r.local_grads[0]) == X[0] and float(r.local_grads[1]) == W[0]
    tf, tleaves = _neuron(torch, split)
    tf.backward()
    for t, tt in zip(leaves, tleaves):
        np.testing.assert_allclose(tr.grad(t), tt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(tr.rows[0].output, tf.detach().numpy(), rtol=1e-6)


def test_x_plus_y_times_y_minus_z():
    x, y, z = (luchina.tensor([v], requires_grad=True) for v in (1.0, 2.0, 3.0))
    f = (x + y) * (y - z)
    tr = trace_backward(f)
    assert [r.op for r in tr.rows[:3]] == ["MulBackward0", "SubBackward0", "AddBackward0"] or \
        [r.op for r in tr.rows[:3]] == ["MulBackward0", "AddBackward0", "SubBackward0"]
    mul = tr.rows[0]
    assert mul.output.item() == -3.0
    assert [v.item() for v in mul.input_values] == [3.0, -1.0]      # g = 3, h = -1
    assert [v.item() for v in mul.local_grads] == [-1.0, 3.0]       # df/dg = h, df/dh = g
    got = [tr.grad(t).item() for t in (x, y, z)]
    tx, ty, tz = (torch.tensor([v], requires_grad=True) for v in (1.0, 2.0, 3.0))
    ((tx + ty) * (ty - tz)).backward()
    assert got == [tx.grad.item(), ty.grad.item(), tz.grad.item()] == [-1.0, 2.0, -3.0]
    assert x.grad is None and y.grad is None  # not touched
    text = str(tr)
    assert "MulBackward0" in text and "AccumulateGrad" in text and "-3" in text
    f.backward()  # the graph was not freed by the trace
    assert y.grad.item() == 2.0


def test_rows_follow_the_engine_order():
    a = luchina.randn(3, requires_grad=True)
    b = luchina.randn(3, requires_grad=True)
    c = a * b
    d = luchina.tanh(c) + c.exp() * a
    out = (d * c).sum()
    order = []
    stack, seen = [out.grad_fn], set()
    while stack:
        n = stack.pop()
        if id(n) in seen or not hasattr(n, "register_prehook"):
            continue
        seen.add(id(n))
        n.register_prehook(lambda g, n=n: order.append(n.name()) and None)
        stack.extend(f for f, _ in n.next_functions if f is not None)
    tr = trace_backward(out)
    out.backward()
    assert [r.op for r in tr.rows if r.op != "AccumulateGrad"] == order
    np.testing.assert_allclose(tr.grad(a), a.grad.numpy(), rtol=1e-6)


def test_accumulate_grad_and_gradient_argument():
    w = luchina.tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    tr = trace_backward(y, gradient=luchina.tensor([1.0, 10.0]), accumulate_grad=True)
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 40.0])
    np.testing.assert_array_equal(tr.grad(w), [2.0, 40.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        trace_backward(y)


def test_keep_values_shows_every_forward_value():
    with keep_values():
        f, _ = _neuron(luchina, True)
    tr = trace_backward(f)
    assert all(r.output is not None for r in tr.rows)
    recip = next(r for r in tr.rows if r.op == "ReciprocalBackward0")
    assert round(float(recip.input_values[0]), 2) == 1.37   # 1 + e^-1, as in the figure


def test_errors_are_clear():
    x = luchina.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        trace_backward(y)
    with pytest.raises(RuntimeError, match="no graph"):
        trace_backward(luchina.tensor(1.0))
    with pytest.raises(TypeError, match="must be a Tensor"):
        trace_backward(3.0)


def test_printed_table_leaves_out_valueless_constants():
    """A loss node's option arguments have no value to show: no rows of dashes in the table,
    while .rows still list every input (so indices line up with the gradients)."""
    import luchina.nn as lnn
    luchina.manual_seed(0)
    m = lnn.Sequential(lnn.Linear(4, 3), lnn.ReLU(), lnn.Linear(3, 2))
    loss = lnn.CrossEntropyLoss()(m(luchina.randn(5, 4)), luchina.tensor([0, 1, 1, 0, 1]))
    tr = trace_backward(loss)
    first = tr.rows[0]
    assert first.op == "NllLossBackward0"
    assert len(first.inputs) == len(first.grads) and "constant" in first.inputs
    text = str(tr)
    assert not [ln for ln in text.splitlines() if ln.split() and ln.split()[0] == "constant"
                and set(ln.split()[1:]) == {"-"}]
    assert "<td>constant</td><td>-</td>" not in tr._repr_html_()
