"""Small 2-D classification sets and a 1-D regression, generated in luchina from a seed."""

import numpy as np

from luchina.datasets._digits import as_tensor_dataset

__all__ = ["xor", "circles", "moons", "spirals", "quadratic"]


def _check(fn, n_samples, noise):
    if not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"{fn}: n_samples must be an int >= 2, got {n_samples!r}")
    if noise < 0:
        raise ValueError(f"{fn}: noise must be >= 0, got {noise}")


def xor(n_samples=400, *, noise=0.1, split=None, seed=0):
    """Points around the four corners of [0, 1]^2 (equally many each), label x0 XOR x1."""
    _check("xor", n_samples, noise)
    g = np.random.default_rng(seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])[np.arange(n_samples) % 4]
    x = corners + noise * g.standard_normal((n_samples, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(np.int64)
    return as_tensor_dataset(x, y, split, "xor", seed=seed)


def circles(n_samples=400, *, noise=0.05, factor=0.5, split=None, seed=0):
    """Two concentric circles (radius 1: label 0; radius ``factor``: label 1)."""
    _check("circles", n_samples, noise)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must lie in (0, 1), got {factor}")
    g = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    angle = g.uniform(0, 2 * np.pi, n_samples)
    radius = np.where(y == 1, factor, 1.0)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    x = x + noise * g.standard_normal(x.shape)
    return as_tensor_dataset(x, y.astype(np.int64), split, "circles", seed=seed)


def moons(n_samples=400, *, noise=0.1, split=None, seed=0):
    """Two interleaving half circles (labels 0 and 1)."""
    _check("moons", n_samples, noise)
    g = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    t = g.uniform(0, np.pi, n_samples)
    x = np.where(y[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], 1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1))
    x = x + noise * g.standard_normal(x.shape)
    return as_tensor_dataset(x, y.astype(np.int64), split, "moons", seed=seed)


def spirals(n_samples=600, *, classes=3, noise=0.2, split=None, seed=0):
    """``classes`` interleaved spiral arms in the plane (labels 0 .. classes-1)."""
    _check("spirals", n_samples, noise)
    if not isinstance(classes, int) or classes < 2:
        raise ValueError(f"spirals: classes must be an int >= 2, got {classes!r}")
    g = np.random.default_rng(seed)
    y = np.arange(n_samples) % classes
    r = g.uniform(0, 1, n_samples)
    angle = y * (2 * np.pi / classes) + 4 * r + noise * g.standard_normal(n_samples)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
    return as_tensor_dataset(x, y.astype(np.int64), split, "spirals", seed=seed)


def quadratic(n_samples=200, *, noise=0.0, split=None, seed=0):
    """Regression: x evenly spaced on [-2, 2] and y = x**2 (+ noise), both float32 (N, 1).

    The course notes fit this curve with a one-hidden-layer ReLU network.
    """
    _check("quadratic", n_samples, noise)
    g = np.random.default_rng(seed)
    x = np.linspace(-2, 2, n_samples).reshape(-1, 1)
    y = x ** 2 + noise * g.standard_normal(x.shape)
    return as_tensor_dataset(x, y.astype(np.float32), split, "quadratic", seed=seed)
