"""DataLoader: batches from a dataset, in the main process or in worker processes."""

import os
import warnings
from itertools import islice

import numpy as np

from luchina._random import rng
from luchina._tensor import Tensor
from luchina.utils.data._collate import default_collate, default_convert
from luchina.utils.data._worker import note
from luchina.utils.data.dataset import IterableDataset, Subset, TensorDataset
from luchina.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader"]


def _tensor_fast_path(dataset, collate_fn, auto_collation):
    """(arrays, index_map) when a batch is one fancy index per tensor, else None.

    Holds for a TensorDataset (possibly under Subsets) with the default collate: indexing the
    stored arrays with the batch's index array gives exactly what collating N samples gives.
    """
    if not auto_collation or collate_fn is not default_collate:
        return None
    index_map = None
    ds = dataset
    while type(ds) is Subset:
        idx = np.asarray(ds.indices)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            return None
        index_map = idx if index_map is None else idx[index_map]
        ds = ds.dataset
    if type(ds) is not TensorDataset:
        return None
    arrays = []
    for t in ds.tensors:
        if t._rg or type(t._data) is not np.ndarray or t._data.ndim == 0:
            return None
        arrays.append(t._data)
    return arrays, index_map


class MapFetcher:
    """Fetches one batch (or one sample) of a map-style dataset and collates it."""

    def __init__(self, dataset, auto_collation, collate_fn):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.getitems = getattr(dataset, "__getitems__", None)
        self.fast = _tensor_fast_path(dataset, collate_fn, auto_collation)

    def fetch(self, index):
        if not self.auto_collation:
            try:
                return self.collate_fn(self.dataset[index])
            except Exception as e:
                note(e, f"while loading sample {index!r} of the dataset")
                raise
        if self.fast is not None:
            ix = np.asarray(index)
            if ix.ndim == 1 and ix.dtype.kind in "iu":
                arrays, index_map = self.fast
                if index_map is not None:
                    ix = index_map[ix]
                return [Tensor._make(a[ix]) for a in arrays]
        if self.getitems is not None:
            try:
                data = self.getitems(index)
            except Exception as e:
                note(e, f"while loading samples {_short(index)} of the dataset")
                raise
        else:
            data = []
            ds = self.dataset
            try:
                for i in index:
                    data.append(ds[i])
            except Exception as e:
                note(e, f"while loading sample {i!r} of the dataset (batch {_short(index)})")
                raise
        try:
            return self.collate_fn(data)
        except Exception as e:
            note(e, f"while collating the batch of dataset samples {_short(index)}")
            raise


class IterFetcher:
    """Pulls one batch (or one sample) from an IterableDataset's iterator; StopIteration at end."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last, batch_size):
        self.it = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.batch_size = batch_size

    def fetch(self, index=None):
        if self.auto_collation:
            data = list(islice(self.it, self.batch_size))
            if not data or (self.drop_last and len(data) < self.batch_size):
                raise StopIteration
        else:
            data = next(self.it)
        return self.collate_fn(data)


def _short(index, n=10):
    index = list(index)
    return str(index) if len(index) <= n else f"[{', '.join(map(str, index[:n]))}, ...]"


class DataLoader:
    """torch.utils.data.DataLoader; workers are forked where possible, ``pin_memory`` is a no-op.

    Batches of a TensorDataset (also under Subsets) with the default collate are one fancy index
    per tensor. Each epoch draws one base seed, with or without workers, so shuffles match.
    """

    _frozen = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")
    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._check_worker_number()
        self.__initialized = True

    def __setattr__(self, attr, val):
        if self.__initialized and attr in self._frozen:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def _check_worker_number(self):
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count()
        if cpus and self.num_workers > cpus:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. Our suggested max number of worker in current system is "
                          f"{cpus}, which is smaller than what this DataLoader is going to "
                          "create. Please be aware that excessive worker creation might get "
                          "DataLoader running slow or even freeze, lower the worker number to "
                          "avoid potential slowness/freeze if necessary.", UserWarning,
                          stacklevel=3)

    def _draw_base_seed(self):
        # one draw per epoch, with or without workers, so both modes shuffle identically
        return int(rng(self.generator).integers(0, 2 ** 63))

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        from luchina.utils.data._worker import MultiProcessIter
        if not self.persistent_workers:
            return MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = MultiProcessIter(self)
        else:
            self._iterator._reset()
        return self._iterator

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)  # TypeError when the dataset has no __len__, as in torch
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)


class _SingleProcessIter:
    """Iterator of a DataLoader with num_workers=0: fetches in the calling process."""

    def __init__(self, loader):
        self._loader = loader
        self._base_seed = loader._draw_base_seed()
        if loader._iterable:
            self._fetcher = IterFetcher(loader.dataset, loader._auto_collation,
                                        loader.collate_fn, loader.drop_last, loader.batch_size)
            self._sampler_iter = None
        else:
            self._fetcher = MapFetcher(loader.dataset, loader._auto_collation, loader.collate_fn)
            self._sampler_iter = iter(loader._index_sampler)
        self._fetch = self._fetcher.fetch

    def __iter__(self):
        return self

    def __next__(self):
        if self._sampler_iter is None:
            return self._fetch()
        return self._fetch(next(self._sampler_iter))

    def __len__(self):
        return len(self._loader)
