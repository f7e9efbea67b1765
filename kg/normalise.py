"""Repair extraction damage in page text, keeping an exact map back to the source.

Why: pages come out of PDF extraction with stray spaces inside words ("海城 市"),
paragraphs cut mid-word across a blank line ("杭\\n\\n州市") and half-width
punctuation. Later stages count offsets in the repaired text, but evidence must
point into the file the user gave us, so every repair either deletes a character
or replaces one character by one other. The `OffsetMap` is then exact.

The repairs run in order over the text, each returning the positions it deleted (the
source index of every character is then kept in an array); a repair whose characters
do not occur is skipped:

1. controls: drop BOM, NUL and "\\r" (a lone "\\r" becomes "\\n").
2. widths: full-width ASCII letters and digits become half-width.
3. punctuation: half-width , ; : ? ! ( ) " ' next to CJK text become full-width.
   Quotes alternate “ ” (‘ ’) within a paragraph, starting afresh at each line;
   a quote right after 。！？… or at the end of a line closes (Chinese quotes
   often span paragraphs, so the first quote of a line may be a closing one).
4. joins: a paragraph cut mid-sentence is joined to the next one by deleting the
   newline(s) between, when the line ends with a CJK character that is not
   terminal punctuation, a closing quote or a dash, and the next non-blank line
   starts with a CJK character (not "#"). Both sides must look like body text:
   the line before has 16+ characters, is not a byline/credit and is not a short
   line with inner spaces (a headline such as "筑牢战斗堡垒 发展特色产业");
   the line after contains 。！？… or has 40+ characters. Unmarked headlines and
   bylines ("本报记者 肖家鑫") therefore stay on their own lines.
5. spaces: whitespace at the ends of a line goes; whitespace between two CJK
   characters or CJK punctuation goes; other runs become one space, so Latin and
   digit tokens stay separated. Newlines are never touched here.

Choice: every space between CJK characters goes, including the conventional one
in bylines and headlines: "本报记者 张 驰" becomes "本报记者张驰". `kg.segment`
reads byline names from the source slice, where spaces still separate names.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from kg.model import OffsetMap


_TERMINAL = "。！？；：…"
_CLOSERS = "”’」』）》】〕"
_OPEN_END = "，、"  # punctuation a cut line may end with
_CONTINUATION_START = "，、。！？；：）》”’…"  # never starts a paragraph
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_QUOTES = {'"': ("“", "”"), "'": ("‘", "’")}
_CJK_PUNCT_EXTRA = frozenset("“”‘’…—·")
_BYLINE_OR_CREDIT = re.compile(r"^本报记者|摄$|摄影报道$")
_MIN_BODY_BEFORE = 16
_SHORT_HEADLINE = 32
_MIN_BODY_AFTER = 40


def normalise(text: str) -> tuple[str, OffsetMap]:
    """The repaired text and the map from its offsets back to offsets in `text`."""
    source = None  # the source index of each character of `text`, once one is deleted
    for repair, needs in _REPAIRS:
        if not needs.search(text):  # it would return its input unchanged
            continue
        text, deleted = repair(text)
        if deleted:
            if source is None:
                source = np.arange(len(text) + len(deleted))
            source = np.delete(source, deleted)
    return text, OffsetMap((0,), (0,)) if source is None else _offset_map(source)


def _offset_map(source: np.ndarray) -> OffsetMap:
    """Breakpoints where the shift from normalised to source offset changes."""
    if not len(source):
        return OffsetMap((0,), (0,))
    delta = source - np.arange(len(source))
    breaks = np.flatnonzero(np.diff(delta)) + 1
    return OffsetMap((0, *breaks.tolist()), (int(delta[0]), *delta[breaks].tolist()))


def _cut(text: str, deleted: list[int], replaced: dict[int, str] | None = None) -> str:
    """`text` without the characters at `deleted` (sorted), and with `replaced` ones changed."""
    if replaced:
        chars = list(text)
        for at, ch in replaced.items():
            chars[at] = ch
        text = "".join(chars)
    if not deleted:
        return text
    pieces, at = [], 0
    for k in deleted:
        pieces.append(text[at:k])
        at = k + 1
    pieces.append(text[at:])
    return "".join(pieces)


# --- character classes -------------------------------------------------------

def is_ideograph(ch: str) -> bool:
    code = ord(ch) if len(ch) == 1 else -1
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
        or ch == "〇"
    )


def is_cjk(ch: str) -> bool:
    """A CJK ideograph or CJK/full-width punctuation (not the ideographic space)."""
    if len(ch) != 1:
        return False
    code = ord(ch)
    return (
        is_ideograph(ch)
        or 0x3001 <= code <= 0x303F
        or 0xFF01 <= code <= 0xFF0F
        or 0xFF1A <= code <= 0xFF20
        or 0xFF3B <= code <= 0xFF40
        or 0xFF5B <= code <= 0xFF65
        or ch in _CJK_PUNCT_EXTRA
    )


def _is_space(ch: str) -> bool:
    return ch != "\n" and ch.isspace()


# --- 1. controls, 2. widths ------------------------------------------------------

_CONTROL_GONE = re.compile("\r(?=\n)|[\ufeff\x00]")  # a lone "\r" becomes "\n" instead
_FOLD = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
         for c in range(r[0], r[1] + 1)}  # full-width ASCII letters and digits


def _drop_controls(text: str) -> tuple[str, list[int]]:
    deleted = [m.start() for m in _CONTROL_GONE.finditer(text)]
    return _CONTROL_GONE.sub("", text).replace("\r", "\n"), deleted


def _fold_widths(text: str) -> tuple[str, list[int]]:
    return text.translate(_FOLD), []


def _half_width(ch: str) -> str:
    return ch.translate(_FOLD)


# --- 3. punctuation -------------------------------------------------------------

_WIDENED = re.compile("[,;:?!()\"']")


def _widen(text: str) -> tuple[str, list[int]]:
    """Half-width punctuation beside CJK text becomes its full-width twin; quotes alternate
    within a line, starting afresh at each line."""
    out = list(text)
    line_end = -1
    for m in _WIDENED.finditer(text):
        k, ch = m.start(), m.group()
        if k > line_end:  # a new line: quotes start afresh
            line_end = text.find("\n", k)
            line_end = len(text) if line_end < 0 else line_end
            opened = {'"': False, "'": False}
        left, right = _neighbour(out, k, -1), _neighbour(text, k, 1)
        full = _quote(ch, opened, left, right) if ch in _QUOTES else _HALF_TO_FULL[ch]
        if is_cjk(left) or is_cjk(right):
            out[k] = full
    return "".join(out), []


def _neighbour(chars, k: int, step: int) -> str:
    """The nearest non-space character on one side of position k in its line."""
    k += step
    while 0 <= k < len(chars) and chars[k] != "\n":
        if not _is_space(chars[k]):
            return chars[k]
        k += step
    return ""


def _quote(ch: str, opened: dict[str, bool], left: str, right: str) -> str:
    opening, closing = _QUOTES[ch]
    if opened[ch]:
        opened[ch] = False
        return closing
    if left and left in "。！？…" or not right:
        return closing  # closes a quote opened in an earlier paragraph
    opened[ch] = True
    return opening


# --- 4. joins ---------------------------------------------------------------------

def _join_cut_paragraphs(text: str) -> tuple[str, list[int]]:
    lines = text.split("\n")
    texts = [line.strip() for line in lines]
    ends, at = [], -1  # where each line's newline is
    for line in lines:
        at += len(line) + 1
        ends.append(at)
    deleted = sorted(ends[k] for k in cut_lines(texts))
    return _cut(text, deleted), deleted


def cut_lines(texts: list[str]) -> set[int]:
    """Of the stripped lines `texts`, those whose trailing newline goes: every line from a
    non-blank one up to the next non-blank line that `continues` it."""
    cut: set[int] = set()
    previous = -1
    for k, text in enumerate(texts):
        if not text:
            continue
        if previous >= 0 and continues(texts[previous], text):
            cut.update(range(previous, k))
        previous = k
    return cut


def continues(before: str, after: str) -> bool:
    """Whether stripped line `after` is the rest of the sentence cut at the end of `before`."""
    if not before or not after:
        return False
    ends_open = is_ideograph(before[-1]) or before[-1] in _OPEN_END
    starts_inside = is_ideograph(after[0]) or after[0] in _CONTINUATION_START
    return ends_open and starts_inside and _body_before(before) and _body_after(after)


def _body_before(text: str) -> bool:
    if len(text) < _MIN_BODY_BEFORE or text.startswith("#") or _BYLINE_OR_CREDIT.search(text):
        return False
    return not (len(text) < _SHORT_HEADLINE and any(_is_space(c) for c in text))


def _body_after(text: str) -> bool:
    return any(c in "。！？…" for c in text) or len(text) >= _MIN_BODY_AFTER


# --- 5. spaces -------------------------------------------------------------------

_SPACES = re.compile(r"[^\S\n]+")


def _squeeze(text: str) -> tuple[str, list[int]]:
    """Drop edge spaces and spaces inside CJK text; collapse the rest to one."""
    deleted: list[int] = []
    replaced: dict[int, str] = {}
    for m in _SPACES.finditer(text):
        k, end = m.span()
        left = "" if k == 0 or text[k - 1] == "\n" else text[k - 1]
        right = text[end] if end < len(text) else "\n"
        if left and right != "\n" and not (is_cjk(left) and is_cjk(right)):
            replaced[k] = " "
            deleted.extend(range(k + 1, end))
        else:
            deleted.extend(range(k, end))
    return _cut(text, deleted, replaced), deleted


# Each repair with the characters without which it changes nothing, looked for in the
# text as given (no earlier repair makes any of a later one's characters, except that a
# "\r" may become "\n").
_REPAIRS: tuple[tuple[Callable[[str], tuple[str, list[int]]], re.Pattern[str]], ...] = (
    (_drop_controls, re.compile("[\r\ufeff\x00]")),
    (_fold_widths, re.compile("[０-９Ａ-Ｚａ-ｚ]")),
    (_widen, _WIDENED),
    (_join_cut_paragraphs, re.compile("\n")),
    (_squeeze, _SPACES),
)
