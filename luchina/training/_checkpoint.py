"""Checkpoints of a run: everything needed to continue bit for bit, saved atomically.

A checkpoint is a dict written by luchina.save:
  format, epoch (completed epochs), position (None, or where an interrupted epoch stopped),
  model, optimizer (state_dicts), history (per-epoch dicts), best (val loss, epoch, bad epochs),
  words (the vocabulary, id order; None for non-text data), classes, task, config, rng.
"""

import os
import random

import numpy as np

import luchina
from luchina import _random

__all__ = ["FORMAT", "rng_states", "restore_rng", "save_checkpoint", "load_checkpoint",
           "checkpoint_path"]

FORMAT = "luchina-train-1"
_KEYS = ("format", "epoch", "position", "model", "optimizer", "history", "best", "words",
         "classes", "task", "config", "rng")


def rng_states(loader_generator):
    """Every random state a training run draws from (init, dropout, shuffling, Python, NumPy)."""
    mt = np.random.get_state()
    py = random.getstate()
    return {"luchina": _random.get_rng_state(), "loader": loader_generator.get_state(),
            "numpy": {"key": mt[1], "pos": int(mt[2]), "has_gauss": int(mt[3]),
                      "cached": float(mt[4])},
            "python": {"version": py[0], "state": list(py[1]),
                       "gauss": py[2] if py[2] is None else float(py[2])}}


def restore_rng(states, loader_generator):
    """Put back the states recorded by ``rng_states``."""
    _random.set_rng_state(states["luchina"])
    loader_generator.set_state(states["loader"])
    n = states["numpy"]
    np.random.set_state(("MT19937", np.asarray(n["key"], dtype=np.uint32), n["pos"],
                         n["has_gauss"], n["cached"]))
    p = states["python"]
    random.setstate((p["version"], tuple(p["state"]), p["gauss"]))


def save_checkpoint(path, **fields):
    """Write a checkpoint atomically (a temporary file renamed over ``path``)."""
    missing = [k for k in _KEYS if k != "format" and k not in fields]
    if missing:
        raise TypeError(f"save_checkpoint: missing fields {missing}")
    luchina.save({"format": FORMAT, **fields}, path)


def checkpoint_path(run_dir, which="best"):
    """The file of the 'best' or 'last' checkpoint of a run folder, checking it exists."""
    if not os.path.isdir(run_dir):
        raise FileNotFoundError(f"{run_dir} is not a run folder (no such directory); give the "
                                "folder that `luchina train` printed (--out)")
    path = os.path.join(run_dir, f"{which}.pt")
    if which == "best" and not os.path.exists(path):
        path = os.path.join(run_dir, "last.pt")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{run_dir} holds no checkpoint ({which}.pt); was the run "
                                "stopped before its first epoch ended?")
    return path


def load_checkpoint(path):
    """Read and check a checkpoint; a truncated or foreign file raises a clear RuntimeError."""
    try:
        ckpt = luchina.load(path)
    except RuntimeError as e:
        raise RuntimeError(f"cannot use the checkpoint {path}: {e}. The file is damaged; use "
                           "the other checkpoint of the run (best.pt / last.pt) or train "
                           "again") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise RuntimeError(f"{path} is a luchina file but not a training checkpoint written by "
                           "`luchina train` (no format tag); for a bare state_dict use "
                           "model.load_state_dict(luchina.load(path))")
    missing = [k for k in _KEYS if k not in ckpt]
    if missing:
        raise RuntimeError(f"the checkpoint {path} is incomplete: it lacks {missing}")
    return ckpt
