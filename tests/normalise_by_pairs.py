"""The former, pair-by-pair normalise (kg/normalise.py before 2026-11-22): every repair
over a list of (character, source index) pairs. Kept as the definition that the
string-wise repairs are compared with (tests/test_normalise.py)."""
from __future__ import annotations

from collections.abc import Callable

from kg.model import OffsetMap
from kg.normalise import (_CJK_PUNCT_EXTRA, _CONTINUATION_START, _HALF_TO_FULL, _OPEN_END,  # noqa: F401
                          _QUOTES, _half_width, _is_space, _quote, continues, cut_lines,
                          is_cjk, is_ideograph)

Pair = tuple[str, int]
Line = list[Pair]


def normalise_by_pairs(text: str) -> tuple[str, OffsetMap]:
    pairs: list[Pair] = [(ch, i) for i, ch in enumerate(text)]
    for repair in REPAIRS:
        pairs = repair(pairs)
    return "".join(ch for ch, _ in pairs), _offset_map(pairs)

def _offset_map(pairs: list[Pair]) -> OffsetMap:
    norm, delta = [0], [pairs[0][1] if pairs else 0]
    for i, (_, src) in enumerate(pairs):
        if src - i != delta[-1]:
            norm.append(i)
            delta.append(src - i)
    return OffsetMap(tuple(norm), tuple(delta))


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


def _join_cut_paragraphs(pairs: list[Pair]) -> list[Pair]:
    lines = _split_lines(pairs)
    texts = ["".join(ch for ch, _ in line).strip() for line in lines]
    cut = cut_lines(texts)  # which lines to join was not rewritten, only how
    return [p for k, line in enumerate(lines) for p in line if not (k in cut and p[0] == "\n")]


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


REPAIRS: tuple[Callable[[list[Pair]], list[Pair]], ...] = (
    _drop_controls,
    _fold_widths,
    _per_line(_widen_line),
    _join_cut_paragraphs,
    _per_line(_squeeze_line),
)
