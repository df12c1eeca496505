"""The op registry: every luchina op declared once, next to the torch op it must match.

An entry (``OpInfo``) names the op, a sample generator, dtypes, input domain, tolerances and
flags; tests/test_ops.py turns every (entry, dtype, sample) into forward, backward, gradcheck
and no_grad checks against torch 2.13. The op is a dotted name looked up on luchina and on torch
alike (``"exp"``, ``"nn.functional.one_hot"``, ``"Tensor.view"`` for a method), or a
``lambda lib, *args`` called once with ``luchina`` and once with ``torch`` (same API).

In a sample every numpy array becomes a tensor (the float ones require grad in the backward
checks); Python numbers, lists of ints, slices, None and Ellipsis pass through unchanged.
"""

import math
import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

FLOAT = ("float32", "float64")
MIXED = "mixed"  # pseudo-dtype: samples mixing dtypes, checking torch's type promotion
FLOAT_INT = FLOAT + ("int64",)
FLOAT_MATH = FLOAT + ("int64", "bool")  # float ops that accept int/bool (result: float32)
ARITH = FLOAT + ("int64", "int32", "uint8", "bool", MIXED)
ALL = FLOAT + ("int64", "int32", "uint8", "bool")
INTS = ("int64", "int32", "int16", "int8", "uint8")

TOL = {"float16": (1e-3, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}
LOOSE = {"float16": (1e-2, 1e-2), "float32": (1e-4, 1e-5), "float64": (1e-9, 1e-11)}


# -- input domains: (rng, shape, dtype) -> values -------------------------------------------------
def real(rng, shape, dt):
    if dt == "bool":
        return rng.random(shape) < 0.5
    if dt in INTS:
        return rng.integers(0 if dt == "uint8" else -5, 6, shape)
    return rng.standard_normal(shape)


def positive(rng, shape, dt):
    """Away from 0 on the positive side (log, sqrt, pow bases)."""
    if dt == "bool":
        return np.ones(shape, bool)
    return rng.integers(1, 6, shape) if dt in INTS else rng.uniform(0.5, 2.5, shape)


def nonzero(rng, shape, dt):
    """|x| >= 0.3: away from the kinks of abs/relu/sign and from division by zero."""
    if dt == "bool":
        return np.ones(shape, bool)
    mag = rng.integers(1, 5, shape) if dt in INTS else rng.uniform(0.3, 2.0, shape)
    return mag if dt == "uint8" else mag * rng.choice([-1, 1], shape)


def unit(rng, shape, dt):
    """Inside (-1, 1): asin, acos."""
    return rng.integers(-1, 2, shape) if dt in INTS + ("bool",) else rng.uniform(-0.9, 0.9, shape)


def distinct(rng, shape, dt):
    """No ties, values at least 0.2 apart (max, sort, topk: gradients are well defined)."""
    n = math.prod(shape)
    perm = rng.permutation(n).reshape(shape)
    if dt == "bool":
        return perm % 2 == 0
    if dt in INTS:
        return perm if dt == "uint8" else perm - n // 2
    return (perm - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, shape)


def grid(rng, shape, dt):
    """Half-integers in [-2, 2]: many ties and exact zeros (comparisons, unique, heaviside)."""
    if dt == "bool" or dt in INTS:
        return real(rng, shape, dt)
    return rng.integers(-4, 5, shape) / 2


def fractional(rng, shape, dt):
    """k + u with u in [0.1, 0.9]: away from the jumps of floor/round/remainder."""
    if dt == "bool" or dt in INTS:
        return real(rng, shape, dt)
    return rng.integers(-4, 4, shape) + rng.uniform(0.1, 0.9, shape)


def pow2(rng, shape, dt):
    """+-1, 2, 4: exact divisors that keep fractional() dividends away from integer quotients."""
    if dt == "bool" or dt in INTS:
        return nonzero(rng, shape, dt)
    return rng.choice([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0], shape)


def exponent(rng, shape, dt):
    if dt == "bool" or dt in INTS:
        return rng.integers(0, 4, shape)
    return rng.uniform(-2.0, 2.0, shape)


def specials(rng, shape, dt):
    """nan, +-inf, zeros and ordinary numbers (isnan, isinf, nan_to_num)."""
    if dt == "bool" or dt in INTS:
        return real(rng, shape, dt)
    return rng.choice([np.nan, np.inf, -np.inf, 0.0, 1.5, -2.25], shape)


def classes(rng, shape, dt):
    """Class indices in [0, 5) (one_hot, bincount)."""
    return rng.integers(0, 5, shape)


class Gen:
    """Makes the arrays of one (entry, dtype): ``g(3, 4)``, ``g(3, 4, layout="T")``..."""

    def __init__(self, dtype, seed, domain):
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)
        self.domain = domain

    def __call__(self, *shape, dtype=None, domain=None, layout="C"):
        """layout "T" gives a transposed (non-contiguous) array, "S" a strided one."""
        dt = dtype or self.dtype
        if dt == MIXED:
            dt = "float32"
        dom = domain or self.domain
        if layout == "T":
            return self._make(dom, shape[:-2] + (shape[-1], shape[-2]), dt).swapaxes(-1, -2)
        if layout == "S":
            return self._make(dom, shape[:-1] + (2 * shape[-1],), dt)[..., ::2]
        return self._make(dom, shape, dt)

    def _make(self, dom, shape, dt):
        return np.array(dom(self.rng, tuple(shape), dt), dtype=dt)

    def arr(self, values, dtype=None):
        dt = dtype or (self.dtype if self.dtype != MIXED else "float32")
        return np.array(values, dtype=dt)

    def index(self, shape, high, low=0):
        """An int64 index tensor with values in [low, high)."""
        return np.array(self.rng.integers(low, high, shape), dtype=np.int64)

    def mask(self, *shape):
        return np.array(self.rng.random(shape) < 0.5)

    def perm_index(self, shape, dim):
        """int64 indices with no repeats along ``dim`` (scatter is undefined on repeats)."""
        n = shape[dim]
        a = np.argsort(self.rng.random(shape), axis=dim)
        return np.array(a % n, dtype=np.int64)


# -- samples --------------------------------------------------------------------------------------
@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    desc: str = ""
    grad: bool = True       # compare gradients with torch here
    gradcheck: bool = True  # smooth here (no ties or kinks within eps): numerical check is valid


def S(*args, _grad=True, _gradcheck=True, _desc=None, **kwargs):
    """A sample: the op's positional and keyword arguments (arrays become tensors)."""
    desc = _desc or ",".join([_d(a) for a in args] + [f"{k}={_d(v)}" for k, v in kwargs.items()])
    return Sample(args, kwargs, desc, _grad, _gradcheck and _grad)


_SHORT = {"float16": "f16", "float32": "f32", "float64": "f64", "int64": "i64", "int32": "i32",
          "int16": "i16", "int8": "i8", "uint8": "u8", "bool": "b"}


def _d(a):
    if isinstance(a, np.ndarray):
        shape = "x".join(map(str, a.shape)) or "0d"
        nc = "" if a.flags.c_contiguous or a.size <= 1 else "nc"
        return f"{_SHORT[a.dtype.name]}_{shape}{nc}"
    if isinstance(a, (list, tuple)):
        inner = "|".join(_d(x) for x in a)
        return f"[{inner}]" if isinstance(a, list) else f"({inner})"
    if isinstance(a, slice):
        return ":".join("" if v is None else str(v) for v in (a.start, a.stop, a.step))
    if a is Ellipsis:
        return "..."
    if isinstance(a, type) and issubclass(a, np.generic):
        return np.dtype(a).name
    if isinstance(a, float) and not math.isfinite(a):
        return str(a)
    return repr(a).replace(" ", "")


_SAMPLES = {}


# -- the entry ------------------------------------------------------------------------------------
@dataclass
class OpInfo:
    name: str                        # test id (unique)
    samples: Callable                # samples(g: Gen) -> iterable of Sample
    fn: object = None                # dotted name on both libraries ("a|b": first found), or
                                     # lambda lib, *args
    ref: object = None               # torch side when it differs from fn
    dtypes: tuple = FLOAT
    domain: Callable = real
    tol: dict = field(default_factory=lambda: TOL)
    differentiable: bool = True
    supports_out: bool = False
    method: object = None            # None: auto (fn is a torch.Tensor method), or False / name
    needs: tuple = ()                # luchina names the entry uses besides fn ("Tensor.T")
    covers: tuple = ()               # public names tested here besides fn (aliases)

    def __post_init__(self):
        if self.fn is None:
            self.fn = self.name
        if self.ref is None:
            self.ref = self.fn
        if isinstance(self.fn, str):
            self.needs = (self.fn,) + tuple(self.needs)

    def sample_list(self, dtype):
        """The samples of one dtype (made once; tests must copy the arrays they hand out)."""
        key = (self.name, dtype)
        if key not in _SAMPLES:
            g = Gen(dtype, zlib.crc32(f"{self.name}/{dtype}".encode()), self.domain)
            _SAMPLES[key] = list(self.samples(g))
        return _SAMPLES[key]

    @property
    def public_names(self):
        """The luchina public names this entry tests (for the completeness check)."""
        names = self.fn.split("|") if isinstance(self.fn, str) else []
        return {n.rsplit(".", 1)[-1] for n in names + list(self.covers)}


# -- sample generators ----------------------------------------------------------------------------
def unary(g):
    yield S(g())
    yield S(g(0))
    yield S(g(0, 3))
    yield S(g(5))
    yield S(g(3, 4))
    yield S(g(3, 4, layout="T"))
    yield S(g(2, 3, 4, layout="S"))
    yield S(g(6, 11))  # large: gradcheck along a random direction


PAIRS = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((3,), ()),
         ((), ()), ((0, 3), (3,)), ((2, 0), (2, 1)), ((4, 1, 3), (2, 1)), ((2, 3), (4, 3))]


def binary(b=None, scalars=(2.5, 3)):
    """Tensor pairs: equal shapes, broadcasting, 0-d, empty, non-contiguous, and scalars."""
    def gen(g):
        if g.dtype == MIXED:
            yield from promotions(g, b)
            return
        for sa, sb in PAIRS:
            yield S(g(*sa), g(*sb, domain=b))
        yield S(g(3, 4, layout="T"), g(3, 4, layout="S", domain=b))
        yield S(g(6, 11), g(6, 11, domain=b))
        for s in scalars:
            yield S(g(3, 4), s)
    return gen


def promotions(g, b=None):
    """torch's promotion rules: categories, 0-d tensors and Python scalars."""
    yield S(g(3, dtype="int64"), 2.5)
    yield S(g(3, dtype="int64"), g(3, dtype="float32", domain=b))
    yield S(g(3, dtype="int32"), g(3, dtype="int64", domain=b))
    yield S(g(3, dtype="uint8"), g(3, dtype="int8", domain=b))
    yield S(g(3, dtype="bool"), g(3, dtype="bool", domain=b))
    yield S(g(3, dtype="float32"), g(dtype="float64", domain=b))  # 0-d does not upcast
    yield S(g(dtype="float64"), g(3, dtype="float32", domain=b))
    yield S(g(3, dtype="int64"), g(3, dtype="int64", domain=b))
    yield S(g(dtype="float32"), g(3, dtype="int64", domain=b))  # 0-d float beats int
    yield S(g(3, dtype="int8"), g(dtype="int64", domain=b))  # 0-d int64 keeps int8
    yield S(g(3, dtype="float64"), g(3, dtype="float32", domain=b))
    yield S(g(3, dtype="bool"), 2)
    yield S(g(3, dtype="int64"), True)
    yield S(g(3, dtype="float32"), 2)
    yield S(g(3, dtype="int32"), 2.5)
    yield S(g(3, dtype="uint8"), 3)


def reflected(scalars=(2.5, 3)):
    """(tensor, scalar) samples for ``scalar op tensor``."""
    def gen(g):
        for s in scalars:
            yield S(g(3, 4), s)
            yield S(g(), s)
            yield S(g(2, 3, layout="T"), s)
    return gen


def reduction(multi=True, empty=True, full=True):
    def gen(g):
        if full:
            yield S(g())
            yield S(g(5))
            yield S(g(3, 4))
            yield S(g(2, 3, 4, layout="T"))
            yield S(g(6, 11))
            if empty:
                yield S(g(0, 3))
        yield S(g(3, 4), 1)
        yield S(g(3, 4), -2, keepdim=True)
        yield S(g(2, 3, 4, layout="S"), 0)
        yield S(g(), 0)
        yield S(g(), -1, keepdim=True)
        yield S(g(6, 11), dim=1)
        if empty:
            yield S(g(0, 3), 1)
            yield S(g(0, 3), 0)
        if multi:
            yield S(g(2, 3, 4), (0, 2))
            yield S(g(2, 3, 4), [-1, 0], keepdim=True)
    return gen


def dim_samples(g):
    """A dim argument: softmax, cumsum, log_softmax."""
    yield S(g(3, 4), 1)
    yield S(g(3, 4), 0)
    yield S(g(3, 4), -1)
    yield S(g(2, 3, 4, layout="T"), 1)
    yield S(g(), 0)
    yield S(g(0, 3), 1)
    yield S(g(6, 11), 1)


# -- elementwise ----------------------------------------------------------------------------------
def float_unary(name, domain=real, dtypes=FLOAT_MATH, out=False, **kw):
    return OpInfo(name, unary, dtypes=dtypes, domain=domain, supports_out=out, **kw)


def clamp_samples(g):
    yield S(g(3, 4), -0.5, 0.5)
    yield S(g(3, 4), min=-0.5)
    yield S(g(3, 4), max=0.5)
    yield S(g(), -0.5, 0.5)
    yield S(g(0, 3), -0.5, 0.5)
    yield S(g(3, 4, layout="T"), -0.5, 0.5)
    yield S(g(3, 4), 0.5, -0.5)  # min > max: everything becomes max
    yield S(g(3, 4), g(3, 1, domain=lambda r, s, d: -r.uniform(0.4, 0.6, s)),
            g(4, domain=lambda r, s, d: r.uniform(0.4, 0.6, s)))
    yield S(g(3, 4), 1)
    yield S(g(3, 4), None, None)  # torch refuses


def where_samples(g):
    if g.dtype == MIXED:
        yield S(g.mask(3), g(3, dtype="float32"), g(3, dtype="float64"))
        yield S(g.mask(3), g(3, dtype="int64"), 2.5)
        yield S(g.mask(3), g(3, dtype="float32"), g(dtype="float64"))
        yield S(g.mask(3), 1.0, g(3, dtype="int32"))
        return
    yield S(g.mask(3, 4), g(3, 4), g(3, 4))
    yield S(g.mask(3, 1), g(1, 4), g(3, 4))
    yield S(g.mask(4), g(3, 4, layout="T"), g())
    yield S(g.mask(), g(), g())
    yield S(g.mask(0, 3), g(0, 3), g(3))
    yield S(g.mask(3, 4), g(3, 4), 0.0)
    yield S(g.mask(3, 4), 1.5, g(3, 4))
    yield S(g(3, 4), g(3, 4), g(3, 4))  # condition must be bool


def maxmin_binary(g):
    yield from binary(scalars=())(g)
    x = g(3, 4)
    yield S(x, x.copy(), _gradcheck=False)  # ties: torch splits the gradient evenly


def lerp_samples(g):
    yield S(g(3, 4), g(3, 4), 0.3)
    yield S(g(3, 4), g(4), g(3, 1))
    yield S(g(), g(3), g())
    yield S(g(0, 3), g(3), 0.5)
    yield S(g(3, 4, layout="T"), g(3, 4), g(3, 4, layout="S"))


def addc_samples(g):
    yield S(g(3, 4), g(3, 4), g(3, 4, domain=nonzero))
    yield S(g(3, 4), g(4), g(3, 1, domain=nonzero), value=0.5)
    yield S(g(), g(3), g(domain=nonzero), value=-2)
    yield S(g(0, 3), g(3), g(3, domain=nonzero))


def nan_to_num_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), nan=1.0, posinf=9.0, neginf=-9.0)
    yield S(g(), 2.0)
    yield S(g(0, 3))
    yield S(g(3, 4, layout="T"), posinf=5.0)


def heaviside_samples(g):
    yield S(g(3, 4), g(3, 4))
    yield S(g(3, 4), g(4))
    yield S(g(), g())


def float_power_samples(g):
    yield S(g(3, 4, domain=positive), g(3, 4, domain=exponent))
    yield S(g(3, 4, domain=positive), 2)
    yield S(g(3, 4, domain=positive), -1.5)
    yield S(g(domain=positive), g(3, domain=exponent))


def div_mode_samples(g):
    for mode in ("trunc", "floor"):
        yield S(g(3, 4, domain=fractional), g(3, 4, domain=pow2), rounding_mode=mode)
        yield S(g(3, 4, domain=fractional), 2, rounding_mode=mode)
        yield S(g(domain=fractional), g(3, domain=pow2), rounding_mode=mode)
    yield S(g(3), g(3, domain=nonzero), rounding_mode="round")  # torch refuses


def add_alpha_samples(g):
    yield S(g(3, 4), g(3, 4), alpha=2)
    yield S(g(3, 1), g(4), alpha=-0.5)
    yield S(g(3, 4), 2, alpha=3)


ELEMENTWISE = [
    OpInfo("add", binary(), dtypes=ARITH, supports_out=True),
    OpInfo("add.alpha", add_alpha_samples, fn="add", dtypes=FLOAT_INT),
    OpInfo("sub", binary(), dtypes=ARITH, supports_out=True, covers=("subtract",)),
    OpInfo("sub.alpha", add_alpha_samples, fn="sub", dtypes=FLOAT_INT),
    OpInfo("mul", binary(), dtypes=ARITH, supports_out=True, covers=("multiply",)),
    OpInfo("div", binary(nonzero), dtypes=ARITH, supports_out=True,
           covers=("divide", "true_divide")),
    OpInfo("div.rounding_mode", div_mode_samples, fn="div", dtypes=FLOAT_INT),
    OpInfo("floor_divide", binary(pow2, scalars=(2.0, 4)), dtypes=ARITH, domain=fractional,
           supports_out=True),
    OpInfo("remainder", binary(pow2, scalars=(2.0, 4)), dtypes=ARITH, domain=fractional,
           supports_out=True),
    OpInfo("fmod", binary(pow2, scalars=(2.0, 4)), dtypes=ARITH, domain=fractional),
    OpInfo("pow", binary(exponent, scalars=(2, 3, 0.5, -1.5, 0)), dtypes=ARITH,
           domain=positive, supports_out=True),
    OpInfo("pow.negative_base", lambda g: [S(g(3, 4, domain=nonzero), e) for e in (2, 3, -1)],
           fn="pow", dtypes=FLOAT_INT),
    OpInfo("float_power", float_power_samples, dtypes=FLOAT_INT),
    OpInfo("atan2", binary(nonzero, scalars=()), dtypes=FLOAT + ("int64",)),
    OpInfo("neg", unary, dtypes=ALL, supports_out=True, covers=("negative",)),
    OpInfo("maximum", maxmin_binary, dtypes=FLOAT + ("int64", "bool", MIXED), supports_out=True),
    OpInfo("minimum", maxmin_binary, dtypes=FLOAT + ("int64", "bool", MIXED), supports_out=True),
    OpInfo("clamp", clamp_samples, dtypes=FLOAT_INT, supports_out=True, covers=("clip",)),
    OpInfo("where", where_samples, dtypes=FLOAT + ("int64", MIXED), method=False,
           supports_out=True),
    OpInfo("lerp", lerp_samples),
    OpInfo("addcmul", addc_samples),
    OpInfo("addcdiv", addc_samples),
    OpInfo("heaviside", heaviside_samples, domain=grid),
    OpInfo("nan_to_num", nan_to_num_samples, domain=specials),
    # math on floats (ints and bools are computed in the default float type)
    float_unary("exp", out=True),
    float_unary("exp2"),
    float_unary("expm1"),
    float_unary("log", positive, out=True),
    float_unary("log2", positive),
    float_unary("log10", positive),
    float_unary("log1p", positive),
    float_unary("sqrt", positive, out=True),
    float_unary("rsqrt", positive),
    float_unary("sin", out=True),
    float_unary("cos", out=True),
    float_unary("tan", unit),
    float_unary("asin", unit),
    float_unary("acos", unit),
    float_unary("atan"),
    float_unary("sinh"),
    float_unary("cosh"),
    float_unary("reciprocal", nonzero),
    float_unary("erf"),
    float_unary("sigmoid", out=True),
    float_unary("tanh", out=True),
    # piecewise ops: kinks and jumps kept away from the samples
    OpInfo("abs", unary, dtypes=ALL, domain=nonzero, supports_out=True, covers=("absolute",)),
    OpInfo("sign", unary, dtypes=ALL, domain=nonzero, covers=("sgn",)),
    OpInfo("relu", unary, dtypes=FLOAT + ("int64", "bool"), domain=nonzero),
    OpInfo("square", unary, dtypes=ALL),
    OpInfo("floor", unary, dtypes=FLOAT_INT, domain=fractional),
    OpInfo("ceil", unary, dtypes=FLOAT_INT, domain=fractional),
    OpInfo("trunc", unary, dtypes=FLOAT_INT, domain=fractional),
    OpInfo("frac", unary, dtypes=FLOAT_INT, domain=fractional),
    OpInfo("round", unary, dtypes=FLOAT_INT, domain=fractional),
    OpInfo("round.decimals", lambda g: [S(g(3, 4), decimals=d) for d in (1, 2, -1)],
           fn="round", domain=lambda r, s, d: r.uniform(-30, 30, s)),
    OpInfo("signbit", unary, dtypes=FLOAT_INT, domain=grid, differentiable=False),
]

# comparisons, logic and predicates: no gradient
for _name, _cov in (("eq", ()), ("ne", ("not_equal",)), ("lt", ("less",)), ("le", ("less_equal",)),
                    ("gt", ("greater",)), ("ge", ("greater_equal",))):
    ELEMENTWISE.append(OpInfo(_name, binary(), dtypes=ARITH, domain=grid, differentiable=False,
                              supports_out=True, covers=_cov))
for _name in ("logical_and", "logical_or", "logical_xor"):
    ELEMENTWISE.append(OpInfo(_name, binary(scalars=()), dtypes=ALL + (MIXED,), domain=grid,
                              differentiable=False, supports_out=_name == "logical_and"))
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    ELEMENTWISE.append(OpInfo(_name, binary(scalars=(3, True)), dtypes=ALL,
                              differentiable=False))
ELEMENTWISE += [
    OpInfo("logical_not", unary, dtypes=ALL, domain=grid, differentiable=False),
    OpInfo("bitwise_not", unary, dtypes=ALL, differentiable=False),
]
for _name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
    ELEMENTWISE.append(OpInfo(_name, unary, dtypes=ALL, domain=specials, differentiable=False))


# -- Python operators, reflected forms and dunders ------------------------------------------------
def _op_entry(sym, f, b=None, scalars=(2.5, 3), dtypes=ARITH, domain=real, **kw):
    return [
        OpInfo(f"operator{sym}", binary(b, scalars), fn=lambda _, x, y: f(x, y), dtypes=dtypes,
               domain=domain, **kw),
        OpInfo(f"operator{sym}.reflected", reflected(scalars), fn=lambda _, x, s: f(s, x),
               dtypes=tuple(d for d in dtypes if d != MIXED), domain=b or domain, **kw),
    ]


OPERATORS = [
    *_op_entry("+", operator.add),
    *_op_entry("-", operator.sub),
    *_op_entry("*", operator.mul),
    *_op_entry("/", operator.truediv, b=nonzero),
    *_op_entry("//", operator.floordiv, b=pow2, scalars=(2.0, 4), domain=fractional),
    *_op_entry("%", operator.mod, b=pow2, scalars=(2.0, 4), domain=fractional),
    *_op_entry("**", operator.pow, b=exponent, scalars=(2, 0.5), domain=positive),
    *_op_entry("==", operator.eq, domain=grid, differentiable=False),
    *_op_entry("<", operator.lt, domain=grid, differentiable=False),
    *_op_entry(">=", operator.ge, domain=grid, differentiable=False),
    *_op_entry("&", operator.and_, scalars=(True, 3), dtypes=("int64", "bool"),
               differentiable=False),
    *_op_entry("|", operator.or_, scalars=(True, 3), dtypes=("int64", "bool"),
               differentiable=False),
    *_op_entry("^", operator.xor, scalars=(True, 3), dtypes=("int64", "bool"),
               differentiable=False),
    OpInfo("operator-x", unary, fn=lambda _, x: -x, dtypes=ALL),
    OpInfo("operator+x", unary, fn=lambda _, x: +x, dtypes=FLOAT_INT),
    OpInfo("operator~x", unary, fn=lambda _, x: ~x, dtypes=("int64", "uint8", "bool", "float32"),
           differentiable=False),
    OpInfo("operator.abs", unary, fn=lambda _, x: abs(x), dtypes=FLOAT_INT, domain=nonzero),
]


# -- matrix products ------------------------------------------------------------------------------
MATMUL_SHAPES = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)),
                 ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
                 ((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((2, 1, 3, 4), (5, 4, 2)),
                 ((0, 4), (4, 5)), ((3, 0), (0, 5)), ((2, 0, 4), (4, 3)), ((0,), (0,)),
                 ((16, 32), (32, 8)),
                 ((3, 4), (5, 6)), ((), (4,)), ((2, 3, 4), (3, 4, 5))]  # the last three: errors


def shapes_samples(shapes, nc=True):
    def gen(g):
        for sa, sb in shapes:
            yield S(g(*sa), g(*sb))
        if nc:
            yield S(g(3, 4, layout="T"), g(4, 5, layout="S"))
    return gen


def matmul_mixed(g):
    yield S(g(3, 4, dtype="float32"), g(4, 5, dtype="float64"))  # torch refuses mixed dtypes
    yield S(g(3, 4, dtype="int64"), g(4, 5, dtype="int64"))


def addmm_samples(g):
    yield S(g(3, 5), g(3, 4), g(4, 5))
    yield S(g(5), g(3, 4), g(4, 5), beta=0.5, alpha=2)
    yield S(g(), g(3, 4, layout="T"), g(4, 5))


def einsum_samples(g):
    for eq, shapes in (("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
                       ("i,i->", [(4,), (4,)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]),
                       ("ij,j->i", [(3, 4), (4,)]), ("i,j->ij", [(3,), (4,)]),
                       ("ij,ij->ij", [(3, 4), (3, 4)]), ("ijk->kj", [(2, 3, 4)]),
                       ("ij,jk", [(3, 4), (4, 5)])):
        yield S(eq, *[g(*s) for s in shapes])


def tensordot_samples(g):
    yield S(g(3, 4), g(4, 5), dims=1)
    yield S(g(2, 3, 4), g(3, 4, 5), dims=2)
    yield S(g(2, 3, 4), g(4, 3, 5), dims=([1, 2], [1, 0]))
    yield S(g(3, 4), g(3, 4), dims=0)


def linear_samples(g):
    yield S(g(3, 4), g(5, 4), g(5))
    yield S(g(3, 4), g(5, 4))
    yield S(g(2, 3, 4), g(5, 4), g(5))
    yield S(g(4), g(5, 4), g(5))
    yield S(g(3, 4), g(4))
    yield S(g(0, 4), g(5, 4), g(5))
    yield S(g(3, 4, layout="T"), g(5, 4, layout="S"), g(5))
    yield S(g(3, 4), g(5, 3), g(5))  # feature mismatch: torch refuses


LINALG = [
    OpInfo("matmul", shapes_samples(MATMUL_SHAPES), tol=LOOSE, supports_out=True,
           dtypes=FLOAT + ("int64",)),
    OpInfo("matmul.dtypes", matmul_mixed, fn="matmul", dtypes=("float32",)),
    OpInfo("operator@", shapes_samples(MATMUL_SHAPES), fn=lambda _, a, b: a @ b, tol=LOOSE),
    OpInfo("mm", shapes_samples([((3, 4), (4, 5)), ((0, 4), (4, 5)), ((3, 0), (0, 5)),
                                 ((16, 32), (32, 8)), ((4,), (4, 5)), ((3, 4), (5, 6))]),
           tol=LOOSE, supports_out=True),
    OpInfo("bmm", shapes_samples([((2, 3, 4), (2, 4, 5)), ((0, 3, 4), (0, 4, 5)),
                                  ((2, 3, 4), (4, 5)), ((2, 3, 4), (3, 4, 5))], nc=False),
           tol=LOOSE, supports_out=True),
    OpInfo("dot", shapes_samples([((4,), (4,)), ((0,), (0,)), ((40,), (40,)), ((4,), (5,)),
                                  ((2, 2), (2, 2))], nc=False), tol=LOOSE, supports_out=True),
    OpInfo("vdot", shapes_samples([((4,), (4,)), ((40,), (40,))], nc=False), tol=LOOSE),
    OpInfo("mv", shapes_samples([((3, 4), (4,)), ((0, 4), (4,)), ((16, 32), (32,)),
                                 ((3, 4), (5,))], nc=False), tol=LOOSE, supports_out=True),
    OpInfo("outer", shapes_samples([((3,), (4,)), ((0,), (4,)), ((1,), (1,)), ((3, 1), (4,))],
                                   nc=False), covers=("ger",), needs=("Tensor.unsqueeze",)),
    OpInfo("inner", shapes_samples([((4,), (4,)), ((3, 4), (5, 4)), ((2, 3, 4), (4,)),
                                    ((), (3,))], nc=False), tol=LOOSE,
           needs=("Tensor.transpose",)),
    OpInfo("addmm", addmm_samples, tol=LOOSE),
    OpInfo("baddbmm", lambda g: [S(g(2, 3, 5), g(2, 3, 4), g(2, 4, 5)),
                                 S(g(5), g(2, 3, 4), g(2, 4, 5), beta=0.5, alpha=2)], tol=LOOSE),
    OpInfo("einsum", einsum_samples, tol=LOOSE, method=False),
    OpInfo("tensordot", tensordot_samples, tol=LOOSE),
    OpInfo("linear", linear_samples, fn="nn.functional.linear|linear", tol=LOOSE),
]


# -- conversions ----------------------------------------------------------------------------------
def to_samples(g):
    yield S(g(3, 4), np.float64)  # numpy scalar types stand for torch dtypes in samples
    yield S(g(3, 4), "cpu")
    yield S(g(3, 4, layout="T"), g(2, dtype="float64"))
    yield S(g(), copy=True)
    yield S(g(3, 4), dtype=np.int64)
    yield S(g(0, 3), np.float32)
    yield S(g(3, 4), "cpu", np.float64)


CASTS = ("float", "double", "half", "long", "int", "short", "char", "byte", "bool")


def casts_samples(g):
    for name in CASTS:
        # a float64 -> float32/16 round trip is not smooth at gradcheck's eps
        smooth = name == "double" or g.dtype == "float32"
        yield S(g(3, 4), name, _gradcheck=smooth)
        yield S(g(), name, _gradcheck=smooth)


CONVERT = [
    OpInfo("to", to_samples, fn="Tensor.to", dtypes=FLOAT_INT),
    OpInfo("clone", unary, dtypes=ALL),
    OpInfo("contiguous", unary, fn="Tensor.contiguous", dtypes=ALL),
    OpInfo("type_as", lambda g: [S(g(3, 4), g(2, dtype="float64")),
                                 S(g(3, 4), g(2, dtype="int64")),
                                 S(g(), g(2, dtype="float32"), _gradcheck=False)],
           fn="Tensor.type_as", dtypes=FLOAT_INT),
    OpInfo("cpu", unary, fn="Tensor.cpu", dtypes=FLOAT_INT),
    OpInfo("casts", casts_samples, fn=lambda _, x, name: getattr(x, name)(),
           dtypes=FLOAT_INT + ("bool",), tol={**TOL, "float16": (1e-3, 1e-3)}, covers=CASTS),
]


# -- reductions -----------------------------------------------------------------------------------
def sum_samples(g):
    yield from reduction()(g)
    if g.dtype in FLOAT:
        yield S(g(3, 4), 1, dtype=np.float64)
    yield S(g(2, 3, 4), ())


def prod_samples(g):
    yield from reduction(multi=False)(g)
    z = g.arr([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, -2.0, 3.0]])
    yield S(z)
    yield S(z, 1)
    yield S(z, 0, keepdim=True)


def var_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), 1)
    yield S(g(3, 4), 1, keepdim=True)
    yield S(g(2, 3, 4, layout="T"), (0, 2))
    yield S(g(3, 4), dim=1, correction=0)
    yield S(g(3, 4), correction=2)
    yield S(g(3, 4), unbiased=False)
    yield S(g(3, 4), 0, unbiased=True, keepdim=True)
    yield S(g(6, 11), 1)
    yield S(g(), _gradcheck=False)  # one element: nan, as torch
    yield S(g(1, 3), 0, _gradcheck=False)
    yield S(g(0, 3), 1)


def max_samples(g):
    """max/min: full reduction, (values, indices) along a dim, and the binary form."""
    yield S(g())
    yield S(g(3, 4))
    yield S(g(2, 3, 4, layout="T"))
    yield S(g(3, 4), 1)
    yield S(g(3, 4), -2, keepdim=True)
    yield S(g(3, 4), dim=0)
    yield S(g(), 0)
    yield S(g(2, 3, 4, layout="S"), 2)
    yield S(g(6, 11), 1)
    yield S(g(3, 4), g(3, 4))
    yield S(g(3, 1), g(4))
    yield S(g(0, 3))  # torch refuses: empty
    yield S(g(0, 3), 1)
    if g.dtype in FLOAT:
        t = g.arr([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
        yield S(t, _gradcheck=False)  # ties: the full reduction splits the gradient evenly


def amax_samples(g):
    yield S(g())
    yield S(g(3, 4))
    yield S(g(3, 4), 1)
    yield S(g(3, 4), (0, 1))
    yield S(g(2, 3, 4, layout="T"), -1, keepdim=True)
    yield S(g(), 0)
    yield S(g(6, 11), 0)
    yield S(g(0, 3), 1)
    yield S(g(0, 3), 0)
    if g.dtype in FLOAT:
        t = g.arr([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
        yield S(t, 1, _gradcheck=False)  # ties: gradient split evenly
        yield S(t, _gradcheck=False)


def argmax_samples(g):
    yield S(g())
    yield S(g(3, 4))
    yield S(g(3, 4), 1)
    yield S(g(3, 4), 0, keepdim=True)
    yield S(g(2, 3, 4, layout="T"), dim=-1)
    yield S(g(), 0)
    yield S(g.arr([[1, 3, 3], [2, 2, -1]]), 1)  # ties: the first index
    yield S(g.arr([1, 3, 3, 0]))
    yield S(g(0, 3))


def logsumexp_samples(g):
    yield S(g(3, 4), 1)
    yield S(g(3, 4), (0, 1))
    yield S(g(2, 3, 4, layout="T"), -1, keepdim=True)
    yield S(g(), 0)
    yield S(g(6, 11), 0)
    yield S(g(0, 3), 1)
    yield S(g(0, 3), 0)
    yield S(g(3, 4, domain=lambda r, s, d: r.uniform(-1, 1, s) + 1000), 1)  # no overflow


def softmax_samples(g):
    yield from dim_samples(g)
    yield S(g(3, 4, domain=lambda r, s, d: r.uniform(-1, 1, s) * 100), 1)  # no overflow
    if g.dtype == "float32":
        yield S(g(3, 4), 1, dtype=np.float64)


def cumsum_samples(g):
    yield from dim_samples(g)
    yield S(g(0), 0)
    if g.dtype != "float64":
        yield S(g(3, 4), 1, dtype=np.float64)


def norm_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), 1)
    yield S(g(3, 4), 2, 1)
    yield S(g(3, 4), p="fro")
    yield S(g(3, 4), p=3, dim=0, keepdim=True)
    yield S(g(3, 4), p=float("inf"), dim=1)
    yield S(g(2, 3, 4, layout="T"), dim=(1, 2))
    yield S(g())
    yield S(g(0, 3))
    yield S(g(6, 11), 2, 1)
    yield S(g.arr([0.0, 0.0, 0.0]), _gradcheck=False)  # subgradient 0 at the origin, as torch


def topk_samples(g):
    yield S(g(3, 5), 2)
    yield S(g(3, 5), 2, dim=0)
    yield S(g(3, 5), 3, largest=False)
    yield S(g(2, 3, 5, layout="T"), 1, 1)
    yield S(g(5), 5)
    yield S(g(5), 0)
    yield S(g(), 1)
    yield S(g(6, 11), 4)
    yield S(g(5), 6)  # k too large: torch refuses


def sort_samples(g):
    yield S(g(3, 5))
    yield S(g(3, 5), 0)
    yield S(g(3, 5), descending=True)
    yield S(g(3, 5), dim=0, descending=True)
    yield S(g(2, 3, 5, layout="T"), 1)
    yield S(g())
    yield S(g(0, 3))
    yield S(g(6, 11))
    yield S(g.arr([[2, 1, 2, 1, 0], [3, 3, 3, 1, 1]]), stable=True, _gradcheck=False)
    yield S(g.arr([[2, 1, 2, 1, 0], [3, 3, 3, 1, 1]]), stable=True, descending=True,
            _gradcheck=False)


def unique_samples(g):
    x = g(12)
    yield S(x)
    yield S(x, return_inverse=True)
    yield S(x, return_counts=True)
    yield S(x, return_inverse=True, return_counts=True)
    yield S(g(3, 4, layout="T"), return_inverse=True)
    yield S(g(0))
    yield S(g())
    yield S(g.arr([[1, 2], [1, 2], [0, 5]]), dim=0, return_counts=True)


def bincount_samples(g):
    x = g(10)
    yield S(x)
    yield S(x, minlength=8)
    yield S(x, g(10, dtype="float32"))
    yield S(x, weights=g(10, dtype="float64"), minlength=2)
    yield S(g(0))
    yield S(g(0), minlength=3)
    yield S(g(2, 3))  # torch refuses: 2-D


def one_hot_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), 6)
    yield S(g(5), num_classes=5)
    yield S(g())
    yield S(g(0), 3)
    yield S(g(3, 4), 2)  # torch refuses: class too large
    yield S(g(3, dtype="float32"))  # torch refuses: not an index tensor


def logic_reduction(g):
    yield from reduction()(g)
    yield S(g(3, 4, domain=grid), 1)


def count_nonzero_samples(g):
    x = g(3, 4)
    yield S(x)
    yield S(x, 1)
    yield S(x, (0, 1))
    yield S(g(2, 3, 4, layout="T"), dim=-1)
    yield S(g())
    yield S(g(0, 3), 0)


def nans(rng, shape, dt):
    """Ordinary numbers with some nans (nansum, nanmean, nanmedian)."""
    x = rng.permutation(math.prod(shape)).reshape(shape) * 0.3 - 1.0
    if math.prod(shape) <= 1:
        return x
    return np.where(rng.random(shape) < 0.3, np.nan, x)


def cumprod_samples(g):
    yield from dim_samples(g)
    z = g.arr([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 1.0], [1.0, -2.0, 3.0, 0.5]])
    yield S(z, 1)  # zeros: torch's gradient is exact there
    yield S(z, 0)


def kthvalue_samples(g):
    yield S(g(3, 5), 2)
    yield S(g(3, 5), 1, 0)
    yield S(g(3, 5), 3, dim=1, keepdim=True)
    yield S(g(2, 3, 5, layout="T"), 2, -2)
    yield S(g(), 1)
    yield S(g(5), 6)  # torch refuses: k out of range


def median_samples(g):
    yield S(g(3, 5))
    yield S(g(3, 4))  # even count: the lower of the two middle values
    yield S(g(3, 5), 1)
    yield S(g(3, 4), 0, keepdim=True)
    yield S(g(2, 3, 5, layout="T"), dim=-1)
    yield S(g())
    yield S(g(), 0)


def mode_samples(g):
    """The mode is a tie by definition: gradients compare with torch, no numerical check."""
    yield S(g.arr([[1, 2, 2, 3, 3, 3], [0, 0, 1, 1, 4, 4]]), _gradcheck=False)
    yield S(g.arr([[1, 2, 2], [3, 1, 3], [0, 0, 5]]), 0, _gradcheck=False)
    yield S(g.arr([[5, 5, 1]]), 1, keepdim=True, _gradcheck=False)
    yield S(g.arr(2))


def aminmax_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), dim=1)
    yield S(g(3, 4), dim=0, keepdim=True)
    yield S(g())
    yield S(g(0, 3), dim=1)


REDUCE = [
    OpInfo("sum", sum_samples, dtypes=ALL, tol=LOOSE, supports_out=True),
    OpInfo("mean", sum_samples, dtypes=FLOAT + ("int64",), tol=LOOSE, supports_out=True),
    OpInfo("prod", prod_samples, dtypes=FLOAT_INT + ("bool",), tol=LOOSE, supports_out=True),
    OpInfo("var", var_samples, tol=LOOSE),
    OpInfo("std", var_samples, tol=LOOSE),
    OpInfo("max", max_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("min", max_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("amax", amax_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("amin", amax_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("argmax", argmax_samples, dtypes=FLOAT_INT, domain=distinct, differentiable=False),
    OpInfo("argmin", argmax_samples, dtypes=FLOAT_INT, domain=distinct, differentiable=False),
    OpInfo("logsumexp", logsumexp_samples, tol=LOOSE),
    OpInfo("softmax", softmax_samples, tol=LOOSE),
    OpInfo("log_softmax", softmax_samples, tol=LOOSE),
    OpInfo("cumsum", cumsum_samples, dtypes=FLOAT + ("int64", "bool"), tol=LOOSE,
           supports_out=True),
    OpInfo("norm", norm_samples, dtypes=FLOAT + ("int64",), tol=LOOSE),
    OpInfo("topk", topk_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("sort", sort_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("argsort", sort_samples, dtypes=FLOAT_INT, domain=distinct, differentiable=False),
    OpInfo("unique", unique_samples, dtypes=FLOAT_INT, domain=grid, differentiable=False),
    OpInfo("bincount", bincount_samples, dtypes=("int64", "uint8"), domain=classes,
           differentiable=False),
    OpInfo("all", logic_reduction, dtypes=ALL, domain=grid, differentiable=False),
    OpInfo("any", logic_reduction, dtypes=ALL, domain=grid, differentiable=False),
    OpInfo("count_nonzero", count_nonzero_samples, dtypes=ALL, domain=grid,
           differentiable=False),
    OpInfo("cumprod", cumprod_samples, dtypes=FLOAT + ("int64",), tol=LOOSE),
    OpInfo("nansum", sum_samples, domain=nans, tol=LOOSE),
    OpInfo("nanmean", sum_samples, domain=nans, tol=LOOSE),
    OpInfo("var_mean", var_samples, tol=LOOSE),
    OpInfo("std_mean", var_samples, tol=LOOSE),
    OpInfo("aminmax", aminmax_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("kthvalue", kthvalue_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("median", median_samples, dtypes=FLOAT_INT, domain=distinct),
    OpInfo("nanmedian", median_samples, domain=nans),
    OpInfo("mode", mode_samples, dtypes=FLOAT_INT),
    OpInfo("msort", lambda g: [S(g(4, 3)), S(g(5)), S(g(4, 3, layout="T")), S(g(0, 2))],
           dtypes=FLOAT_INT, domain=distinct),
]


# -- shapes and views -----------------------------------------------------------------------------
def view_samples(g):
    x = g(3, 4)
    yield S(x, 12)
    yield S(x, -1)
    yield S(x, 2, 6)
    yield S(x, (4, 3))
    yield S(x, [2, -1, 2])
    yield S(g(), 1)
    yield S(g(), ())
    yield S(g(1), ())
    yield S(g(0, 3), 3, 0)
    yield S(g(0, 3), -1)
    yield S(g(0, 3), 0, -1)  # torch refuses: -1 is ambiguous with 0 elements
    yield S(x, 5, -1)  # torch refuses: 12 elements
    yield S(x, -1, -1)  # torch refuses: two -1


def view_nc_samples(g):
    """view refuses to merge dims that are not laid out together; reshape copies instead."""
    yield S(g(3, 4, layout="T"), 12)
    yield S(g(2, 3, 4, layout="T"), 2, 12)
    yield S(g(2, 3, 4, layout="T"), 6, 2, 2)  # splits the first dim only: a view
    yield S(g(2, 3, 4, layout="S"), 6, 4)


def flatten_samples(g):
    yield S(g(2, 3, 4))
    yield S(g(2, 3, 4), 1)
    yield S(g(2, 3, 4), 0, 1)
    yield S(g(2, 3, 4, layout="T"), start_dim=-2)
    yield S(g())
    yield S(g(0, 3))
    yield S(g(3, 4), 1, 0)  # torch refuses: start after end


def unflatten_samples(g):
    yield S(g(3, 12), 1, (3, 4))
    yield S(g(3, 12), -1, (2, -1))
    yield S(g(12, 2, layout="T"), 0, (1, 2, 1))
    yield S(g(0, 6), 1, (2, 3))
    yield S(g(3, 12), 1, (5, 2))  # torch refuses


def transpose_samples(g):
    yield S(g(3, 4), 0, 1)
    yield S(g(2, 3, 4), 0, 2)
    yield S(g(2, 3, 4, layout="T"), -1, -3)
    yield S(g(3, 4), 1, 1)
    yield S(g(), 0, -1)
    yield S(g(0, 3), 0, 1)
    yield S(g(3, 4), 0, 2)  # torch refuses: dim out of range


def permute_samples(g):
    yield S(g(2, 3, 4), (2, 0, 1))
    yield S(g(2, 3, 4, layout="S"), (-1, 1, 0))
    yield S(g(), ())
    yield S(g(0, 3), (1, 0))
    yield S(g(2, 3, 4), (0, 0, 1))  # torch refuses: repeated dim
    yield S(g(2, 3, 4), (1, 0))  # torch refuses: too few dims


def squeeze_samples(g):
    x = g(1, 3, 1, 4)
    yield S(x)
    yield S(x, 0)
    yield S(x, -2)
    yield S(x, 1)  # a no-op: size 3
    yield S(x, (0, 2))
    yield S(g())
    yield S(g(), 0)
    yield S(g(1, 0, 1))
    yield S(g(1, 4, layout="T"), 1)
    yield S(x, 4)  # torch refuses: out of range


def unsqueeze_samples(g):
    x = g(3, 4)
    for d in (0, 1, 2, -1, -3):
        yield S(x, d)
    yield S(g(), 0)
    yield S(g(), -1)
    yield S(g(0, 3), 1)
    yield S(g(3, 4, layout="T"), 1)
    yield S(x, 3)  # torch refuses


def expand_samples(g):
    yield S(g(3, 1), 3, 4)
    yield S(g(3, 1), (2, 3, 4))
    yield S(g(3, 1), -1, 4)
    yield S(g(), 3, 2)
    yield S(g(1), 0)
    yield S(g(1, 4, layout="T"), 3, 4, 1)
    yield S(g(3, 2), 3, 4)  # torch refuses


def repeat_samples(g):
    yield S(g(2, 3), 2, 2)
    yield S(g(2, 3), (2, 1, 3))
    yield S(g(), 3)
    yield S(g(2, 3), 0, 1)
    yield S(g(2, 3, layout="T"), 1, 2)
    yield S(g(0, 3), 2, 2)
    yield S(g(2, 3), 2)  # torch refuses: fewer repeats than dims


def cat_samples(g):
    if g.dtype == MIXED:
        yield S([g(2, 3, dtype="float32"), g(1, 3, dtype="float64")])
        yield S([g(2, 3, dtype="int64"), g(1, 3, dtype="float32")])
        yield S([g(2, 3, dtype="bool"), g(1, 3, dtype="int32")], 0)
        return
    yield S([g(2, 3), g(1, 3), g(4, 3)])
    yield S([g(3, 2), g(3, 4)], 1)
    yield S([g(3, 2), g(3, 4, layout="T")], -1)
    yield S([g(2, 3)])
    yield S([g(0, 3), g(2, 3)], 0)
    yield S([g(2, 3), g(0)], 0)  # a legacy empty 1-D tensor is skipped
    yield S([g(2, 3), g(2, 4)], 0)  # torch refuses
    yield S([g(), g()])  # torch refuses: 0-d
    yield S([])  # torch refuses


def stack_samples(g):
    yield S([g(2, 3), g(2, 3), g(2, 3)])
    yield S([g(2, 3), g(2, 3, layout="T")], 1)
    yield S([g(2, 3), g(2, 3)], -1)
    yield S([g(), g()])
    yield S([g(0, 3), g(0, 3)], 1)
    yield S([g(2, 3), g(3, 2)])  # torch refuses


def split_samples(g):
    x = g(5, 4)
    yield S(x, 2)
    yield S(x, [1, 4])
    yield S(x, 2, 1)
    yield S(x, [1, 1, 2], dim=1)
    yield S(x, 5)
    yield S(x, 7)
    yield S(g(5, 4, layout="T"), 3, -1)
    yield S(g(0, 3), 2)
    yield S(x, [1, 2])  # torch refuses: sizes do not add up


def chunk_samples(g):
    x = g(5, 4)
    yield S(x, 3)
    yield S(x, 2, 1)
    yield S(x, 6)
    yield S(x, 1)
    yield S(g(5, 4, layout="T"), 2, dim=-1)
    yield S(g(0, 3), 2)
    yield S(x, 0)  # torch refuses


def unbind_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), 1)
    yield S(g(2, 3, 4, layout="T"), -1)
    yield S(g(0, 3), 1)
    yield S(g(3, 4), 2)  # torch refuses


def flip_samples(g):
    yield S(g(3, 4), (0,))
    yield S(g(3, 4), [0, 1])
    yield S(g(2, 3, 4, layout="T"), (-1, 0))
    yield S(g(), ())
    yield S(g(0, 3), (1,))


def tri_samples(g):
    yield S(g(4, 4))
    yield S(g(3, 5), 1)
    yield S(g(5, 3), -1)
    yield S(g(2, 3, 4), diagonal=2)
    yield S(g(4, 4, layout="T"), -2)
    yield S(g(0, 3))
    yield S(g(4))  # torch refuses: 1-D


def _T(_, x):
    return x.T


def _mT(_, x):
    return x.mT


def movedim_samples(g):
    x = g(2, 3, 4)
    yield S(x, 0, 2)
    yield S(x, -1, 0)
    yield S(x, (0, 1), (2, 0))
    yield S(g(2, 3, 4, layout="T"), [1], [-1])
    yield S(g(), 0, 0)
    yield S(x, (0, 0), (1, 2))  # torch refuses: repeated dim


def broadcast_to_samples(g):
    yield S(g(3, 1), (3, 4))
    yield S(g(3, 1), (2, 3, 4))
    yield S(g(), (2, 2))
    yield S(g(3, 1), (-1, 4))
    yield S(g(1, 4, layout="T"), (2, 3, 4, 1))
    yield S(g(3, 2), (3, 4))  # torch refuses


def narrow_samples(g):
    x = g(4, 5)
    yield S(x, 0, 1, 2)
    yield S(x, 1, -3, 3)
    yield S(x, -1, 0, 0)
    yield S(g(4, 5, layout="T"), 1, 2, 2)
    yield S(x, 0, 3, 2)  # torch refuses: past the end


def select_samples(g):
    x = g(4, 5)
    yield S(x, 0, 1)
    yield S(x, 1, -1)
    yield S(g(2, 3, 4, layout="T"), 2, 0)
    yield S(g(3), 0, 2)
    yield S(x, 0, 4)  # torch refuses


def diagonal_samples(g):
    yield S(g(4, 4))
    yield S(g(3, 5), 1)
    yield S(g(3, 5), -1)
    yield S(g(2, 3, 4), 0, 1, 2)
    yield S(g(2, 3, 4, layout="T"), offset=1, dim1=-1, dim2=0)
    yield S(g(3, 4), 5)


def stacks_samples(g):
    yield S([g(2, 3), g(2, 3)])
    yield S([g(3), g(3)])
    yield S([g(2, 3, 4), g(2, 3, 4, layout="S")])
    yield S([g(), g()])
    yield S([g(2, 3)])


def atleast_samples(g):
    yield S(g())
    yield S(g(3))
    yield S(g(2, 3))
    yield S(g(2, 3, 4, layout="T"))


def meshgrid_samples(g):
    yield S(g(3), g(2), indexing="ij")
    yield S(g(3), g(2), g(4), indexing="xy")
    yield S(g(4), indexing="xy")
    yield S(g(), g(3))
    yield S([g(2), g(0)], indexing="ij")


def cartesian_prod_samples(g):
    yield S(g(3), g(2))
    yield S(g(2), g(3), g(2))
    yield S(g(4))


def tensor_split_samples(g):
    x = g(7, 4)
    yield S(x, 3)
    yield S(x, [1, 5])
    yield S(x, (2,), 1)
    yield S(x, 8)
    yield S(g(7, 4, layout="T"), 2, dim=-1)
    yield S(x, [6, 2])


def roll_samples(g):
    x = g(3, 4)
    yield S(x, 1)
    yield S(x, -2, 1)
    yield S(x, (1, 2), (0, 1))
    yield S(g(3, 4, layout="T"), 5, 0)
    yield S(g(), 1)
    yield S(g(0, 3), 1, 1)


def diag_samples(g):
    yield S(g(4))
    yield S(g(4), 1)
    yield S(g(3, 4))
    yield S(g(3, 4), -1)
    yield S(g(4, 4, layout="T"), 2)
    yield S(g(0))
    yield S(g(2, 3, 4))  # torch refuses: 3-D


def tile_samples(g):
    yield S(g(2, 3), (2, 2))
    yield S(g(2, 3), (2,))
    yield S(g(2, 3), (2, 1, 3))
    yield S(g(), (3,))
    yield S(g(2, 3, layout="T"), (1, 0))


def repeat_interleave_samples(g):
    x = g(2, 3)
    yield S(x, 2)
    yield S(x, 2, dim=0)
    yield S(x, g.arr([1, 2, 0], "int64"), dim=1)
    yield S(x, g.index((2,), 3), 0)
    yield S(g(2, 3, layout="T"), 3, -1)
    yield S(g(), 3)
    yield S(g(0, 3), 2, 0)
    yield S(x, g.arr([1, 2], "int64"), dim=1)  # torch refuses: one count per element


def unfold_samples(g):
    yield S(g(7), 0, 2, 1)
    yield S(g(3, 8), 1, 3, 2)
    yield S(g(3, 8, layout="T"), 0, 2, 1)
    yield S(g(), 0, 1, 1)
    yield S(g(5), 0, 6, 1)  # torch refuses: size too large


SHAPE = [
    OpInfo("view", view_samples, fn="Tensor.view", dtypes=ALL),
    OpInfo("view.noncontiguous", view_nc_samples, fn="Tensor.view"),
    OpInfo("reshape", view_samples, fn="Tensor.reshape", dtypes=ALL, covers=("reshape",)),
    OpInfo("reshape.function", lambda g: [S(g(3, 4), (12,)), S(g(3, 4), [2, -1]), S(g(), (1,)),
                                          S(g(0, 3), (3, 0)), S(g(3, 4), (5, -1))], fn="reshape",
           dtypes=FLOAT_INT),
    OpInfo("reshape.noncontiguous", view_nc_samples, fn="Tensor.reshape"),
    OpInfo("flatten", flatten_samples, dtypes=FLOAT_INT),
    OpInfo("unflatten", unflatten_samples, dtypes=FLOAT_INT),
    OpInfo("transpose", transpose_samples, dtypes=FLOAT_INT, covers=("swapaxes", "swapdims")),
    OpInfo("T", lambda g: [S(g(3, 4)), S(g(5)), S(g()), S(g(3, 4, layout="T")), S(g(0, 3))],
           fn=_T, dtypes=FLOAT_INT, needs=("Tensor.T",)),
    OpInfo("mT", lambda g: [S(g(3, 4)), S(g(2, 3, 4)), S(g(2, 3, 4, layout="S")), S(g(0, 3)),
                            S(g(4))], fn=_mT, dtypes=FLOAT_INT, needs=("Tensor.mT",)),
    OpInfo("permute", permute_samples, dtypes=FLOAT_INT),
    OpInfo("permute.varargs", lambda g: [S(g(2, 3, 4), 2, 0, 1), S(g(3, 4), -1, 0)],
           fn="Tensor.permute"),
    OpInfo("squeeze", squeeze_samples, dtypes=FLOAT_INT),
    OpInfo("unsqueeze", unsqueeze_samples, dtypes=FLOAT_INT),
    OpInfo("expand", expand_samples, fn="Tensor.expand", dtypes=FLOAT_INT),
    OpInfo("expand_as", lambda g: [S(g(3, 1), g(2, 3, 4)), S(g(), g(2, 2)),
                                   S(g(3, 2), g(3, 4))],
           fn="Tensor.expand_as", dtypes=FLOAT_INT),
    OpInfo("repeat", repeat_samples, fn="Tensor.repeat", dtypes=FLOAT_INT),
    OpInfo("cat", cat_samples, dtypes=FLOAT + ("int64", "bool", MIXED), supports_out=True,
           covers=("concat", "concatenate")),
    OpInfo("stack", stack_samples, dtypes=FLOAT_INT, supports_out=True),
    OpInfo("split", split_samples, dtypes=FLOAT_INT),
    OpInfo("chunk", chunk_samples, dtypes=FLOAT_INT),
    OpInfo("unbind", unbind_samples, dtypes=FLOAT_INT),
    OpInfo("meshgrid", meshgrid_samples, dtypes=FLOAT_INT, method=False),
    OpInfo("cartesian_prod", cartesian_prod_samples, dtypes=FLOAT_INT, method=False),
    OpInfo("flip", flip_samples, dtypes=FLOAT_INT + ("bool",)),
    OpInfo("tril", tri_samples, dtypes=FLOAT_INT + ("bool",)),
    OpInfo("triu", tri_samples, dtypes=FLOAT_INT + ("bool",)),
    OpInfo("ravel", unary, dtypes=FLOAT_INT),
    OpInfo("t", lambda g: [S(g(3, 4)), S(g(4)), S(g()), S(g(3, 4, layout="T")), S(g(2, 3, 4))],
           dtypes=FLOAT_INT),
    OpInfo("adjoint", lambda g: [S(g(3, 4)), S(g(2, 3, 4, layout="S")), S(g(0, 3)), S(g(4))],
           dtypes=FLOAT_INT),
    OpInfo("movedim", movedim_samples, dtypes=FLOAT_INT, covers=("moveaxis",)),
    OpInfo("broadcast_to", broadcast_to_samples, dtypes=FLOAT_INT),
    OpInfo("broadcast_tensors", lambda g: [S(g(3, 1), g(4)), S(g(), g(2, 3), g(1, 3)),
                                           S(g(3, 2), g(4))], dtypes=FLOAT_INT),
    OpInfo("broadcast_shapes", lambda g: [S((3, 1), (4,)), S((), (2, 3), [1, 3]), S((3,), (4,))],
           differentiable=False, dtypes=("float32",)),
    OpInfo("narrow", narrow_samples, dtypes=FLOAT_INT),
    OpInfo("select", select_samples, dtypes=FLOAT_INT),
    OpInfo("diagonal", diagonal_samples, dtypes=FLOAT_INT),
    OpInfo("hstack", stacks_samples, dtypes=FLOAT_INT),
    OpInfo("vstack", stacks_samples, dtypes=FLOAT_INT, covers=("row_stack",)),
    OpInfo("dstack", stacks_samples, dtypes=FLOAT_INT),
    OpInfo("column_stack", stacks_samples, dtypes=FLOAT_INT),
    OpInfo("atleast_1d", atleast_samples, dtypes=FLOAT_INT),
    OpInfo("atleast_2d", atleast_samples, dtypes=FLOAT_INT),
    OpInfo("atleast_3d", atleast_samples, dtypes=FLOAT_INT),
    OpInfo("tensor_split", tensor_split_samples, dtypes=FLOAT_INT),
    OpInfo("fliplr", lambda g: [S(g(3, 4)), S(g(2, 3, 4, layout="T")), S(g(4))],
           dtypes=FLOAT_INT),
    OpInfo("flipud", lambda g: [S(g(3, 4)), S(g(4)), S(g(2, 3, 4, layout="T")), S(g())],
           dtypes=FLOAT_INT),
    OpInfo("roll", roll_samples, dtypes=FLOAT_INT),
    OpInfo("diag", diag_samples, dtypes=FLOAT_INT),
    OpInfo("tile", tile_samples, dtypes=FLOAT_INT),
    OpInfo("repeat_interleave", repeat_interleave_samples, dtypes=FLOAT_INT,
           fn="repeat_interleave|ops.shape.repeat_interleave|ops._rearrange.repeat_interleave",
           method="repeat_interleave"),
    OpInfo("repeat_interleave.counts", lambda g: [S(g.arr([1, 2, 0, 3])), S(g.arr([], "int64"))],
           fn="repeat_interleave|ops.shape.repeat_interleave|ops._rearrange.repeat_interleave",
           dtypes=("int64",)),
    OpInfo("view_as", lambda g: [S(g(3, 4), g(2, 6)), S(g(), g(1)), S(g(3, 4), g(5))],
           fn="Tensor.view_as", dtypes=FLOAT_INT),
    OpInfo("reshape_as", lambda g: [S(g(3, 4, layout="T"), g(2, 6)), S(g(), g(1, 1))],
           fn="Tensor.reshape_as", dtypes=FLOAT_INT),
    OpInfo("unfold", unfold_samples, fn="Tensor.unfold", dtypes=FLOAT_INT),
]


# -- indexing -------------------------------------------------------------------------------------
def gather_samples(g):
    x = g(3, 4)
    yield S(x, 0, g.index((2, 4), 3))
    yield S(x, 1, g.index((3, 6), 4))  # repeated indices: gradients accumulate
    yield S(x, -1, g.index((2, 2), 4))
    yield S(g(2, 3, 4, layout="T"), 1, g.index((2, 3, 4), 3))
    yield S(g(), 0, g.index((), 1))
    yield S(x, 1, g.index((0, 4), 4))
    yield S(x, 1, g.index((3, 2), 4, 3))  # torch refuses: index out of range (4..6)


def scatter_samples(g):
    x = g(3, 5)
    yield S(x, 0, g.perm_index((3, 5), 0), g(3, 5))
    # src larger than index: torch 2.13's own backward fails there ("invalid gradient")
    yield S(x, 1, g.perm_index((2, 5), 1)[:, :3].copy(), g(2, 4), _grad=False)
    yield S(x, -1, g.perm_index((3, 5), 1), g(3, 5, layout="T"))
    yield S(x, 1, g.perm_index((3, 5), 1)[:, :2].copy(), value=1.5)
    yield S(g(), 0, g.index((), 1), g())


def scatter_add_samples(g):
    x = g(3, 5)
    yield S(x, 0, g.index((4, 5), 3), g(4, 5))
    yield S(x, 1, g.index((3, 8), 5), g(3, 8))
    yield S(x, -1, g.index((2, 3), 5), g(3, 5, layout="T"), _grad=False)  # as in scatter
    yield S(g(), 0, g.index((), 1), g())
    yield S(x, 1, g.index((3, 0), 5), g(3, 0))


def index_select_samples(g):
    x = g(4, 5)
    yield S(x, 0, g.index((3,), 4))
    yield S(x, 1, g.index((7,), 5))  # repeats
    yield S(x, -1, g.index((0,), 5))
    yield S(g(4, 5, layout="T"), 0, g.index((2,), 4))
    yield S(g(), 0, g.index((1,), 1))
    yield S(x, 0, g.index((), 4))
    yield S(x, 0, g.index((2,), 9, 4))  # torch refuses: out of range


def masked_fill_samples(g):
    x = g(3, 4)
    yield S(x, g.mask(3, 4), 0.5)
    yield S(x, g.mask(4), -1.0)
    yield S(x, g.mask(3, 1), g(dtype="float32" if g.dtype == "int64" else None))
    yield S(g(3, 4, layout="T"), g.mask(3, 4), 2)
    yield S(g(), g.mask(), 3.0)
    yield S(g(0, 4), g.mask(4), 1.0)
    yield S(x, g(3, 4), 1.0)  # torch refuses: mask must be bool


def _getitem_indices(g):
    return [1, -1, (1, 2), (1, 2, 3), slice(1, 3), slice(None, None, 2),
            (slice(1, None, 2), slice(None, None, 3)), None, (Ellipsis, 1), (slice(None), None, 2),
            (Ellipsis, None), [0, 2], ([0, 2], [1, 3]), ([[0], [1]], [2, 3]),
            g.index((2,), 4), g.index((2, 3), 4), g.mask(4, 5, 6), g.mask(4), g.mask(4, 5),
            (slice(1, 3), [0, 2, 4]), ([0, 2], slice(None), [1, 3]), (slice(None), [1, 1, 3]),
            g.index((), 4), (0, g.mask(5)), (Ellipsis, g.index((3,), 6)), [], True,
            (slice(-3, None), slice(None, -2)), (slice(10, 20),), 4, -5,
            (slice(None, None, -1),), (0, 0, 0, 0), g.index((2,), 9, 4)]


def getitem_samples(g):
    x = g(4, 5, 6)
    for idx in _getitem_indices(g):
        yield S(x, idx)
    yield S(g(5, 4, 6).transpose(1, 0, 2), (slice(1, None), slice(None, None, 2)))
    yield S(g(), None)
    yield S(g(), Ellipsis)
    yield S(g(), ())
    yield S(g(0, 3), (slice(None), 1))
    yield S(g(0, 3), slice(1, None))


def _setitem(_, x, idx, value):
    y = x.clone()
    y[idx] = value
    return y


def setitem_samples(g):
    x = g(4, 5, 6)
    yield S(x, 1, 0.5)
    yield S(x, (slice(1, 3),), g(6))
    yield S(x, (Ellipsis, 0), g(4, 5))
    yield S(x, g.mask(4, 5, 6), 0.0)
    yield S(x, g.mask(4), g(5, 6))
    yield S(x, [0, 2], g(2, 5, 6))
    yield S(x, ([0, 2], [1, 3]), g(6))
    yield S(x, g.index((2,), 4)[:1].copy(), 2.0)
    yield S(x, (slice(None), slice(None, None, 2), 1), g(4, 3))
    yield S(x, None, g(5, 6))
    yield S(g(), (), 3.0)
    yield S(g(0, 3), 0, 1.0)  # torch refuses: out of range
    yield S(x, (slice(None), 0), g(4, 6, layout="T"))
    yield S(x, 0, g(4, 6))  # torch refuses: shape mismatch


def index_put_samples(g):
    x = g(4, 5)
    yield S(x, (g.index((3,), 4),), g(3, 5))
    yield S(x, (g.perm_index((4,), 0)[:2].copy(), g.index((2,), 5)), g(2))
    yield S(x, (g.index((6,), 4), g.index((6,), 5)), g(6), accumulate=True)  # repeats add
    yield S(x, (g.mask(4, 5),), g())
    yield S(g(4, 5, layout="T"), (g.index((2,), 4),), g(5))


def index_add_samples(g):
    x = g(4, 5)
    yield S(x, 0, g.index((6,), 4), g(6, 5))  # repeats add
    yield S(x, 1, g.index((2,), 5), g(4, 2), alpha=2)
    yield S(g(4, 5, layout="T"), -1, g.index((3,), 5), g(4, 3))
    yield S(g(), 0, g.index((1,), 1), g(1))


def index_fill_samples(g):
    x = g(4, 5)
    yield S(x, 0, g.index((2,), 4), 1.5)
    yield S(x, 1, g.index((3,), 5), g(dtype="float32" if g.dtype == "int64" else None))
    yield S(g(4, 5, layout="T"), -1, g.index((0,), 5), -1.0)


def index_copy_samples(g):
    x = g(4, 5)
    yield S(x, 0, g.perm_index((4,), 0)[:2].copy(), g(2, 5))
    yield S(x, 1, g.perm_index((5,), 0)[:3].copy(), g(4, 3))
    yield S(g(4, 5, layout="T"), -1, g.perm_index((5,), 0)[:1].copy(), g(4, 1))


def take_along_dim_samples(g):
    x = g(3, 4)
    yield S(x, g.index((3, 2), 4), 1)
    yield S(x, g.index((2, 4), 3), dim=0)
    yield S(x, g.index((5,), 12))
    yield S(g(2, 3, 4, layout="T"), g.index((2, 1, 4), 3), 1)


def masked_select_samples(g):
    yield S(g(3, 4), g.mask(3, 4))
    yield S(g(3, 4), g.mask(4))
    yield S(g(3, 1), g.mask(3, 4))
    yield S(g(), g.mask())
    yield S(g(3, 4, layout="T"), g.mask(3, 4))
    yield S(g(0, 4), g.mask(4))


def take_samples(g):
    yield S(g(3, 4), g.index((5,), 12))
    yield S(g(3, 4), g.index((2, 3), 12, -12))
    yield S(g(3, 4, layout="T"), g.index((4,), 12))
    yield S(g(), g.index((2,), 1))
    yield S(g(3, 4), g.index((2,), 20, 12))  # torch refuses: out of range


def nonzero_samples(g):
    yield S(g(3, 4))
    yield S(g(3, 4), as_tuple=True)
    yield S(g(5))
    yield S(g())
    yield S(g(0, 3))
    yield S(g(2, 3, 4, layout="T"))


INDEXING = [
    OpInfo("gather", gather_samples, dtypes=FLOAT_INT, supports_out=True),
    OpInfo("scatter", scatter_samples, dtypes=FLOAT_INT),
    OpInfo("scatter_add", scatter_add_samples, dtypes=FLOAT_INT),
    OpInfo("index_select", index_select_samples, dtypes=FLOAT_INT, supports_out=True),
    OpInfo("masked_fill", masked_fill_samples, dtypes=FLOAT_INT),
    OpInfo("one_hot", one_hot_samples, fn="nn.functional.one_hot|one_hot|ops.indexing.one_hot",
           dtypes=("int64",),
           domain=classes, differentiable=False, covers=("one_hot",)),
    OpInfo("getitem", getitem_samples, fn=lambda _, x, idx: x[idx], dtypes=FLOAT_INT + ("bool",),
           needs=("Tensor.__getitem__",)),
    OpInfo("setitem", setitem_samples, fn=_setitem, dtypes=FLOAT_INT,
           needs=("Tensor.__setitem__",)),
    OpInfo("index_put", index_put_samples, dtypes=FLOAT_INT),
    OpInfo("index_add", index_add_samples, dtypes=FLOAT_INT),
    OpInfo("index_fill", index_fill_samples, dtypes=FLOAT_INT),
    OpInfo("index_copy", index_copy_samples, dtypes=FLOAT_INT),
    OpInfo("take_along_dim", take_along_dim_samples, dtypes=FLOAT_INT),
    OpInfo("masked_select", masked_select_samples, dtypes=FLOAT_INT),
    OpInfo("take", take_samples, dtypes=FLOAT_INT),
    OpInfo("nonzero", nonzero_samples, dtypes=FLOAT_INT + ("bool",), domain=grid,
           differentiable=False),
    OpInfo("argwhere", nonzero_samples, dtypes=FLOAT_INT + ("bool",), domain=grid,
           differentiable=False),
]

# -- in-place forms: y = x.clone(); y.op_(...) must return y and match torch, gradients included
def _inplace(name, samples, dtypes=("float32", MIXED), **kw):
    def fn(lib, x, *args, **kwargs):
        y = x.clone()
        out = getattr(y, name + "_")(*args, **kwargs)
        if out is not y:
            raise AssertionError(f"{name}_ must return self")
        return y
    return OpInfo(f"{name}_", samples, fn=fn, dtypes=dtypes, method=False, covers=(name + "_",),
                  needs=(f"Tensor.{name}_",), **kw)


def copy_samples(g):
    yield S(g(3, 4), g(4))
    yield S(g(3, 4), g(3, 4, dtype="float64"))
    yield S(g(3, 4), g(3, 1, dtype="int64"))
    yield S(g(), g())
    yield S(g(3, 4), g(2, 4))  # torch refuses: not broadcastable


def fill_samples(g):
    yield S(g(3, 4), 1.5)
    yield S(g(3, 4, layout="T"), g())
    yield S(g(), 2)
    yield S(g(3, 4), g(2))  # torch refuses: value must be 0-d


INPLACE = [
    _inplace("add", binary(scalars=(2.5, 3))),
    _inplace("sub", binary(scalars=(2.5,))),
    _inplace("mul", binary(scalars=(2.5, 3))),
    _inplace("div", binary(nonzero, scalars=(2.5,))),
    _inplace("pow", lambda g: [S(g(3, 4, domain=positive), e) for e in (2, 0.5, -1.5)] +
             [S(g(3, 4, domain=positive), g(4, domain=exponent))]),
    _inplace("floor_divide", binary(pow2, scalars=(2.0,)), dtypes=("float32",), domain=fractional),
    _inplace("remainder", binary(pow2, scalars=(2.0,)), dtypes=("float32",), domain=fractional),
    _inplace("clamp", clamp_samples, dtypes=("float32", "int64")),
    _inplace("neg", unary, dtypes=("float32", "int64")),
    _inplace("exp", unary, dtypes=("float32", "int64")),
    _inplace("sqrt", unary, dtypes=("float32",), domain=positive),
    _inplace("relu", unary, dtypes=("float32",), domain=nonzero),
    _inplace("sigmoid", unary, dtypes=("float32",)),
    _inplace("tanh", unary, dtypes=("float32",)),
    _inplace("masked_fill", masked_fill_samples, dtypes=("float32", "int64")),
    _inplace("index_add", index_add_samples, dtypes=("float32",)),
    _inplace("index_fill", index_fill_samples, dtypes=("float32",)),
    _inplace("index_copy", index_copy_samples, dtypes=("float32",)),
    _inplace("scatter", scatter_samples, dtypes=("float32",)),
    _inplace("scatter_add", scatter_add_samples, dtypes=("float32",)),
    _inplace("unsqueeze", unsqueeze_samples, dtypes=("float32",)),
    _inplace("squeeze", squeeze_samples, dtypes=("float32",)),
    _inplace("transpose", transpose_samples, dtypes=("float32",)),
    _inplace("t", lambda g: [S(g(3, 4)), S(g(4)), S(g())], dtypes=("float32",)),
    _inplace("tril", tri_samples, dtypes=("float32",)),
    _inplace("triu", tri_samples, dtypes=("float32",)),
    _inplace("copy", copy_samples, dtypes=("float32",)),
    _inplace("fill", fill_samples, dtypes=("float32", "int64")),
    _inplace("zero", lambda g: [S(g(3, 4)), S(g()), S(g(0, 3)), S(g(3, 4, layout="T"))],
             dtypes=("float32", "int64")),
]

OP_DB = ELEMENTWISE + OPERATORS + LINALG + CONVERT + REDUCE + SHAPE + INDEXING + INPLACE

# Public names of luchina.ops families deliberately without an entry, with the reason.
# torch names these nodes after its internal decomposition (ViewBackward0, PermuteBackward0...)
GRAD_FN_NAME_EXEMPT = {"einsum", "tensordot", "inner"}

SKIP = {
    "cuda": "needs a GPU: the 'cuda' device parametrization of test_ops covers it",
    "return_types": "a namespace of result types, not an op (checked through max, sort...)",
}

assert len({op.name for op in OP_DB}) == len(OP_DB), "OpInfo names must be unique"
