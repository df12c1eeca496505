"""A training run end to end: run folder, epochs, checkpoints, metrics.json, curves, test."""

import copy
import json
import os
import sys
import time

import luchina
from luchina._atomic import atomic_open
from luchina.training._checkpoint import (
    checkpoint_path,
    load_checkpoint,
    restore_rng,
    rng_states,
    save_checkpoint,
)
from luchina.training._config import resolve, validate
from luchina.training._data import build_data
from luchina.training._loop import StopRequest, evaluate_loader, train_epoch
from luchina.training._models import build_criterion, build_model, build_optimizer
from luchina.training._progress import Progress, curve_chart, epoch_line, fmt
from luchina.utils.data import DataLoader

__all__ = ["train", "new_run_dir", "write_json", "setup"]


def write_json(path, obj):
    """Write JSON atomically (temporary file in the same folder, fsync, rename)."""
    with atomic_open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


def new_run_dir(name, root="runs"):
    """runs/<name>-<YYYYmmdd-HHMMSS>, with a numeric suffix if that folder exists."""
    base = os.path.join(root, f"{name}-{time.strftime('%Y%m%d-%H%M%S')}")
    path, k = base, 1
    while os.path.exists(path):
        k += 1
        path = f"{base}-{k}"
    return path


def _device(cfg):
    name = cfg["train"]["device"]
    if name.startswith("cuda") and not luchina.cuda.is_available():
        raise RuntimeError(f"device {name!r} was asked for but no CUDA GPU with CuPy is "
                           "available; use --device cpu (or pip install 'luchina[cuda]')")
    return luchina.device(name)


def setup(cfg, words=None):
    """(data, model, criterion, device) for a configuration, seeded from [train] seed."""
    luchina.seed_everything(cfg["train"]["seed"])
    data = build_data(cfg, words)
    device = _device(cfg)
    model = build_model(cfg, data).to(device)
    return data, model, build_criterion(data.task), device


def _loaders(cfg, data, generator):
    t = cfg["train"]
    kw = {"collate_fn": data.collate_fn} if data.collate_fn is not None else {}
    train = DataLoader(data.train, batch_size=t["batch_size"], shuffle=True,
                       generator=generator, **kw)
    val = DataLoader(data.val, batch_size=t["eval_batch_size"], shuffle=False, **kw)
    test = DataLoader(data.test, batch_size=t["eval_batch_size"], shuffle=False, **kw)
    return train, val, test


def _fresh_epoch_state():
    return {"batch": 0, "count": 0, "loss_sum": 0.0, "correct": 0, "seconds": 0.0}


def _metrics(history, test, cfg, name, best, status, classes):
    return {"history": history, "test": test, "config": cfg, "name": name,
            "best": {"epoch": best["epoch"], "val_loss": best["val_loss"]}, "status": status,
            "classes": classes}


def train(target, *, out=None, resume=None, epochs=None, seed=None, overrides=None,
          stream=None, progress=None, plots=True):
    """Train a preset or a .toml configuration (or resume a run folder); returns a result dict.

    ``overrides`` maps "table.key" to a value (e.g. {"data.limit": 200}). The result holds
    run_dir, status ('finished', 'early-stopped' or 'interrupted'), history and test metrics.
    """
    stream = stream or sys.stdout
    say = lambda *a: print(*a, file=stream, flush=True)
    ckpt = None
    if resume is not None:
        ckpt = load_checkpoint(checkpoint_path(resume, "last"))
        cfg, name, run_dir = copy.deepcopy(ckpt["config"]), ckpt.get("name", "run"), resume
        if seed is not None and seed != cfg["train"]["seed"]:
            raise ValueError(f"--resume continues {resume} with its own seed "
                             f"{cfg['train']['seed']}; drop --seed {seed}")
    else:
        cfg, name = resolve(target)
        run_dir = out or new_run_dir(name)
    if seed is not None:
        cfg["train"]["seed"] = seed
    if epochs is not None:
        cfg["train"]["epochs"] = epochs
    for key, value in (overrides or {}).items():
        table, _, field = key.partition(".")
        if table not in cfg or field not in cfg[table]:
            raise ValueError(f"unknown setting {key!r}")
        cfg[table][field] = value
    cfg = validate(cfg, "settings")
    t = cfg["train"]
    data, model, criterion, device = setup(cfg, ckpt["words"] if ckpt else None)
    optimizer = build_optimizer(cfg, model.parameters())
    loader_gen = luchina.Generator().manual_seed(t["seed"])
    train_loader, val_loader, test_loader = _loaders(cfg, data, loader_gen)
    history, best, position, start = [], {"epoch": 0, "val_loss": None, "bad": 0}, None, 1
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        history, best, position = ckpt["history"], dict(ckpt["best"]), ckpt["position"]
        restore_rng(ckpt["rng"], loader_gen)
        start = ckpt["epoch"] + 1
        if position is None and (start > t["epochs"] or best.get("stopped")):
            say(f"{run_dir} already finished ({ckpt['epoch']} epochs); pass --epochs N with a "
                "larger N to train further")
            return {"run_dir": run_dir, "status": "finished", "history": history, "test": None}
        where = f"epoch {start}" + (f", batch {position['state']['batch'] + 1}"
                                    if position else "")
        say(f"resuming {run_dir} at {where}")
    os.makedirs(run_dir, exist_ok=True)
    words = data.encoder.words if data.encoder is not None else None
    sizes = f"{len(data.train)}/{len(data.val)}/{len(data.test)}"
    vocab = f", vocabulary {len(words)} words" if words is not None else ""
    say(f"{name}: {cfg['data']['name']} train/val/test {sizes}{vocab}; "
        f"{sum(p.numel() for p in model.parameters())} parameters; {t['epochs']} epochs, "
        f"batch {t['batch_size']}, {t['optimizer']} lr {t['lr']}; run folder {run_dir}")

    def checkpoint(path, epoch, pos):
        save_checkpoint(path, epoch=epoch, position=pos, model=model.state_dict(),
                        optimizer=optimizer.state_dict(), history=history, best=best,
                        words=words, classes=data.classes, task=data.task, config=cfg,
                        rng=rng_states(loader_gen), name=name)

    bar = Progress(stream, progress)
    status = "finished"
    with StopRequest() as stop:
        for epoch in range(start, t["epochs"] + 1):
            if position is not None and position["epoch"] == epoch:
                loader_gen.set_state(position["loader"])
                state = dict(position["state"])
            else:
                state = _fresh_epoch_state()
            position = None
            loader_start = loader_gen.get_state()
            began = time.perf_counter() - state["seconds"]
            done = train_epoch(model, train_loader, criterion, optimizer, data.task, device,
                               state, stop, lambda b, n, loss, e=epoch, s=began: bar.update(
                                   e, t["epochs"], b, n, loss, s))
            bar.clear()
            if not done:
                checkpoint(os.path.join(run_dir, "last.pt"), epoch - 1,
                           {"epoch": epoch, "loader": loader_start, "state": state})
                status = "interrupted"
                break
            val_loss, val_acc = evaluate_loader(model, val_loader, criterion, data.task, device)
            rec = {"epoch": epoch, "train_loss": state["loss_sum"] / max(state["count"], 1),
                   "train_accuracy": None if data.task == "regression"
                   else state["correct"] / max(state["count"], 1),
                   "val_loss": val_loss, "val_accuracy": val_acc,
                   "time": time.perf_counter() - began}
            history.append(rec)
            say(epoch_line(rec, t["epochs"]))
            if best["val_loss"] is None or (val_loss is not None and val_loss < best["val_loss"]):
                best.update(epoch=epoch, val_loss=val_loss, bad=0)
                checkpoint(os.path.join(run_dir, "best.pt"), epoch, None)
            else:
                best["bad"] += 1
            stopping = bool(t["patience"]) and best["bad"] >= t["patience"] and epoch < t["epochs"]
            if stopping:
                best["stopped"] = True
            checkpoint(os.path.join(run_dir, "last.pt"), epoch, None)
            write_json(os.path.join(run_dir, "metrics.json"),
                       _metrics(history, None, cfg, name, best, "running", data.classes))
            if stopping:
                say(f"early stopping: val_loss has not improved for {t['patience']} epochs "
                    f"(best {fmt(best['val_loss'])} at epoch {best['epoch']})")
                status = "early-stopped"
                break
            if stop.requested:
                status = "interrupted"
                break
    if status == "interrupted":
        write_json(os.path.join(run_dir, "metrics.json"),
                   _metrics(history, None, cfg, name, best, status, data.classes))
        say(f"interrupted: checkpoint saved; continue with: luchina train --resume {run_dir}")
        return {"run_dir": run_dir, "status": status, "history": history, "test": None}
    test = _test(run_dir, model, test_loader, criterion, data.task, device)
    write_json(os.path.join(run_dir, "metrics.json"),
               _metrics(history, test, cfg, name, best, status, data.classes))
    curves = save_curves_safely(history, run_dir) if plots and history else []
    say(_summary(history, test, run_dir, curves))
    return {"run_dir": run_dir, "status": status, "history": history, "test": test}


def _test(run_dir, model, loader, criterion, task, device):
    path = checkpoint_path(run_dir, "best")
    ckpt = load_checkpoint(path)
    model.load_state_dict(ckpt["model"])
    loss, acc = evaluate_loader(model, loader, criterion, task, device)
    return {"loss": loss, "accuracy": acc, "checkpoint": os.path.basename(path),
            "epoch": ckpt["epoch"]}


def save_curves_safely(history, run_dir):
    """PNG curves, or a note; drawing problems never lose a finished run."""
    from luchina.training._plots import save_curves
    try:
        return save_curves(history, run_dir)
    except Exception as e:  # a broken matplotlib install must not fail the run
        return f"curves not drawn: {type(e).__name__}: {e}"


def _summary(history, test, run_dir, curves):
    lines = ["", curve_chart(history), ""]
    acc = test["accuracy"]
    lines.append(f"test loss {fmt(test['loss'])}" + (f"  test accuracy {acc:.4f}"
                                                     if acc is not None else "")
                 + f"  ({test['checkpoint']}, epoch {test['epoch']})")
    lines.append(f"run folder: {run_dir} (metrics.json, best.pt, last.pt"
                 + (", " + ", ".join(os.path.basename(p) for p in curves)
                    if isinstance(curves, list) and curves else "") + ")")
    if isinstance(curves, str):
        lines.append(curves)
    return "\n".join(lines)
