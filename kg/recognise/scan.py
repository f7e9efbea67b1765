"""Find lexicon words in text: longest match at each position, left to right."""
from __future__ import annotations

from collections.abc import Iterable, Iterator


class WordScanner:
    """Longest-match scanner over a fixed word set: the word lengths by first character,
    longest first, so a match is one set lookup per length (not one per word)."""

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(w for w in words if w)
        lengths: dict[str, set[int]] = {}
        for w in self.words:
            lengths.setdefault(w[0], set()).add(len(w))
        self.lengths = {ch: tuple(sorted(ns, reverse=True)) for ch, ns in lengths.items()}

    def match_at(self, text: str, pos: int) -> str | None:
        if pos >= len(text):
            return None
        for n in self.lengths.get(text[pos], ()):
            piece = text[pos:pos + n]
            if len(piece) == n and piece in self.words:
                return piece
        return None

    def find_all(self, text: str, *, overlapping: bool = False) -> Iterator[tuple[int, int, str]]:
        words, lengths, size = self.words, self.lengths, len(text)
        pos = 0
        while pos < size:  # match_at, inlined: this loop visits every character of a corpus
            for n in lengths.get(text[pos], ()):
                if pos + n <= size and text[pos:pos + n] in words:
                    yield pos, pos + n, text[pos:pos + n]
                    pos += 1 if overlapping else n
                    break
            else:
                pos += 1

    def ending_at(self, text: str, end: int, *, max_len: int = 12) -> str | None:
        """The longest word that ends exactly at `end`."""
        for start in range(max(0, end - max_len), end):
            w = text[start:end]
            if w in self.words:
                return w
        return None
