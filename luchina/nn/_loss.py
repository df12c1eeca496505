"""Loss functions of nn.functional, each one fused node (see ``_loss_fn``) with torch's
reductions, legacy ``size_average``/``reduce`` arguments, warnings and errors."""

import warnings

import numpy as np

from luchina import _dtype
from luchina.nn import _loss_fn as L

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
           "cosine_embedding_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def legacy_reduction(size_average, reduce, emit=True):
    """torch's mapping of the deprecated size_average/reduce pair to a reduction string."""
    if emit:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      "reduction='sum' instead.", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _reduction(reduction, size_average, reduce, allowed=_REDUCTIONS):
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _size(shape):
    return f"torch.Size({list(shape)})"


def _same_dtype(a, b):
    if a._data.dtype == b._data.dtype:
        return a, b
    dt = _dtype.result_type(a, b)
    return (a if a.dtype is dt else a.to(dt)), (b if b.dtype is dt else b.to(dt))


def _pointwise(fn, input, target, weight, reduction, p):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({_size(target.shape)}) that is different to the "
                      f"input size ({_size(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=3)
    input, target = _same_dtype(input, target)
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        weight = weight._data
    return fn.apply(input, target, weight, reduction, p)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """torch.nn.functional.mse_loss"""
    reduction = _reduction(reduction, size_average, reduce)
    return _pointwise(L.MseLoss, input, target, weight, reduction, None)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """torch.nn.functional.l1_loss"""
    reduction = _reduction(reduction, size_average, reduce)
    return _pointwise(L.L1_BY_REDUCTION[reduction], input, target, weight, reduction, None)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """torch.nn.functional.smooth_l1_loss"""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:  # torch hands beta=0 to l1_loss
        return _pointwise(L.L1_BY_REDUCTION[reduction], input, target, None, reduction, None)
    return _pointwise(L.SmoothL1Loss, input, target, None, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """torch.nn.functional.huber_loss"""
    reduction = _reduction(reduction, None, None)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise(L.HuberLoss, input, target, weight, reduction, float(delta))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """torch.nn.functional.binary_cross_entropy (each log clamped at -100, as torch)"""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({_size(target.shape)}) that is different to the "
                         f"input size ({_size(input.shape)}) is deprecated. Please ensure they "
                         "have the same size.")
    x = input._data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1 (binary_cross_entropy "
                           "takes probabilities: apply torch.sigmoid first, or use "
                           "binary_cross_entropy_with_logits on the raw scores)")
    input, target = _same_dtype(input, target)
    w = None if weight is None else weight._data.astype(input._data.dtype, copy=False)
    return L.BinaryCrossEntropy.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """torch.nn.functional.binary_cross_entropy_with_logits (the log-sigmoid form: stable)"""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({_size(target.shape)}) must be the same as input size "
                         f"({_size(input.shape)})")
    input, target = _same_dtype(input, target)
    dt = input._data.dtype
    w = None if weight is None else weight._data.astype(dt, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(dt, copy=False)
    return L.BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)


def _class_targets(op, input, target, weight, ignore_index):
    """Validate class-index targets (and weights) with errors that say how to fix them."""
    x, t = input._data, target._data
    if x.ndim == 0:
        raise RuntimeError(f"{op}: input must have a class dimension, got a 0-d tensor")
    c = x.shape[1] if x.ndim > 1 else x.shape[0]
    want = "()" if x.ndim == 1 else "(N,)" if x.ndim == 2 else "(N, d1, ...)"
    if t.dtype != np.int64 and t.dtype != np.uint8:
        fix = "target.squeeze(1).long()" if t.ndim == 2 and t.shape[1] == 1 and x.ndim == 2 \
            else "target.long()"
        extra = ", or BCEWithLogitsLoss for 0/1 targets" if t.dtype.kind == "f" else ""
        raise RuntimeError(f"{op}: target must hold class indices as int64 with shape {want}, "
                           f"got {t.dtype.name} {tuple(t.shape)}; use {fix}{extra}")
    if x.ndim <= 2:
        if t.ndim != x.ndim - 1:
            fix = "; use target.squeeze(1)" if t.ndim == 2 and t.shape[1] == 1 else ""
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported "
                               f"({op}: input {tuple(x.shape)} needs target shape {want}, got "
                               f"{tuple(t.shape)}{fix})")
        if x.ndim == 2 and t.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target "
                             f"batch_size ({t.shape[0]}).")
    elif t.shape != (x.shape[0],) + x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0], *x.shape[2:]]}, got "
                           f"{list(t.shape)} ({op}: input {tuple(x.shape)})")
    if t.size:
        lo, hi = int(t.min()), int(t.max())
        if lo < 0 or hi >= c:
            bad = t[(t != ignore_index) & ((t < 0) | (t >= c))]
            if bad.size:
                raise IndexError(f"Target {int(bad.reshape(-1)[0])} is out of bounds. ({op}: "
                                 f"input has {c} classes, so targets must be in [0, {c - 1}])")
    if weight is None:
        return None
    w = weight._data
    if w.ndim != 1 or w.shape[0] != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(w.shape)}")
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.from_numpy_dtype(x.dtype)} but found "
                           f"{_dtype.from_numpy_dtype(w.dtype)} ({op}: convert the weight with "
                           ".to(input.dtype))")
    return w


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """torch.nn.functional.cross_entropy: one fused log-softmax + NLL node."""
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    eps = float(label_smoothing)
    if target._data.dtype.kind == "f" and target.shape == input.shape:
        input, target = _same_dtype(input, target)
        w = None
        if weight is not None:
            c = input.shape[1] if input.ndim > 1 else input.shape[0]
            if tuple(weight.shape) != (c,):
                raise RuntimeError(f"weight tensor should be defined either for all {c} classes "
                                   f"or no classes but got weight tensor of shape: "
                                   f"{list(weight.shape)}")
            w = weight._data.astype(input._data.dtype, copy=False)
        fn = L.CrossEntropyProbMean if reduction == "mean" else L.CrossEntropyProb
        return fn.apply(input, target, w, eps, reduction)
    w = _class_targets("cross_entropy", input, target, weight, ignore_index)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"cross_entropy: input must be a float tensor of scores, got "
                           f"{input.dtype}; use input.float()")
    fn = L.CrossEntropySmooth if eps else L.CrossEntropy2D if input.ndim >= 3 else L.CrossEntropy
    return fn.apply(input, target, w, ignore_index, eps, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """torch.nn.functional.nll_loss"""
    reduction = _reduction(reduction, size_average, reduce)
    w = _class_targets("nll_loss", input, target, weight, ignore_index)
    fn = L.NllLoss2D if input.ndim >= 3 else L.NllLoss
    return fn.apply(input, target, w, ignore_index, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """torch.nn.functional.kl_div (input holds log-probabilities)"""
    reduction = _reduction(reduction, size_average, reduce, _REDUCTIONS + ("batchmean",))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    input, target = _same_dtype(input, target)
    name = L.KL_NAMES.get(reduction) or ("MulBackward0" if log_target else "SubBackward0")
    return _KL[name].apply(input, target, reduction, bool(log_target))


_KL = {n: type("KlDiv", (L.KlDiv,), {"_backward_name": n})
       for n in ("MeanBackward0", "SumBackward0", "DivBackward0", "MulBackward0", "SubBackward0")}
_COS = {r: type("CosineEmbedding", (L.CosineEmbedding,), {"_backward_name": n})
        for r, n in L.COSINE_NAMES.items()}


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """torch.nn.functional.cosine_embedding_loss (target holds 1 or -1)"""
    reduction = _reduction(reduction, size_average, reduce)
    t = target._data
    if t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != t.ndim + 1 or input2.ndim != t.ndim + 1:
        raise RuntimeError(f"{t.ndim}D target tensor expects {t.ndim + 1}D input tensors, but "
                           f"found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    input1, input2 = _same_dtype(input1, input2)
    return _COS[reduction].apply(input1, input2, t, float(margin), reduction)
