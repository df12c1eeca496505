"""DataLoader worker processes: the worker loop, its seeding and the error wrapper."""

import os
import queue
import random
import sys
import traceback

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

_STATUS_CHECK_S = 1.0  # how often a waiting worker checks that its parent is still alive
_worker_info = None


class WorkerInfo:
    """torch.utils.data.WorkerInfo: id, num_workers, seed and dataset of this worker."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{type(self).__name__}({items})"


def get_worker_info():
    """torch.utils.data.get_worker_info: this worker's WorkerInfo, or None in the main process."""
    return _worker_info


def note(exc, text):
    """Attach ``text`` to an exception's report (a no-op before Python 3.11)."""
    if hasattr(exc, "add_note"):
        exc.add_note(text)


class _KeyErrorMessage(str):
    """KeyError quotes its message; this keeps a multi-line message readable."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process and re-raised there."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:  # its constructor wants other arguments
            raise RuntimeError(msg) from None
        raise exc


class IterableStop:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class Reset:
    """Sent to a persistent worker at the start of an epoch: restart the dataset's iterator."""

    def __init__(self, epoch):
        self.epoch = epoch


def seed_worker(base_seed, worker_id):
    """Seed luchina, random and numpy in a worker: luchina/random get base_seed + worker_id."""
    from luchina._random import manual_seed
    seed = (base_seed + worker_id) % (2 ** 64)
    manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def worker_loop(iterable, dataset, index_q, result_q, done_event, auto_collation, collate_fn,
                drop_last, batch_size, base_seed, init_fn, worker_id, num_workers):
    global _worker_info
    from luchina.utils.data.dataloader import IterFetcher, MapFetcher
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error = None
        if init_fn is not None:
            init_fn(worker_id)
        if iterable:
            fetcher = IterFetcher(dataset, auto_collation, collate_fn, drop_last, batch_size)
        else:
            fetcher = MapFetcher(dataset, auto_collation, collate_fn)
    except Exception:
        init_error = ExceptionWrapper(sys.exc_info(), where)
        fetcher = None
    ended = False
    parent = os.getppid()
    while True:
        try:
            task = index_q.get(timeout=_STATUS_CHECK_S)
        except queue.Empty:
            if os.getppid() != parent:  # the main process died: leave quietly
                break
            continue
        if task is None or done_event.is_set():
            break
        if isinstance(task, Reset):
            ended = False
            if iterable and init_error is None:
                try:
                    fetcher = IterFetcher(dataset, auto_collation, collate_fn, drop_last,
                                          batch_size)
                except Exception:
                    init_error = ExceptionWrapper(sys.exc_info(), where)
            continue
        if ended:
            continue
        epoch, idx, index = task
        if init_error is not None:
            data = init_error
        else:
            try:
                data = fetcher.fetch(index)
            except StopIteration:
                data = IterableStop(worker_id)
                ended = True
            except Exception:
                data = ExceptionWrapper(sys.exc_info(), where)
        result_q.put((epoch, idx, data))
        del data, task
    result_q.cancel_join_thread()
    result_q.close()


class MultiProcessIter:
    """Iterator of a DataLoader with worker processes; batches come back in sampler order."""

    def __init__(self, loader):
        import multiprocessing as mp
        self._shut, self._workers, self._index_qs = False, [], []
        self._loader = loader
        self._iterable = loader._iterable
        self._n = loader.num_workers
        self._prefetch = loader.prefetch_factor
        self._persistent = loader.persistent_workers
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._base_seed = loader._draw_base_seed()
        ctx = loader.multiprocessing_context
        if ctx is None:
            # fork: datasets and collate functions need not be picklable (torch's Linux default)
            ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
        elif isinstance(ctx, str):
            ctx = mp.get_context(ctx)
        self._result_q = ctx.Queue()
        self._done_event = ctx.Event()
        for wid in range(self._n):
            iq = ctx.Queue()
            iq.cancel_join_thread()  # never block the main process on exit over unsent indices
            w = ctx.Process(target=worker_loop, daemon=True, args=(
                self._iterable, loader.dataset, iq, self._result_q, self._done_event,
                loader._auto_collation, loader.collate_fn, loader.drop_last, loader.batch_size,
                self._base_seed, loader.worker_init_fn, wid, self._n))
            w.start()
            self._index_qs.append(iq)
            self._workers.append(w)
        self._epoch = 0
        self._reset(first=True)

    def _reset(self, first=False):
        if not first:
            self._base_seed = self._loader._draw_base_seed()  # keep the draws of non-persistent
            self._epoch += 1
            if self._iterable:
                for q in self._index_qs:
                    q.put(Reset(self._epoch))
        self._sampler_iter = None if self._iterable else iter(self._loader._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._tasks = {}  # idx -> [worker_id] or [worker_id, data] once it arrived early
        self._active = [True] * self._n
        self._next_worker = 0
        for _ in range(self._prefetch * self._n):
            self._put_index()

    def _put_index(self):
        if self._sampler_iter is not None:
            try:
                index = next(self._sampler_iter)
            except StopIteration:
                return
        else:
            index = None
        for _ in range(self._n):
            wid = self._next_worker
            self._next_worker = (wid + 1) % self._n
            if self._active[wid]:
                break
        else:
            return
        self._index_qs[wid].put((self._epoch, self._send_idx, index))
        self._tasks[self._send_idx] = [wid]
        self._send_idx += 1

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def __next__(self):
        while True:
            while self._rcvd_idx < self._send_idx:  # skip tasks a finished worker will not do
                info = self._tasks.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._active[info[0]]):
                    break
                self._tasks.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            if len(info) == 2:
                del self._tasks[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(info[1])
            epoch, idx, data = self._get()
            if epoch != self._epoch or idx not in self._tasks:
                continue  # left over from an epoch that was abandoned
            if isinstance(data, IterableStop):
                self._active[data.worker_id] = False
                self._put_index()
                continue
            if idx == self._rcvd_idx or not self._in_order:
                del self._tasks[idx]
                if idx == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._process(data)
            self._tasks[idx].append(data)

    def _process(self, data):
        self._put_index()
        if isinstance(data, ExceptionWrapper):
            if not self._persistent:
                self._shutdown()
            data.reraise()
        return data

    def _get(self):
        import time
        waited, limit = 0.0, self._timeout
        while True:
            step = _STATUS_CHECK_S if not limit else min(_STATUS_CHECK_S, limit - waited)
            t0 = time.monotonic()
            try:
                return self._result_q.get(timeout=step)
            except queue.Empty:
                waited += time.monotonic() - t0
            for w in self._workers:
                if not w.is_alive():
                    self._shutdown()
                    raise RuntimeError(
                        f"DataLoader worker (pid {w.pid}) exited unexpectedly with exit code "
                        f"{w.exitcode}; it may have been killed (out of memory?) or crashed in "
                        "native code. Run with num_workers=0 to see the error in the main "
                        "process.")
            if limit and waited >= limit:
                self._shutdown()
                raise RuntimeError(f"DataLoader timed out after {limit} seconds")

    def _shutdown(self):
        if self._shut:
            return
        self._shut = True
        try:
            self._done_event.set()
            for q in self._index_qs:
                q.put(None)
            for w in self._workers:
                w.join(timeout=5)
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=1)
            for q in self._index_qs:
                q.close()
            self._result_q.cancel_join_thread()
            self._result_q.close()
        except Exception:  # interpreter shutdown: the workers are daemons and die with us
            pass

    def __del__(self):
        if hasattr(self, "_result_q"):
            self._shutdown()
