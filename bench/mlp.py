"""MLP training throughput: luchina, PyTorch and a hand-written NumPy MLP in one interleaved run.

The model of the issue: 784-256-128-10 with ReLU, cross-entropy, Adam(lr=1e-3), on random
float32 data. One repetition of a case is one epoch (60,000 samples in full batches: the
remainder is dropped, as ``drop_last=True`` does) after a short warm-up; every repetition runs
all cases in turn, so load from other processes hits them alike.

The FLOP-bound limit is what the machine could do if a step were nothing but its matrix
products: NumPy's float32 GEMM rate, measured in the same run on the very products of a batch-1024
step, divided by the FLOPs of one sample.
"""

import statistics
import time

import numpy as np

from bench._timing import machine

SIZES = (784, 256, 128, 10)
N_SAMPLES = 60_000
BATCHES = (32, 256, 1024)


def flops_per_sample(sizes=SIZES):
    """Multiply-adds x 2 of forward, weight gradients and input gradients (not of layer 1)."""
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2 * (2 * sum(pairs) + sum(pairs[1:]))


def make_data(n, seed=0):
    """Random inputs (n, 784) float32 and class labels (n,) int64."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], n)
    return x, y


def build_model(lib, seed=0):
    """The benchmark MLP in ``lib`` (luchina or torch)."""
    lib.manual_seed(seed)
    nn = lib.nn
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _framework_case(lib, x, y, batch, compiled=False, **adam_kw):
    """(run(steps), samples per step) for one library configuration."""
    model = build_model(lib)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3, **adam_kw)
    loss_fn = lib.nn.CrossEntropyLoss()
    xt, yt = lib.from_numpy(x), lib.from_numpy(y)

    def step(xb, yb):
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    if compiled:
        step = _luchina_compile()(step)

    def run(steps):
        for i in range(steps):
            s = i * batch
            step(xt[s:s + batch], yt[s:s + batch])
    return run


def _luchina_compile():
    """luchina.compile (the step capture), or None where this build has none."""
    import luchina
    fn = getattr(luchina, "compile", None)
    if fn is None:
        try:
            from luchina._compile import compile as fn
        except ImportError:
            return None
    return fn


def _numpy_case(x, y, batch):
    from bench._numpy_mlp import NumpyMLP
    net = NumpyMLP(SIZES)

    def run(steps):
        for i in range(steps):
            s = i * batch
            net.train_step(x[s:s + batch], y[s:s + batch])
    return run


def _cases(x, y, batch):
    """{label: run(steps)}, and {label: why it is missing}."""
    import luchina
    cases, skipped = {}, {}
    cases["luchina"] = _framework_case(luchina, x, y, batch)
    if _luchina_compile() is not None:
        try:
            run = _framework_case(luchina, x, y, batch, compiled=True)
            run(3)  # records, then replays: fails here, not in the timed loop
            cases["luchina compiled"] = run
        except Exception as e:  # noqa: BLE001 - a broken optional mode must not stop the bench
            skipped["luchina compiled"] = f"{type(e).__name__}: {e}"
    try:
        import torch
        cases["torch"] = _framework_case(torch, x, y, batch)
        cases["torch fused"] = _framework_case(torch, x, y, batch, fused=True)
    except ImportError:
        skipped["torch"] = "torch is not installed"
    cases["numpy"] = _numpy_case(x, y, batch)
    return cases, skipped


def gemm_rate(batch=1024, repeats=5, loops=10):
    """NumPy float32 GFLOP/s on the matrix products of one training step at ``batch``."""
    rng = np.random.default_rng(1)
    sizes = SIZES
    work = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        x = rng.standard_normal((batch, a), dtype=np.float32)
        w = rng.standard_normal((b, a), dtype=np.float32)
        g = rng.standard_normal((batch, b), dtype=np.float32)
        work.append((lambda x=x, w=w: x @ w.T, 2 * batch * a * b))     # forward
        work.append((lambda x=x, g=g: g.T @ x, 2 * batch * a * b))     # weight gradient
        if i:
            work.append((lambda g=g, w=w: g @ w, 2 * batch * a * b))   # input gradient
    flops = sum(f for _, f in work)
    best = float("inf")
    for fn, _ in work:
        fn()
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(loops):
            for fn, _f in work:
                fn()
        best = min(best, (time.perf_counter() - t0) / loops)
    return flops / best / 1e9


def run(quick=False, batches=BATCHES, repeats=None):
    """{'batches': {batch: {label: [samples/s per repetition]}}, 'gflops', 'limit', ...}."""
    n = 1024 if quick else N_SAMPLES
    repeats = repeats or (1 if quick else 3)
    x, y = make_data(n)
    result = {"machine": machine(), "n": n, "repeats": repeats, "batches": {}, "skipped": {}}
    rate = gemm_rate(repeats=1, loops=1) if quick else gemm_rate()
    for batch in batches:
        cases, skipped = _cases(x, y, batch)
        result["skipped"].update(skipped)
        steps = n // batch
        for fn in cases.values():
            fn(min(steps, 2 if quick else 20))  # warm-up
        samples = {label: [] for label in cases}
        for _ in range(repeats):
            for label, fn in cases.items():
                t0 = time.perf_counter()
                fn(steps)
                samples[label].append(steps * batch / (time.perf_counter() - t0))
        result["batches"][batch] = samples
    if not quick:
        rate = max(rate, gemm_rate())  # once before the epochs, once after: the better one
    result["gflops"] = rate
    result["limit"] = rate * 1e9 / flops_per_sample()
    return result


def best_torch(samples):
    """Median samples/s of PyTorch's faster configuration (None without torch)."""
    meds = [statistics.median(samples[k]) for k in ("torch", "torch fused") if k in samples]
    return max(meds) if meds else None


def report(result):
    print(f"MLP {'-'.join(map(str, SIZES))} training, Adam, {result['n']} samples per epoch, "
          f"{result['repeats']} interleaved repetitions; samples/s, median [min-max]")
    limit = result["limit"]
    print(f"NumPy float32 GEMM on the step's products: {result['gflops']:.0f} GFLOP/s, so the "
          f"FLOP-bound limit is {limit / 1e3:.0f}k samples/s "
          f"({flops_per_sample() / 1e6:.2f} MFLOP per sample)")
    for label, why in result["skipped"].items():
        print(f"  skipped {label}: {why}")
    for batch, samples in result["batches"].items():
        ref = best_torch(samples)
        print(f"batch {batch}:")
        print(f"  {'':<18}{'samples/s':>26}{'vs torch best':>15}{'% of limit':>12}")
        for label, s in samples.items():
            med = statistics.median(s)
            ratio = f"{med / ref:.2f}x" if ref else "-"
            print(f"  {label:<18}{_fmt(s):>26}{ratio:>15}{100 * med / limit:>11.0f}%")


def _fmt(s):
    return f"{statistics.median(s) / 1e3:.1f}k [{min(s) / 1e3:.1f}-{max(s) / 1e3:.1f}]"


if __name__ == "__main__":
    import sys
    report(run(quick="--quick" in sys.argv))
