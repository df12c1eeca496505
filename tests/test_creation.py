"""Tensor creation against torch 2.13 (the oracle): tensor() inference, legacy constructors,
numpy interop, filled tensors, ranges, random sampling and generators, in-place initialisers."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import luchina as L  # noqa: E402


def need(obj, name):
    if not hasattr(obj, name):
        pytest.skip(f"NOT IMPLEMENTED: {getattr(obj, '__name__', obj)}.{name}")


def both(fn):
    return fn(L), fn(torch)


def as_np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach())


def same(lt, tt, exact=True):
    assert tuple(lt.shape) == tuple(tt.shape), (lt.shape, tt.shape)
    assert str(lt.dtype) == str(tt.dtype), (lt.dtype, tt.dtype)
    if exact:
        np.testing.assert_array_equal(as_np(lt), as_np(tt))
    else:
        np.testing.assert_allclose(as_np(lt), as_np(tt), rtol=1e-6, atol=1e-7)


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__
    return None


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    yield
    L.set_default_dtype(L.float32)
    torch.set_default_dtype(torch.float32)


# -- tensor() -----------------------------------------------------------------------------------
TENSOR_DATA = [
    ("float list", lambda m: [1.0, 2.5]),
    ("int list", lambda m: [1, 2, 3]),
    ("bool list", lambda m: [True, False]),
    ("int and float", lambda m: [1, 2.5]),
    ("bool and int", lambda m: [True, 2]),
    ("bool and float", lambda m: [True, 1.5]),
    ("nested", lambda m: [[1.0, 2.0], [3.0, 4.0]]),
    ("deep nested ints", lambda m: [[[1], [2]], [[3], [4]]]),
    ("float scalar", lambda m: 3.5),
    ("int scalar", lambda m: 7),
    ("bool scalar", lambda m: True),
    ("empty", lambda m: []),
    ("empty nested", lambda m: [[]]),
    ("tuple", lambda m: (1.0, 2.0)),
    ("np float64", lambda m: np.array([1.0, 2.0])),
    ("np float32", lambda m: np.array([1.0, 2.0], dtype=np.float32)),
    ("np int32", lambda m: np.array([1, 2], dtype=np.int32)),
    ("np uint8", lambda m: np.array([1, 255], dtype=np.uint8)),
    ("np bool", lambda m: np.array([True])),
    ("np float16", lambda m: np.array([0.5], dtype=np.float16)),
    ("np 0-d", lambda m: np.array(2.5)),
    ("np scalar f32", lambda m: np.float32(1.5)),
    ("np scalar f64", lambda m: np.float64(1.5)),
    ("np scalar i32", lambda m: np.int32(3)),
    ("list of np f64 scalars", lambda m: [np.float64(1.0), 2.0]),
    ("list of np f32 scalars", lambda m: [np.float32(1.0), np.float32(2.0)]),
    ("list of np arrays", lambda m: [np.array([1.0, 2.0]), np.array([3.0, 4.0])]),
    ("list of 0-d tensors", lambda m: [m.tensor(1.0), m.tensor(2.0)]),
    ("list of 0-d int tensors", lambda m: [m.tensor(1), m.tensor(2)]),
    ("list of mixed 0-d tensors", lambda m: [m.tensor(1), m.tensor(2.5)]),
    ("list of f64 0-d tensors", lambda m: [m.tensor(1.0, dtype=m.float64), m.tensor(2.0)]),
    ("big int", lambda m: 2 ** 62),
    ("negative zero", lambda m: [-0.0]),
    ("nan inf", lambda m: [float("nan"), float("inf")]),
]


@pytest.mark.parametrize("name,make", TENSOR_DATA, ids=[n for n, _ in TENSOR_DATA])
def test_tensor_inference(name, make):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lt, tt = L.tensor(make(L)), torch.tensor(make(torch))
    same(lt, tt)


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "int64", "int32", "int16",
                                "int8", "uint8", "bool"])
def test_tensor_explicit_dtype(dt):
    def f(m):
        return m.tensor([0.0, 1.7, 2.2], dtype=getattr(m, dt))
    same(*both(f))


def test_tensor_dtype_given_as_python_type():
    def f(m):
        return [m.tensor([1.5], dtype=float), m.tensor([1.5], dtype=int),
                m.tensor([1.5], dtype=bool), m.zeros(2, dtype=float)]
    for u, t in zip(*both(f)):
        same(u, t)


def test_tensor_always_copies():
    a = np.array([1.0, 2.0])
    t = L.tensor(a)
    a[0] = 10
    assert t.tolist() == [1.0, 2.0]
    src = L.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="clone"):
        c = L.tensor(src)
    src.add_(1)
    assert c.tolist() == [1.0, 2.0]


def test_tensor_requires_grad():
    t = L.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None


def test_tensor_from_tensor_requiring_grad_is_detached_copy():
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning):
        t = L.tensor(x)
    assert not t.requires_grad and t.grad_fn is None


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [[1, 2], 3], [1, [2, 3]], [[[1], [2]], [[3]]],
                                 [[1, 2], [3, 4, 5]], "tensors"])
def test_ragged_lists_raise_like_torch(bad):
    def make(m):
        if bad == "tensors":  # a list of multi-element tensors: torch refuses it too
            return [m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])]
        return bad
    lu = error_of(lambda: L.tensor(make(L)))
    to = error_of(lambda: torch.tensor(make(torch)))
    assert to is not None
    assert lu == to


def test_ragged_message():
    for m in (torch, L):
        with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 1\)"):
            m.tensor([[1, 2], [3]])


def test_strings_and_objects_rejected():
    for m in (torch, L):
        with pytest.raises((TypeError, ValueError)):
            m.tensor(["a", "b"])
        with pytest.raises((TypeError, RuntimeError)):
            m.tensor([object()])


def test_float_out_of_range_for_int_dtype():
    for m in (torch, L):
        with pytest.raises(RuntimeError):
            m.tensor([float("nan")], dtype=m.int64)


# -- legacy constructors ------------------------------------------------------------------------
class TestLegacy:
    def test_tensor_class_constructors(self):
        def f(m):
            return [m.Tensor(), m.Tensor([1, 2]), m.Tensor([[1.5, 2]]), m.Tensor(np.array([1, 2])),
                    m.Tensor((1, 2))]
        for u, t in zip(*both(f)):
            same(u, t)

    def test_tensor_sizes(self):
        def f(m):
            t = m.Tensor(2, 3)
            return list(t.shape), repr(t.dtype), type(t).__name__
        lu, to = both(f)
        assert lu == to

    def test_tensor_number_raises(self):
        for m in (torch, L):
            with pytest.raises(TypeError, match="new\\(\\): data must be a sequence"):
                m.Tensor(3.0)

    @pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                      "BoolTensor", "ByteTensor", "HalfTensor", "ShortTensor",
                                      "CharTensor"])
    def test_typed_constructors(self, name):
        def f(m):
            cls = getattr(m, name)
            return [cls([1, 0, 2]), cls(2, 3), cls([[1.5, 2.5]])]
        lu, to = both(f)
        for u, t in zip(lu, to):
            assert tuple(u.shape) == tuple(t.shape) and str(u.dtype) == str(t.dtype)
        same(lu[0], to[0])
        same(lu[2], to[2])

    def test_typed_constructor_result_is_a_tensor(self):
        def f(m):
            t = m.LongTensor([1, 2])
            return [type(t).__name__, isinstance(t, m.Tensor), isinstance(t, m.LongTensor),
                    isinstance(t, m.FloatTensor), isinstance(m.zeros(2), m.FloatTensor),
                    isinstance(m.zeros(2).double(), m.DoubleTensor),
                    isinstance(m.tensor([True]), m.BoolTensor), repr(m.FloatTensor)]
        lu, to = both(f)
        assert lu == to

    def test_typed_constructor_from_list_of_ids(self):
        # the notes: torch.LongTensor(encoded_sentences), torch.FloatTensor(model.vectors)
        enc = [[1, 2, 3], [4, 5, 6]]
        vec = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
        same(L.LongTensor(enc), torch.LongTensor(enc))
        same(L.FloatTensor(vec), torch.FloatTensor(vec))


# -- numpy interop --------------------------------------------------------------------------------
class TestNumpyInterop:
    def test_from_numpy_shares_memory_both_ways(self):
        a = np.array([1.0, 2.0, 3.0])
        t = L.from_numpy(a)
        assert t.dtype == L.float64
        a[0] = 10
        assert t[0].item() == 10 if hasattr(L.Tensor, "__getitem__") else t.tolist()[0] == 10
        t.mul_(2)
        assert a.tolist() == [20.0, 4.0, 6.0]

    @pytest.mark.parametrize("dt", [np.float32, np.float64, np.float16, np.int64, np.int32,
                                    np.int16, np.int8, np.uint8, np.bool_])
    def test_from_numpy_dtypes(self, dt):
        a = np.zeros(3, dtype=dt)
        same(L.from_numpy(a), torch.from_numpy(a))

    def test_from_numpy_rejects_non_arrays(self):
        for m in (torch, L):
            with pytest.raises(TypeError):
                m.from_numpy([1, 2])

    def test_from_numpy_unsupported_dtype(self):
        a = np.array(["x"])
        for m in (torch, L):
            with pytest.raises(TypeError):
                m.from_numpy(a)

    def test_as_tensor_shares_when_possible(self):
        a = np.array([1.0, 2.0], dtype=np.float32)
        t = L.as_tensor(a)
        a[1] = 7
        assert t.tolist() == [1.0, 7.0]
        c = L.as_tensor(a, dtype=L.float64)
        a[0] = -1
        assert c.tolist() == [1.0, 7.0]
        x = L.zeros(2)
        assert L.as_tensor(x) is x
        assert L.as_tensor(x, dtype=L.float32) is x

    def test_as_tensor_lists(self):
        def f(m):
            return [m.as_tensor([1, 2]), m.as_tensor([1.5]), m.as_tensor(3),
                    m.as_tensor([1, 2], dtype=m.float32), m.asarray([[1.0]])]
        for u, t in zip(*both(f)):
            same(u, t)


# -- filled tensors -------------------------------------------------------------------------------
class TestFilled:
    @pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
    def test_size_forms(self, fn):
        def f(m):
            c = getattr(m, fn)
            return [c(2, 3), c((2, 3)), c([2, 3]), c(size=(2, 3)), c(4), c(()), c(0),
                    c(2, dtype=m.int64), c(2, 2, dtype=m.bool), c(m.Size([1, 2]))]
        for u, t in zip(*both(f)):
            assert tuple(u.shape) == tuple(t.shape) and str(u.dtype) == str(t.dtype)
            if fn != "empty":
                same(u, t)

    def test_notes_forms(self):
        def f(m):
            return [m.ones(size=(3, 2)), m.full(size=(3, 2), fill_value=3.74),
                    m.zeros((2, 5, 1, 8))]
        for u, t in zip(*both(f)):
            same(u, t)

    def test_full_dtype_from_fill_value(self):
        def f(m):
            return [m.full((2,), 3), m.full((2,), True), m.full((2,), 1.5), m.full([2, 2], 7,
                    dtype=m.float32), m.full((2,), m.tensor(2.0)), m.full((1,), -1),
                    m.full((), 2.5)]
        for u, t in zip(*both(f)):
            same(u, t)

    def test_negative_size_raises(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError):
                m.zeros(-1)

    def test_requires_grad(self):
        def f(m):
            return [m.zeros(2, requires_grad=True).requires_grad,
                    m.ones(2, 2, requires_grad=True).is_leaf,
                    m.ones_like(m.zeros(2), requires_grad=True).requires_grad,
                    repr(m.zeros(2, requires_grad=True))]
        lu, to = both(f)
        assert lu == to

    def test_like_functions(self):
        def f(m):
            i = m.tensor([[1, 2], [3, 4]])
            x = m.zeros(2, 3)
            return [m.zeros_like(i), m.ones_like(i), m.ones_like(i, dtype=m.float64),
                    m.full_like(x, 2), m.full_like(i, 2.7), m.full_like(x, 7, dtype=m.int32),
                    m.zeros_like(x, dtype=m.bool)]
        for u, t in zip(*both(f)):
            same(u, t)

    def test_empty_like_and_random_like(self):
        def f(m):
            x = m.zeros(2, 3, dtype=m.float64)
            return [m.empty_like(x), m.rand_like(x), m.randn_like(x), m.randint_like(x, 10),
                    m.randint_like(m.zeros(3), 2, 5), m.rand_like(m.zeros(2))]
        for u, t in zip(*both(f)):
            assert tuple(u.shape) == tuple(t.shape) and str(u.dtype) == str(t.dtype)

    def test_rand_like_int_raises(self):
        for m in (torch, L):
            with pytest.raises((NotImplementedError, RuntimeError, TypeError)):
                m.rand_like(m.zeros(2, dtype=m.int64))

    def test_eye(self):
        def f(m):
            return [m.eye(3), m.eye(2, 3), m.eye(3, 2), m.eye(2, dtype=m.int64),
                    m.eye(1), m.eye(0), m.eye(n=2, m=4)]
        for u, t in zip(*both(f)):
            same(u, t)

    def test_scalar_tensor(self):
        same(L.scalar_tensor(3), torch.scalar_tensor(3))


# -- ranges ---------------------------------------------------------------------------------------
ARANGE_ARGS = [
    ((5,), {}), ((0,), {}), ((3, 3), {}), ((1, 4), {}), ((0, 10, 3), {}), ((5, 0, -1), {}),
    ((10, 0, -3), {}), ((0, 1, 0.1), {}), ((0, 0.3, 0.1), {}), ((1, 2.5, 0.5), {}),
    ((1.0, 0.0, -0.1), {}), ((-1, 1, 0.25), {}), ((0, 1, 1 / 3), {}), ((0.5,), {}),
    ((2.5,), {}), ((0, 5.5), {}), ((10,), {"dtype": "float32"}),
    ((0, 1, 0.1), {"dtype": "float64"}),
    ((0, 10, 2), {"dtype": "int32"}), ((0, 2.2, 0.3), {}), ((-3.7, 4.1, 0.7), {}),
    ((0, 100, 0.01), {}), ((1e-3, 1e-2, 1e-3), {}),
]


@pytest.mark.parametrize("args,kw", ARANGE_ARGS, ids=[str(a) + str(k) for a, k in ARANGE_ARGS])
def test_arange_vs_torch(args, kw):
    def f(m):
        k = {key: getattr(m, v) for key, v in kw.items()}
        return m.arange(*args, **k)
    lu, to = both(f)
    assert tuple(lu.shape) == tuple(to.shape)
    # float ranges: torch accumulates in float32 and can be 1 ulp off the exact value
    same(lu, to, exact=not lu.is_floating_point())


def test_arange_keywords_and_tensors():
    def f(m):
        return [m.arange(start=1, end=4), m.arange(end=3) if m is torch else m.arange(3),
                m.arange(m.tensor(5)), m.arange(0, 5, step=2), m.arange(m.tensor(1.5)),
                m.arange(np.int64(4))]
    for u, t in zip(*both(f)):
        same(u, t)


def test_arange_errors():
    for m in (torch, L):
        with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with "
                                               "step sign"):
            m.arange(0, 5, -1)
        with pytest.raises(RuntimeError, match="step must be nonzero"):
            m.arange(0, 5, 0)


LINSPACE_ARGS = [(0, 1, 5), (-2, 2, 7), (-2, 2, 100), (3, 3, 1), (0, 1, 0), (0, 1, 2),
                 (1, -1, 11), (0, 10, 1000), (-1.5, 3.25, 33), (0, 1, 3)]


@pytest.mark.parametrize("args", LINSPACE_ARGS, ids=[str(a) for a in LINSPACE_ARGS])
def test_linspace_vs_torch(args):
    lu, tt = L.linspace(*args), torch.linspace(*args)
    assert tuple(lu.shape) == tuple(tt.shape) and str(lu.dtype) == str(tt.dtype)
    np.testing.assert_allclose(as_np(lu), as_np(tt), rtol=0, atol=2e-7 * max(map(abs, args[:2])))


@pytest.mark.parametrize("args", [(-2, 2, 7), (-2, 2, 100), (0, 1, 5), (1, -1, 11)])
def test_linspace_bitwise_and_printed_like_torch(args):
    # printing hides nothing: torch's float32 kernel gives -5.9605e-08 where float64 gives 0
    lu, tt = L.linspace(*args), torch.linspace(*args)
    assert repr(lu) == repr(tt)
    np.testing.assert_array_equal(as_np(lu), as_np(tt))


def test_linspace_dtype_and_errors():
    def f(m):
        return [m.linspace(0, 1, 3, dtype=m.float64), m.linspace(0, 10, 6, dtype=m.int64),
                m.linspace(m.tensor(0.0), m.tensor(1.0), 3)]
    for u, t in zip(*both(f)):
        same(u, t, exact=False)
    for m in (torch, L):
        with pytest.raises(RuntimeError, match="non-negative"):
            m.linspace(0, 1, -1)


# -- random sampling ------------------------------------------------------------------------------
class TestRandom:
    def test_shapes_and_dtypes(self):
        def f(m):
            return [m.rand(2, 3), m.rand((2, 3)), m.rand(2, dtype=m.float64),
                    m.randn(3, 4), m.randn([2]), m.randn(2, dtype=m.float16),
                    m.randint(0, 10, (3,)), m.randint(10, (2, 2)), m.randint(3, 10, (5,)),
                    m.randint(0, 2, (4,), dtype=m.float32),
                    m.randperm(7), m.randperm(4, dtype=m.float32),
                    m.normal(0.0, 1.0, size=(3,)), m.normal(m.zeros(3), 1.0),
                    m.normal(m.zeros(2, dtype=m.float64), m.ones(2, dtype=m.float64)),
                    m.normal(0.0, m.ones(3)), m.normal(2.0, 3.0, (2, 2)),
                    m.bernoulli(m.full((3,), 0.3)), m.bernoulli(m.zeros(3), p=0.5),
                    m.multinomial(m.tensor([0.1, 0.9]), 5, replacement=True),
                    m.multinomial(m.ones(2, 4), 3), m.rand(0), m.randn(()),
                    m.rand(2, 2, requires_grad=True)]
        for i, (u, t) in enumerate(zip(*both(f))):
            assert tuple(u.shape) == tuple(t.shape), i
            assert str(u.dtype) == str(t.dtype), i
            assert u.requires_grad == t.requires_grad, i

    @pytest.mark.parametrize("call", ["rand", "randn", "randint_high", "randint_low_high",
                                      "randint_all_kw"])
    def test_size_keyword(self, call):
        # torch.rand(size=...), torch.randint(high, size=...) are common tutorial forms
        def f(m):
            return {"rand": lambda: m.rand(size=(2, 3)),
                    "randn": lambda: m.randn(size=(4,)),
                    "randint_high": lambda: m.randint(10, size=(3,)),
                    "randint_low_high": lambda: m.randint(2, 5, size=(2, 2)),
                    "randint_all_kw": lambda: m.randint(low=0, high=2, size=(5,))}[call]()
        lu, to = both(f)
        assert tuple(lu.shape) == tuple(to.shape) and str(lu.dtype) == str(to.dtype)

    def test_ranges_and_statistics(self):
        L.manual_seed(0)
        u = L.rand(20000).numpy()
        assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
        n = L.randn(20000).numpy()
        assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
        r = L.randint(3, 7, (20000,)).numpy()
        assert set(np.unique(r)) == {3, 4, 5, 6}
        p = L.randperm(50).numpy()
        assert sorted(p.tolist()) == list(range(50))
        g = L.normal(2.0, 3.0, size=(20000,)).numpy()
        assert abs(g.mean() - 2) < 0.1 and abs(g.std() - 3) < 0.1
        mean = L.tensor([0.0, 10.0, -10.0])
        s = L.normal(mean, L.tensor([0.1, 0.1, 0.1])).numpy()
        assert np.all(np.abs(s - mean.numpy()) < 1)
        b = L.bernoulli(L.full((20000,), 0.3)).numpy()
        assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.02
        mn = L.multinomial(L.tensor([0.0, 0.25, 0.75]), 20000, replacement=True).numpy()
        assert 0 not in mn and abs((mn == 2).mean() - 0.75) < 0.02
        nr = L.multinomial(L.tensor([1.0, 1.0, 1.0, 1.0]), 4).numpy()
        assert sorted(nr.tolist()) == [0, 1, 2, 3]

    def test_manual_seed_reproducible(self):
        L.manual_seed(123)
        a = [L.rand(3), L.randn(2), L.randint(0, 100, (4,)), L.randperm(5),
             L.normal(0.0, 1.0, size=(2,)), L.bernoulli(L.full((4,), 0.5)),
             L.multinomial(L.ones(5), 2)]
        L.manual_seed(123)
        b = [L.rand(3), L.randn(2), L.randint(0, 100, (4,)), L.randperm(5),
             L.normal(0.0, 1.0, size=(2,)), L.bernoulli(L.full((4,), 0.5)),
             L.multinomial(L.ones(5), 2)]
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x.numpy(), y.numpy())

    def test_manual_seed_returns_generator_and_initial_seed(self):
        g = L.manual_seed(42)
        assert isinstance(g, L.Generator)
        assert L.initial_seed() == 42

    def test_generator_reproducible(self):
        g1 = L.Generator().manual_seed(7)
        g2 = L.Generator()
        g2.manual_seed(7)
        for fn in (lambda g: L.rand(4, generator=g), lambda g: L.randn(4, generator=g),
                   lambda g: L.randint(0, 9, (4,), generator=g),
                   lambda g: L.randperm(6, generator=g),
                   lambda g: L.normal(0.0, 1.0, size=(3,), generator=g),
                   lambda g: L.multinomial(L.ones(4), 2, generator=g),
                   lambda g: L.bernoulli(L.full((4,), 0.5), generator=g)):
            np.testing.assert_array_equal(fn(g1).numpy(), fn(g2).numpy())
        assert g1.initial_seed() == 7

    def test_generator_independent_of_default(self):
        L.manual_seed(0)
        ref = L.rand(5).numpy()
        L.manual_seed(0)
        g = L.Generator().manual_seed(0)
        L.rand(100, generator=g)
        np.testing.assert_array_equal(L.rand(5).numpy(), ref)

    def test_rng_state_roundtrip(self):
        state = L.get_rng_state()
        assert state.dtype == L.uint8
        a = L.rand(4).numpy()
        L.set_rng_state(state)
        np.testing.assert_array_equal(L.rand(4).numpy(), a)

    def test_cuda_manual_seed_exists(self):
        L.cuda.manual_seed(0)
        L.cuda.manual_seed_all(0)

    def test_errors(self):
        for m in (torch, L):
            with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
                m.randint(5, 5, (2,))
            with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
                m.multinomial(m.tensor([0.5, 0.5]), 3)
            with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1"):
                m.bernoulli(m.tensor([1.5]))
            with pytest.raises(RuntimeError, match="normal expects"):
                m.normal(0.0, -1.0, size=(2,))


# -- in-place initialisers ------------------------------------------------------------------------
class TestInplaceInit:
    def test_notes_random_target(self):
        need(L.Tensor, "random_")
        for _ in range(20):
            t = L.empty(1).random_(2)
            assert t.dtype == L.float32 and t.shape == (1,)
            assert t.item() in (0.0, 1.0)

    def test_random_ranges(self):
        need(L.Tensor, "random_")
        L.manual_seed(0)
        a = L.empty(2000, dtype=L.int64).random_(5)
        assert a.dtype == L.int64 and set(np.unique(a.numpy())) == {0, 1, 2, 3, 4}
        b = L.zeros(2000).random_(3, 6)
        assert set(np.unique(b.numpy())) == {3.0, 4.0, 5.0}

    def test_uniform_and_normal(self):
        need(L.Tensor, "uniform_")
        need(L.Tensor, "normal_")
        x = L.zeros(5000)
        r = x.uniform_(2, 3)
        assert r is x and x.dtype == L.float32
        v = x.numpy()
        assert v.min() >= 2 and v.max() < 3
        x.normal_(1.0, 0.5)
        assert abs(x.numpy().mean() - 1) < 0.05 and abs(x.numpy().std() - 0.5) < 0.05
        assert x._version == 2

    def test_uniform_with_generator_reproducible(self):
        need(L.Tensor, "uniform_")
        a = L.zeros(4).uniform_(generator=L.Generator().manual_seed(3))
        b = L.zeros(4).uniform_(generator=L.Generator().manual_seed(3))
        np.testing.assert_array_equal(a.numpy(), b.numpy())

    def test_fill_zero_copy(self):
        for name in ("fill_", "zero_", "copy_"):
            need(L.Tensor, name)

        def f(m):
            x = m.zeros(3)
            res = [x.fill_(2).tolist(), x.zero_().tolist(),
                   x.copy_(m.tensor([1, 2, 3])).tolist(), x.copy_(m.tensor(5.0)).tolist(),
                   m.zeros(2, dtype=m.int64).fill_(2.7).tolist(), x._version,
                   x.fill_(m.tensor(1.5)).tolist()]
            return res
        lu, to = both(f)
        assert lu == to

    def test_inplace_init_on_leaf_requiring_grad_under_no_grad(self):
        need(L.Tensor, "uniform_")
        w = L.zeros(3, requires_grad=True)
        with L.no_grad():
            w.uniform_(-1, 1)
            w.fill_(0.5)
        assert w.requires_grad and w.is_leaf
        with pytest.raises(RuntimeError, match="leaf Variable"):
            w.fill_(1.0)

    def test_fill_on_nonleaf_routes_gradient(self):
        need(L.Tensor, "fill_")
        need(L.Tensor, "copy_")

        def f(m):
            x = m.tensor([1.0, 2.0], requires_grad=True)
            s = m.tensor([3.0, 4.0], requires_grad=True)
            y = x * 2
            y.copy_(s * 3)
            y.backward(m.ones(2))
            return x.grad, s.grad, y.grad_fn.name()
        lu, to = both(f)
        assert (lu[0] is None) == (to[0] is None)
        if to[0] is not None:
            same(lu[0], to[0])
        same(lu[1], to[1])
        assert lu[2] == to[2]

    def test_other_inplace_random_methods(self):
        missing = [n for n in ("bernoulli_", "exponential_", "geometric_", "cauchy_",
                               "log_normal_") if not hasattr(L.Tensor, n)]
        if missing:
            pytest.skip("NOT IMPLEMENTED: Tensor." + ", Tensor.".join(missing))
