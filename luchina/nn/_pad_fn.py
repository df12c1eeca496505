"""nn.functional's pad, normalize, cosine_similarity and pairwise_distance (fused nodes)."""

from luchina.autograd.function import Function
from luchina.ops._util import wrap_dim

__all__ = ["pad", "normalize", "cosine_similarity", "pairwise_distance"]


# -- pad ----------------------------------------------------------------------------------------
class ConstantPadNd(Function):
    @staticmethod
    def forward(ctx, x, pairs, value):
        xp = ctx.xp
        src, dst, shape = [], [], list(x.shape)
        for d, (lo, hi) in pairs:
            n = x.shape[d]
            a, b = max(-lo, 0), n - max(-hi, 0)  # negative padding crops
            if b < a:
                b = a
            src.append((d, slice(a, b)))
            dst.append((d, slice(max(lo, 0), max(lo, 0) + b - a)))
            shape[d] = n + lo + hi
            if shape[d] < 0:
                raise RuntimeError(f"pad: the padded size of dimension {d} would be {shape[d]} "
                                   f"(input size {n}, padding ({lo}, {hi})); it must be >= 0")
        ctx.keys = (_key(x.ndim, src), _key(x.ndim, dst), x.shape)
        out = xp.full(shape, value, dtype=x.dtype)
        out[ctx.keys[1]] = x[ctx.keys[0]]
        return out

    @staticmethod
    def backward(ctx, grad):
        src, dst, shape = ctx.keys
        g = ctx.xp.zeros(shape, dtype=grad.dtype)
        g[src] = grad[dst]
        return g, None, None


def _key(ndim, parts):
    key = [slice(None)] * ndim
    for d, s in parts:
        key[d] = s
    return tuple(key)


def _index_map(xp, n, lo, hi, mode):
    """The input position each output position reads along one dim (negative pads crop)."""
    if mode == "circular":  # torch crops first, then wraps around what is left
        a = max(-lo, 0)
        m = n - a - max(-hi, 0)
        return a + xp.arange(-max(lo, 0), m + max(hi, 0)) % m
    i = xp.arange(-lo, n + hi)
    if mode == "reflect":
        i = xp.abs(i)
        return (n - 1) - xp.abs((n - 1) - i)
    return xp.clip(i, 0, n - 1)


class ReflectionPad(Function):
    """Reflect/replicate/circular padding as one gather per padded dim; backward scatters."""

    @staticmethod
    def forward(ctx, x, pairs, mode):
        xp = ctx.xp
        maps = []
        out = x
        for d, (lo, hi) in pairs:
            idx = _index_map(xp, x.shape[d], lo, hi, mode)
            maps.append((d, lo, idx, out.shape[d]))
            out = xp.take(out, idx, axis=d)
        ctx.maps = maps
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = ctx.xp
        g = grad
        for d, lo, idx, n in reversed(ctx.maps):
            shape = list(g.shape)
            shape[d] = n
            gi = xp.zeros(shape, dtype=g.dtype)
            pre = (slice(None),) * d
            j0 = max(lo, 0)
            j1 = min(n + lo, idx.shape[0])
            i0 = j0 - lo
            gi[pre + (slice(i0, i0 + j1 - j0),)] = g[pre + (slice(j0, j1),)]
            for j in (*range(j0), *range(j1, idx.shape[0])):  # the padded borders
                gi[pre + (int(idx[j]),)] += g[pre + (j,)]
            g = gi
        return g, None, None


_PAD_CLASSES = {}


def _pad_class(mode, k):
    name = {"reflect": f"ReflectionPad{k}DBackward0", "replicate": f"ReplicationPad{k}DBackward0",
            "circular": "CopySlices"}[mode]
    cls = _PAD_CLASSES.get(name)
    if cls is None:
        attrs = {"_backward_name": name}
        if name == "CopySlices":  # what torch's node.name() reports; printing shows CopySlices
            attrs["_qualified_name"] = "torch::autograd::CopySlices"
        cls = _PAD_CLASSES[name] = type("ReflectionPad", (ReflectionPad,), attrs)
    return cls


_NONCONST_HELP = ("\nSupported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad: ``pad`` lists (left, right) pairs from the last dim backwards."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    nd = input.ndim
    if k > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{nd}")
    pairs = tuple((nd - 1 - i, (pad[2 * i], pad[2 * i + 1])) for i in range(k))
    if mode == "constant":
        return ConstantPadNd.apply(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input "
                                  f"tensor.{_NONCONST_HELP}")
    for d, (lo, hi) in pairs:
        n = input.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError("Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} "
                               f"of input {list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n == 0 or n + lo + hi < 0:
            raise RuntimeError(f"pad: {mode} padding needs a non-empty dimension {d} larger than "
                               f"the cropping, got size {n} and padding ({lo}, {hi})")
    return _pad_class(mode, k).apply(input, pairs, mode)


# -- normalize, cosine_similarity, pairwise_distance ---------------------------------------------
class Normalize(Function):
    _backward_name = "DivBackward0"

    @staticmethod
    def forward(ctx, x, p, d, eps):
        xp = ctx.xp
        a = xp.abs(x)
        if p == 2:
            n = xp.sqrt((x * x).sum(axis=d, keepdims=True))
        elif p == float("inf"):
            n = a.max(axis=d, keepdims=True)
        elif p == 1:
            n = a.sum(axis=d, keepdims=True)
        else:
            n = (a ** p).sum(axis=d, keepdims=True) ** (1.0 / p)
        den = xp.maximum(n, eps)
        out = x / den
        ctx.p = (p, d, eps)
        ctx.save_for_backward(x, n, den, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, n, den, out = ctx.saved_tensors
        p, d, eps = ctx.p
        xp = ctx.xp
        live = n > eps  # below eps the denominator is the constant eps
        if p == 2:
            g = grad - out * (grad * out).sum(axis=d, keepdims=True) * live
            return g / den, None, None, None
        sgx = (grad * x).sum(axis=d, keepdims=True) / (den * den) * live
        if p == float("inf"):
            m = xp.abs(x) == n
            dn = xp.sign(x) * m / xp.maximum(m.sum(axis=d, keepdims=True), 1)
        elif p == 1:
            dn = xp.sign(x)
        else:
            safe = xp.where(n > 0, n, 1.0)
            dn = xp.sign(x) * (xp.abs(x) / safe) ** (p - 1)
        return (grad / den - sgx * dn).astype(x.dtype, copy=False), None, None, None


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """torch.nn.functional.normalize: input / max(||input||_p, eps) along dim (one node)."""
    from luchina.ops.elementwise import _out
    d = wrap_dim(dim, input.ndim, "normalize")
    return _out(Normalize.apply(input, float(p), d, float(eps)), out)


class CosineSimilarity(Function):
    _backward_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x1, x2, d, eps):
        xp = ctx.xp
        n1 = xp.sqrt((x1 * x1).sum(axis=d, keepdims=True))
        n2 = xp.sqrt((x2 * x2).sum(axis=d, keepdims=True))
        # torch clamps each norm at eps separately (2.x), so the result stays within [-1, 1]
        c1, c2 = xp.maximum(n1, eps), xp.maximum(n2, eps)
        u, v = x1 / c1, x2 / c2
        cos = (u * v).sum(axis=d)
        ctx.d = d
        ctx.save_for_backward(u, v, n1, n2, c1, c2, cos)
        return cos

    @staticmethod
    def backward(ctx, grad):
        u, v, n1, n2, c1, c2, cos = ctx.saved_tensors
        xp = ctx.xp
        d = ctx.d
        gk = xp.expand_dims(grad, d)
        ck = xp.expand_dims(cos, d)
        g1 = g2 = None
        # d/dx1 = (v - cos * x1 / n1) / c1; x1 / n1 = u * c1 / n1 (0 for a zero vector)
        if ctx.needs_input_grad[0]:
            r1 = xp.where(n1 > 0, c1 / xp.where(n1 > 0, n1, 1.0), 0.0)
            g1 = gk / c1 * (v - ck * u * r1)
        if ctx.needs_input_grad[1]:
            r2 = xp.where(n2 > 0, c2 / xp.where(n2 > 0, n2, 1.0), 0.0)
            g2 = gk / c2 * (u - ck * v * r2)
        return g1, g2, None, None


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """torch.nn.functional.cosine_similarity (each norm clamped at eps, as torch 2.x)"""
    from luchina.ops.elementwise import promote
    x1, x2 = promote("cosine_similarity", x1, x2)
    nd = max(x1.ndim, x2.ndim)
    d = wrap_dim(dim, nd, "cosine_similarity")
    if x1.ndim < nd or x2.ndim < nd:  # align ranks so that dim means the same axis in both
        x1 = x1.reshape((1,) * (nd - x1.ndim) + tuple(x1.shape))
        x2 = x2.reshape((1,) * (nd - x2.ndim) + tuple(x2.shape))
    return CosineSimilarity.apply(x1, x2, d, float(eps))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """torch.nn.functional.pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    diff = x1 - x2 + eps
    return diff.norm(p, dim=-1, keepdim=keepdim)
