"""luchina.save / luchina.load: checkpoints that loading can never turn into code execution.

A checkpoint is a zip archive (stored, not compressed) holding
  archive/version        b"luchina-1"
  archive/data.pkl       the object graph, pickled; every tensor, numpy array and numpy scalar in
                         it is replaced by a persistent id ("t", serial)
  archive/tensors.json   per serial: storage key, element offset, shape, strides (in elements),
                         kind (tensor/parameter/ndarray/scalar), requires_grad, device
  archive/data/K.npy     one .npy file (numpy's format, no pickle) per storage
Views of one array share a storage entry when that costs no more than saving them apart
(``{'w': w, 'wt': w.t()}`` is written once and loads as a tensor and its view); a lone small view
of a big array is saved by itself, unlike torch, which writes the whole storage.

``load(weights_only=True)`` (the default) unpickles with an allow-list: containers, numbers,
strings, OrderedDict, luchina dtypes/devices/Size and the persistent ids above; anything else is
refused with ``pickle.UnpicklingError`` before it is called.
"""

import collections
import io
import json
import os
import pickle
import zipfile

import numpy as np

from luchina import _dtype
from luchina._atomic import atomic_open
from luchina._device import device as Device
from luchina._tensor import Size, Tensor

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]

_PREFIX = "archive/"
_VERSION = b"luchina-1\n"
_TORCH_LEGACY_MAGIC = (0x1950A86A20F9469CFC6C).to_bytes(10, "little")

_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("luchina._dtype", "_by_name"): _dtype._by_name,
    ("luchina._device", "device"): Device,
    ("luchina._tensor", "Size"): Size,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "slice"): slice,
}
_user_safe = {}


def add_safe_globals(safe_globals):
    """torch.serialization.add_safe_globals: let weights_only=True load these classes/functions."""
    for g in safe_globals:
        obj, name = (g if isinstance(g, tuple) else (g, None))
        _user_safe[(obj.__module__, name or obj.__qualname__)] = obj


def get_safe_globals():
    """torch.serialization.get_safe_globals"""
    return list(_user_safe.values())


def clear_safe_globals():
    """torch.serialization.clear_safe_globals"""
    _user_safe.clear()


class safe_globals:
    """torch.serialization.safe_globals: add_safe_globals for the duration of a with block."""

    def __init__(self, safe_globals):
        self._globals = safe_globals

    def __enter__(self):
        self._saved = dict(_user_safe)
        add_safe_globals(self._globals)

    def __exit__(self, *exc):
        _user_safe.clear()
        _user_safe.update(self._saved)


# -- save -------------------------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    """Pickles the object graph with tensors and numpy arrays swapped for persistent ids."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.items = []  # serial -> (host array, kind, requires_grad, device)
        self.serials = {}

    def persistent_id(self, obj):
        if isinstance(obj, Tensor):
            kind = "parameter" if type(obj).__name__ == "Parameter" else "tensor"
            d = obj._data
            host = d if type(d) is np.ndarray else d.get()
            entry = (host, kind, bool(obj._rg), str(obj.device))
        elif type(obj) is np.ndarray:
            if obj.dtype.hasobject:
                return None  # pickled as usual; weights_only=True will refuse it at load
            entry = (obj, "ndarray", False, "cpu")
        elif isinstance(obj, (np.number, np.bool_)):
            entry = (np.asarray(obj), "scalar", False, "cpu")
        else:
            return None
        key = id(obj)
        serial = self.serials.get(key)
        if serial is None:
            serial = self.serials[key] = len(self.items)
            self.items.append(entry + (obj,))  # holding obj keeps its id unique while saving
        return ("t", serial)


def _root(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _c_strides(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return list(reversed(st))


def _plan(items):
    """Group arrays by the memory they view: (storages, per-serial metadata)."""
    groups = {}
    for serial, item in enumerate(items):
        root = _root(item[0])
        groups.setdefault(id(root), (root, []))[1].append(serial)
    storages, meta = [], [None] * len(items)
    for root, serials in groups.values():
        arrays = [items[s][0] for s in serials]
        size = root.itemsize
        base = root.__array_interface__["data"][0]
        shared = (root.flags.c_contiguous and not root.dtype.hasobject
                  and sum(a.nbytes for a in arrays) >= root.nbytes
                  and all(a.dtype == root.dtype
                          and (a.__array_interface__["data"][0] - base) % size == 0
                          and all(s % size == 0 for s in a.strides) for a in arrays))
        if shared:
            key = len(storages)
            storages.append(root.reshape(-1))
        for s, a in zip(serials, arrays):
            _, kind, rg, dev, _ = items[s]
            if shared:
                off = (a.__array_interface__["data"][0] - base) // size
                strides = [st // size for st in a.strides]
            else:
                key, off, strides = len(storages), 0, _c_strides(a.shape)
                storages.append(np.ascontiguousarray(a).reshape(-1))
            meta[s] = {"storage": key, "offset": off, "shape": list(a.shape),
                       "strides": strides, "kind": kind, "requires_grad": rg, "device": dev}
    return storages, meta


def _write_archive(obj, fh, protocol):
    buf = io.BytesIO()
    pickler = _Pickler(buf, protocol)
    pickler.dump(obj)
    storages, meta = _plan(pickler.items)
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(_PREFIX + "version", _VERSION)
        zf.writestr(_PREFIX + "data.pkl", buf.getvalue())
        zf.writestr(_PREFIX + "tensors.json", json.dumps({"tensors": meta}))
        for key, arr in enumerate(storages):
            with zf.open(f"{_PREFIX}data/{key}.npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, arr, allow_pickle=False)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """torch.save; a path is written atomically (temporary file, fsync, rename).

    The format is luchina's own (see the module docstring); pickle protocol 4 at least is used.
    """
    protocol = max(int(pickle_protocol), 4)
    if not isinstance(f, (str, os.PathLike)):
        if not hasattr(f, "write"):
            raise TypeError(f"save: f must be a path or a binary file object, got "
                            f"{type(f).__name__}")
        _write_archive(obj, f, protocol)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    with atomic_open(path) as fh:
        _write_archive(obj, fh, protocol)


# -- load -------------------------------------------------------------------------------------
def _refuse(module, name, fname):
    return pickle.UnpicklingError(
        f"luchina.load: weights_only=True refused to load the global {module}.{name} found in "
        f"{fname}. Only tensors, numpy arrays, numbers, strings, containers, OrderedDict and "
        "luchina dtypes/devices are allowed, so that loading cannot run code. If the class is "
        f"yours and harmless, allow it with luchina.serialization.add_safe_globals([{name}]); "
        "if you trust the file completely, use luchina.load(f, weights_only=False), which runs "
        "any code the file contains.")


class _SafeUnpickler(pickle._Unpickler):
    """Pure-Python unpickler whose globals and BUILD targets are allow-listed."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, reader):
        super().__init__(file)
        self._reader = reader

    def find_class(self, module, name):
        obj = _ALLOWED.get((module, name)) or _user_safe.get((module, name))
        if obj is None:
            raise _refuse(module, name, self._reader.name)
        return obj

    def persistent_load(self, pid):
        return self._reader.item(pid)

    def load_build(self):
        inst = self.stack[-2]  # the state is on top, its target below
        cls = type(inst)
        if cls is not collections.OrderedDict and cls not in _user_safe.values():
            raise pickle.UnpicklingError(
                f"luchina.load: weights_only=True refused to set the state of a "
                f"{cls.__name__} object in {self._reader.name}")
        pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = load_build


class _FullUnpickler(pickle.Unpickler):
    def __init__(self, file, reader):
        super().__init__(file)
        self._reader = reader

    def persistent_load(self, pid):
        return self._reader.item(pid)


def _parameter_class():
    try:
        from luchina.nn import Parameter
        return Parameter
    except ImportError:
        return None


class _Reader:
    """Reads storages and rebuilds tensors (each once) for the unpickler."""

    def __init__(self, zf, name, meta, map_location):
        self.zf, self.name, self.meta, self.map_location = zf, name, meta, map_location
        self.storages, self.items = {}, {}

    def bad(self, why):
        return RuntimeError(f"luchina.load: {self.name} is corrupted: {why}")

    def storage(self, key):
        arr = self.storages.get(key)
        if arr is None:
            if type(key) is not int:
                raise self.bad(f"storage key {key!r} is not an integer")
            with self.zf.open(f"{_PREFIX}data/{key}.npy") as fh:
                arr = np.lib.format.read_array(fh, allow_pickle=False)
            if arr.ndim != 1:
                raise self.bad(f"storage {key} is not flat")
            self.storages[key] = arr
        return arr

    def item(self, pid):
        if type(pid) is not tuple or len(pid) != 2 or pid[0] != "t" or type(pid[1]) is not int \
                or not 0 <= pid[1] < len(self.meta):
            raise pickle.UnpicklingError(f"luchina.load: unknown persistent id {pid!r} in "
                                         f"{self.name}")
        obj = self.items.get(pid[1])
        if obj is None:
            obj = self.items[pid[1]] = self.build(self.meta[pid[1]])
        return obj

    def build(self, m):
        storage = self.storage(m["storage"])
        shape, strides, off = m["shape"], m["strides"], m["offset"]
        ints = [off, *shape, *strides]
        if len(shape) != len(strides) or any(type(v) is not int for v in ints) or off < 0 \
                or any(n < 0 for n in shape):
            raise self.bad(f"invalid tensor layout {m!r}")
        if 0 not in shape:  # every element the view can reach must lie inside its storage
            lo = off + sum(min(0, s * (n - 1)) for n, s in zip(shape, strides))
            hi = off + sum(max(0, s * (n - 1)) for n, s in zip(shape, strides))
            if lo < 0 or hi >= storage.size:
                raise self.bad(f"tensor layout {m!r} reaches outside its storage of "
                               f"{storage.size} elements")
        size = storage.itemsize
        arr = np.ndarray(tuple(shape), storage.dtype, buffer=storage,
                         offset=off * size if storage.size else 0,
                         strides=tuple(s * size for s in strides))
        kind = m["kind"]
        if kind == "ndarray":
            return arr
        if kind == "scalar":
            return arr[()]
        if kind not in ("tensor", "parameter"):
            raise self.bad(f"unknown kind {kind!r}")
        _dtype.from_numpy_dtype(arr.dtype)
        t = self.place(Tensor._make(arr), str(m["device"]))
        if m["requires_grad"]:
            t.requires_grad_(True)
        if kind == "parameter":
            P = _parameter_class()
            if P is not None:
                t = P(t, requires_grad=bool(m["requires_grad"]))
        return t

    def place(self, t, saved):
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, Device)):
            out = ml(t, saved)
            return t if out is None else out
        if ml is None:
            target = saved
        elif isinstance(ml, dict):
            target = ml.get(saved, saved)
        else:
            target = ml
        target = Device(target)
        if target.type == "cpu":
            return t
        if target.type == "cuda":
            from luchina._device import cuda_is_available
            if not cuda_is_available():
                raise RuntimeError(
                    f"luchina.load: {self.name} holds tensors saved on {saved} (mapped to "
                    f"{target}), but CUDA is not available. On a CPU-only machine use "
                    "luchina.load(f, map_location='cpu').")
        return t.to(target)


_CONVERT = ("Convert it with PyTorch: sd = torch.load(path, map_location='cpu'); numpy.savez("
            "'weights.npz', **{k: v.numpy() for k, v in sd.items()}); then in luchina: "
            "{k: luchina.from_numpy(v) for k, v in numpy.load('weights.npz').items()} (or use "
            "safetensors on both sides).")


def _sniff(head, name):
    """A RuntimeError naming what the file is, for files that are not luchina archives."""
    if head.startswith(b"\x80") and _TORCH_LEGACY_MAGIC in head[:32]:
        return RuntimeError(
            f"luchina.load: {name} is a legacy (pre-1.6) PyTorch checkpoint, which luchina "
            "cannot read. " + _CONVERT)
    if len(head) >= 10 and head[8:10] == b'{"':
        return RuntimeError(f"luchina.load: {name} is a safetensors file; read it with "
                            "luchina.utils.safetensors.load_file")
    if not head:
        return RuntimeError(f"luchina.load: {name} is empty (0 bytes); was the save interrupted?")
    return RuntimeError(f"luchina.load: {name} is not a luchina checkpoint: it is not a zip "
                        "archive (the file is truncated, corrupted or of another format)")


def _torch_zip_error(name):
    return RuntimeError(f"luchina.load: {name} is a PyTorch checkpoint (written by torch.save); "
                        "luchina cannot read PyTorch's storage format. " + _CONVERT)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """torch.load for files written by luchina.save; ``weights_only`` defaults to True.

    weights_only=False unpickles anything, so a hostile file can run code: use it only for
    files you trust. ``mmap`` is accepted and ignored; PyTorch files are detected and refused.
    """
    if weights_only is None:
        weights_only = True
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(name, "rb") as fh:
            return _load(fh, name, map_location, weights_only)
    name = getattr(f, "name", None) or f"<{type(f).__name__}>"
    return _load(f, str(name), map_location, weights_only)


def _load(fh, name, map_location, weights_only):
    start = fh.tell() if fh.seekable() else 0
    head = fh.read(64)
    fh.seek(start)
    if not head.startswith(b"PK"):
        raise _sniff(head, name)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise RuntimeError(f"luchina.load: {name} is truncated or corrupted: it is not a "
                           f"readable zip archive ({e}); was the save interrupted?") from None
    with zf:
        names = set(zf.namelist())
        if _PREFIX + "data.pkl" not in names or _PREFIX + "version" not in names:
            if any(n.endswith("/data.pkl") for n in names):
                raise _torch_zip_error(name)
            raise RuntimeError(f"luchina.load: {name} is a zip archive but not a luchina "
                               "checkpoint (no archive/data.pkl)")
        try:
            version = zf.read(_PREFIX + "version")
            if not version.startswith(b"luchina"):
                raise _torch_zip_error(name)
            meta = json.loads(zf.read(_PREFIX + "tensors.json"))["tensors"]
            if not isinstance(meta, list) or not all(isinstance(m, dict) for m in meta):
                raise RuntimeError(f"luchina.load: {name} is corrupted: bad tensors.json")
            data = zf.read(_PREFIX + "data.pkl")
            reader = _Reader(zf, name, meta, map_location)
            unpickler = (_SafeUnpickler if weights_only else _FullUnpickler)(io.BytesIO(data),
                                                                             reader)
            return unpickler.load()
        except (zipfile.BadZipFile, EOFError, KeyError, ValueError, TypeError, OSError) as e:
            if isinstance(e, pickle.UnpicklingError):
                raise
            raise RuntimeError(f"luchina.load: {name} is truncated or corrupted "
                               f"({type(e).__name__}: {e})") from None
