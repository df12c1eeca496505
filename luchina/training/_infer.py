"""Using a finished run: evaluate it on a data split, predict labels for new inputs."""

import numpy as np

from luchina._tensor import Tensor
from luchina.training._checkpoint import checkpoint_path, load_checkpoint
from luchina.training._data import TextEncoder
from luchina.training._loop import evaluate_loader, predict_outputs
from luchina.training._models import build_criterion

__all__ = ["load_run", "evaluate", "predict"]


class _Shapes:
    """The sizes build_model needs, taken from a checkpoint instead of the data."""

    def __init__(self, ckpt):
        self.task = ckpt["task"]
        self.classes = ckpt["classes"]
        self.encoder = None
        self.n_features = None
        if ckpt["words"] is not None:
            d = ckpt["config"]["data"]
            self.encoder = TextEncoder(ckpt["words"], d["lower"], d["normalize"])
        else:
            first = next(k for k in ckpt["model"] if k.endswith("weight"))
            self.n_features = int(ckpt["model"][first].shape[1])


def load_run(run_dir, which="best"):
    """(model in eval mode, checkpoint) of a run folder; no data set is read."""
    import luchina
    from luchina.training._models import build_model
    ckpt = load_checkpoint(checkpoint_path(run_dir, which))
    shapes = _Shapes(ckpt)
    model = build_model(ckpt["config"], shapes)
    model.load_state_dict(ckpt["model"])
    model.to(luchina.device(ckpt["config"]["train"]["device"]))
    model.eval()
    return model, ckpt


def evaluate(run_dir, which="best", split="test"):
    """{'loss', 'accuracy', 'n', 'epoch'} of a run's checkpoint on its data split."""
    import luchina
    from luchina.training._data import build_data
    from luchina.training._run import _loaders
    model, ckpt = load_run(run_dir, which)
    cfg = ckpt["config"]
    data = build_data(cfg, ckpt["words"])
    loaders = dict(zip(("train", "val", "test"), _loaders(cfg, data, luchina.Generator())))
    if split not in loaders:
        raise ValueError(f"evaluate: split must be 'train', 'val' or 'test', got {split!r}")
    device = luchina.device(cfg["train"]["device"])
    loss, acc = evaluate_loader(model, loaders[split], build_criterion(ckpt["task"]),
                                ckpt["task"], device)
    return {"loss": loss, "accuracy": acc, "n": len(loaders[split].dataset),
            "epoch": ckpt["epoch"], "split": split}


def _numeric_rows(inputs, n_features):
    rows = []
    for s in inputs:
        try:
            row = [float(v) for v in s.replace(",", " ").split()]
        except ValueError:
            raise ValueError(f"predict: {s!r} is not a list of numbers; this model takes "
                             f"{n_features} numbers separated by commas or spaces") from None
        if len(row) != n_features:
            raise ValueError(f"predict: {s!r} has {len(row)} numbers but the model takes "
                             f"{n_features}")
        rows.append(row)
    return np.asarray(rows, dtype=np.float32)


def predict(run_dir, inputs, which="best"):
    """[(input, label, probability)] for texts (or comma-separated numbers for MLP runs).

    Binary models report the probability of the predicted label; regression models give the
    predicted value as the label and None as probability.
    """
    import luchina
    inputs = list(inputs)
    model, ckpt = load_run(run_dir, which)
    if not inputs:
        return []
    device = luchina.device(ckpt["config"]["train"]["device"])
    if ckpt["words"] is not None:
        d = ckpt["config"]["data"]
        enc = TextEncoder(ckpt["words"], d["lower"], d["normalize"])
        ids = [enc.encode(t) for t in inputs]
        x = np.zeros((len(ids), max(1, max(len(i) for i in ids))), dtype=np.int64)
        for r, row in enumerate(ids):
            x[r, :len(row)] = row
    else:
        n_features = _Shapes(ckpt).n_features
        x = _numeric_rows(inputs, n_features)
    outs = predict_outputs(model, Tensor._make(x).to(device), ckpt["task"])
    classes = ckpt["classes"]
    return [(s, classes[k] if classes is not None else k, p) for s, (k, p) in zip(inputs, outs)]
