"""luchina.utils.data against torch.utils.data (torch 2.13 is the oracle): collation, datasets,
samplers, DataLoader in the main process and in worker processes, and reproducibility."""

import collections
import math
import os
import random
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.utils.data as TD  # noqa: E402

import luchina as L  # noqa: E402
import luchina.utils.data as D  # noqa: E402


def to_np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach())


def same(a, b):
    """Structural equality of a luchina result and a torch result (types, dtypes, values)."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, L.Tensor), (type(a), b)
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape), (a, b)
        np.testing.assert_array_equal(to_np(a), to_np(b))
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in b:
            same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b and type(a) is type(b)


def lt(x):
    """The luchina counterpart of a sample structure holding torch tensors."""
    if isinstance(x, torch.Tensor):
        return L.tensor(x.numpy()) if x.dim() else L.tensor(x.item(), dtype=str(x.dtype)[6:])
    if isinstance(x, dict):
        return type(x)((k, lt(v)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*map(lt, x))
    if isinstance(x, (list, tuple)):
        return type(x)(map(lt, x))
    return x


Point = collections.namedtuple("Point", "x y")
BATCHES = [
    [1, 2, 3], [True, False], [1.0, 2.5], [1, 2.5], ["a", "b"], [b"a", b"b"],
    [np.float32(1), np.float32(2)], [np.int32(1), np.int32(2)], [np.bool_(True), np.bool_(0)],
    [np.zeros(3), np.ones(3)], [np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)],
    [torch.zeros(2, 3), torch.ones(2, 3)], [torch.tensor(1.0), torch.tensor(2.0)],
    [torch.zeros(2, dtype=torch.int32), torch.zeros(2)], [torch.arange(3), torch.arange(3)],
    [(torch.zeros(2), 1, "a"), (torch.ones(2), 2, "b")], [[1, 2], [3, 4]],
    [{"a": 1, "b": np.zeros(2)}, {"a": 2, "b": np.ones(2)}],
    [Point(1, 2.0), Point(3, 4.0)],
    [{"x": (torch.zeros(1), [1.0, 2.0]), "y": "s"}, {"x": (torch.ones(1), [3.0, 4.0]), "y": "t"}],
    [collections.OrderedDict(a=torch.zeros(1)), collections.OrderedDict(a=torch.ones(1))],
]


@pytest.mark.parametrize("batch", BATCHES, ids=range(len(BATCHES)))
def test_default_collate_matches_torch(batch):
    same(D.default_collate(lt(batch)), TD.default_collate(batch))


CONVERT = [np.zeros(3), np.int64(3), (np.int64(3), "a", [np.zeros(1)]), {"a": np.ones(2)},
           Point(np.zeros(1), 2), np.array(["a"]), torch.ones(2), [1, 2.0]]


@pytest.mark.parametrize("data", CONVERT, ids=range(len(CONVERT)))
def test_default_convert_matches_torch(data):
    out, ref = D.default_convert(lt(data)), TD.default_convert(data)
    if isinstance(ref, np.ndarray):
        assert isinstance(out, np.ndarray) and np.array_equal(out, ref)
    else:
        same(out, ref)


def test_collate_errors_name_field_samples_and_fix():
    batch = [(L.zeros(5), 1)] * 3 + [(L.zeros(7), 1)]
    with pytest.raises(RuntimeError) as e:
        D.default_collate(batch)
    assert str(e.value) == (
        "default_collate: field 0 of the batch has tensors of different shapes: sample 0 is "
        "(5,), sample 3 is (7,); pad them (luchina.nn.utils.rnn.pad_sequence) in a collate_fn")
    with pytest.raises(RuntimeError, match=r"field 'ids' of the batch has numpy arrays of "
                                           r"different shapes: sample 0 is \(2,\), sample 1"):
        D.default_collate([{"ids": np.zeros(2)}, {"ids": np.zeros(3)}])
    with pytest.raises(RuntimeError, match=r"field 1\.'x' of the batch"):
        D.default_collate([(0, {"x": L.zeros(1)}), (0, {"x": L.zeros(2)})])
    with pytest.raises(TypeError, match="field 0 of the batch mixes types: sample 0 is Tensor, "
                                        "sample 1 is str"):
        D.default_collate([(L.zeros(1),), ("a",)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal "
                                           "size.*sample 1 has 1"):
        D.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="batch must contain tensors.*found <class 'object'>"):
        D.default_collate([object()])
    with pytest.raises(TypeError, match="found <U1"):
        D.default_collate([np.array(["a"])])
    with pytest.raises(KeyError, match="sample 1 has"):
        D.default_collate([{"a": 1}, {"b": 2}])


def test_collate_keeps_graph_for_tensors_requiring_grad():
    w = L.ones(3, requires_grad=True)
    out = D.default_collate([w * 2, w * 3])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [5.0, 5.0, 5.0])


# -- datasets ---------------------------------------------------------------------------------
def test_tensor_dataset_and_size_mismatch():
    ds = D.TensorDataset(L.arange(6).reshape(3, 2), L.tensor([0.0, 1.0, 2.0]))
    assert len(ds) == 3
    x, y = ds[1]
    assert x.tolist() == [2, 3] and y.item() == 1.0
    with pytest.raises(AssertionError, match="Size mismatch between tensors.*\\(3,\\), \\(2,\\)"):
        D.TensorDataset(L.zeros(3), L.zeros(2))
    with pytest.raises(AssertionError):
        TD.TensorDataset(torch.zeros(3), torch.zeros(2))


def test_subset_concat_stack_chain_match_torch():
    a, b = list(range(5)), list(range(10, 13))
    lc, tc = D.ConcatDataset([a, b]), TD.ConcatDataset([a, b])
    assert len(lc) == len(tc) == 8
    assert [lc[i] for i in range(-8, 8)] == [tc[i] for i in range(-8, 8)]
    assert lc.cumulative_sizes == tc.cumulative_sizes
    ls, ts = D.Subset(lc, [7, 0, 3]), TD.Subset(tc, [7, 0, 3])
    assert [ls[i] for i in range(3)] == [ts[i] for i in range(3)] and len(ls) == 3
    assert ls.__getitems__([0, 2]) == ts.__getitems__([0, 2])
    st = D.StackDataset(a, a[::-1])
    assert st[1] == TD.StackDataset(a, a[::-1])[1]
    assert D.StackDataset(x=a, y=a)[2] == {"x": 2, "y": 2}

    class It(D.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

    assert list(It(2) + It(3)) == [0, 1, 0, 1, 2]
    with pytest.raises(NotImplementedError):
        D.Dataset()[0]


@pytest.mark.parametrize("n,fracs", [(10, [0.8, 0.1, 0.1]), (7, [0.5, 0.5]), (11, [0.3, 0.3, 0.4]),
                                     (5, [0.1, 0.9]), (3, [1 / 3] * 3), (101, [0.25] * 4)])
def test_random_split_fraction_sizes_match_torch(n, fracs):
    parts = D.random_split(range(n), fracs, generator=L.Generator().manual_seed(0))
    ref = TD.random_split(range(n), fracs, generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [len(r) for r in ref]
    assert sorted(i for p in parts for i in p) == list(range(n))


def test_random_split_lengths_generator_and_errors():
    g = L.Generator().manual_seed(3)
    a = [list(p) for p in D.random_split(range(20), [10, 5, 5], generator=g)]
    b = [list(p) for p in D.random_split(range(20), [10, 5, 5],
                                         generator=L.Generator().manual_seed(3))]
    assert a == b and sorted(sum(a, [])) == list(range(20))
    assert a != [list(range(10)), list(range(10, 15)), list(range(15, 20))]
    L.manual_seed(1)
    c = [list(p) for p in D.random_split(range(20), [10, 10])]
    L.manual_seed(1)
    assert c == [list(p) for p in D.random_split(range(20), [10, 10])]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        D.random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Sum of input lengths"):
        TD.random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        D.random_split(range(5), [1.5, -0.5])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        D.random_split(range(2), [0.9, 0.1])


# -- samplers ---------------------------------------------------------------------------------
def test_samplers_basic_and_validation_match_torch():
    assert list(D.SequentialSampler(range(4))) == list(TD.SequentialSampler(range(4)))
    r = D.RandomSampler(range(10))
    assert sorted(r) == list(range(10)) and len(r) == 10
    r = D.RandomSampler(range(4), num_samples=10)
    out = list(r)
    assert len(out) == 10 == len(r) and sorted(out[:4]) == [0, 1, 2, 3] \
        and sorted(out[4:8]) == [0, 1, 2, 3]
    r = D.RandomSampler(range(3), replacement=True, num_samples=50)
    out = list(r)
    assert len(out) == 50 and set(out) <= {0, 1, 2}
    for kwargs, exc in [({"replacement": 1}, TypeError), ({"num_samples": 0}, ValueError),
                        ({"num_samples": 2.0}, ValueError)]:
        with pytest.raises(exc):
            D.RandomSampler(range(3), **kwargs)
        with pytest.raises(exc):
            TD.RandomSampler(range(3), **kwargs)
    s = D.SubsetRandomSampler([5, 7, 9])
    assert sorted(s) == [5, 7, 9] and len(s) == 3
    for bs, dl in [(3, False), (3, True), (5, False), (1, True), (20, True)]:
        lb = D.BatchSampler(D.SequentialSampler(range(10)), bs, dl)
        tb = TD.BatchSampler(TD.SequentialSampler(range(10)), bs, dl)
        assert list(lb) == list(tb) and len(lb) == len(tb)
    for args in [(0, False), (True, False), (2, 1)]:
        with pytest.raises(ValueError):
            D.BatchSampler(range(3), *args)
        with pytest.raises(ValueError):
            TD.BatchSampler(range(3), *args)


def test_weighted_random_sampler():
    L.manual_seed(0)
    s = D.WeightedRandomSampler([0.0, 1.0, 3.0], 40000)
    counts = np.bincount(list(s), minlength=3)
    assert len(s) == 40000 and counts[0] == 0
    assert abs(counts[2] / counts[1] - 3.0) < 0.15
    s = D.WeightedRandomSampler(L.tensor([1.0, 1.0, 5.0, 0.5]), 4, replacement=False)
    assert sorted(s) == [0, 1, 2, 3]
    assert s.weights.dtype == L.float64
    with pytest.raises(RuntimeError, match="without replacement"):
        D.WeightedRandomSampler([1.0, 0.0], 2, replacement=False)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        D.WeightedRandomSampler([[1.0]], 1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        D.WeightedRandomSampler([1.0], 0)
    with pytest.raises(RuntimeError, match="non-negative"):
        D.WeightedRandomSampler([1.0, -1.0], 3)


def test_weighted_sampler_from_class_counts_as_in_the_notes():
    y = L.tensor([0] * 90 + [1] * 10)
    dataset = D.TensorDataset(L.arange(100), y)
    _, classes_counts = L.unique(y, return_counts=True)
    weights_for_classes = classes_counts.max() / classes_counts
    weight_for_every_sample = []
    for label in y:
        weight_for_every_sample.append(weights_for_classes[label].item())
    L.manual_seed(0)
    sampler = D.WeightedRandomSampler(L.tensor(weight_for_every_sample), len(dataset))
    dataloader = D.DataLoader(dataset, batch_size=20, sampler=sampler)
    labels = np.concatenate([b.numpy() for _, b in dataloader])
    assert len(labels) == 100 and 0.3 < labels.mean() < 0.7  # balanced, not 10% positives


# -- DataLoader in the main process ---------------------------------------------------------
def _pair(n=10):
    x = np.random.default_rng(0).standard_normal((n, 3)).astype(np.float32)
    y = np.arange(n)
    return (D.TensorDataset(L.from_numpy(x), L.from_numpy(y)),
            TD.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)))


@pytest.mark.parametrize("kwargs", [{}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                                    {"batch_size": None}, {"batch_size": 3, "sampler": [9, 1, 4]},
                                    {"batch_sampler": [[0, 1], [5, 2, 3]]},
                                    {"batch_size": 20}])
def test_dataloader_matches_torch(kwargs):
    lds, tds = _pair()
    ldl, tdl = D.DataLoader(lds, **kwargs), TD.DataLoader(tds, **kwargs)
    assert len(ldl) == len(tdl)
    lb, tb = list(ldl), list(tdl)
    assert len(lb) == len(tb)
    for a, b in zip(lb, tb):
        same(a, b)


class Plain(D.Dataset):
    """Same samples as a TensorDataset but without the fast path."""

    def __init__(self, *tensors):
        self.tensors = tensors

    def __getitem__(self, i):
        return tuple(t[i] for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0])


def test_tensor_dataset_fast_path_is_identical_to_collating():
    x = L.randn(23, 2, 3)
    y = L.arange(23)
    m = L.randint(0, 2, (23,)).bool()
    fast = D.TensorDataset(x, y, m)
    slow = Plain(x, y, m)
    for make in (lambda d: d, lambda d: D.random_split(d, [13, 10],
                                                       generator=L.Generator().manual_seed(1))[0],
                 lambda d: D.Subset(D.Subset(d, list(range(20, 2, -1))), [0, 5, 7, 7, 2])):
        for kw in ({"batch_size": 4}, {"batch_size": 5, "drop_last": True}):
            a = list(D.DataLoader(make(fast), **kw))
            b = list(D.DataLoader(make(slow), **kw))
            assert len(a) == len(b)
            for u, v in zip(a, b):
                assert type(u) is list and len(u) == 3
                for p, q in zip(u, v):
                    assert p.dtype is q.dtype and p.shape == q.shape
                    np.testing.assert_array_equal(p.numpy(), q.numpy())
    idx = np.asarray(D.DataLoader(fast, batch_size=8, shuffle=True).__iter__().__next__()[1])
    assert len(set(idx.tolist())) == 8


def test_shuffle_is_a_permutation_reproducible_and_changes_per_epoch():
    lds, _ = _pair(50)
    L.manual_seed(0)
    dl = D.DataLoader(lds, batch_size=7, shuffle=True)
    e1 = np.concatenate([b[1].numpy() for b in dl])
    e2 = np.concatenate([b[1].numpy() for b in dl])
    assert sorted(e1.tolist()) == list(range(50)) and sorted(e2.tolist()) == list(range(50))
    assert e1.tolist() != e2.tolist() and e1.tolist() != list(range(50))
    L.manual_seed(0)
    again = [np.concatenate([b[1].numpy() for b in dl]) for _ in range(2)]
    assert again[0].tolist() == e1.tolist() and again[1].tolist() == e2.tolist()
    g1 = L.Generator().manual_seed(5)
    g2 = L.Generator().manual_seed(5)
    a = [b[1].tolist() for b in D.DataLoader(lds, batch_size=7, shuffle=True, generator=g1)]
    L.manual_seed(123)
    b = [b[1].tolist() for b in D.DataLoader(lds, batch_size=7, shuffle=True, generator=g2)]
    assert a == b


def test_dataloader_argument_errors_match_torch():
    lds, tds = _pair()
    bad = [{"shuffle": True, "sampler": [0]}, {"batch_sampler": [[0]], "batch_size": 2},
           {"batch_sampler": [[0]], "drop_last": True}, {"batch_size": None, "drop_last": True},
           {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
           {"persistent_workers": True}]
    for kw in bad:
        with pytest.raises(ValueError) as le:
            D.DataLoader(lds, **kw)
        with pytest.raises(ValueError) as te:
            TD.DataLoader(tds, **kw)
        assert str(le.value).split(";")[0] == str(te.value).split(";")[0], kw
    dl = D.DataLoader(lds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        dl.batch_size = 3
    D.DataLoader(lds, pin_memory=True, num_workers=0, timeout=0)  # accepted


def test_errors_in_main_process_name_the_sample():
    class Bad(D.Dataset):
        def __getitem__(self, i):
            if i == 3:
                raise ValueError("broken sample")
            return i

        def __len__(self):
            return 6

    with pytest.raises(ValueError, match="broken sample") as e:
        list(D.DataLoader(Bad(), batch_size=2))
    assert any("while loading sample 3 of the dataset" in n for n in e.value.__notes__)


# -- IterableDataset ----------------------------------------------------------------------------
def _make_stream(base):
    class Stream(base):
        def __init__(self, n, shard=True, length=True):
            self.n, self.shard = n, shard

        def __iter__(self):
            info = TD.get_worker_info() if base is TD.IterableDataset else D.get_worker_info()
            start, step = 0, 1
            if info is not None and self.shard:
                start, step = info.id, info.num_workers
            return iter([(i, float(i)) for i in range(start, self.n, step)])

        def __len__(self):
            return self.n

    return Stream


LStream, TStream = _make_stream(D.IterableDataset), _make_stream(TD.IterableDataset)


@pytest.mark.parametrize("kwargs", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                    {"batch_size": None}])
def test_iterable_dataset_matches_torch(kwargs):
    ldl, tdl = D.DataLoader(LStream(10), **kwargs), TD.DataLoader(TStream(10), **kwargs)
    assert len(ldl) == len(tdl)
    for a, b in zip(list(ldl), list(tdl), strict=True):
        same(a, b)
    for kw in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected "
                                             "unspecified"):
            D.DataLoader(LStream(3), **kw)


def test_iterable_dataset_in_workers_shards_like_torch():
    ref = [b[0].tolist() for b in TD.DataLoader(TStream(11), batch_size=2, num_workers=2)]
    out = [b[0].tolist() for b in D.DataLoader(LStream(11), batch_size=2, num_workers=2)]
    assert out == ref
    dup = [b[0].tolist() for b in D.DataLoader(LStream(4, shard=False), batch_size=2,
                                               num_workers=2)]
    assert sorted(sum(dup, [])) == [0, 0, 1, 1, 2, 2, 3, 3]  # unsharded: each worker repeats


# -- worker processes ---------------------------------------------------------------------------
class Slow(D.Dataset):
    """Sleeps a random time so that workers finish out of order."""

    def __getitem__(self, i):
        time.sleep(random.random() * 0.002)
        return L.tensor([i, i * i]), i % 3

    def __len__(self):
        return 40


def test_workers_give_the_same_batches_as_the_main_process():
    for kw in ({"batch_size": 3, "shuffle": True}, {"batch_size": None},
               {"batch_size": 4, "drop_last": True}):
        L.manual_seed(7)
        ref = list(D.DataLoader(Slow(), **kw))
        L.manual_seed(7)
        got = list(D.DataLoader(Slow(), num_workers=2, **kw))
        assert len(ref) == len(got)
        for a, b in zip(ref, got):
            assert [getattr(x, "tolist", lambda x=x: x)() for x in a] == \
                [getattr(x, "tolist", lambda x=x: x)() for x in b]
    lds, _ = _pair(33)
    L.manual_seed(1)
    a = [b[1].tolist() for b in D.DataLoader(lds, batch_size=4, shuffle=True)]
    L.manual_seed(1)
    b = [b[1].tolist() for b in D.DataLoader(lds, batch_size=4, shuffle=True, num_workers=2)]
    assert a == b


class Seeds(D.Dataset):
    def __getitem__(self, i):
        info = D.get_worker_info()
        return (info.id, info.seed, info.num_workers, L.rand(1).item(), random.random(),
                float(np.random.rand()), os.getpid())

    def __len__(self):
        return 4


def test_worker_seeding_info_and_init_fn():
    assert D.get_worker_info() is None
    calls = []
    L.manual_seed(11)
    dl = D.DataLoader(Seeds(), batch_size=None, num_workers=2,
                      worker_init_fn=lambda wid: calls.append(wid))
    rows = [tuple(r) for r in dl]
    ids = [r[0] for r in rows]
    assert ids == [0, 1, 0, 1]  # round-robin, order preserved
    seeds = {r[0]: r[1] for r in rows}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id, as torch
    assert rows[0][6] != os.getpid() and rows[0][6] != rows[1][6]
    assert rows[0][3] != rows[1][3] and rows[0][4] != rows[1][4] and rows[0][5] != rows[1][5]
    L.manual_seed(11)
    again = [tuple(r) for r in D.DataLoader(Seeds(), batch_size=None, num_workers=2)]
    assert [r[:6] for r in again] == [r[:6] for r in rows]  # same seed, same worker streams
    assert calls == []  # worker_init_fn ran in the workers, not here

    def check_info(wid):
        info = D.get_worker_info()
        assert info.id == wid and info.num_workers == 2 and isinstance(info.dataset, Seeds)
        with pytest.raises(RuntimeError, match="Cannot assign attributes"):
            info.id = 5
    list(D.DataLoader(Seeds(), num_workers=2, worker_init_fn=check_info))


class Failing(D.Dataset):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"cannot read sample {i}")
        return i

    def __len__(self):
        return 8


def test_worker_errors_are_reraised_naming_worker_and_sample():
    dl = D.DataLoader(Failing(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as e:
        list(dl)
    msg = str(e.value)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "cannot read sample 5" in msg and "while loading sample 5 of the dataset" in msg
    dl = D.DataLoader(Failing(), batch_size=None, num_workers=2)
    it = iter(dl)
    assert [next(it) for _ in range(5)] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="worker process 1"):
        next(it)

    class KeyErr(D.Dataset):
        def __getitem__(self, i):
            return {}["missing"]

        def __len__(self):
            return 2

    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(D.DataLoader(KeyErr(), num_workers=1))


def test_persistent_workers_and_early_break():
    lds, _ = _pair(20)
    dl = D.DataLoader(lds, batch_size=3, num_workers=2, persistent_workers=True, shuffle=True)
    pids = []
    for _ in range(3):
        got = np.concatenate([b[1].numpy() for b in dl])
        assert sorted(got.tolist()) == list(range(20))
        pids.append(tuple(w.pid for w in dl._iterator._workers))
    assert pids[0] == pids[1] == pids[2]
    for i, _ in enumerate(dl):  # abandon an epoch half way, the next one is whole
        if i == 2:
            break
    assert sorted(np.concatenate([b[1].numpy() for b in dl]).tolist()) == list(range(20))
    dl._iterator._shutdown()
    dl2 = D.DataLoader(lds, batch_size=3, num_workers=2)
    it = iter(dl2)
    next(it)
    workers = it._workers
    del it
    for w in workers:
        w.join(timeout=10)
        assert not w.is_alive()


def test_in_order_false_and_timeout_accepted():
    out = list(D.DataLoader(Slow(), batch_size=4, num_workers=2, in_order=False, timeout=30,
                            prefetch_factor=3))
    assert sorted(int(v) for b in out for v in b[0][:, 0].tolist()) == list(range(40))


# -- the course notes' usage --------------------------------------------------------------------
def _pad(seqs):
    try:
        from luchina.nn.utils.rnn import pad_sequence
        return pad_sequence(seqs, batch_first=True)
    except ImportError:
        n = max(len(s) for s in seqs)
        out = L.zeros(len(seqs), n, dtype=L.int64)
        for i, s in enumerate(seqs):
            out[i, :len(s)] = s
        return out


class ToneDataset(D.Dataset):
    def __init__(self, texts, target, word2id):
        self.dataset = texts
        self.word2id = word2id
        self.length = len(texts)
        self.target = target

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        tokens = self.dataset[index]
        ids = L.LongTensor([self.word2id[token] for token in tokens if token in self.word2id])
        y = [self.target[index]]
        return ids, y

    def collate_fn(self, batch):
        ids, y = list(zip(*batch))
        padded_ids = _pad(ids)
        y = L.Tensor(y)
        return padded_ids, y


def test_tone_dataset_with_padding_collate_and_random_split_as_in_the_notes():
    words = ["good", "bad", "fine", "awful", "great", "meh"]
    word2id = {w: i + 1 for i, w in enumerate(words)}
    rs = np.random.default_rng(0)
    texts = [[words[j] for j in rs.integers(0, 6, rs.integers(1, 7))] for _ in range(50)]
    target = rs.integers(0, 2, 50)
    dataset = ToneDataset(texts, target, word2id)
    L.seed_everything(42)
    lengths = [int(len(texts) * 0.8), int(len(texts) * 0.1), int(len(texts) * 0.1)]
    train_dataset, val_dataset, test_dataset = D.random_split(dataset, lengths=lengths)
    assert [len(train_dataset), len(val_dataset), len(test_dataset)] == [40, 5, 5]
    for workers in (0, 2):
        L.seed_everything(42)
        dl = D.DataLoader(train_dataset, collate_fn=dataset.collate_fn, batch_size=3,
                          shuffle=True, num_workers=workers)
        batch, y = next(iter(dl))
        assert batch.dim() == 2 and batch.size()[0] == 3 and batch.dtype == L.int64
        assert tuple(y.shape) == (3, 1) and y.dtype == L.float32
        first = (batch.tolist(), y.tolist())
        if workers == 0:
            ref = first
        else:
            assert first == ref
    assert len(dl) == math.ceil(40 / 3) and len(dl.dataset) == 40
    with pytest.raises(RuntimeError, match="pad them"):
        next(iter(D.DataLoader(dataset, batch_size=8)))


# -- reproducibility ------------------------------------------------------------------------------
def _run(seed):
    L.seed_everything(seed)
    lds, _ = _pair(30)
    out = [b[1].tolist() for b in D.DataLoader(lds, batch_size=4, shuffle=True)]
    out += [list(D.WeightedRandomSampler([1.0, 2.0, 3.0], 10))]
    out += [list(D.RandomSampler(range(9), replacement=True, num_samples=5))]
    out += [list(D.SubsetRandomSampler([3, 4, 5, 6]))]
    out += [[list(p) for p in D.random_split(range(12), [0.5, 0.5])]]
    out += [[r[1:6] for r in D.DataLoader(Seeds(), batch_size=None, num_workers=2)]]
    out += [random.random(), float(np.random.rand())]
    return out


def test_seed_everything_makes_runs_bit_identical():
    a, b = _run(2024), _run(2024)
    assert a == b
    assert _run(2025) != a
