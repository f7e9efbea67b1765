"""Word tokens with offsets (jieba), computed once per text and passed to recognisers.

jieba's tables load on first use (about 0.3 s from the user cache, about a second the
first time); nothing happens at import.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import cache, lru_cache
from typing import NamedTuple


class Token(NamedTuple):
    """A jieba word at [start, end) of the text, with its part-of-speech flag (a named
    tuple: made for every word of a corpus, it is quicker to build than a dataclass)."""

    start: int
    end: int
    word: str
    flag: str


@cache
def _tables():
    """jieba's dictionary, word tags and HMM (kg/recognise/jieba_tables.py: from the user
    cache, else from jieba)."""
    from kg.recognise.jieba_tables import load

    return load()


def word_frequency(word: str) -> int:
    """How often jieba's dictionary says `word` occurs (0 for a word it does not list)."""
    return _tables().freq.get(word) or 0


@cache
def _decode():
    """jieba's HMM tagging of a run of unknown characters (about 60% of posseg's time),
    decoded by kg.recognise.viterbi (same result, about 2.5x faster) and memoised.

    The runs are short (2-3 characters: names, places) and recur across a corpus; the
    result is a pure function of the run (the model tables are fixed) and is only read,
    so the output is unchanged."""
    from kg.recognise.viterbi import Decoder

    tables = _tables()
    decoder = Decoder(tables.states, tables.start, tables.trans, tables.emit)
    return lru_cache(maxsize=1 << 18)(decoder.decode)


@cache
def _cutter():
    """jieba.posseg's cut without its overhead (kg/recognise/wordcut.py), decoding the HMM
    with the memoised decoder."""
    from kg.recognise.wordcut import WordCutter

    tables = _tables()
    return WordCutter(tables.freq, tables.total, tables.tags, _decode())


def tokenize(text: str) -> tuple[Token, ...]:
    """Part-of-speech tokens of `text` with character offsets (jieba.posseg's words and
    flags, HMM on)."""
    out, pos = [], 0
    for word, flag in _cutter().cut(text):
        end = pos + len(word)
        out.append(Token(pos, end, word, flag))
        pos = end
    return tuple(out)


class TokenIndex:
    """Lookups of tokens by where they start and end."""

    def __init__(self, tokens: tuple[Token, ...]):
        self.tokens = tokens
        self.by_end = {t.end: t for t in tokens}
        self.by_start = {t.start: t for t in tokens}
        self.starts = [t.start for t in tokens]  # tokens tile the text in order

    def ending_at(self, offset: int) -> Token | None:
        return self.by_end.get(offset)

    def starting_at(self, offset: int) -> Token | None:
        return self.by_start.get(offset)

    def covering(self, offset: int) -> Token | None:
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and self.tokens[i].start <= offset < self.tokens[i].end:
            return self.tokens[i]
        return None
