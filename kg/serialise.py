"""The build's outputs from article records (kg/triples.py): graph file, store parts, JSON.

The graph file holds the same triples as `rdf.serialize(rdf.corpus_to_graph(corpus))`;
Turtle is written by Oxigraph's serializer one named graph after another (the entities
graph, then each article's graph by IRI, each sorted), and the same corpus always gives
the same bytes. N-Triples are sorted lines, as `rdf.serialize` writes them.
"""
from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kg.export import ENTITIES_GRAPH
from kg.store import content_hash
from kg.triples import Merged, Owned, json_item

if TYPE_CHECKING:
    from kg.model import Problem
    from kg.triples import ArticleRecord


class Writable(Protocol):
    """Where outputs are written: an open binary file, a store.PendingFile, a BytesIO."""

    def write(self, data: bytes, /) -> int: ...


_IRI_HEAD = re.compile(rb"<([^<>\"\s]*[/#])[^<>\"\s/#]*>")  # as rdf._IRI_HEAD, on bytes


class Sections:
    """The corpus graph split into named graphs as kg/export.py `partition` splits it.

    The build keeps its records light (kg/build.py: no N-Triples, no JSON) and passes
    `load(record)`, which gives back the whole record from the record cache, and each
    record's cache key (`keys`, by article IRI): a graph's lines are then made one graph
    at a time, and a graph's `key` is known without its lines."""

    def __init__(self, merged: Merged, load: Callable[[ArticleRecord], ArticleRecord] | None
                 = None, keys: dict[str, str] | None = None, *,
                 reuse: Mapping[str, tuple[str | None, str]] | None = None,
                 dirty: set[str] | None = None):
        """`reuse` (graph -> its record key and graph key, of the merge that was patched
        into this one) and `dirty` (the graphs whose owned lines the patch may have
        changed: kg/triples.py `Merged.patch`) spare making every graph's owned lines
        to key it: a graph not dirty with the same record key keeps its key."""
        self.merged = merged
        self.load = load or (lambda record: record)
        self.record_keys = keys or {}
        self.reuse = reuse if dirty is not None and reuse is not None else {}
        self.dirty = dirty or set()
        self._entities: bytes | None = None  # made when wanted: `entities`
        self.owned = Owned(merged)  # made per graph, when wanted
        self.records = {r.iri: r for r in merged.records}
        self.names = sorted({ENTITIES_GRAPH, *self.records, *self.owned.names()})
        self.names_set = set(self.names)

    @property
    def entities(self) -> bytes:
        """The entities graph as N-Triples (bytes: half the memory of str lines), made
        once and only when wanted: a rebuild whose entities graph kept its key copies
        its Turtle and leaves it alone in the store."""
        if self._entities is None:
            self._entities = self.merged.entity_ntriples()
        return self._entities

    def lines(self, name: str) -> list[str]:
        """The sorted N-Triples lines of one named graph."""
        if name == ENTITIES_GRAPH:
            return self.entities.decode("utf-8").split("\n")[:-1]
        record = self.records.get(name)
        own = self.load(record).lines() if record is not None else []
        return sorted(set(own).union(self.owned.lines(name)))

    def ntriples(self, name: str) -> bytes:
        return self.entities if name == ENTITIES_GRAPH else _joined(self.lines(name))

    def key(self, name: str) -> str:
        """A hash that changes whenever the graph's triples do: of its record's cache key
        (a function of everything the record holds) and the lines it owns, so a graph's
        key is known without loading its record; else of its triples."""
        if name == ENTITIES_GRAPH:
            return self.merged.entities_key()
        record_key = self.record_keys.get(name)
        if record_key is None:
            return content_hash(self.ntriples(name))
        found = self.reuse.get(name)
        if found is not None and found[0] == record_key and name not in self.dirty:
            return found[1]
        owned = "\n".join(self.owned.lines(name))
        return content_hash(f"record {record_key}\n{owned}".encode())

    def parts(self) -> Mapping[str, bytes]:
        """Graph name -> N-Triples, for the store: made when looked up, one at a time."""
        return _Parts(self)

    def graph_bytes(self, fmt: str) -> bytes:
        """The whole graph as `fmt` (ttl, nt, nquads, jsonld)."""
        import io

        out = io.BytesIO()
        self.write_graph(out, fmt)
        return out.getvalue()

    def write_graph(self, handle: Writable, fmt: str, *, previous: SpliceIndex | None = None
                    ) -> tuple[dict[str, str], SpliceIndex | None]:
        """Write the whole graph as `fmt` (ttl, nt, nquads, jsonld) to `handle`; returns
        each named graph's `key` (for the store) and, for Turtle, where each graph sits in
        the file, so the next build copies unchanged graphs' Turtle from it."""
        keys = {name: self.key(name) for name in self.names}
        if fmt == "ttl":
            return keys, self._write_turtle(handle, keys, previous)
        if fmt in ("nt", "nquads"):  # a plain graph: both are sorted N-Triples
            lines = sorted({line for name in self.names for line in self.lines(name)})
            handle.write(("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
        else:
            handle.write(_rdflib_bytes(b"".join(self.ntriples(n) for n in self.names), fmt))
        return keys, None

    def _write_turtle(self, handle: Writable, keys: dict[str, str],
                      previous: SpliceIndex | None) -> SpliceIndex:
        """Turtle one named graph at a time (the entities graph, then each article's by
        IRI): the prefixes all of them use, then each graph's Turtle, copied from the
        previous graph file when the graph's key did not change, else written by Oxigraph
        (the entities graph one subject at a time: `_entities_turtle`)."""
        chunks: list[tuple[str, Any]] = []  # (name, bytes or (offset, length) in old file)
        used: dict[str, tuple[str, ...]] = {}
        old = previous.parts if previous is not None else {}
        bound = _bound()
        index = SpliceIndex(_turtle_version(), {})
        entities: list[tuple[str, bytes, Any, tuple[str, ...]]] = []
        for name in self.names:
            found = old.get(name)
            if found is not None and found[0] == keys[name]:
                _, offset, length, used[name] = found
                chunks.append((name, (offset, length)))
                if name == ENTITIES_GRAPH and previous is not None:
                    index.subjects = dict(previous.subjects)
                continue
            if name == ENTITIES_GRAPH:
                entities = self._entities_turtle(previous)
                used[name] = tuple(sorted({p for *_, mine in entities for p in mine}))
                chunks.append((name, None))
                continue
            data = self.ntriples(name)
            mine = _prefixes_of(data, bound)
            used[name] = tuple(sorted(mine))
            chunks.append((name, _turtle_body(data, mine)))
        header = _header({p: bound[p] for p in sorted({p for u in used.values() for p in u})})
        handle.write(header)
        offset = len(header)
        with _opened(previous) as old_file:
            out = _Spliced(handle, old_file)
            for name, chunk in chunks:
                start = offset
                if chunk is None:  # the entities graph, subject by subject
                    for subject, digest, part, mine in entities:
                        length = out.put(part)
                        index.subjects[subject] = (digest, offset, length, mine)
                        offset += length
                else:
                    offset += out.put(chunk)
                index.parts[name] = (keys[name], start, offset - start, used[name])
            out.flush()
        return index

    def _entities_turtle(self, previous: SpliceIndex | None
                         ) -> list[tuple[str, bytes, Any, tuple[str, ...]]]:
        """The entities graph's Turtle as (subject, digest of its N-Triples, its Turtle or
        (offset, length) of it in the previous file, prefixes it uses), in subject order:
        a subject whose lines did not change is copied, the rest written by Oxigraph in
        one go and cut apart again (the writer groups a subject's triples, each group
        starting a line). A rebuild that names one new entity so writes one entity's
        Turtle, not 14,000 (3 s at 10,000 articles)."""
        import hashlib

        merged, old = self.merged, previous.subjects if previous is not None else {}
        concepts: set[str] = set()
        listed: list[tuple[str, bytes, Callable[[], bytes]]] = []
        for subject, tally in merged._by_subject():
            if tally.digest is None:
                merged._entity_block(tally)
            concepts.update(tally.concepts)
            listed.append((subject, tally.digest or b"",
                           lambda tally=tally: merged._entity_block(tally)))
        for subject, block in merged._concept_blocks(concepts):
            listed.append((subject, hashlib.sha256(block).digest()[:16],
                           lambda block=block: block))
        listed.sort(key=lambda item: item[0])
        bound = _bound()
        out: list[tuple[str, bytes, Any, tuple[str, ...]]] = []
        todo: list[tuple[int, bytes]] = []  # (place in out, N-Triples) to write
        for subject, digest, block in listed:
            found = old.get(subject)
            if found is not None and found[0] == digest:
                out.append((subject, digest, (found[1], found[2]), found[3]))
                continue
            data = block()
            out.append((subject, digest, b"", tuple(sorted(_prefixes_of(data, bound)))))
            todo.append((len(out) - 1, data))
        if todo:
            data = b"".join(block for _, block in todo)
            parts = _subject_parts(_turtle_body(data, _prefixes_of(data, bound)))
            if len(parts) != len(todo):
                raise RuntimeError("pyoxigraph's Turtle writer changed: a subject's triples "
                                   "are no longer one group")
            for (at, _), part in zip(todo, parts):
                subject, digest, _, mine = out[at]
                out[at] = (subject, digest, part, mine)
        return out

# ---------------------------------------------------------------- the entities graph in the store

@dataclass
class EntitiesIndex:
    """What the store's entities graph holds, per subject: each entity's digest
    (kg/triples.py `Tally.digest`) and the concepts whose labels it carries, and the
    graph's key, so the next build rewrites only the subjects that changed. Trusted
    only while the manifest says the store holds the graph with that very key."""

    version: str
    key: str
    digests: dict[str, bytes]
    concepts: frozenset[str]


def entities_index(merged: Merged, key: str) -> EntitiesIndex:
    """The index of the entities graph `merged` makes, whose key is `key`."""
    from kg.incremental import writer_version

    used: set[str] = set()
    digests = {}
    for name, entity in merged.entities.items():
        if entity.digest is None:
            merged._entity_block(entity)
        digests[name] = entity.digest or b""
        used.update(entity.concepts)
    return EntitiesIndex(writer_version(), key, digests, frozenset(used))


def entity_changes(merged: Merged, old: EntitiesIndex, new: EntitiesIndex
                   ) -> tuple[list[str], bytes]:
    """The subjects (IRIs) whose triples differ between the entities graphs `old` and
    `new` describe (`new` being the one `merged` makes), and their triples in `new`."""
    from kg.triples import node

    changed = sorted(k for k, digest in new.digests.items() if old.digests.get(k) != digest)
    gone = sorted(old.digests.keys() - new.digests.keys())
    subjects = [node(k)[1:-1] for k in (*changed, *gone)]
    subjects += sorted(old.concepts ^ new.concepts)
    data = b"".join(merged._entity_block(merged.entities[k]) for k in changed)
    data += b"".join(block for _, block in merged._concept_blocks(
        set(new.concepts - old.concepts)))
    return subjects, data


def read_entities_index(file: Path) -> EntitiesIndex | None:
    from kg.incremental import writer_version

    try:
        with file.open("rb") as handle:
            index = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged index is not used, never fatal
        return None
    return index if isinstance(index, EntitiesIndex) and index.version == writer_version() \
        else None


def write_entities_index(file: Path, index: EntitiesIndex) -> None:
    from kg.store import write_bytes

    write_bytes(file, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))


def _joined(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


class _Parts(Mapping[str, bytes]):
    def __init__(self, sections: Sections):
        self.sections = sections

    def __getitem__(self, name: str) -> bytes:
        if name not in self.sections.names_set:
            raise KeyError(name)
        return self.sections.ntriples(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.sections.names)

    def __len__(self) -> int:
        return len(self.sections.names)


# ---------------------------------------------------------------- splicing

TURTLE_PIECE = 8 << 20  # N-Triples bytes given to Oxigraph's Turtle writer at a time


def _turtle_body(data: bytes, prefixes: dict[str, str]) -> bytes:
    """Turtle of sorted N-Triples without the prefix lines, a few megabytes at a time,
    each piece ending where a subject does (the writer groups a subject's triples, so
    the pieces' Turtle joined is the Turtle of the whole): the entities graph of 10,000
    articles at once took 250 MB more."""
    from kg.rdf import turtle_bytes

    header, out, start = len(_header(prefixes)), [], 0
    while start < len(data):
        end = _subject_end(data, start + TURTLE_PIECE)
        out.append(turtle_bytes(data[start:end], prefixes)[header:])
        start = end
    return b"".join(out)


def _subject_end(data: bytes, at: int) -> int:
    """The end of the first line, from `at` on, after which the subject changes."""
    if at >= len(data):
        return len(data)
    end = data.find(b"\n", at) + 1 or len(data)
    subject = data[data.rfind(b"\n", 0, end - 1) + 1:end].split(b" ", 1)[0]
    while end < len(data) and data.startswith(subject + b" ", end):
        end = data.find(b"\n", end) + 1 or len(data)
    return end


@dataclass
class SpliceIndex:
    """Where each part of an output file sits: part -> (key, offset, length, ...), and
    the file it describes, so the next build copies the parts whose key did not change
    instead of making them again (graph.ttl per named graph, extraction.json per record)."""

    version: str
    parts: dict[str, tuple[Any, ...]]
    path: str = ""
    stat: tuple[int, int, int] = (0, 0, 0)  # inode, size, mtime_ns of that file
    # graph.ttl: where each subject of the entities graph sits, (digest of its N-Triples,
    # offset, length, prefixes its Turtle uses) by subject, so a changed entities graph
    # copies the Turtle of the subjects that did not change
    subjects: dict[str, tuple[bytes, int, int, tuple[str, ...]]] = field(default_factory=dict)

    def describes(self, path: Path, version: str) -> bool:
        try:
            found = path.stat()
        except OSError:
            return False
        return (self.version == version and self.path == str(path)
                and self.stat == (found.st_ino, found.st_size, found.st_mtime_ns))


def read_index(file: Path, output: Path, version: str) -> SpliceIndex | None:
    """The index the last build left for `output`, or None (none, of other code, or
    `output` is not the file it describes: replaced or touched since)."""
    try:
        with file.open("rb") as handle:
            index = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError,
            TypeError, ImportError):
        return None
    return index if isinstance(index, SpliceIndex) and index.describes(output, version) \
        else None


def write_index(file: Path, index: SpliceIndex, output: Path) -> None:
    """Record `index` as describing `output` (call once `output` is in place)."""
    from kg.store import write_bytes

    found = output.stat()
    index.path, index.stat = str(output), (found.st_ino, found.st_size, found.st_mtime_ns)
    write_bytes(file, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))


@contextmanager
def _opened(index: SpliceIndex | None) -> Iterator[Any]:
    if index is None:
        yield None
        return
    with open(index.path, "rb") as handle:
        yield handle


class _Spliced:
    """Writes parts to `handle`, each bytes or (offset, length) of `old` (the previous
    file), copying runs of adjacent old parts as one: a rebuild copies almost all of a
    file, and 10,000 reads and writes of one part each took 0.7 s at 10,000 articles."""

    def __init__(self, handle: Writable, old: Any):
        self.handle, self.old = handle, old
        self.run: tuple[int, int] | None = None  # old bytes not yet copied

    def put(self, part: bytes | tuple[int, int]) -> int:
        """Write or note one part; its length."""
        if isinstance(part, tuple):
            offset, length = part
            if self.run is not None and self.run[0] + self.run[1] == offset:
                self.run = (self.run[0], self.run[1] + length)
            else:
                self.flush()
                self.run = (offset, length)
            return length
        self.flush()
        self.handle.write(part)
        return len(part)

    def flush(self) -> None:
        if self.run is None:
            return
        offset, length = self.run
        self.run = None
        copy = getattr(self.handle, "copy_from", None)
        if copy is not None:
            copy(self.old, offset, length)
            return
        while length > 0:
            data = _pread(self.old, offset, min(length, COPY_PIECE))
            self.handle.write(data)
            offset, length = offset + len(data), length - len(data)


COPY_PIECE = 8 << 20


def _prefixes_of(data: bytes, bound: dict[str, str]) -> dict[str, str]:
    """The bound prefixes whose namespace the IRIs of N-Triples `data` fall under."""
    heads = {h.decode("utf-8") for h in set(_IRI_HEAD.findall(data))}
    return {p: ns for p, ns in bound.items() if any(h.startswith(ns) for h in heads)}


_GROUP_START = re.compile(rb"^(?=[^\t ])", re.M)


def _subject_parts(body: bytes) -> list[bytes]:
    """Turtle without prefixes cut before each line that starts a subject's group (the
    lines that go on with a subject's triples are indented)."""
    starts = [m.start() for m in _GROUP_START.finditer(body) if m.start() < len(body)]
    return [body[a:b] for a, b in zip(starts, starts[1:] + [len(body)])]


def _pread(handle: Any, offset: int, length: int) -> bytes:
    data = os.pread(handle.fileno(), length, offset)
    if len(data) != length:
        raise OSError(f"{handle.name} is shorter than its index says")
    return data


@cache
def _turtle_version() -> str:
    """Turtle of the same N-Triples is the same bytes for the same writer and prefixes."""
    import pyoxigraph

    return f"ttl|{pyoxigraph.__version__}|{sorted(_bound().items())}|subjects"


def _header(prefixes: dict[str, str]) -> bytes:
    from kg.rdf import _prefix_header

    return _prefix_header(prefixes)


@cache
def _bound() -> dict[str, str]:
    from kg.rdf import _bound_prefixes, new_graph

    return _bound_prefixes(new_graph())


def _rdflib_bytes(data: bytes, fmt: str) -> bytes:
    """Formats only rdflib writes (JSON-LD): through an rdflib graph."""
    from kg.rdf import new_graph, serialize

    graph = new_graph()
    graph.parse(data=data.decode("utf-8"), format="nt")
    return serialize(graph, fmt)


def extraction_json(records: list[ArticleRecord], problems: list[Problem]) -> str:
    """extraction.json as build.write_json(to_interchange(corpus)) writes it, from the
    records' documents, already indented: json.dumps with an indent is pure Python."""
    import io

    out = io.BytesIO()
    write_extraction_json(out, [(str(i), r.json.encode("utf-8").__bytes__)
                                for i, r in enumerate(records)], problems)
    return out.getvalue().decode("utf-8")


JSON_VERSION = "json|1"


def write_extraction_json(handle: Writable, documents: Iterable[tuple[str, Callable[[], bytes]]],
                          problems: list[Problem], *, previous: SpliceIndex | None = None
                          ) -> SpliceIndex:
    """`extraction_json` written to `handle` one document at a time: `documents` are
    (record key, function giving the record's JSON); a document whose key is in
    `previous` is copied from the previous file instead. Returns where each one went."""
    index = SpliceIndex(JSON_VERSION, {})
    old = previous.parts if previous is not None else {}
    head = b'{\n "documents": '
    handle.write(head)
    offset, first = len(head), True
    with _opened(previous) as old_file:
        out = _Spliced(handle, old_file)
        for key, made in documents:
            sep = b"[\n" if first else b",\n"
            found = old.get(key)
            # the separator before a copied document is copied with it when the old file
            # has it there (the same place in the list: not first, and after another)
            if found is not None and not first and found[1] > len(head) + 2:
                length = out.put((found[1] - 2, found[2] + 2)) - 2
            else:
                out.put(sep)
                length = out.put((found[1], found[2])) if found is not None \
                    else out.put(made())
            index.parts[key] = (key, offset + len(sep), length)
            offset += len(sep) + length
            first = False
        out.flush()
    handle.write(b"[]" if first else b"\n ]")
    found_problems = [str(p) for p in problems]
    text = json_item(found_problems, 1)[1:] if found_problems else "[]"
    handle.write((',\n "problems": ' + text + "\n}\n").encode("utf-8"))
    return index


def identity_signature(article: Any, mapping: dict[str, str]) -> str:
    """What corpus identity changes in this article (kg/corpus_identity.py)."""
    from kg.corpus_identity import identity_signature as of_keys
    from kg.corpus_identity import summarise

    return of_keys(summarise(article).keys, mapping)
