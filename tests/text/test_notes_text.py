"""The course notes' text cells (/work/shared/seeds/001: word2id/id2word, pad_sequence of three
tweets, nn.Embedding on "i am new to pytorch...", freezing, pretrained vectors), written as the
notes write them with the module passed in as ``torch``. Each cell runs once with luchina and
once with real torch; what they print must agree. Where the notes use gensim's KeyedVectors,
luchina runs ``from luchina.text import KeyedVectors`` and gensim's output is the oracle."""

import contextlib
import io
import random
from collections import Counter

import numpy as np
import pytest

real_torch = pytest.importorskip("torch")

import luchina  # noqa: E402
from luchina.text import KeyedVectors as LuchinaKeyedVectors  # noqa: E402


def printed(cell, *args):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = cell(*args)
    return buf.getvalue(), result


def compare(cell, *args):
    """Run ``cell(torch, *args)`` with luchina and with torch; the printed text must agree."""
    lu_out, lu_res = printed(cell, luchina, *args)
    to_out, to_res = printed(cell, real_torch, *args)
    assert lu_out == to_out
    return lu_out, lu_res, to_res


# ---- "i am new to pytorch i am having fun" ----------------------------------------------------

def embedding_cells(torch):
    # Let's say you have 2 sentences (lowercased, punctuations removed):
    sentences = "i am new to pytorch i am having fun"

    words = sentences.split(" ")

    print(f"All words: {words} \n")

    vocab = set(words)  # create a vocabulary
    vocab_size = len(vocab)

    print(f"Vocabulary (unique words): {vocab} \n")
    print(f"Vocabulary size: {vocab_size} \n")

    # map words to unique indices
    word2idx = {word: ind for ind, word in enumerate(vocab)}

    print(f"Word-to-id dictionary: {word2idx} \n")

    encoded_sentences = [word2idx[word] for word in words]

    print(f"Encoded sentences: {encoded_sentences}")

    nn = torch.nn  # the notes: import torch.nn as nn

    # let's say you want embedding dimension to be 3
    emb_dim = 3

    emb_layer = nn.Embedding(vocab_size, emb_dim)
    word_vectors = emb_layer(torch.LongTensor(encoded_sentences))

    print(f"Shape of encoded sentences: {word_vectors.shape} \n")
    print(f"Shape of weigths: {emb_layer.weight.shape}")

    print(emb_layer.weight.requires_grad)
    emb_layer.weight.requires_grad = False
    print(emb_layer.weight.requires_grad)
    return emb_layer, word_vectors, encoded_sentences


def test_embedding_cells_print_like_torch():
    out, (lu_layer, lu_vecs, _), _ = compare(embedding_cells)
    assert "Shape of encoded sentences: torch.Size([9, 3])" in out
    assert out.rstrip().endswith("True\nFalse")
    # the looked-up rows are the layer's rows
    ids = [0, 1, 2]
    np.testing.assert_array_equal(lu_layer(luchina.LongTensor(ids)).detach().numpy(),
                                  lu_layer.weight.detach().numpy()[ids])
    assert lu_vecs.requires_grad                 # computed before the freeze
    frozen = lu_layer(luchina.LongTensor(ids))
    assert not frozen.requires_grad and frozen.grad_fn is None


# ---- word2id / id2word with a count threshold, pad_sequence of three tweets ---------------------

class _Frame:
    """The two columns of RuTweetCorp.csv the cells read, after the notes' ``.str.split()``
    cell (pandas is not a dependency): ``df['preprocessed']`` and ``df.preprocessed``."""

    def __init__(self, preprocessed, tone):
        self._cols = {"preprocessed": preprocessed, "tone": tone}

    def __getitem__(self, name):
        return self._cols[name]

    def __getattr__(self, name):
        try:
            return self._cols[name]
        except KeyError:
            raise AttributeError(name) from None


def _tweets():
    rng = random.Random(7)
    common = ["я", "не", "и", "в", "это", "сегодня", "хочу", "спать", "очень", "люблю"]
    rare = ["котик", "дождь", "экзамен", "чай", "кино", "работа", "лето", "музыка"]
    texts = []
    for _ in range(60):
        n = rng.randint(2, 9)
        texts.append(" ".join(rng.choice(common if rng.random() < 0.7 else rare)
                              for _ in range(n)))
    return _Frame([t.split() for t in texts], [i % 2 for i in range(60)])


def vocabulary_cell(torch, df):
    vocabulary = Counter()
    for text in df['preprocessed']:
        vocabulary.update(text)
    print(f'Total unique tokens: {len(vocabulary)}\n')

    word2id = {'PAD': 0}
    for word in vocabulary:
        if vocabulary[word] > 10:
            word2id[word] = len(word2id)
    print(f'Mapping word2id dictionary: {word2id}\n')

    id2word = {i: word for word, i in word2id.items()}
    print(f'Mapping id2word dictionary: {id2word}\n')

    print(f'Unique tokens that appeared more than 10 times: {len(word2id)}')
    return word2id, id2word


def padding_cell(torch, df, word2id, id2word):
    pad_sequence = torch.nn.utils.rnn.pad_sequence  # from torch.nn.utils.rnn import pad_sequence

    X = []
    for tokens in df.preprocessed[:3]:
        ids = torch.LongTensor([word2id[token] for token in tokens if token in word2id])
        X.append(ids)
    X = pad_sequence(X, batch_first=True)

    print("Sentence 1 in batch")
    print(f"Padded sequence of indexes: {X[0]}")
    print(f"Padded sequense of tokens: {[id2word[int(_)] for _ in X[0]]}\n")
    print("Sentence 2 in batch")
    print(f"Padded sequence of indexes: {X[1]}")
    print(f"Padded sequense of tokens: {[id2word[int(_)] for _ in X[1]]}\n")
    print("Sentence 3 in batch")
    print(f"Padded sequence of indexes: {X[2]}")
    print(f"Padded sequense of tokens: {[id2word[int(_)] for _ in X[2]]}")
    return X


def test_word2id_and_padding_cells_print_like_torch():
    df = _tweets()
    _, (word2id, id2word), _ = compare(vocabulary_cell, df)
    assert word2id["PAD"] == 0 and 1 < len(word2id) < 19   # the threshold drops words
    out, lu_x, to_x = compare(padding_cell, df, word2id, id2word)
    assert "PAD" in out          # the three tweets have different lengths
    np.testing.assert_array_equal(lu_x.numpy(), to_x.numpy())


def test_luchina_vocab_gives_the_same_mapping():
    # luchina.text.Vocab with the notes' threshold (> 10 means min_freq=11), PAD first, no UNK;
    # ids ordered by count here, so compare the sets and the PAD index
    df = _tweets()
    _, (word2id, _) = printed(vocabulary_cell, luchina, df)
    vocab = luchina.text.Vocab(df['preprocessed'], min_freq=11, specials=("PAD",))
    assert set(vocab.word2id) == set(word2id) and vocab.pad_index == 0 and vocab.unk_index is None
    ids, lengths = luchina.text.encode_batch(
        [[t for t in toks if t in vocab] for toks in df.preprocessed[:3]], vocab)
    ref = real_torch.nn.utils.rnn.pad_sequence(
        [real_torch.tensor([vocab[t] for t in toks if t in vocab], dtype=real_torch.long)
         for toks in df.preprocessed[:3]], batch_first=True)
    np.testing.assert_array_equal(ids.numpy(), ref.numpy())
    assert lengths.tolist() == [int((r != 0).sum()) for r in ref]


# ---- pretrained vectors: a small word2vec binary file stands in for GoogleNews ------------------

_NOTES_WORDS = ["coffee", "tea", "ball", "crocodile", "cat", "bad", "good", "king", "woman", "man",
                "queen", "swimming", "walked", "walking", "swam", "Turkey", "Moscow", "Russia",
                "Ankara", "spoon", "fork", "knife", "plate", "sorrow", "delight", "happiness",
                "joy"]


@pytest.fixture(scope="module")
def vectors_file(tmp_path_factory):
    """A word2vec binary file (the C tool's layout, a newline after each vector) with the
    notes' words and planted analogies, written by the test itself."""
    rng = np.random.default_rng(11)
    words = _NOTES_WORDS + [f"filler{i}" for i in range(200)]
    vecs = {w: rng.standard_normal(300).astype(np.float32) for w in words}
    for a, b, c, d in (("man", "king", "woman", "queen"), ("walking", "swimming", "walked", "swam"),
                       ("Russia", "Moscow", "Turkey", "Ankara")):
        vecs[d] = vecs[b] - vecs[a] + vecs[c] + 0.05 * rng.standard_normal(300).astype(np.float32)
    vecs["tea"] = vecs["coffee"] + 0.6 * rng.standard_normal(300).astype(np.float32)
    path = tmp_path_factory.mktemp("w2v") / "GoogleNews-vectors-negative300.bin"
    with open(path, "wb") as f:
        f.write(f"{len(words)} 300\n".encode())
        for w in words:
            f.write(w.encode() + b" " + vecs[w].tobytes() + b"\n")
    return str(path)


def pretrained_cells(KeyedVectors, path):
    google_news_model = KeyedVectors.load_word2vec_format(path, binary=True)

    print(f"Cosine similarity between 'coffee' and 'tea': \
{round(google_news_model.similarity('coffee','tea').item(), 2)}")
    print(f"Cosine similarity between 'ball' and 'crocodile': \
{round(google_news_model.similarity('ball','crocodile').item(), 2)}")

    for x in google_news_model.most_similar('cat', topn=5):
        print(x)
    for x in google_news_model.most_similar('bad', topn=5):
        print(x)
    for x in google_news_model.most_similar('good', topn=5):
        print(x)

    print(f"king - man + woman = \
{google_news_model.most_similar(positive=['king','woman'], negative=['man'], topn=1)[0][0]}")
    print(f"swimming - walking + walked = \
{google_news_model.most_similar(positive=['swimming','walked'], negative=['walking'], topn=1)[0][0]}")  # noqa: E501
    print(f"Moscow - Russia + Turkey = \
{google_news_model.most_similar(positive=['Turkey','Moscow'], negative=['Russia'], topn=1)[0][0]}")

    words = ['spoon', 'fork', 'knife', 'plate']
    print(f"The word '{google_news_model.doesnt_match(words)}' \
from the given list {words} doesn’t go with the others.")
    words = ['sorrow', 'delight', 'happiness', 'joy']
    print(f"The word '{google_news_model.doesnt_match(words)}' \
from the given list {words} doesn’t go with the others.")
    return google_news_model


def test_pretrained_query_cells_match_gensim(vectors_file):
    gensim_models = pytest.importorskip("gensim.models")
    # the notes: from gensim.models import KeyedVectors; here luchina.text.KeyedVectors
    lu_out, lu_model = printed(pretrained_cells, LuchinaKeyedVectors, vectors_file)
    g_out, _ = printed(pretrained_cells, gensim_models.KeyedVectors, vectors_file)
    assert lu_out == g_out
    assert "king - man + woman = queen" in lu_out
    assert "Moscow - Russia + Turkey = Ankara" in lu_out
    assert lu_model.vectors.shape == (227, 300)


def from_pretrained_cell(torch, google_news_model, encoded_sentences):
    nn = torch.nn
    print(f"Vectors shape in Google news model is {google_news_model.vectors.shape}")

    weights = torch.FloatTensor(google_news_model.vectors)
    google_news_emb = nn.Embedding.from_pretrained(weights, freeze=True)

    input = torch.LongTensor(encoded_sentences)
    print(f"Shape of data after embedding layer: {google_news_emb(input).shape}")
    return google_news_emb, google_news_emb(input)


def test_from_pretrained_cell_matches_torch(vectors_file):
    # the notes: google_news_model = KeyedVectors.load_word2vec_format(..., binary=True)
    model = LuchinaKeyedVectors.load_word2vec_format(vectors_file, binary=True)
    encoded = [3, 1, 4, 1, 5, 9, 2, 6, 5]
    out, (lu_emb, lu_out), (to_emb, to_out) = compare(from_pretrained_cell, model, encoded)
    assert "torch.Size([9, 300])" in out
    np.testing.assert_array_equal(lu_out.numpy(), to_out.numpy())
    assert not lu_emb.weight.requires_grad and not to_emb.weight.requires_grad
    np.testing.assert_array_equal(lu_out.numpy(), model.vectors[encoded])
