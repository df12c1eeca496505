"""Samplers: the order in which a DataLoader visits a map-style dataset.

Random samplers draw from luchina's generators (luchina.manual_seed or ``generator=``), so epochs
are reproducible; the numbers differ from torch's Mersenne Twister.
"""

from itertools import islice

import numpy as np

from luchina._random import Generator, rng
from luchina._tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """torch.utils.data.Sampler: subclasses define ``__iter__`` (and usually ``__len__``)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """torch.utils.data.SequentialSampler: 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _epoch_rng(generator):
    """A fresh stream per epoch, seeded by one draw from ``generator`` (torch's scheme)."""
    if generator is None:
        seed = int(rng(None).integers(0, 2 ** 63))
        return np.random.Generator(np.random.PCG64(seed))
    return rng(generator)


class RandomSampler(Sampler):
    """torch.utils.data.RandomSampler: a permutation (or draws with replacement) per epoch."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) \
                or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"RandomSampler: generator must be a luchina.Generator, got "
                            f"{type(generator).__name__}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        g = _epoch_rng(self.generator)
        m = self.num_samples
        if self.replacement:
            return iter(g.integers(0, n, size=m).tolist())
        parts = [g.permutation(n) for _ in range(m // n)]
        if m % n:
            parts.append(g.permutation(n)[:m % n])
        return iter(np.concatenate(parts).tolist() if len(parts) != 1 else parts[0].tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """torch.utils.data.SubsetRandomSampler: ``indices`` in a random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        idx = self.indices
        for i in rng(self.generator).permutation(len(idx)).tolist():
            yield idx[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """torch.utils.data.WeightedRandomSampler: index i drawn with probability ~ weights[i]."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: weights must be finite, non-negative and "
                               "not all zero (invalid multinomial distribution)")
        if not replacement and num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {num_samples} samples without "
                               f"replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights = Tensor._make(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator
        self._cdf = None

    def __iter__(self):
        g = rng(self.generator)
        w = self.weights._data
        if self.replacement:
            if self._cdf is None:
                self._cdf = np.cumsum(w)
            # inverse-CDF sampling: one vectorised search instead of a choice() per draw
            u = g.random(self.num_samples) * self._cdf[-1]
            idx = np.searchsorted(self._cdf, u, side="right")
            np.minimum(idx, len(w) - 1, out=idx)
        else:
            idx = g.choice(len(w), size=self.num_samples, replace=False, p=w / w.sum())
        return iter(idx.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """torch.utils.data.BatchSampler: groups a sampler's indices into lists of ``batch_size``."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        bs = self.batch_size
        while True:
            batch = list(islice(it, bs))
            if len(batch) < bs:
                if batch and not self.drop_last:
                    yield batch
                return
            yield batch

    def __len__(self):
        n = len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
