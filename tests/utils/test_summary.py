"""utils.summary, grad_stats, activation_stats and plot_grad_flow, against torch's numbers."""

import sys

import numpy as np
import pytest

import luchina
import luchina.nn as nn
from luchina.utils import activation_stats, grad_stats, plot_grad_flow, summary

torch = pytest.importorskip("torch")


def _pair():
    """The same small network in luchina and torch, weights copied, bn in eval, a frozen bias."""
    luchina.manual_seed(0)

    def build(m):
        class Net(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = m.nn.Sequential(m.nn.Linear(4, 8), m.nn.ReLU(), m.nn.Linear(8, 8))
                self.bn = m.nn.BatchNorm1d(8)
                self.head = m.nn.Linear(8, 3)

            def forward(self, x):
                return self.head(self.bn(self.body(x)).tanh())
        net = Net()
        net.bn.eval()
        net.head.bias.requires_grad_(False)
        return net

    ours, theirs = build(luchina), build(torch)
    with torch.no_grad():
        for (n, p), (tn, tp) in zip(ours.state_dict().items(), theirs.state_dict().items()):
            assert n == tn
            tp.copy_(torch.from_numpy(np.array(p.numpy())))
    return ours, theirs


def _torch_shapes(model, x):
    shapes = {}
    hooks = [m.register_forward_hook(
        lambda mod, a, out, n=n: shapes.__setitem__(n, list(out.shape)))
        for n, m in model.named_modules()]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return shapes


def test_summary_rows_match_torch_shapes_and_counts():
    ours, theirs = _pair()
    x = luchina.randn(5, 4)
    s = summary(ours, x)
    shapes = _torch_shapes(theirs, torch.from_numpy(x.numpy()))
    tmods = dict(theirs.named_modules())
    assert [r["name"] for r in s.rows] == list(tmods)
    for r in s.rows:
        tm = tmods[r["name"]]
        assert r["output_shape"] == shapes[r["name"]]
        assert r["type"] == type(tm).__name__
        assert r["params"] == sum(p.numel() for p in tm.parameters())
        assert r["frozen"] == sum(p.numel() for p in tm.parameters() if not p.requires_grad)
        assert r["mode"] == ("train" if tm.training else "eval")
        assert r["depth"] == (0 if r["name"] == "" else r["name"].count(".") + 1)
    total = sum(p.numel() for p in theirs.parameters())
    trainable = sum(p.numel() for p in theirs.parameters() if p.requires_grad)
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == \
        (total, trainable, total - trainable)
    text = str(s)
    assert "Layer (type (var_name):depth-idx)" in text and "Output Shape" in text
    assert f"Total params: {total:,}" in text and "Non-trainable params: 3" in text
    assert "│    └─Linear (2): 2-3" in text and "├─BatchNorm1d (bn): 1-2" in text
    assert " eval" in text


def test_summary_leaves_model_hooks_buffers_and_random_state_alone():
    ours, _ = _pair()
    ours.bn.train()  # train mode: a forward would move the running statistics
    before = {k: v.numpy().copy() for k, v in ours.state_dict().items()}
    state = luchina.get_rng_state()
    s = summary(ours, (7, 4))  # random input from a size
    assert s.rows[0]["output_shape"] == [7, 3]
    after = ours.state_dict()
    for k, v in before.items():
        np.testing.assert_array_equal(v, after[k].numpy())
    assert np.array_equal(luchina.get_rng_state().numpy(), state.numpy())
    assert all(not m._forward_hooks for m in ours.modules())
    assert ours.training and ours.bn.training


def test_summary_input_forms_and_errors():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(5, 2)

        def forward(self, x, y):
            return self.a(x) + self.b(y), self.a(x)

    m = Two()
    s1 = summary(m, (luchina.randn(4, 3), luchina.randn(4, 5)))
    s2 = summary(m, [(4, 3), (4, 5)])
    s3 = summary(m, input_size=[(4, 3), (4, 5)])
    assert s1.rows[0]["output_shape"] == s2.rows[0]["output_shape"] == [[4, 2], [4, 2]]
    assert s3.rows[1]["output_shape"] == [4, 2] and s3.rows[1]["calls"] == 2
    emb = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 2))
    s4 = summary(emb, (3, 6), dtypes=[luchina.int64])
    assert s4.rows[-1]["output_shape"] == [3, 6, 2]
    with pytest.raises(TypeError, match="summary"):
        summary(m)
    with pytest.raises(TypeError, match="summary"):
        summary(m, "x")
    with pytest.raises(TypeError, match="summary: expected an nn.Module"):
        summary(lambda x: x, luchina.ones(1))
    hidden = str(summary(nn.Sequential(nn.Sequential(nn.Linear(2, 2))), (1, 2), depth=1))
    assert "Linear" not in hidden and "Total params: 6" in hidden


def test_shared_parameters_count_once():
    lin = nn.Linear(3, 3)
    m = nn.Sequential(lin, nn.ReLU(), lin)
    s = summary(m, (2, 3))
    assert s.total_params == 12
    assert len(s.rows) == 3  # the shared module is listed once, as named_modules lists it


def _train_step(ours, theirs, x):
    ours(x).pow(2).mean().backward()
    theirs(torch.from_numpy(x.numpy())).pow(2).mean().backward()


def test_grad_stats_equal_torchs():
    ours, theirs = _pair()
    x = luchina.randn(6, 4)
    _train_step(ours, theirs, x)
    st = grad_stats(ours)
    tparams = dict(theirs.named_parameters())
    assert [r["name"] for r in st] == list(tparams)
    for r in st:
        g = tparams[r["name"]].grad
        if g is None:
            assert r["mean"] is None and not r["has_grad"]
            continue
        g = g.double()
        assert r["mean"] == pytest.approx(g.mean().item(), rel=1e-4, abs=1e-7)
        assert r["std"] == pytest.approx(g.std().item(), rel=1e-4)
        assert r["norm"] == pytest.approx(g.norm().item(), rel=1e-4)
        assert r["zero_fraction"] == pytest.approx((g == 0).double().mean().item())
    layer = grad_stats(ours.named_parameters(), by="layer")["body.0"]
    both = torch.cat([tparams["body.0.weight"].grad.flatten(), tparams["body.0.bias"].grad])
    assert layer["norm"] == pytest.approx(both.double().norm().item(), rel=1e-4)
    assert "head.bias" in str(st) and "zeros" in str(st)
    with pytest.raises(ValueError, match="grad_stats"):
        grad_stats(ours, by="module")


def test_activation_stats_equal_torchs():
    ours, theirs = _pair()
    x = luchina.randn(6, 4)
    st = activation_stats(ours, x)
    outs = {}
    hooks = [m.register_forward_hook(lambda mod, a, o, n=n: outs.__setitem__(n, o.double()))
             for n, m in theirs.named_modules() if not list(m.children())]
    with torch.no_grad():
        theirs(torch.from_numpy(x.numpy()))
    for h in hooks:
        h.remove()
    assert [r["name"] for r in st] == list(outs)
    relu = st["body.1"]
    assert relu["zero_fraction"] == pytest.approx((outs["body.1"] == 0).double().mean().item())
    for r in st:
        o = outs[r["name"]]
        assert r["mean"] == pytest.approx(o.mean().item(), rel=1e-4, abs=1e-6)
        assert r["std"] == pytest.approx(o.std().item(), rel=1e-4)
        assert r["norm"] == pytest.approx(o.norm().item(), rel=1e-4)
        assert r["shape"] == tuple(o.shape)
    with pytest.raises(TypeError, match="activation_stats"):
        activation_stats(ours, np.ones((2, 4)))


def test_plot_grad_flow_writes_a_valid_png(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread
    luchina.manual_seed(0)
    layers = []
    for _ in range(6):
        layers += [nn.Linear(8, 8), nn.Sigmoid()]
    deep = nn.Sequential(*layers)
    deep(luchina.randn(16, 8)).sum().backward()
    path = tmp_path / "flow.png"
    fig = plot_grad_flow(deep.named_parameters(), path=path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = imread(str(path))
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{2 * i}.weight" for i in range(6)]
    assert ax.get_yscale() == "log"  # sigmoid gradients vanish over orders of magnitude
    assert not list(tmp_path.glob(".plot_grad_flow-*"))  # no temporary file left
    from matplotlib.figure import Figure
    own = Figure()
    ax2 = own.add_subplot(1, 1, 1)
    assert plot_grad_flow(deep, ax=ax2) is own


def test_plot_grad_flow_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install luchina\[data\]"):
        plot_grad_flow(nn.Linear(2, 2))
