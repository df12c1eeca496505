"""Resuming a run gives bit-identical results; damaged checkpoints are refused clearly."""

import argparse
import json
import os
import signal

import numpy as np
import pytest

import luchina
from luchina.cli import train as train_cli
from luchina.training import _progress, load_checkpoint, train


def cli(*argv):
    parser = argparse.ArgumentParser(prog="luchina")
    sub = parser.add_subparsers(dest="command")
    train_cli.add_parsers(sub)
    args = parser.parse_args([str(a) for a in argv])
    return args.handler(args)

# the notes' tweet model (dropout included) on a small slice of the corpus, or the same model on
# a generated CSV when the corpus is not installed
_SMALL = {"data.limit": 400, "data.min_freq": 2, "train.batch_size": 32}


def _target(tmp_path):
    try:
        from luchina.datasets import tweets_path
        tweets_path()
        return "tweets-sentiment", dict(_SMALL)
    except (ImportError, FileNotFoundError):
        rng = np.random.default_rng(0)
        words = [f"w{i}" for i in range(40)]
        lines = ["text,label"] + [
            f"{' '.join(rng.choice(words, 6))},{i % 2}" for i in range(600)]
        csv = tmp_path / "texts.csv"
        csv.write_text("\n".join(lines) + "\n")
        cfg = tmp_path / "texts.toml"
        cfg.write_text(f'[data]\nname = "csv"\npath = "{csv}"\n')
        return str(cfg), dict(_SMALL)


def _params(run_dir, which="last"):
    ckpt = load_checkpoint(os.path.join(run_dir, f"{which}.pt"))
    return ckpt, {k: v.numpy() for k, v in ckpt["model"].items()}


def _assert_same_run(a, b):
    ca, pa = _params(a)
    cb, pb = _params(b)
    assert ca["epoch"] == cb["epoch"]
    for k in pa:
        assert np.array_equal(pa[k], pb[k]), k  # bit for bit
    sa, sb = ca["optimizer"]["state"], cb["optimizer"]["state"]
    for i in sa:
        for key in sa[i]:
            assert np.array_equal(np.asarray(sa[i][key]), np.asarray(sb[i][key])), (i, key)
    strip = lambda h: [{k: v for k, v in r.items() if k != "time"} for r in h]
    assert strip(ca["history"]) == strip(cb["history"])
    ma = json.loads(open(os.path.join(a, "metrics.json")).read())
    mb = json.loads(open(os.path.join(b, "metrics.json")).read())
    assert ma["test"] == mb["test"]


def test_resume_after_an_epoch_equals_uninterrupted(tmp_path):
    target, ov = _target(tmp_path)
    full, part = str(tmp_path / "full"), str(tmp_path / "part")
    train(target, out=full, epochs=3, overrides=ov, plots=False)
    first = train(target, out=part, epochs=1, overrides=ov, plots=False)
    assert first["status"] == "finished"
    luchina.manual_seed(1234)  # whatever happened in between must not matter
    np.random.seed(99)
    resumed = train(None, resume=part, epochs=3, plots=False)
    assert resumed["status"] == "finished" and len(resumed["history"]) == 3
    _assert_same_run(full, part)


def test_ctrl_c_mid_epoch_saves_and_resume_equals_uninterrupted(tmp_path, monkeypatch,
                                                                 capsys):
    target, ov = _target(tmp_path)
    full, part = str(tmp_path / "full"), str(tmp_path / "part")
    train(target, out=full, epochs=2, overrides=ov, plots=False)

    real_update = _progress.Progress.update

    def press_ctrl_c(self, epoch, epochs, done, total, loss, started):
        if epoch == 2 and done == 4:
            os.kill(os.getpid(), signal.SIGINT)  # the handler only sets a flag
        return real_update(self, epoch, epochs, done, total, loss, started)

    monkeypatch.setattr(_progress.Progress, "update", press_ctrl_c)
    stopped = train(target, out=part, epochs=2, overrides=ov, plots=False)
    assert stopped["status"] == "interrupted"
    out = capsys.readouterr()
    assert "Ctrl-C" in out.err and f"--resume {part}" in out.out
    ckpt = load_checkpoint(os.path.join(part, "last.pt"))
    assert ckpt["epoch"] == 1 and ckpt["position"]["state"]["batch"] == 4
    monkeypatch.setattr(_progress.Progress, "update", real_update)
    resumed = train(None, resume=part, plots=False)
    assert resumed["status"] == "finished"
    assert "resuming" in capsys.readouterr().out
    _assert_same_run(full, part)


def test_finished_run_is_not_trained_again(tmp_path, capsys):
    out = str(tmp_path / "r")
    train("xor", out=out, epochs=2, plots=False)
    r = train(None, resume=out, plots=False)
    assert r["status"] == "finished" and "already finished" in capsys.readouterr().out
    with pytest.raises(ValueError, match="own seed"):
        train(None, resume=out, seed=7)


def test_truncated_checkpoint_is_refused(tmp_path, capsys):
    out = tmp_path / "r"
    assert cli("train", "xor", "--epochs", 2, "--out", out, "--no-plots") == 0
    last = out / "last.pt"
    data = last.read_bytes()
    last.write_bytes(data[: len(data) // 2])
    capsys.readouterr()
    assert cli("train", "--resume", out, "--epochs", 4) == 2
    err = capsys.readouterr().err
    assert "last.pt" in err and "truncated or corrupted" in err and "Traceback" not in err
    with pytest.raises(RuntimeError, match="truncated or corrupted"):
        load_checkpoint(last)
    (out / "best.pt").write_bytes(b"")
    assert cli("evaluate", out) == 2
    assert "empty" in capsys.readouterr().err


def test_foreign_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "weights.pt"
    luchina.save(luchina.nn.Linear(2, 2).state_dict(), path)
    with pytest.raises(RuntimeError, match="not a training checkpoint"):
        load_checkpoint(path)


def test_missing_run_folder(tmp_path, capsys):
    assert cli("predict", tmp_path / "nope", "hello") == 2
    assert "not a run folder" in capsys.readouterr().err
