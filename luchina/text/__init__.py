"""luchina.text: tokenizer, vocabulary, padding helpers, Word2Vec and keyed vectors."""

from luchina.text._keyedvectors import KeyedVectors
from luchina.text._padding import encode_batch
from luchina.text._tokenize import Tokenizer, tokenize
from luchina.text._vocab import Vocab
from luchina.text._w2v_corpus import LineSentence
from luchina.text._word2vec import Word2Vec

__all__ = ["KeyedVectors", "LineSentence", "Tokenizer", "Vocab", "Word2Vec", "encode_batch",
           "tokenize"]
