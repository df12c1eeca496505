"""luchina.Tensor's API against torch 2.13 (the oracle): dtypes, promotion, conversions,
metadata, Python protocols, printing, comparisons, default dtype, out=, devices."""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina as L  # noqa: E402

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def need(obj, name):
    if not hasattr(obj, name):
        pytest.skip(f"{getattr(obj, '__name__', obj)}.{name} is not implemented yet "
                    "(owned by another engineer)")


def both(fn):
    return fn(L), fn(torch)


def as_np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach())


def same(lt, tt):
    assert tuple(lt.shape) == tuple(tt.shape)
    assert str(lt.dtype) == str(tt.dtype), (lt.dtype, tt.dtype)
    np.testing.assert_array_equal(as_np(lt), as_np(tt))


@pytest.fixture(autouse=True)
def _restore_global_state():
    yield
    L.set_default_dtype(L.float32)
    torch.set_default_dtype(torch.float32)
    L.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


# -- dtypes -------------------------------------------------------------------------------------
class TestDtypes:
    @pytest.mark.parametrize("name", DTYPES)
    def test_repr_and_attributes(self, name):
        ld, td = getattr(L, name), getattr(torch, name)
        assert repr(ld) == repr(td) == f"torch.{name}"
        assert str(ld) == str(td)
        assert ld.is_floating_point == td.is_floating_point
        assert ld.is_signed == td.is_signed
        assert ld.itemsize == td.itemsize

    def test_aliases(self):
        for alias in ("float", "double", "half", "long", "int", "short"):
            assert repr(getattr(L, alias)) == repr(getattr(torch, alias)), alias
        assert L.float is L.float32 and L.long is L.int64 and L.int is L.int32

    def test_dtype_is_hashable_and_comparable(self):
        assert {L.float32: 1}[L.float] == 1
        assert L.float32 == L.float32 and L.float32 != L.float64
        assert L.zeros(2).dtype == L.float32

    def test_dtype_class(self):
        assert isinstance(L.float32, L.dtype)


class TestPromotion:
    @pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
    def test_promote_types_table(self, a, b):
        got = L.promote_types(getattr(L, a), getattr(L, b))
        want = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert repr(got) == repr(want)

    @pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
    def test_binary_op_result_dtype(self, a, b):
        def f(m):
            x = m.ones(3, dtype=getattr(m, a))
            y = m.ones(3, dtype=getattr(m, b))
            if a == b == "bool":
                return repr((x * y).dtype)
            return repr((x + y).dtype), repr(m.result_type(x, y))
        assert f(L) == f(torch)

    @pytest.mark.parametrize("a", DTYPES)
    @pytest.mark.parametrize("s", [True, 2, 2.5, -1])
    def test_tensor_with_python_scalar(self, a, s):
        def f(m):
            x = m.ones(3, dtype=getattr(m, a))
            res = [repr(m.result_type(x, s))]
            res.append(repr((x * s).dtype))
            if a != "bool" or not isinstance(s, bool):
                res.append(repr((s + x).dtype))
            return res
        assert f(L) == f(torch)

    @pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
    def test_dimensioned_with_zero_d(self, a, b):
        def f(m):
            x = m.ones(3, dtype=getattr(m, a))
            z = m.ones((), dtype=getattr(m, b))
            return repr(m.result_type(x, z)), repr(m.result_type(z, x)), repr((x * z).dtype)
        assert f(L) == f(torch)

    def test_two_zero_d_and_scalar(self):
        def f(m):
            a = m.tensor(1, dtype=m.int32)
            b = m.tensor(1.0, dtype=m.float64)
            return [repr((a + b).dtype), repr((a + 1.5).dtype), repr((a + 1).dtype),
                    repr((m.tensor(True) + 1).dtype)]
        lu, to = both(f)
        assert lu == to

    def test_numpy_scalars_behave_like_python_scalars(self):
        def f(m):
            x = m.ones(2)
            i = m.ones(2, dtype=m.int64)
            return [repr((x * np.float64(2.0)).dtype), repr((i * np.float64(2.0)).dtype),
                    repr((i * np.int32(2)).dtype), type(np.float64(2.0) * x).__name__,
                    repr((np.float64(2.0) * x).dtype)]
        lu, to = both(f)
        assert lu == to

    def test_float_scalar_keeps_float16_and_float32(self):
        def f(m, dt):
            return repr((m.ones(2, dtype=getattr(m, dt)) * 0.1).dtype)
        for dt in ("float16", "float32"):
            assert f(L, dt) == f(torch, dt)

    def test_integer_overflow_wraps_like_torch(self):
        # numpy 2 raises OverflowError for an out-of-range Python int; torch wraps around
        def f(m):
            u = m.tensor([1, 2], dtype=m.uint8)
            i = m.tensor([1, 2], dtype=m.int32)
            return [(u + 300).tolist(), (i + 2 ** 40).tolist(), (u * -1).dtype]
        lu, to = both(f)
        assert lu[:2] == to[:2] and repr(lu[2]) == repr(to[2])

    def test_int_division_gives_float(self):
        same(L.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2)
        same(L.tensor([1, 2]) / L.tensor([2, 4]), torch.tensor([1, 2]) / torch.tensor([2, 4]))
        same(L.tensor([5, -5]) // 2, torch.tensor([5, -5]) // 2)


# -- conversions --------------------------------------------------------------------------------
class TestConversions:
    def test_item(self):
        def f(m):
            return [m.tensor(2.5).item(), m.tensor([3]).item(), m.tensor(True).item(),
                    type(m.tensor(2).item()).__name__, type(m.tensor(2.5).item()).__name__,
                    type(m.tensor(True).item()).__name__, m.tensor([[7.0]]).item()]
        lu, to = both(f)
        assert lu == to

    def test_item_many_elements_raises(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="elements cannot be converted to Scalar"):
                m.tensor([1, 2]).item()

    def test_tolist(self):
        def f(m):
            return [m.tensor([[1, 2], [3, 4]]).tolist(), m.tensor(2.5).tolist(),
                    m.tensor([True, False]).tolist(), m.tensor([1.5, 2.0]).tolist(),
                    type(m.tensor([1.5]).tolist()[0]).__name__]
        lu, to = both(f)
        assert lu == to

    def test_numpy_shares_memory(self):
        t = L.tensor([1.0, 2.0])
        a = t.numpy()
        a[0] = 10
        assert t.tolist() == [10.0, 2.0]
        t.add_(1)
        assert a.tolist() == [11.0, 3.0]
        assert a.dtype == np.float32

    def test_numpy_refuses_requires_grad(self):
        for m in (torch, L):
            t = m.ones(2, requires_grad=True)
            with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires "
                                                   r"grad. Use tensor.detach\(\).numpy\(\) "
                                                   r"instead."):
                t.numpy()
            assert t.detach().numpy().tolist() == [1.0, 1.0]

    def test_np_asarray(self):
        t = L.tensor([1.0, 2.0])
        a = np.asarray(t)
        assert a.dtype == np.float32
        a[1] = 5
        assert t.tolist() == [1.0, 5.0]
        assert np.asarray(t, dtype=np.float64).dtype == np.float64
        assert np.array(L.tensor([[1, 2]])).shape == (1, 2)

    def test_np_array_copies(self):
        # np.array(t) must copy (NumPy 2 passes copy=True to __array__ and trusts the result)
        t = L.tensor([1.0, 2.0])
        a = np.array(t)
        a[0] = 99
        assert t.tolist() == [1.0, 2.0]
        b = np.array(t, dtype=np.float32, copy=True)
        b[1] = 99
        assert t.tolist() == [1.0, 2.0]

    def test_deepcopy(self):
        import copy

        def f(m):
            x = m.tensor([1.0, 2.0], requires_grad=True)
            (x * 2).backward(m.ones(2))
            y = copy.deepcopy(x)
            y.detach().add_(1)
            return [y.requires_grad, y.is_leaf, y.grad.tolist(), as_np(x).tolist(),
                    as_np(y).tolist(), y.grad.data_ptr() != x.grad.data_ptr()]
        lu, to = both(f)
        assert lu == to
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
                copy.deepcopy(m.ones(2, requires_grad=True) * 2)

    def test_clone(self):
        t = L.tensor([1.0, 2.0], requires_grad=True)
        c = t.clone()
        assert c.data_ptr() != t.data_ptr()
        assert c.requires_grad and c.grad_fn.name() == "CloneBackward0"
        d = L.tensor([1, 2]).clone()
        d.add_(1)
        assert d.tolist() == [2, 3]

    def test_contiguous_returns_self_when_contiguous(self):
        t = L.zeros(2, 3)
        assert t.contiguous() is t
        assert t.is_contiguous()

    @pytest.mark.parametrize("name", ["float", "double", "half", "long", "int", "short",
                                      "char", "byte", "bool"])
    def test_cast_methods(self, name):
        def f(m):
            return getattr(m.tensor([1.7, -2.2, 0.0]), name)()
        lu, to = both(f)
        same(lu, to)

    def test_to_dtype_and_identity(self):
        t = L.tensor([1.5, 2.5])
        assert t.to(L.float32) is t and t.float() is t
        same(t.to(L.int64), torch.tensor([1.5, 2.5]).to(torch.int64))
        same(t.to(dtype=L.float64), torch.tensor([1.5, 2.5]).to(dtype=torch.float64))
        same(t.to("cpu", L.float16), torch.tensor([1.5, 2.5]).to("cpu", torch.float16))
        assert t.to(L.float32, copy=True) is not t

    def test_to_other_tensor(self):
        t = L.tensor([1.5, 2.5])
        o = L.tensor([1], dtype=L.int32)
        r = t.to(o)
        assert r.dtype == L.int32 and r.tolist() == [1, 2]

    def test_to_device_cpu_is_identity(self):
        t = L.tensor([1.0])
        assert t.to("cpu") is t and t.cpu() is t and t.to(L.device("cpu")) is t

    def test_to_with_python_types(self):
        def f(m):
            t = m.tensor([1.5])
            return [repr(t.to(float).dtype), repr(t.to(int).dtype), repr(t.to(bool).dtype)]
        lu, to = both(f)
        assert lu == to

    def test_type_names(self):
        def f(m):
            return [m.zeros(1).type(), m.zeros(1).double().type(), m.zeros(1).half().type(),
                    m.zeros(1).long().type(), m.zeros(1).int().type(), m.zeros(1).short().type(),
                    m.zeros(1).char().type(), m.zeros(1).byte().type(), m.zeros(1).bool().type(),
                    m.typename(m.zeros(1))]
        lu, to = both(f)
        assert lu == to

    def test_type_with_argument(self):
        def f(m):
            t = m.tensor([1.7])
            return [repr(t.type(m.float64).dtype), repr(t.type("torch.IntTensor").dtype),
                    repr(t.type(m.float32).dtype), t.type(m.float32) is t]
        lu, to = both(f)
        assert lu == to

    def test_type_as(self):
        same(L.tensor([1.7]).type_as(L.tensor([1])), torch.tensor([1.7]).type_as(torch.tensor([1])))

    def test_conversion_keeps_autograd(self):
        def f(m):
            x = m.tensor([1.0, 2.0], requires_grad=True)
            y = x.double() * 2
            y.backward(m.ones(2, dtype=m.float64))
            return y.grad_fn.next_functions[0][0].name(), x.grad
        lu, to = both(f)
        assert lu[0] == to[0]
        same(lu[1], to[1])

    def test_float_int_bool_dunders(self):
        def f(m):
            return [float(m.tensor(2.5)), int(m.tensor(3.9)), int(m.tensor([7])),
                    bool(m.tensor(0.0)), bool(m.tensor([1])), [10, 20, 30][m.tensor(1)]]
        lu, to = both(f)
        assert lu == to


# -- metadata -----------------------------------------------------------------------------------
class TestMetadata:
    def test_size_and_shape(self):
        def f(m):
            t = m.zeros(2, 3)
            return [repr(t.shape), str(t.size()), t.size(1), t.size(-1), t.shape == (2, 3),
                    tuple(t.shape), list(t.shape), type(t.shape[0]).__name__,
                    repr(m.zeros(()).shape), repr(t.shape[1:]), t.shape.numel(),
                    repr(m.Size([4, 5])), isinstance(t.shape, tuple)]
        lu, to = both(f)
        assert lu == to

    def test_size_out_of_range(self):
        for m in (torch, L):
            with pytest.raises(IndexError, match="Dimension out of range"):
                m.zeros(2, 3).size(2)

    @pytest.mark.parametrize("shape,dt", [((2, 3), "float32"), ((4,), "int64"), ((), "float16"),
                                          ((0, 3), "uint8"), ((2, 1, 2), "bool"),
                                          ((3,), "float64")])
    def test_counts(self, shape, dt):
        def f(m):
            t = m.zeros(shape, dtype=getattr(m, dt))
            return [t.dim(), t.ndim, t.ndimension(), t.numel(), t.nelement(), t.element_size(),
                    t.nbytes, t.itemsize, t.is_floating_point(), m.is_floating_point(t),
                    m.numel(t), t.is_contiguous(), t.stride()]
        lu, to = both(f)
        assert lu == to

    def test_stride_after_transpose(self):
        need(L.Tensor, "t")

        def f(m):
            t = m.zeros(2, 3, 4)
            return [t.stride(), t.stride(0), t.stride(-1), t.transpose(0, 2).stride(),
                    t[0].t().stride(), t.transpose(0, 1).is_contiguous(),
                    t.transpose(0, 1).contiguous().stride()]
        lu, to = both(f)
        assert lu == to

    def test_data_ptr(self):
        t = L.zeros(3)
        assert isinstance(t.data_ptr(), int) and t.data_ptr() != 0
        assert t.detach().data_ptr() == t.data_ptr()
        assert t.data.data_ptr() == t.data_ptr()
        assert t.clone().data_ptr() != t.data_ptr()
        if hasattr(L.Tensor, "view"):
            assert t.view(3).data_ptr() == t.data_ptr()
        if hasattr(L.Tensor, "__getitem__"):
            m = L.zeros(3, 4)
            assert m[0].data_ptr() == m.data_ptr()
            assert m[1].data_ptr() == m.data_ptr() + 4 * m.element_size()

    def test_is_leaf_and_device_attributes(self):
        def f(m):
            t = m.zeros(2)
            return [repr(t.device), str(t.device), t.is_cuda, t.device.type, t.get_device(),
                    t.device == m.device("cpu")]
        lu, to = both(f)
        assert lu == to


# -- Python protocols ---------------------------------------------------------------------------
class TestProtocols:
    def test_len(self):
        assert len(L.zeros(3, 2)) == 3
        for m in (torch, L):
            with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
                len(m.tensor(1.0))

    def test_iter(self):
        need(L.Tensor, "unbind")

        def f(m):
            return [(type(r).__name__, r.tolist()) for r in m.tensor([[1, 2], [3, 4]])]
        lu, to = both(f)
        assert lu == to
        assert [x.item() for x in L.tensor([1.5, 2.5])] == [1.5, 2.5]

    def test_iter_0d_raises(self):
        for m in (torch, L):
            with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
                iter(m.tensor(1.0))

    def test_bool(self):
        def f(m):
            return [bool(m.tensor([1.0])), bool(m.tensor(0)), bool(m.tensor([[True]]))]
        lu, to = both(f)
        assert lu == to

    def test_bool_many_raises(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one "
                                                   "value is ambiguous"):
                bool(m.tensor([1, 2]))
            with pytest.raises(RuntimeError):
                if m.tensor([1.0, 2.0]) > 0:
                    pass

    def test_bool_empty_raises_like_torch(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is "
                                                   "ambiguous"):
                bool(m.tensor([]))

    def test_format(self):
        def f(m):
            t = m.tensor(3.14159)
            return [f"{t:.3f}", f"{t:.2f}", f"{m.tensor(3):5d}", f"{t}", f"{m.tensor([1.5])}",
                    format(t, ""), f"{m.tensor(2.5, requires_grad=True):.1f}",
                    f"{m.sigmoid(m.tensor(1.0, requires_grad=True)):.2f}"]
        lu, to = both(f)
        assert lu == to

    def test_format_non_scalar_with_spec_raises(self):
        for m in (torch, L):
            with pytest.raises(TypeError, match="unsupported format string"):
                f"{m.tensor([1.0, 2.0]):.2f}"

    def test_hash_is_identity(self):
        a, b = L.zeros(1), L.zeros(1)
        assert len({a, b}) == 2 and a in {a}

    def test_contains(self):
        def f(m):
            t = m.tensor([1, 2, 3])
            return [2 in t, 5 in t]
        lu, to = both(f)
        assert lu == to


class TestData:
    def test_data_is_a_tensor_sharing_memory_outside_graph(self):
        def f(m):
            w = m.tensor([1.0, 2.0], requires_grad=True)
            d = w.data
            d.mul_(3)
            return [type(d).__name__, d.requires_grad, d.is_leaf, d.grad_fn is None,
                    as_np(w).tolist(), repr(d), w._version]
        lu, to = both(f)
        assert lu == to

    def test_data_of_nonleaf(self):
        def f(m):
            w = m.tensor([1.0, 2.0], requires_grad=True)
            y = w * 2
            return [y.data.requires_grad, repr(y.data)]
        lu, to = both(f)
        assert lu == to

    def test_data_setter(self):
        def f(m):
            w = m.tensor([1.0, 2.0], requires_grad=True)
            w.data = m.tensor([5.0, 6.0, 7.0])
            return [repr(w), w.requires_grad, list(w.shape)]
        lu, to = both(f)
        assert lu == to

    def test_repr_of_data_normal_init(self):
        need(L.Tensor, "normal_")
        w = L.zeros(3, requires_grad=True)
        w.data.normal_()
        assert w.requires_grad and w.is_leaf and not np.all(w.detach().numpy() == 0)


# -- printing -----------------------------------------------------------------------------------
PRINT_CASES = [
    ("ints", lambda m: m.tensor([1, 2, 3])),
    ("neg ints", lambda m: m.tensor([[-1, 20], [300, 4]])),
    ("floats", lambda m: m.tensor([1.0, 2.5, -3.25])),
    ("whole floats", lambda m: m.tensor([1.0, 2.0])),
    ("0-d float", lambda m: m.tensor(0.7311)),
    ("0-d int", lambda m: m.tensor(5)),
    ("bool", lambda m: m.tensor([True, False])),
    ("float64", lambda m: m.tensor([1.0, 2.0], dtype=m.float64)),
    ("int32", lambda m: m.tensor([1, 2], dtype=m.int32)),
    ("float16", lambda m: m.tensor([0.1, 2.0], dtype=m.float16)),
    ("uint8", lambda m: m.tensor([1, 255], dtype=m.uint8)),
    ("empty", lambda m: m.tensor([])),
    ("empty 2d", lambda m: m.zeros(0, 3)),
    ("empty int", lambda m: m.tensor([], dtype=m.int64)),
    ("requires_grad", lambda m: m.tensor([1.0, 2.0], requires_grad=True)),
    ("grad_fn", lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2),
    ("0-d grad_fn", lambda m: m.sigmoid(m.tensor(1.0, requires_grad=True))),
    ("f64 grad_fn", lambda m: m.tensor([1.0], dtype=m.float64, requires_grad=True) + 1),
    ("large", lambda m: m.arange(2000)),
    ("large float", lambda m: m.arange(1500, dtype=m.float32) / 7),
    ("2d large", lambda m: m.ones(100, 100)),
    ("sci", lambda m: m.tensor([1e-8, 1.0, 1e8])),
    ("small", lambda m: m.tensor([1e-5, 2e-5])),
    ("nan inf", lambda m: m.tensor([float("nan"), float("inf"), -float("inf"), 1.5])),
    ("3d", lambda m: m.tensor([[[1.5, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.25]]])),
    ("zeros", lambda m: m.zeros(2, 3)),
    ("eye", lambda m: m.eye(3)),
    ("exp", lambda m: m.exp(m.tensor([[1.0, 2.0], [3.0, 4.0]]))),
]


@pytest.mark.parametrize("name,make", PRINT_CASES, ids=[n for n, _ in PRINT_CASES])
def test_repr_and_str_match_torch(name, make):
    lt, tt = make(L), make(torch)
    assert repr(lt) == repr(tt)
    assert str(lt) == str(tt)


@pytest.mark.parametrize("name,make", PRINT_CASES[:12], ids=[n for n, _ in PRINT_CASES[:12]])
def test_repr_with_precision_2(name, make):
    L.set_printoptions(precision=2)
    torch.set_printoptions(precision=2)
    assert repr(make(L)) == repr(make(torch))


def test_print_of_list_and_tuple_of_tensors():
    def f(m):
        x = m.tensor([1.0], requires_grad=True)
        return str((x, m.tensor([2.0]), [m.tensor(3)]))
    lu, to = both(f)
    assert lu == to


def test_repr_under_float64_default():
    L.set_default_dtype(L.float64)
    torch.set_default_dtype(torch.float64)
    for make in (lambda m: m.tensor([1.5]), lambda m: m.tensor([1.5], dtype=m.float32),
                 lambda m: m.zeros(2)):
        assert repr(make(L)) == repr(make(torch))


# -- comparisons ------------------------------------------------------------------------------
class TestClose:
    def test_allclose(self):
        def f(m):
            a = m.tensor([1.0, 2.0])
            return [m.allclose(a, m.tensor([1.0, 2.0 + 1e-7])), m.allclose(a, a + 1e-3),
                    m.allclose(a, a + 1e-3, atol=1e-2), m.allclose(a, a * 1.01, rtol=0.1),
                    m.allclose(m.tensor([float("nan")]), m.tensor([float("nan")])),
                    m.allclose(m.tensor([float("nan")]), m.tensor([float("nan")]), equal_nan=True),
                    type(m.allclose(a, a)).__name__, a.allclose(a) if hasattr(a, "allclose")
                    else True]
        lu, to = both(f)
        assert lu == to

    def test_isclose(self):
        def f(m):
            return m.isclose(m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.1, 3.0 + 1e-6]))
        same(*both(f))

    def test_equal(self):
        def f(m):
            a = m.tensor([1, 2])
            return [m.equal(a, m.tensor([1, 2])), m.equal(a, m.tensor([1, 3])),
                    m.equal(a, m.tensor([1, 2, 3])), m.equal(a, m.tensor([1.0, 2.0])),
                    m.equal(m.ones(2, 1), m.ones(2))]
        lu, to = both(f)
        assert lu == to

    def test_comparison_operators(self):
        def f(m):
            a = m.tensor([1.0, 2.0, 3.0])
            return [a == 2, a != 2, a < 2, a <= 2, a > 2, a >= 2, a == m.tensor([1.0, 0.0, 3.0])]
        for u, t in zip(*both(f)):
            same(u, t)


# -- default dtype --------------------------------------------------------------------------------
class TestDefaultDtype:
    def test_get_default(self):
        assert repr(L.get_default_dtype()) == repr(torch.get_default_dtype()) == "torch.float32"

    def test_set_default_float64(self):
        def f(m):
            m.set_default_dtype(m.float64)
            try:
                return [repr(m.get_default_dtype()), repr(m.tensor([1.5]).dtype),
                        repr(m.zeros(2).dtype), repr(m.ones(2).dtype), repr(m.rand(2).dtype),
                        repr(m.arange(0.0, 1.0, 0.5).dtype), repr(m.arange(3).dtype),
                        repr(m.full((2,), 1.5).dtype), repr((m.tensor([1, 2]) * 1.5).dtype),
                        repr((m.tensor([1, 2]) / 2).dtype), repr(m.tensor([1, 2]).dtype),
                        repr(m.Tensor([1]).dtype), repr(m.linspace(0, 1, 3).dtype),
                        repr(m.eye(2).dtype), repr(m.randn(2).dtype)]
            finally:
                m.set_default_dtype(m.float32)
        lu, to = both(f)
        assert lu == to

    def test_set_default_int_raises(self):
        for m in (torch, L):
            with pytest.raises(TypeError):
                m.set_default_dtype(m.int64)


# -- out= -------------------------------------------------------------------------------------
class TestOut:
    @pytest.mark.parametrize("op", ["add", "mul", "sub", "div"])
    def test_binary_out(self, op):
        def f(m):
            a, b = m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])
            out = m.zeros(2)
            r = getattr(m, op)(a, b, out=out)
            return r is out, out
        (li, lo), (ti, to) = both(f)
        assert li == ti
        same(lo, to)

    def test_exp_out(self):
        def f(m):
            out = m.zeros(3)
            r = m.exp(m.tensor([0.0, 1.0, 2.0]), out=out)
            return r is out, out
        (li, lo), (ti, to) = both(f)
        assert li == ti
        np.testing.assert_allclose(as_np(lo), as_np(to), rtol=1e-6)

    def test_matmul_out(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)

        def f(m):
            out = m.zeros(2, 2)
            r = m.matmul(m.tensor(a), m.tensor(a.T.copy()), out=out)
            return r is out, out
        (li, lo), (ti, to) = both(f)
        assert li == ti
        same(lo, to)

    def test_out_keeps_identity_and_memory(self):
        out = L.zeros(2)
        ptr = out.data_ptr()
        L.add(L.ones(2), 1, out=out)
        assert out.data_ptr() == ptr and out.tolist() == [2.0, 2.0]

    def test_out_with_requires_grad_raises(self):
        for m in (torch, L):
            a = m.ones(2, requires_grad=True)
            with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
                m.mul(a, 2, out=m.zeros(2))

    def test_out_int_with_float_result_raises(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
                m.add(m.tensor([1.5]), 1, out=m.zeros(1, dtype=m.int64))

    def test_out_wrong_shape_resized(self):
        def f(m):
            out = m.zeros(0)
            m.add(m.ones(2, 2), 1, out=out)
            return out
        same(*both(f))


# -- module-level facts, backends, devices --------------------------------------------------------
class TestModule:
    def test_version(self):
        assert isinstance(L.__version__, str) and L.__version__[0].isdigit()

    def test_version_module(self):
        # tutorials print torch.version.cuda next to torch.__version__
        need(L, "version")
        assert L.version.cuda is None or isinstance(L.version.cuda, str)

    def test_backends(self):
        L.backends.cudnn.deterministic = True
        L.backends.cudnn.benchmark = False
        assert L.backends.cudnn.deterministic is True and L.backends.cudnn.benchmark is False
        L.backends.cudnn.deterministic = False
        assert L.backends.mps.is_available() is False
        assert L.backends.mps.is_available() == torch.backends.mps.is_available()

    def test_cuda_available_false_here(self):
        assert L.cuda.is_available() is False
        assert L.cuda.device_count() == 0

    def test_is_tensor(self):
        assert L.is_tensor(L.zeros(1)) and not L.is_tensor(np.zeros(1))
        assert isinstance(L.zeros(1), L.Tensor)

    def test_type_of_tensor_prints_like_torch(self):
        # the notes print type(f_detached): torch shows <class 'torch.Tensor'>
        assert str(type(L.zeros(1))) == str(type(torch.zeros(1)))


class TestDevices:
    def test_device_objects(self):
        def f(m):
            d = m.device("cuda" if m.cuda.is_available() else "cpu")
            return [repr(d), str(d), d.type, d.index, repr(m.device("cuda:1")),
                    str(m.device("cuda", 0)), m.device("cpu") == m.device("cpu"),
                    repr(m.zeros(1).device), m.zeros(1, device="cpu").device.type]
        lu, to = both(f)
        assert lu == to

    def test_bad_device_string(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
                m.device("gpu")

    def test_notes_device_selection(self):
        device = L.device("cuda" if L.cuda.is_available() else "cpu")
        a = L.rand(2, 8).to(device)
        b = L.full_like(a, 2).to(device)
        c = a * b
        assert c.device == device and c.dtype == L.float32

    def test_to_cuda_without_gpu_raises_clearly(self):
        if L.cuda.is_available():
            pytest.skip("a GPU is present")
        with pytest.raises((RuntimeError, AssertionError), match="CUDA") as ei:
            L.ones(2).to("cuda")
        assert "cpu" in str(ei.value)
        with pytest.raises((RuntimeError, AssertionError), match="CUDA"):
            L.ones(2).cuda()
        with pytest.raises((RuntimeError, AssertionError), match="CUDA"):
            L.zeros(2, device="cuda")

    def test_mixing_devices_raises(self):
        if not L.cuda.is_available():
            pytest.skip("needs a GPU")
        a = L.ones(2)
        b = L.ones(2, device="cuda")
        with pytest.raises(RuntimeError, match="same device"):
            a + b


def test_accelerator_namespace_matches_torch_on_a_cpu_machine():
    assert L.accelerator.is_available() == L.cuda.is_available()
    if not L.cuda.is_available():
        assert L.accelerator.current_accelerator() is None
        device = (L.accelerator.current_accelerator().type if L.accelerator.is_available()
                  else "cpu")
        assert device == "cpu"
