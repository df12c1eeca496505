"""Saved activations are freed as soon as backward has used them (retain_graph=False), so the
peak memory of a training step is the forward's, not forward plus a second copy in backward."""

import gc
import weakref

import numpy as np
import pytest

import luchina as L


def mlp():
    L.manual_seed(0)
    return L.nn.Sequential(L.nn.Linear(20, 16), L.nn.ReLU(), L.nn.Linear(16, 8), L.nn.ReLU(),
                           L.nn.Linear(8, 3))


def graph_nodes(root):
    nodes, stack, seen = [], [root], set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen or not hasattr(n, "saved"):
            continue
        seen.add(id(n))
        nodes.append(n)
        stack.extend(f for f, _ in n.next_functions)
    return nodes


def saved_refs(node):
    return [weakref.ref(a) for a in (node.saved or ()) if isinstance(a, np.ndarray)]


def test_each_node_frees_its_saved_arrays_right_after_its_backward():
    model = mlp()
    x = L.randn(5, 20)
    loss = L.nn.functional.cross_entropy(model(x), L.tensor([0, 1, 2, 0, 1]))
    nodes = graph_nodes(loss.grad_fn)
    refs = {id(n): saved_refs(n) for n in nodes}
    assert sum(len(r) for r in refs.values()) >= 6  # linear inputs and weights, relu outputs
    order = []
    checked = []

    def check(node):
        def hook(grad_inputs, grad_outputs):
            # runs at the end of `node`'s backward: every node before it has let go of its arrays
            for done in order:
                assert done.saved is not None and not isinstance(done.saved, tuple), done.name()
            order.append(node)
            checked.append(node.name())
        return hook

    for n in nodes:
        n.register_hook(check(n))
    loss.backward()
    assert len(checked) == len(nodes)
    del x
    gc.collect()
    # activations (relu outputs, hidden inputs) are gone; only parameters stay alive
    params = {id(p._data) for p in model.parameters()}
    for n in nodes:
        for r in refs[id(n)]:
            a = r()
            assert a is None or id(a) in params, (n.name(), None if a is None else a.shape)


def test_retain_graph_keeps_them():
    model = mlp()
    loss = model(L.randn(4, 20)).sum()
    nodes = graph_nodes(loss.grad_fn)
    loss.backward(retain_graph=True)
    assert all(isinstance(n.saved, tuple) for n in nodes if n.saved is not None)
    loss.backward()  # the second pass can still run, then frees
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()
