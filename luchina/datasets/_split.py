"""The fixed train/validation/test split every loader in luchina.datasets uses."""

import numpy as np

SPLITS = ("train", "val", "test")


def split_indices(n, fractions=(0.8, 0.1, 0.1), seed=42):
    """Indices of the train, val and test parts of ``n`` samples: a seeded shuffle, then cuts.

    The validation and test parts hold ``int(n * fraction)`` samples each (as the course notes'
    ``[int(len(df)*0.8), int(len(df)*0.1), int(len(df)*0.1)]``); the training part gets the rest.
    """
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"split_indices: fractions must be three non-negative numbers summing to "
                         f"1 (train, val, test), got {fractions}")
    perm = np.random.default_rng(seed).permutation(n)
    n_val, n_test = int(n * fractions[1]), int(n * fractions[2])
    n_train = n - n_val - n_test
    return perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:]


def check_split(fn, split):
    """The position of ``split`` in SPLITS, or a ValueError naming the loader."""
    if split not in SPLITS:
        raise ValueError(f"{fn}: split must be one of 'train', 'val', 'test' or None (all "
                         f"samples), got {split!r}")
    return SPLITS.index(split)


def require(module, fn, pip_name=None):
    """Import an optional dependency or raise ImportError naming the pip command."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as e:
        pip_name = pip_name or module
        raise ImportError(f"{fn} needs the optional package {pip_name!r}: pip install {pip_name} "
                          f"(or pip install 'luchina[data]' for every data set)") from e
