"""The course notes' small worked examples (/work/shared/seeds), written as the notes write them
(the parameter is called ``torch``), run once with luchina and once with real torch 2.13: the
values and everything they print must agree."""

import contextlib
import io
import math

import numpy as np
import pytest

real_torch = pytest.importorskip("torch")

import luchina  # noqa: E402


def printed(snippet, module):
    """Run ``snippet(torch=module)`` and return what it printed and what it returned."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = snippet(module)
    return buf.getvalue(), result


def compare(snippet):
    lu_out, lu_res = printed(snippet, luchina)
    to_out, to_res = printed(snippet, real_torch)
    assert lu_out == to_out
    return lu_res, to_res


def need(obj, name):
    if not hasattr(obj, name):
        pytest.skip(f"{getattr(obj, '__name__', obj)}.{name} is not implemented yet "
                    "(owned by another engineer)")


def values(t):
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


# -- 002: computation graph (x + y) * (y - z) -----------------------------------------------------
def graph_example(torch):
    # переменные
    x = torch.tensor([1.], requires_grad=True)
    y = torch.tensor([2.], requires_grad=True)
    z = torch.tensor([3.], requires_grad=True)
    f = (x + y) * (y - z)  # прямой проход - вычисление

    f.backward()  # обратный проход - вычисление производных
    print((x.grad, y.grad, z.grad))  # производные
    print(f)
    return x.grad, y.grad, z.grad


def test_graph_example_gradients():
    (lx, ly, lz), _ = compare(graph_example)
    assert values(lx).tolist() == [-1.0]
    assert values(ly).tolist() == [2.0]
    assert values(lz).tolist() == [-3.0]


def test_graph_example_printed_like_the_notes():
    out, _ = printed(graph_example, luchina)
    assert out.splitlines()[0] == "(tensor([-1.]), tensor([2.]), tensor([-3.]))"
    assert out.splitlines()[1] == "tensor([-3.], grad_fn=<MulBackward0>)"


def test_graph_example_grad_fn_structure():
    def structure(torch):
        x = torch.tensor([1.], requires_grad=True)
        y = torch.tensor([2.], requires_grad=True)
        z = torch.tensor([3.], requires_grad=True)
        f = (x + y) * (y - z)
        top = f.grad_fn
        return [top.name()] + [n.name() for n, _ in top.next_functions] + \
            [type(n).__name__ for n, _ in top.next_functions[0][0].next_functions]
    assert structure(luchina) == structure(real_torch)


def test_notes_import_of_variable():
    # the notes start the example with `from torch.autograd import Variable`
    from luchina.autograd import Variable  # noqa: F401


# -- 001: the sigmoid neuron with the bias trick --------------------------------------------------
def sigmoid_neuron_dot(torch):
    x = torch.tensor([-1.0, -2.0])  # x from above example
    x = torch.cat([x, torch.tensor([1.0])])  # concatenate x with 1. for bias trick
    W = torch.tensor([2.0, -3.0, -3.0], requires_grad=True)  # w from above example
    s = torch.dot(W, x)
    f = torch.sigmoid(s)
    f.backward()
    print(f)
    print(W.grad)
    return f, W.grad


def sigmoid_neuron_notes_cell(torch):
    x = torch.tensor([-1.0, -2.0])  # x from above example

    x = torch.cat([x, torch.tensor([1.0])])  # concatenate x with 1. for bias trick

    W = torch.tensor([2.0, -3.0, -3.0], requires_grad=True)  # w from above example

    print(f"W.grad = {W.grad} (before forward and backward pass grad is 'None')")

    # forward pass to compute f
    s = x.matmul(W)
    f = torch.sigmoid(s)
    print(f"f(x, W) = {f:.2f}")

    # backward pass to compute gradient df/dW
    f.backward()
    print(f"W.grad = {W.grad}")

    print(f"x.grad = {x.grad}")

    f_detached = f.detach()

    print(f"f_detached = {f_detached:.2f}")

    value = f_detached.item()

    print(f"value = {value:.2f}")
    print(f"value type: {type(value)}")
    print(f)
    return f, W.grad


def _wait_for_cat():
    if not hasattr(luchina, "cat"):
        pytest.skip("luchina.cat is not implemented yet (owned by another engineer)")


def test_sigmoid_neuron_with_dot():
    _wait_for_cat()
    (lf, lg), (tf, tg) = compare(sigmoid_neuron_dot)
    assert f"{lf.item():.2f}" == "0.73"
    np.testing.assert_allclose(values(lf), values(tf), rtol=1e-6)
    np.testing.assert_allclose(values(lg), values(tg), rtol=1e-6)
    assert lg.dtype == luchina.float32


def test_sigmoid_neuron_print_f_like_torch():
    _wait_for_cat()
    out, _ = printed(sigmoid_neuron_dot, luchina)
    assert out.splitlines()[0] == "tensor(0.7311, grad_fn=<SigmoidBackward0>)"
    assert out.splitlines()[1] == "tensor([-0.1966, -0.3932,  0.1966])"


def test_sigmoid_neuron_notes_cell():
    _wait_for_cat()
    (lf, lg), (tf, tg) = compare(sigmoid_neuron_notes_cell)
    np.testing.assert_allclose(values(lg), values(tg), rtol=1e-6)


def test_sigmoid_neuron_hand_derivation():
    _wait_for_cat()
    f = 1 / (1 + math.exp(-1.0))
    (_, g) = printed(sigmoid_neuron_dot, luchina)[1]
    np.testing.assert_allclose(values(g), f * (1 - f) * np.array([-1.0, -2.0, 1.0]), rtol=1e-6)


# -- 001: tensor basics ---------------------------------------------------------------------------
def tensor_basics(torch):
    a = torch.Tensor()
    print(a, a.shape)

    a = torch.tensor([1.1, 2.2, 3.2])
    print(a.dtype)

    a = torch.tensor([1.1, 2.2, 3.2], dtype=torch.float64)
    print(a.dtype)
    print(a)

    a = torch.ones(size=(3, 2))
    print(a.size())

    a = torch.full(size=(3, 2), fill_value=3.74)
    print(a)

    c = torch.exp(a)
    print("Exponents tensor:\n", c)

    c += 1
    print("\nAdd 1 to tensor:\n", c)
    print(a.numpy())
    return c


def test_tensor_basics():
    lc, tc = compare(tensor_basics)
    np.testing.assert_allclose(values(lc), values(tc), rtol=1e-6)


def test_transpose_and_sum_cell():
    need(luchina.Tensor, "T")
    need(luchina.Tensor, "sum")

    def cell(torch):
        a = torch.full(size=(3, 2), fill_value=3.74)
        a = a.T
        print(a)
        c = torch.exp(a)
        c += 1
        print(c.sum())
    compare(cell)


def test_device_cell():
    def cell(torch):
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        print(f"Cuda available: {torch.cuda.is_available()} \n")
        a = torch.tensor([[0.5, 0.25, 1.0], [2.0, -1.0, 0.0]])
        a = a.to(device)  # moving tensor to gpu
        b = torch.full_like(a, 2).to(device)
        c = a * b  # compute on gpu (more fast with parallel computing)
        print(c)
        print(device)
    compare(cell)


def test_logits_and_targets_printing():
    def cell(torch):
        # fmt: off
        model_output = torch.tensor([[2.4, 1.9, 7.3],
                                     [9.5, 2.7, 4.0],
                                     [5.7, 4.1, 0.2]])  # logits
        # fmt: on
        print(f"model_output:\n {model_output}")
        target = torch.tensor([2, 0, 1], dtype=torch.long)  # class labels
        print(f"target: {target}")
        model_output = torch.tensor([[30.0, 2.0], [1.0, 2.0]])
        target = torch.tensor([0, 1])  # Second sample belongs to class 1
        print(model_output, target)
        weights = torch.tensor([0.2, 0.8])
        print(weights)
        print(torch.tensor([[0.0000, -43.4602]]))
    compare(cell)


def test_bce_cell_tensors():
    need(luchina.Tensor, "random_")

    def cell(torch):
        torch.manual_seed(0)
        model_output = torch.rand(1)
        target = torch.empty(1).random_(2)
        print(model_output.shape, model_output.dtype, target.shape, target.dtype)
        print(target.item() in (0.0, 1.0), 0 <= model_output.item() < 1)
    compare(cell)


def test_tanh_cell():
    def cell(torch):
        input_values = torch.tensor([11.1529, 4.3029, 0.5081, -3.8456, -1.9058])
        activation_tanh = torch.tanh(input_values)
        print(f"input_values: {input_values}\nactivation_tanh: {activation_tanh}")
    compare(cell)


def test_random_activation_cells_shapes():
    def cell(torch):
        input_values = torch.randn(5) * 5
        activation_sig = torch.sigmoid(input_values)
        activation_relu = torch.relu(torch.randn(5))
        print(input_values.shape, activation_sig.dtype, activation_relu.shape,
              bool(((activation_sig > 0) & (activation_sig < 1)).all())
              if hasattr(activation_sig, "all") else True)
    compare(cell)


# -- 002: sigmoid, custom sigmoid, ELU ------------------------------------------------------------
def test_sigmoid_and_custom_sigmoid():
    def cell(torch):
        x = torch.tensor([1.0, 0.0, -1.0])
        output = torch.sigmoid(x)
        print(output)

        def custom_sigmoid(x):
            return 1 / (1 + torch.exp(-x))
        print(custom_sigmoid(x))
        return output, custom_sigmoid(x)
    (lo, lc), _ = compare(cell)
    np.testing.assert_allclose(values(lo), values(lc), rtol=1e-6)


def test_elu_with_where():
    def cell(torch):
        alpha = 1.0

        def forward(x):
            # Применяем ELU к каждому элементу тензора
            return torch.where(x > 0, x, alpha * (torch.exp(x) - 1))
        input_tensor = torch.tensor([-1.0, 0.0, 1.0, 2.0])
        output_tensor = forward(input_tensor)
        print(output_tensor)
    out, _ = printed(cell, luchina)
    assert out.strip() == "tensor([-0.6321,  0.0000,  1.0000,  2.0000])"
    compare(cell)


def test_neuron_input_printing():
    def cell(torch):
        x = torch.tensor([[0.5, 1.0, -0.5], [1.0, -1.0, 0.0]], dtype=torch.float32)
        print("Входные векторы:\n", x)
    out, _ = printed(cell, luchina)
    assert "tensor([[ 0.5000,  1.0000, -0.5000],\n        [ 1.0000, -1.0000,  0.0000]])" in out
    compare(cell)


def test_manual_sgd_on_a_parabola():
    # 004's root finding of x^2 - 6x + 4, done with autograd instead of np.polyder
    def cell(torch):
        x = torch.tensor(2.0, requires_grad=True)
        lr = 0.1
        for _ in range(100):
            y = x ** 2 - 6 * x + 4
            y.backward()
            with torch.no_grad():
                x -= lr * x.grad
            x.grad.zero_() if hasattr(x.grad, "zero_") else x.grad.mul_(0)
        print(f"x: {x.item():.4f}")
        print(x)
        return x
    lx, tx = compare(cell)
    assert abs(lx.item() - 3.0) < 1e-4


def test_detach_and_item_cell_types():
    def cell(torch):
        f = torch.sigmoid(torch.tensor(1.0, requires_grad=True))
        f_detached = f.detach()
        print(f"f_detached = {f_detached:.2f}")
        print(f"f_detached type: {type(f_detached)}")
    compare(cell)
