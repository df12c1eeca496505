"""python -m bench [--quick] [--only NAME,...]: every benchmark, side by side with PyTorch.

``--quick`` runs tiny sizes and repetition counts (a smoke test, no timing worth quoting);
``--only mlp,memory`` picks suites by name. A suite whose module or optional dependency (torch,
gensim, the tweet corpus...) is missing prints a skip line instead of failing the run.
"""

import importlib
import sys
import time
import traceback

from bench._timing import machine

# (name, module): each module has run(quick=False) -> result and report(result)
SUITES = [
    ("op_overhead", "bench.op_overhead"),
    ("mlp", "bench.mlp"),
    ("inference", "bench.inference"),
    ("memory", "bench.memory"),
    ("train_tweets", "bench.train_tweets"),
    ("word2vec", "bench.word2vec"),
    ("compile_step", "bench.compile_step"),
]


def run_suite(name, module_name, quick):
    """Run and report one suite; returns False when it failed (a skip is not a failure)."""
    t0 = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        print(f"[{name}] skipped: {e}")
        return True
    print(f"[{name}]")
    try:
        module.report(module.run(quick=quick))
    except ImportError as e:  # an optional dependency the suite needs (gensim, a data set...)
        print(f"[{name}] skipped: {e}")
        return True
    except Exception:  # noqa: BLE001 - one broken suite must not hide the others' figures
        traceback.print_exc()
        print(f"[{name}] FAILED")
        return False
    print(f"[{name}] {time.perf_counter() - t0:.0f} s\n")
    return True


def main(argv):
    quick = "--quick" in argv
    names = [n for n, _ in SUITES]
    if "--only" in argv:
        i = argv.index("--only")
        if i + 1 >= len(argv):
            raise SystemExit(f"--only needs a comma-separated list of suites from {names}")
        wanted = argv[i + 1].split(",")
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise SystemExit(f"unknown suite(s) {unknown}; choose from {names}")
        suites = [(n, m) for n, m in SUITES if n in wanted]
    else:
        suites = SUITES
    print(f"machine: {machine()}")
    print("mode: quick (smoke test, figures not meaningful)\n" if quick else "")
    ok = all([run_suite(name, module, quick) for name, module in suites])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
