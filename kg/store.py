"""Open and save graphs. Errors name the file, the line when known, and what to do.

Graphs live in an in-memory rdflib Graph for now. Reading and writing go through a
`Backend` so a persistent store (Oxigraph) can be added as a second backend
without changing callers: `save_graph(..., backend="oxigraph")`.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, Graph

from kg.errors import GraphError, OutputError
from kg.rdf import FORMATS, bind_prefixes, serialize

FORMAT_OF_SUFFIX = {".ttl": "ttl", ".nt": "nt", ".nq": "nquads", ".jsonld": "jsonld"}
RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "nquads": "nquads", "jsonld": "json-ld"}


def format_for_path(path: str | Path) -> str:
    """The format name (ttl, nt, nquads, jsonld) for a file name's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMAT_OF_SUFFIX:
        known = ", ".join(FORMAT_OF_SUFFIX)
        raise GraphError(f"{path}: unknown graph file extension {suffix or '(none)'!r}; "
                         f"use one of {known}")
    return FORMAT_OF_SUFFIX[suffix]


# ---------------------------------------------------------------- backends

class Backend(Protocol):
    """Where graphs are read from and written to."""

    def load(self, path: Path, fmt: str) -> Graph: ...

    def save(self, graph: Graph, path: Path, fmt: str) -> None: ...


class MemoryBackend:
    """Files parsed into, and written from, an in-memory rdflib Graph."""

    def load(self, path: Path, fmt: str) -> Graph:
        # N-Quads keep their named graphs; default_union lets triple queries see them all.
        graph: Graph = Dataset(default_union=True) if fmt == "nquads" else Graph()
        bind_prefixes(graph)
        try:
            graph.parse(path, format=RDFLIB_FORMAT[fmt])
        except OSError:
            raise  # load_graph words these
        except UnicodeDecodeError as exc:
            raise GraphError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save the file "
                             "as UTF-8") from None
        except Exception as exc:  # rdflib's parsers raise unrelated exception types
            line, why = _where(path, fmt, exc)
            where = f"{path}:{line}" if line else str(path)
            raise GraphError(f"{where}: cannot parse as {fmt} ({why}); fix the file or "
                             "regenerate it") from None
        return graph

    def save(self, graph: Graph, path: Path, fmt: str) -> None:
        _write_atomic(path, serialize(graph, fmt))


BACKENDS: dict[str, Backend] = {"memory": MemoryBackend()}


def _backend(name: str) -> Backend:
    if name not in BACKENDS:
        raise GraphError(f"unknown graph store backend {name!r}; use one of "
                         f"{', '.join(sorted(BACKENDS))}")
    return BACKENDS[name]


# ---------------------------------------------------------------- public API

def save_graph(graph: Graph, path: str | Path, *, fmt: str | None = None,
               backend: str = "memory") -> Path:
    """Write `graph` to `path` atomically; fmt defaults to the one the extension names."""
    path = Path(path)
    fmt = fmt or format_for_path(path)
    if fmt not in FORMATS:
        raise OutputError(f"{path}: unknown output format {fmt!r}; use one of "
                          f"{', '.join(FORMATS)}")
    _backend(backend).save(graph, path, fmt)
    return path


def load_graph(path: str | Path, *, backend: str = "memory") -> Graph:
    """Read a .ttl, .nt, .nq or .jsonld file into a graph."""
    path = Path(path)
    fmt = format_for_path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise GraphError(f"{path}: {what}; give the path of a graph file "
                         f"({', '.join(FORMAT_OF_SUFFIX)})")
    try:
        return _backend(backend).load(path, fmt)
    except OSError as exc:
        raise GraphError(f"{path}: cannot read ({exc.strerror or exc}); check the file "
                         "exists and is readable") from None


# ---------------------------------------------------------------- helpers

def _write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename over it: never half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        if path.parent.exists() and not path.parent.is_dir():
            raise OutputError(f"cannot write {path}: {path.parent} is a file, not a folder; "
                              "choose another output path")
        path.parent.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 lets the umask decide permissions, as for any new file.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {path}: {reason}; choose a writable location "
                          "or fix the folder's permissions") from None


def _where(path: Path, fmt: str, exc: Exception) -> tuple[int, str]:
    """(1-based line or 0, short reason) for a parse error."""
    if isinstance(exc, json.JSONDecodeError):
        return exc.lineno, exc.msg
    lines = getattr(exc, "lines", None)  # notation3.BadSyntax: newlines before the error
    if isinstance(lines, int):
        return lines + 1, str(getattr(exc, "_why", exc))
    why = " ".join(str(exc).split())
    if fmt in ("nt", "nquads"):
        return _first_bad_line(path, fmt), why
    return 0, why


def _first_bad_line(path: Path, fmt: str) -> int:
    """Line-based formats: parse line by line to find the first that fails (only on error)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Dataset() if fmt == "nquads" else Graph()).parse(data=line, format=RDFLIB_FORMAT[fmt])
        except Exception:
            return number
    return 0
