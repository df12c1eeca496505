"""KeyedVectors files: the word2vec C tool's text/binary formats and luchina's own .npz format."""

import io
import json
import logging
import mmap
import os
import zipfile

import numpy as np

from luchina._atomic import atomic_open

logger = logging.getLogger(__name__)

_NATIVE_FORMAT = "luchina.KeyedVectors"
_NATIVE_VERSION = 1


def _write_atomic(fname, append, body):
    """Run ``body(fileobj)`` into a temp file that replaces ``fname`` (after its old bytes when
    ``append``)."""
    fname = os.fspath(fname)
    with atomic_open(fname) as f:
        if append and os.path.exists(fname):
            with open(fname, "rb") as old:
                while chunk := old.read(1 << 20):
                    f.write(chunk)
        body(f)


def _store_order(kv, sort_attr, fvocab):
    if sort_attr in kv.expandos:
        counts = kv.expandos[sort_attr]
        order = sorted(range(len(kv.index_to_key)), key=lambda i: -counts[i])
        return [kv.index_to_key[i] for i in order]
    if fvocab is not None:
        raise ValueError(f"save_word2vec_format: cannot write the vocabulary file: the keys have "
                         f"no {sort_attr!r} attribute (set it with set_vecattr(key, "
                         f"{sort_attr!r}, n) or pass fvocab=None)")
    return list(kv.index_to_key)


def save_word2vec_format(kv, fname, fvocab=None, binary=False, total_vec=None,
                         write_header=True, prefix="", append=False, sort_attr="count"):
    """KeyedVectors.save_word2vec_format (keys sorted by descending ``sort_attr`` if present)."""
    keys = _store_order(kv, sort_attr, fvocab)
    if total_vec is None:
        total_vec = len(keys)
    for k in keys:
        if not isinstance(k, str) or " " in k or "\n" in k or not k:
            raise ValueError(f"save_word2vec_format: key {k!r} cannot be written: keys must be "
                             f"non-empty strings without spaces or newlines")
    if fvocab is not None:
        def write_vocab(f):
            for k in keys:
                f.write(f"{prefix}{k} {kv.get_vecattr(k, sort_attr)}\n".encode())
        _write_atomic(fvocab, append, write_vocab)

    def write_vectors(f):
        if write_header:
            f.write(f"{total_vec} {kv.vector_size}\n".encode())
        for k in keys:
            vec = kv.vectors[kv.get_index(k)]
            if binary:
                f.write(f"{prefix}{k} ".encode() + vec.astype("<f4").tobytes() + b"\n")
            else:
                # str of a float32 is its shortest exact decimal form
                vals = " ".join(str(v) for v in vec.astype(np.float32))
                f.write(f"{prefix}{k} {vals}\n".encode())
    _write_atomic(fname, append, write_vectors)


def _read_counts(fvocab, unicode_errors):
    counts = {}
    with open(fvocab, "rb") as f:
        for line_no, line in enumerate(f, 1):
            parts = line.decode("utf8", errors=unicode_errors).strip().split()
            if len(parts) != 2:
                raise ValueError(f"load_word2vec_format: line {line_no} of the vocabulary file "
                                 f"{fvocab!r} should be 'word count', got {line[:80]!r}")
            counts[parts[0]] = int(parts[1])
    return counts


def _fill(kv, words, vecs, counts, vocab_size):
    """Put the words read (first of duplicates wins) and their "count" attribute into ``kv``."""
    keep, seen = [], {}
    for i, w in enumerate(words):
        if w in seen:
            logger.warning("duplicate word '%s' in word2vec file, ignoring all but first", w)
            continue
        seen[w] = len(keep)
        keep.append(i)
    kv.index_to_key = [words[i] for i in keep]
    kv.key_to_index = seen
    kv.next_index = len(keep)
    kv.vectors = vecs if len(keep) == vecs.shape[0] else np.ascontiguousarray(vecs[keep])
    kv.norms = None
    if counts is None:   # no vocabulary file: made-up descending counts, as gensim does
        found = np.arange(vocab_size, vocab_size - len(keep), -1, dtype=np.int64)
    else:
        vals = [counts.get(w) for w in kv.index_to_key]
        for w, c in zip(kv.index_to_key, vals):
            if c is None:
                logger.warning("vocabulary file is incomplete: '%s' is missing", w)
        found = np.array(vals, dtype=object if None in vals else np.int64)
    kv.expandos = {"count": found}


def _parse_header(line, fname):
    try:
        vocab_size, vector_size = (int(x) for x in line.split())
    except ValueError:
        raise ValueError(f"load_word2vec_format: {fname!r} does not start with a "
                         f"'<vocab_size> <vector_size>' header line (got {line[:80]!r}); pass "
                         f"no_header=True for a text file without one") from None
    return vocab_size, vector_size


def _eof(fname, i, vocab_size):
    return EOFError(f"load_word2vec_format: {fname!r} ends after {i} of the {vocab_size} vectors "
                    f"its header announces: the file is truncated or the count is wrong (pass "
                    f"limit={i} to read what is there)")


def _read_binary(data, pos, vocab_size, vector_size, encoding, unicode_errors, datatype,
                 fname):
    nbytes = 4 * vector_size
    end = len(data)
    words = []
    vecs = np.empty((vocab_size, vector_size), dtype=datatype)
    for i in range(vocab_size):
        while pos < end and data[pos] in (0x0A, 0x0D):   # the C tool ends each vector with \n
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + nbytes > end:
            raise _eof(fname, i, vocab_size)
        try:
            words.append(bytes(data[pos:space]).decode(encoding, errors=unicode_errors))
        except UnicodeDecodeError as e:
            raise ValueError(f"load_word2vec_format: word {i} of {fname!r} is not valid "
                             f"{encoding} ({e}); pass unicode_errors='ignore' or the right "
                             f"encoding=, or binary=False for the text format") from None
        vecs[i] = np.frombuffer(data, dtype="<f4", count=vector_size, offset=space + 1)
        pos = space + 1 + nbytes
    return words, vecs


def _read_text(f, vocab_size, vector_size, encoding, unicode_errors, datatype, fname):
    words = []
    vecs = np.empty((vocab_size, vector_size), dtype=datatype)
    for i in range(vocab_size):
        line = f.readline()
        if line == b"":
            raise _eof(fname, i, vocab_size)
        try:
            parts = line.decode(encoding, errors=unicode_errors).rstrip().split(" ")
        except UnicodeDecodeError as e:
            raise ValueError(f"load_word2vec_format: line {i + 2} of {fname!r} is not valid "
                             f"{encoding} ({e}); is this the binary format? pass binary=True "
                             f"(or unicode_errors='ignore' for a damaged text file)") from None
        if len(parts) != vector_size + 1:
            raise ValueError(f"load_word2vec_format: invalid vector on line {i + 2} of {fname!r}: "
                             f"expected a word and {vector_size} numbers, got {len(parts)} "
                             f"fields (is this really the text format? pass binary=True for "
                             f"the binary one)")
        try:
            vecs[i] = np.array(parts[1:], dtype=np.float64)
        except ValueError:
            raise ValueError(f"load_word2vec_format: non-numeric value on line {i + 2} of "
                             f"{fname!r}: {line[:80]!r}") from None
        words.append(parts[0])
    return words, vecs


def load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8",
                         unicode_errors="strict", limit=None, datatype=np.float32,
                         no_header=False):
    """KeyedVectors.load_word2vec_format: a gensim-compatible reader with clear errors."""
    fname = os.fspath(fname)
    counts = _read_counts(fvocab, unicode_errors) if fvocab is not None else None
    if fname.endswith((".gz", ".bz2")):
        return _load_compressed(cls, fname, counts, binary, encoding, unicode_errors, limit,
                                datatype, no_header)
    with open(fname, "rb") as f:
        return _load_stream(cls, f, fname, counts, binary, encoding, unicode_errors, limit,
                            datatype, no_header)


def _load_compressed(cls, fname, counts, binary, encoding, unicode_errors, limit, datatype,
                     no_header):
    import bz2
    import gzip
    opener = gzip.open if fname.endswith(".gz") else bz2.open
    with opener(fname, "rb") as f:
        data = f.read()
    return _load_stream(cls, io.BytesIO(data), fname, counts, binary, encoding, unicode_errors,
                        limit, datatype, no_header)


def _load_stream(cls, f, fname, counts, binary, encoding, unicode_errors, limit, datatype,
                 no_header):
    if no_header:
        if binary:
            raise NotImplementedError("load_word2vec_format: no_header=True is only supported "
                                      "for the text format")
        start = f.tell()
        first = f.readline()
        vector_size = len(first.decode(encoding, errors=unicode_errors).rstrip().split(" ")) - 1
        vocab_size = 1 + sum(1 for _ in f) if first else 0
        f.seek(start)
    else:
        vocab_size, vector_size = _parse_header(
            f.readline().decode(encoding, errors=unicode_errors), fname)
    if limit:
        vocab_size = min(vocab_size, limit)
    kv = cls(vector_size, 0, dtype=datatype)
    if binary:
        pos = f.tell()
        if isinstance(f, io.BytesIO):
            words, vecs = _read_binary(f.getvalue(), pos, vocab_size, vector_size, encoding,
                                       unicode_errors, datatype, fname)
        elif os.fstat(f.fileno()).st_size <= pos:
            words, vecs = _read_binary(b"", 0, vocab_size, vector_size, encoding,
                                       unicode_errors, datatype, fname)
        else:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                words, vecs = _read_binary(data, pos, vocab_size, vector_size, encoding,
                                           unicode_errors, datatype, fname)
    else:
        words, vecs = _read_text(f, vocab_size, vector_size, encoding, unicode_errors, datatype,
                                 fname)
    _fill(kv, words, vecs, counts, vocab_size)
    return kv


# ---- luchina's own format ---------------------------------------------------------------------

def save_native(kv, fname):
    """An .npz (zip) holding vectors, expando arrays and a JSON header; written atomically."""
    keys = list(kv.index_to_key)
    for k in keys:
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise TypeError(f"KeyedVectors.save: keys must be str or int, got {type(k).__name__} "
                            f"{k!r}")
    header = {"format": _NATIVE_FORMAT, "version": _NATIVE_VERSION,
              "vector_size": kv.vector_size, "index_to_key": keys,
              "next_index": kv.next_index, "object_attrs": {}}
    arrays = {"vectors": np.ascontiguousarray(kv.vectors)}
    for attr, arr in kv.expandos.items():
        if arr.dtype == object:
            header["object_attrs"][attr] = [None if v is None else v for v in arr.tolist()]
        else:
            arrays["attr." + attr] = arr
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf8"), dtype=np.uint8)

    def body(f):
        np.savez(f, **arrays)
    _write_atomic(fname, False, body)


def load_native(cls, fname):
    """Read a file written by save_native; never unpickles."""
    try:
        with np.load(fname, allow_pickle=False) as z:
            files = set(z.files)
            if "header" not in files or "vectors" not in files:
                raise ValueError("missing entries")
            header = json.loads(bytes(z["header"]).decode("utf8"))
            vectors = z["vectors"]
            attrs = {n[5:]: z[n] for n in files if n.startswith("attr.")}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"KeyedVectors.load: {os.fspath(fname)!r} is not a complete file "
                         f"written by KeyedVectors.save ({type(e).__name__}: {e}); for the "
                         f"word2vec formats use KeyedVectors.load_word2vec_format") from None
    if header.get("format") != _NATIVE_FORMAT:
        raise ValueError(f"KeyedVectors.load: {os.fspath(fname)!r} is not a KeyedVectors file")
    kv = cls(header["vector_size"], 0, dtype=vectors.dtype)
    kv.vectors = vectors
    kv.index_to_key = list(header["index_to_key"])
    kv.key_to_index = {k: i for i, k in enumerate(kv.index_to_key) if k is not None}
    kv.next_index = header.get("next_index", len(kv.index_to_key))
    kv.expandos = dict(attrs)
    for attr, vals in header.get("object_attrs", {}).items():
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
        kv.expandos[attr] = arr
    if vectors.shape != (len(kv.index_to_key), kv.vector_size) and len(kv.index_to_key):
        raise ValueError(f"KeyedVectors.load: {os.fspath(fname)!r} is inconsistent: vectors "
                         f"{vectors.shape} for {len(kv.index_to_key)} keys")
    return kv
