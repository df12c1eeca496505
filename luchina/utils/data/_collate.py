"""default_collate / default_convert: samples -> batches, with errors that name the field."""

import collections.abc
import copy

import numpy as np

from luchina import _dtype
from luchina._tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_TYPE_MSG = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
             "found {}")


def default_collate(batch):
    """torch.utils.data.default_collate; errors name the field, the samples and what they hold."""
    return _collate(batch, ())


def _where(path):
    if not path:
        return "the batch"
    return "field " + ".".join(repr(p) if isinstance(p, str) else str(p) for p in path) + \
        " of the batch"


def _mixed(batch, path, kind):
    for i, b in enumerate(batch):
        if not isinstance(b, kind):
            raise TypeError(f"default_collate: {_where(path)} mixes types: sample 0 is "
                            f"{type(batch[0]).__name__}, sample {i} is {type(b).__name__}; "
                            "make every sample return the same structure")


def _shape_error(arrays, path, what):
    s0 = tuple(arrays[0].shape)
    for i, a in enumerate(arrays):
        if tuple(a.shape) != s0:
            return RuntimeError(
                f"default_collate: {_where(path)} has {what} of different shapes: sample 0 is "
                f"{s0}, sample {i} is {tuple(a.shape)}; pad them "
                "(luchina.nn.utils.rnn.pad_sequence) in a collate_fn")
    return None


def _stack(arrays, batch, path, what):
    """Stack raw arrays along a new dim 0 with torch's promotion when the dtypes differ."""
    a0 = arrays[0]
    xp = np if type(a0) is np.ndarray else _xp(a0)
    try:
        out = xp.stack(arrays)
    except ValueError:
        err = _shape_error(arrays, path, what)
        if err is None:
            raise
        raise err from None
    if out.dtype != a0.dtype:  # numpy promotes differently from torch (int64 + float32)
        dt = _dtype.from_numpy_dtype(a0.dtype)
        for a in arrays[1:]:
            dt = _dtype.promote_types(dt, _dtype.from_numpy_dtype(a.dtype))
        out = xp.stack([a.astype(dt.np, copy=False) for a in arrays])
    return out


def _xp(a):
    from luchina._device import array_module
    return array_module(a)


def _collate_tensors(batch, path):
    try:
        arrays = [t._data for t in batch]
    except AttributeError:
        _mixed(batch, path, Tensor)
        raise
    for t in batch:
        if t._rg:  # keep the graph: stacking tensors that require grad is differentiable
            from luchina.ops._join import stack
            err = _shape_error(arrays, path, "tensors")
            if err is not None:
                raise err
            return stack(batch, 0)
    return Tensor._make(_stack(arrays, batch, path, "tensors"))


def _collate_arrays(batch, path):
    elem = batch[0]
    if elem.dtype.kind in "USOV":
        raise TypeError(_TYPE_MSG.format(elem.dtype) + f" (in {_where(path)})")
    for b in batch:
        if not isinstance(b, np.ndarray):
            _mixed(batch, path, np.ndarray)
    out = _stack(batch, batch, path, "numpy arrays")
    _dtype.from_numpy_dtype(out.dtype)
    return Tensor._make(out)


def _collate_sequence(batch, path, elem):
    n = len(elem)
    for i, b in enumerate(batch):
        if not isinstance(b, collections.abc.Sequence) or isinstance(b, (str, bytes)):
            _mixed(batch, path, type(elem))
        if len(b) != n:
            raise RuntimeError(f"each element in list of batch should be of equal size "
                               f"(default_collate: in {_where(path)} sample 0 has {n} fields, "
                               f"sample {i} has {len(b)}; pad them in a collate_fn)")
    transposed = list(zip(*batch))
    if isinstance(elem, tuple):
        if hasattr(elem, "_fields"):  # namedtuple
            return type(elem)(*(_collate(s, path + (f,)) for f, s in zip(elem._fields,
                                                                          transposed)))
        return [_collate(s, path + (i,)) for i, s in enumerate(transposed)]
    out = [_collate(s, path + (i,)) for i, s in enumerate(transposed)]
    if type(elem) is list:
        return out
    try:
        return type(elem)(out)
    except TypeError:  # the sequence type cannot be built from a list
        return out


def _collate_mapping(batch, path, elem):
    try:
        result = {key: _collate([d[key] for d in batch], path + (key,)) for key in elem}
    except (KeyError, TypeError) as e:
        for i, d in enumerate(batch):
            if not isinstance(d, collections.abc.Mapping):
                _mixed(batch, path, collections.abc.Mapping)
            if set(d) != set(elem):
                raise KeyError(f"default_collate: in {_where(path)} sample 0 has keys "
                               f"{sorted(map(str, elem))}, sample {i} has "
                               f"{sorted(map(str, d))}") from None
        raise e
    if type(elem) is dict:
        return result
    if isinstance(elem, collections.abc.MutableMapping):
        clone = copy.copy(elem)
        clone.update(result)
        return clone
    try:
        return type(elem)(result)
    except TypeError:
        return result


def _collate(batch, path):
    if not len(batch):
        raise IndexError(f"default_collate: {_where(path)} is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _collate_tensors(batch, path)
    if isinstance(elem, np.ndarray):
        return _collate_arrays(batch, path)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, (np.bool_, np.number)):
        return _collate_arrays([np.asarray(b) for b in batch], path)
    if isinstance(elem, float):
        try:
            return Tensor._make(np.array(batch, dtype=np.float64))
        except (TypeError, ValueError):
            _mixed(batch, path, (int, float))
            raise
    if isinstance(elem, int):
        if type(elem) is int and all(type(b) is int for b in batch):
            try:
                return Tensor._make(np.array(batch, dtype=np.int64))
            except OverflowError:
                pass
        from luchina._creation import tensor
        try:
            return tensor(list(batch))  # bools -> bool, ints mixed with floats -> float32
        except (TypeError, ValueError):
            _mixed(batch, path, (int, float))
            raise
    if isinstance(elem, collections.abc.Mapping):
        return _collate_mapping(batch, path, elem)
    if isinstance(elem, collections.abc.Sequence):
        return _collate_sequence(batch, path, elem)
    raise TypeError(_TYPE_MSG.format(type(elem)) + f" (in {_where(path)})")


def default_convert(data):
    """torch.utils.data.default_convert: numpy arrays and scalars inside ``data`` -> tensors."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        if data.dtype.kind in "USOV":
            return data
        _dtype.from_numpy_dtype(data.dtype)
        return Tensor._make(data)
    if isinstance(data, (np.bool_, np.number)):
        return Tensor._make(np.asarray(data))
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        result = {k: default_convert(v) for k, v in data.items()}
        if type(data) is dict:
            return result
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(result)
            return clone
        try:
            return type(data)(result)
        except TypeError:
            return result
    if isinstance(data, tuple):
        if hasattr(data, "_fields"):
            return type(data)(*(default_convert(d) for d in data))
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        out = [default_convert(d) for d in data]
        if type(data) is list:
            return out
        try:
            return type(data)(out)
        except TypeError:
            return out
    return data
