"""Word tokens with offsets (jieba), computed once per text and passed to recognisers.

jieba loads its dictionary on first use (about a second); nothing happens at import.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    flag: str


@cache
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def tokenize(text: str) -> tuple[Token, ...]:
    """Part-of-speech tokens of `text` with character offsets."""
    out, pos = [], 0
    for pair in _posseg().cut(text, HMM=True):
        out.append(Token(pos, pos + len(pair.word), pair.word, pair.flag))
        pos += len(pair.word)
    return tuple(out)


class TokenIndex:
    """Lookups of tokens by where they start and end."""

    def __init__(self, tokens: tuple[Token, ...]):
        self.tokens = tokens
        self.by_end = {t.end: t for t in tokens}
        self.by_start = {t.start: t for t in tokens}

    def ending_at(self, offset: int) -> Token | None:
        return self.by_end.get(offset)

    def starting_at(self, offset: int) -> Token | None:
        return self.by_start.get(offset)

    def covering(self, offset: int) -> Token | None:
        for t in self.tokens:
            if t.start <= offset < t.end:
                return t
        return None
