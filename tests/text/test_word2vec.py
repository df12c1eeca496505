"""Word2Vec: the fused step against the autograd reference, gensim's semantics, persistence."""

import numpy as np
import pytest

from luchina.text import _w2v_corpus as C
from luchina.text._w2v_step import RowOptimizer, batch_masks, fused_grads, reference_grads
from luchina.text._word2vec import LineSentence, Word2Vec


def _batch(seed=0, v=12, n_tok=30, window=2, k=3, sentences=(11, 19), group=6):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, v, n_tok)
    sid = np.repeat(np.arange(len(sentences)), sentences)
    cum = C.make_cum_table(np.arange(v, 0, -1) * 3)
    # 20 centres in groups of 6: three full groups and one padded
    return C.make_batch(ids, sid, 4, 24, window, k, cum, rng, group=group), ids, sid


def _weights(v=12, d=6, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((v, d)) * 0.3).astype(np.float32), \
        (rng.standard_normal((v, d)) * 0.3).astype(np.float32)


@pytest.mark.parametrize("sg,cbow_mean", [(True, True), (False, True), (False, False)])
@pytest.mark.parametrize("optimizer", ["sgd", "adagrad"])
@pytest.mark.parametrize("group,drawn,negative", [(6, 3, None), (4, 6, 2), (1, 3, None)])
def test_fused_step_matches_autograd(sg, cbow_mean, optimizer, group, drawn, negative):
    """The fused step equals luchina's autograd on explicit (context, centre) pairs, for
    groups of centres sharing negatives (with padding), fractional negative weights
    (6 drawn per group standing for 2 per pair) and the unshared layout (group=1)."""
    batch, _, _ = _batch(k=drawn, group=group)
    win, wout = _weights()
    lr = 0.05
    acc = (np.abs(win) * 0.1, np.abs(wout) * 0.2)  # a non-trivial accumulator state
    loss_r, win_r, wout_r, state_r = reference_grads(
        win, wout, *batch, 2, sg=sg, cbow_mean=cbow_mean, optimizer=optimizer, lr=lr,
        state=acc, negative=negative)
    w1, w2 = win.copy(), wout.copy()
    loss_f, in_ids, gin, out_ids, gout = fused_grads(w1, w2, *batch, 2, sg=sg,
                                                     cbow_mean=cbow_mean, negative=negative)
    o_in, o_out = RowOptimizer(optimizer, w1.shape), RowOptimizer(optimizer, w2.shape)
    if optimizer == "adagrad":
        o_in.sum[...], o_out.sum[...] = acc
    o_out.step(w2, out_ids, gout, lr)
    o_in.step(w1, in_ids, gin, lr)
    assert loss_f == pytest.approx(loss_r, rel=1e-5)
    np.testing.assert_allclose(w1, win_r, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w2, wout_r, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(w1, win) and not np.array_equal(w2, wout)
    if optimizer == "adagrad":
        np.testing.assert_allclose(o_in.sum, state_r[0], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(o_out.sum, state_r[1], rtol=1e-5, atol=1e-7)


def test_window_mask_is_gensims_dynamic_window():
    (ctx, ctx_sid, reduced, neg), ids, sid = _batch(seed=3, window=3)
    mask, targets, tmask = batch_masks(ctx, ctx_sid, reduced, neg, 3)
    for i in range(reduced.size):  # brute force: contexts of centre 4+i inside its sentence
        c = 4 + i
        expect = [c + o for o in range(-3, 4) if o != 0 and abs(o) <= reduced[i]
                  and 0 <= c + o < ids.size and sid[c + o] == sid[c]]
        got = [c + j - 3 for j in np.flatnonzero(mask[i])]
        assert got == expect
    assert (targets[:20, 0] == ids[4:24]).all()
    group_neg = np.repeat(neg, 6, axis=0)[:20]  # each group of 6 centres shares negatives
    assert (targets[:20, 1:] == group_neg).all()
    assert (tmask[:20, 1:] == (group_neg != ids[4:24, None])).all()
    assert reduced.size == 24 and (reduced[20:] == 0).all() and not mask[20:].any()  # padding
    assert reduced[:20].min() >= 1 and reduced[:20].max() <= 3


def test_negative_table_follows_unigram_power():
    counts = np.array([50, 20, 5, 1])
    cum = C.make_cum_table(counts, 0.75)
    p = counts ** 0.75 / (counts ** 0.75).sum()
    np.testing.assert_allclose(np.diff(np.r_[0, cum]), p)
    draws = np.searchsorted(cum, np.random.default_rng(0).random(200000), side="right")
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 2e5, p, atol=5e-3)


def _toy_corpus(n=60, seed=0):
    rng = np.random.default_rng(seed)
    topics = [["cat", "dog", "pet", "fur", "paw"], ["car", "road", "wheel", "drive", "fuel"]]
    return [[str(w) for w in rng.choice(topics[i % 2], 8)] + ["the", "a"] * 2 + ["rare%d" % i]
            for i in range(n)]


def test_min_count_sorting_and_counts():
    sents = _toy_corpus()
    m = Word2Vec(sents, vector_size=8, min_count=3, epochs=1, progress=False)
    assert not any(w.startswith("rare") for w in m.wv.index_to_key)
    counts = [m.wv.get_vecattr(w, "count") for w in m.wv.index_to_key]
    assert counts == sorted(counts, reverse=True)
    assert m.wv.get_vecattr("the", "count") == 120
    assert m.corpus_count == 60 and m.corpus_total_words == 60 * 13
    with pytest.raises(RuntimeError, match="min_count"):
        Word2Vec(sents, min_count=1000, progress=False)


def test_sampling_and_vocab_match_gensim():
    gensim = pytest.importorskip("gensim")
    sents = _toy_corpus(200) + [["the"] * 50]
    g = gensim.models.Word2Vec(vector_size=8, min_count=3, sample=1e-2)
    g.build_vocab(sents)
    m = Word2Vec(vector_size=8, min_count=3, sample=1e-2)
    m.build_vocab(sents)
    assert sorted(m.wv.index_to_key) == sorted(g.wv.index_to_key)
    for w in m.wv.index_to_key:
        assert m.wv.get_vecattr(w, "count") == g.wv.get_vecattr(w, "count")
        keep = m._keep[m.wv.key_to_index[w]]
        assert keep == pytest.approx(min(1.0, g.wv.get_vecattr(w, "sample_int") / 2 ** 32),
                                     abs=1e-6)
    assert m._keep.min() < 1.0  # "the" is sub-sampled


def test_reproducible_for_a_seed():
    sents = _toy_corpus()
    a = Word2Vec(sents, vector_size=10, min_count=1, epochs=2, seed=7, progress=False)
    b = Word2Vec(sents, vector_size=10, min_count=1, epochs=2, seed=7, progress=False)
    c = Word2Vec(sents, vector_size=10, min_count=1, epochs=2, seed=8, progress=False)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    np.testing.assert_array_equal(a.syn1neg, b.syn1neg)
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_file_streaming_equals_list_input(tmp_path):
    sents = _toy_corpus()
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in sents) + "\n", encoding="utf8")
    assert list(LineSentence(path)) == sents
    a = Word2Vec(sents, vector_size=10, min_count=2, epochs=2, sg=1, progress=False)
    b = Word2Vec(corpus_file=str(path), vector_size=10, min_count=2, epochs=2, sg=1,
                 progress=False)
    assert a.wv.index_to_key == b.wv.index_to_key
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    long = tmp_path / "long.txt"
    long.write_text(" ".join(["w"] * 25), encoding="utf8")
    assert [len(s) for s in LineSentence(long, max_sentence_length=10)] == [10, 10, 5]


def test_build_vocab_then_train_and_errors():
    sents = _toy_corpus()
    m = Word2Vec(vector_size=8, min_count=1, sg=1)
    m.build_vocab(sents)
    with pytest.raises(ValueError, match="epochs"):
        m.train(sents, total_examples=m.corpus_count)
    before = m.wv.vectors.copy()
    trained, raw = m.train(sents, total_examples=m.corpus_count, epochs=2, compute_loss=True)
    assert raw == 2 * m.corpus_total_words and 0 < trained <= raw
    assert m.get_latest_training_loss() > 0
    assert not np.array_equal(before, m.wv.vectors)
    with pytest.raises(NotImplementedError, match="hs=1"):
        Word2Vec(hs=1)
    with pytest.raises(TypeError, match="one-shot"):
        Word2Vec((s for s in sents), min_count=1)
    with pytest.raises(TypeError, match="list of tokens"):
        Word2Vec(["a plain string sentence"], min_count=1)


def test_skipgram_learns_topics():
    sents = _toy_corpus(300)
    m = Word2Vec(sents, vector_size=16, min_count=1, window=3, epochs=5, sg=1, sample=0,
                 progress=False)
    assert m.wv.similarity("cat", "dog") > m.wv.similarity("cat", "wheel")
    assert m.wv.doesnt_match(["cat", "dog", "pet", "road"]) == "road"


def test_save_load_roundtrip(tmp_path):
    sents = _toy_corpus()
    m = Word2Vec(sents, vector_size=8, min_count=2, epochs=1, progress=False)
    path = tmp_path / "model.w2v"
    m.save(str(path))
    r = Word2Vec.load(str(path))
    assert r.wv.index_to_key == m.wv.index_to_key
    np.testing.assert_array_equal(r.wv.vectors, m.wv.vectors)
    np.testing.assert_array_equal(r.syn1neg, m.syn1neg)
    assert r.wv.get_vecattr("the", "count") == m.wv.get_vecattr("the", "count")
    assert (r.sg, r.window, r.optimizer) == (m.sg, m.window, m.optimizer)
    np.testing.assert_array_equal(r._opt[0].sum, m._opt[0].sum)
    r.train(sents, total_examples=r.corpus_count, epochs=1)  # training continues
    assert [p.name for p in tmp_path.iterdir()] == ["model.w2v"]  # no temp file left behind
    (tmp_path / "bad").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="Word2Vec.load"):
        Word2Vec.load(str(tmp_path / "bad"))


def test_quality_smoke_on_text8_excerpt():
    """Two epochs on gensim's text8 excerpt: luchina's skip-gram already correlates with
    wordsim353 at least as well as gensim's after the same two epochs (the full 5-epoch
    comparison is bench/word2vec.py)."""
    gensim = pytest.importorskip("gensim")
    from gensim.test.utils import datapath
    with open(datapath("head500.noblanks.cor"), encoding="utf8") as f:
        sents = [line.split() for line in f]
    kw = dict(vector_size=100, window=5, min_count=5, negative=5, epochs=2, sg=1, seed=1)
    m = Word2Vec(sents, progress=False, **kw)
    g = gensim.models.Word2Vec(sents, workers=2, **kw)
    ours = m.wv.evaluate_word_pairs(datapath("wordsim353.tsv"))[1][0]
    theirs = g.wv.evaluate_word_pairs(datapath("wordsim353.tsv"))[1][0]
    assert ours > 0.2 and ours >= theirs
