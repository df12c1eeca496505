"""A regex word tokenizer for Cyrillic and Latin text, with optional tweet normalisation."""

import re

__all__ = ["tokenize", "Tokenizer", "URL_TOKEN", "USER_TOKEN", "NUM_TOKEN"]

URL_TOKEN, USER_TOKEN, NUM_TOKEN = "<url>", "<user>", "<num>"

# A word: letters/digits (any script), joined by single inner apostrophes, hyphens or
# underscores, so "don't", "кто-то" and "state-of-the-art" stay whole while quotes and dashes
# around words go. A number keeps its inner separators ("3.5", "10:30").
_WORD = r"[^\W_]+(?:[_'\-][^\W_]+)*"
_URL = r"(?:https?://|www\.)[^\s<>\"]+"
_USER = r"@\w+"
_NUM = r"\d+(?:[.,:/]\d+)*(?![^\W_])"
_PLAIN_RE = re.compile(f"{_NUM}|{_WORD}")
_TWEET_RE = re.compile(f"(?P<url>{_URL})|(?P<user>{_USER})|(?P<num>{_NUM})|(?P<word>{_WORD})")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "\u2010": "-",
                              "\u2011": "-"})


def tokenize(text, *, lower=True, normalize=False):
    """Unicode word tokens of ``text``; normalize=True maps URLs, @mentions and numbers to
    "<url>", "<user>" and "<num>" (for tweets)."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize: expected a str, got {type(text).__name__}; decode bytes with "
                        f".decode('utf8') and tokenize each text of a list separately")
    text = text.translate(_APOSTROPHES)
    if lower:
        text = text.lower()
    if not normalize:
        return _PLAIN_RE.findall(text)
    out = []
    for m in _TWEET_RE.finditer(text):
        kind = m.lastgroup
        if kind == "url":
            out.append(URL_TOKEN)
        elif kind == "user":
            out.append(USER_TOKEN)
        elif kind == "num":
            out.append(NUM_TOKEN)
        else:
            out.append(m.group())
    return out


class Tokenizer:
    """A callable holding tokenize's options: Tokenizer(lower=True, normalize=False)(text)."""

    def __init__(self, lower=True, normalize=False):
        self.lower = lower
        self.normalize = normalize

    def __call__(self, text):
        return tokenize(text, lower=self.lower, normalize=self.normalize)

    def __repr__(self):
        return f"Tokenizer(lower={self.lower}, normalize={self.normalize})"
