"""Word tokens with offsets (jieba), computed once per text and passed to recognisers.

jieba loads its dictionary on first use (about a second); nothing happens at import.
"""
from __future__ import annotations

import logging
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
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    _memoise_viterbi(jieba.posseg)
    return jieba.posseg


def _memoise_viterbi(posseg) -> None:
    """Decode jieba's HMM tagging of unknown-word runs (about 60% of posseg's time) with
    kg.recognise.viterbi (same result, about 2.5x faster), and cache it per run.

    The runs are short (2-3 characters: names, places) and recur across a corpus;
    viterbi is a pure function of the run (its other arguments are jieba's fixed
    model tables) and its result is only read, so the output is unchanged."""
    if getattr(posseg.viterbi, "cache_info", None) is not None:
        return
    from kg.recognise.viterbi import Decoder

    viterbi = posseg.viterbi
    decoder = Decoder(posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)

    @lru_cache(maxsize=1 << 18)
    def by_run(run: str) -> tuple:
        return decoder.decode(run)

    def cached(run, states, start, trans, emit):  # jieba's signature
        if states is posseg.char_state_tab_P and emit is posseg.emit_P:
            return by_run(run)
        return viterbi(run, states, start, trans, emit)

    cached.cache_info = by_run.cache_info  # type: ignore[attr-defined]
    cached.by_run = by_run  # type: ignore[attr-defined]
    posseg.viterbi = cached


def word_frequency(word: str) -> int:
    """How often jieba's dictionary says `word` occurs (0 for a word it does not list)."""
    import jieba

    _posseg()
    return jieba.dt.FREQ.get(word) or 0


@cache
def _cutter():
    """jieba.posseg's cut without its overhead (kg/recognise/wordcut.py), decoding the HMM
    with the memoised decoder installed by `_posseg`."""
    from kg.recognise.wordcut import WordCutter

    posseg = _posseg()
    return WordCutter(posseg, posseg.viterbi.by_run)


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
