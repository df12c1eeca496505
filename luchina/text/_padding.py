"""Texts -> a padded batch of ids and their lengths."""

import numpy as np

from luchina._creation import tensor
from luchina._dtype import int64
from luchina.nn.utils.rnn import pad_sequence
from luchina.text._tokenize import tokenize

__all__ = ["encode_batch"]


def encode_batch(texts, vocab, tokenizer=None, max_len=None, padding_value=None,
                 batch_first=True):
    """Encode texts (strings or token lists) with ``vocab`` and pad them: returns
    (ids LongTensor [B, T] ([T, B] with batch_first=False), lengths LongTensor [B])."""
    if isinstance(texts, str):
        raise TypeError("encode_batch: texts must be a list of texts, got one str; wrap it: "
                        "encode_batch([text], vocab)")
    texts = list(texts)
    if not texts:
        raise ValueError("encode_batch: texts is empty; pass at least one text")
    if max_len is not None and (not isinstance(max_len, (int, np.integer)) or max_len < 0):
        raise ValueError(f"encode_batch: max_len must be None or an int >= 0, got {max_len!r}")
    if padding_value is None:
        padding_value = vocab.pad_index
        if padding_value is None:
            raise ValueError("encode_batch: the vocabulary has no PAD token; pass padding_value= "
                             "or build the Vocab with specials=('<pad>', '<unk>')")
    tok = tokenizer if tokenizer is not None else tokenize
    seqs, lengths = [], []
    for i, text in enumerate(texts):
        tokens = tok(text) if isinstance(text, str) else text
        if isinstance(tokens, str):
            raise TypeError(f"encode_batch: the tokenizer returned a str for text {i}; it must "
                            f"return a list of tokens")
        ids = vocab.encode(tokens)
        if max_len is not None:
            ids = ids[:max_len]
        lengths.append(len(ids))
        seqs.append(tensor(np.asarray(ids, dtype=np.int64).reshape(-1), dtype=int64))
    padded = pad_sequence(seqs, batch_first=batch_first, padding_value=padding_value)
    return padded, tensor(lengths, dtype=int64)
