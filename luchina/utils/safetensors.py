"""The safetensors format, written and read without the ``safetensors`` package.

A file is: 8 bytes (little-endian u64) N, N bytes of JSON header (padded with spaces to a multiple
of 8), then the raw little-endian, row-major tensor bytes. The header maps each name to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the byte buffer) and may hold
``"__metadata__"``: a str -> str dict. Files interoperate with ``safetensors.numpy`` / ``.torch``.
"""

import json
import os
import warnings

import numpy as np

from luchina._atomic import atomic_open
from luchina._tensor import Tensor

__all__ = ["save", "save_file", "load", "load_file"]

_TO_NP = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
          "I8": "i1", "U8": "u1", "BOOL": "?"}
_FROM_NP = {np.dtype(v).str.lstrip("<|"): k for k, v in _TO_NP.items()}
_MAX_HEADER = 100_000_000


def _header_and_arrays(tensors, metadata):
    if not isinstance(tensors, dict):
        raise TypeError(f"safetensors.save: tensors must be a dict of name -> Tensor, got "
                        f"{type(tensors).__name__}")
    header = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safetensors.save: metadata must be a dict of str -> str")
        header["__metadata__"] = metadata
    def order(kv):
        return (-_as_array(kv[0], kv[1]).itemsize, kv[0])

    # the widest dtypes first, then by name, as the safetensors package orders them, so every
    # tensor stays aligned to its item size inside the 8-aligned buffer
    arrays, offset = [], 0
    for name, t in sorted(tensors.items(), key=order):
        a = _as_array(name, t)
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a).reshape(a.shape)  # ascontiguousarray makes 0-d 1-d
        code = _FROM_NP.get(a.dtype.str.lstrip("<|="))
        if code is None:
            raise TypeError(f"safetensors.save: tensor {name!r} has unsupported dtype {a.dtype}")
        if a.dtype.byteorder == ">":
            a = a.astype(a.dtype.newbyteorder("<"))
        header[name] = {"dtype": code, "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        arrays.append(a)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw, arrays


def _as_array(name, t):
    if isinstance(name, str) and isinstance(t, Tensor):
        d = t._data
        return d if type(d) is np.ndarray else d.get()
    if not isinstance(name, str):
        raise TypeError(f"safetensors.save: tensor names must be str, got {type(name).__name__}")
    raise TypeError(f"safetensors.save: {name!r} is a {type(t).__name__}, expected a Tensor")


def save(tensors, metadata=None):
    """safetensors.torch.save: the file's bytes."""
    head, arrays = _header_and_arrays(tensors, metadata)
    return head + b"".join(a.tobytes() for a in arrays)


def save_file(tensors, filename, metadata=None):
    """safetensors.torch.save_file; written atomically (temporary file, then rename)."""
    head, arrays = _header_and_arrays(tensors, metadata)
    with atomic_open(filename) as fh:
        fh.write(head)
        for a in arrays:
            fh.write(memoryview(a.reshape(-1)).cast("B"))


def _parse(buf, name, device):
    """Tensors viewing the writable buffer ``buf`` (a bytearray holding the whole file)."""
    def bad(why):
        return ValueError(f"safetensors: {name} is not a valid safetensors file: {why}")
    if len(buf) < 8:
        raise bad(f"only {len(buf)} bytes")
    n = int.from_bytes(buf[:8], "little")
    if n > _MAX_HEADER or 8 + n > len(buf):
        raise bad(f"header length {n} does not fit in {len(buf)} bytes")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad(f"header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise bad("header is not a JSON object")
    header.pop("__metadata__", None)
    data = memoryview(buf)[8 + n:]
    spans, out = [], {}
    for key, info in header.items():
        try:
            dt, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (TypeError, KeyError, ValueError):
            raise bad(f"entry {key!r} lacks dtype/shape/data_offsets") from None
        if dt == "BF16":
            np_dt = np.dtype("<u2")
        elif dt in _TO_NP:
            np_dt = np.dtype(_TO_NP[dt])
        else:
            raise TypeError(f"safetensors: tensor {key!r} in {name} has dtype {dt}, which "
                            "luchina does not support (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)")
        if not all(type(s) is int and s >= 0 for s in shape):
            raise bad(f"entry {key!r} has shape {shape}")
        count = int(np.prod(shape, dtype=np.int64))
        if type(begin) is not int or type(end) is not int or not 0 <= begin <= end <= len(data) \
                or end - begin != count * np_dt.itemsize:
            raise bad(f"entry {key!r} has data_offsets {[begin, end]} for shape {shape} "
                      f"{dt} in a buffer of {len(data)} bytes")
        spans.append((begin, end))
        a = np.frombuffer(data, dtype=np_dt, count=count, offset=begin).reshape(tuple(shape))
        if not a.flags.aligned:
            a = a.copy()
        if dt == "BF16":  # bfloat16 is the top half of a float32
            warnings.warn(f"safetensors: {key!r} is bfloat16, loaded as float32", stacklevel=3)
            a = (a.astype(np.uint32) << 16).view(np.float32)
        elif np_dt.byteorder == "<" and not np.little_endian:
            a = a.astype(np_dt.newbyteorder("="))
        t = Tensor._make(a)
        out[key] = t if str(device) == "cpu" else t.to(device)
    pos = 0
    for begin, end in sorted(spans):
        if begin != pos:
            raise bad("the tensors overlap or leave holes in the byte buffer")
        pos = end
    if pos != len(data):
        raise bad(f"{len(data) - pos} trailing bytes after the last tensor")
    return out


def load(data, device="cpu"):
    """safetensors.torch.load: tensors from a file's bytes."""
    return _parse(bytearray(data), "<bytes>", device)


def load_file(filename, device="cpu"):
    """safetensors.torch.load_file: a dict of tensors (sharing one buffer read from the file)."""
    path = os.fspath(filename)
    with open(path, "rb") as fh:
        buf = bytearray(os.fstat(fh.fileno()).st_size)
        n = fh.readinto(buf)
    return _parse(buf[:n] if n != len(buf) else buf, path, device)


def load_metadata(filename):
    """The ``__metadata__`` dict of a file (None when it has none)."""
    with open(os.fspath(filename), "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        if n > _MAX_HEADER:
            raise ValueError(f"safetensors: {filename} has an implausible header length {n}")
        return json.loads(fh.read(n)).get("__metadata__")
