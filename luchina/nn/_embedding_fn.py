"""embedding and embedding_bag: a gather forward whose backward adds into the used rows only."""

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.autograd.grad_mode import no_grad

__all__ = ["embedding", "embedding_bag"]


def _rows_add(xp, out, idx, rows):
    """out[idx[i]] += rows[i] for every i, repeated indices summed (sort + segment sums)."""
    if idx.size == 0:
        return out
    reduceat = getattr(xp.add, "reduceat", None)
    if reduceat is None:
        xp.add.at(out, idx, rows)
        return out
    order = xp.argsort(idx, kind="stable")
    s = idx[order]
    first = xp.empty(s.shape, dtype=bool)
    first[0] = True
    xp.not_equal(s[1:], s[:-1], out=first[1:])
    starts = xp.flatnonzero(first)
    out[s[starts]] += reduceat(rows[order], starts, axis=0)
    return out


def _check_indices(op, idx, n):
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {idx.dtype} instead (while checking arguments for {op}); "
            "convert the indices with .long()")
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise IndexError(f"index out of range in self ({op}: index {bad} is outside "
                         f"[0, {n}) for a weight with {n} rows)")


# -- embedding ---------------------------------------------------------------------------------
class Embedding(Function):
    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(idx)
        ctx.info = (weight.shape, padding_idx, scale_grad_by_freq)
        return ctx.xp.take(weight, idx, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved_tensors
        (n, d), pad, scale = ctx.info
        xp = ctx.xp
        flat = idx.reshape(-1)
        g = grad.reshape(-1, d)
        if scale:
            counts = xp.bincount(flat, minlength=n)
            g = g / counts[flat][:, None].astype(g.dtype)
        gw = _rows_add(xp, xp.zeros((n, d), dtype=grad.dtype), flat, g)
        if pad is not None:
            gw[pad] = 0
        return gw, None, None, None


def _renorm_(weight, idx, max_norm, norm_type):
    """torch.embedding_renorm_: rows used by idx with norm > max_norm are scaled down in place."""
    w = weight._data
    xp = weight.device.xp
    rows = xp.unique(idx.reshape(-1))
    sel = w[rows]
    norms = xp.linalg.norm(sel, ord=norm_type, axis=1) if norm_type != np.inf else \
        xp.abs(sel).max(axis=1)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sel[big] * scale[:, None]
        weight._bump_version("embedding_renorm_")


def _padding_index(padding_idx, n):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < n, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
        padding_idx += n
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """torch.nn.functional.embedding (sparse=True still produces a dense gradient)."""
    n = weight._data.shape[0]
    padding_idx = _padding_index(padding_idx, n)
    idx = input._data
    _check_indices("embedding", idx, n)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


# -- embedding_bag -----------------------------------------------------------------------------
class EmbeddingBag(Function):
    @staticmethod
    def forward(ctx, weight, psw, idx, counts, mode):
        xp = ctx.xp
        n_bags, d = counts.shape[0], weight.shape[1]
        rows = xp.take(weight, idx, axis=0)
        nonempty = counts > 0
        starts = (xp.cumsum(counts) - counts)[nonempty]
        out = xp.zeros((n_bags, d), dtype=weight.dtype)
        argmax = None
        if idx.size:
            if mode == "max":
                out[nonempty] = xp.maximum.reduceat(rows, starts, axis=0)
                # the first row reaching each maximum gets the gradient, as torch's max_indices
                bag = xp.repeat(xp.arange(n_bags), counts)
                pos = xp.where(rows == out[bag], xp.arange(idx.size)[:, None], idx.size)
                first = xp.minimum.reduceat(pos, starts, axis=0)
                argmax = xp.zeros((n_bags, d), dtype=idx.dtype)
                argmax[nonempty] = idx[first]
            else:
                if psw is not None:
                    rows = rows * psw[:, None]
                out[nonempty] = xp.add.reduceat(rows, starts, axis=0)
                if mode == "mean":
                    out[nonempty] /= counts[nonempty][:, None].astype(out.dtype)
        ctx.save_for_backward(idx)
        ctx.info = (weight.shape, counts, mode, argmax, nonempty, psw,
                    weight if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved_tensors
        (n, d), counts, mode, argmax, nonempty, psw, weight = ctx.info
        xp = ctx.xp
        gw = gpsw = None
        if ctx.needs_input_grad[0]:
            gw = xp.zeros((n, d), dtype=grad.dtype)
            if mode == "max":
                cols = xp.broadcast_to(xp.arange(d), argmax.shape)
                xp.add.at(gw, (argmax[nonempty], cols[nonempty]), grad[nonempty])
            else:
                g = grad
                if mode == "mean":
                    g = grad / xp.maximum(counts, 1)[:, None].astype(grad.dtype)
                rows = xp.repeat(g, counts, axis=0)
                if psw is not None:
                    rows = rows * psw[:, None]
                _rows_add(xp, gw, idx, rows)
        if ctx.needs_input_grad[1]:
            rows = xp.take(weight, idx, axis=0)
            gpsw = (xp.repeat(grad, counts, axis=0) * rows).sum(axis=1)
        return gw, gpsw, None, None, None


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """torch.nn.functional.embedding_bag (scale_grad_by_freq and sparse are not supported)."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    xp = weight.device.xp
    idx = input._data
    psw = per_sample_weights
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
        b, length = idx.shape
        bag = xp.repeat(xp.arange(b), length)
        idx = idx.reshape(-1)
        n_bags = b
        if psw is not None:
            psw = psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = offsets._data
        if off.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        if off.size and int(off[0]) != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                               f"mini-batch has to start from position 0. However, got "
                               f"{int(off[0])}")
        bounds = off if include_last_offset else xp.concatenate([off, xp.asarray([idx.size])])
        bounds = xp.minimum(bounds.astype(np.int64), idx.size)
        n_bags = bounds.size - 1
        bag = xp.repeat(xp.arange(n_bags), xp.diff(bounds))
        if bag.size < idx.size:
            raise RuntimeError("embedding_bag: offsets must be non-decreasing")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if scale_grad_by_freq:
        raise NotImplementedError("luchina: embedding_bag(scale_grad_by_freq=True) is not "
                                  "supported yet")
    n = weight._data.shape[0]
    _check_indices("embedding_bag", idx, n)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    padding_idx = _padding_index(padding_idx, n)
    if padding_idx is not None:
        keep = idx != padding_idx
        if not keep.all():
            idx, bag = idx[keep], bag[keep]
            if psw is not None:
                psw = Tensor._make(psw._data[keep]) if not psw._rg else psw[Tensor._make(keep)]
    counts = xp.bincount(bag, minlength=n_bags) if bag.size else xp.zeros(n_bags, np.int64)
    return EmbeddingBag.apply(weight, psw, idx, counts, mode)
