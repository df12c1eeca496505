"""KeyedVectors: a key -> vector map with gensim 4's query API (similarity, most_similar...)."""

from numbers import Integral

import numpy as np

from luchina.text._kv_query import _KEY_TYPES, SimilarityQueries, _unitvec

__all__ = ["KeyedVectors"]


class KeyedVectors(SimilarityQueries):
    """gensim.models.KeyedVectors (gensim 4 API): vectors, index_to_key, key_to_index, queries."""

    def __init__(self, vector_size, count=0, dtype=np.float32, mapfile_path=None):
        if not isinstance(vector_size, Integral) or vector_size < 0:
            raise ValueError(f"KeyedVectors: vector_size must be a non-negative int, got "
                             f"{vector_size!r}")
        self.vector_size = int(vector_size)
        self.index_to_key = [None] * int(count)
        self.next_index = 0
        self.key_to_index = {}
        self.vectors = np.zeros((int(count), self.vector_size), dtype=dtype)
        self.norms = None
        self.expandos = {}
        self.mapfile_path = mapfile_path

    # ---- gensim 3 names, removed in gensim 4 ------------------------------------------------
    @property
    def vocab(self):
        raise AttributeError("The vocab attribute was removed from KeyedVectors in Gensim 4.0.0.\n"
                             "Use KeyedVectors's .key_to_index dict, .index_to_key list, and "
                             "methods .get_vecattr(key, attr) and .set_vecattr(key, attr, "
                             "new_val) instead.")

    @property
    def index2word(self):
        raise AttributeError("The index2word attribute was removed in Gensim 4.0.0; use "
                             "KeyedVectors.index_to_key instead.")

    @property
    def vectors_norm(self):
        raise AttributeError("The vectors_norm attribute was removed in Gensim 4.0.0; use "
                             "KeyedVectors.get_normed_vectors() instead.")

    # ---- per-key attributes ------------------------------------------------------------------
    def allocate_vecattrs(self, attrs=None, types=None):
        """Make sure each per-key attribute array exists with one slot per key."""
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[a].dtype for a in attrs]
        size = len(self.index_to_key)
        for attr, t in zip(attrs, types):
            if t is int:
                t = np.int64
            elif t is str or t is type(None):
                t = object
            old = self.expandos.get(attr)
            if old is None:
                self.expandos[attr] = np.zeros(size, dtype=t)
                continue
            if not np.issubdtype(t, old.dtype):
                raise TypeError(f"KeyedVectors.allocate_vecattrs: can't store {t} in attribute "
                                f"{attr!r}, which holds {old.dtype}")
            if len(old) != size:
                new = np.zeros(size, dtype=old.dtype)
                keep = min(size, len(old))
                new[:keep] = old[:keep]
                self.expandos[attr] = new

    def set_vecattr(self, key, attr, val):
        """Set the per-key attribute ``attr`` (e.g. "count") of ``key``."""
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def get_vecattr(self, key, attr):
        """The per-key attribute ``attr`` of ``key`` as a Python value."""
        if attr not in self.expandos:
            raise KeyError(f"KeyedVectors.get_vecattr: no attribute {attr!r}; known: "
                           f"{sorted(self.expandos)}")
        val = self.expandos[attr][self.get_index(key)]
        return val.item() if isinstance(val, np.generic) else val

    # ---- lookup ------------------------------------------------------------------------------
    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return self.has_index_for(key)

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self):
        return (f"<{type(self).__name__} object with {len(self)} keys of "
                f"vector_size={self.vector_size}>")

    def get_index(self, key, default=None):
        """Row of ``key``; an int is taken as a row number, as in gensim."""
        idx = self.key_to_index.get(key, -1) if isinstance(key, (str, int, np.integer)) else -1
        if idx >= 0:
            return idx
        if isinstance(key, (int, np.integer)) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def has_index_for(self, key):
        """True when ``key`` (or row number) is present."""
        return self.get_index(key, -1) >= 0

    def get_vector(self, key, norm=False):
        """The vector of ``key`` (a view of ``vectors``); unit length with norm=True."""
        index = self.get_index(key)
        if norm:
            self.fill_norms()
            return self.vectors[index] / self.norms[index]
        return self.vectors[index]

    word_vec = get_vector

    def __getitem__(self, key_or_keys):
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(k) for k in key_or_keys])

    def __setitem__(self, keys, weights):
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def vectors_for_all(self, keys, allow_inference=True, copy_vecattrs=False):
        """A new KeyedVectors holding the vectors of those ``keys`` that are present."""
        present = [k for k in dict.fromkeys(keys) if k in self]
        kv = KeyedVectors(self.vector_size, dtype=self.vectors.dtype)
        if present:
            kv.add_vectors(present, self[present])
        if copy_vecattrs:
            for attr in self.expandos:
                for k in present:
                    kv.set_vecattr(k, attr, self.get_vecattr(k, attr))
        return kv

    # ---- building ----------------------------------------------------------------------------
    def add_vector(self, key, vector):
        """Add one key; fills a preallocated slot when there is one. Returns its row."""
        target = self.next_index
        if target >= len(self) or self.index_to_key[target] is not None:
            target = len(self)
            self.add_vectors([key], np.asarray(vector).reshape(1, -1))
            self.allocate_vecattrs()
            self.next_index = target + 1
        else:
            self.index_to_key[target] = key
            self.key_to_index[key] = target
            self.vectors[target] = vector
            self.next_index += 1
            self.norms = None
        return target

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Append keys and their vectors; present keys keep their vector unless replace=True."""
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        weights = np.asarray(weights)
        keys = list(keys)
        if weights.ndim == 1 and len(keys) == 0 and weights.size == 0:
            weights = weights.reshape(0, self.vector_size)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vector_size):
            raise ValueError(f"KeyedVectors.add_vectors: expected weights of shape "
                             f"({len(keys)}, {self.vector_size}) for {len(keys)} keys, got "
                             f"{weights.shape}")
        present = np.array([k in self.key_to_index for k in keys], dtype=bool)
        start = len(self.index_to_key)
        new_rows = []
        for i in np.flatnonzero(~present):
            key = keys[i]
            if key in self.key_to_index:   # the same new key twice: keep the first
                present[i] = True
                continue
            self.key_to_index[key] = len(self.index_to_key)
            self.index_to_key.append(key)
            new_rows.append(i)
        self.vectors = np.vstack((self.vectors, weights[new_rows].astype(self.vectors.dtype)))
        self.allocate_vecattrs()
        for attr, extra in (extras or {}).items():
            extra = np.asarray(extra)
            self.allocate_vecattrs([attr], [extra.dtype.type])
            self.expandos[attr][start:] = extra[new_rows]
        if replace:
            for i in np.flatnonzero(present):
                self.vectors[self.get_index(keys[i])] = weights[i]
        self.norms = None

    def resize_vectors(self, seed=0):
        """Grow or shrink ``vectors`` to one row per key; new rows are small random values."""
        target = len(self.index_to_key)
        have = self.vectors.shape[0]
        if have == target:
            return
        if have > target:
            self.vectors = np.ascontiguousarray(self.vectors[:target])
        else:
            rng = np.random.default_rng(seed)
            extra = ((rng.random((target - have, self.vector_size)) - 0.5) / self.vector_size)
            self.vectors = np.vstack((self.vectors, extra.astype(self.vectors.dtype)))
        self.allocate_vecattrs()
        self.norms = None

    def sort_by_descending_frequency(self):
        """Reorder keys (and vectors, attributes) by descending "count", ties keeping order."""
        if not len(self):
            return
        if "count" not in self.expandos:
            raise ValueError("KeyedVectors.sort_by_descending_frequency: no 'count' attribute; "
                             "set it with set_vecattr(key, 'count', n)")
        order = np.argsort(-self.expandos["count"], kind="stable")
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}
        for attr, arr in self.expandos.items():
            self.expandos[attr] = arr[order]
        if self.vectors.shape[0] == len(order):
            self.vectors = self.vectors[order]
        self.norms = None

    # ---- norms -------------------------------------------------------------------------------
    def fill_norms(self, force=False):
        """Compute (once) the L2 norm of every vector into ``norms``."""
        if self.norms is None or force or self.norms.shape[0] != self.vectors.shape[0]:
            self.norms = np.linalg.norm(self.vectors, axis=1)

    def get_normed_vectors(self):
        """A unit-length copy of ``vectors``."""
        self.fill_norms()
        return self.vectors / self.norms[..., np.newaxis]

    def unit_normalize_all(self):
        """Scale every vector to unit length in place (cannot be undone)."""
        self.fill_norms()
        self.vectors /= self.norms[..., np.newaxis]
        self.norms = np.ones(self.vectors.shape[0], dtype=self.vectors.dtype)

    def init_sims(self, replace=False):
        """Deprecated in gensim 4: computes the norms (replace=True normalises in place)."""
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False,
                        ignore_missing=True):
        """Weighted mean of the vectors of ``keys`` (keys or raw vectors), as in gensim."""
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights)
        if len(keys) != weights.shape[0]:
            raise ValueError("keys and weights array must have same number of elements")
        mean = np.zeros(self.vector_size, self.vectors.dtype)
        total = 0.0
        for w, key in zip(weights, keys):
            if isinstance(key, np.ndarray):
                mean += w * key
            elif key in self:
                mean += w * self.get_vector(key, norm=pre_normalize)
            elif not ignore_missing:
                raise KeyError(f"Key '{key}' not present in vocabulary")
            else:
                continue
            total += abs(w)
        if total > 0:
            mean = mean / total
        return _unitvec(mean, self.vectors.dtype) if post_normalize else mean

    # ---- evaluation, files, tensors (bodies live in _kv_eval / _kv_io) -----------------------
    def evaluate_word_analogies(self, analogies, restrict_vocab=300000, case_insensitive=True,
                                dummy4unknown=False, similarity_function="most_similar"):
        """Accuracy on a questions-words.txt style file: (score, sections), as in gensim."""
        from luchina.text._kv_eval import evaluate_word_analogies
        return evaluate_word_analogies(self, analogies, restrict_vocab, case_insensitive,
                                       dummy4unknown, similarity_function)

    def evaluate_word_pairs(self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                            case_insensitive=True, dummy4unknown=False):
        """(pearson, spearman, oov_ratio) on a wordsim353/simlex999 style file, as in gensim."""
        from luchina.text._kv_eval import evaluate_word_pairs
        return evaluate_word_pairs(self, pairs, delimiter, encoding, restrict_vocab,
                                   case_insensitive, dummy4unknown)

    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None,
                             write_header=True, prefix="", append=False, sort_attr="count"):
        """Write the word2vec C tool's text or binary format (atomically), as gensim does."""
        from luchina.text._kv_io import save_word2vec_format
        save_word2vec_format(self, fname, fvocab, binary, total_vec, write_header, prefix,
                             append, sort_attr)

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8",
                             unicode_errors="strict", limit=None, datatype=np.float32,
                             no_header=False):
        """Read the word2vec C tool's text or binary format (as written by it or gensim)."""
        from luchina.text._kv_io import load_word2vec_format
        return load_word2vec_format(cls, fname, fvocab, binary, encoding, unicode_errors, limit,
                                    datatype, no_header)

    def save(self, fname_or_handle, *args, **kwargs):
        """Save in luchina's own format (an .npz with a JSON header; no pickle)."""
        from luchina.text._kv_io import save_native
        save_native(self, fname_or_handle)

    @classmethod
    def load(cls, fname_or_handle, mmap=None):
        """Load a file written by KeyedVectors.save (luchina's format, not gensim's pickle)."""
        from luchina.text._kv_io import load_native
        return load_native(cls, fname_or_handle)

    def to_embedding(self, freeze=True, padding_idx=None):
        """A luchina.nn.Embedding whose weight is a copy of ``vectors`` (row i: index_to_key[i])."""
        from luchina import tensor
        from luchina.nn import Embedding
        return Embedding.from_pretrained(tensor(np.array(self.vectors)), freeze=freeze,
                                         padding_idx=padding_idx)
