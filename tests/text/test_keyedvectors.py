"""KeyedVectors against gensim 4: queries, evaluations and the word2vec file formats."""

import gzip
import os

import numpy as np
import pytest

import luchina
from luchina.text import KeyedVectors
from luchina.text._kv_eval import pearsonr, rankdata, spearmanr

gensim_models = pytest.importorskip("gensim.models")
GKV = gensim_models.KeyedVectors
datapath = pytest.importorskip("gensim.test.utils").datapath


def _eval_words():
    words = []
    for fn in ("wordsim353.tsv", "simlex999.txt"):
        with open(datapath(fn), encoding="utf8") as f:
            for line in f:
                if not line.startswith("#"):
                    words += line.split("\t")[:2]
    with open(datapath("questions-words.txt"), encoding="utf8") as f:
        for line in f:
            if not line.startswith(":"):
                words += line.split()
    return list(dict.fromkeys(words))


@pytest.fixture(scope="module")
def pair():
    """The same random vectors in luchina and gensim, over the evaluation files' words (80%
    of them, so some lines are out of vocabulary) plus lowercase variants."""
    rng = np.random.default_rng(1234)
    words = _eval_words()
    keep = [w for w in words if rng.random() < 0.8]
    keep = list(dict.fromkeys(keep + [w.lower() for w in keep[:300]]))
    vecs = rng.standard_normal((len(keep), 16)).astype(np.float32)
    ours, theirs = KeyedVectors(16), GKV(16)
    ours.add_vectors(keep, vecs)
    theirs.add_vectors(keep, vecs)
    return ours, theirs


def _same_list(a, b, tol=1e-5):
    assert [k for k, _ in a] == [k for k, _ in b]
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=tol, atol=tol)


def test_lookup_and_attributes(pair):
    ours, theirs = pair
    assert ours.index_to_key == theirs.index_to_key
    assert ours.key_to_index == theirs.key_to_index
    assert len(ours) == len(theirs) and ours.vector_size == theirs.vector_size
    word = ours.index_to_key[5]
    np.testing.assert_array_equal(ours[word], theirs[word])
    np.testing.assert_array_equal(ours[[word, "king"]], theirs[[word, "king"]])
    np.testing.assert_allclose(ours.get_vector(word, norm=True),
                               theirs.get_vector(word, norm=True), rtol=1e-6)
    assert ("king" in ours) == ("king" in theirs) and "nope-nope" not in ours
    assert ours.get_index(3) == theirs.get_index(3)
    with pytest.raises(KeyError, match="not present"):
        ours["nope-nope"]
    np.testing.assert_allclose(ours.get_normed_vectors(), theirs.get_normed_vectors(), rtol=1e-5)


def test_similarity_queries(pair):
    ours, theirs = pair
    w = ours.index_to_key
    assert np.isclose(ours.similarity(w[0], w[1]), theirs.similarity(w[0], w[1]), atol=1e-6)
    assert np.isclose(ours.distance(w[2], w[3]), theirs.distance(w[2], w[3]), atol=1e-6)
    np.testing.assert_allclose(ours.distances(w[4]), theirs.distances(w[4]), atol=1e-5)
    np.testing.assert_allclose(ours.distances(w[4], w[5:9]), theirs.distances(w[4], w[5:9]),
                               atol=1e-5)
    assert np.isclose(ours.n_similarity(w[:3], w[3:7]), theirs.n_similarity(w[:3], w[3:7]),
                      atol=1e-6)
    for kwargs in [dict(positive=w[0]), dict(positive=[w[1], w[2]], negative=[w[3]], topn=7),
                   dict(positive=[w[1]], negative=w[5], topn=3, restrict_vocab=200),
                   dict(positive=[(w[1], 2.0), w[2]], topn=5),
                   dict(positive=[ours[w[8]], w[9]], topn=4)]:
        _same_list(ours.most_similar(**kwargs), theirs.most_similar(**kwargs))
    _same_list(ours.most_similar_cosmul(positive=[w[1], w[2]], negative=[w[3]]),
               theirs.most_similar_cosmul(positive=[w[1], w[2]], negative=[w[3]]))
    _same_list(ours.similar_by_word(w[6], topn=4), theirs.similar_by_word(w[6], topn=4))
    _same_list(ours.similar_by_vector(ours[w[7]], topn=4),
               theirs.similar_by_vector(theirs[w[7]], topn=4))
    np.testing.assert_allclose(ours.most_similar(w[0], topn=None),
                               theirs.most_similar(w[0], topn=None), atol=1e-6)
    assert ours.most_similar(w[0], topn=0) == theirs.most_similar(w[0], topn=0) == []
    for i in range(0, 200, 20):
        group = w[i:i + 5]
        assert ours.doesnt_match(group) == theirs.doesnt_match(group)
    assert ours.doesnt_match(w[:4] + ["nope-nope"]) == theirs.doesnt_match(w[:4] + ["nope-nope"])
    assert ours.rank(w[0], w[10]) == theirs.rank(w[0], w[10])
    with pytest.raises(KeyError):
        ours.most_similar("nope-nope")
    with pytest.raises(ValueError, match="empty"):
        ours.doesnt_match(["nope-nope"])


@pytest.mark.parametrize("fname", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize("kwargs", [{}, dict(dummy4unknown=True),
                                    dict(restrict_vocab=700, case_insensitive=False)])
def test_evaluate_word_pairs(pair, fname, kwargs):
    ours, theirs = pair
    (pr, pp), (sr, sp), oov = ours.evaluate_word_pairs(datapath(fname), **kwargs)
    (gpr, gpp), (gsr, gsp), goov = theirs.evaluate_word_pairs(datapath(fname), **kwargs)
    assert oov == pytest.approx(goov)
    assert pr == pytest.approx(gpr, abs=1e-6) and sr == pytest.approx(gsr, abs=1e-6)
    assert pp == pytest.approx(gpp, rel=1e-4) and sp == pytest.approx(gsp, rel=1e-4)


@pytest.mark.parametrize("kwargs", [{}, dict(dummy4unknown=True), dict(case_insensitive=False),
                                    dict(restrict_vocab=600)])
def test_evaluate_word_analogies(pair, kwargs):
    ours, theirs = pair
    score, sections = ours.evaluate_word_analogies(datapath("questions-words.txt"), **kwargs)
    gscore, gsections = theirs.evaluate_word_analogies(datapath("questions-words.txt"),
                                                       **kwargs)
    assert score == pytest.approx(gscore)
    assert sections == gsections


def test_analogies_find_planted_answers():
    # vectors where b - a + c == d exactly: every analogy must be answered
    rng = np.random.default_rng(0)
    base = {w: rng.standard_normal(32) for w in ["man", "paris", "berlin", "a", "b", "noise"]}
    offset = rng.standard_normal(32) * 3
    base["woman"], base["france"], base["germany"] = (base["man"] + offset, base["paris"] + offset,
                                                      base["berlin"] + offset)
    kv = KeyedVectors(32)
    kv.add_vectors(list(base), np.array(list(base.values())))
    g = GKV(32)
    g.add_vectors(list(base), np.array(list(base.values())))
    path = os.path.join(os.path.dirname(__file__), "_tmp_analogies.txt")
    try:
        with open(path, "w") as f:
            f.write(": test\nparis france berlin germany\nman woman paris france\n"
                    "man woman x y\n")
        assert kv.evaluate_word_analogies(path) == g.evaluate_word_analogies(path)
        assert kv.evaluate_word_analogies(path)[0] == 1.0
    finally:
        os.unlink(path)


def test_statistics_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    for n in (3, 10, 200):
        x = rng.integers(0, 5, n).astype(float)   # many ties
        y = x * 0.5 + rng.standard_normal(n)
        np.testing.assert_allclose(rankdata(x), stats.rankdata(x))
        for ours, theirs in ((pearsonr(x, y), stats.pearsonr(x, y)),
                             (spearmanr(x, y), stats.spearmanr(x, y))):
            assert ours[0] == pytest.approx(theirs[0], abs=1e-12)
            assert ours[1] == pytest.approx(theirs[1], rel=1e-8, abs=1e-300)
    assert spearmanr([1, 2, 3, 4], [4, 3, 2, 1]) == (-1.0, 0.0)


# ---- files --------------------------------------------------------------------------------

@pytest.mark.parametrize("binary", [True, False])
def test_word2vec_format_round_trip(pair, tmp_path, binary):
    ours, theirs = pair
    ours_path, theirs_path = tmp_path / "ours.w2v", tmp_path / "theirs.w2v"
    ours.save_word2vec_format(ours_path, binary=binary)
    theirs.save_word2vec_format(str(theirs_path), binary=binary)
    # luchina writes -> gensim reads
    g = GKV.load_word2vec_format(str(ours_path), binary=binary)
    assert g.index_to_key == ours.index_to_key
    np.testing.assert_array_equal(g.vectors, ours.vectors)
    # gensim writes -> luchina reads
    kv = KeyedVectors.load_word2vec_format(theirs_path, binary=binary)
    assert kv.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(kv.vectors, theirs.vectors)
    assert kv.get_vecattr("king", "count") == g.get_vecattr("king", "count")
    for w in ("king", kv.index_to_key[0]):
        _same_list(kv.most_similar(w), g.most_similar(w))
    # compressed files, as gensim
    gz = tmp_path / "ours.w2v.gz"
    gz.write_bytes(gzip.compress(ours_path.read_bytes()))
    from_gz = KeyedVectors.load_word2vec_format(gz, binary=binary)
    assert from_gz.index_to_key == ours.index_to_key
    np.testing.assert_array_equal(from_gz.vectors, ours.vectors)
    # limit, as gensim
    small = KeyedVectors.load_word2vec_format(theirs_path, binary=binary, limit=10)
    assert small.index_to_key == GKV.load_word2vec_format(str(theirs_path), binary=binary,
                                                          limit=10).index_to_key


def test_word2vec_format_vocab_file_and_counts(tmp_path):
    kv = KeyedVectors(3)
    kv.add_vectors(["b", "a", "ё"], np.arange(9, dtype=np.float32).reshape(3, 3))
    for w, c in (("b", 2), ("a", 7), ("ё", 5)):
        kv.set_vecattr(w, "count", c)
    kv.save_word2vec_format(tmp_path / "v.bin", fvocab=tmp_path / "v.vocab", binary=True)
    g = GKV.load_word2vec_format(str(tmp_path / "v.bin"), fvocab=str(tmp_path / "v.vocab"),
                                 binary=True)
    assert g.index_to_key == ["a", "ё", "b"]       # sorted by descending count
    assert [g.get_vecattr(w, "count") for w in g.index_to_key] == [7, 5, 2]
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.bin", fvocab=tmp_path / "v.vocab",
                                             binary=True)
    assert [back.get_vecattr(w, "count") for w in back.index_to_key] == [7, 5, 2]
    np.testing.assert_array_equal(back["ё"], kv["ё"])


@pytest.mark.parametrize("fname,binary", [("euclidean_vectors.bin", True),
                                          ("high_precision.kv.txt", False),
                                          ("high_precision.kv.bin", True),
                                          ("crime-and-punishment.vec", False),
                                          ("lee_fasttext.vec", False)])
def test_reads_gensims_test_files(fname, binary):
    g = GKV.load_word2vec_format(datapath(fname), binary=binary)
    kv = KeyedVectors.load_word2vec_format(datapath(fname), binary=binary)
    assert kv.index_to_key == g.index_to_key
    np.testing.assert_array_equal(kv.vectors, g.vectors)


def test_truncated_and_bad_files(pair, tmp_path):
    ours, _ = pair
    path = tmp_path / "v.bin"
    ours.save_word2vec_format(path, binary=True)
    data = path.read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(EOFError, match="truncated"):
        KeyedVectors.load_word2vec_format(tmp_path / "cut.bin", binary=True)
    (tmp_path / "head.bin").write_bytes(data.split(b"\n")[0] + b"\n")
    with pytest.raises(EOFError, match="ends after 0"):
        KeyedVectors.load_word2vec_format(tmp_path / "head.bin", binary=True)
    (tmp_path / "junk.txt").write_bytes(b"hello world\n1 2 3\n")
    with pytest.raises(ValueError, match="header"):
        KeyedVectors.load_word2vec_format(tmp_path / "junk.txt")
    with pytest.raises(ValueError, match="binary=True"):
        KeyedVectors.load_word2vec_format(path, binary=False)


def test_no_header_text(tmp_path):
    kv = KeyedVectors(4)
    kv.add_vectors(["x", "y"], np.eye(2, 4, dtype=np.float32))
    kv.save_word2vec_format(tmp_path / "n.txt", write_header=False)
    g = GKV.load_word2vec_format(str(tmp_path / "n.txt"), no_header=True)
    back = KeyedVectors.load_word2vec_format(tmp_path / "n.txt", no_header=True)
    assert back.index_to_key == g.index_to_key == ["x", "y"]
    np.testing.assert_array_equal(back.vectors, g.vectors)


def test_native_save_load(pair, tmp_path):
    ours, _ = pair
    kv = KeyedVectors(16)
    kv.add_vectors(ours.index_to_key[:50], ours.vectors[:50])
    for i, w in enumerate(kv.index_to_key):
        kv.set_vecattr(w, "count", 100 - i)
    kv.save(tmp_path / "kv.npz")
    back = KeyedVectors.load(tmp_path / "kv.npz")
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.get_vecattr(kv.index_to_key[3], "count") == 97
    _same_list(back.most_similar(kv.index_to_key[0]), kv.most_similar(kv.index_to_key[0]))
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp")]
    data = (tmp_path / "kv.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a complete file"):
        KeyedVectors.load(tmp_path / "cut.npz")


def test_add_vectors_and_errors():
    kv = KeyedVectors(3, count=2)
    kv.add_vector("a", [1, 2, 3])
    kv.add_vector("b", [0, 1, 0])
    assert kv.index_to_key == ["a", "b"] and kv.vectors.shape == (2, 3)
    kv.add_vectors(["b", "c"], np.ones((2, 3)))
    np.testing.assert_array_equal(kv["b"], [0, 1, 0])        # kept, as gensim
    kv.add_vectors(["b"], np.full((1, 3), 5.0), replace=True)
    np.testing.assert_array_equal(kv["b"], [5, 5, 5])
    with pytest.raises(ValueError, match=r"shape \(1, 3\)"):
        kv.add_vectors(["d"], np.ones((1, 4)))
    with pytest.raises(AttributeError, match="key_to_index"):
        _ = kv.vocab


def test_to_embedding_matches_torch(pair):
    torch = pytest.importorskip("torch")
    ours, _ = pair
    emb = ours.to_embedding()
    assert isinstance(emb, luchina.nn.Embedding) and not emb.weight.requires_grad
    idx = [ours.key_to_index[w] for w in ("king", ours.index_to_key[0])]
    ref = torch.nn.Embedding.from_pretrained(torch.tensor(ours.vectors))
    out = emb(luchina.tensor(idx))
    np.testing.assert_array_equal(out.numpy(), ref(torch.tensor(idx)).numpy())
    assert ours.to_embedding(freeze=False).weight.requires_grad
    # the weight is a copy: training it leaves the KeyedVectors untouched
    emb.weight.data.zero_()
    assert np.abs(ours.vectors).sum() > 0


@pytest.mark.parametrize("binary", [True, False])
def test_duplicate_words_keep_the_first(tmp_path, binary):
    rows = [("a", [1.0, 2.0]), ("b", [3.0, 4.0]), ("a", [5.0, 6.0]), ("c", [7.0, 8.0])]
    path = tmp_path / "dup.w2v"
    with open(path, "wb") as f:
        f.write(b"4 2\n")
        for w, v in rows:
            vec = np.array(v, dtype=np.float32)
            f.write(w.encode() + b" " + (vec.tobytes() + b"\n" if binary else
                                         " ".join(map(str, v)).encode() + b"\n"))
    g = GKV.load_word2vec_format(str(path), binary=binary)
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
    # gensim 4.4 leaves an unused (None) slot at the end here; luchina drops it
    assert kv.index_to_key == [k for k in g.index_to_key if k is not None] == ["a", "b", "c"]
    np.testing.assert_array_equal(kv.vectors, g.vectors[:3])
    assert [kv.get_vecattr(w, "count") for w in "abc"] == [g.get_vecattr(w, "count")
                                                           for w in "abc"]
