"""Word2Vec's corpus side: LineSentence, the vocabulary scan, sub-sampling and training batches."""

import os
from collections import Counter

import numpy as np

__all__ = ["LineSentence", "scan_vocab", "finalize_vocab", "make_cum_table", "chunks",
           "make_batch", "MAX_WORDS_IN_SENTENCE"]

MAX_WORDS_IN_SENTENCE = 10000  # gensim's cap: longer lines are cut into pieces of this length


class LineSentence:
    """gensim.models.word2vec.LineSentence: one sentence per line, tokens split on whitespace.

    The file is streamed line by line on every pass (so it can be larger than memory); lines
    longer than ``max_sentence_length`` words are split, as gensim does.
    """

    def __init__(self, source, max_sentence_length=MAX_WORDS_IN_SENTENCE, limit=None):
        if not isinstance(source, (str, os.PathLike)):
            raise TypeError(f"LineSentence: source must be a file path, got "
                            f"{type(source).__name__}")
        if not os.path.isfile(source):
            raise FileNotFoundError(f"LineSentence: no such corpus file: {os.fspath(source)!r}")
        self.source = os.fspath(source)
        self.max_sentence_length = int(max_sentence_length)
        self.limit = limit

    def __iter__(self):
        step = self.max_sentence_length
        with open(self.source, encoding="utf8", errors="replace") as f:
            for n, line in enumerate(f):
                if self.limit is not None and n >= self.limit:
                    break
                words = line.split()
                for i in range(0, len(words), step):
                    yield words[i:i + step]


def _check_corpus(corpus, where):
    if corpus is None:
        return
    if isinstance(corpus, (str, bytes)):
        raise TypeError(f"{where}: expected an iterable of token lists, got a string; pass a "
                        "file path as corpus_file=... or wrap it in LineSentence(path)")
    if iter(corpus) is corpus:
        raise TypeError(f"{where}: the corpus is a one-shot iterator (e.g. a generator) but "
                        "Word2Vec reads it once per epoch; pass a list or a restartable "
                        "iterable such as LineSentence(path)")


def scan_vocab(corpus, max_vocab_size=None, trim_rule=None):
    """Count words: returns (Counter, total_words, sentence_count); prunes like gensim's
    max_vocab_size (drop the rarest words whenever the table grows past the cap)."""
    counts = Counter()
    total = 0
    n_sent = 0
    min_reduce = 1
    for n_sent, sentence in enumerate(corpus, 1):
        if isinstance(sentence, str):
            raise TypeError(f"Word2Vec: sentence {n_sent - 1} is a string ({sentence[:30]!r}...);"
                            " each sentence must be a list of tokens, e.g. text.split()")
        counts.update(sentence)
        total += len(sentence)
        if max_vocab_size and len(counts) > max_vocab_size:
            for w in [w for w, c in counts.items() if c <= min_reduce]:
                del counts[w]
            min_reduce += 1
    return counts, total, n_sent


def finalize_vocab(counts, min_count, sample, max_final_vocab=None, sorted_vocab=True,
                   trim_rule=None):
    """Apply min_count (and max_final_vocab); returns (words, counts int64, keep_prob float64).

    keep_prob is gensim's sub-sampling probability: (sqrt(c/(sample*N)) + 1) * sample*N / c,
    capped at 1, where N is the number of retained words.
    """
    items = list(counts.items())
    if max_final_vocab is not None and len(items) > max_final_vocab:
        ranked = sorted((c for _, c in items), reverse=True)
        min_count = max(min_count, ranked[max_final_vocab] + 1)  # gensim's rule
    kept = []
    for w, c in items:
        rule = trim_rule(w, c, min_count) if trim_rule is not None else 0
        if rule == 2 or (rule == 0 and c >= min_count):  # gensim's RULE_KEEP / RULE_DEFAULT
            kept.append((w, c))
    if sorted_vocab:
        kept.sort(key=lambda wc: -wc[1])  # stable: ties keep first-seen order, as gensim
    words = [w for w, _ in kept]
    cnt = np.array([c for _, c in kept], dtype=np.int64)
    total = float(cnt.sum())
    if sample and total > 0:
        thr = sample * total if sample < 1.0 else float(sample)
        keep = (np.sqrt(cnt / thr) + 1.0) * thr / np.maximum(cnt, 1)
        keep = np.minimum(keep, 1.0)
    else:
        keep = np.ones(len(words), dtype=np.float64)
    return words, cnt, keep


def make_cum_table(counts, ns_exponent=0.75):
    """Cumulative unigram^ns_exponent distribution, normalised to end at 1 (float64)."""
    p = np.asarray(counts, dtype=np.float64) ** ns_exponent
    cum = np.cumsum(p)
    return cum / cum[-1] if cum.size and cum[-1] > 0 else cum


def chunks(corpus, key_to_index, chunk_words):
    """Yield (ids, sentence_lengths, raw_words, n_sentences) for groups of about chunk_words
    raw words; out-of-vocabulary words are dropped (they still count as raw words)."""
    get = key_to_index.get
    ids, lens, raw, n = [], [], 0, 0
    for sentence in corpus:
        if isinstance(sentence, str):
            raise TypeError("Word2Vec.train: a sentence is a string; each sentence must be a "
                            "list of tokens, e.g. text.split()")
        sent = [i for i in map(get, sentence) if i is not None]
        ids.extend(sent)
        lens.append(len(sent))
        raw += len(sentence)
        n += 1
        if raw >= chunk_words:
            yield np.array(ids, dtype=np.int64), np.array(lens, dtype=np.int64), raw, n
            ids, lens, raw, n = [], [], 0, 0
    if n:
        yield np.array(ids, dtype=np.int64), np.array(lens, dtype=np.int64), raw, n


def subsample(ids, lens, keep_prob, rng):
    """Drop frequent words at random (gensim's sub-sampling); returns (ids, sentence ids)."""
    sid = np.repeat(np.arange(lens.size, dtype=np.int64), lens)
    if ids.size == 0:
        return ids, sid
    m = rng.random(ids.size) < keep_prob[ids]
    return ids[m], sid[m]


def make_batch(ids, sid, start, stop, window, negative, cum_table, rng, shrink_windows=True,
               group=16):
    """Arrays the training step consumes for centres ids[start:stop].

    Returns (ctx, ctx_sid, reduced, neg). The centres are padded to a multiple of ``group``
    (padding centres get an effective window of 0, so no pairs); ctx and ctx_sid cover
    positions start-window .. start+padded+window (positions outside the chunk have sentence
    id -1); reduced is each centre's effective window (gensim's dynamic window:
    window - randint(0, window)); neg (groups, negative) the negatives of each group of
    ``group`` consecutive centres, drawn from cum_table.
    """
    n = stop - start
    ng = -(-n // group)
    npad = ng * group
    lo, hi = start - window, start + npad + window
    ctx = np.zeros(hi - lo, dtype=np.int64)
    ctx_sid = np.full(hi - lo, -1, dtype=np.int64)
    a, b = max(lo, 0), min(hi, ids.size)
    ctx[a - lo:b - lo] = ids[a:b]
    ctx_sid[a - lo:b - lo] = sid[a:b]
    reduced = np.zeros(npad, dtype=np.int64)
    if shrink_windows:
        reduced[:n] = window - rng.integers(0, window, n)
    else:
        reduced[:n] = window
    neg = np.searchsorted(cum_table, rng.random((ng, negative)), side="right")
    np.minimum(neg, cum_table.size - 1, out=neg)
    return ctx, ctx_sid, reduced, neg
