"""Plot helpers shared by the examples: matplotlib is optional and drawn with its Agg renderer.

The figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so no window opens
and no global backend is switched; PNGs are written atomically (temp file, fsync, replace).
"""

import os
import tempfile


def new_figure(**kwargs):
    """A matplotlib Figure, or None (with a printed note) when matplotlib is not installed."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("note: matplotlib is not installed (pip install matplotlib), so no plot is saved")
        return None
    return Figure(**kwargs)


def save_png(fig, out_dir, name):
    """Write ``fig`` to out_dir/name atomically and return the path."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name)
    fd, tmp = tempfile.mkstemp(prefix="." + name, suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format="png", dpi=100)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    print(f"saved {path}")
    return path
