"""luchina.text: tokenizer, vocabulary, padding helpers and keyed vectors."""

from luchina.text._keyedvectors import KeyedVectors
from luchina.text._padding import encode_batch
from luchina.text._tokenize import Tokenizer, tokenize
from luchina.text._vocab import Vocab

__all__ = ["KeyedVectors", "Tokenizer", "Vocab", "encode_batch", "tokenize"]
