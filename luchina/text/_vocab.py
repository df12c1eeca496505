"""Vocab: token <-> id maps (word2id / id2word) with PAD and UNK specials, saved as JSON."""

import json
import os
from collections import Counter

import numpy as np

from luchina._atomic import write_bytes

__all__ = ["Vocab"]

_FORMAT = "luchina.Vocab"


class Vocab:
    """A vocabulary built from token lists.

    Specials come first, in order: by default "<pad>" (id 0, ``pad_index``) and "<unk>" (id 1,
    ``unk_index``); the first special is the PAD token and the second the UNK token (pass
    ``specials=()`` for neither). Then the words seen at least ``min_freq`` times, by descending
    count, ties in order of first appearance. ``max_size`` caps the number of WORDS (specials
    not included), so ``len(vocab) <= max_size + len(specials)``.
    """

    def __init__(self, token_lists=(), min_freq=1, max_size=None, specials=("<pad>", "<unk>")):
        if isinstance(token_lists, str):
            raise TypeError("Vocab: token_lists must be an iterable of token lists, got a str; "
                            "use Vocab([tokenize(text) for text in texts])")
        if not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"Vocab: min_freq must be an int >= 1, got {min_freq!r}")
        if max_size is not None and (not isinstance(max_size, int) or max_size < 0):
            raise ValueError(f"Vocab: max_size must be None or an int >= 0, got {max_size!r}")
        specials = tuple(specials)
        if len(set(specials)) != len(specials):
            raise ValueError(f"Vocab: specials must be distinct, got {specials}")
        self.specials = specials
        self.min_freq = min_freq
        self.max_size = max_size
        self.counts = Counter()
        for i, tokens in enumerate(token_lists):
            if isinstance(tokens, str):
                raise TypeError(f"Vocab: item {i} of token_lists is a str ({tokens[:30]!r}); "
                                f"each item must be a list of tokens, e.g. tokenize(text)")
            self.counts.update(tokens)
        words = [w for w, c in self.counts.items() if c >= min_freq and w not in specials]
        words.sort(key=lambda w: -self.counts[w])     # stable: ties keep first appearance
        if max_size is not None:
            words = words[:max_size]
        self._set_words(list(specials) + words)

    def _set_words(self, id2word):
        self.id2word = id2word
        self.word2id = {w: i for i, w in enumerate(id2word)}
        self.pad_token = self.specials[0] if len(self.specials) > 0 else None
        self.unk_token = self.specials[1] if len(self.specials) > 1 else None
        self.pad_index = self.word2id.get(self.pad_token) if self.pad_token is not None else None
        self.unk_index = self.word2id.get(self.unk_token) if self.unk_token is not None else None

    def __len__(self):
        return len(self.id2word)

    def __contains__(self, word):
        return word in self.word2id

    def __iter__(self):
        return iter(self.id2word)

    def __getitem__(self, word):
        idx = self.word2id.get(word)
        if idx is not None:
            return idx
        if self.unk_index is None:
            raise KeyError(f"Vocab: {word!r} is not in the vocabulary and it has no UNK token; "
                           f"build it with specials=('<pad>', '<unk>') or check `word in vocab`")
        return self.unk_index

    def __repr__(self):
        return (f"Vocab(size={len(self)}, specials={self.specials}, min_freq={self.min_freq}, "
                f"max_size={self.max_size})")

    def get(self, word, default=None):
        """The id of ``word``, or ``default`` when it is not in the vocabulary."""
        return self.word2id.get(word, default)

    def encode(self, tokens):
        """Ids of ``tokens`` (unknown tokens get ``unk_index``)."""
        if isinstance(tokens, str):
            raise TypeError("Vocab.encode: expected a list of tokens, got a str; use "
                            "vocab.encode(tokenize(text))")
        return [self[t] for t in tokens]

    def decode(self, ids):
        """Tokens of ``ids`` (a list, a numpy array or a 1-d LongTensor)."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        if isinstance(ids, int):
            ids = [ids]
        out = []
        n = len(self.id2word)
        for i in ids:
            if isinstance(i, float) or not isinstance(i, (int, np.integer)):
                raise TypeError(f"Vocab.decode: ids must be integers, got {type(i).__name__} "
                                f"{i!r}; pass a LongTensor or a list of ints")
            if not 0 <= i < n:
                raise IndexError(f"Vocab.decode: id {i} is out of range for a vocabulary of "
                                 f"{n} tokens")
            out.append(self.id2word[i])
        return out

    def lookup_token(self, index):
        """The token with id ``index``."""
        return self.decode([index])[0]

    # ---- files -------------------------------------------------------------------------------
    def save(self, path):
        """Write the vocabulary as JSON (atomically)."""
        data = {"format": _FORMAT, "version": 1, "specials": list(self.specials),
                "min_freq": self.min_freq, "max_size": self.max_size,
                "id2word": self.id2word, "counts": list(self.counts.items())}
        text = json.dumps(data, ensure_ascii=False).encode("utf8")
        write_bytes(path, text)

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by Vocab.save."""
        path = os.fspath(path)
        with open(path, "rb") as f:
            raw = f.read()
        try:
            data = json.loads(raw.decode("utf8"))
            ok = isinstance(data, dict) and data.get("format") == _FORMAT
            id2word = data["id2word"] if ok else None
            counts = data["counts"] if ok else None
        except (ValueError, UnicodeDecodeError, KeyError) as e:
            raise ValueError(f"Vocab.load: {path!r} is not a complete vocabulary file written by "
                             f"Vocab.save ({type(e).__name__}: {e}); the file may be truncated"
                             ) from None
        if not ok or not isinstance(id2word, list):
            raise ValueError(f"Vocab.load: {path!r} is not a vocabulary file written by "
                             f"Vocab.save (no '{_FORMAT}' header)")
        vocab = cls(specials=tuple(data.get("specials", ())), min_freq=data.get("min_freq", 1),
                    max_size=data.get("max_size"))
        vocab.counts = Counter(dict((w, c) for w, c in counts))
        vocab._set_words(list(id2word))
        if len(vocab.word2id) != len(id2word):
            raise ValueError(f"Vocab.load: {path!r} lists a token twice")
        return vocab
