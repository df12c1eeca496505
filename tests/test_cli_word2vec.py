"""``luchina word2vec train | query`` on a tiny corpus the test writes."""

import argparse

import numpy as np
import pytest

from luchina.cli import word2vec as cli


def _run(argv):
    parser = argparse.ArgumentParser(prog="luchina")
    sub = parser.add_subparsers(dest="command")
    cli.add_parsers(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = np.random.default_rng(0)
    topics = [["king", "queen", "prince", "crown", "castle"],
              ["apple", "pear", "plum", "fruit", "juice"]]
    lines = [" ".join(rng.choice(topics[i % 2], 10)) for i in range(400)]
    path = tmp_path_factory.mktemp("w2v") / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


@pytest.mark.parametrize("fmt", ["--binary", "--text"])
def test_train_then_query(corpus, tmp_path, capsys, fmt):
    out = tmp_path / "vectors.bin"
    # --sample 0: with 10 distinct words, sub-sampling at 1e-3 would keep about a tenth of
    # the tokens, and three epochs of that leave the topics to the luck of the seed
    rc = _run(["word2vec", "train", str(corpus), "--out", str(out), "--size", "16",
               "--min-count", "2", "--epochs", "3", "--window", "3", "--sample", "0", fmt,
               "--quiet"])
    assert rc == 0 and out.exists()
    capsys.readouterr()
    assert _run(["word2vec", "query", str(out), "--similar", "king", "--topn", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert {ln.split("\t")[0] for ln in lines} <= {"queen", "prince", "crown", "castle"}
    assert _run(["word2vec", "query", str(out), "--odd", "king", "queen", "apple"]) == 0
    assert capsys.readouterr().out.strip() == "apple"
    assert _run(["word2vec", "query", str(out), "--analogy", "apple", "pear", "king"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 7  # every word but the three of the question
    assert lines[0].split("\t")[0] in {"queen", "prince", "crown", "castle"}


def test_vectors_load_in_gensim(corpus, tmp_path):
    gensim = pytest.importorskip("gensim")
    out = tmp_path / "v.bin"
    assert _run(["word2vec", "train", str(corpus), "--out", str(out), "--size", "8",
                 "--epochs", "1", "--quiet"]) == 0
    kv = gensim.models.KeyedVectors.load_word2vec_format(str(out), binary=True)
    assert set(kv.index_to_key) == {"king", "queen", "prince", "crown", "castle", "apple",
                                    "pear", "plum", "fruit", "juice"}
    assert kv.vector_size == 8


def test_errors(corpus, tmp_path, capsys):
    assert _run(["word2vec", "train", str(tmp_path / "nope.txt"), "--out", "x.bin"]) == 2
    assert "not found" in capsys.readouterr().err
    out = tmp_path / "v.txt"
    assert _run(["word2vec", "train", str(corpus), "--out", str(out), "--size", "8",
                 "--epochs", "1", "--quiet"]) == 0
    assert out.read_text(encoding="utf8").split("\n")[0] == "10 8"  # .txt -> text format
    assert _run(["word2vec", "query", str(out), "--similar", "zebra"]) == 2
    assert "zebra" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _run(["word2vec", "query", str(out)])  # one of --similar/--analogy/--odd is required


def test_progress_lines_when_not_a_tty(corpus, tmp_path, capsys):
    assert _run(["word2vec", "train", str(corpus), "--out", str(tmp_path / "v.bin"),
                 "--size", "8", "--epochs", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("words/s") == 2 and "\r" not in captured.err
    assert "wrote 10 vectors" in captured.out
