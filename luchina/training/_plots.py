"""Loss and accuracy curves as PNG files (matplotlib, an optional extra)."""

import os

from luchina._atomic import atomic_open

__all__ = ["save_curves"]


def _atomic_png(fig, path):
    with atomic_open(path) as fh:
        fig.savefig(fh, format="png", dpi=100)


def save_curves(history, run_dir):
    """Write loss.png (and accuracy.png for classifiers) into ``run_dir``.

    Returns the written paths, or a one-line note when matplotlib is not installed.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return "curves not drawn: matplotlib is not installed (pip install matplotlib)"
    epochs = [h["epoch"] for h in history]
    paths = []
    panels = [("loss", "Loss", ("train_loss", "val_loss"))]
    if any(h.get("val_accuracy") is not None for h in history):
        panels.append(("accuracy", "Accuracy", ("train_accuracy", "val_accuracy")))
    for name, ylabel, keys in panels:
        fig = Figure(figsize=(7, 4))
        FigureCanvasAgg(fig)  # attaches itself to the figure; no pyplot, no GUI backend
        ax = fig.add_subplot()
        for key in keys:
            values = [h.get(key) for h in history]
            if any(v is not None for v in values):
                ax.plot(epochs, values, marker="o", ms=3, label=key.split("_")[0])
        ax.set_xlabel("Epoch")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = os.path.join(run_dir, f"{name}.png")
        _atomic_png(fig, path)
        paths.append(path)
    return paths
