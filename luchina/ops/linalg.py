"""Matrix products: matmul in every torch case, mm, bmm, dot, mv, outer, addmm, and the fused
linear (one GEMM plus bias) that nn.Linear runs."""

import math

from luchina._tensor import Tensor
from luchina.autograd.function import Function
from luchina.ops._util import check_same_device

__all__ = [
    "addmm",
    "baddbmm",
    "bmm",
    "dot",
    "einsum",
    "ger",
    "inner",
    "linear",
    "matmul",
    "mm",
    "mv",
    "outer",
    "tensordot",
    "vdot",
]


def _shape_str(s):
    return "x".join(str(n) for n in s) if s else "scalar"


def _check(op, a, b):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        bad = b if isinstance(a, Tensor) else a
        raise TypeError(f"{op}(): argument must be Tensor, not {type(bad).__name__}")
    if type(a._data) is not type(b._data):
        check_same_device(op, a, b)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"{op}: expected both operands to have the same dtype, but got {a.dtype} and "
            f"{b.dtype} (shapes {tuple(a.shape)} and {tuple(b.shape)}); convert one, e.g. "
            "with .float() or .to(other.dtype)")
    if a._data.ndim == 0 or b._data.ndim == 0:
        raise RuntimeError(f"{op}: both arguments need at least 1 dimension, got "
                           f"{a._data.ndim}D and {b._data.ndim}D")


class MatMul(Function):
    """a @ b for any torch case; batch broadcasting is reduced by the engine."""

    _backward_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if na else None), (grad * a if nb else None)
        if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
            if na:
                ga = grad[..., None] * b
            if nb:
                gb = xp.tensordot(grad, a, axes=(tuple(range(grad.ndim)),) * 2)
            return ga, gb
        if a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
            if na:
                ga = xp.matmul(b, grad[..., None])[..., 0]
                if ga.ndim > 1:
                    ga = ga.reshape(-1, a.shape[0]).sum(axis=0)
            if nb:
                gb = a[:, None] * grad[..., None, :]
            return ga, gb
        if na:
            if a.ndim == 2 and b.ndim > 2:  # shared matrix times a batch: fold the batch
                ga = _fold(xp, grad, b, transpose_b=True)
            else:
                ga = xp.matmul(grad, xp.swapaxes(b, -1, -2))
        if nb:
            if b.ndim == 2 and a.ndim > 2:
                gb = xp.matmul(a.reshape(-1, a.shape[-1]).T, grad.reshape(-1, grad.shape[-1]))
            else:
                gb = xp.matmul(xp.swapaxes(a, -1, -2), grad)
        return ga, gb


def _fold(xp, grad, b, transpose_b):
    # sum_batch grad[i] @ b[i].T  ==  (n, batch*m) @ (batch*m, k)
    n, m = grad.shape[-2], grad.shape[-1]
    k = b.shape[-2]
    gb = xp.broadcast_to(grad, (*b.shape[:-2], n, m)) if grad.ndim < b.ndim else grad
    lhs = xp.moveaxis(gb, -2, 0).reshape(n, -1)
    bb = xp.broadcast_to(b, (*gb.shape[:-2], k, m))
    rhs = xp.moveaxis(bb, -2, -1).reshape(-1, k)
    return lhs @ rhs


class Mm(MatMul):
    pass


class Bmm(MatMul):
    pass


class Dot(MatMul):
    pass


class Mv(MatMul):
    pass


class MatBatch(MatMul):
    _backward_name = "CloneBackward0"  # torch's name for a 2-D matrix times a batch


class Vdot(MatMul):
    pass


class VecMat(MatMul):
    _backward_name = "SqueezeBackward4"  # torch computes (k,) @ (k, m) as a squeezed mm


def matmul(input, other, *, out=None):
    """torch.matmul: 1-D/2-D/batched, with broadcasting of batch dimensions."""
    _check("matmul", input, other)
    a, b = input._data, other._data
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        if a.ndim <= 2 and b.ndim <= 2:
            sa = a.shape if a.ndim == 2 else (1, a.shape[0])
            sb = b.shape if b.ndim == 2 else (b.shape[0], 1)
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_str(sa)} and {_shape_str(sb)})")
        raise RuntimeError(f"matmul: inner dimensions differ: {tuple(a.shape)} @ {tuple(b.shape)} "
                           f"({k_a} != {k_b})")
    if a.ndim == 2 and b.ndim == 2:
        res = Mm.apply(input, other)
    elif a.ndim == 1 and b.ndim == 1:
        res = Dot.apply(input, other)
    elif a.ndim == 2 and b.ndim == 1:
        res = Mv.apply(input, other)
    elif a.ndim == 1 and b.ndim == 2:
        res = VecMat.apply(input, other)
    else:
        try:
            res = (MatBatch if a.ndim == 2 else MatMul).apply(input, other)
        except ValueError:
            raise RuntimeError(f"matmul: batch dimensions of {tuple(a.shape)} and "
                               f"{tuple(b.shape)} cannot be broadcast together") from None
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(res, out)
    return res


def _need_dims(op, t, n, what):
    if t._data.ndim != n:
        raise RuntimeError(f"{op}: {what} must be a {n}D tensor, got {t._data.ndim}D with shape "
                           f"{tuple(t.shape)}")


def mm(input, mat2, *, out=None):
    """torch.mm: 2-D @ 2-D, no broadcasting."""
    _check("mm", input, mat2)
    _need_dims("mm", input, 2, "self")
    _need_dims("mm", mat2, 2, "mat2")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    """torch.bmm: (b, n, k) @ (b, k, m), no broadcasting."""
    _check("bmm", input, mat2)
    _need_dims("bmm", input, 3, "batch1")
    _need_dims("bmm", mat2, 3, "batch2")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"bmm: batch1 and batch2 must have the same batch size, got "
                           f"{input._data.shape[0]} and {mat2._data.shape[0]}")
    if input._data.shape[2] != mat2._data.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    res = Bmm.apply(input, mat2)
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(res, out)
    return res


def dot(input, other, *, out=None):
    """torch.dot: two 1-D tensors of equal length."""
    _check("dot", input, other)
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    if input._data.shape != other._data.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] "
                           f"and src [{other._data.shape[0]}] to have the same number of "
                           "elements, but got different numbers of elements")
    return matmul(input, other, out=out)


def vdot(input, other, *, out=None):
    """torch.vdot (real tensors: the same as dot)"""
    dot(input, other)  # the checks and errors of dot
    res = Vdot.apply(input, other)
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(res, out)
    return res


def inner(input, other):
    """torch.inner"""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    return matmul(input, other.transpose(-1, -2) if other._data.ndim > 1 else other)


def mv(input, vec, *, out=None):
    """torch.mv: 2-D @ 1-D."""
    _check("mv", input, vec)
    _need_dims("mv", input, 2, "self")
    _need_dims("mv", vec, 1, "vec")
    return matmul(input, vec, out=out)


def outer(input, vec2, *, out=None):
    """torch.outer"""
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: expected 1D tensors, got {input._data.ndim}D and "
                           f"{vec2._data.ndim}D")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


class Linear(Function):
    """x @ w.T + b in one GEMM and an in-place bias add."""

    _backward_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        out = x @ w.T
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = grad @ w if nx else None
        gw = gb = None
        if grad.ndim > 2:
            grad = grad.reshape(-1, grad.shape[-1])
            x = x.reshape(-1, x.shape[-1])
        if nw:
            gw = grad.T @ x if grad.ndim == 2 else ctx.xp.outer(grad, x)
        if nb:
            gb = grad.sum(axis=0) if grad.ndim == 2 else grad
        return gx, gw, gb


class LinearNoBias(Linear):
    _backward_name = "MmBackward0"


class LinearND(Linear):
    _backward_name = "ViewBackward0"  # torch folds batch dims into a GEMM, then views back


def linear(input, weight, bias=None):
    """torch.nn.functional.linear: input @ weight.T + bias, one fused node."""
    _check("linear", input, weight)
    x, w = input._data, weight._data
    if w.ndim != 2 and w.ndim != 1:
        raise RuntimeError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                           f"{tuple(w.shape)}")
    if x.shape[-1] != w.shape[-1]:
        raise RuntimeError(
            f"linear: input has {x.shape[-1]} features but the weight expects {w.shape[-1]} "
            f"(input shape {tuple(x.shape)}, weight {tuple(w.shape)}); mat1 and mat2 shapes "
            f"cannot be multiplied ({_shape_str((math.prod(x.shape[:-1]), x.shape[-1]))} and "
            f"{_shape_str(w.shape[::-1])})")
    if bias is not None and bias._data.dtype != w.dtype:
        raise RuntimeError(f"linear: bias is {bias.dtype} but weight is {weight.dtype}")
    if w.ndim == 1:
        out = matmul(input, weight)
        return out + bias if bias is not None else out
    if x.ndim != 2:
        return LinearND.apply(input, weight, bias)
    return (Linear if bias is not None else LinearNoBias).apply(input, weight, bias)


class Addmm(Function):
    """beta * input + alpha * (mat1 @ mat2) in one node."""

    @staticmethod
    def forward(ctx, x, m1, m2, beta, alpha):
        ctx.save_for_backward(m1, m2)
        ctx.ab = (beta, alpha)
        prod = ctx.xp.matmul(m1, m2)
        if alpha != 1:
            prod *= alpha
        return prod + (x if beta == 1 else x * beta)

    @staticmethod
    def backward(ctx, grad):
        m1, m2 = ctx.saved_tensors
        beta, alpha = ctx.ab
        nx, n1, n2 = ctx.needs_input_grad[:3]
        xp = ctx.xp
        g = grad * alpha if alpha != 1 else grad
        return ((grad * beta if beta != 1 else grad) if nx else None,
                xp.matmul(g, xp.swapaxes(m2, -1, -2)) if n1 else None,
                xp.matmul(xp.swapaxes(m1, -1, -2), g) if n2 else None, None, None)


class Baddbmm(Addmm):
    pass


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """torch.addmm: beta * input + alpha * (mat1 @ mat2)"""
    _check("addmm", mat1, mat2)
    _need_dims("addmm", mat1, 2, "mat1")
    _need_dims("addmm", mat2, 2, "mat2")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({_shape_str(mat1._data.shape)} and {_shape_str(mat2._data.shape)})")
    res = Addmm.apply(input, mat1, mat2, beta, alpha)
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(res, out)
    return res


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """torch.baddbmm: beta * input + alpha * (batch1 @ batch2), batched"""
    _check("baddbmm", batch1, batch2)
    _need_dims("baddbmm", batch1, 3, "batch1")
    _need_dims("baddbmm", batch2, 3, "batch2")
    if batch1._data.shape[0] != batch2._data.shape[0] or \
            batch1._data.shape[2] != batch2._data.shape[1]:
        raise RuntimeError(f"baddbmm: shapes {tuple(batch1.shape)} and {tuple(batch2.shape)} "
                           "cannot be multiplied batch by batch")
    res = Baddbmm.apply(input, batch1, batch2, beta, alpha)
    if out is not None:
        from luchina.ops.elementwise import _out
        return _out(res, out)
    return res


class Einsum(Function):
    @staticmethod
    def forward(ctx, equation, *arrays):
        ctx.save_for_backward(*arrays)
        ctx.equation = equation
        return ctx.xp.einsum(equation, *arrays)

    @staticmethod
    def backward(ctx, grad):
        arrays = ctx.saved_tensors
        lhs, _, rhs = ctx.equation.replace(" ", "").partition("->")
        terms = lhs.split(",")
        grads = [None]
        for i, term in enumerate(terms):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            ops = [a for j, a in enumerate(arrays) if j != i]
            # letters of this operand missing from the rest are summed out: broadcast back
            eq = ",".join([rhs] + others) + "->" + "".join(
                c for c in term if c in rhs or any(c in o for o in others))
            g = ctx.xp.einsum(eq, grad, *ops)
            kept = [c for c in term if c in rhs or any(c in o for o in others)]
            shape = [arrays[i].shape[k] if c in kept else 1 for k, c in enumerate(term)]
            g = ctx.xp.broadcast_to(g.reshape(shape) if len(kept) == len(term) else
                                    _expand_missing(ctx.xp, g, term, kept, arrays[i].shape),
                                    arrays[i].shape)
            grads.append(g.copy())
        return tuple(grads)


def _expand_missing(xp, g, term, kept, shape):
    out_shape = [shape[k] if c in kept else 1 for k, c in enumerate(term)]
    return g.reshape(out_shape)


def einsum(equation, *operands):
    """torch.einsum (explicit '->' output required; no repeated letters within one operand)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if "->" not in equation:
        lhs = equation.replace(" ", "")
        letters = sorted(c for c in set(lhs.replace(",", "")) if lhs.count(c) == 1)
        equation = lhs + "->" + "".join(letters)
    if "..." in equation:
        raise NotImplementedError("einsum: '...' (ellipsis) is not supported by luchina yet")
    return Einsum.apply(equation, *operands)


def tensordot(a, b, dims=2):
    """torch.tensordot, through einsum"""
    import string
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, int):
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = [list(d) if isinstance(d, (list, tuple)) else [d] for d in dims]
    letters = iter(string.ascii_letters)
    la = [next(letters) for _ in range(na)]
    lb = [next(letters) for _ in range(nb)]
    for i, j in zip(da, db):
        lb[j % nb] = la[i % na]
    out = [c for k, c in enumerate(la) if k not in [i % na for i in da]] + \
          [c for k, c in enumerate(lb) if k not in [j % nb for j in db]]
    return einsum("".join(la) + "," + "".join(lb) + "->" + "".join(out), a, b)


METHODS = {"matmul": matmul, "mm": mm, "bmm": bmm, "dot": dot, "vdot": vdot, "inner": inner,
           "mv": mv, "outer": outer, "ger": ger, "addmm": addmm, "baddbmm": baddbmm}
