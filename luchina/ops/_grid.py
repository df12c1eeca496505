"""Grids from 1-D tensors: meshgrid and cartesian_prod (views and stacks of existing ops)."""

from luchina._tensor import Tensor

__all__ = ["meshgrid", "cartesian_prod"]


def _one_d_tensors(op, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i}, but got "
                            f"{type(t).__name__}")
        if t._data.ndim > 1:
            raise RuntimeError(f"{op}: Expected 0D or 1D tensor in the tensor list but got: "
                               f"a {t._data.ndim}-D tensor of shape {tuple(t.shape)} at index {i}")
    dts = {t.dtype for t in tensors}
    if len(dts) > 1:
        raise RuntimeError(f"{op}: expects all tensors to have the same dtype, got "
                           f"{sorted(str(d) for d in dts)}; convert them with .to(dtype) first")
    devs = {t.device for t in tensors}
    if len(devs) > 1:
        raise RuntimeError(f"{op}: expects all tensors to be on the same device, got "
                           f"{sorted(str(d) for d in devs)}")
    return tensors


def meshgrid(*tensors, indexing=None):
    """torch.meshgrid: broadcast views of 1-D tensors; indexing defaults to 'ij' as in torch
    (torch also warns when indexing is not given; luchina does not)."""
    from luchina.ops._views import expand
    from luchina.ops.shape import reshape
    tensors = _one_d_tensors("torch.meshgrid", tensors)
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    n = len(tensors)
    swap = indexing == "xy" and n >= 2
    order = list(range(n))
    if swap:  # 'xy': the first two tensors' axes trade places (Cartesian indexing)
        order[0], order[1] = 1, 0
    sizes = [t._data.size for t in tensors]
    full = tuple(sizes[order[k]] for k in range(n))
    out = []
    for i, t in enumerate(tensors):
        shape = [1] * n
        shape[order.index(i)] = sizes[i]
        out.append(expand(reshape(t, tuple(shape)), full))
    return tuple(out)


def cartesian_prod(*tensors):
    """torch.cartesian_prod: every combination of the 1-D inputs' elements, one per row."""
    from luchina.ops._join import stack
    from luchina.ops.shape import reshape
    tensors = _one_d_tensors("torch.cartesian_prod", tensors)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], dim=1)
