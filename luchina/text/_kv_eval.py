"""Word-vector benchmarks: analogies (questions-words.txt) and word-pair similarity (wordsim353).

Pearson and Spearman correlations and their two-sided p-values are computed here in NumPy
(the p-value from Student's t with n - 2 degrees of freedom, through the regularised incomplete
beta function), so that scipy is not needed; they match scipy.stats.pearsonr/spearmanr.
"""

import itertools
import logging
import math
import os
from collections import namedtuple

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["pearsonr", "spearmanr", "rankdata", "evaluate_word_analogies",
           "evaluate_word_pairs"]


class CorrelationResult(namedtuple("CorrelationResult", ["statistic", "pvalue"])):
    """(statistic, pvalue), unpackable like scipy's result objects; ``correlation`` aliases
    ``statistic``."""

    __slots__ = ()

    @property
    def correlation(self):
        return self.statistic


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
                    -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _corr_pvalue(r, n):
    """Two-sided p-value of a correlation r over n points (t-test, n - 2 degrees of freedom)."""
    if n <= 2 or not math.isfinite(r):
        return float("nan") if not math.isfinite(r) or n < 2 else 1.0
    if abs(r) >= 1.0:
        return 0.0
    df = n - 2
    return betainc(df / 2.0, 0.5, 1.0 - r * r)


def _pearson_stat(x, y):
    xm, ym = x - x.mean(), y - y.mean()
    nx, ny = np.linalg.norm(xm), np.linalg.norm(ym)
    if nx == 0 or ny == 0:
        logger.warning("correlation of a constant input is undefined")
        return float("nan")
    return float(np.clip(np.dot(xm / nx, ym / ny), -1.0, 1.0))


def _check_xy(name, x, y):
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"{name}: x and y must have the same length, got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"{name}: need at least 2 points, got {x.size}")
    return x, y


def pearsonr(x, y):
    """Pearson's r and its two-sided p-value (as scipy.stats.pearsonr)."""
    x, y = _check_xy("pearsonr", x, y)
    r = _pearson_stat(x, y)
    return CorrelationResult(r, _corr_pvalue(r, x.size))


def rankdata(a):
    """1-based ranks with ties given their average rank (scipy.stats.rankdata 'average')."""
    a = np.asarray(a, dtype=np.float64).ravel()
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    # start of each run of equal values
    starts = np.concatenate(([True], sorted_a[1:] != sorted_a[:-1]))
    run_id = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, a.size))
    avg = first + (counts + 1) / 2.0
    ranks = np.empty(a.size, dtype=np.float64)
    ranks[order] = avg[run_id]
    return ranks


def spearmanr(x, y):
    """Spearman's rho (Pearson of average-tie ranks) and its two-sided p-value (as scipy)."""
    x, y = _check_xy("spearmanr", x, y)
    rho = _pearson_stat(rankdata(x), rankdata(y))
    return CorrelationResult(rho, _corr_pvalue(rho, x.size))


def _ok_vocab(kv, restrict_vocab, case_insensitive):
    ok_keys = kv.index_to_key[:restrict_vocab]
    if case_insensitive:    # reversed: the first (most frequent) spelling wins
        return {k.upper(): kv.get_index(k) for k in reversed(ok_keys)}
    return {k: kv.get_index(k) for k in reversed(ok_keys)}


def _score(section):
    total = len(section["correct"]) + len(section["incorrect"])
    score = len(section["correct"]) / total if total else 0.0
    if total:
        logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * score,
                    len(section["correct"]), total)
    return score


def _answer_top5(kv, queries, restrict_vocab):
    """For each (ia, ib, ic): the 5 best rows for b - a + c (3CosAdd), inputs excluded."""
    kv.fill_norms()
    vecs = kv.vectors[:restrict_vocab]
    norms = kv.norms[:restrict_vocab]
    unit = kv.vectors / kv.norms[:, None]
    q = np.asarray(queries, dtype=np.int64).reshape(-1, 3)
    out = np.empty((q.shape[0], min(5, vecs.shape[0])), dtype=np.int64)
    chunk = max(1, 20_000_000 // max(1, vecs.shape[0]))
    for s in range(0, q.shape[0], chunk):
        qa, qb, qc = q[s:s + chunk].T
        mean = (unit[qb] + unit[qc]) - unit[qa]
        mean = mean / np.linalg.norm(mean, axis=1, keepdims=True)
        dists = (vecs @ mean.T.astype(vecs.dtype)).T / norms
        rows = np.arange(dists.shape[0])
        for col in (qa, qb, qc):
            dists[rows, col] = -np.inf
        k = out.shape[1]
        part = np.argpartition(-dists, k - 1, axis=1)[:, :k] if k < dists.shape[1] else \
            np.tile(np.arange(dists.shape[1]), (dists.shape[0], 1))
        order = np.argsort(-np.take_along_axis(dists, part, axis=1), axis=1, kind="stable")
        out[s:s + chunk] = np.take_along_axis(part, order, axis=1)
    return out


def evaluate_word_analogies(kv, analogies, restrict_vocab=300000, case_insensitive=True,
                            dummy4unknown=False, similarity_function="most_similar"):
    """KeyedVectors.evaluate_word_analogies: (score, sections) as gensim, batched in NumPy."""
    if similarity_function != "most_similar":
        raise ValueError(f"evaluate_word_analogies: similarity_function "
                         f"{similarity_function!r} is not supported; use 'most_similar'")
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    sections, section = [], None
    queries = []            # rows (a, b, c) of the lines to answer
    oov = quadruplets = 0
    with open(analogies, "rb") as f:
        for line_no, raw in enumerate(f):
            line = raw.decode("utf8")
            if line.startswith(": "):
                if section:
                    sections.append(section)
                # "lines" keeps every judged line in file order: (quad, query number or None)
                section = {"section": line.lstrip(": ").strip(), "lines": []}
                continue
            if not section:
                raise ValueError(f"evaluate_word_analogies: missing section header (': name') "
                                 f"before line #{line_no} in {os.fspath(analogies)!r}")
            words = [w.upper() for w in line.split()] if case_insensitive else line.split()
            if len(words) != 4:
                logger.info("Skipping invalid line #%i in %s", line_no, analogies)
                continue
            quadruplets += 1
            if any(w not in ok_vocab for w in words):
                oov += 1
                if dummy4unknown:
                    section["lines"].append((tuple(words), None))
                continue
            section["lines"].append((tuple(words), len(queries)))
            queries.append((ok_vocab[words[0]], ok_vocab[words[1]], ok_vocab[words[2]]))
    if section:
        sections.append(section)
    top = _answer_top5(kv, queries, restrict_vocab) if queries else None
    for sec in sections:
        sec["correct"], sec["incorrect"] = [], []
        for quad, q in sec.pop("lines"):
            predicted = None
            if q is not None:
                for i in top[q]:
                    key = kv.index_to_key[i]
                    predicted = key.upper() if case_insensitive else key
                    if predicted in ok_vocab and predicted not in quad[:3]:
                        break
            sec["correct" if q is not None and predicted == quad[3] else "incorrect"].append(quad)
    for sec in sections:
        _score(sec)
    total = {"section": "Total accuracy",
             "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
             "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections))}
    if quadruplets:
        logger.info("Quadruplets with out-of-vocabulary words: %.1f%%",
                    100.0 * oov / quadruplets)
    score = _score(total)
    sections.append(total)
    return score, sections


def evaluate_word_pairs(kv, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                        case_insensitive=True, dummy4unknown=False):
    """KeyedVectors.evaluate_word_pairs: (pearson, spearman, oov_ratio) as gensim; the
    correlations are (statistic, pvalue) tuples computed without scipy."""
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    gold, model = [], []
    oov = 0
    with open(pairs, encoding=encoding) as f:
        for line_no, line in enumerate(f):
            if not line or line.startswith("#"):
                continue
            try:
                parts = line.split(delimiter)
                a, b, sim = [w.upper() for w in parts] if case_insensitive else parts
                sim = float(sim)
            except (ValueError, TypeError):
                logger.info("Skipping invalid line #%d in %s", line_no, pairs)
                continue
            if a not in ok_vocab or b not in ok_vocab:
                oov += 1
                if dummy4unknown:
                    model.append(0.0)
                    gold.append(sim)
                continue
            va, vb = kv.vectors[ok_vocab[a]], kv.vectors[ok_vocab[b]]
            gold.append(sim)
            model.append(float(np.dot(va / np.linalg.norm(va), vb / np.linalg.norm(vb))))
    if not gold:
        raise ValueError(f"evaluate_word_pairs: no valid similarity judgements found in "
                         f"{os.fspath(pairs)!r}: either the format is invalid (expected "
                         f"'word1{delimiter!r}word2{delimiter!r}score' lines) or all pairs are "
                         f"out of the vocabulary of {kv}")
    spearman = spearmanr(gold, model)
    pearson = pearsonr(gold, model)
    oov_ratio = 100.0 * oov / (len(gold) if dummy4unknown else len(gold) + oov)
    logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
    logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs,
                spearman[0])
    logger.info("Pairs with unknown words ratio: %.1f%%", oov_ratio)
    return pearson, spearman, oov_ratio
