"""Labelled texts: the TextDataset they load into, and ``text_csv`` for a user's own CSV file."""

import csv
import os

import numpy as np

from luchina.datasets._split import check_split, split_indices
from luchina.utils.data import Dataset

__all__ = ["TextDataset", "text_csv"]


class TextDataset(Dataset):
    """Texts with integer labels: ``ds[i]`` is ``(text, label)``; ``classes[label]`` names it.

    ``texts`` is a list of str, ``labels`` an int64 numpy array, ``classes`` a list of label names.
    """

    def __init__(self, texts, labels, classes):
        texts = list(texts)
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (len(texts),):
            raise ValueError(f"TextDataset: {len(texts)} texts but labels of shape "
                             f"{labels.shape}; give one label per text")
        classes = [str(c) for c in classes]
        if len(labels) and (labels.min() < 0 or labels.max() >= len(classes)):
            raise ValueError(f"TextDataset: labels must lie in [0, {len(classes)}) for classes "
                             f"{classes}, got values from {labels.min()} to {labels.max()}")
        self.texts = texts
        self.labels = labels
        self.classes = classes

    def __getitem__(self, index):
        return self.texts[index], int(self.labels[index])

    def __len__(self):
        return len(self.texts)

    def subset(self, indices):
        """A TextDataset of the samples at ``indices`` (same classes)."""
        indices = np.asarray(indices, dtype=np.int64)
        return TextDataset([self.texts[i] for i in indices.tolist()], self.labels[indices],
                           self.classes)

    def split(self, split, fractions=(0.8, 0.1, 0.1), seed=42):
        """The 'train', 'val' or 'test' part of a seeded shuffle (None: the whole data set)."""
        if split is None:
            return self
        part = check_split("TextDataset.split", split)
        return self.subset(split_indices(len(self), fractions, seed)[part])

    def __repr__(self):
        counts = np.bincount(self.labels, minlength=len(self.classes)).tolist()
        per_class = ", ".join(f"{c}: {k}" for c, k in zip(self.classes, counts))
        return f"TextDataset({len(self)} texts; {per_class})"


def read_rows(path, fn, encoding="utf-8", delimiter=","):
    """(header, rows) of a CSV file; undecodable bytes become U+FFFD instead of failing."""
    try:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            rows = list(reader)
    except FileNotFoundError:
        raise FileNotFoundError(f"{fn}: no such file: {path}") from None
    except csv.Error as e:
        raise ValueError(f"{fn}: {path} is not a readable CSV file ({e})") from None
    if header is None:
        raise ValueError(f"{fn}: {path} is empty; expected a header line naming the columns")
    return [h.strip().lstrip("\ufeff") for h in header], rows


def _column(header, name, role, path, fn, arg):
    if isinstance(name, int):
        if not -len(header) <= name < len(header):
            raise ValueError(f"{fn}: {role} column index {name} is out of range: {path} has "
                             f"{len(header)} columns ({', '.join(header)})")
        return name % len(header)
    if name not in header:
        raise ValueError(f"{fn}: {path} has no column {name!r} for the {role}s; its header has "
                         f"{', '.join(repr(h) for h in header)}; pass {arg}= one of them")
    return header.index(name)


def text_csv(path, text_column="text", label_column="label", *, classes=None, split=None,
             fractions=(0.8, 0.1, 0.1), seed=42, encoding="utf-8", delimiter=",",
             skip_empty=False):
    """A TextDataset from a CSV file with a header line, e.g. RuTweetCorp.csv (text, tone).

    Columns are named (or given as 0-based indices). Labels are the column's distinct values in
    sorted order (numerically when they are all integers), unless ``classes`` lists them.
    ``split`` picks 'train'/'val'/'test' of a seeded 80/10/10 shuffle; None keeps every row.
    An empty text or label raises ValueError naming the row, unless ``skip_empty=True``.
    """
    fn = "text_csv"
    path = os.fspath(path)
    header, rows = read_rows(path, fn, encoding, delimiter)
    ti = _column(header, text_column, "text", path, fn, "text_column")
    li = _column(header, label_column, "label", path, fn, "label_column")
    texts, raw = [], []
    for lineno, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) <= max(ti, li):
            raise ValueError(f"{fn}: line {lineno} of {path} has {len(row)} fields but the "
                             f"header has {len(header)}; is a quote unbalanced or the delimiter "
                             f"not {delimiter!r}?")
        text, label = row[ti].strip(), row[li].strip()
        if not text or not label:
            if skip_empty:
                continue
            what = f"text (column {header[ti]!r})" if not text else \
                f"label (column {header[li]!r})"
            raise ValueError(f"{fn}: line {lineno} of {path} has an empty {what}; fill or "
                             "remove the row, or pass skip_empty=True to drop such rows")
        texts.append(text)
        raw.append(label)
    if not texts:
        raise ValueError(f"{fn}: {path} has a header but no data rows")
    if classes is None:
        distinct = set(raw)
        try:
            classes = [str(v) for v in sorted(int(v) for v in distinct)]
        except ValueError:
            classes = sorted(distinct)
        index = {c: i for i, c in enumerate(classes)}
        index.update({v: index[str(int(v))] for v in distinct if _is_int(v)})
    else:
        classes = [str(c) for c in classes]
        index = {c: i for i, c in enumerate(classes)}
        unknown = sorted(set(raw) - set(index))
        if unknown:
            raise ValueError(f"{fn}: {path} has labels {unknown[:5]} that are not in classes="
                             f"{classes}")
    labels = np.array([index[v] for v in raw], dtype=np.int64)
    return TextDataset(texts, labels, classes).split(split, fractions, seed)


def _is_int(v):
    try:
        int(v)
        return True
    except ValueError:
        return False
