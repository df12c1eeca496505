"""MNIST-1D, generated locally with the procedure and default arguments of the ``mnist1d`` package.

Ten 12-point templates, one per digit, are padded, stretched, scaled, shifted, given correlated
and independent noise, sheared and resampled to 40 points (Greydanus, 2020). The arrays equal
those of ``mnist1d.data.make_dataset(get_dataset_args())``; nothing is downloaded and only NumPy
is needed.
"""

import functools

import numpy as np

from luchina.datasets._digits import as_tensor_dataset
from luchina.datasets._split import check_split

__all__ = ["mnist1d", "make_mnist1d", "MNIST1D_ARGS"]

# the package's get_dataset_args() (without its download URL)
MNIST1D_ARGS = {"num_samples": 5000, "train_split": 0.8, "template_len": 12,
                "padding": (36, 60), "scale_coeff": 0.4, "max_translation": 48,
                "corr_noise_scale": 0.25, "iid_noise_scale": 2e-2, "shear_scale": 0.75,
                "shuffle_seq": False, "final_seq_length": 40, "seed": 42}

_TEMPLATES = [
    [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
    [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
    [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
    [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
    [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
    [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
    [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
    [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
]


def _templates():
    x = np.asarray(_TEMPLATES, dtype=np.float64)
    x -= x.mean(1, keepdims=True)
    x /= x.std(1, keepdims=True)
    x -= x[:, :1]  # each signal starts and ends at 0
    return x / 6.0


def _resample(x, n):
    """Linear interpolation of ``x`` (on an even grid over [0, 1]) at ``n`` even points."""
    return np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(x)), x)


def _smooth(x, sigma=2.0, truncate=4.0):
    """Gaussian smoothing with mirrored edges (d c b a | a b c d | d c b a).

    Summed as centre first, then mirrored pairs from the outside in, so the values match
    scipy.ndimage.gaussian_filter bit for bit.
    """
    radius = int(truncate * sigma + 0.5)
    k = np.arange(-radius, radius + 1)
    w = np.exp(-0.5 / (sigma * sigma) * k ** 2)
    w = w / w.sum()
    padded = np.pad(x, radius, mode="symmetric")
    n = len(x)
    out = padded[radius:radius + n] * w[radius]
    for j in range(radius, 0, -1):
        out = out + (padded[radius + j:radius + j + n] + padded[radius - j:radius - j + n]) \
            * w[radius - j]
    return out


def _transform(x, args, g, eps=1e-8):
    low, high = args["padding"]
    p = low + int(g.rand() * (high - low + 1))
    x = np.concatenate([x + eps, np.zeros(p)])
    x = _resample(x, args["template_len"] + high)
    x = x * (1 + args["scale_coeff"] * (g.rand() - 0.5))
    k = g.choice(args["max_translation"])
    x = np.concatenate([x[-k:], x[:-k]])
    mask = x != 0
    corr = _smooth(args["corr_noise_scale"] * g.randn(*x.shape))
    x = mask * x + (1 - mask) * corr
    x = x + args["iid_noise_scale"] * g.randn(*x.shape)
    coeff = args["shear_scale"] * (g.rand() - 0.5)
    x = x - coeff * np.linspace(-0.5, 0.5, len(x))
    return _resample(x, args["final_seq_length"])


def make_mnist1d(**overrides):
    """The raw arrays as a dict: x (4000, 40) float64, y (4000,) int64, x_test, y_test.

    Keyword arguments override entries of MNIST1D_ARGS (e.g. ``num_samples``, ``seed``).
    """
    unknown = set(overrides) - set(MNIST1D_ARGS)
    if unknown:
        raise TypeError(f"make_mnist1d: unknown arguments {sorted(unknown)}; known: "
                        f"{sorted(MNIST1D_ARGS)}")
    args = {**MNIST1D_ARGS, **overrides}
    return {k: v.copy() for k, v in _generate(tuple(sorted(args.items()))).items()}


@functools.lru_cache(maxsize=2)
def _generate(items):
    args = dict(items)
    g = np.random.RandomState(args["seed"])  # the package seeds NumPy's legacy generator
    templates = _templates()
    per_class = args["num_samples"] // len(templates)
    xs, ys = [], []
    for label, template in enumerate(templates):
        for _ in range(per_class):
            xs.append(_transform(template, args, g))
            ys.append(label)
    order = g.permutation(len(ys))
    xs = np.stack(xs)[order]
    ys = np.asarray(ys, dtype=np.int64)[order]
    if args["shuffle_seq"]:
        xs = xs[..., g.permutation(args["final_seq_length"])]
    xs = (xs - xs.mean()) / xs.std()
    cut = int(len(ys) * args["train_split"])
    return {"x": xs[:cut], "y": ys[:cut], "x_test": xs[cut:], "y_test": ys[cut:]}


def mnist1d(split=None, *, val_size=400):
    """TensorDataset of (40 float32 values, digit int64) from MNIST-1D's default generation.

    The package's split is kept: its 1,000 test signals form 'test'; of its 4,000 training
    signals the last ``val_size`` form 'val' and the rest 'train'; None gives all 5,000.
    """
    data = make_mnist1d()
    x = np.concatenate([data["x"], data["x_test"]])
    y = np.concatenate([data["y"], data["y_test"]])
    if split is not None:
        cut = len(data["y"])
        part = check_split("mnist1d", split)
        sl = [slice(0, cut - val_size), slice(cut - val_size, cut), slice(cut, None)][part]
        x, y = x[sl], y[sl]
    return as_tensor_dataset(x, y, None, "mnist1d")
