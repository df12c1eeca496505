"""luchina._tensor_str against torch's own tensor printing (torch is the oracle here only)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from luchina import _tensor_str as ts

torch = pytest.importorskip("torch")

FLOATS = [np.float16, np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8]
ALL_DTYPES = FLOATS + INTS + [np.bool_]
NAMES = {np.dtype(d): "torch." + ("bool" if d is np.bool_ else np.dtype(d).name)
         for d in ALL_DTYPES}

OPTION_SETS = [
    {},
    {"precision": 2},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 5},
    {"edgeitems": 1, "threshold": 10},
    {"edgeitems": 0, "threshold": 10},
    {"linewidth": 40},
    {"profile": "full"},
    {"profile": "short"},
    {"precision": 6, "linewidth": 120},
]


@pytest.fixture(autouse=True)
def _restore_options():
    """Every test starts and ends with default options in both libraries."""
    default_dtype = torch.get_default_dtype()
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    torch.set_default_dtype(default_dtype)


def set_both(**opts):
    torch.set_printoptions(**opts)
    ts.set_printoptions(**opts)


def dtype_suffixes(arr, default=np.float32):
    if ts.dtype_suffix_needed(arr.dtype, default, empty=arr.size == 0):
        return ["dtype=" + NAMES[arr.dtype]]
    return []


def check(arr, **opts):
    """format_tensor(arr) must equal str(torch tensor) under the same options."""
    arr = np.array(arr)  # a contiguous copy that keeps 0-d arrays 0-d
    if opts:
        set_both(**opts)
    expected = str(torch.from_numpy(arr.copy()))
    got = ts.format_tensor(arr, dtype_suffixes(arr))
    assert got == expected, f"\nshape={arr.shape} dtype={arr.dtype} opts={opts}\n" \
                            f"--- torch:\n{expected}\n--- luchina:\n{got}"


def make_values(shape, dtype, scale, seed=0):
    return np.asarray(_make_values(shape, dtype, scale, seed))


def _make_values(shape, dtype, scale, seed):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        with np.errstate(over="ignore"):
            return (rng.standard_normal(shape) * scale).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    info = np.iinfo(dtype)
    hi = min(info.max, max(2, int(scale)))
    lo = max(info.min, -hi)
    return rng.integers(lo, hi, shape, endpoint=True).astype(dtype)


# ------------------------------------------------------------------ basic shapes and dtypes

SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 2, 3)]
SCALES = [1e-8, 1e-3, 1.0, 1e3, 1e8]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("scale", SCALES)
def test_random_values(dtype, shape, scale):
    check(make_values(shape, dtype, scale, seed=len(shape)))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4), (3, 0), (0, 0, 0)], ids=str)
def test_empty(dtype, shape):
    check(np.zeros(shape, dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_scalars(dtype):
    for value in [0, 1, 3, -2, 7.5, 1e-5, 123456789.0, -0.0]:
        if np.dtype(dtype).kind in "ub" and value < 0:
            continue
        with np.errstate(invalid="ignore", over="ignore"):
            check(np.array(value).astype(dtype))


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("values", [
    [1.0, 2.0, 3.0],
    [1e-5, 1e5],
    [0.0, -0.0],
    [-0.0, 1.0, 2.5],
    [-0.0, 1.0],
    [np.nan, 1.0, np.inf, -np.inf],
    [np.nan, 1.5, -np.inf],
    [np.nan, 1e-6, 1.0],
    [np.nan, np.nan],
    [np.inf, -np.inf, 0.0],
    [0.0, 0.0],
    [100.0, 0.1],
    [1000.0, 1.0],
    [1001.0, 1.0],
    [1e8, 1.0],
    [2e8, 3e8],
    [1e-4, 2e-4],
    [0.5e-4, 1.0],
    [123456.0, -7.0],
    [65504.0, -65504.0, 0.001],
])
def test_special_values(dtype, values):
    with np.errstate(over="ignore"):
        arr = np.array(values).astype(dtype)
    check(arr)
    check(arr.reshape(-1, 1))
    for opts in ({"sci_mode": True}, {"sci_mode": False}, {"precision": 1}):
        check(arr, **opts)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_integer_valued_floats(dtype):
    check(np.arange(-5, 7).reshape(3, 4).astype(dtype))
    check(np.array([1.0, 20.0, 300.0, -4000.0], dtype))
    check(np.array([1.0, 2e9], dtype=dtype) if dtype is not np.float16 else np.ones(3, dtype))


# ------------------------------------------------------------------ summarisation and wrapping

@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(2000,), (50, 50), (10, 10, 30), (1001,), (4, 300)], ids=str)
def test_large_summarised(dtype, shape):
    check(make_values(shape, dtype, 10.0, seed=sum(shape)))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("length", [20, 30, 78, 200])
def test_long_rows_wrap(dtype, length):
    values = make_values((length,), dtype, 1000.0, seed=length)
    check(values)
    check(values.reshape(1, -1))
    check(values.reshape(2, 1, -1))


@pytest.mark.parametrize("opts", OPTION_SETS, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_],
                         ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(), (7,), (12,), (3, 5), (8, 9), (2, 3, 4), (9, 2, 9)],
                         ids=str)
def test_print_options(opts, dtype, shape):
    for scale in (1e-5, 1.0, 1e5):
        check(make_values(shape, dtype, scale, seed=len(opts)), **opts)


@pytest.mark.parametrize("opts", OPTION_SETS, ids=str)
def test_print_options_large(opts):
    check(make_values((2000,), np.float32, 1.0), **opts)
    check(make_values((50, 50), np.float64, 100.0), **opts)
    check(make_values((10, 10, 30), np.int64, 1000.0), **opts)


def test_options_api_matches_torch():
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    for opts in OPTION_SETS + [{"profile": "default"}]:
        set_both(**opts)
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    ts.set_printoptions(profile="default")
    with ts.printoptions(precision=1, sci_mode=True):
        assert ts.get_printoptions()["precision"] == 1
        assert ts.format_tensor(np.array([1.25])) == "tensor([1.2e+00])"
    assert ts.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                     "linewidth": 80, "sci_mode": None}
    with pytest.raises(ValueError):
        ts.set_printoptions(profile="nope")


# ------------------------------------------------------------------ suffixes, prefix, Parameter

@pytest.mark.parametrize("shape", [(), (3,), (2, 2), (0,), (0, 3), (30,), (4, 30)], ids=str)
def test_requires_grad_and_grad_fn(shape):
    arr = make_values(shape, np.float64, 1.0, seed=3)
    t = torch.from_numpy(arr.copy()).requires_grad_()
    suffixes = dtype_suffixes(arr)
    assert ts.format_tensor(arr, suffixes + ["requires_grad=True"]) == str(t)
    out = t.sigmoid()
    assert ts.format_tensor(out.detach().numpy(), suffixes + ["grad_fn=<SigmoidBackward0>"]) \
        == str(out)


def test_suffix_wrapping():
    for length in range(1, 30):
        arr = np.linspace(-1, 1, length).astype(np.float16)
        t = torch.from_numpy(arr.copy()).requires_grad_()
        expected = str(t * 2)
        got = ts.format_tensor(arr * 2, ["dtype=torch.float16", "grad_fn=<MulBackward0>"])
        assert got == expected


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    for arr in [np.ones(3), np.ones(3, np.float32), np.zeros((0, 2)), np.zeros(0, np.float32),
                np.arange(3), np.array([True])]:
        suffixes = dtype_suffixes(arr, default=np.float64)
        assert ts.format_tensor(arr, suffixes) == str(torch.from_numpy(arr))


def test_dtype_suffix_rule():
    f32, f64 = np.float32, np.float64
    assert not ts.dtype_suffix_needed(f32, f32)
    assert ts.dtype_suffix_needed(f64, f32)
    assert not ts.dtype_suffix_needed(f64, f64)
    assert not ts.dtype_suffix_needed(np.int64, f32)
    assert not ts.dtype_suffix_needed(np.bool_, f32)
    assert ts.dtype_suffix_needed(np.int32, f32)
    assert ts.dtype_suffix_needed(np.int64, f32, empty=True)
    assert ts.dtype_suffix_needed(np.bool_, f32, empty=True)
    assert not ts.dtype_suffix_needed(f32, f32, empty=True)


def test_size_suffix_goes_after_device_and_before_dtype():
    arr = np.zeros((0, 3), np.int64)
    got = ts.format_tensor(arr, ["device='cuda:0'", "dtype=torch.int64", "requires_grad=True"])
    assert got == "tensor([], device='cuda:0', size=(0, 3), dtype=torch.int64, requires_grad=True)"
    assert ts.format_tensor(np.zeros((2, 0))) == "tensor([], size=(2, 0))"
    assert ts.format_tensor(np.ones((1, 1)), ["device='cuda:0'"]) == \
        "tensor([[1.]], device='cuda:0')"


@pytest.mark.parametrize("shape", [(), (4,), (3, 4), (2, 3, 40), (0, 2), (60, 60)], ids=str)
def test_parameter_repr(shape):
    arr = make_values(shape, np.float32, 1.0, seed=9)
    param = torch.nn.Parameter(torch.from_numpy(arr.copy()))
    assert ts.PARAMETER_HEADER + ts.format_tensor(arr, ["requires_grad=True"]) == repr(param)
    assert ts.PARAMETER_HEADER + ts.format_tensor(arr, ["requires_grad=True"]) == str(param)


def test_custom_prefix_indents_nested_rows():
    arr = np.arange(6).reshape(2, 3)
    expected = "MyTensor([[0, 1, 2],\n          [3, 4, 5]])"
    assert ts.format_tensor(arr, prefix="MyTensor(") == expected


def test_cupy_like_input():
    class FakeCupy:
        def __init__(self, a):
            self.a = a

        def get(self):
            return self.a

    arr = np.array([[0.4682]], np.float32)
    assert ts.format_tensor(FakeCupy(arr), ["grad_fn=<SigmoidBackward0>"]) == \
        "tensor([[0.4682]], grad_fn=<SigmoidBackward0>)"


def test_docs_examples():
    assert ts.format_tensor(np.array(3.0, np.float32)) == "tensor(3.)"
    assert ts.format_tensor(np.array(True)) == "tensor(True)"
    assert ts.format_tensor(np.array([1e-5, 1e5], np.float32)) == "tensor([1.0000e-05, 1.0000e+05])"
    assert ts.format_tensor(np.array([1.0, 2.0, 3.0], np.float32)) == "tensor([1., 2., 3.])"
    assert ts.format_tensor(np.zeros((0, 3), np.float32)) == "tensor([], size=(0, 3))"


# ------------------------------------------------------------------ property test

def _elements(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        width = 8 * dtype.itemsize
        return st.one_of(st.floats(width=width, allow_nan=True, allow_infinity=True),
                         st.floats(-1e3, 1e3, width=width),
                         st.integers(-100, 100).map(float))
    return None


@st.composite
def arrays_and_options(draw):
    dtype = draw(st.sampled_from(ALL_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    arr = draw(hnp.arrays(dtype, shape, elements=_elements(dtype)))
    opts = draw(st.fixed_dictionaries({}, optional={
        "precision": st.integers(0, 8),
        "threshold": st.integers(0, 60),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(10, 120),
        "sci_mode": st.sampled_from([None, True, False]),
        "profile": st.sampled_from(["default", "short", "full"]),
    }))
    return arr, opts


@settings(max_examples=300, deadline=None)
@given(arrays_and_options())
def test_property_matches_torch(case):
    arr, opts = case
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    check(arr, **opts)


def test_option_combinations_small_grid():
    arr = make_values((6, 7), np.float32, 50.0, seed=1)
    for precision, edgeitems, linewidth in itertools.product([0, 3], [1, 2], [20, 80]):
        set_both(profile="default")
        check(arr, precision=precision, edgeitems=edgeitems, linewidth=linewidth, threshold=10)
