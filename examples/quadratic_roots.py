"""The notes' homework (004): find the roots of x^2 - 6x + 4 = 0 by gradient descent.

First the notes' cell unchanged: it descends the polynomial itself with lr = 1e-6 and prints
``x: 2.019801346297245``. That walk heads for the polynomial's minimum at x = 3 (where
p(3) = -5, not a root) and, with so small a step, has barely left x = 2 after 10,000 steps.

The task the notes set ("посчитать производную от преобразованной функции") is solved by
descending the transformed function, the squared residual g(x) = p(x)^2, whose minima
(g = 0) are exactly the roots 3 - sqrt(5) and 3 + sqrt(5). Which root is found depends on the
starting point (x = 3 is a local maximum of g that separates them, and a far start can
overshoot to the other side); the learning rate decides whether and how fast the walk
converges: g''(root) = 2 p'(root)^2 = 40, so plain gradient descent is stable only for
lr < 2/40 = 0.05. Too small is slow, near 0.05 it oscillates, above it it bounces between two
points (lr = 0.06) or diverges (lr = 0.2). Finally luchina's autograd and optim.SGD run the
same descent, taking the gradient of ``(x**2 - 6*x + 4)**2`` by backward().

Run: python examples/quadratic_roots.py
"""

import math

import numpy as np

import luchina as torch

ROOTS = (3 - math.sqrt(5), 3 + math.sqrt(5))


def notes_cell():
    """The notes' code as written (gradient descent on the polynomial, not on its square)."""
    a = 1
    b = -6
    c = 4

    # создаем полиномиальную функцию по ее коэффициентам
    plnm = np.poly1d([a, b, c])
    print(f'Полином: {plnm}')

    # вычисляем производную
    df = np.polyder(plnm)
    print(f'Производная: {df}')

    def grad(x, lr = 0.000001, steps=10000, epsilon=1e-6):
        for step in range(steps):  # noqa: B007 (the notes' code)
            # вычисляем значение производной в текущей точке x
            df_dx = np.polyval(df, x)
            if abs(df_dx) < epsilon:
                break
            x = x - lr*df_dx
        return x

    x = grad(x=2)
    print(f"x: {x}")
    return float(x)


# the transformed function: the squared residual, whose minima are the roots
plnm = np.poly1d([1, -6, 4])
squared = plnm ** 2
d_squared = np.polyder(squared)


def descend(x, lr=0.01, steps=10000, epsilon=1e-10):
    """Gradient descent on p(x)^2: (x, steps taken, converged?); stops early if it blows up."""
    for step in range(steps):
        g = np.polyval(d_squared, x)
        if abs(g) < epsilon:
            return float(x), step, True
        x = x - lr * g
        if not abs(x) < 1e12:
            return float(x), step + 1, False
    return float(x), steps, False


def descend_luchina(x0, lr=0.01, steps=10000, epsilon=1e-10):
    """The same descent with luchina: autograd for the gradient, optim.SGD for the step."""
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for step in range(steps):
        optimizer.zero_grad()
        loss = (x ** 2 - 6 * x + 4) ** 2
        loss.backward()
        if abs(x.grad.item()) < epsilon:
            return x.item(), step, True
        optimizer.step()
    return x.item(), steps, False


def main(out_dir="."):
    """Print the notes' cell, then roots from several starts and several learning rates."""
    print("== the notes' cell: descent on p(x) itself ==")
    notes_x = notes_cell()
    print(f"(p has its minimum at x = 3, p(3) = {plnm(3):g}; the walk heads there, not to a root)")

    print(f"\n== descent on the squared residual g(x) = p(x)^2 ==\ng(x) =\n{squared}\n"
          f"g'(x) =\n{d_squared}")
    print(f"exact roots: 3 - sqrt(5) = {ROOTS[0]:.10f}, 3 + sqrt(5) = {ROOTS[1]:.10f}")

    starts = {}
    print("\nstarting point decides the root (lr = 0.01):")
    for x0 in (0.0, 2.9, 3.1, 6.0, 10.0):
        x, n, ok = descend(x0, lr=0.01)
        starts[x0] = x
        print(f"  x0 = {x0:5.1f} -> x = {x:.10f} after {n} steps")

    rates = {}
    print("\nlearning rate from x0 = 0 (at most 1000 steps):")
    for lr in (1e-4, 1e-3, 0.01, 0.02, 0.04, 0.06, 0.2):
        x, n, ok = descend(0.0, lr=lr, steps=1000)
        rates[lr] = (x, n, ok)
        if ok:
            verdict = f"converged to {x:.10f} in {n} steps"
        elif math.isfinite(x) and abs(x) < 1e12:
            verdict = f"not converged after {n} steps, x = {x:.10f}"
        else:
            verdict = f"diverged after {n} steps, x = {x:.3g}"
        print(f"  lr = {lr:<6g} {verdict}")
    last = [0.0]
    for _ in range(1000):
        last.append(last[-1] - 0.06 * np.polyval(d_squared, last[-1]))
    cycle = [float(v) for v in last[-2:]]
    print(f"  lr = 0.06 ends bouncing between {cycle[0]:.6f} and {cycle[1]:.6f} "
          "(stable only for lr < 2 / g''(root) = 0.05)")

    print("\nluchina autograd + optim.SGD, lr = 0.01:")
    autograd = {}
    for x0 in (0.0, 6.0):
        x, n, ok = descend_luchina(x0, lr=0.01)
        autograd[x0] = x
        print(f"  x0 = {x0:3.1f} -> x = {x:.10f} after {n} steps")
    return {"notes_x": notes_x, "starts": starts, "rates": rates, "cycle": cycle,
            "autograd": autograd}


if __name__ == "__main__":
    main()
