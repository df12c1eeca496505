"""Tensor: an n-d array (``_data``: numpy or cupy) plus the autograd bookkeeping around it.

Its math methods are the ops of ``luchina.ops``, bound at import time (see ``_bind_methods``),
so each method is the same function the ``luchina.*`` namespace exposes.
"""

import numpy as np

from luchina import _dtype
from luchina._device import CPU, device_of
from luchina.autograd.grad_mode import _mode

__all__ = ["Tensor", "Size"]


class Size(tuple):
    """torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


class _TensorType(type):
    """Tensor classes print under torch's names (``<class 'torch.Tensor'>``), as the notes show."""

    def __repr__(cls):
        name = cls.__dict__.get("_torch_name")
        return f"<class '{name}'>" if name else type.__repr__(cls)


class Tensor(metaclass=_TensorType):
    """torch.Tensor. ``Tensor(data)`` / ``Tensor(*sizes)`` is torch's legacy float constructor."""

    __slots__ = ("_data", "_rg", "_grad", "grad_fn", "_output_nr", "_vc", "_base", "_view_fn",
                 "_view_ver", "_hooks", "_retains_grad", "__weakref__")
    __array_priority__ = 1000  # numpy defers to Tensor's reflected operators
    _torch_name = "torch.Tensor"

    def __init__(self, *args, device=None, dtype=None):
        from luchina._creation import _legacy_tensor_data
        self._init(_legacy_tensor_data(args, _dtype.to_dtype(dtype) if dtype else None, device))

    def _init(self, data, requires_grad=False, grad_fn=None, nr=0):
        self._data = data
        self._rg = requires_grad
        self._grad = None
        self.grad_fn = grad_fn
        self._output_nr = nr
        self._vc = None
        self._base = None
        self._view_fn = None
        self._hooks = None
        self._retains_grad = False

    @classmethod
    def _make(cls, data, requires_grad=False, grad_fn=None, nr=0):
        """Wrap an array without copying or checks (internal fast path)."""
        if type(data) is not np.ndarray and isinstance(data, np.generic):
            data = np.asarray(data)  # numpy turns 0-d results into scalars; keep arrays
        t = object.__new__(Tensor)
        t._data = data
        t._rg = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = nr
        t._vc = None
        t._base = None
        t._view_fn = None
        t._hooks = None
        t._retains_grad = False
        return t

    # -- attributes ---------------------------------------------------------------------------
    @property
    def data(self):
        """A tensor sharing this one's memory, outside autograd (torch's ``.data``)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be set to a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and _mode.enabled:
            _warn_nonleaf_grad()
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: grad shape "
                                   f"{tuple(value.shape)}, tensor shape {tuple(self.shape)}")
            if value.dtype is not self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: grad is "
                                   f"{value.dtype}, tensor is {self.dtype}")
        self._grad = value

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """torch.Tensor.size"""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return CPU if type(self._data) is np.ndarray else device_of(self._data)

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def stride(self, dim=None):
        """Strides in elements, as torch reports them."""
        d = self._data
        if d.size == 0:  # numpy reports zeros; torch reports contiguous strides
            st, acc = [], 1
            for n in reversed(d.shape):
                st.append(acc)
                acc *= max(n, 1)
            st = tuple(reversed(st))
        else:
            st = tuple(s // d.itemsize for s in d.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim, "stride")]

    def data_ptr(self):
        d = self._data
        return d.ctypes.data if type(d) is np.ndarray else d.data.ptr

    def storage_offset(self):
        base = self._data
        while base.base is not None and hasattr(base.base, "ctypes"):
            base = base.base
        return (self.data_ptr() - Tensor._make(base).data_ptr()) // max(self._data.itemsize, 1)

    def untyped_storage(self):
        raise NotImplementedError("luchina tensors expose no storage objects; use .numpy()")

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    def _version_cell(self):
        """The version counter, shared with every view of the same memory."""
        vc = self._vc
        if vc is None:
            base = self._base
            vc = self._vc = [0, None] if base is None else base._version_cell()
        return vc

    def _bump_version(self, op):
        vc = self._vc if self._vc is not None else self._version_cell()
        vc[0] += 1
        vc[1] = op

    # -- autograd -----------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """torch.Tensor.requires_grad_"""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}; "
                "convert first with .float()")
        self._rg = bool(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """torch.Tensor.backward (create_graph=True is not supported yet)."""
        from luchina.autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing memory (and version counter) with this one, outside the graph."""
        t = Tensor._make(self._data)
        t._vc = self._version_cell()
        return t

    def detach_(self):
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` for a non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        from luchina.autograd.engine import RetainGrad
        self.grad_fn.add_pre_hook(self._output_nr, RetainGrad(self))

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from luchina.autograd.function import _Handle
        if self.grad_fn is not None:
            item = (self._output_nr, hook)
            self.grad_fn.add_pre_hook(*item)
            return _Handle(self.grad_fn.hooks, item)
        if self._hooks is None:
            self._hooks = {}
        key = object()
        self._hooks[key] = hook
        return _DictHandle(self._hooks, key)

    # -- conversion ---------------------------------------------------------------------------
    def numpy(self, *, force=False):
        """The array itself (shared memory); refuses tensors that require grad, as torch does."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if type(self._data) is not np.ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first.")
            return self._data.get()
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self._data if type(self._data) is np.ndarray else self._data.get()
        if dtype is not None:
            a = a.astype(dtype, copy=bool(copy))
        elif copy:
            a = a.copy()
        return a

    def item(self):
        """The single value as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item() if type(self._data) is np.ndarray else self._data.get().item()

    def tolist(self):
        return np.asarray(self).tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous "
                               f"(shape {tuple(self.shape)}); use .any() or .all()")
        return bool(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __contains__(self, element):
        return bool((self == element).any().item())

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor, (np.asarray(self), self._rg))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        t = type(self).__new__(type(self))
        Tensor._init(t, self._data.copy(), self._rg)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t

    # -- printing -----------------------------------------------------------------------------
    def __repr__(self, *, prefix="tensor(", indent=None):
        from luchina import _tensor_str
        suffixes = []
        d = self._data
        if self.device.type != "cpu":
            suffixes.append(f"device='{self.device}'")
        if _tensor_str.dtype_suffix_needed(d.dtype, _dtype.get_default_dtype().np,
                                           empty=d.size == 0):
            suffixes.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn.fn._backward_name}>")
        elif self._rg:
            suffixes.append("requires_grad=True")
        host = d if type(d) is np.ndarray else d.get()
        return _tensor_str.format_tensor(host, suffixes, prefix=prefix, indent=indent)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0 and type(self) is Tensor:  # torch formats 0-d as the number
            return self.item().__format__(spec)
        return object.__format__(str(self), spec)

    # -- devices and dtypes -------------------------------------------------------------------
    @property
    def is_mps(self):
        return False

    def get_device(self):
        return -1 if not self.is_cuda else self.device.index or 0

    def type(self, dtype=None, non_blocking=False):
        """Without arguments the legacy type name (``torch.FloatTensor``); otherwise a cast."""
        if dtype is None:
            kind = "cuda." if self.is_cuda else ""
            return f"torch.{kind}{_LEGACY_NAMES[self._data.dtype.name]}"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.rsplit(".", 1)[-1]
            dtype = {v: k for k, v in _LEGACY_NAMES.items()}[name]
        return self.to(_dtype.to_dtype(dtype))


def _rebuild_tensor(array, requires_grad):
    """Unpickling: a leaf tensor holding ``array``."""
    return Tensor._make(array, requires_grad)


def _warn_nonleaf_grad():
    import warnings
    warnings.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
        "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
        UserWarning, stacklevel=3)


class _DictHandle:
    def __init__(self, d, key):
        self._d, self._key = d, key

    def remove(self):
        self._d.pop(self._key, None)


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _wrap_dim(dim, ndim, op):
    """Turn a possibly negative dim into an index, with torch's IndexError when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _is_tensor(x):
    return isinstance(x, Tensor)


def _link():
    from luchina.autograd import function
    function.Tensor = Tensor


_link()
