"""The notes' homework (004): write an adaptive optimizer (Adam) from scratch.

``AdamOptimizer`` is the notes' NumPy code unchanged; ``adam.update(w=0, grad_wrt_w=5)`` gives
-0.000999999998 as the notes print. The same scalar problem is then solved twice, by that class
and by ``luchina.optim.Adam``: f(w) = (w + 2.5)^2 starting at w = 0, whose first gradient is
the notes' 5. The two trajectories are printed side by side and agree step by step (float64;
torch's Adam divides by sqrt(v)/sqrt(1 - beta2^t) + eps instead of forming v_hat first, which
is the same formula up to rounding).

Run: python examples/adam_from_scratch.py
"""

import numpy as np

import luchina as torch


class AdamOptimizer:
    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
#     learning_rate — это скорость обучения
        self.learning_rate = learning_rate
#     beta1 и beta2 — коэффициенты для экспоненциального сглаживания градиентов и их квадратов
        self.beta1 = beta1
        self.beta2 = beta2
#     epsilon — малое число для численной стабильности
        self.epsilon = epsilon
#     m и v — две переменные для хранения предыдущих значений градиентов и их квадратов
        self.m = 0
        self.v = 0
#     t — текущая итерация
        self.t = 0

    def update(self, w, grad_wrt_w):
#         принимает на вход веса w и градиенты grad_wrt_w и возвращает обновленные веса w.
        self.t = self.t + 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad_wrt_w
        self.v = self.beta2 * self.v + (1 - self.beta2) * np.power(grad_wrt_w, 2)
        m_hat = self.m / (1 - np.power(self.beta1, self.t))
        v_hat = self.v / (1 - np.power(self.beta2, self.t))
        w = w - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)
        return w


def f_grad(w):
    """Gradient of f(w) = (w + 2.5)^2: 5 at w = 0, like the notes' call."""
    return 2 * (w + 2.5)


def run_numpy(lr, steps):
    """The notes' AdamOptimizer on f: the list of w after each step."""
    adam = AdamOptimizer(learning_rate=lr)
    w, path = 0.0, []
    for _ in range(steps):
        w = adam.update(w=w, grad_wrt_w=f_grad(w))
        path.append(float(w))
    return path


def run_luchina(lr, steps):
    """luchina.optim.Adam on the same f, gradients by autograd: the list of w after each step."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=lr)
    path = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((w + 2.5) ** 2).sum()
        loss.backward()
        optimizer.step()
        path.append(w.item())
    return path


def main(out_dir="."):
    """Print the notes' one update, then both optimizers' trajectories and their largest gap."""
    adam = AdamOptimizer()
    first = adam.update(w=0, grad_wrt_w=5)
    print(f"adam.update(w=0, grad_wrt_w=5) = {first}")

    steps = 5
    numpy_path, luchina_path = run_numpy(0.001, steps), run_luchina(0.001, steps)
    print("\nf(w) = (w + 2.5)^2 from w = 0, lr = 0.001")
    print(f"{'step':>4}  {'AdamOptimizer (NumPy)':>22}  {'luchina.optim.Adam':>22}  {'|diff|':>8}")
    for t, (a, b) in enumerate(zip(numpy_path, luchina_path), 1):
        print(f"{t:>4}  {a:>22.15g}  {b:>22.15g}  {abs(a - b):>8.1e}")

    long_steps = 300
    numpy_long, luchina_long = run_numpy(0.1, long_steps), run_luchina(0.1, long_steps)
    gap = max(abs(a - b) for a, b in zip(numpy_long, luchina_long))
    print(f"\nlr = 0.1, {long_steps} steps: NumPy w = {numpy_long[-1]:.6f}, "
          f"luchina w = {luchina_long[-1]:.6f} (minimum at -2.5), "
          f"largest step-by-step difference {gap:.1e}")
    return {"first_update": float(first), "numpy_path": numpy_path,
            "luchina_path": luchina_path, "numpy_final": numpy_long[-1],
            "luchina_final": luchina_long[-1], "max_diff": gap}


if __name__ == "__main__":
    main()
