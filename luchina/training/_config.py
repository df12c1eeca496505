"""Training configurations: the built-in presets, TOML files and command-line overrides.

A configuration is a dict of three tables, ``data``, ``model`` and ``train``; a TOML file has the
same tables and may start from a preset with a top-level ``preset = "NAME"``.
"""

import copy
import os

__all__ = ["PRESETS", "DEFAULTS", "load_config", "resolve", "validate"]

DEFAULTS = {
    "data": {
        "name": "tweets",        # tweets | csv | digits | mnist1d | xor | circles | moons |
                                 # spirals | quadratic
        "classes": 2,            # tweets: 2 (negative/positive) or 3 (with neutral)
        "path": "",              # csv: the file
        "text_column": "text",   # csv: column names
        "label_column": "label",
        "lower": True,           # text: lowercase before tokenizing
        "normalize": False,      # text: URLs, @mentions, numbers -> <url>, <user>, <num>
        "min_freq": 11,          # text: keep words seen at least this often in the training part
        "max_vocab": 0,          # text: keep at most this many words (0: no limit)
        "fractions": [0.8, 0.1, 0.1],
        "split_seed": 42,
        "n_samples": 0,          # toy sets: how many points (0: the generator's default)
        "limit": 0,              # use only the first N samples of each part (0: all)
    },
    "model": {
        "kind": "text",          # text (embedding -> mean -> MLP) | mlp
        "embedding_dim": 5,
        "hidden": [10],          # hidden layer sizes
        "activation": "relu",    # relu | tanh | sigmoid | gelu
        "dropout": 0.5,
        "pooling": "mean",       # text: mean (over the padded length, as the notes) | masked
    },
    "train": {
        "optimizer": "adam",     # adam | adamw | sgd | rmsprop | adagrad
        "lr": 0.001,
        "momentum": 0.0,         # sgd, rmsprop
        "weight_decay": 0.0,
        "batch_size": 256,
        "epochs": 15,
        "seed": 42,
        "device": "cpu",
        "patience": 0,           # early stopping after N epochs without a better val loss (0: off)
        "eval_batch_size": 1024,
    },
}

# The notes' tweet classifier: words seen more than 10 times (min_freq 11), PAD index 0, unknown
# words dropped (words from luchina.text.tokenize, lowercased), Embedding(V, 5) -> mean over the
# padded batch -> Linear(5, 10) -> ReLU -> Dropout(0.5) -> Linear(10, 1) -> Sigmoid, BCELoss,
# Adam(lr=1e-3), batch 256, 15 epochs, seed 42.
PRESETS = {
    "tweets-sentiment": {},
    # the same family, wider, averaging over real tokens only
    "tweets-sentiment-large": {
        "model": {"embedding_dim": 128, "hidden": [128], "pooling": "masked"},
    },
    "digits-mlp": {
        "data": {"name": "digits"},
        "model": {"kind": "mlp", "hidden": [128, 64], "dropout": 0.0},
        "train": {"batch_size": 32, "epochs": 50},
    },
    "mnist1d-mlp": {
        "data": {"name": "mnist1d"},
        "model": {"kind": "mlp", "hidden": [100, 100], "dropout": 0.0},
        "train": {"lr": 0.01, "batch_size": 100, "epochs": 100},
    },
    "xor": {
        "data": {"name": "xor", "n_samples": 400},
        "model": {"kind": "mlp", "hidden": [8], "activation": "tanh", "dropout": 0.0},
        "train": {"lr": 0.05, "batch_size": 32, "epochs": 20},
    },
    "quadratic": {
        "data": {"name": "quadratic", "n_samples": 200},
        "model": {"kind": "mlp", "hidden": [8], "dropout": 0.0},
        "train": {"lr": 0.01, "batch_size": 16, "epochs": 100},
    },
}

DATA_NAMES = ("tweets", "csv", "digits", "mnist1d", "xor", "circles", "moons", "spirals",
              "quadratic")
_CHOICES = {
    ("data", "name"): DATA_NAMES,
    ("model", "kind"): ("text", "mlp"),
    ("model", "activation"): ("relu", "tanh", "sigmoid", "gelu"),
    ("model", "pooling"): ("mean", "masked"),
    ("train", "optimizer"): ("adam", "adamw", "sgd", "rmsprop", "adagrad"),
}


def _merge(base, over, where):
    for table, values in over.items():
        if table not in DEFAULTS:
            raise ValueError(f"{where}: unknown table [{table}]; the tables are "
                             f"{', '.join('[' + t + ']' for t in DEFAULTS)}")
        if not isinstance(values, dict):
            raise ValueError(f"{where}: {table} must be a table ([{table}]), got {values!r}")
        for key, value in values.items():
            if key not in DEFAULTS[table]:
                raise ValueError(f"{where}: unknown key {key!r} in [{table}]; known keys: "
                                 f"{', '.join(DEFAULTS[table])}")
            base[table][key] = copy.deepcopy(value)
    return base


def preset(name):
    """The full configuration of a built-in preset."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; the presets are {', '.join(PRESETS)} "
                         "(or give a .toml configuration file)")
    cfg = _merge(copy.deepcopy(DEFAULTS), PRESETS[name], f"preset {name}")
    return validate(cfg, f"preset {name}")


def _read_toml(path):
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ImportError(f"reading {path} needs a TOML parser: Python 3.11+ has one "
                              "built in; on Python 3.10 run pip install tomli") from None
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise FileNotFoundError(f"no such configuration file: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path} is not valid TOML: {e}") from None


def load_config(path):
    """A configuration from a TOML file (tables [data], [model], [train]; optional preset)."""
    raw = _read_toml(os.fspath(path))
    base_name = raw.pop("preset", None)
    cfg = preset(base_name) if base_name is not None else copy.deepcopy(DEFAULTS)
    cfg = _merge(cfg, raw, os.fspath(path))
    if cfg["data"]["name"] == "csv" and cfg["data"]["path"]:
        # a relative data path is relative to the configuration file
        folder = os.path.dirname(os.path.abspath(os.fspath(path)))
        cfg["data"]["path"] = os.path.join(folder, os.path.expanduser(cfg["data"]["path"]))
    return validate(cfg, os.fspath(path))


def resolve(name_or_path):
    """(configuration, run name) for a preset name or a path to a .toml file."""
    if name_or_path in PRESETS:
        return preset(name_or_path), name_or_path
    if name_or_path.endswith(".toml") or os.path.exists(name_or_path):
        stem = os.path.splitext(os.path.basename(name_or_path))[0]
        return load_config(name_or_path), stem
    raise ValueError(f"{name_or_path!r} is neither a preset nor a .toml file; the presets are "
                     f"{', '.join(PRESETS)}")


def _type_ok(value, like):
    if isinstance(like, bool):
        return isinstance(value, bool)
    if isinstance(like, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(like, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(like, str):
        return isinstance(value, str)
    if isinstance(like, list):
        return isinstance(value, (list, tuple))
    return True


def validate(cfg, where="configuration"):
    """Check types, choices and ranges; returns ``cfg`` or raises ValueError naming the key."""
    for table, defaults in DEFAULTS.items():
        for key, like in defaults.items():
            value = cfg[table][key]
            if not _type_ok(value, like):
                raise ValueError(f"{where}: [{table}] {key} must be a {type(like).__name__} "
                                 f"like {like!r}, got {value!r}")
            choices = _CHOICES.get((table, key))
            if choices and value not in choices:
                raise ValueError(f"{where}: [{table}] {key} must be one of "
                                 f"{', '.join(choices)}, got {value!r}")
    d, m, t = cfg["data"], cfg["model"], cfg["train"]
    if isinstance(m["hidden"], int):
        m["hidden"] = [m["hidden"]]
    m["hidden"] = list(m["hidden"])
    if not all(isinstance(h, int) and h > 0 for h in m["hidden"]):
        raise ValueError(f"{where}: [model] hidden must list positive layer sizes, got "
                         f"{m['hidden']!r}")
    for table, key in (("train", "batch_size"), ("train", "epochs"), ("model", "embedding_dim"),
                       ("train", "eval_batch_size"), ("data", "min_freq")):
        if cfg[table][key] < 1:
            raise ValueError(f"{where}: [{table}] {key} must be >= 1, got {cfg[table][key]}")
    for table, key in (("train", "patience"), ("data", "limit"), ("data", "n_samples"),
                       ("data", "max_vocab"), ("train", "weight_decay"), ("train", "momentum")):
        if cfg[table][key] < 0:
            raise ValueError(f"{where}: [{table}] {key} must be >= 0, got {cfg[table][key]}")
    if not t["lr"] > 0:
        raise ValueError(f"{where}: [train] lr must be > 0, got {t['lr']}")
    if not 0 <= m["dropout"] < 1:
        raise ValueError(f"{where}: [model] dropout must lie in [0, 1), got {m['dropout']}")
    if len(d["fractions"]) != 3 or abs(sum(d["fractions"]) - 1) > 1e-6:
        raise ValueError(f"{where}: [data] fractions must be three numbers summing to 1 "
                         f"(train, val, test), got {d['fractions']!r}")
    text_data = d["name"] in ("tweets", "csv")
    if text_data != (m["kind"] == "text"):
        want = "text" if text_data else "mlp"
        raise ValueError(f"{where}: [model] kind {m['kind']!r} does not fit [data] name "
                         f"{d['name']!r}; use kind = {want!r}")
    if d["name"] == "csv" and not d["path"]:
        raise ValueError(f"{where}: [data] name = 'csv' needs path = 'your.csv' (and "
                         "text_column, label_column)")
    return cfg
