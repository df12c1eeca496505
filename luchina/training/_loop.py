"""One epoch of training, one pass of evaluation, and Ctrl-C turned into a clean stop."""

import signal
import sys
import threading
import time

import numpy as np

import luchina

__all__ = ["StopRequest", "train_epoch", "evaluate_loader", "predict_outputs", "targets"]


class StopRequest:
    """While active, the first Ctrl-C only sets ``requested`` (the loop stops after the current
    batch and saves a checkpoint); a second Ctrl-C raises KeyboardInterrupt at once."""

    def __init__(self, stream=None):
        self.requested = False
        self.stream = stream or sys.stderr
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.stream.write("\nCtrl-C: stopping after this batch and saving a resumable checkpoint "
                          "(press Ctrl-C again to stop at once)\n")
        self.stream.flush()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False


def targets(y, task):
    """Labels in the form the loss wants: float (N, 1) for BCELoss, as loaded otherwise."""
    if task == "binary" and y.dim() == 1:
        return y.float().unsqueeze(1)
    return y


def _correct(out, y, task):
    if task == "binary":
        return int(((out._data > 0.5) == (y._data > 0.5)).sum())
    if task == "multiclass":
        return int((out._data.argmax(1) == y._data).sum())
    return None


def train_epoch(model, loader, criterion, optimizer, task, device, state, stop=None,
                on_batch=None):
    """Train over ``loader`` from batch ``state['batch']`` on, accumulating into ``state``.

    ``state`` holds batch, count, loss_sum, correct and seconds so that an interrupted epoch can
    be continued. Returns True when the epoch finished, False when ``stop`` asked to stop.
    """
    model.train()
    it = iter(loader)
    for _ in range(state["batch"]):  # batches already trained before an interruption
        next(it)
    total = len(loader)
    started = time.perf_counter() - state["seconds"]
    for x, y in it:
        x, y = x.to(device), targets(y.to(device), task)
        out = model(x)
        loss = criterion(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = len(y)
        state["batch"] += 1
        state["count"] += n
        state["loss_sum"] += loss.item() * n
        correct = _correct(out, y, task)
        if correct is not None:
            state["correct"] += correct
        state["seconds"] = time.perf_counter() - started
        if on_batch is not None:
            on_batch(state["batch"], total, state["loss_sum"] / state["count"])
        if stop is not None and stop.requested and state["batch"] < total:
            return False
    return True


def evaluate_loader(model, loader, criterion, task, device):
    """(mean loss per sample, accuracy or None for regression) over ``loader``, no dropout."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with luchina.no_grad():
        for x, y in loader:
            x, y = x.to(device), targets(y.to(device), task)
            out = model(x)
            n = len(y)
            loss_sum += criterion(out, y).item() * n
            c = _correct(out, y, task)
            correct += c or 0
            count += n
    if count == 0:
        return None, None
    return loss_sum / count, (None if task == "regression" else correct / count)


def predict_outputs(model, x, task):
    """(label index or value, probability of that label or None) per row of ``x``."""
    model.eval()
    with luchina.no_grad():
        out = model(x)._data
    out = np.asarray(out.get() if hasattr(out, "get") else out, dtype=np.float64)
    if task == "binary":
        p = out[:, 0]
        label = (p > 0.5).astype(np.int64)
        return list(zip(label.tolist(), np.where(label == 1, p, 1 - p).tolist()))
    if task == "multiclass":
        e = np.exp(out - out.max(1, keepdims=True))
        prob = e / e.sum(1, keepdims=True)
        label = prob.argmax(1)
        return list(zip(label.tolist(), prob[np.arange(len(label)), label].tolist()))
    return [(v, None) for v in out[:, 0].tolist()]
