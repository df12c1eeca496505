"""`luchina train / evaluate / predict`: presets, outputs, printing, configs and errors."""

import argparse
import io
import json
import re
import sys

import numpy as np
import pytest

import luchina
from luchina.cli import train as train_cli
from luchina.training import PRESETS, TextClassifier, load_config, preset


def cli(*argv):
    """Run a subcommand through a parser holding only this module's subcommands."""
    parser = argparse.ArgumentParser(prog="luchina")
    sub = parser.add_subparsers(dest="command")
    sub.required = True
    train_cli.add_parsers(sub)
    args = parser.parse_args([str(a) for a in argv])
    return args.handler(args)


def _has_tweets():
    try:
        from luchina.datasets import tweets_path
        tweets_path()
        return True
    except (ImportError, FileNotFoundError):
        return False


_NEEDS = {"tweets-sentiment": _has_tweets, "tweets-sentiment-large": _has_tweets,
          "digits-mlp": lambda: _importable("sklearn")}


def _importable(name):
    import importlib.util
    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_trains_one_short_epoch(name, tmp_path, capsys):
    if not _NEEDS.get(name, lambda: True)():
        pytest.skip(f"{name} needs an optional data package")
    out = tmp_path / "run"
    rc = cli("train", name, "--epochs", 1, "--limit", 96, "--out", out, "--no-plots")
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert len(m["history"]) == 1 and m["status"] == "finished"
    assert (out / "best.pt").exists() and (out / "last.pt").exists()
    text = capsys.readouterr().out
    assert "test loss" in text


def test_metrics_json_structure(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli("train", "xor", "--epochs", 3, "--out", out, "--no-plots") == 0
    m = json.loads((out / "metrics.json").read_text())
    assert {"history", "test", "config"} <= set(m)
    assert [h["epoch"] for h in m["history"]] == [1, 2, 3]
    for h in m["history"]:
        assert {"epoch", "train_loss", "val_loss", "val_accuracy", "time"} <= set(h)
        assert all(isinstance(h[k], float) for k in ("train_loss", "val_loss", "val_accuracy"))
    assert set(m["test"]) >= {"loss", "accuracy"} and 0 <= m["test"]["accuracy"] <= 1
    assert set(m["config"]) == {"data", "model", "train"}
    assert m["config"]["train"]["epochs"] == 3 and m["config"]["data"]["name"] == "xor"
    # evaluate reads the run back and agrees with the summary
    capsys.readouterr()
    assert cli("evaluate", out) == 0
    line = capsys.readouterr().out
    acc = float(re.search(r"accuracy (\d\.\d+)", line).group(1))
    assert abs(acc - m["test"]["accuracy"]) < 1e-4


def test_regression_metrics_have_no_accuracy(tmp_path, capsys):
    out = tmp_path / "q"
    assert cli("train", "quadratic", "--epochs", 2, "--out", out, "--no-plots") == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["test"]["accuracy"] is None and m["history"][0]["val_accuracy"] is None
    capsys.readouterr()
    assert cli("predict", out, "1.5") == 0
    value = float(capsys.readouterr().out.split("\t")[0])
    assert np.isfinite(value)


def test_non_tty_output_is_plain_lines(tmp_path, capsys):
    assert cli("train", "xor", "--epochs", 2, "--out", tmp_path / "r", "--no-plots") == 0
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = [ln for ln in out.splitlines() if ln.startswith("epoch")]
    assert len(lines) == 2
    assert re.fullmatch(r"epoch 1/2  train_loss \d\.\d{4}  val_loss \d\.\d{4}  val_acc "
                        r"\d\.\d{4}  time \d+\.\ds", lines[0])


def test_forced_progress_bar_redraws_one_line(tmp_path, capsys):
    rc = cli("train", "xor", "--epochs", 1, "--out", tmp_path / "r", "--no-plots",
             "--progress", "bar")
    assert rc == 0
    out = capsys.readouterr().out
    assert "\r" in out and "[####" in out


def test_predict_reads_arguments_and_stdin(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r"
    assert cli("train", "xor", "--epochs", 15, "--out", out, "--no-plots") == 0
    capsys.readouterr()
    assert cli("predict", out, "0,1", "1, 1") == 0
    rows = [ln.split("\t") for ln in capsys.readouterr().out.splitlines()]
    assert [r[0] for r in rows] == ["1", "0"] and [r[2] for r in rows] == ["0,1", "1, 1"]
    assert all(0.5 <= float(r[1]) <= 1 for r in rows)
    monkeypatch.setattr(sys, "stdin", io.StringIO("0 0\n\n1 0\n"))
    assert cli("predict", out) == 0
    rows = [ln.split("\t") for ln in capsys.readouterr().out.splitlines()]
    assert [(r[0], r[2]) for r in rows] == [("0", "0 0"), ("1", "1 0")]
    assert cli("predict", out, "1,2,3") == 2
    assert "takes 2" in capsys.readouterr().err


def _csv_config(tmp_path, csv_text, label_column="tone"):
    (tmp_path / "tweets.csv").write_text(csv_text, encoding="utf-8")
    cfg = tmp_path / "exp.toml"
    cfg.write_text(f"""preset = "tweets-sentiment"
[data]
name = "csv"
path = "tweets.csv"
text_column = "text"
label_column = "{label_column}"
min_freq = 1
[train]
epochs = 2
batch_size = 4
""", encoding="utf-8")
    return cfg


_ROWS = "".join(f"{w} day number {i},{w} day number {i},{int(w == 'good')}\n"
                for i in range(12) for w in ("good", "bad"))


def test_csv_config_trains_and_predicts_texts(tmp_path, capsys, monkeypatch):
    cfg = _csv_config(tmp_path, "text,preprocessed,tone\n" + _ROWS)
    out = tmp_path / "run"
    assert cli("train", cfg, "--out", out, "--no-plots", "--lr", "0.05") == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["config"]["data"]["path"].endswith("tweets.csv") and len(m["history"]) == 2
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("a good day\nunseen words only\n"))
    assert cli("predict", out, "-") == 0
    rows = [ln.split("\t") for ln in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2 and all(r[0] in ("0", "1") for r in rows)
    assert rows[1][2] == "unseen words only"


def test_csv_missing_column_is_a_clear_error(tmp_path, capsys):
    cfg = _csv_config(tmp_path, "text,preprocessed,sentiment\n" + _ROWS)
    assert cli("train", cfg, "--out", tmp_path / "run") == 2
    err = capsys.readouterr().err
    assert "no column 'tone'" in err and "'sentiment'" in err and "Traceback" not in err


def test_csv_empty_text_is_a_clear_error(tmp_path, capsys):
    cfg = _csv_config(tmp_path, "text,preprocessed,tone\n" + _ROWS + ",,1\n")
    assert cli("train", cfg, "--out", tmp_path / "run") == 2
    err = capsys.readouterr().err
    assert "line 26" in err and "empty text" in err


def test_config_errors_name_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[train]\nepoch = 3\n')
    with pytest.raises(ValueError, match="unknown key 'epoch' in \\[train\\]"):
        load_config(bad)
    bad.write_text('preset = "xor"\n[model]\nhidden = [8, -1]\n')
    with pytest.raises(ValueError, match="hidden"):
        load_config(bad)
    bad.write_text('[data]\nname = "digits"\n')
    with pytest.raises(ValueError, match="kind = 'mlp'"):
        load_config(bad)
    assert cli("train", "no-such-preset") == 2
    assert "the presets are" in capsys.readouterr().err
    assert cli("train") == 2


def test_tweets_preset_is_the_notes_model():
    cfg = preset("tweets-sentiment")
    assert cfg["model"] == {"kind": "text", "embedding_dim": 5, "hidden": [10],
                            "activation": "relu", "dropout": 0.5, "pooling": "mean"}
    t = cfg["train"]
    assert (t["optimizer"], t["lr"], t["batch_size"], t["epochs"]) == ("adam", 0.001, 256, 15)
    assert cfg["data"]["min_freq"] == 11  # the notes keep words seen more than 10 times


def test_text_classifier_matches_the_notes_class_in_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class NeuralNetwork(tnn.Module):  # the course notes' model, verbatim in structure
        def __init__(self, vocab_size, embedding_dim):
            super().__init__()
            self.embedding = tnn.Embedding(vocab_size, embedding_dim)
            self.embedding2hidden = tnn.Linear(embedding_dim, 10)
            self.act1 = tnn.ReLU()
            self.dropout = tnn.Dropout(p=0.5)
            self.hidden2out = tnn.Linear(10, 1)
            self.act2 = tnn.Sigmoid()

        def forward(self, text):
            embedded = self.embedding(text)
            mean_emb = torch.mean(embedded, dim=1)
            hidden = self.dropout(self.act1(self.embedding2hidden(mean_emb)))
            return self.act2(self.hidden2out(hidden))

    luchina.manual_seed(0)
    ours = TextClassifier(30, 5)
    ref = NeuralNetwork(30, 5)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                         for k, v in ours.state_dict().items()})
    ids = np.array([[3, 4, 5, 0], [7, 0, 0, 0], [1, 2, 29, 8]])
    y = np.array([[1.0], [0.0], [1.0]], dtype=np.float32)
    ours.eval(), ref.eval()
    out_l = ours(luchina.tensor(ids))
    out_t = ref(torch.tensor(ids))
    np.testing.assert_allclose(out_l.detach().numpy(), out_t.detach().numpy(), rtol=1e-5)
    luchina.nn.BCELoss()(out_l, luchina.tensor(y)).backward()
    tnn.BCELoss()(out_t, torch.tensor(y)).backward()
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-7,
                                   err_msg=name)
