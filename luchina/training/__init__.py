"""luchina.training: the machinery behind ``luchina train / evaluate / predict``.

``train(preset_or_toml)`` runs an experiment into a run folder (metrics.json, best.pt, last.pt,
loss.png, accuracy.png); ``evaluate(run_dir)`` and ``predict(run_dir, texts)`` use it afterwards.
The presets are listed in PRESETS; docs/train.md describes the configuration file.
"""

from luchina.training._checkpoint import load_checkpoint
from luchina.training._config import DEFAULTS, PRESETS, load_config, preset, resolve
from luchina.training._infer import evaluate, load_run, predict
from luchina.training._models import MLP, TextClassifier
from luchina.training._run import train

__all__ = ["DEFAULTS", "MLP", "PRESETS", "TextClassifier", "evaluate", "load_checkpoint",
           "load_config", "load_run", "predict", "preset", "resolve", "train"]
