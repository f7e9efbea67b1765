"""Split a newspaper page into articles: headline, byline, dateline, sentences.

Works on the normalised page (`kg.normalise`); each article's text is a slice of
it and its `OffsetMap` points into the source file. Checked against the five
pages in examples/, several of which carry no "#" marks at all.

Lines are the non-blank lines of the page. A *heading* starts with "#".."######".
A *headline-like* line is an unmarked short line (2-40 characters, no 。！？；…,
at most one ，, not opening with a bracket, not ending in ：，、) that is not a byline, dateline,
photo credit, editor note or bare author name: unmarked pages set their
headlines this way, and marked ones put kickers ("新春走基层") above them.

An article starts at:

1. a byline ("本报记者 X", "本报记者 X摄影报道") or dateline ("本报北京2月7日电",
   "本报讯") with a heading or headline-like line just above it; one other line
   (a subtitle) may sit between a heading group and the byline;
2. a bare author line ("李慧斌", "周应良 李群映") right under a headline-like line;
3. a heading group that holds a level-1 heading ("# 标题"): inside articles,
   sub-headings are "##" and deeper ("## 健全综合考核机制，…" does not split);
4. a heading group followed within three lines by a photo credit ("…摄"), i.e. a
   photo story, or a heading group right after a credit line.

The article begins at the top of the block of heading and headline-like lines
(at most four) above that point, so kickers and subtitles travel with their
headline. Text before the first start is an article too. A byline directly under
another byline does not split.

Title: among the lines the article opens with (its head block), the heading with
the fewest "#", and the last of those when several tie: on these pages the main
headline sits nearest the byline, under kickers such as "## 浙江多措并举，…——"
or "## 江西萍乡市湘东区"; a subtitle opening with "——" is passed over.
Unmarked head lines rank below "######". A single-article
document with its own title (a .jsonl record) keeps that title.

Byline names come from the source text, where spaces still separate names
("本报记者 周应良 李群映"); one-character fragments of a name split by a stray
space are glued back ("张 驰" -> 张驰).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Article, Document, OffsetMap, Sentence
from kg.normalise import is_ideograph, normalise

_HEADING = re.compile(r"^(#{1,6})\s*")
_DATELINE = re.compile(r"^(?:本报|新华社)[\u4e00-\u9fff]{0,10}?\d{1,2}月\d{1,2}日电|^本报讯")
_CREDIT = re.compile(r"摄(?:（[^）]*）)?$")
_NOTE = re.compile(r"^(?:本版)?(?:责任?编|编辑|校对)")
_NAME_LINE = re.compile(r"^\s*[\u4e00-\u9fff]{1,3}(?:\s+[\u4e00-\u9fff]{1,3})*\s*$")
_BYLINE_PARTS = re.compile(r"^\s*本报记者|(?:摄影报道|报道|摄)\s*$")
_REPORTER_PAREN = re.compile(r"[（(]\s*记者\s*([^）)]{1,30}?)\s*[）)]")
_PHOTO_BY = re.compile(
    r"(?:新华社|本报|人民日报)记者\s*([\u4e00-\u9fff][\u4e00-\u9fff\s、]{0,20}?)\s*摄")
_NAME_SEPARATORS = re.compile(r"[\s、，,；;]+|通讯员|实习生")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")
_SENTENCE_ENDS = "。！？；…"
_CLOSING = "”’」』）"
_MAX_HEADLINE = 40
_MAX_HEAD_LINES = 4
_CREDIT_REACH = 3
_UNMARKED_RANK = 7


@dataclass(frozen=True)
class _Line:
    start: int  # offsets in the normalised page
    end: int
    text: str
    raw: str  # the same line in the source file, spaces intact
    level: int  # 1-6 for "#" headings, 0 otherwise


def segment(doc: Document) -> list[Article]:
    """The articles on one page, in order; never empty, never raises."""
    text, omap = normalise(doc.text)
    lines = _lines(text, omap, doc.text)
    if not lines:
        return [_empty_article(doc, omap)]
    starts = _article_starts(lines)
    bounds = list(zip(starts, [*starts[1:], len(lines)]))
    return [
        _article(doc, text, omap, lines[a:b], ident=_article_id(doc.id, n, len(bounds)))
        for n, (a, b) in enumerate(bounds, start=1)
    ]


def _article_id(doc_id: str, n: int, total: int) -> str:
    return doc_id if total == 1 else f"{doc_id}-{n:02d}"


def _lines(text: str, omap: OffsetMap, source: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for chunk in text.split("\n"):
        end = pos + len(chunk)
        if chunk.strip():
            raw = source[omap.to_source(pos):omap.to_source(end)]
            mark = _HEADING.match(chunk)
            out.append(_Line(pos, end, chunk, raw, len(mark.group(1)) if mark else 0))
        pos = end + 1
    return out


# --- what a line is ---------------------------------------------------------------

def _is_byline(line: _Line) -> bool:
    return line.text.startswith("本报记者") and len(line.text) <= 30 and "。" not in line.text


def _dateline(line: _Line) -> str:
    found = _DATELINE.match(line.text)
    return found.group(0) if found else ""


def _is_credit(line: _Line) -> bool:
    text = line.text
    return len(text) <= _MAX_HEADLINE and bool(_CREDIT.search(text)) and not _is_byline(line)


def _is_name_line(line: _Line) -> bool:
    return (2 <= len(line.text) <= 12 and not line.text.endswith("摄")
            and bool(_NAME_LINE.match(line.raw)) and bool(_names(line.raw)))


def _is_marker(line: _Line) -> bool:
    """Bylines, datelines, credits, notes and author names: never part of a headline."""
    return (_is_byline(line) or bool(_dateline(line)) or _is_credit(line)
            or bool(_NOTE.match(line.text)) or _is_name_line(line))


def _headline_like(line: _Line) -> bool:
    text = line.text
    return (line.level == 0 and 2 <= len(text) <= _MAX_HEADLINE
            and not any(c in _SENTENCE_ENDS for c in text) and text.count("，") <= 1
            and text[0] not in "（(" and text[-1] not in "：，、" and "@" not in text
            and not _is_marker(line))


def _headish(line: _Line) -> bool:
    return line.level > 0 or _headline_like(line)


# --- where articles start -------------------------------------------------------------

def _article_starts(lines: list[_Line]) -> list[int]:
    starts = {0}
    for k in range(len(lines)):
        if _is_anchor(lines, k):
            top = _head_top(lines, k, allow_gap=True)
            if top < k:
                starts.add(top)
        elif _opens_group(lines, k):
            starts.add(_head_top(lines, k, allow_gap=False))
    return sorted(starts)


def _is_anchor(lines: list[_Line], k: int) -> bool:
    line = lines[k]
    if _is_byline(line) or _dateline(line):
        return True
    return k > 0 and _headish(lines[k - 1]) and _is_name_line(line)


def _opens_group(lines: list[_Line], k: int) -> bool:
    """Rules 3 and 4: k is the first line of a heading group that starts an article."""
    if not lines[k].level or (k > 0 and lines[k - 1].level):
        return False
    end = k
    while end < len(lines) and lines[end].level:
        end += 1
    if any(line.level == 1 for line in lines[k:end]):
        return True
    after = lines[end:end + _CREDIT_REACH]
    return any(_is_credit(line) for line in after) or (k > 0 and _is_credit(lines[k - 1]))


def _head_top(lines: list[_Line], k: int, *, allow_gap: bool) -> int:
    """First line of the headline block that ends just above line k."""
    j = k
    if (allow_gap and j >= 2 and lines[j - 2].level
            and not _headish(lines[j - 1]) and not _is_marker(lines[j - 1])):
        j -= 1  # "## 标题 / 副题或导语 / 本报记者 X"
    taken = 0
    while j > 0 and taken < _MAX_HEAD_LINES and _headish(lines[j - 1]):
        j -= 1
        taken += 1
    return j


# --- building one article -------------------------------------------------------------

def _article(doc: Document, text: str, omap: OffsetMap, lines: list[_Line], *,
             ident: str) -> Article:
    start, end = lines[0].start, lines[-1].end
    head = _head(lines)
    dateline = next((d for d in map(_dateline, lines) if d), "")
    single = ident == doc.id
    return Article(
        id=ident,
        source=doc.source,
        text=text[start:end],
        offsets=omap.shifted(start),
        title=doc.title if single and doc.title else _title(head),
        byline=_byline(lines, len(head)),
        dateline=dateline,
        date=_date(doc.date, dateline),
        url=doc.url,
        sentences=tuple(_sentences(lines, start)),
    )


def _empty_article(doc: Document, omap: OffsetMap) -> Article:
    return Article(id=doc.id, source=doc.source, text="", offsets=omap, title=doc.title,
                   date=_date(doc.date, ""), url=doc.url)


def _head(lines: list[_Line]) -> list[_Line]:
    n = 0
    while n < len(lines) and _headish(lines[n]):
        n += 1
    return lines[:n]


def _title(head: list[_Line]) -> str:
    if not head:
        return ""
    top = min(line.level or _UNMARKED_RANK for line in head)
    ranked = [_HEADING.sub("", line.text).strip() for line in head
              if (line.level or _UNMARKED_RANK) == top]
    mains = [text for text in ranked if not text.startswith("——")] or ranked
    return mains[-1]


def _byline(lines: list[_Line], head_len: int) -> tuple[str, ...]:
    names: list[str] = []
    for k, line in enumerate(lines):
        names.extend(_line_names(line, author_slot=(k == head_len > 0)))
    return tuple(dict.fromkeys(names))


def _line_names(line: _Line, *, author_slot: bool) -> list[str]:
    if _is_byline(line):
        return _names(_BYLINE_PARTS.sub("", line.raw))
    if author_slot and _is_name_line(line):
        return _names(line.raw)
    found = [m.group(1) for m in _REPORTER_PAREN.finditer(line.raw)]
    found += [m.group(1) for m in _PHOTO_BY.finditer(line.raw)]
    return [name for part in found for name in _names(part)]


def _names(text: str) -> list[str]:
    """Person names in a byline fragment: 2-4 ideographs each."""
    tokens = [t for t in _NAME_SEPARATORS.split(text) if t]
    return [n for n in _glue_fragments(tokens)
            if 2 <= len(n) <= 4 and all(is_ideograph(c) for c in n)]


def _glue_fragments(tokens: list[str]) -> list[str]:
    """Glue one-character pieces to a neighbour: PDF extraction splits "张驰" as "张 驰"."""
    names: list[str] = []
    carry = ""
    for token in tokens:
        token, carry = carry + token, ""
        if len(token) == 1:
            carry = token
        else:
            names.append(token)
    if carry and names:
        names[-1] += carry
    return names


def _date(doc_date: str, dateline: str) -> str:
    """The record's date if it is a full date; else its year with the dateline's day."""
    if re.match(r"\d{4}-\d{2}-\d{2}", doc_date):
        return doc_date
    year, day = re.match(r"(\d{4})", doc_date), _MONTH_DAY.search(dateline)
    if year and day:
        return f"{year.group(1)}-{int(day.group(1)):02d}-{int(day.group(2)):02d}"
    return doc_date


# --- sentences ---------------------------------------------------------------------------

def _sentences(lines: list[_Line], offset: int) -> list[Sentence]:
    out: list[Sentence] = []
    for paragraph, line in enumerate(lines):
        base = line.start - offset
        if line.level:
            mark = _HEADING.match(line.text)
            skip = mark.end() if mark else 0
            spans = [(skip, len(line.text))] if skip < len(line.text) else []
        else:
            spans = split_sentences(line.text)
        out.extend(Sentence(base + s, base + e, paragraph) for s, e in spans)
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences in one paragraph, split after 。！？；… and any closing quote."""
    spans: list[tuple[int, int]] = []
    start = k = 0
    while k < len(text):
        k += 1
        if text[k - 1] in _SENTENCE_ENDS:
            while k < len(text) and text[k] in _SENTENCE_ENDS + _CLOSING:
                k += 1
            spans.append((start, k))
            start = k
    spans.append((start, len(text)))
    return [span for span in map(lambda s: _trim(text, *s), spans) if span[0] < span[1]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
