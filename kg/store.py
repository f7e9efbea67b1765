"""Open and save graphs and stores. Errors name the file, the line when known, and what to do.

Two kinds of place hold a graph:

- a graph file (.ttl, .nt, .nq, .jsonld), read into an in-memory rdflib graph;
- an Oxigraph store on disk (`kg build` writes one to OUT/store), one named
  graph per article (kg/export.py says how triples are split), queried by
  Oxigraph's own SPARQL engine through oxrdflib with the union of the named
  graphs as the default graph.

`load_graph` takes either, or an output folder (its store, else its graph
file); backend="memory" reads anything into rdflib's in-memory store instead.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Container, Mapping
from pathlib import Path
from typing import Any, Protocol

from rdflib import Dataset, Graph

from kg.errors import GraphError, OutputError
from kg.rdf import FORMATS, bind_prefixes, serialize

FORMAT_OF_SUFFIX = {".ttl": "ttl", ".nt": "nt", ".nq": "nquads", ".jsonld": "jsonld"}
STORE_DIR = "store"  # the Oxigraph store inside an output folder
STORE_BACKENDS = ("auto", "oxigraph", "memory")
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


def load_graph(path: str | Path, *, backend: str = "auto") -> Graph:
    """Open a graph file, an Oxigraph store, or an output folder holding either.

    backend "auto": stores through Oxigraph, files into memory; "memory": everything
    into an in-memory rdflib graph; "oxigraph": files too, into an in-memory Oxigraph."""
    path = Path(path)
    if backend not in STORE_BACKENDS:
        raise GraphError(f"unknown store {backend!r}; use one of {', '.join(STORE_BACKENDS)}")
    if path.is_dir():
        return _load_folder(path, backend)
    if backend == "auto":
        backend = "memory"
    fmt = format_for_path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise GraphError(f"{path}: {what}; give the path of a graph file "
                         f"({', '.join(FORMAT_OF_SUFFIX)})")
    try:
        if backend == "oxigraph":
            return _oxigraph_file(path, fmt)
        return _backend(backend).load(path, fmt)
    except OSError as exc:
        raise GraphError(f"{path}: cannot read ({exc.strerror or exc}); check the file "
                         "exists and is readable") from None


def find_store(path: str | Path) -> Path | None:
    """The Oxigraph store at `path`, or in `path`/store (an output folder), or None."""
    path = Path(path)
    for candidate in (path, path / STORE_DIR):
        if (candidate / "CURRENT").is_file():  # RocksDB's marker file
            return candidate
    return None


def open_store(path: str | Path, *, read_only: bool = True) -> Any:
    """A pyoxigraph Store on disk (created when writing and absent)."""
    import pyoxigraph as ox

    path = Path(path)
    try:
        if read_only:
            return ox.Store.read_only(str(path))
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        reason = " ".join(str(exc).split())
        raise GraphError(f"{path}: cannot open the Oxigraph store ({reason}); check that no "
                         "other command is writing it, or rebuild it with `kg build`") from None


def store_graph(store: Any) -> Graph:
    """An rdflib view of a pyoxigraph Store: SPARQL runs in Oxigraph, default graph = union."""
    dataset = Dataset(store=_oxigraph_store_class()(store=store), default_union=True)
    bind_prefixes(dataset)
    return dataset


@functools.cache
def _oxigraph_store_class() -> type:
    from oxrdflib import OxigraphStore

    class PrefixSafeOxigraphStore(OxigraphStore):
        """oxrdflib hands initNs to pyoxigraph, which wants plain strings, not Namespaces."""

        def query(self, query: Any, initNs: Any, initBindings: Any, queryGraph: Any,  # noqa: N803
                  **kwargs: Any) -> Any:
            prefixes = {k: str(v) for k, v in initNs.items()}
            return super().query(query, prefixes, initBindings, queryGraph, **kwargs)

    return PrefixSafeOxigraphStore


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def sync_store(path: str | Path, parts: Mapping[str, bytes], previous: dict[str, str], *,
               hashes: dict[str, str] | None = None,
               patches: Mapping[str, Callable[[Any, Any], bool]] | None = None
               ) -> tuple[dict[str, str], int]:
    """Make the store at `path` hold exactly `parts` (graph name -> N-Triples): replace
    the named graphs whose content hash differs from `previous`, drop the ones gone.
    `parts` may make each graph when looked up (serialise.Sections.parts): with `hashes`
    (the content hash of each part, known already) only changed graphs are looked up.
    `patches`: graph name -> patch(store, graph), which brings a changed graph up to
    date itself (only what changed) and says whether it could; else it is replaced.
    Returns the new hashes and how many graphs were written."""
    import pyoxigraph as ox

    if hashes is None:
        hashes = {name: content_hash(data) for name, data in parts.items()}
    store = open_store(path, read_only=False)
    try:
        # The manifest lists the graphs and hashes of a store only once it holds them
        # all (kg/build.py writes it after this, and lists none while this runs): with
        # `previous`, the store holds those graphs, and is not listed (10,000 named
        # graphs took 0.11 s to list). Without, it is listed: whatever a killed build
        # left in it is found; and an empty one (removed since) is loaded whole.
        if previous and next(iter(store.named_graphs()), None) is not None:
            existing: Container[str] = previous.keys()
            gone = previous.keys() - hashes.keys()
        else:  # a store removed since is empty: loaded whole
            existing = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
            gone = existing - hashes.keys()
            if not existing:
                _bulk_load(store, parts)
                _compact(store)
                return hashes, len(parts)
        for name in sorted(gone):
            store.remove_graph(ox.NamedNode(name))
        written = 0
        for name in parts:
            if name in existing and previous.get(name) == hashes[name]:
                continue
            graph = ox.NamedNode(name)
            patch = (patches or {}).get(name)
            if name in existing and patch is not None and patch(store, graph):
                written += 1
                continue
            data = parts[name]
            if name in existing:
                _replace_graph(store, graph, data)
            else:
                store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            written += 1
        if written >= max(COMPACT_AFTER, len(parts) // 10):
            _compact(store)
        return hashes, written
    finally:
        store.flush()
        del store  # closes RocksDB and releases its lock


# Graphs rewritten from which a store is compacted (besides after a bulk load).
COMPACT_AFTER = 500


def _compact(store: Any) -> None:
    """Compact the store's files (RocksDB). A bulk load leaves one file per batch, each
    spanning the whole key range, and every lookup then reads them all: the presets on
    the 10,000-article store took 2-3 x longer (org_hierarchy 233 ms against 68 ms)
    until compacted, which took 5.5 s there. Small rebuilds skip it."""
    store.optimize()


def _replace_graph(store: Any, graph: Any, data: bytes) -> None:
    """Make one named graph hold `data`, removing and adding only the triples that
    differ: a rebuild changes a few lines of the entities graph, and clearing and
    loading it whole took 9 s of a 2,000-article rebuild."""
    import pyoxigraph as ox

    old = set(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).split(b"\n"))
    new = set(data.split(b"\n"))
    name = f" <{graph.value}> .".encode()
    gone = b"\n".join(line[:-2] + name for line in old - new if line)
    for quad in ox.parse(gone, format=ox.RdfFormat.N_QUADS) if gone else ():
        store.remove(quad)
    added = b"\n".join(line for line in new - old if line)
    if added:
        store.load(added + b"\n", format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


def replace_subjects(store: Any, graph: Any, subjects: list[str], data: bytes) -> None:
    """Remove every triple of `subjects` (IRIs) from one named graph and add `data`
    (N-Triples): the entities graph of 10,000 articles, dumped and compared whole,
    took 5 s when one article named one more entity."""
    import pyoxigraph as ox

    for subject in subjects:
        for quad in list(store.quads_for_pattern(ox.NamedNode(subject), None, None, graph)):
            store.remove(quad)
    if data:
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


# N-Quads per bulk load: with 64 MB the loader took 4x the memory (+415 MB for the store
# of 10,000 articles, against +103 MB) and longer (28.8 s against 22.5 s).
BULK_BYTES = 8 << 20


def _bulk_load(store: Any, parts: Mapping[str, bytes]) -> None:
    """Load every part into a new store, some megabytes of N-Quads at a time: the loader
    takes several times the memory of what it is given, and the entities graph alone
    is over 100 MB at 10,000 articles, so large parts are cut at line ends too."""
    import pyoxigraph as ox

    batch: list[bytes] = []
    size = 0
    for name, data in parts.items():
        suffix = f" <{name}> .".encode()
        start = 0
        while start < len(data):
            end = data.find(b"\n", start + BULK_BYTES - size) + 1 or len(data)
            quads = [line[:-2] + suffix for line in data[start:end].split(b"\n") if line]
            if quads:
                batch.append(b"\n".join(quads) + b"\n")
                size += len(batch[-1])
            start = end
            if size >= BULK_BYTES:
                store.bulk_load(b"".join(batch), format=ox.RdfFormat.N_QUADS)
                batch, size = [], 0
    if batch:
        store.bulk_load(b"".join(batch), format=ox.RdfFormat.N_QUADS)


def read_nquads(source: str | Path) -> bytes:
    """Sorted N-Quads of a store (as stored) or of a graph file (split per article)."""
    import pyoxigraph as ox

    from kg.export import nquads, partition

    found = find_store(source)
    if found is not None:
        data = open_store(found).dump(format=ox.RdfFormat.N_QUADS)
        lines = sorted(line for line in data.decode("utf-8").split("\n") if line)
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    return nquads(partition(load_graph(_graph_file(Path(source)), backend="memory")))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    _write_atomic(Path(path), data)
    return Path(path)


def _load_folder(path: Path, backend: str) -> Graph:
    found = find_store(path)
    if found is not None and backend in ("auto", "oxigraph"):
        return store_graph(open_store(found))
    if found is not None:  # memory: the store's quads into rdflib
        graph = Dataset(default_union=True)
        bind_prefixes(graph)
        graph.parse(data=read_nquads(found).decode("utf-8"), format="nquads")
        return graph
    return load_graph(_graph_file(path), backend=backend)


def _graph_file(path: Path) -> Path:
    """The graph file itself, or the graph.* that `kg build` wrote into folder `path`."""
    if not path.is_dir():
        return path
    for suffix in FORMAT_OF_SUFFIX:
        if (path / f"graph{suffix}").is_file():
            return path / f"graph{suffix}"
    raise GraphError(f"{path}: a folder with neither an Oxigraph store nor a graph file; "
                     "give a graph file or an output folder of `kg build`")


def _oxigraph_file(path: Path, fmt: str) -> Graph:
    """A graph file loaded into an in-memory Oxigraph store."""
    import pyoxigraph as ox

    formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=formats[fmt])
    except SyntaxError as exc:
        raise GraphError(f"{path}: cannot parse as {fmt} ({' '.join(str(exc).split())}); "
                         "fix the file or regenerate it") from None
    return store_graph(store)


# ---------------------------------------------------------------- helpers

# errors of os.copy_file_range that mean "not here" (other file systems, old kernels)
_NO_COPY_RANGE = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


class PendingFile:
    """A file written piece by piece beside its target and renamed over it by `commit`
    (after `close`, which flushes it to disk): readers and a killed build never see half
    a file, and a large output is never held in memory whole. `discard` removes it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}."
                                       f"{secrets.token_hex(4)}.tmp")
        try:
            if self.path.parent.exists() and not self.path.parent.is_dir():
                raise OutputError(f"cannot write {self.path}: {self.path.parent} is a file, "
                                  "not a folder; choose another output path")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise self._error(exc) from None
        self.handle = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> int:
        try:
            return self.handle.write(data)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def copy_from(self, source: Any, offset: int, length: int) -> None:
        """Append `length` bytes of the open file `source` from `offset`, copied by the
        kernel (os.copy_file_range) where it can, else read and written in pieces."""
        try:
            self.handle.flush()
            fd, out = source.fileno(), self.handle.fileno()
            while length > 0:
                try:
                    done = os.copy_file_range(fd, out, length, offset)
                except (AttributeError, OSError) as exc:
                    if isinstance(exc, OSError) and exc.errno not in _NO_COPY_RANGE:
                        raise
                    done = 0
                if done <= 0:  # not supported here, or the source ended: copy by hand
                    data = os.pread(fd, min(length, 8 << 20), offset)
                    if not data:
                        raise OSError(f"{source.name} is shorter than its index says")
                    done = self.handle.write(data)
                    self.handle.flush()
                offset, length = offset + done, length - done
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def close(self) -> None:
        if self.handle.closed:
            return
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def commit(self) -> Path:
        self.close()
        try:
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None
        return self.path

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self.tmp.unlink(missing_ok=True)

    def _error(self, exc: OSError) -> OutputError:
        return OutputError(f"cannot write {self.path}: {exc.strerror or exc}; choose a "
                           "writable location or fix the folder's permissions")


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
