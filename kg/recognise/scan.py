"""Find lexicon words in text: longest match at each position, left to right."""
from __future__ import annotations

from collections.abc import Iterable, Iterator


class WordScanner:
    """Longest-match scanner over a fixed word set (a dict by first character)."""

    def __init__(self, words: Iterable[str]):
        self.by_first: dict[str, list[str]] = {}
        for w in sorted(set(words), key=lambda w: (-len(w), w)):
            if w:
                self.by_first.setdefault(w[0], []).append(w)

    def match_at(self, text: str, pos: int) -> str | None:
        for w in self.by_first.get(text[pos], ()) if pos < len(text) else ():
            if text.startswith(w, pos):
                return w
        return None

    def find_all(self, text: str, *, overlapping: bool = False) -> Iterator[tuple[int, int, str]]:
        pos = 0
        while pos < len(text):
            w = self.match_at(text, pos)
            if w:
                yield pos, pos + len(w), w
                pos += 1 if overlapping else len(w)
            else:
                pos += 1

    def ending_at(self, text: str, end: int, *, max_len: int = 12) -> str | None:
        """The longest word that ends exactly at `end`."""
        for start in range(max(0, end - max_len), end):
            w = text[start:end]
            if w in self.by_first.get(w[0], ()):
                return w
        return None
