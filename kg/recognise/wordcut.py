"""jieba.posseg's cut (HMM on), the same words and flags, without its per-word overhead.

jieba.posseg runs four generators deep, builds a `pair` object per word and finds
the best segmentation in two passes (a DAG of dictionary words as a dict of lists,
then a max over a generator of tuples at each position). This does the same
search in one right-to-left pass over plain lists and returns (word, flag) tuples:

- blocks: runs of Han characters, ASCII letters and digits and +#&._ are cut; every
  other character is its own word flagged x ("\\r\\n" together);
- in a block, the route of highest summed log frequency over jieba's dictionary,
  ties to the longer word, with jieba's own arithmetic (same floats, same route);
- single characters left in a row are buffered: one is tagged by the dictionary;
  a run the dictionary lacks goes to the part-of-speech HMM (Han runs) or is split
  into numbers (m), Latin (eng) and the rest (x); a run it has is tagged per char.

It reads jieba's tables (dictionary, tags, HMM) as kg/recognise/jieba_tables.py
loads them: jieba's default dictionary, without words added to jieba at run time.
tests/test_wordcut.py compares it with jieba.posseg.cut.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from math import log

BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")  # jieba.posseg.re_han_internal
HAN_DETAIL = re.compile("([\u4E00-\u9FD5]+)")
SKIP_DETAIL = re.compile("([\\.0-9]+|[a-zA-Z0-9]+)")
NUM = re.compile("[\\.0-9]+")
ENG = re.compile("[a-zA-Z0-9]+")

Words = list[tuple[str, str]]


class WordCutter:
    """One cutter over jieba's prefix dictionary (word -> frequency, with its total) and
    word tags; `decode(run)` is the HMM (jieba's viterbi result for a run of Han
    characters)."""

    def __init__(self, freq: dict[str, int], total: int, tags: dict[str, str],
                 decode: Callable[[str], tuple]):
        self.freq = freq
        self.logtotal = log(total)
        self.tags = tags
        self.decode = decode

    def cut(self, text: str) -> Words:
        out: Words = []
        blocks = BLOCK.split(text)
        for k, block in enumerate(blocks):
            if k % 2:  # a captured block
                self._cut_block(block, out)
            elif block:
                _other(block, out)
        return out

    def _cut_block(self, sentence: str, out: Words) -> None:
        freq = self.freq
        tags = self.tags
        size = len(sentence)
        logtotal = self.logtotal
        score = [0.0] * (size + 1)
        end = [0] * (size + 1)
        get = freq.get
        for k in range(size - 1, -1, -1):
            # jieba's get_DAG: dictionary words starting at k (a frequency of 0 marks a
            # prefix only); calc: max of (log(freq or 1) - logtotal + score after, end)
            best, best_end = 0.0, -1
            i = k
            f = get(sentence[k])
            while f is not None:
                if f:
                    s = log(f) - logtotal + score[i + 1]
                    if best_end < 0 or s >= best:
                        best, best_end = s, i
                i += 1
                if i >= size:
                    break
                f = get(sentence[k:i + 1])
            if best_end < 0:
                best, best_end = log(get(sentence[k]) or 1) - logtotal + score[k + 1], k
            score[k], end[k] = best, best_end
        x, buf = 0, ""
        append = out.append
        while x < size:
            y = end[x] + 1
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                word = sentence[x:y]
                append((word, tags.get(word, "x")))
            x = y
        if buf:
            self._flush(buf, out)

    def _flush(self, buf: str, out: Words) -> None:
        tags = self.tags
        if len(buf) == 1:
            out.append((buf, tags.get(buf, "x")))
        elif not self.freq.get(buf):
            self._cut_detail(buf, out)
        else:
            out.extend((ch, tags.get(ch, "x")) for ch in buf)

    def _cut_detail(self, sentence: str, out: Words) -> None:
        for k, block in enumerate(HAN_DETAIL.split(sentence)):
            if k % 2:
                self._hmm(block, out)
                continue
            for x in SKIP_DETAIL.split(block):
                if x:
                    out.append((x, "m" if NUM.match(x) else "eng" if ENG.match(x) else "x"))

    def _hmm(self, sentence: str, out: Words) -> None:
        """jieba.posseg's __cut: words closed at E and S states, the rest as one word."""
        _, route = self.decode(sentence)
        begin = nexti = 0
        for i, (pos, flag) in enumerate(route):
            if pos == "B":
                begin = i
            elif pos == "E":
                out.append((sentence[begin:i + 1], flag))
                nexti = i + 1
            elif pos == "S":
                out.append((sentence[i], flag))
                nexti = i + 1
        if nexti < len(sentence):
            out.append((sentence[nexti:], route[nexti][1]))


def _other(block: str, out: Words) -> None:
    """Characters outside the cut blocks: each its own word, flagged x; "\\r\\n" is one."""
    i, size = 0, len(block)
    while i < size:
        if block[i] == "\r" and i + 1 < size and block[i + 1] == "\n":
            out.append(("\r\n", "x"))
            i += 2
        else:
            out.append((block[i], "x"))
            i += 1
