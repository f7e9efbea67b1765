"""Find lexicon words in text: longest match at each position, left to right."""
from __future__ import annotations

import re
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
        # Any character a word starts with: a scan jumps from one to the next (in C)
        # instead of visiting every character of the text.
        self.first = re.compile("[" + "".join(re.escape(c) for c in sorted(lengths)) + "]") \
            if lengths else re.compile("(?!)")

    def starts(self, text: str) -> list[int]:
        """Positions in `text` where a word may start (its first character is one's first)."""
        return [m.start() for m in self.first.finditer(text)]

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
        for at in self.starts(text):  # match_at, inlined: this runs over a whole corpus
            if at < pos:
                continue
            for n in lengths[text[at]]:
                if at + n <= size and text[at:at + n] in words:
                    yield at, at + n, text[at:at + n]
                    pos = at + (1 if overlapping else n)
                    break

    def ending_at(self, text: str, end: int, *, max_len: int = 12) -> str | None:
        """The longest word that ends exactly at `end`."""
        for start in range(max(0, end - max_len), end):
            w = text[start:end]
            if w in self.words:
                return w
        return None
