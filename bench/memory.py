"""Peak resident memory of one training epoch of the benchmark MLP, luchina vs PyTorch.

Each library trains in a fresh Python process (so neither sees the other's allocations). The
process builds the data, the model and Adam, records its resident set size (the baseline:
interpreter, libraries, data, parameters), resets the kernel's high-water mark
(``/proc/self/clear_refs``) and trains one epoch; the figure is the high-water mark (``VmHWM``)
minus the baseline: what training itself needs (gradients, optimizer state and scratch,
activations, temporaries). The process's absolute peak (the larger high-water mark of the two
phases, which includes the library itself: PyTorch's shared objects alone are a few hundred MB)
is reported beside it. (``ru_maxrss`` is not used: Linux carries it over from the forking parent.)
"""

import importlib.util
import json
import os
import subprocess
import sys

from bench.mlp import N_SAMPLES

_CHILD = "from bench.memory import _child; _child({lib!r}, {batch}, {n})"


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _child(lib_name, batch, n):
    """Runs in the fresh process: train one epoch, print the memory figures as JSON."""
    import importlib
    lib = importlib.import_module(lib_name)
    from bench.mlp import build_model, make_data
    x, y = make_data(n)
    model = build_model(lib)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    xt, yt = lib.from_numpy(x), lib.from_numpy(y)

    def step(s):
        loss = loss_fn(model(xt[s:s + batch]), yt[s:s + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()

    base = _status_kb("VmRSS")
    setup_peak = _status_kb("VmHWM")
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        reset = True
    except OSError:
        reset = False
    for s in range(0, n - batch + 1, batch):
        step(s)
    peak = _status_kb("VmHWM")
    print(json.dumps({"baseline_kb": base, "peak_kb": peak, "reset": reset,
                      "process_peak_kb": max(peak, setup_peak)}))


def measure(lib_name, batch, n):
    """The memory figures of one library's epoch, from a fresh subprocess."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", _CHILD.format(lib=lib_name, batch=batch, n=n)],
                         capture_output=True, text=True, cwd=root, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick=False, batches=None):
    """{batch: {lib: figures}}, or {'skipped': why} where /proc is missing."""
    if not os.path.exists("/proc/self/status"):
        return {"skipped": "needs Linux's /proc/self/status"}
    batches = batches or ((1024,) if quick else (32, 1024))
    n = 2048 if quick else N_SAMPLES
    libs = ["luchina"]
    if importlib.util.find_spec("torch") is not None:
        libs.append("torch")
    return {batch: {lib: measure(lib, batch, n) for lib in libs} for batch in batches}


def report(result):
    if "skipped" in result:
        print(f"memory: skipped ({result['skipped']})")
        return
    print("peak resident memory of a training epoch (fresh process per library)")
    print(f"  {'batch':<7}{'library':<10}{'epoch peak - baseline':>24}{'process peak':>16}")
    for batch, figs in result.items():
        for lib, f in figs.items():
            growth = (f["peak_kb"] - f["baseline_kb"]) / 1024
            note = "" if f["reset"] else " (no reset: peak since start)"
            print(f"  {batch:<7}{lib:<10}{growth:>21.1f} MB{f['process_peak_kb'] / 1024:>13.0f} MB"
                  f"{note}")


if __name__ == "__main__":
    report(run(quick="--quick" in sys.argv))
