"""scikit-learn's bundled 8x8 handwritten digits (1,797 images), read offline."""

import numpy as np

from luchina.datasets._split import check_split, require, split_indices

__all__ = ["digits", "as_tensor_dataset"]


def as_tensor_dataset(x, y, split, fn, fractions=(0.8, 0.1, 0.1), seed=42):
    """TensorDataset(float32 features, labels) of the chosen part of a seeded shuffle."""
    from luchina._creation import tensor
    from luchina.utils.data import TensorDataset
    if split is not None:
        idx = split_indices(len(y), fractions, seed)[check_split(fn, split)]
        x, y = x[idx], y[idx]
    y_dtype = "float32" if np.asarray(y).dtype.kind == "f" else "int64"
    return TensorDataset(tensor(np.ascontiguousarray(x, dtype=np.float32)),
                         tensor(np.ascontiguousarray(y), dtype=y_dtype))


def digits(split=None, *, fractions=(0.8, 0.1, 0.1), seed=42):
    """TensorDataset of (64 pixel values scaled to [0, 1] float32, digit int64).

    The data come from ``sklearn.datasets.load_digits`` (bundled with scikit-learn, no download);
    pixels are divided by 16. ``split``: 'train'/'val'/'test' of a seeded 80/10/10 shuffle.
    """
    skd = require("sklearn.datasets", "digits()", "scikit-learn")
    bunch = skd.load_digits()
    x = np.asarray(bunch.data, dtype=np.float32) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return as_tensor_dataset(x, y, split, "digits", fractions, seed)
