"""Files, folders and .jsonl corpora -> decoded `Document`s, plus what was skipped.

Why strict: a page decoded with the wrong codec yields mojibake that later stages
would happily turn into nonsense entities, so we never guess silently and never
use errors="ignore". UTF-8 (BOM stripped) is the default; GB18030 is accepted only
when UTF-8 fails, GB18030 decodes strictly and the result reads as Chinese text.

Problems with one file or record (undecodable, binary, empty, bad JSON line,
duplicate id) become `Problem`s and the rest still reads; problems with what the
user asked for (a path that does not exist, an unsupported file named explicitly,
an unknown codec) raise `InputError`, because nothing sensible can follow.
"""
from __future__ import annotations

import codecs
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from kg.errors import InputError
from kg.model import Document, Problem

SUPPORTED = (".txt", ".md", ".jsonl")
_SNIFF_BYTES = 8192
_MIN_CJK_SHARE = 0.7


def read_paths(
    paths: Sequence[str | Path], *, encoding: str | None = None
) -> tuple[list[Document], list[Problem]]:
    """Read every file named or found under a folder, in a deterministic order."""
    if encoding is not None:
        _check_codec(encoding)
    docs: list[Document] = []
    problems: list[Problem] = []
    for path in _expand(paths):
        found, trouble = _read_file(path, encoding=encoding)
        docs.extend(found)
        problems.extend(trouble)
    return docs, problems


def _check_codec(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}; pass a Python codec name such as utf-8 or gb18030"
        ) from None


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
    name such a file on the command line to read it anyway."""
    found = [p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED and p.is_file()
             and p.stem.lower() not in FOLDER_DOCS and not p.name.startswith(".")]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _read_file(path: Path, *, encoding: str | None) -> tuple[list[Document], list[Problem]]:
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return [], [Problem(source, f"cannot read file ({reason}); check its permissions")]
    text, problem = decode(data, encoding=encoding)
    if problem:
        return [], [Problem(source, problem)]
    if not text.strip():
        return [], [Problem(source, "empty file, skipped")]
    if path.suffix.lower() == ".jsonl":
        return _read_jsonl(text, source)
    return [Document(id=path.stem, source=source, text=text)], []


def decode(data: bytes, *, encoding: str | None = None) -> tuple[str, str]:
    """(text, "") on success, ("", message saying what to do) on failure."""
    if encoding is not None:
        return _decode_forced(data, encoding)
    if b"\x00" in data[:_SNIFF_BYTES]:
        return "", "binary file (NUL bytes), skipped; if it is UTF-16 text, pass --encoding utf-16"
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


def _decode_forced(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return _strip_bom(data.decode(encoding)), ""
    except UnicodeDecodeError as exc:
        return "", (
            f"cannot decode as {encoding} (bad byte at offset {exc.start}); "
            "check --encoding or convert the file to UTF-8"
        )


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


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


def _read_jsonl(text: str, source: str) -> tuple[list[Document], list[Problem]]:
    """One record per line; a bad line is reported by its 1-based number and skipped."""
    docs: list[Document] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        doc, message = _record(raw, source, number)
        if doc is not None and doc.id in first_line:
            message = (f"duplicate id {doc.id!r} (first on line {first_line[doc.id]}), "
                       "skipped; give each record a unique id")
            doc = None
        if doc is None:
            problems.append(Problem(source, message, number))
            continue
        first_line[doc.id] = number
        docs.append(doc)
    return docs, problems


def _record(raw: str, source: str, number: int) -> tuple[Document | None, str]:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at column {exc.colno}); fix or remove the line"
    if not isinstance(obj, dict):
        return None, 'expected a JSON object with "id" and "text"; fix or remove the line'
    rid, body = obj.get("id"), obj.get("text")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid).strip() == "":
        return None, 'missing or invalid "id" (need a non-empty string or integer)'
    if not isinstance(body, str):
        return None, 'missing "text" or not a string; give the article text as a JSON string'
    if not body.strip():
        return None, "empty text, skipped"
    extra = {k: _optional(obj, k) for k in ("title", "date", "url")}
    return Document(id=str(rid), source=source, text=body, line=number, **extra), ""


def _optional(obj: dict[str, object], key: str) -> str:
    value = obj.get(key)
    return "" if value is None else str(value)
