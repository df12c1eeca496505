"""tokenize / Tokenizer, Vocab and encode_batch (padding checked against torch's pad_sequence)."""

import json
from collections import Counter

import numpy as np
import pytest

import luchina
from luchina.text import Tokenizer, Vocab, encode_batch, tokenize

RU_TWEET = ("@mokoron Спасибо!!! Завтра в 10:30 идём в кино :) http://t.co/AbC123 "
            "кто-то уже купил 2 билета по 350.5 руб. #кино")
EN_TWEET = "RT @John_Doe: I'm LOVING the new state-of-the-art phone... 100% worth it! https://x.co/q?a=1"


def test_tokenize_russian_tweet():
    assert tokenize(RU_TWEET) == [
        "mokoron", "спасибо", "завтра", "в", "10:30", "идём", "в", "кино", "http", "t", "co",
        "abc123", "кто-то", "уже", "купил", "2", "билета", "по", "350.5", "руб", "кино"]
    assert tokenize(RU_TWEET, normalize=True) == [
        "<user>", "спасибо", "завтра", "в", "<num>", "идём", "в", "кино", "<url>", "кто-то",
        "уже", "купил", "<num>", "билета", "по", "<num>", "руб", "кино"]


def test_tokenize_english_tweet():
    assert tokenize(EN_TWEET, normalize=True) == [
        "rt", "<user>", "i'm", "loving", "the", "new", "state-of-the-art", "phone", "<num>",
        "worth", "it", "<url>"]
    assert tokenize(EN_TWEET, lower=False)[:4] == ["RT", "John_Doe", "I'm", "LOVING"]
    # typographic apostrophes become ASCII ones; quotes and dashes around words are dropped
    assert tokenize("don’t 'quote' -dash- — rock'n'roll") == ["don't", "quote", "dash",
                                                              "rock'n'roll"]
    assert tokenize("covid19 19th 2021") == ["covid19", "19th", "2021"]
    assert tokenize("") == [] and tokenize("!!! ...") == []


def test_tokenizer_object_and_errors():
    tok = Tokenizer(normalize=True)
    assert tok(RU_TWEET) == tokenize(RU_TWEET, normalize=True)
    assert "normalize=True" in repr(tok)
    with pytest.raises(TypeError, match="expected a str"):
        tokenize(["a", "list"])


def _reference_order(token_lists, min_freq, max_size):
    """Words by descending count, ties by first appearance (written independently)."""
    first, counts = {}, Counter()
    for tokens in token_lists:
        for t in tokens:
            first.setdefault(t, len(first))
            counts[t] += 1
    words = [w for w in counts if counts[w] >= min_freq]
    words = sorted(words, key=lambda w: (-counts[w], first[w]))
    return words if max_size is None else words[:max_size]


@pytest.mark.parametrize("min_freq,max_size", [(1, None), (2, None), (1, 5), (3, 2), (50, None)])
def test_vocab_order_threshold_and_size(min_freq, max_size):
    rng = np.random.default_rng(min_freq)
    pool = ["кот", "пёс", "dog", "cat", "мышь", "bird", "ёж", "fox", "owl"]
    lists = [[pool[i] for i in rng.integers(0, len(pool), rng.integers(0, 8))] for _ in range(30)]
    v = Vocab(lists, min_freq=min_freq, max_size=max_size)
    assert v.id2word == ["<pad>", "<unk>"] + _reference_order(lists, min_freq, max_size)
    assert v.pad_index == 0 and v.unk_index == 1
    assert all(v.word2id[w] == i for i, w in enumerate(v.id2word))
    assert v.counts == Counter(t for toks in lists for t in toks)
    assert len(v) == len(v.id2word) and list(v) == v.id2word


def test_vocab_lookup_encode_decode():
    v = Vocab([["a", "b", "a"], ["c", "a", "b"]])
    assert v.id2word == ["<pad>", "<unk>", "a", "b", "c"]
    assert "a" in v and "zzz" not in v
    assert v["zzz"] == v.unk_index == 1 and v.get("zzz") is None
    assert v.encode(["c", "zzz", "a"]) == [4, 1, 2]
    assert v.decode([4, 1, 2]) == ["c", "<unk>", "a"]
    assert v.decode(luchina.tensor([2, 3, 0])) == ["a", "b", "<pad>"]
    assert v.decode(np.array([3])) == ["b"]
    with pytest.raises(IndexError, match="out of range"):
        v.decode([5])
    with pytest.raises(TypeError, match="integers"):
        v.decode([1.5])
    with pytest.raises(TypeError, match="list of tokens"):
        v.encode("a b")
    with pytest.raises(TypeError, match="token lists"):
        Vocab("a b c")
    with pytest.raises(ValueError, match="min_freq"):
        Vocab([["a"]], min_freq=0)


def test_vocab_specials():
    # specials present in the data are not repeated; no UNK means unknown words raise
    v = Vocab([["PAD", "x", "y", "x"]], specials=("PAD",))
    assert v.id2word == ["PAD", "x", "y"] and v.pad_index == 0 and v.unk_index is None
    with pytest.raises(KeyError, match="no UNK"):
        v["zzz"]
    w = Vocab([["x"]], specials=("<pad>", "<unk>", "<bos>", "<eos>"))
    assert w.id2word == ["<pad>", "<unk>", "<bos>", "<eos>", "x"]
    assert Vocab([["x"]], specials=()).id2word == ["x"]
    assert Vocab([["x", "y"]], max_size=0).id2word == ["<pad>", "<unk>"]


def test_vocab_save_load(tmp_path):
    v = Vocab([["привет", "мир", "привет"], ["hello"]], min_freq=1, max_size=10)
    path = tmp_path / "vocab.json"
    v.save(path)
    back = Vocab.load(path)
    assert back.id2word == v.id2word and back.word2id == v.word2id
    assert back.counts == v.counts and back.pad_index == 0 and back.unk_index == 1
    assert back.max_size == 10
    assert "привет" in path.read_text(encoding="utf8")       # readable JSON
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
    text = path.read_bytes()
    (tmp_path / "cut.json").write_bytes(text[: len(text) // 2])
    with pytest.raises(ValueError, match="truncated"):
        Vocab.load(tmp_path / "cut.json")
    (tmp_path / "other.json").write_text(json.dumps({"a": 1}))
    with pytest.raises(ValueError, match="not a vocabulary file"):
        Vocab.load(tmp_path / "other.json")


def test_encode_batch_matches_torch_pad_sequence():
    torch = pytest.importorskip("torch")
    texts = [RU_TWEET, EN_TWEET, "кино кино", ["raw", "token", "list"], ""]
    tok = Tokenizer(normalize=True)
    v = Vocab([tok(t) for t in texts[:3]], min_freq=1)
    ids, lengths = encode_batch(texts, v, tokenizer=tok)
    seqs = [torch.tensor([v[t] for t in (tok(x) if isinstance(x, str) else x)],
                         dtype=torch.long) for x in texts]
    ref = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=v.pad_index)
    assert ids.dtype == luchina.int64 and lengths.dtype == luchina.int64
    np.testing.assert_array_equal(ids.numpy(), ref.numpy())
    assert lengths.tolist() == [len(s) for s in seqs]
    # max_len truncates; batch_first=False gives (T, B); padding_value is honoured
    ids2, len2 = encode_batch(texts, v, tokenizer=tok, max_len=4, batch_first=False,
                              padding_value=-1)
    ref2 = torch.nn.utils.rnn.pad_sequence([s[:4] for s in seqs], padding_value=-1)
    np.testing.assert_array_equal(ids2.numpy(), ref2.numpy())
    assert len2.tolist() == [min(4, len(s)) for s in seqs]
    # the default tokenizer is tokenize()
    ids3, _ = encode_batch(["кино кино"], v)
    assert ids3.tolist() == [[v["кино"], v["кино"]]]


def test_encode_batch_errors():
    v = Vocab([["a"]])
    with pytest.raises(TypeError, match="wrap it"):
        encode_batch("a a", v)
    with pytest.raises(ValueError, match="empty"):
        encode_batch([], v)
    with pytest.raises(ValueError, match="no PAD"):
        encode_batch(["a"], Vocab([["a"]], specials=()))
    with pytest.raises(ValueError, match="max_len"):
        encode_batch(["a"], v, max_len=-1)
