"""Inference: no_grad forward of the benchmark MLP, latency at batch 1, throughput at batch 1024.

luchina, PyTorch and the hand-written NumPy forward run interleaved on the same random inputs.
"""

import statistics

import numpy as np

from bench._timing import interleaved, libraries, summary
from bench.mlp import SIZES, build_model


def _framework_case(lib, x):
    model = build_model(lib).eval()
    xt = lib.from_numpy(x)

    def fwd():
        with lib.no_grad():
            model(xt)
    return fwd


def _numpy_case(x):
    from bench._numpy_mlp import NumpyMLP
    net = NumpyMLP(SIZES)
    return lambda: net.forward(x)


def run(quick=False):
    """{batch: {label: [seconds per forward, one per repetition]}}."""
    libs = libraries()
    rng = np.random.default_rng(0)
    result = {}
    for batch, (repeats, number) in ((1, (2, 50) if quick else (9, 3000)),
                                     (1024, (2, 3) if quick else (9, 60))):
        x = rng.standard_normal((batch, SIZES[0]), dtype=np.float32)
        cases = {name: _framework_case(lib, x) for name, lib in libs.items()}
        cases["numpy"] = _numpy_case(x)
        result[batch] = interleaved(cases, repeats, number)
    return result


def report(result):
    print("inference (no_grad forward of the MLP): median [min-max]")
    for batch, times in result.items():
        ref = statistics.median(times["torch"]) if "torch" in times else None
        if batch == 1:
            print("  batch 1 latency, microseconds per forward")
        else:
            print(f"  batch {batch} throughput, samples/s")
        for label, t in times.items():
            med, lo, hi = summary(t)
            if batch == 1:
                cell = f"{med * 1e6:.1f} [{lo * 1e6:.1f}-{hi * 1e6:.1f}] us"
            else:
                cell = f"{batch / med / 1e3:.0f}k [{batch / hi / 1e3:.0f}-{batch / lo / 1e3:.0f}k]"
            # ratio as "time vs torch": below 1.0 means faster than torch
            ratio = f"{med / ref:.2f}x torch's time" if ref else ""
            print(f"    {label:<10}{cell:>30}  {ratio}")


if __name__ == "__main__":
    import sys
    report(run(quick="--quick" in sys.argv))
