"""Fused forward/backward of the layers: embedding, embedding_bag, dropout, layer_norm,
batch_norm and bilinear, one graph node each (torch's node names)."""

import numpy as np

from luchina._random import rng
from luchina.autograd.function import Function
from luchina.nn._embedding_fn import embedding, embedding_bag
from luchina.ops._util import inplace

__all__ = ["embedding", "embedding_bag", "dropout", "layer_norm", "batch_norm", "bilinear"]


# -- dropout -----------------------------------------------------------------------------------
class Dropout(Function):
    _backward_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None


def _dropout_mask(x, p, generator=None):
    d = x._data
    r = rng(generator).random(d.shape, dtype=np.float64 if d.dtype == np.float64 else np.float32)
    mask = np.multiply(r >= p, 0.0 if p == 1 else 1.0 / (1.0 - p), dtype=d.dtype)
    return mask if type(d) is np.ndarray else x.device.xp.asarray(mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout: zeroes with probability p, scales the rest by 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    mask = _dropout_mask(input, p)
    if inplace:
        return _inplace(input, "dropout_", lambda t, m: Dropout.apply(t, m), (mask,))
    return Dropout.apply(input, mask)


_inplace = inplace


# -- layer_norm --------------------------------------------------------------------------------
class LayerNorm(Function):
    _backward_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        xp = ctx.xp
        axes = tuple(range(x.ndim - k, x.ndim))
        xhat = x - x.mean(axis=axes, keepdims=True)
        var = xp.square(xhat).mean(axis=axes, keepdims=True)
        rstd = 1.0 / xp.sqrt(var + eps)
        xhat *= rstd
        if w is not None:
            out = xhat * w
            if b is not None:
                out += b
        else:
            out = xhat + b if b is not None else xhat.copy()
        ctx.save_for_backward(xhat, rstd, w)
        ctx.axes = axes
        return out

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, w = ctx.saved_tensors
        axes = ctx.axes
        lead = tuple(range(grad.ndim - len(axes)))
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if nx:
            gh = grad * w if w is not None else grad
            m1 = gh.mean(axis=axes, keepdims=True)
            m2 = (gh * xhat).mean(axis=axes, keepdims=True)
            gx = (gh - m1 - xhat * m2) * rstd
        if nw:
            gw = (grad * xhat).sum(axis=lead)
        if nb:
            gb = grad.sum(axis=lead)
        return gx, gw, gb, None, None


def _same_dtype(op, input, *others):
    """torch refuses normalisation layers whose parameters have another dtype than the input."""
    for t in others:
        if t is not None and t._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"mixed dtype (CPU): all inputs must share same datatype. ({op}: input is "
                f"{input.dtype}, a parameter or running statistic is {t.dtype}; convert the "
                f"model with .to({input.dtype}) or the input with .to({t.dtype}))")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """torch.nn.functional.layer_norm"""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    shape = tuple(input.shape)
    if k == 0 or shape[len(shape) - k:] != normalized_shape or len(shape) < k:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, normalized_shape))}], but got "
                           f"input of size{list(shape)}")
    _same_dtype("layer_norm", input, weight, bias)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"layer_norm: {name} of shape {tuple(t.shape)} must have the "
                               f"normalized_shape {normalized_shape}")
    return LayerNorm.apply(input, weight, bias, k, eps)


# -- batch_norm --------------------------------------------------------------------------------
class BatchNorm(Function):
    _backward_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, training, momentum, eps):
        xp = ctx.xp
        axes = (0,) + tuple(range(2, x.ndim))
        bshape = (x.shape[1],) + (1,) * (x.ndim - 2)
        if training:
            mean = x.mean(axis=axes)
            xhat = x - mean.reshape(bshape)
            var = xp.square(xhat).mean(axis=axes)
            if rm is not None:
                n = x.size // x.shape[1]
                rm *= 1.0 - momentum
                rm += momentum * mean
            if rv is not None:
                rv *= 1.0 - momentum
                rv += (momentum * n / max(n - 1, 1)) * var
        else:
            xhat = x - rm.reshape(bshape)
            var = rv
        rstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False).reshape(bshape)
        xhat *= rstd
        out = xhat * w.reshape(bshape) if w is not None else xhat.copy()
        if b is not None:
            out += b.reshape(bshape)
        ctx.save_for_backward(xhat, rstd, w)
        ctx.info = (axes, bshape, training)
        return out

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, w = ctx.saved_tensors
        axes, bshape, training = ctx.info
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if nx:
            gh = grad * w.reshape(bshape) if w is not None else grad
            if training:
                m1 = gh.mean(axis=axes, keepdims=True)
                m2 = (gh * xhat).mean(axis=axes, keepdims=True)
                gx = (gh - m1 - xhat * m2) * rstd
            else:
                gx = gh * rstd
        if nw:
            gw = (grad * xhat).sum(axis=axes)
        if nb:
            gb = grad.sum(axis=axes)
        return gx, gw, gb, None, None, None, None, None


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """torch.nn.functional.batch_norm: running statistics are updated in place when training."""
    _same_dtype("batch_norm", input, weight, bias, running_mean, running_var)
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, *), got {tuple(x.shape)}")
    if training:
        per_channel = x.size // x.shape[1] if x.shape[1] else 0
        if per_channel <= 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be given when "
                           "training=False")
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    out = BatchNorm.apply(input, weight, bias, rm, rv, bool(training), momentum, eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._bump_version("batch_norm")
    return out


# -- bilinear ----------------------------------------------------------------------------------
class Bilinear(Function):
    _backward_name = "AddBackward0"

    @staticmethod
    def forward(ctx, x1, x2, w, b):
        o, i, j = w.shape
        lead = x1.shape[:-1]
        a = x1.reshape(-1, i)
        c = x2.reshape(-1, j)
        # u[n, o, j] = sum_i a[n, i] w[o, i, j]: one GEMM
        u = (a @ w.transpose(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
        out = ctx.xp.matmul(u, c[:, :, None])[..., 0]
        if b is not None:
            out += b
        ctx.save_for_backward(a, c, w)
        ctx.lead = lead
        return out.reshape(*lead, o)

    @staticmethod
    def backward(ctx, grad):
        a, c, w = ctx.saved_tensors
        xp = ctx.xp
        o, i, j = w.shape
        g = grad.reshape(-1, o)
        n1, n2, nw, nb = ctx.needs_input_grad
        g1 = g2 = gw = gb = None
        if n1:  # sum_o,j g[n,o] w[o,i,j] c[n,j]
            v = (c @ w.transpose(2, 0, 1).reshape(j, o * i)).reshape(-1, o, i)
            g1 = xp.matmul(g[:, None, :], v)[:, 0].reshape(*ctx.lead, i)
        if n2:
            u = (a @ w.transpose(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
            g2 = xp.matmul(g[:, None, :], u)[:, 0].reshape(*ctx.lead, j)
        if nw:
            outer = (a[:, :, None] * c[:, None, :]).reshape(-1, i * j)
            gw = (g.T @ outer).reshape(o, i, j)
        if nb:
            gb = g.sum(axis=0)
        return g1, g2, gw, gb


class BilinearNoBias(Bilinear):
    _backward_name = "ViewBackward0"


def bilinear(input1, input2, weight, bias=None):
    """torch.nn.functional.bilinear: x1^T A x2 + b over the last dimension."""
    s1, s2, sw = tuple(input1.shape), tuple(input2.shape), tuple(weight.shape)
    if len(sw) != 3 or s1[:-1] != s2[:-1] or s1[-1:] != sw[1:2] or s2[-1:] != sw[2:]:
        raise RuntimeError(f"bilinear: input1 {s1} and input2 {s2} must agree in all but the "
                           f"last dimension, and their last dimensions must match weight "
                           f"(out_features, in1_features, in2_features) = {sw}")
    return (Bilinear if bias is not None else BilinearNoBias).apply(input1, input2, weight, bias)
