"""The similarity queries of KeyedVectors (most_similar, doesnt_match...), as in gensim 4."""

import logging
from numbers import Integral

import numpy as np

logger = logging.getLogger("luchina.text")

_KEY_TYPES = (str, int, np.integer)
_EXTENDED_KEY_TYPES = (str, int, np.integer, np.ndarray)


def _ensure_list(value):
    """One key or vector becomes a one-element list; a 2-d array becomes a list of rows."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)


def _unitvec(vec, dtype=None):
    """``vec`` scaled to unit length, computed in float64 and returned as ``dtype``."""
    dtype = vec.dtype if dtype is None else dtype
    v64 = np.asarray(vec, dtype=np.float64)
    norm = np.linalg.norm(v64)
    return (v64 / norm if norm > 0 else v64).astype(dtype)


def _top(dists, topn):
    """Indices of the ``topn`` largest values, largest first."""
    n = dists.shape[0]
    if topn >= n:
        return np.argsort(-dists, kind="stable")
    part = np.argpartition(-dists, topn)[:topn]
    return part[np.argsort(-dists[part], kind="stable")]


class SimilarityQueries:
    """Query methods over ``vectors``/``norms``/``index_to_key``; mixed into KeyedVectors."""

    # ---- similarity queries ------------------------------------------------------------------
    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """Cosine similarity between one vector and each row of ``vectors_all``."""
        norm = np.linalg.norm(vector_1)
        return np.dot(vectors_all, vector_1) / (norm * np.linalg.norm(vectors_all, axis=1))

    def similarity(self, w1, w2):
        """Cosine similarity of two keys (a numpy float)."""
        return np.dot(_unitvec(self[w1]), _unitvec(self[w2]))

    def n_similarity(self, ws1, ws2):
        """Cosine similarity of the means of two key lists."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        m1 = np.mean([self[k] for k in ws1], axis=0)
        m2 = np.mean([self[k] for k in ws2], axis=0)
        return np.dot(_unitvec(m1), _unitvec(m2))

    def distance(self, w1, w2):
        """Cosine distance: 1 - similarity."""
        return 1 - self.similarity(w1, w2)

    def distances(self, word_or_vector, other_words=()):
        """Cosine distances from a key or vector to ``other_words`` (all keys when empty)."""
        vec = (self.get_vector(word_or_vector) if isinstance(word_or_vector, _KEY_TYPES)
               else np.asarray(word_or_vector))
        if not other_words:
            others = self.vectors
        else:
            others = self.vectors[[self.get_index(w) for w in other_words]]
        return 1 - self.cosine_similarities(vec, others)

    def _query_mean(self, positive, negative):
        keys = []
        weight = np.concatenate((np.ones(len(positive)), -np.ones(len(negative))))
        for i, item in enumerate(positive + negative):
            if isinstance(item, _EXTENDED_KEY_TYPES):
                keys.append(item)
            else:               # a (key, weight) pair
                keys.append(item[0])
                weight[i] = item[1]
        mean = self.get_mean_vector(keys, weight, pre_normalize=True, post_normalize=True,
                                    ignore_missing=False)
        exclude = {self.get_index(k) for k in keys
                   if isinstance(k, _KEY_TYPES) and self.has_index_for(k)}
        return mean, exclude

    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None):
        """Top-N keys by cosine similarity to mean(positive) - mean(negative), as in gensim."""
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _ensure_list(positive), _ensure_list(negative)
        self.fill_norms()
        clip_end = clip_end or len(self.vectors)
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        mean, exclude = self._query_mean(positive, negative)
        if indexer is not None and isinstance(topn, int):
            return indexer.most_similar(mean, topn)
        dists = np.dot(self.vectors[clip_start:clip_end], mean) / self.norms[clip_start:clip_end]
        if not topn:
            return dists
        best = _top(dists, topn + len(exclude))
        result = [(self.index_to_key[i + clip_start], float(dists[i]))
                  for i in best if (i + clip_start) not in exclude]
        return result[:topn]

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        """most_similar(positive=[key])."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_word = similar_by_key

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Top-N keys most similar to a raw vector."""
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Analogy by multiplicative combination (3CosMul, Levy & Goldberg 2014), as in gensim."""
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _ensure_list(positive), _ensure_list(negative)
        self.fill_norms()
        vectors, norms = self.vectors, self.norms
        if restrict_vocab:
            vectors, norms = vectors[:restrict_vocab], norms[:restrict_vocab]
        exclude = {self.get_index(w) for w in positive + negative
                   if not isinstance(w, np.ndarray) and w in self}
        pos = [self.get_vector(w, norm=True) if isinstance(w, _KEY_TYPES) else w for w in positive]
        neg = [self.get_vector(w, norm=True) if isinstance(w, _KEY_TYPES) else w for w in negative]
        if not pos:
            raise ValueError("cannot compute similarity with no input")
        # cosines shifted into [0, 1] so that products and quotients stay meaningful
        pos_d = [(1 + np.dot(vectors, t) / norms) / 2 for t in pos]
        neg_d = [(1 + np.dot(vectors, t) / norms) / 2 for t in neg]
        dists = np.prod(pos_d, axis=0) / (np.prod(neg_d, axis=0) + 0.000001)
        if not topn:
            return dists
        best = _top(dists, topn + len(exclude))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in exclude][:topn]

    def doesnt_match(self, words):
        """The key furthest from the mean of ``words`` (missing keys are ignored with a warning)."""
        self.fill_norms()
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning("vectors for words %s are not present in the model, ignoring these "
                           "words", set(words) - set(used))
        if not used:
            raise ValueError("cannot select a word from an empty list")
        vecs = np.vstack([self.get_vector(w, norm=True) for w in used]).astype(np.float32)
        mean = self.get_mean_vector(vecs, post_normalize=True)
        dists = np.dot(vecs, mean)
        return sorted(zip(dists, used))[0][1]

    def closer_to(self, key1, key2, key3):
        """True when key2 is closer to key1 than key3 is."""
        return self.similarity(key1, key2) > self.similarity(key1, key3)

    def rank(self, key1, key2):
        """Rank of key2 among the keys most similar to key1 (1 = the closest)."""
        return len(self.closer_than(key1, key2)) + 1

    def closer_than(self, key1, key2):
        """Keys closer to key1 than key2 is."""
        all_d = self.distances(key1)
        e1, e2 = self.get_index(key1), self.get_index(key2)
        closer = np.flatnonzero(all_d < all_d[e2])
        return [self.index_to_key[i] for i in closer if i != e1]

    words_closer_than = closer_than

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to key1."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]
