"""Word2Vec with gensim 4's constructor, attributes and methods: skip-gram and CBOW with
negative sampling, trained by the fused NumPy step of ``_w2v_step``."""

import json
import os
import sys
import time

import numpy as np

from luchina._atomic import atomic_open
from luchina.text import _w2v_corpus as corpus_mod
from luchina.text._keyedvectors import KeyedVectors
from luchina.text._w2v_corpus import LineSentence
from luchina.text._w2v_step import RowOptimizer, Workspace, fused_grads

__all__ = ["Word2Vec", "LineSentence"]

_STEP_TOKENS = 4096          # centre positions per fused step
_GROUP = 8                   # consecutive centres sharing one set of negatives
_GROUP_NEG = 2               # a group draws negative * _GROUP_NEG negatives, each weighing
                             # 1 / _GROUP_NEG (less variance than `negative` per group)
_ADAGRAD_SCALE = 8.0         # adagrad's step is 8 * alpha (0.2 at gensim's default alpha)
_FORMAT = "luchina-word2vec-1"


class Word2Vec:
    """gensim.models.Word2Vec (negative sampling; hs=1 is not implemented).

    Differences from gensim: ``optimizer='adagrad'`` (the default) applies a per-row Adagrad
    step of size 8*alpha to the touched rows, which on a small corpus gives clearly better
    vectors than plain SGD on large batches; ``optimizer='sgd'`` is gensim's rule
    (``rows += alpha * gradient``). Both decay alpha linearly to min_alpha over all epochs.
    Negatives are shared: each group of 8 consecutive centre words draws 2*negative
    negatives, used by all its (context, centre) pairs with weight 1/2 each (gensim draws
    ``negative`` per pair; the expected update is the same). Training is single-threaded
    NumPy: ``workers`` is accepted and ignored, so results depend only on the seed.
    ``progress``: a bar with words/s on a terminal (None: only when stderr is a TTY; True:
    plain lines otherwise).
    """

    def __init__(self, sentences=None, corpus_file=None, vector_size=100, alpha=0.025, window=5,
                 min_count=5, max_vocab_size=None, sample=1e-3, seed=1, workers=3,
                 min_alpha=0.0001, sg=0, hs=0, negative=5, ns_exponent=0.75, cbow_mean=1,
                 hashfxn=hash, epochs=5, null_word=0, trim_rule=None, sorted_vocab=1,
                 batch_words=10000, compute_loss=False, callbacks=(), comment=None,
                 max_final_vocab=None, shrink_windows=True, *, optimizer="adagrad",
                 progress=None):
        if hs:
            raise NotImplementedError("Word2Vec: hierarchical softmax (hs=1) is not implemented;"
                                      " use negative sampling (hs=0, negative=5)")
        if not negative or negative < 0:
            raise ValueError(f"Word2Vec: negative must be a positive int when hs=0, got "
                             f"{negative!r}")
        for name, val in (("vector_size", vector_size), ("window", window), ("epochs", epochs)):
            if not isinstance(val, (int, np.integer)) or val < 1:
                raise ValueError(f"Word2Vec: {name} must be a positive int, got {val!r}")
        if optimizer not in ("sgd", "adagrad"):
            raise ValueError(f"Word2Vec: optimizer must be 'sgd' or 'adagrad', got {optimizer!r}")
        if sentences is not None and corpus_file is not None:
            raise TypeError("Word2Vec: pass either sentences or corpus_file, not both")
        self.vector_size, self.window, self.epochs = int(vector_size), int(window), int(epochs)
        self.alpha, self.min_alpha = float(alpha), float(min_alpha)
        self.min_count, self.max_vocab_size, self.max_final_vocab = \
            min_count, max_vocab_size, max_final_vocab
        self.sample, self.seed, self.workers = sample, int(seed), workers
        self.sg, self.hs, self.negative = int(sg), 0, int(negative)
        self.ns_exponent, self.cbow_mean = float(ns_exponent), int(cbow_mean)
        self.null_word, self.sorted_vocab, self.batch_words = null_word, sorted_vocab, batch_words
        self.compute_loss, self.callbacks, self.comment = compute_loss, tuple(callbacks), comment
        self.shrink_windows, self.optimizer, self.progress = shrink_windows, optimizer, progress
        self.wv = KeyedVectors(self.vector_size)
        self.syn1neg = np.zeros((0, self.vector_size), dtype=np.float32)
        self.cum_table = np.zeros(0)
        self.corpus_count = self.corpus_total_words = 0
        self.running_training_loss = 0.0
        self.train_count = 0
        self.total_train_time = 0.0
        self._keep = np.zeros(0)
        self._opt = None
        self._work = Workspace()
        self._rng = np.random.default_rng(self.seed)
        if sentences is not None or corpus_file is not None:
            self.build_vocab(corpus_iterable=sentences, corpus_file=corpus_file,
                             trim_rule=trim_rule)
            self.train(corpus_iterable=sentences, corpus_file=corpus_file,
                       total_examples=self.corpus_count, total_words=self.corpus_total_words,
                       epochs=self.epochs, compute_loss=compute_loss, callbacks=callbacks)

    # -- vocabulary ------------------------------------------------------------------------------
    @staticmethod
    def _corpus(corpus_iterable, corpus_file, where):
        if corpus_file is not None:
            if corpus_iterable is not None:
                raise TypeError(f"{where}: pass either corpus_iterable or corpus_file, not both")
            return LineSentence(corpus_file)
        if corpus_iterable is None:
            raise TypeError(f"{where}: give a corpus: corpus_iterable=[[tokens], ...] or "
                            "corpus_file='path.txt'")
        corpus_mod._check_corpus(corpus_iterable, where)
        return corpus_iterable

    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False,
                    progress_per=10000, keep_raw_vocab=False, trim_rule=None, **kwargs):
        """gensim's build_vocab: count words, apply min_count, set up sampling and weights
        (update=True is not supported)."""
        if update:
            raise NotImplementedError("Word2Vec.build_vocab: update=True (growing a trained "
                                      "vocabulary) is not supported; build a new model")
        corpus = self._corpus(corpus_iterable, corpus_file, "Word2Vec.build_vocab")
        counts, total, n_sent = corpus_mod.scan_vocab(corpus, self.max_vocab_size)
        self.corpus_count, self.corpus_total_words = n_sent, total
        words, cnt, keep = corpus_mod.finalize_vocab(
            counts, self.min_count, self.sample, self.max_final_vocab, bool(self.sorted_vocab),
            trim_rule)
        if not words:
            raise RuntimeError(f"Word2Vec.build_vocab: no word occurs min_count={self.min_count}"
                               f" times in the corpus ({total} words, {len(counts)} distinct); "
                               "lower min_count")
        d = self.vector_size
        rng = self._rng = np.random.default_rng(self.seed)
        wv = KeyedVectors(d)
        # gensim's initialisation: uniform in [-0.5/d, 0.5/d) for inputs, zeros for outputs
        vectors = ((rng.random((len(words), d)) - 0.5) / d).astype(np.float32)
        wv.add_vectors(words, vectors, extras={"count": cnt})
        self.wv = wv
        self.syn1neg = np.zeros((len(words), d), dtype=np.float32)
        self._keep = keep
        self.cum_table = corpus_mod.make_cum_table(cnt, self.ns_exponent)
        self._opt = None

    # -- training --------------------------------------------------------------------------------
    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None,
              total_words=None, epochs=None, start_alpha=None, end_alpha=None, word_count=0,
              queue_factor=2, report_delay=1.0, compute_loss=False, callbacks=(), **kwargs):
        """gensim's train; returns (effective words trained, raw words seen)."""
        if not len(self.wv):
            raise RuntimeError("Word2Vec.train: the vocabulary is empty; call "
                               "build_vocab(corpus) before train(...)")
        if epochs is None:
            raise ValueError("Word2Vec.train: pass epochs explicitly, e.g. "
                             "train(corpus, total_examples=model.corpus_count, "
                             "epochs=model.epochs)")
        if total_examples is None and total_words is None:
            raise ValueError("Word2Vec.train: pass total_examples=model.corpus_count or "
                             "total_words=... so the learning rate can decay linearly")
        corpus = self._corpus(corpus_iterable, corpus_file, "Word2Vec.train")
        start = self.alpha if start_alpha is None else float(start_alpha)
        end = self.min_alpha if end_alpha is None else float(end_alpha)
        total = (total_words if total_words is not None else
                 self.corpus_total_words * (total_examples / max(self.corpus_count, 1)))
        total = max(float(total) * epochs, 1.0)
        self.compute_loss = compute_loss
        self.running_training_loss = 0.0
        shape = self.wv.vectors.shape
        if self._opt is None or self._opt[0].kind != self.optimizer:
            self._opt = (RowOptimizer(self.optimizer, shape), RowOptimizer(self.optimizer, shape))
        scale = _ADAGRAD_SCALE if self.optimizer == "adagrad" else 1.0
        callbacks = tuple(callbacks) or self.callbacks
        bar = _Progress(self.progress, total)
        _call(callbacks, "on_train_begin", self)
        t0 = time.perf_counter()
        done = trained = raw_seen = 0
        for epoch in range(epochs):
            _call(callbacks, "on_epoch_begin", self)
            chunk_words = max(int(self.batch_words), 1) * 8
            for ids, lens, raw, _ in corpus_mod.chunks(corpus, self.wv.key_to_index,
                                                       chunk_words):
                ids, sid = corpus_mod.subsample(ids, lens, self._keep, self._rng)
                per_token = raw / max(ids.size, 1)
                for a in range(0, ids.size, _STEP_TOKENS):
                    b = min(a + _STEP_TOKENS, ids.size)
                    alpha = max(end, start - (start - end) * (done / total))
                    self._step(ids, sid, a, b, alpha * scale)
                    done += (b - a) * per_token
                if ids.size == 0:
                    done += raw
                trained += ids.size
                raw_seen += raw
                bar.update(done, epoch, epochs)
            bar.epoch_end(done, epoch, epochs)
            _call(callbacks, "on_epoch_end", self)
        self.total_train_time += time.perf_counter() - t0
        self.train_count += 1
        self.wv.norms = None
        bar.close(raw_seen, time.perf_counter() - t0)
        _call(callbacks, "on_train_end", self)
        return trained, raw_seen

    def _step(self, ids, sid, a, b, lr):
        batch = corpus_mod.make_batch(ids, sid, a, b, self.window, self.negative * _GROUP_NEG,
                                      self.cum_table, self._rng, self.shrink_windows,
                                      _GROUP)
        win, wout = self.wv.vectors, self.syn1neg
        loss, in_ids, gin, out_ids, gout = fused_grads(
            win, wout, *batch, self.window, sg=bool(self.sg), cbow_mean=bool(self.cbow_mean),
            compute_loss=self.compute_loss, negative=self.negative, work=self._work)
        self.running_training_loss += loss
        self._opt[1].step(wout, out_ids, gout, lr)
        self._opt[0].step(win, in_ids, gin, lr)

    def get_latest_training_loss(self):
        """Summed negative-sampling loss of the last train() call (with compute_loss=True)."""
        return self.running_training_loss

    def __repr__(self):
        return (f"Word2Vec<vocab={len(self.wv)}, vector_size={self.vector_size}, "
                f"alpha={self.alpha}>")

    # -- persistence -----------------------------------------------------------------------------
    _PARAMS = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed",
               "workers", "min_alpha", "sg", "negative", "ns_exponent", "cbow_mean", "epochs",
               "null_word", "sorted_vocab", "batch_words", "max_final_vocab", "shrink_windows",
               "optimizer", "corpus_count", "corpus_total_words", "train_count",
               "total_train_time", "comment")

    def save(self, fname):
        """Save the model (vectors, output weights, counts, optimizer state) in luchina's own
        .npz format, atomically; not gensim's pickle."""
        header = {"format": _FORMAT, "params": {k: getattr(self, k) for k in self._PARAMS},
                  "keys": list(self.wv.index_to_key)}
        counts = np.array([self.wv.get_vecattr(k, "count") for k in self.wv.index_to_key],
                          dtype=np.int64) if len(self.wv) else np.zeros(0, np.int64)
        arrays = {"header": np.frombuffer(json.dumps(header).encode("utf8"), dtype=np.uint8),
                  "vectors": self.wv.vectors, "syn1neg": self.syn1neg, "counts": counts,
                  "keep": self._keep, "cum_table": self.cum_table}
        if self._opt is not None and self._opt[0].sum is not None:
            arrays["acc_in"], arrays["acc_out"] = self._opt[0].sum, self._opt[1].sum
        with atomic_open(fname) as f:
            np.savez(f, **arrays)

    @classmethod
    def load(cls, fname, mmap=None):
        """Load a model written by Word2Vec.save (training can continue)."""
        try:
            with np.load(os.fspath(fname), allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
            header = json.loads(data["header"].tobytes().decode("utf8"))
        except (ValueError, KeyError, OSError) as e:
            if isinstance(e, FileNotFoundError):
                raise
            raise ValueError(f"Word2Vec.load: {os.fspath(fname)!r} is not a model saved by "
                             f"luchina's Word2Vec.save ({e}); for word2vec vector files use "
                             "KeyedVectors.load_word2vec_format") from None
        if header.get("format") != _FORMAT:
            raise ValueError(f"Word2Vec.load: {os.fspath(fname)!r} has format "
                             f"{header.get('format')!r}, expected {_FORMAT!r}")
        p = header["params"]
        model = cls(**{k: p[k] for k in ("vector_size", "alpha", "window", "min_count",
                                          "max_vocab_size", "sample", "seed", "workers",
                                          "min_alpha", "sg", "negative", "ns_exponent",
                                          "cbow_mean", "epochs", "null_word", "sorted_vocab",
                                          "batch_words", "max_final_vocab", "shrink_windows",
                                          "optimizer", "comment")})
        for k in ("corpus_count", "corpus_total_words", "train_count", "total_train_time"):
            setattr(model, k, p[k])
        wv = KeyedVectors(model.vector_size)
        if header["keys"]:
            wv.add_vectors(header["keys"], data["vectors"].astype(np.float32),
                           extras={"count": data["counts"]})
        model.wv = wv
        model.syn1neg = np.ascontiguousarray(data["syn1neg"], dtype=np.float32)
        model._keep, model.cum_table = data["keep"], data["cum_table"]
        if "acc_in" in data:
            shape = wv.vectors.shape
            model._opt = (RowOptimizer("adagrad", shape), RowOptimizer("adagrad", shape))
            model._opt[0].sum[...] = data["acc_in"]
            model._opt[1].sum[...] = data["acc_out"]
        return model


def _call(callbacks, name, model):
    for cb in callbacks:
        fn = getattr(cb, name, None)
        if fn is not None:
            fn(model)


class _Progress:
    """A one-line progress bar with words/s on a TTY; plain lines when forced; else silent."""

    def __init__(self, progress, total):
        tty = sys.stderr.isatty()
        self.mode = ("bar" if tty else "lines") if progress else (
            "bar" if progress is None and tty else None)
        self.total = total
        self.t0 = time.perf_counter()
        self.last = 0.0

    def update(self, done, epoch, epochs):
        now = time.perf_counter()
        if self.mode != "bar" or now - self.last < 0.2:
            return
        rate = done / max(now - self.t0, 1e-9)
        frac = min(done / self.total, 1.0)
        fill = int(frac * 30)
        sys.stderr.write(f"\rword2vec epoch {epoch + 1}/{epochs} [{'#' * fill}"
                         f"{'.' * (30 - fill)}] {frac:6.1%} {rate:,.0f} words/s")
        sys.stderr.flush()
        self.last = now

    def epoch_end(self, done, epoch, epochs):
        if self.mode == "lines":
            rate = done / max(time.perf_counter() - self.t0, 1e-9)
            sys.stderr.write(f"word2vec epoch {epoch + 1}/{epochs} done, {rate:,.0f} words/s\n")

    def close(self, raw, elapsed):
        if self.mode == "bar":
            sys.stderr.write(f"\rword2vec: {raw:,} words in {elapsed:.1f}s "
                             f"({raw / max(elapsed, 1e-9):,.0f} words/s)" + " " * 20 + "\n")
            sys.stderr.flush()
