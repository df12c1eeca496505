"""luchina.save / luchina.load and luchina.utils.safetensors: round trips, atomic writes, refusal
of corrupted and hostile files, map_location, and interoperability of the safetensors format."""

import collections
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import luchina as L
import luchina.serialization as S
from luchina.utils import safetensors as ST

save, load = S.save, S.load


def eq(a, b):
    """Deep equality that compares tensors by dtype, shape, values and requires_grad."""
    if isinstance(b, L.Tensor):
        assert isinstance(a, L.Tensor) and type(a) is type(b)
        assert a.dtype is b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        assert a.is_leaf
        np.testing.assert_array_equal(np.asarray(a.detach()), np.asarray(b.detach()))
    elif isinstance(b, np.ndarray):
        assert type(a) is np.ndarray and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in b:
            eq(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            eq(x, y)
    else:
        assert type(a) is type(b) and (a == b or (a != a and b != b))


def roundtrip(obj, **kw):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return load(buf, **kw)


OBJECTS = {
    "float32": L.randn(3, 4),
    "float64": L.randn(2, dtype=L.float64),
    "float16": L.randn(5).half(),
    "int types": [L.arange(4, dtype=d) for d in (L.int64, L.int32, L.int16, L.int8, L.uint8)],
    "bool": L.tensor([True, False]),
    "0-d": L.tensor(3.5),
    "empty": L.zeros(0, 3),
    "requires_grad": L.randn(2, 2, requires_grad=True),
    "non-contiguous": L.randn(4, 5).t()[1:3],
    "numpy": np.arange(6.0).reshape(2, 3),
    "numpy scalars": [np.float32(1.5), np.int64(3), np.bool_(True), np.float64(float("nan"))],
    "python": {"int": 1, "float": 2.5, "str": "s", "none": None, "bool": True, "bytes": b"x",
               "tuple": (1, (2, "3")), "list": [1.0, [2]], "set": {1, 2},
               "frozenset": frozenset("ab"), "complex": 1 + 2j, "big": 2 ** 70},
    "dtypes and devices": [L.float32, L.int64, L.bool, L.device("cpu"), L.Size([2, 3])],
    "ordered": collections.OrderedDict([("b", L.ones(1)), ("a", L.zeros(1))]),
}


@pytest.mark.parametrize("name", list(OBJECTS))
def test_roundtrip(name):
    eq(roundtrip(OBJECTS[name]), OBJECTS[name])


def test_state_dicts_checkpoints_and_parameters(tmp_path):
    nn = pytest.importorskip("luchina.nn")
    optim = pytest.importorskip("luchina.optim")
    L.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        model(L.randn(8, 3)).pow(2).mean().backward()
        opt.step()
    path = tmp_path / "model_weights.pth"
    save(model.state_dict(), path)
    model2 = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    model2.load_state_dict(load(path))
    x = L.randn(5, 3)
    np.testing.assert_array_equal(model(x).detach().numpy(), model2(x).detach().numpy())
    ckpt = {"epoch": 2, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": opt.state_dict(), "loss_history": [0.5, np.float64(0.25)],
            "params": list(model.parameters())}
    save(ckpt, str(tmp_path / "ckpt.pt"))
    back = load(str(tmp_path / "ckpt.pt"))
    eq(back["model_state_dict"], ckpt["model_state_dict"])
    eq(back["optimizer_state_dict"], ckpt["optimizer_state_dict"])
    assert back["loss_history"] == [0.5, 0.25] and back["epoch"] == 2
    assert all(type(p) is nn.Parameter and p.requires_grad for p in back["params"])
    opt2 = optim.Adam(model2.parameters(), lr=0.01)
    opt2.load_state_dict(back["optimizer_state_dict"])
    sd_meta = getattr(ckpt["model_state_dict"], "_metadata", None)
    assert getattr(back["model_state_dict"], "_metadata", None) == sd_meta
    frozen = nn.Parameter(L.ones(2), requires_grad=False)
    out = roundtrip(frozen)
    assert type(out) is nn.Parameter and not out.requires_grad


def test_views_share_storage_and_identity_is_kept():
    w = L.randn(4, 5)
    obj = {"w": w, "wt": w.t(), "row": w[1], "again": w}
    buf = io.BytesIO()
    save(obj, buf)
    names = zipfile.ZipFile(buf).namelist()
    assert sum(n.startswith("archive/data/") for n in names) == 1  # one storage for all views
    buf.seek(0)
    out = load(buf)
    assert out["again"] is out["w"]
    out["w"][1, 2] = 100.0
    assert out["wt"][2, 1].item() == 100.0 and out["row"][2].item() == 100.0
    big = L.zeros(100_000)
    small = io.BytesIO()
    save(big[:10], small)
    assert len(small.getvalue()) < 10_000  # a lone small view is saved alone, not its base
    eq(roundtrip(big[5:15:2]), big[5:15:2])
    rev = np.arange(10.0)[::-1]
    eq(roundtrip({"a": rev, "b": rev.base}), {"a": rev, "b": rev.base})


def test_loaded_tensors_are_writable_leaves_without_grad():
    w = L.randn(3, requires_grad=True)
    (w * 2).sum().backward()
    out = roundtrip(w)
    assert out.is_leaf and out.requires_grad and out.grad is None
    out.data.add_(1.0)
    assert out._data.flags.writeable


def test_paths_pathlike_and_open_files(tmp_path):
    t = L.arange(3)
    p = tmp_path / "a.pt"
    save(t, p)
    eq(load(p), t)
    eq(load(str(p)), t)
    with open(p, "rb") as fh:
        eq(load(fh), t)
    with open(tmp_path / "b.pt", "wb") as fh:
        save(t, fh)
    eq(load(tmp_path / "b.pt"), t)
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        save(t, tmp_path / "missing" / "x.pt")


def test_save_is_atomic(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.pt"
    save({"v": L.ones(3)}, p)
    before = p.read_bytes()
    real = S._write_archive

    def crash(obj, fh, protocol):
        real(obj, fh, protocol)  # write a whole archive into the temporary file, then die
        fh.write(b"garbage")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(S, "_write_archive", crash)
    with pytest.raises(OSError, match="simulated"):
        save({"v": L.zeros(1000)}, p)

    def interrupt(obj, fh, protocol):
        fh.write(b"PK\x03\x04partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(S, "_write_archive", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save({"v": L.zeros(1000)}, p)
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]
    eq(load(p), {"v": L.ones(3)})
    monkeypatch.setattr(S, "_write_archive", real)
    save({"v": L.zeros(2)}, p)
    eq(load(p), {"v": L.zeros(2)})
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]


def test_truncated_and_corrupted_files_are_refused(tmp_path):
    p = tmp_path / "ckpt.pt"
    save({"w": L.randn(100), "h": [1, 2]}, p)
    data = p.read_bytes()
    for cut in (0, 3, 50, len(data) // 2, len(data) - 10):
        q = tmp_path / f"cut{cut}.pt"
        q.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match=f"luchina.load: {q}.*"
                                               "(truncated|corrupted|empty)"):
            load(q)
    bad = bytearray(data)
    i = data.index(b"\x93NUMPY") + 200  # inside the tensor bytes: the CRC check catches it
    bad[i] ^= 0xFF
    q = tmp_path / "flipped.pt"
    q.write_bytes(bytes(bad))
    with pytest.raises(RuntimeError, match="flipped.pt is truncated or corrupted.*CRC"):
        load(q)
    q = tmp_path / "text.pt"
    q.write_text("hello")
    with pytest.raises(RuntimeError, match="text.pt is not a luchina checkpoint"):
        load(q)
    q = tmp_path / "other.zip"
    with zipfile.ZipFile(q, "w") as zf:
        zf.writestr("readme.txt", "x")
    with pytest.raises(RuntimeError, match="zip archive but not a luchina checkpoint"):
        load(q)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > marker",))


def _archive(path, pkl, meta=None, storages=()):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/version", b"luchina-1\n")
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/tensors.json", json.dumps({"tensors": meta or []}))
        for key, arr in storages:
            out = io.BytesIO()
            np.lib.format.write_array(out, arr)
            zf.writestr(f"archive/data/{key}.npy", out.getvalue())


def test_hostile_pickle_is_refused_and_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "evil.pt"
    _archive(p, pickle.dumps({"w": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError) as e:
        load(p)
    msg = str(e.value)
    assert "system" in msg and "evil.pt" in msg and "weights_only=False" in msg \
        and "add_safe_globals" in msg
    assert not (tmp_path / "marker").exists()
    for proto in (0, 4, 5):
        _archive(p, pickle.dumps([Evil()], protocol=proto))
        with pytest.raises(pickle.UnpicklingError):
            load(p)
    # BUILD on a luchina object (e.g. rewriting a dtype singleton) is refused too
    pkl = (b"\x80\x04\x8c\x0eluchina._dtype\x8c\x08_by_name\x93\x8c\x07float32\x85R"
           b"}\x8c\x02np\x8c\x01x\x73b.")
    _archive(p, pkl)
    with pytest.raises(pickle.UnpicklingError, match="refused to set the state"):
        load(p)
    assert L.float32.np == np.float32
    assert not (tmp_path / "marker").exists()


def test_hostile_tensor_layouts_are_refused(tmp_path):
    p = tmp_path / "layout.pt"
    meta = [{"storage": 0, "offset": 2, "shape": [10], "strides": [1], "kind": "tensor",
             "requires_grad": False, "device": "cpu"}]
    _archive(p, _persistent_pickle(), meta, [(0, np.zeros(5, np.float32))])
    with pytest.raises(RuntimeError, match="reaches outside its storage"):
        load(p)
    meta[0].update(offset=0, shape=[2], strides=[-1])
    _archive(p, _persistent_pickle(), meta, [(0, np.zeros(5, np.float32))])
    with pytest.raises(RuntimeError, match="reaches outside"):
        load(p)
    _archive(p, _persistent_pickle(("t", 7)), meta, [(0, np.zeros(5, np.float32))])
    with pytest.raises(pickle.UnpicklingError, match="unknown persistent id"):
        load(p)
    _archive(p, _persistent_pickle(), meta, [(0, np.array([object()], dtype=object))])
    with pytest.raises(RuntimeError, match="corrupted"):
        load(p)


def _persistent_pickle(pid=("t", 0)):
    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return pid if obj == "TENSOR" else None
    buf = io.BytesIO()
    P(buf, 4).dump("TENSOR")
    return buf.getvalue()


class Custom:
    def __init__(self, v):
        self.v = v

    def __eq__(self, other):
        return type(other) is Custom and other.v == self.v


def test_weights_only_false_and_safe_globals():
    obj = {"c": Custom(L.ones(2).sum().item())}
    with pytest.raises(pickle.UnpicklingError, match="Custom"):
        roundtrip(obj)
    assert roundtrip(obj, weights_only=False) == obj
    with S.safe_globals([Custom]):
        assert roundtrip(obj) == obj
    with pytest.raises(pickle.UnpicklingError):
        roundtrip(obj)
    S.add_safe_globals([Custom])
    try:
        assert Custom in S.get_safe_globals() and roundtrip(obj) == obj
    finally:
        S.clear_safe_globals()
    eq(roundtrip({"t": L.ones(2)}, weights_only=False), {"t": L.ones(2)})
    with pytest.raises(pickle.UnpicklingError):
        roundtrip(np.array([None, 1], dtype=object))


def test_map_location(tmp_path):
    t = {"a": L.randn(3), "b": L.arange(2)}
    for ml in ("cpu", L.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage,
               lambda storage, loc: None):
        eq(roundtrip(t, map_location=ml), t)
    seen = []
    roundtrip(t, map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cpu", "cpu"]
    if not L.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available.*map_location='cpu'"):
            roundtrip(t, map_location="cuda")
        p = tmp_path / "gpu.pt"
        save(t, p)
        with zipfile.ZipFile(p) as zf:
            entries = {n: zf.read(n) for n in zf.namelist()}
        meta = json.loads(entries["archive/tensors.json"])
        for m in meta["tensors"]:
            m["device"] = "cuda:0"
        entries["archive/tensors.json"] = json.dumps(meta).encode()
        with zipfile.ZipFile(p, "w") as zf:
            for n, b in entries.items():
                zf.writestr(n, b)
        with pytest.raises(RuntimeError, match="saved on cuda:0.*CUDA is not available"):
            load(p)
        eq(load(p, map_location="cpu"), t)
        eq(load(p, map_location={"cuda:0": "cpu"}), t)


def test_other_formats_are_named(tmp_path):
    torch = pytest.importorskip("torch")
    p = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, p)
    with pytest.raises(RuntimeError, match="is a PyTorch checkpoint.*numpy.savez"):
        load(p)
    torch.save({"w": torch.ones(2)}, p, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy .*PyTorch checkpoint"):
        load(p)
    ST.save_file({"w": L.ones(2)}, tmp_path / "w.safetensors")
    with pytest.raises(RuntimeError, match="safetensors file.*load_file"):
        load(tmp_path / "w.safetensors")


# -- safetensors ---------------------------------------------------------------------------------
ST_TENSORS = {"f32": L.randn(3, 4), "f64": L.randn(2, dtype=L.float64), "f16": L.randn(5).half(),
              "i64": L.arange(3), "i32": L.arange(3, dtype=L.int32),
              "i16": L.arange(3, dtype=L.int16), "i8": L.tensor([-1, 2], dtype=L.int8),
              "u8": L.tensor([0, 255], dtype=L.uint8), "bool": L.tensor([True, False]),
              "scalar": L.tensor(2.5), "empty": L.zeros(0, 2), "view": L.randn(4, 3).t()}


def test_safetensors_roundtrip_and_format(tmp_path):
    p = tmp_path / "m.safetensors"
    ST.save_file(ST_TENSORS, p, metadata={"format": "pt"})
    out = ST.load_file(p)
    assert set(out) == set(ST_TENSORS)
    for k, v in ST_TENSORS.items():
        assert out[k].dtype is v.dtype and out[k].shape == v.shape
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())
    raw = p.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    assert n % 8 == 0 and header["__metadata__"] == {"format": "pt"}
    assert header["f32"] == {"dtype": "F32", "shape": [3, 4],
                             "data_offsets": header["f32"]["data_offsets"]}
    assert ST.load_metadata(p) == {"format": "pt"}
    back = ST.load(ST.save(ST_TENSORS))
    for k, v in ST_TENSORS.items():
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())
    out["f32"].add_(1.0)  # loaded tensors are writable
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]


def test_safetensors_errors(tmp_path):
    with pytest.raises(TypeError, match="expected a Tensor"):
        ST.save({"a": np.zeros(2)})
    with pytest.raises(TypeError, match="metadata must be a dict of str -> str"):
        ST.save({"a": L.zeros(1)}, metadata={"a": 1})
    good = ST.save({"a": L.zeros(4)})
    for bad, why in [(good[:4], "only 4 bytes"), (good[:-4], "data_offsets"),
                     (b"\xff" * 8 + good[8:], "header length"),
                     (good[:8] + b"[" + good[9:], "not JSON"), (good + b"xx", "trailing")]:
        with pytest.raises(ValueError, match=why):
            ST.load(bad)
    h = b'{"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}'
    with pytest.raises(TypeError, match="dtype U16"):
        ST.load(len(h).to_bytes(8, "little") + h + b"\0\0")
    h = b'{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}'
    with pytest.warns(UserWarning, match="bfloat16"):
        out = ST.load(len(h).to_bytes(8, "little") + h + b"\x80\x3f\x00\xc0")
    np.testing.assert_array_equal(out["a"].numpy(), [1.0, -2.0])


def test_safetensors_interoperates_with_the_safetensors_package(tmp_path):
    stn = pytest.importorskip("safetensors.numpy")
    p, q = tmp_path / "lu.safetensors", tmp_path / "st.safetensors"
    ST.save_file(ST_TENSORS, p, metadata={"k": "v"})
    theirs = stn.load(p.read_bytes())
    for k, v in ST_TENSORS.items():
        assert theirs[k].dtype == v.numpy().dtype
        np.testing.assert_array_equal(theirs[k], v.numpy())
    arrays = {k: np.ascontiguousarray(v.numpy()) for k, v in ST_TENSORS.items()}
    stn.save_file(arrays, q, metadata={"a": "b"})
    ours = ST.load_file(q)
    for k, v in arrays.items():
        np.testing.assert_array_equal(ours[k].numpy(), v)
    assert ST.load_metadata(q) == {"a": "b"}
