"""Seconds per training epoch of the course notes' tweet model in luchina and PyTorch.

Same process, same data, same vocabulary, same batches in the same order, same initial weights;
epochs alternate between the libraries so that machine load affects both alike.
"""

import statistics

import numpy as np

from bench.tweets_quality import _arrays, _batch, _model


def _epoch_fn(lib, cfg, data, x, y, init):
    model = _model(lib, cfg, data)
    model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in init.items()})
    opt = lib.optim.Adam(model.parameters(), lr=cfg["train"]["lr"])
    crit = lib.nn.BCELoss()
    bs = cfg["train"]["batch_size"]
    batches = []
    order = np.random.default_rng(0)
    for _ in range(2):  # two fixed shuffles, alternated, prepared outside the timing
        perm = order.permutation(len(y))
        batches.append([_batch(lib, x, y, perm[s:s + bs], "binary")
                        for s in range(0, len(perm), bs)])
    state = {"k": 0}

    def epoch():
        model.train()
        for xb, yb in batches[state["k"] % 2]:
            loss = crit(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        state["k"] += 1
    return epoch


def run(quick=False):
    """{'luchina': [s/epoch], 'torch': [...], 'batches': n, 'threads': torch's thread count}."""
    import time

    import luchina
    from luchina.training import preset
    from luchina.training._data import build_data
    cfg = preset("tweets-sentiment")
    data = build_data(cfg)
    x, y = _arrays(data.train)
    libs = {"luchina": luchina}
    try:
        import torch
        libs["torch"] = torch
        torch.manual_seed(0)
        init = {k: v.detach().numpy().copy()
                for k, v in _model(torch, cfg, data).state_dict().items()}
    except ImportError:
        luchina.manual_seed(0)
        init = {k: v.numpy().copy() for k, v in _model(luchina, cfg, data).state_dict().items()}
    fns = {name: _epoch_fn(lib, cfg, data, x, y, init) for name, lib in libs.items()}
    if "torch" in libs:  # also at one thread: on a loaded machine torch's threads contend
        torch, default = libs["torch"], libs["torch"].get_num_threads()
        one = _epoch_fn(torch, cfg, data, x, y, init)

        def with_threads(fn, n):
            def run_epoch():
                torch.set_num_threads(n)
                try:
                    fn()
                finally:
                    torch.set_num_threads(default)
            return run_epoch
        fns["torch"] = with_threads(fns["torch"], default)
        fns["torch-1t"] = with_threads(one, 1)
    repeats = 2 if quick else 7
    times = {name: [] for name in fns}
    for fn in fns.values():  # warm-up epoch
        fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    out = {"seconds": times, "batches": -(-len(y) // cfg["train"]["batch_size"]),
           "samples": len(y)}
    if "torch" in libs:
        out["torch_threads"] = libs["torch"].get_num_threads()
    return out


def report(result):
    t = result["seconds"]
    print(f"tweets-sentiment, one training epoch ({result['samples']} tweets, "
          f"{result['batches']} batches of 256): seconds, median [min-max]")
    med = {k: statistics.median(v) for k, v in t.items()}
    for k, v in t.items():
        print(f"  {k:<8} {med[k]:.3f} [{min(v):.3f}-{max(v):.3f}]")
    if "torch" in med:
        print(f"  luchina/torch    {med['luchina'] / med['torch']:.2f}x "
              f"(torch with {result.get('torch_threads')} threads)")
        print(f"  luchina/torch-1t {med['luchina'] / med['torch-1t']:.2f}x (torch with 1 thread)")


if __name__ == "__main__":
    import sys
    report(run(quick="--quick" in sys.argv))
