"""grad_stats, activation_stats and plot_grad_flow: is a network learning, layer by layer?"""

import os

import numpy as np

from luchina._atomic import atomic_open

__all__ = ["grad_stats", "activation_stats", "plot_grad_flow", "StatsTable"]


class StatsTable:
    """Rows of statistics (one dict each); prints as a table."""

    def __init__(self, title, rows, columns):
        self.title = title
        self.rows = rows
        self._columns = columns

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            for r in self.rows:
                if r["name"] == key:
                    return r
            raise KeyError(f"{self.title}: no row named {key!r}; rows: "
                           f"{[r['name'] for r in self.rows]}")
        return self.rows[key]

    def __str__(self):
        heads = [h for h, _ in self._columns]
        body = [[_fmt(r.get(k), k) for _, k in self._columns] for r in self.rows]
        ws = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(heads)]
        line = lambda cells: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(cells, ws))).rstrip()
        out = [self.title, line(heads), "-" * (sum(ws) + 2 * (len(ws) - 1))]
        out += [line(b) for b in body]
        return "\n".join(out)

    def __repr__(self):
        return str(self)


def _fmt(v, key):
    if v is None:
        return "--"
    if key == "zero_fraction":
        return f"{100 * v:.1f}%"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, tuple):
        return str(list(v))
    return str(v)


def _stats(a):
    """mean, std (unbiased, as torch's), L2 norm and fraction of exact zeros of an array."""
    a = a.astype(np.float64) if isinstance(a, np.ndarray) else a.get().astype(np.float64)
    n = a.size
    if n == 0:
        return {"mean": None, "std": None, "norm": 0.0, "zero_fraction": None}
    mean = float(a.mean())
    std = float(a.std(ddof=1)) if n > 1 else float("nan")
    return {"mean": mean, "std": std, "norm": float(np.sqrt((a * a).sum())),
            "zero_fraction": float((a == 0).sum() / n)}


def _named_params(fn, params):
    from luchina.nn.modules.module import Module
    if isinstance(params, Module):
        return list(params.named_parameters())
    try:
        items = list(params)
    except TypeError:
        raise TypeError(f"{fn}: expected a model or model.named_parameters(), got "
                        f"{type(params).__name__}") from None
    out = []
    for i, it in enumerate(items):
        if isinstance(it, tuple) and len(it) == 2:
            out.append(it)
        elif hasattr(it, "_data"):
            out.append((str(i), it))
        else:
            raise TypeError(f"{fn}: expected (name, parameter) pairs as named_parameters() "
                            f"yields, got {type(it).__name__} at position {i}")
    return out


_GRAD_COLS = [("name", "name"), ("shape", "shape"), ("mean", "mean"), ("std", "std"),
              ("norm", "norm"), ("zeros", "zero_fraction")]


def grad_stats(model, by="parameter"):
    """Mean, std, norm and fraction of zeros of each parameter's ``.grad`` (not in torch).

    ``model``: a Module or ``named_parameters()``; ``by="layer"`` pools the parameters of each
    module. Parameters without a gradient get a row of ``None``.
    """
    if by not in ("parameter", "layer"):
        raise ValueError(f"grad_stats: by must be 'parameter' or 'layer', got {by!r}")
    named = _named_params("grad_stats", model)
    groups = {}
    for name, p in named:
        key = name.rsplit(".", 1)[0] if by == "layer" and "." in name else name
        groups.setdefault(key, []).append(p)
    rows = []
    for key, ps in groups.items():
        grads = [p.grad._data for p in ps if p.grad is not None]
        shape = tuple(ps[0].shape) if len(ps) == 1 else None
        numel = sum(p.numel() for p in ps)
        if not grads:
            row = {"mean": None, "std": None, "norm": None, "zero_fraction": None}
        else:
            flat = grads[0].reshape(-1) if len(grads) == 1 else \
                _concat([g.reshape(-1) for g in grads])
            row = _stats(flat)
        rows.append({"name": key, "shape": shape, "numel": numel,
                     "has_grad": bool(grads), **row})
    return StatsTable("gradient statistics", rows, _GRAD_COLS)


def _concat(arrays):
    xp = np if isinstance(arrays[0], np.ndarray) else __import__("cupy")
    return xp.concatenate([a.astype(xp.float64) for a in arrays])


_ACT_COLS = [("name", "name"), ("type", "type"), ("shape", "shape"), ("mean", "mean"),
             ("std", "std"), ("norm", "norm"), ("zeros", "zero_fraction")]


def activation_stats(model, x):
    """Mean, std, norm and fraction of zeros of every leaf module's output for input ``x``.

    Not in torch. ``x`` is a tensor or a tuple of tensors; the forward runs under no_grad and
    leaves the model and the random state unchanged. A module called twice gives two rows.
    """
    from luchina._tensor import Tensor
    from luchina.utils._summary import _tensors_in, run_with_hooks
    args = (x,) if isinstance(x, Tensor) else tuple(x) if isinstance(x, (tuple, list)) else None
    if not args or not all(isinstance(a, Tensor) for a in args):
        raise TypeError("activation_stats: x must be a tensor or a tuple of tensors, got "
                        f"{type(x).__name__}")
    rows = []
    calls = {}

    def hook(name, m):
        if m._modules:
            return None

        def record(mod, a, out):
            ts = [t for t in _tensors_in(out, []) if t._data.dtype.kind in "fc"]
            if not ts:
                return
            calls[name] = calls.get(name, 0) + 1
            label = name if calls[name] == 1 else f"{name}#{calls[name]}"
            rows.append({"name": label, "type": type(mod).__name__,
                         "shape": tuple(ts[0].shape), **_stats(ts[0]._data)})
        return record

    run_with_hooks("activation_stats", model, args, hook)
    return StatsTable("activation statistics", rows, _ACT_COLS)


def plot_grad_flow(named_parameters, path=None, ax=None, skip_bias=True):
    """Bar chart of the mean and max |grad| of each weight, for spotting vanishing gradients.

    Not in torch. ``named_parameters``: a Module or ``model.named_parameters()``. Draws into
    ``ax`` when given, saves to ``path`` (PNG, or the format its extension names) when given,
    and returns the matplotlib Figure. Needs matplotlib (``pip install luchina[data]``).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot_grad_flow needs matplotlib: pip install luchina[data] "
                          "(or pip install matplotlib)") from None
    names, means, maxes = [], [], []
    for name, p in _named_params("plot_grad_flow", named_parameters):
        if not p.requires_grad or (skip_bias and name.endswith("bias")):
            continue
        g = p.grad
        a = np.abs(np.asarray(g._data if isinstance(g._data, np.ndarray) else g._data.get(),
                              dtype=np.float64)) if g is not None else np.zeros(1)
        names.append(name if g is not None else f"{name} (no grad)")
        means.append(float(a.mean()) if a.size else 0.0)
        maxes.append(float(a.max()) if a.size else 0.0)
    if not names:
        raise ValueError("plot_grad_flow: no parameters to plot (none requires grad); call "
                         "loss.backward() first and pass model.named_parameters()")
    if ax is None:
        fig = Figure(figsize=(max(6.0, 0.5 * len(names) + 2), 4.5))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    pos = np.arange(len(names))
    ax.bar(pos, maxes, width=0.8, alpha=0.35, color="tab:cyan", label="max |grad|")
    ax.bar(pos, means, width=0.8, alpha=0.9, color="tab:blue", label="mean |grad|")
    positive = [v for v in maxes + means if v > 0]
    if positive and max(positive) / min(positive) > 100:
        ax.set_yscale("log")  # gradients that vanish span orders of magnitude
    ax.set_xticks(pos)
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    ax.set_xlim(-0.75, len(names) - 0.25)
    ax.set_xlabel("parameter")
    ax.set_ylabel("|gradient|")
    ax.set_title("Gradient flow")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper right")
    fig.tight_layout()
    if path is not None:
        _save_figure(fig, os.fspath(path))
    return fig


def _save_figure(fig, path):
    """Write the figure atomically: a temporary file in the same folder, then os.replace."""
    ext = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    with atomic_open(path) as f:
        fig.savefig(f, format=ext, dpi=100)
