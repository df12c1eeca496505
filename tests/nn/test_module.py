"""nn.Module, Parameter and the containers against torch 2.13: registration, traversal, modes,
conversion, state_dict/load_state_dict, hooks and printing."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import luchina
import luchina.nn as lnn

torch = pytest.importorskip("torch")
tnn = torch.nn


def both(build):
    """Build the same thing with luchina and with torch: ``build(torch_like, nn_like)``."""
    return build(luchina, lnn), build(torch, tnn)


def raises_same(fn_l, fn_t):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as el:
        fn_l()
    with pytest.raises(Exception) as et:
        fn_t()
    assert type(el.value) is type(et.value), (el.value, et.value)
    assert str(el.value) == str(et.value)


def to_numpy_sd(sd):
    return OrderedDict((k, v.detach().numpy().copy()) for k, v in sd.items())


# -- Parameter ---------------------------------------------------------------------------------
def test_parameter_basics():
    t = luchina.tensor([[1.0, 2.0], [3.0, 4.0]])
    p = lnn.Parameter(t)
    assert isinstance(p, luchina.Tensor) and isinstance(p, lnn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    p.data.mul_(2)  # shares memory with the data it was built from
    assert t.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    out = p * 2
    assert type(out) is luchina.Tensor and out.grad_fn is not None
    assert type(p.detach()) is luchina.Tensor
    assert not lnn.Parameter(t, requires_grad=False).requires_grad
    assert lnn.Parameter().shape == (0,)


def test_parameter_repr_matches_torch():
    vals = [[1.5, -2.25, 3.0], [0.125, 5.0, -6.5]]
    pl = lnn.Parameter(luchina.tensor(vals))
    pt = tnn.Parameter(torch.tensor(vals))
    assert repr(pl) == repr(pt)
    assert str(pl) == str(pt)
    pl = lnn.Parameter(luchina.tensor(vals, dtype=luchina.float64), requires_grad=False)
    pt = tnn.Parameter(torch.tensor(vals, dtype=torch.float64), requires_grad=False)
    assert repr(pl) == repr(pt)


def test_parameter_deepcopy_and_pickle():
    p = lnn.Parameter(luchina.randn(3, 2))
    p.grad = luchina.ones(3, 2)
    q = copy.deepcopy(p)
    assert type(q) is lnn.Parameter and q.requires_grad
    assert np.array_equal(q.detach().numpy(), p.detach().numpy())
    assert not np.shares_memory(q._data, p._data)
    assert q.grad is not None and q.grad.tolist() == p.grad.tolist()
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is lnn.Parameter and r.requires_grad
    assert np.array_equal(r.detach().numpy(), p.detach().numpy())
    frozen = pickle.loads(pickle.dumps(lnn.Parameter(luchina.ones(2), requires_grad=False)))
    assert not frozen.requires_grad


def test_parameter_int_data_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        lnn.Parameter(luchina.tensor([1, 2]))
    assert lnn.Parameter(luchina.tensor([1, 2]), requires_grad=False).dtype == luchina.int64


# -- registration ------------------------------------------------------------------------------
class _Net:
    """A model using every registration path, built for both libraries."""

    @staticmethod
    def build(T, nn):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 3)
                self.act = nn.Sequential(nn.Linear(3, 3), nn.Identity())
                self.scale = nn.Parameter(T.ones(3))
                self.register_buffer("steps", T.zeros(1))
                self.register_buffer("cache", T.zeros(2), persistent=False)
                self.register_parameter("unused", None)
                self.blocks = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])
                self.heads = nn.ModuleDict({"a": nn.Linear(3, 1), "b": nn.Linear(3, 2)})

            def forward(self, x):
                h = self.act(self.fc1(x)) * self.scale
                for b in self.blocks:
                    h = b(h)
                return self.heads["a"](h) + self.heads["b"](h).sum(-1, keepdim=True)
        return Net()


def test_named_members_match_torch():
    ml, mt = both(_Net.build)
    assert [n for n, _ in ml.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert [n for n, _ in ml.named_buffers()] == [n for n, _ in mt.named_buffers()]
    assert [n for n, _ in ml.named_modules()] == [n for n, _ in mt.named_modules()]
    assert [n for n, _ in ml.named_children()] == [n for n, _ in mt.named_children()]
    assert [n for n, _ in ml.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in mt.named_parameters(prefix="m", recurse=False)]
    assert len(list(ml.parameters())) == len(list(mt.parameters()))
    assert len(list(ml.buffers())) == len(list(mt.buffers()))
    assert len(list(ml.modules())) == len(list(mt.modules()))
    assert len(list(ml.children())) == len(list(mt.children()))


def test_shared_members_deduplicated_like_torch():
    def build(T, nn):
        lin = nn.Linear(2, 2)
        return nn.Sequential(lin, nn.Identity(), lin)
    ml, mt = both(build)
    for kw in ({}, {"remove_duplicate": False}):
        assert [n for n, _ in ml.named_parameters(**kw)] == \
            [n for n, _ in mt.named_parameters(**kw)]
        assert [n for n, _ in ml.named_modules(**kw)] == [n for n, _ in mt.named_modules(**kw)]


def test_attribute_errors_match_torch():
    ml, mt = both(_Net.build)
    raises_same(lambda: ml.nothing_here, lambda: mt.nothing_here)
    raises_same(lambda: setattr(ml, "scale", luchina.ones(3)),
                lambda: setattr(mt, "scale", torch.ones(3)))
    raises_same(lambda: setattr(ml, "fc1", 3), lambda: setattr(mt, "fc1", 3))
    raises_same(lambda: setattr(ml, "steps", [1]), lambda: setattr(mt, "steps", [1]))
    raises_same(lambda: ml.register_buffer("fc1", None), lambda: mt.register_buffer("fc1", None))
    raises_same(lambda: ml.register_buffer("a.b", None), lambda: mt.register_buffer("a.b", None))
    raises_same(lambda: ml.register_buffer("", None), lambda: mt.register_buffer("", None))
    raises_same(lambda: ml.register_buffer(3, None), lambda: mt.register_buffer(3, None))
    raises_same(lambda: ml.register_buffer("x", 3), lambda: mt.register_buffer("x", 3))
    raises_same(lambda: ml.register_parameter("x", luchina.ones(2)),
                lambda: mt.register_parameter("x", torch.ones(2)))
    raises_same(lambda: ml.register_parameter("a.b", None),
                lambda: mt.register_parameter("a.b", None))
    raises_same(lambda: ml.register_parameter("fc1", None),
                lambda: mt.register_parameter("fc1", None))
    raises_same(lambda: ml.add_module("x", 3), lambda: mt.add_module("x", 3))
    raises_same(lambda: ml.add_module("a.b", lnn.Identity()),
                lambda: mt.add_module("a.b", tnn.Identity()))
    raises_same(lambda: ml.add_module("scale", lnn.Identity()),
                lambda: mt.add_module("scale", tnn.Identity()))
    raises_same(lambda: ml.get_submodule("act.7"), lambda: mt.get_submodule("act.7"))
    raises_same(lambda: ml.get_submodule("scale"), lambda: mt.get_submodule("scale"))

    class Early(lnn.Module):
        def __init__(self):
            self.lin = lnn.Linear(1, 1)

    class EarlyT(tnn.Module):
        def __init__(self):
            self.lin = tnn.Linear(1, 1)
    raises_same(Early, EarlyT)
    raises_same(lambda: lnn.Module()(1), lambda: tnn.Module()(1))


def test_nonleaf_parameter_rejected():
    m = lnn.Module()
    w = lnn.Parameter(luchina.ones(2))
    p = lnn.Parameter(luchina.ones(2))
    p.grad_fn = (w * 2).grad_fn  # a non-leaf Parameter, as torch can produce
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'w'"):
        m.register_parameter("w", p)


def test_setattr_moves_between_kinds_and_delattr():
    m = lnn.Module()
    m.x = lnn.Parameter(luchina.ones(1))
    assert "x" in m._parameters
    m.x = None
    assert m._parameters["x"] is None
    del m.x
    assert "x" not in m._parameters
    m.register_buffer("b", luchina.ones(1), persistent=False)
    m.b = luchina.zeros(1)  # stays a non-persistent buffer
    assert "b" in m._buffers and "b" in m._non_persistent_buffers_set
    del m.b
    assert "b" not in m._buffers and "b" not in m._non_persistent_buffers_set
    m.child = lnn.Linear(1, 1)
    m.child = lnn.Parameter(luchina.ones(1))  # a parameter replaces the submodule
    assert "child" not in m._modules and "child" in m._parameters
    m.plain = 3
    assert m.plain == 3 and "plain" in m.__dict__
    m.buf = lnn.Buffer(luchina.ones(2), persistent=False)
    assert type(m.buf) is luchina.Tensor and "buf" in m._non_persistent_buffers_set
    assert "child" in dir(m) and "buf" in dir(m)


def test_train_eval_requires_grad_zero_grad_apply():
    m = _Net.build(luchina, lnn)
    assert all(x.training for x in m.modules())
    assert m.eval() is m and not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(luchina.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    mt = _Net.build(torch, tnn)
    seen_t = []
    mt.apply(lambda mod: seen_t.append(type(mod).__name__))
    assert seen == seen_t


def test_to_double_keeps_parameter_objects():
    m = _Net.build(luchina, lnn)
    m(luchina.randn(2, 4)).sum().backward()
    nb = lnn.BatchNorm1d(3)
    m.bn = nb
    nb.weight.grad = luchina.ones(3)
    nb.bias.grad = luchina.ones(3)
    ids = [id(p) for p in m.parameters()]
    assert m.to(luchina.float64) is m
    assert [id(p) for p in m.parameters()] == ids
    assert all(p.dtype == luchina.float64 for p in m.parameters())
    assert all(p.grad.dtype == luchina.float64 for p in m.parameters())
    assert m.steps.dtype == luchina.float64
    assert nb.num_batches_tracked.dtype == luchina.int64
    assert all(p.requires_grad for p in m.parameters())
    out = m(luchina.randn(2, 4, dtype=luchina.float64))
    assert out.dtype == luchina.float64
    m.float()
    assert all(p.dtype == luchina.float32 for p in m.parameters())
    m.double()
    assert m.fc1.weight.dtype == luchina.float64
    m.to(dtype=luchina.float32, device="cpu").cpu()
    assert m.fc1.weight.dtype == luchina.float32
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        m.to(luchina.int64)


# -- state_dict --------------------------------------------------------------------------------
def test_state_dict_layout_matches_torch():
    ml, mt = both(_Net.build)
    sl, st = ml.state_dict(), mt.state_dict()
    assert type(sl) is OrderedDict
    assert list(sl) == list(st)
    assert sl._metadata == st._metadata
    assert "cache" not in sl
    assert all(not v.requires_grad for v in sl.values())
    assert all(type(v) is luchina.Tensor for v in sl.values())
    assert np.shares_memory(sl["fc1.weight"]._data, ml.fc1.weight._data)
    kv = ml.state_dict(keep_vars=True)
    assert kv["fc1.weight"] is ml.fc1.weight
    assert list(ml.state_dict(prefix="model.")) == list(mt.state_dict(prefix="model."))
    dest = {}
    assert ml.state_dict(destination=dest) is dest and list(dest) == list(st)
    bl, bt = both(lambda T, nn: nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)))
    assert bl.state_dict()._metadata == bt.state_dict()._metadata


def test_load_torch_state_dict_as_numpy_and_back():
    ml, mt = both(_Net.build)
    res = ml.load_state_dict(to_numpy_sd(mt.state_dict()))
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ml(luchina.tensor(x)).detach().numpy(),
                               mt(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # luchina -> torch through numpy, after changing luchina's weights
    w_obj = ml.fc1.weight
    with luchina.no_grad():
        ml.fc1.weight.mul_(3)
    res_t = mt.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                                for k, v in ml.state_dict().items()})
    assert str(res_t) == "<All keys matched successfully>"
    assert ml.fc1.weight is w_obj  # loading copies into the existing arrays
    np.testing.assert_allclose(ml(luchina.tensor(x)).detach().numpy(),
                               mt(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # torch tensors are accepted directly too
    ml.load_state_dict(mt.state_dict())


def test_load_state_dict_errors_match_torch():
    ml, mt = both(_Net.build)
    sd = to_numpy_sd(mt.state_dict())
    bad = OrderedDict(sd)
    del bad["fc1.bias"]
    del bad["heads.b.weight"]
    bad["extra.weight"] = np.zeros(2, np.float32)
    bad["fc1.nope"] = np.zeros(2, np.float32)
    bad["act.0.weight"] = np.zeros((2, 3), np.float32)
    bad_t = OrderedDict((k, torch.from_numpy(v)) for k, v in bad.items())
    raises_same(lambda: ml.load_state_dict(bad), lambda: mt.load_state_dict(bad_t))
    # strict=False: the size mismatch still raises
    raises_same(lambda: ml.load_state_dict(bad, strict=False),
                lambda: mt.load_state_dict(bad_t, strict=False))
    del bad["act.0.weight"], bad_t["act.0.weight"]
    rl = ml.load_state_dict(bad, strict=False)
    rt = mt.load_state_dict(bad_t, strict=False)
    assert repr(rl) == repr(rt)
    assert rl.missing_keys == rt.missing_keys and rl.unexpected_keys == rt.unexpected_keys
    bad["fc1.weight"] = "oops"
    bad_t["fc1.weight"] = "oops"
    raises_same(lambda: ml.load_state_dict(bad, strict=False),
                lambda: mt.load_state_dict(bad_t, strict=False))
    raises_same(lambda: ml.load_state_dict([1]), lambda: mt.load_state_dict([1]))


def test_load_state_dict_casts_dtype_and_assign():
    m = lnn.Linear(2, 2)
    w = m.weight
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})  # float64 -> float32
    assert m.weight is w and m.weight.dtype == luchina.float32
    assert m.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    new = {"weight": luchina.full((2, 2), 2.0), "bias": luchina.zeros(2)}
    m.load_state_dict(new, assign=True)
    assert m.weight is not w and isinstance(m.weight, lnn.Parameter)
    assert m.weight.requires_grad and m.weight.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_batchnorm_state_without_counter_loads():
    bn = lnn.BatchNorm1d(3)
    sd = {k: v.numpy() for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    assert repr(bn.load_state_dict(sd)) == "<All keys matched successfully>"


def test_extra_state_round_trip():
    def build(T, nn):
        class WithExtra(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(1, 1)
                self.note = "a"

            def get_extra_state(self):
                return {"note": self.note}

            def set_extra_state(self, state):
                self.note = state["note"]
        return WithExtra()
    m, mt = both(build)
    m.note = "b"
    sd = m.state_dict()
    assert list(sd) == list(mt.state_dict())
    m2 = build(luchina, lnn)
    m2.load_state_dict(sd)
    assert m2.note == "b"


# -- hooks -------------------------------------------------------------------------------------
def test_forward_hooks_match_torch():
    def run(T, nn):
        T.manual_seed(0)
        lin = nn.Linear(3, 2)
        with T.no_grad():
            lin.weight.copy_(T.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]]))
            lin.bias.copy_(T.tensor([0.5, -0.5]))
        log = []
        h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        h2 = lin.register_forward_hook(lambda m, args, out: out + 1)
        h3 = lin.register_forward_hook(lambda m, args, out: log.append(out.shape))
        h4 = lin.register_forward_pre_hook(lambda m, args, kw: log.append(len(kw)),
                                           with_kwargs=True, prepend=True)
        x = T.tensor([[1.0, 1.0, 1.0]])
        a = lin(x).tolist()
        h1.remove()
        b = lin(x).tolist()
        h2.remove()
        h3.remove()
        h4.remove()
        c = lin(x).tolist()
        with lin.register_forward_hook(lambda m, args, kw, out: out * 0, with_kwargs=True):
            d = lin(x).tolist()
        e = lin(x).tolist()
        return a, b, c, d, e, [list(s) if not isinstance(s, int) else s for s in log]
    assert run(luchina, lnn) == run(torch, tnn)
    assert not lnn.Linear(1, 1)._forward_hooks


def test_always_call_hook_runs_on_error():
    class Boom(lnn.Module):
        def forward(self, x):
            raise ValueError("boom")
    seen = []
    m = Boom()
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("never"))
    with pytest.raises(ValueError, match="boom"):
        m(1)
    assert seen == [None]


# -- printing ----------------------------------------------------------------------------------
def _archs(T, nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(8)
            self.ff = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.1), nn.Linear(16, 8))

        def forward(self, x):
            return x + self.ff(self.norm(x))

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(100, 8, padding_idx=0)
            self.blocks = nn.ModuleList([Block() for _ in range(3)] + [nn.Linear(8, 8)])
            self.heads = nn.ModuleDict({"cls": nn.Linear(8, 2), "reg": nn.Identity()})
            self.empty = nn.ModuleList()
            self.none = None
            self.register_module("missing", None)

        def extra_repr(self):
            return "dim=8"

    class OneLine(nn.Module):
        def extra_repr(self):
            return "only=1"

    class TwoLine(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(1, 1)

        def extra_repr(self):
            return "a=1\nb=2"
    return [
        nn.Sequential(nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 10)),
        nn.Sequential(OrderedDict([("fc1", nn.Linear(5, 10)), ("inner", nn.Sequential(
            nn.Flatten(), nn.Unflatten(1, (2, 5)), nn.Sequential()))])),
        Custom(), OneLine(), TwoLine(), nn.Module(),
        nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 3), nn.Linear(2, 2)]),
        nn.ParameterList([nn.Parameter(T.ones(3)), T.zeros(2, 4, dtype=T.float64)]),
        nn.ParameterDict({"a": nn.Parameter(T.ones(2)), "b": T.zeros(1)}),
        nn.Bilinear(3, 4, 5), nn.Bilinear(3, 4, 5, bias=False), nn.Linear(2, 3, bias=False),
        nn.Embedding(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True),
        nn.EmbeddingBag(10, 3, mode="max", padding_idx=2), nn.EmbeddingBag(10, 3, max_norm=2.0),
        nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False), nn.LayerNorm(3, bias=False),
        nn.BatchNorm1d(4, momentum=None, affine=False, track_running_stats=False),
        nn.BatchNorm1d(4, bias=False), nn.BatchNorm2d(3), nn.Dropout(0.25, inplace=True),
        nn.Flatten(0, 2), nn.Identity(3, foo=1),
    ]


def test_printing_identical_to_torch():
    for ml, mt in zip(*both(_archs)):
        assert repr(ml) == repr(mt), f"\n{ml!r}\n!=\n{mt!r}"
        assert str(ml) == str(mt)


# -- containers --------------------------------------------------------------------------------
def test_sequential_operations_match_torch():
    def ops(T, nn):
        s = nn.Sequential(nn.Linear(1, 2), nn.Linear(2, 3), nn.Linear(3, 4))
        out = [type(s[-1]).__name__, s[-1].out_features, len(s), repr(s[1:]),
               type(s[1:]).__name__, repr(s[::-1])]
        s.append(nn.Identity())
        s.insert(1, nn.Flatten())
        s.insert(-1, nn.Dropout())
        s.extend([nn.Identity()])
        out.append(repr(s))
        del s[0]
        out.append(list(s._modules))
        s[0] = nn.Linear(9, 9)
        out.append(repr(s[0]))
        out.append([type(m).__name__ for m in s])
        out.append(repr(s + nn.Sequential(nn.Identity())))
        out.append(type(s.pop(1)).__name__)
        out.append(len(s * 2))
        out.append(repr(nn.Sequential(OrderedDict([("a", nn.Identity())]))))
        return out
    ol, ot = both(ops)
    for a, b in zip(ol, ot):
        assert a == b
    sl, st = both(lambda T, nn: nn.Sequential(nn.Linear(1, 1)))
    raises_same(lambda: sl[3], lambda: st[3])
    raises_same(lambda: sl[-2], lambda: st[-2])


def test_sequential_forward_matches_torch():
    ml, mt = both(lambda T, nn: nn.Sequential(nn.Linear(5, 10), nn.Linear(10, 1)))
    ml.load_state_dict(to_numpy_sd(mt.state_dict()))
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(ml(luchina.tensor(x)).detach().numpy(),
                               mt(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_modulelist_and_moduledict_match_torch():
    def ops(T, nn):
        ml = nn.ModuleList([nn.Linear(1, 1)])
        ml.append(nn.Identity())
        ml.extend([nn.Flatten(), nn.Identity()])
        ml.insert(0, nn.Dropout())
        ml += [nn.Identity()]
        out = [repr(ml), len(ml), type(ml[-1]).__name__, repr(ml[1:3])]
        del ml[1]
        out += [list(ml._modules), repr(ml + nn.ModuleList([nn.Identity()]))]
        out.append(type(ml.pop(0)).__name__)
        md = nn.ModuleDict([("x", nn.Identity()), ("y", nn.Linear(1, 2))])
        md["z"] = nn.Flatten()
        md.update({"w": nn.Identity()})
        out += [repr(md), list(md.keys()), "x" in md, len(md), list(md)]
        out.append(type(md.pop("x")).__name__)
        del md["y"]
        out += [list(md.keys()), [type(v).__name__ for v in md.values()]]
        md.clear()
        out.append(len(md))
        return out
    ol, ot = both(ops)
    for a, b in zip(ol, ot):
        assert a == b
    ll, lt = both(lambda T, nn: nn.ModuleList([nn.Identity()]))
    raises_same(lambda: ll[5], lambda: lt[5])
    raises_same(lambda: ll(1), lambda: lt(1))
    raises_same(lambda: lnn.ModuleDict(3), lambda: tnn.ModuleDict(3))


def test_parameter_list_and_dict():
    pl = lnn.ParameterList([luchina.ones(2), lnn.Parameter(luchina.zeros(3))])
    assert all(isinstance(p, lnn.Parameter) for p in pl)
    pl.append(luchina.ones(1))
    assert len(pl) == 3 and [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    pd = lnn.ParameterDict({"a": luchina.ones(2)})
    pd["b"] = luchina.zeros(1)
    assert list(pd.keys()) == ["a", "b"] and isinstance(pd["b"], lnn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["a", "b"]
    m = lnn.Module()
    m.pl = pl
    assert list(m.state_dict()) == ["pl.0", "pl.1", "pl.2"]


def test_identity_flatten_unflatten_match_torch():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for build in (lambda T, nn: nn.Flatten(), lambda T, nn: nn.Flatten(0, 1),
                  lambda T, nn: nn.Unflatten(2, (2, 2)), lambda T, nn: nn.Unflatten(-1, [1, 4]),
                  lambda T, nn: nn.Identity()):
        ml, mt = both(build)
        yl, yt = ml(luchina.tensor(x)), mt(torch.tensor(x))
        assert tuple(yl.shape) == tuple(yt.shape)
        np.testing.assert_array_equal(yl.numpy(), yt.numpy())
    raises_same(lambda: lnn.Unflatten(1, 3), lambda: tnn.Unflatten(1, 3))


def test_module_deepcopy_and_pickle_keep_sharing():
    lin = lnn.Linear(2, 2)
    m = lnn.Sequential(lin, lin)
    c = copy.deepcopy(m)
    assert c[0] is c[1] and c[0].weight is not lin.weight
    assert isinstance(c[0].weight, lnn.Parameter)
    p = pickle.loads(pickle.dumps(m))
    assert p[0] is p[1] and np.array_equal(p[0].weight.detach().numpy(),
                                           lin.weight.detach().numpy())


@pytest.mark.skipif(not hasattr(Exception, "add_note"), reason="exception notes need Python 3.11")
def test_errors_inside_modules_name_the_module_path():
    class Net(lnn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lnn.Linear(10, 20)
            self.body = lnn.Sequential(lnn.ReLU(), lnn.Linear(7, 3))

        def forward(self, x):
            return self.body(self.fc1(x))

    with pytest.raises(RuntimeError, match="input has 5 features") as info:
        Net()(luchina.randn(32, 5))
    assert info.value.__notes__ == ["(raised inside the module Net.fc1 (Linear))"]
    with pytest.raises(RuntimeError) as info:
        Net()(luchina.randn(32, 10))
    assert info.value.__notes__ == ["(raised inside the module Net.body.1 (Linear))"]
    with pytest.raises(RuntimeError) as info:
        lnn.Linear(3, 2)(luchina.randn(2, 4))
    assert info.value.__notes__ == ["(raised inside the module Linear)"]
