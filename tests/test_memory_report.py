"""memory_report: saved-for-backward bytes by op, checked against the nodes' own saved arrays."""

import numpy as np
import pytest

import luchina
import luchina.nn as nn
from luchina.autograd import memory_report
from luchina.autograd.function import Context

torch = pytest.importorskip("torch")


def _mlp():
    luchina.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    x = luchina.randn(5, 4)
    y = luchina.randn(5, 1)
    return model, x, y


def _saved_by_walking(root):
    """Independent sum: every node's ctx.saved_tensors, each array object once."""
    arrays, stack, seen = {}, [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for a in node.saved_tensors:
            arrays[id(a)] = a
        stack += [n for n, _ in node.next_functions if isinstance(n, Context)]
    return sum(a.nbytes for a in arrays.values()), len(arrays)


def test_mlp_bytes_equal_the_saved_arrays():
    model, x, y = _mlp()
    h = model[1](model[0](x))
    loss = nn.functional.mse_loss(model[2](h), y)
    rep = memory_report(loss)
    walked, n = _saved_by_walking(loss.grad_fn)
    assert rep.total_bytes == walked and rep.n_tensors == n
    # what each op keeps: linear its input and weight, relu its output (which the second
    # linear saves again: counted once), mse the difference pred - y
    f32 = 4
    w1, w2 = model[0].weight, model[2].weight
    expected = f32 * (x.numel() + w1.numel() + h.numel() + w2.numel() + y.numel())
    assert rep.total_bytes == expected
    assert rep.leaf_bytes == f32 * (w1.numel() + w2.numel())
    assert rep.activation_bytes == f32 * (x.numel() + h.numel() + y.numel())
    assert rep.by_op["AddmmBackward0"] == {"count": 3, "bytes": f32 * (20 + 32 + 8), "nodes": 2}
    assert rep.by_op["ReluBackward0"] == {"count": 1, "bytes": f32 * 40, "nodes": 1}
    assert rep.by_op["MseLossBackward0"]["bytes"] == f32 * 5
    assert sum(v["bytes"] for v in rep.by_op.values()) == rep.total_bytes
    text = str(rep)
    assert "AddmmBackward0" in text and f"{expected:,}" in text


def _torch_saved(model, x, y):
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        for tp, p in zip(tm.parameters(), model.parameters()):
            tp.copy_(torch.from_numpy(p.detach().numpy()))
    params = {tp.untyped_storage().data_ptr() for tp in tm.parameters()}
    storages = {}

    def pack(t):
        st = t.untyped_storage()
        storages[st.data_ptr()] = st.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        torch.nn.functional.mse_loss(tm(torch.from_numpy(x.numpy())),
                                     torch.from_numpy(y.numpy()))
    total = sum(storages.values())
    leaf = sum(v for k, v in storages.items() if k in params)
    return total, leaf, len(storages)


def test_compared_with_torchs_saved_tensors():
    model, x, y = _mlp()
    rep = memory_report(nn.functional.mse_loss(model(x), y))
    t_total, t_leaf, t_n = _torch_saved(model, x, y)
    # torch (addmm) saves W2^T but not W1 (the input needs no grad), and mse saves input and
    # target; luchina's linear always keeps its weight (no new memory: it is a parameter) and
    # mse keeps only pred - y. Activation memory: luchina <= torch.
    assert (t_total, t_leaf, t_n) == (312, 32, 5)
    assert rep.activation_bytes <= t_total - t_leaf
    assert rep.activation_bytes == 260 and rep.total_bytes == 420


def test_a_buffer_shared_by_nodes_or_inputs_counts_once():
    x = luchina.randn(10, 10, requires_grad=True)
    y = x * x  # Mul saves (x, x): one buffer
    z = y * x  # x again, and y
    rep = memory_report(z)
    assert rep.total_bytes == x._data.nbytes + y._data.nbytes
    assert rep.n_tensors == 2
    assert rep.by_op["MulBackward0"]["count"] == 2 and rep.by_op["MulBackward0"]["nodes"] == 2


def test_a_saved_view_counts_the_buffer_it_keeps_alive():
    base = luchina.randn(100, 10, requires_grad=True)
    v = base[:, :2]
    out = v.sin()  # sin saves its input: a view of base's whole buffer
    rep = memory_report(out)
    assert rep.total_bytes == base._data.nbytes == 4000
    assert rep.leaf_bytes == 4000


def test_arrays_kept_as_ctx_attributes_are_found():
    x = luchina.randn(6, 7, requires_grad=True)
    mask = luchina.rand(6, 7) > 0.5
    out = x.masked_fill(mask, 0.0)  # keeps the mask as a ctx attribute, not saved_tensors
    rep = memory_report(out)
    assert rep.total_bytes == mask._data.nbytes == 42
    drop = nn.Dropout(0.5)
    rep2 = memory_report(drop(x))
    assert rep2.total_bytes >= x.numel()  # the dropout mask


def test_after_backward_the_saved_arrays_are_gone_unless_retained():
    model, x, y = _mlp()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward(retain_graph=True)
    assert memory_report(loss).total_bytes == 420
    loss.backward()
    assert memory_report(loss).total_bytes == 0
    assert memory_report(loss).n_nodes == 4


def test_several_outputs_and_bad_input():
    a = luchina.randn(3, 3, requires_grad=True)
    e, t = a.exp(), a.tanh()
    rep = memory_report({"e": e, "t": t})
    assert rep.total_bytes == e._data.nbytes + t._data.nbytes
    assert memory_report([e]).total_bytes == e._data.nbytes
    assert memory_report(luchina.ones(2)).total_bytes == 0  # no graph
    with pytest.raises(TypeError, match="memory_report"):
        memory_report(3.0)
    assert np.isfinite(rep.total_bytes)
