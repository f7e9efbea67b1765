"""Files, folders and .jsonl corpora -> decoded `Document`s, plus what was skipped.

Why strict: a page decoded with the wrong codec yields mojibake that later stages
would happily turn into nonsense entities, so we never guess silently and never
use errors="ignore". UTF-8 (BOM stripped) is the default; GB18030 is accepted only
when UTF-8 fails, GB18030 decodes strictly and the result reads as Chinese text.

Problems with one file or record (undecodable, binary, empty, too long, not a
regular file, a broken link, a bad JSON line, an id already used) become
`Problem`s and the rest still reads; problems with what the user asked for (a
path that does not exist, an unsupported file named explicitly, an unknown
codec) raise `InputError`, because nothing sensible can follow.

Why a length limit: extraction time grows faster than linearly inside one very
long article (docs/reliability.md has the figures), and a document of many
megabytes is almost always a dump that should be split, so one document over
`max_chars` characters is skipped with a line saying so instead of stalling the build.
"""
from __future__ import annotations

import codecs
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from kg.errors import InputError
from kg.model import Article, Document, Problem

SUPPORTED = (".txt", ".md", ".jsonl")
MAX_CHARS = 500_000  # characters in one document (a file, or one .jsonl record)
_SNIFF_BYTES = 8192
_MAX_NUL_SHARE = 0.1  # more NUL bytes than this share of the first 8 KB: binary or UTF-16
_MAX_BYTES_PER_CHAR = 4  # UTF-8, GB18030 and UTF-32 need at most 4 bytes a character
_MIN_CJK_SHARE = 0.7
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # JSON strings escape \r and \n, so any of these ends a record
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A JSON escape that decodes to a surrogate (\ud800-\udfff, either case): the only way a
# line decoded strictly from UTF-8 or GB18030 can give a field one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SCAN = json.JSONDecoder().scan_once  # what json.loads runs, callable at an index


def read_paths(
    paths: Sequence[str | Path], *, encoding: str | None = None, max_chars: int = MAX_CHARS,
    memo: ReadMemo | None = None) -> tuple[list[Document], list[Problem]]:
    """Read every file named or found under a folder, in a deterministic order.

    Document ids are unique across everything read: a second document with an id
    already taken (a file of the same name in another folder, a repeated .jsonl id)
    is a Problem, because the id names its article in the graph. `memo` keeps what
    each .jsonl line gave, for a process that reads the same inputs again."""
    if encoding is not None:
        _check_codec(encoding)
    docs: list[Document] = []
    problems: list[Problem] = []
    first: dict[str, Document] = {}
    if memo is not None:
        memo.begin()
    for path in _expand(paths):
        found, trouble = _read_file(path, encoding=encoding, max_chars=max_chars, memo=memo)
        problems.extend(trouble)
        for doc in found:
            if doc.id in first:
                problems.append(_duplicate(doc, first[doc.id]))
                continue
            first[doc.id] = doc
            docs.append(doc)
    return docs, problems


def _duplicate(doc: Document, earlier: Document) -> Problem:
    where = (f"on line {earlier.line}" if earlier.source == doc.source and earlier.line
             else f"in {earlier.source}:{earlier.line}" if earlier.line
             else f"in {earlier.source}")
    fix = "give each record a unique id" if doc.line else "rename one of the files"
    return Problem(doc.source, f"duplicate id {doc.id!r} (first {where}), skipped; {fix}",
                   doc.line)


def drop_duplicate_articles(articles: Sequence[Article]) -> tuple[list[Article], list[Problem]]:
    """Keep the first article of each id: the id names the article's node and named graph,
    so a second one (page "x" split into x-01, x-02 beside a file x-01.txt) would merge.
    Here beside `read_paths`, which makes document ids unique the same way, so that code
    needing only this does not import kg.pipeline (and jieba with it)."""
    seen: dict[str, Article] = {}
    kept, problems = [], []
    for article in articles:
        first = seen.setdefault(article.id, article)
        if first is article:
            kept.append(article)
        else:
            problems.append(Problem(article.source, f"duplicate article id {article.id!r} "
                                    f"(first in {first.source}), skipped; rename the file",
                                    0, article.id))
    return kept, problems


def _check_codec(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}; pass a Python codec name such as utf-8 or gb18030"
        ) from None


def input_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files `read_paths` reads, in its order (InputError for a bad path)."""
    return list(_expand(paths))


def _expand(paths: Sequence[str | Path]) -> Iterator[Path]:
    """Explicit files as given, folders recursively (sorted); bad paths raise first."""
    checked = [_check_path(Path(p)) for p in paths]
    for path in checked:
        if path.is_dir():
            yield from _folder_files(path)
        else:
            yield path


def _check_path(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; check the path")
    if path.is_file() and path.suffix.lower() not in SUPPORTED:
        raise InputError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            "give .txt, .md or .jsonl files, or a folder of them"
        )
    return path


# A folder's own documentation is not an article: examples/README.md describes the pages.
FOLDER_DOCS = {"readme", "license", "licence", "source", "changelog"}


def _folder_files(folder: Path) -> list[Path]:
    """Supported files under `folder`, sorted by relative path so runs are repeatable.

    Hidden files and a folder's documentation (README.md, SOURCE.md, ...) are skipped;
    name such a file on the command line to read it anyway. Entries that are not
    folders are kept even when they are not regular files (a broken link, a named
    pipe), so that `_read_file` reports them instead of dropping them unseen."""
    found = [p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED and not p.is_dir()
             and p.stem.lower() not in FOLDER_DOCS and not p.name.startswith(".")]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


class ReadMemo:
    """What each .jsonl line read as (its document or why it was skipped), by the line's
    text and file, from the last read: reading 10,000 records took half a second, most
    of it parsing and checking lines that had not changed. Only lines seen in the last
    read are kept."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str], tuple[Document | None, str]] = {}
        self.now: dict[tuple[str, str], tuple[Document | None, str]] = {}

    def begin(self) -> None:
        if self.now:
            self.last, self.now = self.now, {}

    def record(self, raw: str, source: str, number: int, *,
               decoded_surrogates: bool = True) -> tuple[Document | None, str]:
        found = self.last.get((source, raw))
        if found is None:
            found = _record(raw, source, number, decoded_surrogates=decoded_surrogates)
        doc = found[0]
        if doc is not None and doc.line != number:  # the same record, moved
            found = (replace(doc, line=number), "")
        self.now[(source, raw)] = found
        return found


def _read_file(path: Path, *, encoding: str | None, max_chars: int = MAX_CHARS,
               memo: ReadMemo | None = None) -> tuple[list[Document], list[Problem]]:
    source = str(path)
    control = _CONTROL.search(path.name)
    if control:  # the name becomes the article id and a label: one plain line
        return [], [Problem(source, f"file name has a control character U+{ord(control[0]):04X}, "
                                    "skipped; rename the file")]
    unreadable = _not_a_readable_file(path, max_chars)
    if unreadable:
        return [], [Problem(source, unreadable)]
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return [], [Problem(source, f"cannot read file ({reason}), skipped; check its "
                                    "permissions")]
    text, problem = decode(data, encoding=encoding)
    if problem:
        return [], [Problem(source, problem)]
    if _blank(text):
        return [], [Problem(source, "empty file, skipped; add the article text or remove it")]
    if path.suffix.lower() == ".jsonl":
        # UTF-8 and GB18030, decoded strictly, never yield a surrogate; another codec might.
        decoded_surrogates = encoding is not None and _SURROGATE.search(text) is not None
        return _read_jsonl(text, source, max_chars=max_chars, memo=memo,
                           decoded_surrogates=decoded_surrogates)
    if len(text) > max_chars:
        return [], [Problem(source, _too_long(len(text), max_chars, "file"))]
    return [Document(id=path.stem, source=source, text=text)], []


def _blank(text: str) -> bool:
    """`not text.strip()` without copying the text (a copy of an 88 MB corpus took 0.035 s)."""
    return not text or text.isspace()


def _not_a_readable_file(path: Path, max_chars: int) -> str:
    """Why `path` is not read at all ("" when it can be): checked before opening it,
    because opening a named pipe would wait forever for a writer."""
    try:
        info = path.stat()
    except OSError as exc:
        if path.is_symlink():
            return (f"broken symbolic link to {os.readlink(path)!r}, skipped; fix or remove "
                    "the link")
        return f"cannot read file ({exc.strerror or type(exc).__name__}), skipped"
    if not stat.S_ISREG(info.st_mode):
        kind = ("named pipe" if stat.S_ISFIFO(info.st_mode) else "socket"
                if stat.S_ISSOCK(info.st_mode) else "device" if stat.S_ISCHR(info.st_mode)
                or stat.S_ISBLK(info.st_mode) else "special file")
        return f"not a regular file (a {kind}), skipped; give .txt, .md or .jsonl files"
    if path.suffix.lower() != ".jsonl" and info.st_size > _MAX_BYTES_PER_CHAR * (max_chars + 1):
        return _too_long(None, max_chars, "file", size=info.st_size)
    return ""


def _too_long(chars: int | None, max_chars: int, what: str, *, size: int = 0) -> str:
    amount = f"{chars:,} characters" if chars is not None else f"{size / 1e6:.1f} MB"
    split = ("split it into one file per article or a .jsonl corpus"
             if what == "file" else "split the record into articles")
    return (f"{what} too long ({amount}; the limit is {max_chars:,} characters per document), "
            f"skipped; {split}, or raise --max-chars")


def decode(data: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """(text, "") on success, ("", message saying what to do) on failure."""
    if encoding is not None:
        return _decode_forced(data, encoding)
    if _looks_binary(data):
        return "", ("binary file (NUL bytes), skipped; remove it from the input, or pass "
                    "--encoding utf-16 if it is UTF-16 text")
    try:
        return _strip_bom(data.decode("utf-8")), ""
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_cjk(text):
        return text, ""
    return "", "cannot decode as UTF-8 or GB18030; pass --encoding with the file's codec"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes make a file binary (or UTF-16) unless they are a stray few in UTF-8
    text; those few are dropped by kg.normalise, with offsets still exact."""
    head = data[:_SNIFF_BYTES]
    nuls = head.count(b"\x00")
    if not nuls:
        return False
    if nuls > _MAX_NUL_SHARE * len(head):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _decode_forced(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return _strip_bom(data.decode(encoding)), ""
    except UnicodeDecodeError as exc:
        return "", (
            f"cannot decode as {encoding} (bad byte at offset {exc.start}); "
            "check --encoding or convert the file to UTF-8"
        )


def _strip_bom(text: str) -> str:
    return text.removeprefix("\ufeff")


def _looks_cjk(text: str) -> bool:
    """True when most non-ASCII characters are CJK: a strict GB18030 decode of some
    other codec's bytes usually yields rare symbols and scattered non-CJK letters."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    cjk = sum(1 for c in wide if _is_cjk_or_fullwidth(c))
    return cjk / len(wide) >= _MIN_CJK_SHARE


def _is_cjk_or_fullwidth(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2010 <= code <= 0x2026
    )


def _read_jsonl(text: str, source: str, *, max_chars: int = MAX_CHARS,
                memo: ReadMemo | None = None, decoded_surrogates: bool = True
                ) -> tuple[list[Document], list[Problem]]:
    """One record per line; a bad line is reported by its 1-based number and skipped.
    Ids repeated within the file are reported by `read_paths`, like those across files.
    `decoded_surrogates`: whether `text` itself may hold surrogates (False only when a
    strict UTF-8 or GB18030 decode, or a search, says it holds none)."""
    docs: list[Document] = []
    problems: list[Problem] = []
    for number, (start, end) in enumerate(_line_spans(text), start=1):
        found = _line_record(text, start, end, source, number, memo=memo,
                             decoded_surrogates=decoded_surrogates)
        if found is None:  # a blank line
            continue
        doc, message = found
        if doc is not None and len(doc.text) > max_chars:
            message = _too_long(len(doc.text), max_chars, "record")
            doc = None
        if doc is None:
            problems.append(Problem(source, message, number))
            continue
        docs.append(doc)
    return docs, problems


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of `text`, broken at \\r\\n, \\r or \\n, as
    `_LINE_BREAK.split` would cut them. Spans, not copies: a record is parsed where it
    lies (`_object_in_place`). Without a \\r, str.find finds the same breaks as the
    regex in a fraction of the time."""
    start = 0
    if "\r" in text:
        for brk in _LINE_BREAK.finditer(text):
            yield start, brk.start()
            start = brk.end()
    else:
        while (end := text.find("\n", start)) >= 0:
            yield start, end
            start = end + 1
    yield start, len(text)


def _line_record(text: str, start: int, end: int, source: str, number: int, *,
                 memo: ReadMemo | None, decoded_surrogates: bool
                 ) -> tuple[Document | None, str] | None:
    """What the line text[start:end] reads as (None for a blank line)."""
    obj = _object_in_place(text, start, end) if memo is None else None
    if obj is not None:
        surrogates = decoded_surrogates or bool(_SURROGATE_ESCAPE.search(text, start, end))
        return _document(obj, source, number, surrogates=surrogates)
    raw = text[start:end]
    if _blank(raw):
        return None
    if memo is not None:
        return memo.record(raw, source, number, decoded_surrogates=decoded_surrogates)
    return _record(raw, source, number, decoded_surrogates=decoded_surrogates)


def _object_in_place(text: str, start: int, end: int) -> dict[str, object] | None:
    """The JSON object that is the whole line text[start:end], parsed without copying the
    line out of `text`; None for anything else (errors included), which `_record` then
    reads the usual way, with the usual messages.

    Why it equals json.loads(line): the line starts with "{", so the scan ends at its
    "}" having looked at nothing past it; an object that reaches past `end` (JSON
    whitespace includes line breaks) is refused; after it only spaces and tabs may
    follow, the JSON whitespace a line can hold. Not copying the lines took reading
    10,000 records (88 MB) from 0.275 s to 0.245 s."""
    if start == end or text[start] != "{":
        return None
    try:
        obj, stop = _SCAN(text, start)
    except (json.JSONDecodeError, StopIteration):
        return None
    if stop > end or text[stop:end].strip(" \t"):
        return None
    return obj


def _record(raw: str, source: str, number: int, *,
            decoded_surrogates: bool = True) -> tuple[Document | None, str]:
    """The document of one .jsonl line, or None and why not. `decoded_surrogates`
    False says `raw` holds no surrogate itself."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at column {exc.colno}); fix or remove the line"
    surrogates = decoded_surrogates or bool(_SURROGATE_ESCAPE.search(raw))
    return _document(obj, source, number, surrogates=surrogates)


def _document(obj: object, source: str, number: int, *,
              surrogates: bool = True) -> tuple[Document | None, str]:
    """The document of one parsed .jsonl line, or None and why not. `surrogates` False
    says no field can hold a lone surrogate (the line had no \\uDxxx escape and no
    surrogate of its own), so the fields need no search: searching every field of
    10,000 records took 0.09 s."""
    if not isinstance(obj, dict):
        return None, 'expected a JSON object with "id" and "text"; fix or remove the line'
    rid, body = obj.get("id"), obj.get("text")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid).strip() == "":
        return None, 'missing or invalid "id" (need a non-empty string or integer)'
    if not isinstance(body, str):
        return None, 'missing "text" or not a string; give the article text as a JSON string'
    if _blank(body):
        return None, "empty text, skipped; give the article text or remove the line"
    extra = {k: _optional(obj, k) for k in ("title", "date", "url")}
    control = _CONTROL.search(str(rid))
    if control:
        return None, (f'"id" has a control character U+{ord(control[0]):04X}, skipped; give '
                      "a plain id")
    if surrogates:
        message = _surrogate_problem((("id", str(rid)), ("text", body), *extra.items()))
        if message:
            return None, message
    return Document(id=str(rid), source=source, text=body, line=number, **extra), ""


def _surrogate_problem(fields: Iterable[tuple[str, str]]) -> str:
    """Why the first field holding a lone surrogate cannot be read ("" when none does)."""
    for key, value in fields:
        bad = _SURROGATE.search(value)
        if bad:
            return (f'"{key}" has a lone surrogate \\u{ord(bad[0]):04x} at character '
                    f"{bad.start()} (not valid Unicode), skipped; fix that escape in the line")
    return ""


def _optional(obj: dict[str, object], key: str) -> str:
    """A one-line field: runs of whitespace, line and paragraph separators included,
    become one space (a title is a label, not text that evidence offsets point into)."""
    value = obj.get(key)
    return "" if value is None else " ".join(str(value).split())
