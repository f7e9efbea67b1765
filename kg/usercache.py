"""The user's cache folder: derived data kept between processes (never the truth).

Every process of a build (each worker, each rebuild) would otherwise derive the same
tables again: the gazetteer's columns (kg/gazetteer.py), the person names in jieba's
dictionary (kg/lexicon.py), jieba's dictionary and tagger tables
(kg/recognise/jieba_tables.py) and the person model's score tables
(kg/recognise/person_scores.py). They are kept in $KG_CACHE_DIR, else
$XDG_CACHE_HOME/jiceng-kg, else ~/.cache/jiceng-kg; KG_CACHE_DIR=off turns caching off.
An entry is named by a key that hashes everything it was derived from (data and code),
carries a checksum of its body, and is written atomically; a missing, stale, damaged or
unwritable entry only means the data is derived again.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

_MAGIC = b"jiceng-kg cache 1\n"


def cache_dir() -> Path | None:
    """Where cached tables live; None when KG_CACHE_DIR is "off"."""
    configured = os.environ.get("KG_CACHE_DIR")
    if configured:
        return None if configured.lower() in ("off", "0", "none") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "jiceng-kg"


def key_of(*parts: bytes | str) -> str:
    """A key for data derived from `parts` (file contents, code, versions)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def read_entry(path: Path, magic: bytes, key: str) -> tuple[dict, memoryview] | None:
    """(head, body) of the entry at `path`, or None when it is missing, not made under
    `key`, or damaged (its body's checksum does not match). The layout is `magic`, one
    line of JSON (the head: key, sha256 of the body, anything the writer added), body."""
    try:
        blob = path.read_bytes()
        if not blob.startswith(magic):
            return None
        head_end = blob.index(b"\n", len(magic))
        head = json.loads(blob[len(magic):head_end])
        body = memoryview(blob)[head_end + 1:]
        if head.get("key") != key or hashlib.sha256(body).hexdigest() != head.get("sha256"):
            return None
        return head, body
    except (OSError, ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def write_entry(path: Path, magic: bytes, key: str, body: bytes, **head: Any) -> bool:
    """Write an entry atomically (temporary file, then rename); False when it could not
    be written (read-only home, full disk): that only leaves things uncached."""
    head = {"key": key, "sha256": hashlib.sha256(body).hexdigest(), **head}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(magic + json.dumps(head).encode() + b"\n" + body)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False


def read_json(name: str, key: str) -> Any | None:
    """The value cached as `name` under `key`, or None (missing, stale or damaged)."""
    body = read_bytes(name, key, suffix="json")
    if body is None:
        return None
    try:
        return json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        return None


def write_json(name: str, key: str, value: Any) -> None:
    """Cache `value` as `name` under `key`; older entries of `name` are removed. Any
    failure leaves things uncached, never broken."""
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    write_bytes(name, key, body, suffix="json")


def read_bytes(name: str, key: str, *, suffix: str) -> memoryview | None:
    """The body cached as `name` under `key` (file `name-KEY.suffix`), checksum verified,
    or None (missing, stale, damaged, or caching off)."""
    path = _path(name, key, suffix)
    found = read_entry(path, _MAGIC, key) if path is not None else None
    return None if found is None else found[1]


def write_bytes(name: str, key: str, body: bytes, *, suffix: str) -> bool:
    """Cache `body` as `name` under `key`, atomically; older entries of `name` are
    removed. False (and nothing else) when it could not be written."""
    path = _path(name, key, suffix)
    if path is None or not write_entry(path, _MAGIC, key, body):
        return False
    for old in path.parent.glob(f"{name}-*.{suffix}"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
    return True


def _path(name: str, key: str, suffix: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{name}-{key[:24]}.{suffix}"
