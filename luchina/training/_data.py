"""From a configuration's [data] table to train/val/test datasets, a collate function, a task."""

import numpy as np

from luchina.utils.data import Dataset, Subset

__all__ = ["Data", "build_data", "TextEncoder", "EncodedTexts"]


class TextEncoder:
    """Text -> word ids as the course notes do: tokenize, keep known words, drop the rest.

    Id 0 is the padding token; unknown words are dropped rather than mapped to ``<unk>``.
    """

    def __init__(self, words, lower=True, normalize=True):
        self.words = list(words)
        self.word2id = {w: i for i, w in enumerate(self.words)}
        self.lower = lower
        self.normalize = normalize

    @classmethod
    def fit(cls, texts, min_freq, max_vocab=0, lower=True, normalize=True):
        """Build the vocabulary from ``texts``: words seen at least ``min_freq`` times."""
        from luchina.text._vocab import Vocab
        enc = cls([], lower, normalize)
        tokens = [enc.tokenize(t) for t in texts]
        vocab = Vocab(tokens, min_freq=min_freq, max_size=max_vocab or None,
                      specials=("<pad>",))
        words = [vocab.id2word[i] for i in range(len(vocab))]
        return cls(words, lower, normalize)

    def tokenize(self, text):
        from luchina.text._tokenize import tokenize
        return tokenize(text, lower=self.lower, normalize=self.normalize)

    def encode(self, text):
        """int64 array of the ids of ``text``'s known words (possibly empty)."""
        w2i = self.word2id
        return np.array([w2i[t] for t in self.tokenize(text) if t in w2i], dtype=np.int64)

    def __len__(self):
        return len(self.words)


class EncodedTexts(Dataset):
    """Encoded texts and labels: ``ds[i]`` is ``(int64 ids, label)``."""

    def __init__(self, ids, labels):
        self.ids = ids
        self.labels = np.asarray(labels)

    def __getitem__(self, index):
        return self.ids[index], self.labels[index]

    def __len__(self):
        return len(self.ids)


def pad_collate(binary):
    """collate_fn padding a batch of id arrays with 0 to its longest text (at least 1 column).

    Labels become float32 (B, 1) for a sigmoid output (as the notes' ``torch.Tensor([[y]])``),
    int64 (B,) otherwise.
    """
    from luchina._tensor import Tensor

    def collate(batch):
        lengths = [len(ids) for ids, _ in batch]
        out = np.zeros((len(batch), max(1, max(lengths))), dtype=np.int64)
        for row, (ids, _) in enumerate(batch):
            out[row, :len(ids)] = ids
        y = np.array([label for _, label in batch])
        y = y.astype(np.float32).reshape(-1, 1) if binary else y.astype(np.int64)
        return Tensor._make(out), Tensor._make(y)
    return collate


class Data:
    """The parts of a data set ready for training: datasets, collate_fn, task, sizes."""

    def __init__(self, train, val, test, task, classes, n_features=None, encoder=None,
                 collate_fn=None):
        self.train, self.val, self.test = train, val, test
        self.task = task              # "binary", "multiclass" or "regression"
        self.classes = classes        # label names (None for regression)
        self.n_features = n_features  # input size of an MLP
        self.encoder = encoder        # TextEncoder for text data
        self.collate_fn = collate_fn


def _limit(ds, n):
    return ds if not n or len(ds) <= n else Subset(ds, list(range(n)))


def _task(n_classes):
    return "binary" if n_classes == 2 else "multiclass"


def _text_parts(d):
    import luchina.datasets as D
    if d["name"] == "tweets":
        full = D.tweets(classes=d["classes"])
    else:
        full = D.text_csv(d["path"], d["text_column"], d["label_column"])
    parts = [full.split(s, d["fractions"], d["split_seed"]) for s in ("train", "val", "test")]
    if d["limit"]:
        parts = [p.subset(range(min(d["limit"], len(p)))) for p in parts]
    return parts, full.classes


def build_data(cfg, words=None):
    """Data for ``cfg``; text data reuse the vocabulary ``words`` when given (a saved run)."""
    import luchina.datasets as D
    d = cfg["data"]
    if d["name"] in ("tweets", "csv"):
        parts, classes = _text_parts(d)
        if len(classes) < 2:
            raise ValueError(f"{d['name']}: the labels have a single class {classes}; a "
                             "classifier needs at least two")
        if words is None:
            enc = TextEncoder.fit(parts[0].texts, d["min_freq"], d["max_vocab"], d["lower"],
                                  d["normalize"])
        else:
            enc = TextEncoder(words, d["lower"], d["normalize"])
        task = _task(len(classes))
        enc_parts = [EncodedTexts([enc.encode(t) for t in p.texts], p.labels) for p in parts]
        return Data(*enc_parts, task, classes, encoder=enc,
                    collate_fn=pad_collate(task == "binary"))
    fractions, seed = d["fractions"], d["split_seed"]
    if d["name"] == "digits":
        parts = [D.digits(s, fractions=fractions, seed=seed) for s in ("train", "val", "test")]
        classes = [str(i) for i in range(10)]
    elif d["name"] == "mnist1d":
        parts = [D.mnist1d(s) for s in ("train", "val", "test")]
        classes = [str(i) for i in range(10)]
    else:
        gen = getattr(D, d["name"])
        kw = {"n_samples": d["n_samples"]} if d["n_samples"] else {}
        full = gen(**kw)
        idx = D.split_indices(len(full), fractions, seed)
        parts = [Subset(full, i.tolist()) for i in idx]
        if d["name"] == "quadratic":
            classes = None
        else:
            y = full.tensors[1]
            classes = [str(i) for i in range(int(y.max().item()) + 1)]
    parts = [_limit(p, d["limit"]) for p in parts]
    first = parts[0][0][0]
    task = "regression" if classes is None else _task(len(classes))
    return Data(*parts, task, classes, n_features=int(first.numel()))
