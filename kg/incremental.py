"""Incremental builds: a content hash per document, a cache of its extraction, a manifest.

Extraction (jieba and the rules) is the expensive, per-document part; corpus
identity (kg/corpus_identity.py) rewrites person keys across articles, so it
cannot be cached per document. The cache therefore holds each document's
articles *before* corpus identity, keyed by a hash of the document's text, its
source and id, and the extractor version. A rebuild re-extracts only new or
changed documents and re-runs the cheap corpus-level stages over all of them,
so its output equals a build from scratch.

Layout under the output folder:
    manifest.json          {"extractor": ..., "documents": {doc key: hash}, "graphs": {...}}
    cache/<hash>.pickle    (articles, problems) of one document
    cache/records/<key>.pickle  one article's record for the graph writer (see below)
    cache/summaries-<d>.pkl  {doc hash: (person summaries, problems)} of the documents
                           whose hash starts with hex digit d (kg/corpus_identity.py), so
                           a rebuild runs corpus identity without loading the unchanged
                           documents' articles
    cache/merged.pkl       the merged corpus, patched by the next build (kg/corpus_state.py)
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import OutputError
from kg.model import Article, Document, Problem

MANIFEST = "manifest.json"
CACHE_DIR = "cache"
# Code and data whose change changes what extraction returns.
_EXTRACTOR_PARTS = ("normalise.py", "segment.py", "recognise", "resolve.py", "relate",
                    "pipeline.py", "gazetteer.py", "lexicon.py", "model.py", "data/lexicon")

Extracted = tuple[list[Article], list[Problem]]


@cache
def extractor_version() -> str:
    """A hash of the extraction code and lexicons: a change to either invalidates the cache."""
    import kg

    root = Path(kg.__file__).resolve().parent
    digest = hashlib.sha256(kg.__version__.encode())
    for part in _EXTRACTOR_PARTS:
        target = root / part
        files = sorted(target.rglob("*")) if target.is_dir() else [target]
        for path in files:
            if path.is_file() and path.suffix in (".py", ".tsv", ".txt"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def document_key(doc: Document) -> str:
    """A document's identity across builds: its source and id (jsonl records share a source)."""
    return f"{doc.source}#{doc.id}"


def document_hash(doc: Document) -> str:
    """Hash of everything extraction reads from a document, plus the extractor version:
    sha256 of the version, then of each field after a NUL byte. The short fields are
    encoded in one go and the text on its own, so that the text's bytes are not copied
    once more to put a NUL before them (the value is the same: sha256 reads a stream)."""
    digest = hashlib.sha256(extractor_version().encode())
    # Not doc.line: a record moving down a .jsonl file is the same record.
    head = (doc.id, doc.source, doc.title, doc.date, doc.url, "")
    digest.update(("\x00" + "\x00".join(head)).encode("utf-8"))
    digest.update(doc.text.encode("utf-8"))
    return digest.hexdigest()[:32]


@dataclass
class Plan:
    """Which documents to extract and which cached results to reuse."""

    hashes: dict[str, str]  # doc key -> hash, for every current document
    todo: list[int] = field(default_factory=list)  # indexes into docs to extract
    added: int = 0
    changed: int = 0
    removed: int = 0
    reused: int = 0


def plan(docs: list[Document], cache_dir: Path, previous: dict[str, str],
         memo: dict[Document, str] | None = None) -> Plan:
    """Compare the documents with the previous manifest and the cache folder. `memo`
    keeps each document's hash for a process that plans again (only this plan's)."""
    keys = [document_key(d) for d in docs]
    if memo is None:
        hashes = dict(zip(keys, map(document_hash, docs)))
    else:
        known = dict(memo)
        memo.clear()
        for d in docs:
            found = known.get(d)
            memo[d] = found if found is not None else document_hash(d)
        hashes = {key: memo[d] for key, d in zip(keys, docs)}
    result = Plan(hashes)
    is_cached = _cache_lookup(cache_dir)
    for i, key in enumerate(keys):
        cached = is_cached(hashes[key])
        if previous.get(key) == hashes[key] and cached:
            result.reused += 1
            continue
        if not cached:  # cached but not in the manifest: extracted by a build that was killed
            result.todo.append(i)
        if key in previous:
            result.changed += 1
        else:
            result.added += 1
    result.removed = len(set(previous) - set(hashes))
    return result


def _cache_lookup(cache_dir: Path) -> Callable[[str], bool]:
    """Whether a document hash has a cached extraction (a regular file, as is_file says),
    from one listing of the cache folder: a pathlib is_file() per document took 0.04 s
    of planning 10,000 documents, the listing 0.004 s. Should the folder be unlistable
    yet searchable, each file is looked up on its own."""
    try:
        with os.scandir(cache_dir) as entries:
            names = {entry.name for entry in entries if entry.is_file()}
    except FileNotFoundError:
        names = set()
    except OSError:
        return lambda doc_hash: _cache_file(cache_dir, doc_hash).is_file()
    return lambda doc_hash: f"{doc_hash}.pickle" in names


def read_manifest(out: Path) -> dict[str, Any]:
    """The previous build's manifest, or an empty one (none yet, unreadable, other extractor)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"documents": {}, "graphs": {}}
    if not isinstance(data, dict) or data.get("extractor") != extractor_version():
        return {"documents": {}, "graphs": {}}
    data.setdefault("documents", {})
    data.setdefault("graphs", {})
    return data


def write_manifest(out: Path, documents: dict[str, str], graphs: dict[str, str]) -> Path:
    data = {"extractor": extractor_version(), "documents": dict(sorted(documents.items())),
            "graphs": dict(sorted(graphs.items()))}
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    path = out / MANIFEST
    _write_bytes(path, text.encode("utf-8"))
    return path


def load_cached(cache_dir: Path, line: int, doc_hash: str) -> Extracted:
    """A document's cached extraction; its problems get the document's current `line`."""
    with _cache_file(cache_dir, doc_hash).open("rb") as handle:
        articles, problems = pickle.load(handle)
    return list(articles), [replace(p, line=line) for p in problems]


def load_articles(cache_dir: Path, doc_hash: str) -> list[Article]:
    """The articles of a document's cached extraction (before corpus identity)."""
    with _cache_file(cache_dir, doc_hash).open("rb") as handle:
        articles, _ = pickle.load(handle)
    return list(articles)


def save_cached(cache_dir: Path, doc_hash: str, result: Extracted) -> None:
    data = pickle.dumps((tuple(result[0]), tuple(result[1])), protocol=pickle.HIGHEST_PROTOCOL)
    _write_bytes(_cache_file(cache_dir, doc_hash), data)


def prune_cache(cache_dir: Path, keep: set[str]) -> int:
    """Delete cached results of documents no longer in the corpus; returns how many."""
    return _prune(cache_dir, keep)


def _prune(folder: Path, keep: set[str]) -> int:
    """Delete the *.pickle files of `folder` whose name is not in `keep`; how many."""
    if not folder.is_dir():
        return 0
    gone = [p for p in folder.glob("*.pickle") if p.stem not in keep]
    for path in gone:
        path.unlink(missing_ok=True)
    return len(gone)


# ---------------------------------------------------------------- article records
#
# cache/records/<key>.pickle: one article's record (kg/triples.py), keyed by the
# document's hash, the article id, what corpus identity renamed in it, and the code
# that writes records. A rebuild makes records only for articles whose key changed,
# so RDF, JSON and the network of unchanged articles are not made again.

RECORDS_DIR = "records"
_WRITER_PARTS = ("triples.py", "rdf.py", "interchange.py", "vocab.py", "model.py")


@cache
def writer_version() -> str:
    """A hash of the code that turns an article into its record."""
    import kg

    root = Path(kg.__file__).resolve().parent
    digest = hashlib.sha256(extractor_version().encode())
    for part in _WRITER_PARTS:
        digest.update((root / part).read_bytes())
    digest.update((root.parent / "ontology" / "governance.ttl").read_bytes())
    return digest.hexdigest()[:16]


def record_key(doc_hash: str, article_id: str, identity: str) -> str:
    digest = hashlib.sha256(writer_version().encode())
    for part in (doc_hash, article_id, identity):
        digest.update(b"\x00" + part.encode("utf-8"))
    return digest.hexdigest()[:32]


def load_record(cache_dir: Path, key: str) -> Any:
    """The cached record with this key, or None."""
    try:
        with (cache_dir / RECORDS_DIR / f"{key}.pickle").open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        return None


LIGHT_RECORDS = "records.pkl"  # {key: record without N-Triples and JSON}, all in one file


def load_light_records(cache_dir: Path) -> dict[str, Any]:
    """Every current record without its N-Triples and JSON, as the last build left them,
    from one file: a rebuild reads it instead of one pickle per article. {} when there
    is none or it is of other code; an entry never goes stale (keys name contents)."""
    return _load_versioned(cache_dir / LIGHT_RECORDS, writer_version())


def save_light_records(cache_dir: Path, records: dict[str, Any]) -> None:
    _save_versioned(cache_dir / LIGHT_RECORDS, writer_version(), records)


def record_keys(cache_dir: Path) -> set[str]:
    """The keys of every cached record (one listing, not a look-up per key)."""
    try:
        names = os.listdir(cache_dir / RECORDS_DIR)
    except OSError:
        return set()
    return {name[:-7] for name in names if name.endswith(".pickle")}


def need_record(cache_dir: Path, key: str) -> Any:
    """The cached record with this key, which this build made or found."""
    record = load_record(cache_dir, key)
    if record is None:
        raise OutputError(f"{cache_dir / RECORDS_DIR / key}.pickle: cached record gone "
                          "while building; run the build again")
    return record


def save_record(cache_dir: Path, key: str, record: Any) -> None:
    data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    _write_bytes(cache_dir / RECORDS_DIR / f"{key}.pickle", data)


def prune_records(cache_dir: Path, keep: set[str]) -> int:
    """Delete records no current article uses; returns how many."""
    return _prune(cache_dir / RECORDS_DIR, keep)


# ---------------------------------------------------------------- person summaries

SUMMARIES = "summaries.pkl"  # earlier builds' single file; now summaries-<digit>.pkl
Summarised = tuple[tuple[Any, ...], tuple[Problem, ...]]  # (PersonSummary, ...), problems


@cache
def summary_version() -> str:
    """The extractor and the code that summarises: a change to either drops the file."""
    import kg

    digest = hashlib.sha256(extractor_version().encode())
    digest.update((Path(kg.__file__).resolve().parent / "corpus_identity.py").read_bytes())
    return digest.hexdigest()[:16]


SUMMARY_SHARDS = 16  # summaries-<hex digit>.pkl, by the first digit of the document hash


def load_summaries(cache_dir: Path) -> dict[str, Summarised]:
    """Document hash -> its articles' person summaries and its problems, as the last
    build left them; {} when there is no such file or it is of other code. An entry is
    a function of the cached extraction with that hash, so it never goes stale. Kept
    in shards by hash, so a rebuild rewrites only the shards whose documents changed
    (the one file, rewritten whole, took 0.5 s of a 10,000-article rebuild)."""
    found: dict[str, Summarised] = {}
    for shard in range(SUMMARY_SHARDS):
        found.update(_load_versioned(_summary_shard(cache_dir, shard), summary_version()))
    return found


def save_summaries(cache_dir: Path, summaries: dict[str, Summarised],
                   saved: set[str] | None = None) -> None:
    """Write the shards whose documents differ from `saved` (the hashes load_summaries
    gave; None: write them all)."""
    def shards(entries: Iterable[str]) -> list[set[str]]:
        out: list[set[str]] = [set() for _ in range(SUMMARY_SHARDS)]
        for doc_hash in entries:
            out[int(doc_hash[0], 16) % SUMMARY_SHARDS].add(doc_hash)
        return out

    old = shards(saved) if saved is not None else None
    for shard, keys in enumerate(shards(summaries)):
        if old is None or old[shard] != keys:
            _save_versioned(_summary_shard(cache_dir, shard), summary_version(),
                            {k: summaries[k] for k in keys})
    (cache_dir / SUMMARIES).unlink(missing_ok=True)  # the single file of earlier builds


def _summary_shard(cache_dir: Path, shard: int) -> Path:
    return cache_dir / f"summaries-{shard:x}.pkl"


def _load_versioned(path: Path, version: str) -> dict[str, Any]:
    """The dict pickled at `path` with `version`; {} when missing, damaged or of other code."""
    try:
        with path.open("rb") as handle:
            found_version, found = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError,
            TypeError, ImportError):
        return {}
    return found if found_version == version and isinstance(found, dict) else {}


def _save_versioned(path: Path, version: str, value: dict[str, Any]) -> None:
    _write_bytes(path, pickle.dumps((version, value), protocol=pickle.HIGHEST_PROTOCOL))


def _cache_file(cache_dir: Path, doc_hash: str) -> Path:
    return cache_dir / f"{doc_hash}.pickle"


def _write_bytes(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; choose a writable "
                          "output folder with -o") from None


# ---------------------------------------------------------------- graph page layouts
#
# cache/layouts.pkl: the spring layouts of the graph page's backbones (kg/view.py
# `_spring`), each by a hash of the graph, seed and versions it was made from, so
# they never go stale; the last few are kept.

LAYOUTS = "layouts.pkl"
LAYOUTS_KEPT = 64  # a page has one or two big backbones; a few pages' worth


def load_layouts(cache_dir: Path) -> dict[str, Any]:
    return _load_versioned(cache_dir / LAYOUTS, "1")


def save_layouts(cache_dir: Path, layouts: dict[str, Any]) -> None:
    """Keep the last `LAYOUTS_KEPT` of `layouts` (in the order they were added)."""
    _save_versioned(cache_dir / LAYOUTS, "1", dict(list(layouts.items())[-LAYOUTS_KEPT:]))
