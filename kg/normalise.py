"""Repair extraction damage in page text, keeping an exact map back to the source.

Why: pages come out of PDF extraction with stray spaces inside words ("海城 市"),
paragraphs cut mid-word across a blank line ("杭\\n\\n州市") and half-width
punctuation. Later stages count offsets in the repaired text, but evidence must
point into the file the user gave us, so every repair either deletes a character
or replaces one character by one other. The `OffsetMap` is then exact.

The repairs run in order over (character, source index) pairs:

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

from kg.model import OffsetMap

Pair = tuple[str, int]  # (normalised character, index of its source character)
Line = list[Pair]

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
    # A repair runs only if its characters occur (most pages need two or three of five):
    # skipped, it would have returned its input unchanged.
    repairs = [repair for repair, needs in _REPAIRS if needs.search(text)]
    if not repairs:
        return text, OffsetMap((0,), (0,))
    pairs: list[Pair] = [(ch, i) for i, ch in enumerate(text)]
    for repair in repairs:
        pairs = repair(pairs)
    return "".join(ch for ch, _ in pairs), _offset_map(pairs)


def _offset_map(pairs: list[Pair]) -> OffsetMap:
    norm, delta = [0], [pairs[0][1] if pairs else 0]
    for i, (_, src) in enumerate(pairs):
        if src - i != delta[-1]:
            norm.append(i)
            delta.append(src - i)
    return OffsetMap(tuple(norm), tuple(delta))


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


def _split_lines(pairs: list[Pair]) -> list[Line]:
    """Lines with their "\\n" kept at the end, so joining them gives `pairs` back."""
    lines: list[Line] = [[]]
    for pair in pairs:
        lines[-1].append(pair)
        if pair[0] == "\n":
            lines.append([])
    return lines


def _per_line(fix: Callable[[Line], Line]) -> Callable[[list[Pair]], list[Pair]]:
    def repair(pairs: list[Pair]) -> list[Pair]:
        return [pair for line in _split_lines(pairs) for pair in fix(line)]
    return repair


# --- 1. controls, 2. widths ------------------------------------------------------

def _drop_controls(pairs: list[Pair]) -> list[Pair]:
    out: list[Pair] = []
    for k, (ch, src) in enumerate(pairs):
        if ch == "\r":
            if k + 1 == len(pairs) or pairs[k + 1][0] != "\n":
                out.append(("\n", src))
        elif ch not in "\ufeff\x00":
            out.append((ch, src))
    return out


def _fold_widths(pairs: list[Pair]) -> list[Pair]:
    return [(_half_width(ch), src) for ch, src in pairs]


def _half_width(ch: str) -> str:
    if "０" <= ch <= "９" or "Ａ" <= ch <= "Ｚ" or "ａ" <= ch <= "ｚ":
        return chr(ord(ch) - 0xFEE0)
    return ch


# --- 3. punctuation -------------------------------------------------------------

def _widen_line(line: Line) -> Line:
    """Half-width punctuation beside CJK text becomes its full-width twin."""
    out = list(line)
    opened = {'"': False, "'": False}
    for k, (ch, src) in enumerate(line):
        if ch not in _HALF_TO_FULL and ch not in _QUOTES:
            continue
        left, right = _neighbour(out, k, -1), _neighbour(line, k, 1)
        full = _quote(ch, opened, left, right) if ch in _QUOTES else _HALF_TO_FULL[ch]
        if is_cjk(left) or is_cjk(right):
            out[k] = (full, src)
    return out


def _neighbour(line: Line, k: int, step: int) -> str:
    """The nearest non-space character on one side of position k in the line."""
    k += step
    while 0 <= k < len(line) and line[k][0] != "\n":
        if not _is_space(line[k][0]):
            return line[k][0]
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

def _join_cut_paragraphs(pairs: list[Pair]) -> list[Pair]:
    lines = _split_lines(pairs)
    texts = ["".join(ch for ch, _ in line).strip() for line in lines]
    cut: set[int] = set()  # lines whose trailing newline is deleted
    previous = -1
    for k, text in enumerate(texts):
        if not text:
            continue
        if previous >= 0 and continues(texts[previous], text):
            cut.update(range(previous, k))
        previous = k
    return [p for k, line in enumerate(lines) for p in line if not (k in cut and p[0] == "\n")]


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

def _squeeze_line(line: Line) -> Line:
    """Drop edge spaces and spaces inside CJK text; collapse the rest to one."""
    out: Line = []
    k = 0
    while k < len(line):
        if not _is_space(line[k][0]):
            out.append(line[k])
            k += 1
            continue
        end = k
        while end < len(line) and _is_space(line[end][0]):
            end += 1
        left = out[-1][0] if out else ""
        right = line[end][0] if end < len(line) else "\n"
        if left and right != "\n" and not (is_cjk(left) and is_cjk(right)):
            out.append((" ", line[k][1]))
        k = end
    return out


# Each repair with the characters without which it changes nothing, looked for in the
# text as given (no earlier repair makes any of a later one's characters, except that a
# "\r" may become "\n").
_REPAIRS: tuple[tuple[Callable[[list[Pair]], list[Pair]], re.Pattern[str]], ...] = (
    (_drop_controls, re.compile("[\r\ufeff\x00]")),
    (_fold_widths, re.compile("[０-９Ａ-Ｚａ-ｚ]")),
    (_per_line(_widen_line), re.compile("[,;:?!()\"']")),
    (_join_cut_paragraphs, re.compile("[\n\r]")),
    (_per_line(_squeeze_line), re.compile(r"[^\S\n]")),
)
