"""Per-op overhead: forward + backward of small ops in luchina and torch, in the same run.

Each iteration builds the op on leaf tensors that require grad, backpropagates a fixed upstream
gradient and clears the gradients, so it measures what a training step pays per op.
"""

import numpy as np

from bench._timing import interleaved, libraries, summary

OPS = {
    "add 8x8": lambda m, a, b: m.add(a, b),
    "mul 8x8": lambda m, a, b: m.mul(a, b),
    "matmul 8x8": lambda m, a, b: m.matmul(a, b),
    "sigmoid 8x8": lambda m, a, b: m.sigmoid(a),
}


def _case(module, op):
    rng = np.random.default_rng(0)
    a = module.tensor(rng.standard_normal((8, 8)).astype(np.float32), requires_grad=True)
    b = module.tensor(rng.standard_normal((8, 8)).astype(np.float32), requires_grad=True)
    g = module.ones(8, 8)

    def step():
        out = op(module, a, b)
        out.backward(g)
        a.grad = None
        b.grad = None
    return step


def run(quick=False):
    libs = libraries()
    repeats, number = (2, 50) if quick else (15, 2000)
    rows = []
    for name, op in OPS.items():
        cases = {lib: _case(mod, op) for lib, mod in libs.items()}
        times = interleaved(cases, repeats, number)
        med = {lib: summary(t) for lib, t in times.items()}
        rows.append((name, med))
    return rows


def report(rows):
    print("per-op forward+backward, microseconds per call: median [min-max]")
    print(f"{'op':<14}{'luchina':>22}{'torch':>22}{'luchina/torch':>16}")
    for name, med in rows:
        lu = med["luchina"]
        line = f"{name:<14}{_fmt(lu):>22}"
        if "torch" in med:
            th = med["torch"]
            line += f"{_fmt(th):>22}{lu[0] / th[0]:>15.2f}x"
        print(line)


def _fmt(s):
    return f"{s[0] * 1e6:.1f} [{s[1] * 1e6:.1f}-{s[2] * 1e6:.1f}]"


if __name__ == "__main__":
    import sys
    report(run(quick="--quick" in sys.argv))
