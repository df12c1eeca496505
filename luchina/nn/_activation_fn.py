"""The fused Functions behind nn.functional's activations: one graph node each, backward from
the saved output or input, stable for any finite input. The public functions live in
``luchina.nn.functional``."""

import math

from luchina.autograd.function import Function
from luchina.ops._util import inplace

__all__ = ["erf_array", "check", "run", "inplace"]

_TNAME = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
          "bool": "Bool"}


def check(op, input):
    """torch's NotImplementedError for integer and bool inputs (float math only)."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{op}" not implemented for '
                                  f"'{_TNAME.get(input._data.dtype.name, input._data.dtype.name)}'"
                                  "; convert the input with .float()")


def run(fn, input, args, inplace_flag, op):
    """Apply ``fn`` out of place, or in place into ``input``'s memory (torch's ``inplace=True``)."""
    check(op, input)
    if inplace_flag:
        return inplace(input, op + "_", lambda t, *a: fn.apply(t, *a), args)
    return fn.apply(input, *args)


# -- erf: W. J. Cody's rational approximations (Math. Comp. 1969), vectorised --------------------
# max |error| against math.erf is 2.2e-16 in float64; float32 inputs are evaluated in float32.
_EA = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
       3.20937758913846947e03, 1.85777706184603153e-1)
_EB = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
       2.84423683343917062e03)
_EC = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
       2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
       2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ED = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
       1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
       3.43936767414372164e03, 1.23033935480374942e03)
_EP = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
       1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_EQ = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
       6.05183413124413191e-2, 2.33520497626869185e-3)


def _ratio(z, p, q, n):
    """(p[n] z^(n+1) + p[0] z^n + ... + p[n-1]) / (z^n + q[0] z^(n-1) + ... + q[n-1]), in place."""
    num = z * p[n]
    den = z.copy()
    for i in range(n - 1):
        num += p[i]
        num *= z
        den += q[i]
        den *= z
    num += p[n - 1]
    den += q[n - 1]
    num /= den
    return num


def erf_array(xp, x):
    """erf of a float array, same dtype (the three ranges of Cody's algorithm).

    Each range is evaluated on the whole (clipped) array and the results are blended: numpy's
    boolean gathers and ``where`` cost more than the extra arithmetic.
    """
    a = xp.abs(x)
    xs = xp.clip(x, -0.46875, 0.46875)
    lo = xs * _ratio(xs * xs, _EA, _EB, 4)
    amax = float(a.max()) if a.size else 0.0
    if not amax > 0.46875:  # also true for nan: nan propagates through lo
        return lo
    # 0.46875 < |x| <= 4: erfc = exp(-x^2) P(|x|) / Q(|x|); beyond 4 the asymptotic form
    y = xp.clip(a, 0.46875, 4.0)
    r = _erfc_mid(y)
    r *= xp.exp(-(y * y))
    big = a > 4.0
    if amax > 4.0:
        yb = xp.clip(a, 4.0, 40.0)  # erfc(40) is 0 in float64: no overflow beyond
        rb = _erfc_big(yb)
        rb *= xp.exp(-(yb * yb))
        r = blend(r, rb, big)
    hi = xp.copysign(1.0 - r, x)
    return blend(hi, lo, a <= 0.46875)


def blend(a, b, m):
    """``b`` where the boolean mask ``m`` holds, else ``a``: exact, and cheaper than where()."""
    m = m.astype(a.dtype)
    out = b * m
    m -= 1.0
    m *= a
    out -= m
    return out


def _erfc_mid(y):
    return _ratio(y, _EC, _ED, 8)


def _erfc_big(y):
    z = 1.0 / (y * y)
    r = _ratio(z, _EP, _EQ, 5)
    r *= z
    return (0.5641895835477563 - r) / y


# -- piecewise-linear family --------------------------------------------------------------------
class Threshold(Function):
    @staticmethod
    def forward(ctx, x, th, value):
        ctx.th = th
        ctx.save_for_backward(x)
        return ctx.xp.where(x > th, x, ctx.xp.asarray(value, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > ctx.th), None, None


class ThresholdInplace(Threshold):
    _backward_name = "ThresholdBackward1"


class Hardtanh(Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        out = ctx.xp.clip(x, lo, hi)
        ctx.lims = (lo, hi)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        lo, hi = ctx.lims
        return grad * ((out > lo) & (out < hi)), None, None  # strict, as torch


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.slope = slope
        # max(x, slope x) is x for x > 0 and slope x below when slope <= 1 (min when above)
        out = (ctx.xp.maximum if slope <= 1 else ctx.xp.minimum)(x, x * slope)
        # a non-negative slope keeps the sign, so the output tells where x > 0
        ctx.save_for_backward(out if slope >= 0 else x)
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        slope = ctx.slope
        return grad * blend(grad.dtype.type(slope), 1.0, s > 0), None


class LeakyReluInplace(LeakyRelu):
    _backward_name = "LeakyReluBackward1"


class PreluKernel(Function):
    @staticmethod
    def forward(ctx, x, w):
        w_b = w.reshape((-1,) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else w
        ctx.save_for_backward(x, w_b)
        return x * blend(w_b, 1.0, x > 0)  # slope 1 where x > 0, w elsewhere

    @staticmethod
    def backward(ctx, grad):
        x, w_b = ctx.saved_tensors
        neg = x <= 0
        gx = grad * blend(x.dtype.type(1.0), w_b, neg) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            gxw = grad * x * neg
            axes = tuple(i for i in range(x.ndim) if i != 1) if x.ndim >= 2 else None
            gw = gxw.sum(axis=axes).reshape(-1)
            if gw.shape[0] != w_b.size:
                gw = gw.sum(keepdims=True)
        return gx, gw


class Elu(Function):
    """ELU, SELU and CELU: scale * (x if x > 0 else alpha * (exp(x / beta) - 1))."""

    @staticmethod
    def forward(ctx, x, alpha, scale, beta):
        xp = ctx.xp
        neg = xp.expm1(xp.minimum(x, 0) * (1.0 / beta) if beta != 1.0 else xp.minimum(x, 0))
        neg *= alpha * scale
        out = xp.maximum(x, 0)  # the two parts are zero outside their halves: add them
        if scale != 1.0:
            out *= scale
        out += neg
        ctx.p = (alpha, scale, beta)
        # alpha >= 0 keeps the sign, so the output tells where x > 0; otherwise keep x too
        ctx.save_for_backward(*((out,) if alpha >= 0 else (out, x)))
        return out

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        out = saved[0]
        alpha, scale, beta = ctx.p
        # for x <= 0: d/dx = (out + alpha * scale) / beta
        d = (out + alpha * scale) * (1.0 / beta)  # the slope for x <= 0
        return grad * blend(d, scale, saved[-1] > 0), None, None, None


class EluInplace(Elu):
    _backward_name = "EluBackward1"


class Celu(Elu):
    pass


class CeluInplace(Elu):
    _backward_name = "CeluBackward1"


# -- smooth family ------------------------------------------------------------------------------
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_K_TANH = math.sqrt(2.0 / math.pi)


class Gelu(Function):
    @staticmethod
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            ctx.save_for_backward(x)
            t = ctx.xp.tanh(_K_TANH * (x + 0.044715 * (x * x * x)))
            t += 1.0
            t *= 0.5
            return x * t
        cdf = erf_array(ctx.xp, x * _SQRT_HALF)
        cdf += 1.0
        cdf *= 0.5
        ctx.save_for_backward(x, cdf)  # backward needs the cdf too: one erf per step
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        x = saved[0]
        xp = ctx.xp
        if ctx.approximate == "tanh":
            x2 = x * x
            t = xp.tanh(_K_TANH * x * (1.0 + 0.044715 * x2))
            d = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * (_K_TANH * (1.0 + 3 * 0.044715 * x2))
            return grad * d, None
        cdf = saved[1]
        pdf = xp.exp(-0.5 * (x * x))
        pdf *= _INV_SQRT_2PI
        pdf *= x
        pdf += cdf
        return grad * pdf, None


def _sigmoid(xp, x):
    s = xp.tanh(x * 0.5)  # no overflow for large |x|
    s *= 0.5
    s += 0.5
    return s


class Silu(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _sigmoid(ctx.xp, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = _sigmoid(ctx.xp, x)
        return grad * s * (1.0 + x * (1.0 - s))


def _softplus(xp, x):
    sp = xp.log1p(xp.exp(-xp.abs(x)))  # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no overflow
    sp += xp.maximum(x, 0)
    return sp


class Mish(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * ctx.xp.tanh(_softplus(ctx.xp, x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        t = xp.tanh(_softplus(xp, x))
        return grad * (t + x * _sigmoid(xp, x) * (1.0 - t * t))


_SIXTH_F32 = 0.1666666716337204  # torch's backward uses the float32 literal 1.0f / 6.0f


class Hardsigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * ((out > 0) & (out < 1)) * _SIXTH_F32


class Hardswish(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * ctx.xp.clip(x + 3.0, 0.0, 6.0) * (1.0 / 6.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = x * (1.0 / 3.0) + 0.5  # torch: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above
        d *= (x >= -3.0) & (x <= 3.0)
        d += x > 3.0
        return grad * d


class Softplus(Function):
    @staticmethod
    def forward(ctx, x, beta, th):
        ctx.p = (beta, th)
        ctx.save_for_backward(x)
        bx = x * beta if beta != 1.0 else x
        # exp only sees values up to the threshold: no overflow, no warning
        xp = ctx.xp
        sp = xp.log1p(xp.exp(xp.minimum(bx, th)))
        if beta != 1.0:
            sp /= beta
        if beta <= 0:
            return xp.where(bx > th, x, sp)
        # above the threshold the result is x; x is bounded below there, so the blend is finite
        return blend(sp, xp.maximum(x, th / beta), bx > th)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        beta, th = ctx.p
        bx = x * beta if beta != 1.0 else x
        return grad * blend(_sigmoid(ctx.xp, bx), 1.0, bx > th), None, None


class Softsign(Function):
    _backward_name = "DivBackward0"

    @staticmethod
    def forward(ctx, x):
        d = ctx.xp.abs(x)
        d += 1.0
        ctx.save_for_backward(d)
        return x / d

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return grad / (d * d)


class Glu(Function):
    @staticmethod
    def forward(ctx, x, d):
        a, b = ctx.xp.split(x, 2, axis=d)
        s = _sigmoid(ctx.xp, b)
        ctx.d = d
        ctx.save_for_backward(a, s)
        return a * s

    @staticmethod
    def backward(ctx, grad):
        a, s = ctx.saved_tensors
        ga = grad * s
        gb = ga * a * (1.0 - s)
        return ctx.xp.concatenate((ga, gb), axis=ctx.d), None


class LogSigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        # min(x, 0) - log(1 + e^-|x|): no overflow at either end
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _sigmoid(ctx.xp, -x)
