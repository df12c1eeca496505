"""Test accuracy of a preset's model trained by luchina and by PyTorch with the same code.

Both libraries get the same data split, the same vocabulary, the same initial weights (PyTorch's
initialisation copied into luchina), the same batches in the same order, the same optimizer and
epochs; only dropout masks differ (each library draws its own). The training loop below is one
function run with ``lib = luchina`` and ``lib = torch``. Prints both test accuracies per seed and
their means.

    python -m bench.tweets_quality                        # tweets-sentiment, seeds 0 1 2
    python -m bench.tweets_quality --preset mnist1d-mlp --seeds 0 1 2 3 4
"""

import argparse
import statistics
import time

import numpy as np

from luchina.training import preset
from luchina.training._data import build_data


def _arrays(ds):
    """(inputs, labels) numpy arrays of a text or tensor data set part."""
    if hasattr(ds, "ids"):
        return list(ds.ids), np.asarray(ds.labels)
    xs, ys = zip(*(ds[i] for i in range(len(ds))))
    return np.stack([x.numpy() for x in xs]), np.stack([y.numpy() for y in ys])


def _model(lib, cfg, data):
    nn = lib.nn
    m = cfg["model"]
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[m["activation"]]
    out = 1 if data.task == "binary" else len(data.classes)

    if m["kind"] == "text":
        class NeuralNetwork(nn.Module):  # the course notes' class
            def __init__(self, vocab_size, embedding_dim, hidden):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, embedding_dim)
                self.embedding2hidden = nn.Linear(embedding_dim, hidden)
                self.act1 = act()
                self.dropout = nn.Dropout(p=m["dropout"])
                self.hidden2out = nn.Linear(hidden, out)
                self.act2 = nn.Sigmoid() if out == 1 else nn.Identity()

            def forward(self, text):
                embedded = self.embedding(text)
                if m["pooling"] == "mean":
                    mean_emb = lib.mean(embedded, dim=1)
                else:
                    mask = (text != 0).unsqueeze(2).float()
                    mean_emb = (embedded * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                hidden = self.dropout(self.act1(self.embedding2hidden(mean_emb)))
                return self.act2(self.hidden2out(hidden))
        return NeuralNetwork(len(data.encoder), m["embedding_dim"], m["hidden"][0])
    layers, size = [], data.n_features
    for h in m["hidden"]:
        layers += [nn.Linear(size, h), act()]
        size = h
    layers.append(nn.Linear(size, out))
    if out == 1:
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def _batch(lib, x, y, idx, task):
    if isinstance(x, list):  # token id arrays: pad with 0 to the longest in the batch
        rows = [x[i] for i in idx]
        xb = np.zeros((len(rows), max(1, max(len(r) for r in rows))), dtype=np.int64)
        for r, row in enumerate(rows):
            xb[r, :len(row)] = row
    else:
        xb = x[idx]
    yb = y[idx]
    yb = yb.astype(np.float32).reshape(-1, 1) if task == "binary" else yb
    return lib.from_numpy(np.ascontiguousarray(xb)), lib.from_numpy(np.ascontiguousarray(yb))


def train_once(lib, cfg, data, arrays, init_state, seed):
    """Train with ``lib`` from ``init_state``; returns (test accuracy, seconds)."""
    lib.manual_seed(seed)
    t = cfg["train"]
    model = _model(lib, cfg, data)
    model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in init_state.items()})
    opt = lib.optim.Adam(model.parameters(), lr=t["lr"])
    crit = lib.nn.BCELoss() if data.task == "binary" else lib.nn.CrossEntropyLoss()
    (xtr, ytr), _, (xte, yte) = arrays
    order = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(t["epochs"]):
        model.train()
        perm = order.permutation(len(ytr))
        for s in range(0, len(perm), t["batch_size"]):
            xb, yb = _batch(lib, xtr, ytr, perm[s:s + t["batch_size"]], data.task)
            loss = crit(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t0
    model.eval()
    correct = 0
    with lib.no_grad():
        for s in range(0, len(yte), 1024):
            idx = np.arange(s, min(s + 1024, len(yte)))
            xb, yb = _batch(lib, xte, yte, idx, data.task)
            out = model(xb).numpy()
            pred = (out > 0.5).astype(np.float32) if data.task == "binary" else out.argmax(1)
            correct += int((pred == yb.numpy()).sum())
    return correct / len(yte), seconds


def run(preset_name="tweets-sentiment", seeds=(0, 1, 2), epochs=None, quick=False):
    """{'luchina': [acc per seed], 'torch': [...], 'seconds': {...}, 'preset': name}."""
    import torch

    import luchina
    torch.set_num_threads(1)  # accuracy only; avoids thread contention on a busy machine
    cfg = preset(preset_name)
    if epochs is not None:
        cfg["train"]["epochs"] = epochs
    if quick:
        cfg["train"]["epochs"] = 1
        seeds = seeds[:1]
    data = build_data(cfg)
    arrays = [_arrays(p) for p in (data.train, data.val, data.test)]
    result = {"preset": preset_name, "epochs": cfg["train"]["epochs"], "seeds": list(seeds),
              "luchina": [], "torch": [], "seconds": {"luchina": [], "torch": []},
              "test_size": len(arrays[2][1])}
    for seed in seeds:
        torch.manual_seed(seed)
        init = {k: v.detach().numpy().copy()
                for k, v in _model(torch, cfg, data).state_dict().items()}
        for name, lib in (("torch", torch), ("luchina", luchina)):
            acc, sec = train_once(lib, cfg, data, arrays, init, seed)
            result[name].append(acc)
            result["seconds"][name].append(sec)
    return result


def report(result):
    print(f"{result['preset']}: test accuracy after {result['epochs']} epochs "
          f"({result['test_size']} test samples), same init, data and batches")
    print(f"{'seed':>6}{'luchina':>10}{'torch':>10}")
    for s, a, b in zip(result["seeds"], result["luchina"], result["torch"]):
        print(f"{s:>6}{a:>10.4f}{b:>10.4f}")
    ml, mt = statistics.mean(result["luchina"]), statistics.mean(result["torch"])
    print(f"{'mean':>6}{ml:>10.4f}{mt:>10.4f}   luchina - torch = {100 * (ml - mt):+.2f} points")
    sl, st = (statistics.median(result["seconds"][k]) for k in ("luchina", "torch"))
    print(f"training seconds per run (median): luchina {sl:.1f}, torch {st:.1f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="tweets-sentiment")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    report(run(a.preset, tuple(a.seeds), a.epochs, a.quick))
