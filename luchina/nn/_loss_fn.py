"""The fused Functions behind nn.functional's losses: one graph node per loss, reductions inside.

Each forward returns the reduced loss; each backward scales the pointwise derivative by the
upstream gradient (divided by the mean's denominator). Public functions: ``_loss.py``.
"""

import numpy as np

from luchina.autograd.function import Function

__all__ = []

_EPS_BCE = 1e-12  # torch's floor for x(1 - x) in binary_cross_entropy's gradient


def _reduce(xp, loss, reduction, denom=None):
    if reduction == "none":
        return loss
    s = loss.sum()
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):  # all targets ignored: nan
            s = s / (loss.size if denom is None else denom)
    return xp.asarray(s, dtype=loss.dtype)


def _scale(grad, reduction, n):
    """The factor each pointwise derivative gets from the upstream gradient."""
    if reduction == "mean":
        # every target ignored: the loss is 0/0 = nan, but nothing flows back (as in torch)
        return grad / n if n else grad * 0
    return grad  # 'sum': a 0-d array that broadcasts; 'none': elementwise


# -- regression losses: loss(d) with d = input - target ------------------------------------------
class MseLoss(Function):
    @staticmethod
    def value(xp, d, p):
        return d * d

    @staticmethod
    def deriv(xp, d, p):
        return d * 2.0

    @classmethod
    def forward(cls, ctx, x, y, w, reduction, p):
        d = x - y
        loss = cls.value(ctx.xp, d, p)
        denom = None
        if w is not None:
            loss *= w
            # torch: mse and l1 divide a weighted sum by the weights' sum, huber by the count
            denom = w.sum() if cls.weighted_mean_by_sum else None
        ctx.r = (reduction, loss.size if denom is None else denom, p, w)
        ctx.save_for_backward(d)
        return _reduce(ctx.xp, loss, reduction, denom)

    weighted_mean_by_sum = True

    @classmethod
    def backward(cls, ctx, grad):
        (d,) = ctx.saved_tensors
        reduction, n, p, w = ctx.r
        g = cls.deriv(ctx.xp, d, p)
        g *= _scale(grad, reduction, n)
        if w is not None:
            g *= w
        nx, ny = ctx.needs_input_grad[:2]
        return (g if nx else None), (-g if ny else None), None, None, None


class L1Loss(MseLoss):
    @staticmethod
    def value(xp, d, p):
        return xp.abs(d)

    @staticmethod
    def deriv(xp, d, p):
        return xp.sign(d)


class SmoothL1Loss(MseLoss):
    @staticmethod
    def value(xp, d, p):
        a = xp.abs(d)
        m = xp.minimum(a, p)  # 0.5 min(a, b)^2 / b + (a - min(a, b)): both pieces, no select
        a -= m
        m *= m
        m *= 0.5 / p
        return m + a

    @staticmethod
    def deriv(xp, d, p):
        if p == 0:
            return xp.sign(d)
        return xp.clip(d * (1.0 / p), -1.0, 1.0)


class HuberLoss(MseLoss):
    weighted_mean_by_sum = False

    @staticmethod
    def value(xp, d, p):
        a = xp.abs(d)
        m = xp.minimum(a, p)  # 0.5 min(a, delta)^2 + delta (a - min(a, delta)): no select
        a -= m
        a *= p
        m *= m
        m *= 0.5
        return m + a

    @staticmethod
    def deriv(xp, d, p):
        return xp.clip(d, -p, p)


L1_NAMES = {"mean": "MeanBackward0", "sum": "SumBackward0", "none": "AbsBackward0"}
L1_BY_REDUCTION = {r: type("L1Loss", (L1Loss,), {"_backward_name": n})
                   for r, n in L1_NAMES.items()}


# -- binary cross-entropy -----------------------------------------------------------------------
class BinaryCrossEntropy(Function):
    @staticmethod
    def forward(ctx, x, y, w, reduction):
        xp = ctx.xp
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped at -100 as in torch
            log_x = xp.maximum(xp.log(x), -100.0)
            log_1mx = xp.maximum(xp.log1p(-x), -100.0)
        loss = log_x * y
        loss += (1.0 - y) * log_1mx
        loss = -loss
        if w is not None:
            loss *= w
        ctx.r = (reduction, loss.size, w)
        ctx.save_for_backward(x, y)
        return _reduce(xp, loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        xp = ctx.xp
        reduction, n, w = ctx.r
        s = _scale(grad, reduction, n)
        if w is not None:
            s = s * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = (x - y) / xp.maximum((1.0 - x) * x, _EPS_BCE) * s
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gy = (xp.maximum(xp.log1p(-x), -100.0) - xp.maximum(xp.log(x), -100.0)) * s
        return gx, gy, None, None


def _log_sigmoid(xp, x):
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))  # finite for any finite x


def _sigmoid(xp, x):
    s = xp.tanh(x * 0.5)
    s *= 0.5
    s += 0.5
    return s


class BinaryCrossEntropyWithLogits(Function):
    @staticmethod
    def forward(ctx, x, y, w, pw, reduction):
        xp = ctx.xp
        ls = _log_sigmoid(xp, x)
        # (1 - y) x - lw log(sigmoid(x)), lw = 1 + (pos_weight - 1) y: the stable form
        lw = None if pw is None else (pw - 1.0) * y + 1.0
        loss = (1.0 - y) * x
        loss -= ls if lw is None else lw * ls
        if w is not None:
            loss *= w
        ctx.r = (reduction, loss.size, w, pw, lw)
        ctx.save_for_backward(x, y)
        return _reduce(xp, loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        xp = ctx.xp
        reduction, n, w, pw, lw = ctx.r
        s = _scale(grad, reduction, n)
        if w is not None:
            s = s * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            sig = _sigmoid(xp, x)
            gx = (sig - y) if pw is None else (lw * sig - pw * y)
            gx *= s
        if ctx.needs_input_grad[1]:
            gy = -x if pw is None else -x - (pw - 1.0) * _log_sigmoid(xp, x)
            gy = gy * s
        return gx, gy, None, None, None


# -- class-index losses -------------------------------------------------------------------------
def rows(x, t=None):
    """(C,) / (N, C) / (N, C, d1, ...) input as (M, C) rows, with its (M,) targets."""
    if x.ndim == 1:
        x2 = x.reshape(1, -1)
    elif x.ndim == 2:
        x2 = x
    else:
        c = x.shape[1]
        x2 = x.reshape(x.shape[0], c, -1).swapaxes(1, 2).reshape(-1, c)
    return x2 if t is None else (x2, t.reshape(-1))


def unrows(g, shape):
    """Gradient rows (M, C) back to the input's layout."""
    if len(shape) <= 2:
        return g.reshape(shape)
    n, c = shape[0], shape[1]
    return g.reshape(n, -1, c).swapaxes(1, 2).reshape(shape)


def _targets(xp, t, ignore_index, w, dtype):
    """Safe gather indices, the mask of counted targets and each target's weight."""
    valid = t != ignore_index
    all_valid = bool(valid.all())
    ts = t if all_valid else xp.where(valid, t, 0)
    if w is None:
        wt = valid.astype(dtype)
    else:
        wt = w[ts]
        if not all_valid:
            wt *= valid
    return ts, valid, wt


class NllLoss(Function):
    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction):
        xp = ctx.xp
        x2, t2 = rows(x, t)
        ts, valid, wt = _targets(xp, t2, ignore_index, w, x.dtype)
        loss = -x2[xp.arange(x2.shape[0]), ts] * wt
        denom = wt.sum()
        ctx.r = (reduction, denom, ts, wt, x.shape, t.shape)
        if reduction == "none":
            return loss.reshape(t.shape)
        return _reduce(xp, loss, reduction, denom)

    @staticmethod
    def backward(ctx, grad):
        reduction, denom, ts, wt, shape, tshape = ctx.r
        xp = ctx.xp
        m = ts.shape[0]
        s = _scale(grad.reshape(-1) if reduction == "none" else grad, reduction, denom)
        g = xp.zeros((m, shape[1] if len(shape) > 1 else shape[0]), dtype=wt.dtype)
        g[xp.arange(m), ts] = -(wt * s)
        return unrows(g, shape), None, None, None, None


class NllLoss2D(NllLoss):
    pass


class CrossEntropy(Function):
    """log-softmax + NLL in one node; backward is (softmax - onehot) scaled by the weights."""

    _backward_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, eps, reduction):
        xp = ctx.xp
        x2, t2 = rows(x, t)
        m, c = x2.shape
        ts, valid, wt = _targets(xp, t2, ignore_index, w, x.dtype)
        s = x2 - x2.max(axis=1, keepdims=True)  # shifted by the max: exp never overflows
        e = xp.exp(s)
        se = e.sum(axis=1)
        lse = xp.log(se)
        idx = xp.arange(m)
        loss = (lse - s[idx, ts]) * wt  # -log p[target] * weight[target]
        if eps:
            ww = 1.0 if w is None else w
            big_w = float(c) if w is None else w.sum()
            # -sum_c w_c log p_c = W lse - sum_c w_c s_c, over the counted rows
            smooth = lse * big_w - (s.sum(axis=1) if w is None else s @ w)
            valid = valid.astype(x.dtype)  # a bool array times a Python float is float64
            loss = loss * (1.0 - eps) + smooth * (valid * (eps / c))
            ctx.smooth = (ww, big_w, valid)
        denom = wt.sum()
        ctx.r = (reduction, denom, ts, wt, eps, x.shape)
        ctx.save_for_backward(e, se)
        if reduction == "none":
            return loss.reshape(t.shape)
        return _reduce(xp, loss, reduction, denom)

    @staticmethod
    def backward(ctx, grad):
        e, se = ctx.saved_tensors
        reduction, denom, ts, wt, eps, shape = ctx.r
        xp = ctx.xp
        m, c = e.shape
        s = _scale(grad.reshape(-1) if reduction == "none" else grad, reduction, denom)
        s = xp.broadcast_to(s, (m,))
        hard = wt * s if not eps else wt * (s * (1.0 - eps))
        coef = hard
        if eps:
            ww, big_w, valid = ctx.smooth
            soft = valid * s * (eps / c)
            coef = hard + soft * big_w
        g = e * (coef / se)[:, None]  # softmax, scaled per row
        g[xp.arange(m), ts] -= hard
        if eps:
            g -= soft[:, None] * ww
        return unrows(g.astype(e.dtype, copy=False), shape), None, None, None, None, None


class CrossEntropy2D(CrossEntropy):
    _backward_name = "NllLoss2DBackward0"


class CrossEntropySmooth(CrossEntropy):
    _backward_name = "AddBackward0"


class CrossEntropyProb(Function):
    """cross-entropy against class probabilities (target shaped like the input)."""

    _backward_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x, y, w, eps, reduction):
        xp = ctx.xp
        x2, y2 = rows(x), rows(y)
        c = x2.shape[1]
        if eps:
            y2 = y2 * (1.0 - eps) + eps / c
        logp = x2 - x2.max(axis=1, keepdims=True)
        logp -= xp.log(xp.exp(logp).sum(axis=1, keepdims=True))
        wy = y2 if w is None else y2 * w
        loss = -(wy * logp).sum(axis=1)
        m = loss.shape[0]
        ctx.r = (reduction, m, eps, x.shape, w)
        ctx.save_for_backward(logp, wy)
        if reduction == "none":
            return loss.reshape((x.shape[0],) + x.shape[2:] if x.ndim > 1 else ())
        return _reduce(xp, loss, reduction, m)

    @staticmethod
    def backward(ctx, grad):
        logp, wy = ctx.saved_tensors
        reduction, m, eps, shape, w = ctx.r
        xp = ctx.xp
        s = _scale(grad.reshape(-1) if reduction == "none" else grad, reduction, m)
        s = xp.broadcast_to(s, (m,))[:, None]
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = xp.exp(logp)
            gx *= wy.sum(axis=1, keepdims=True)
            gx -= wy
            gx *= s
            gx = unrows(gx, shape)
        if ctx.needs_input_grad[1]:
            gy = logp * (-(1.0 - eps) if eps else -1.0)
            if w is not None:
                gy *= w
            gy *= s
            gy = unrows(gy, shape)
        return gx, gy, None, None, None


class CrossEntropyProbMean(CrossEntropyProb):
    _backward_name = "DivBackward1"


# -- divergence and embedding losses ------------------------------------------------------------
class KlDiv(Function):
    @staticmethod
    def forward(ctx, x, y, reduction, log_target):
        xp = ctx.xp
        if log_target:
            ey = xp.exp(y)
            loss = ey * (y - x)
        else:
            ly = xp.log(y + (y == 0))  # xlogy: 0 log 0 = 0
            loss = y * ly - y * x
            ey = ly
        n = loss.size if reduction == "mean" else (x.shape[0] if x.ndim else 1)
        ctx.r = (reduction, n, log_target)
        ctx.save_for_backward(x, y, ey)
        return _reduce(xp, loss, "mean" if reduction == "batchmean" else reduction, n)

    @staticmethod
    def backward(ctx, grad):
        x, y, ey = ctx.saved_tensors
        reduction, n, log_target = ctx.r
        s = _scale(grad, "mean" if reduction == "batchmean" else reduction, n)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = (ey if log_target else y) * -s
        if ctx.needs_input_grad[1]:
            gy = (ey * (y - x + 1.0) if log_target else ey + 1.0 - x) * s
        return gx, gy, None, None


KL_NAMES = {"mean": "MeanBackward0", "sum": "SumBackward0", "batchmean": "DivBackward0"}


class CosineEmbedding(Function):
    @staticmethod
    def forward(ctx, x1, x2, t, margin, reduction):
        xp = ctx.xp
        prod = (x1 * x2).sum(axis=-1)
        a = (x1 * x1).sum(axis=-1) + 1e-12
        b = (x2 * x2).sum(axis=-1) + 1e-12
        den = xp.sqrt(a * b)
        cos = prod / den
        pos = t == 1
        neg = (t == -1) & (cos - margin >= 0)
        loss = xp.where(pos, 1.0 - cos, 0.0) + xp.where(neg, cos - margin, 0.0)
        loss = loss.astype(x1.dtype, copy=False)
        ctx.r = (reduction, loss.size)
        ctx.save_for_backward(x1, x2, cos, a, b, den, pos, neg)
        return _reduce(xp, loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x1, x2, cos, a, b, den, pos, neg = ctx.saved_tensors
        reduction, n = ctx.r
        dcos = (neg.astype(x1.dtype) - pos) * _scale(grad, reduction, n)
        dcos = dcos[..., None]
        g1 = (x2 / den[..., None] - x1 * (cos / a)[..., None]) * dcos
        g2 = (x1 / den[..., None] - x2 * (cos / b)[..., None]) * dcos
        return g1, g2, None, None, None


COSINE_NAMES = {"mean": "MeanBackward0", "sum": "SumBackward0", "none": "AddBackward0"}
