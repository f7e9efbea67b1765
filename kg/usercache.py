"""The user's cache folder: derived data kept between processes (never the truth).

Every process of a build (each worker, each rebuild) would otherwise derive the same
tables again: the gazetteer's columns (kg/gazetteer.py) and the person names in jieba's
dictionary (kg/lexicon.py). They are kept in $KG_CACHE_DIR, else
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


def read_json(name: str, key: str) -> Any | None:
    """The value cached as `name` under `key`, or None (missing, stale or damaged)."""
    path = _path(name, key)
    try:
        blob = path.read_bytes() if path is not None else b""
        if not blob.startswith(_MAGIC):
            return None
        head_end = blob.index(b"\n", len(_MAGIC))
        head = json.loads(blob[len(_MAGIC):head_end])
        body = blob[head_end + 1:]
        if head.get("key") != key or hashlib.sha256(body).hexdigest() != head.get("sha256"):
            return None
        return json.loads(body)
    except (OSError, ValueError, TypeError, UnicodeDecodeError):
        return None


def write_json(name: str, key: str, value: Any) -> None:
    """Cache `value` as `name` under `key`; older entries of `name` are removed. Any
    failure (read-only home, full disk) leaves things uncached, never broken."""
    path = _path(name, key)
    if path is None:
        return
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    head = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_MAGIC + head + b"\n" + body)
        os.replace(tmp, path)
        for old in path.parent.glob(f"{name}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _path(name: str, key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{name}-{key[:24]}.json"
