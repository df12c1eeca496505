"""Training-step time of the MLP 784-256-128-10 (ReLU, cross-entropy, Adam lr 1e-3): luchina
eager, luchina.compile'd (recorded once, then replayed) and torch eager, in the same run.

Each case owns its model, optimizer and a few fixed random batches; the step is
zero_grad + forward + loss + backward + Adam step, timed interleaved across the cases.
"""

import numpy as np

from bench._timing import interleaved, summary

BATCHES = (32, 256, 1024)
LAYERS = (784, 256, 128, 10)


def _data(batch, n=4):
    rng = np.random.default_rng(batch)
    xs = [rng.standard_normal((batch, LAYERS[0])).astype(np.float32) for _ in range(n)]
    ys = [rng.integers(0, LAYERS[-1], batch).astype(np.int64) for _ in range(n)]
    return xs, ys


def _case(module, batch, compiled=False):
    nn = module.nn
    module.manual_seed(0)
    model = nn.Sequential(nn.Linear(LAYERS[0], LAYERS[1]), nn.ReLU(),
                          nn.Linear(LAYERS[1], LAYERS[2]), nn.ReLU(),
                          nn.Linear(LAYERS[2], LAYERS[3]))
    opt = module.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def train_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    if compiled:
        from luchina._compile import compile
        train_step = compile(train_step)
    xs, ys = _data(batch)
    data = [(module.from_numpy(x), module.from_numpy(y)) for x, y in zip(xs, ys)]
    state = {"i": 0}

    def step():
        i = state["i"] = (state["i"] + 1) % len(data)
        train_step(*data[i])
    for _ in range(3):  # the compiled step records on its first two calls
        step()
    return step


def run(quick=False):
    """{batch: {label: (median, min, max) seconds per step}} for every case available."""
    import luchina
    try:
        import torch
    except ImportError:
        torch = None
    repeats, steps = (2, 3) if quick else (7, None)
    result = {}
    for batch in BATCHES[:1] if quick else BATCHES:
        cases = {"luchina eager": _case(luchina, batch),
                 "luchina compiled": _case(luchina, batch, compiled=True)}
        if torch is not None:
            cases["torch eager"] = _case(torch, batch)
        number = steps or max(5, 2000 // batch)
        times = interleaved(cases, repeats, number)
        result[batch] = {label: summary(t) for label, t in times.items()}
    return result


def report(result):
    print("MLP 784-256-128-10 training step (Adam), milliseconds per step: median [min-max]")
    labels = ["luchina eager", "luchina compiled", "torch eager"]
    print(f"{'batch':<7}" + "".join(f"{lab:>26}" for lab in labels)
          + f"{'eager/compiled':>16}{'compiled/torch':>16}")
    for batch, med in result.items():
        line = f"{batch:<7}"
        for lab in labels:
            line += f"{_fmt(med[lab]):>26}" if lab in med else f"{'-':>26}"
        line += f"{med['luchina eager'][0] / med['luchina compiled'][0]:>15.2f}x"
        if "torch eager" in med:
            line += f"{med['luchina compiled'][0] / med['torch eager'][0]:>15.2f}x"
        print(line)


def _fmt(s):
    return f"{s[0] * 1e3:.3f} [{s[1] * 1e3:.3f}-{s[2] * 1e3:.3f}]"


if __name__ == "__main__":
    import sys
    report(run(quick="--quick" in sys.argv))
