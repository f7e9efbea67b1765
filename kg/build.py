"""The whole run: extract -> graph file + extraction.json + graph.html + store, and a summary.

Extraction runs in this process, in N processes (`workers`) or on a Dask
cluster (`dask`), and only for documents that are new or changed since the
last build into the same folder (kg/incremental.py); corpus identity, RDF and
the outputs are then made from every document's extraction, so a rebuild
writes the same bytes as a build from scratch.
"""
from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import NothingToBuild, OutputError, UsageError

if TYPE_CHECKING:
    from kg.model import Corpus, Problem
    from kg.network import Ranked

Progress = Callable[[str, int, int], None]  # (stage, done, total)

EXTENSIONS = {"ttl": "ttl", "nt": "nt", "nquads": "nq", "jsonld": "jsonld"}


@dataclass(frozen=True)
class BuildSummary:
    articles: int
    counts: dict[str, int]  # entities by type, plus "facts" (edges)
    best_connected: tuple[Ranked, ...]
    problems: tuple[Problem, ...]
    files: dict[str, Path] = field(default_factory=dict)  # graph, extraction, html, store
    changes: Changes = field(default_factory=lambda: Changes())


@dataclass(frozen=True)
class Changes:
    """Documents added, changed, removed and reused since the last build; graphs written."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    reused: int = 0
    graphs_written: int = 0


STORES = ("oxigraph", "memory")


def build(paths: Sequence[str | Path], *, out_dir: str | Path = "output", fmt: str = "ttl",
          encoding: str | None = None, workers: int = 1, dask: str | None = None,
          store: str = "oxigraph", progress: Progress | None = None,
          max_chars: int | None = None) -> BuildSummary:
    """Extract facts from `paths` and write graph.<ext>, extraction.json, graph.html and,
    with store="oxigraph", an Oxigraph store (one named graph per article) in OUT/store.

    `progress(stage, done, total)` is called as documents are extracted ("extract") and
    files written ("write"); the CLI draws a progress bar with it.

    Nothing already built is lost: every file is written beside its target and renamed
    over it, the three outputs are written together after extraction, and the manifest
    marks the store as being rewritten while it is, so a build killed at any point
    leaves complete files and the next build repairs the store (docs/reliability.md).
    Raises NothingToBuild, leaving the folder as it was, when no input gives an article."""
    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown graph format '{fmt}'; use one of {', '.join(EXTENSIONS)}")
    if store not in STORES:
        raise UsageError(f"unknown store '{store}'; use one of {', '.join(STORES)}")
    out = _out_dir(out_dir)
    extraction, changes, manifest = _extract_incrementally(
        paths, out, encoding=encoding, workers=workers, dask=dask, progress=progress,
        max_chars=max_chars)
    tick = progress or (lambda stage, done, total: None)
    tick("write", 0, 4)
    keys = manifest["records"]
    records = _records(extraction, out, keys)  # light: no N-Triples, no JSON
    problems = extraction.problems
    del extraction  # the records hold what is still needed
    # The records, and what is merged from them, live to the end of the build: keep the
    # cyclic garbage collector from walking them again and again (7 % of a rebuild).
    gc.freeze()
    try:
        return _write(out, fmt, store, records, problems, changes, manifest, tick)
    finally:
        gc.unfreeze()


def _write(out: Path, fmt: str, store: str, records: list[Any], problems: list[Problem],
           changes: Changes, manifest: dict[str, Any], tick: Progress) -> BuildSummary:
    """Merge the records and write the graph file, extraction.json, graph.html, the
    store and the manifest."""
    from kg import incremental as inc
    from kg import network, serialise, triples, view
    from kg import store as stores

    keys = manifest["records"]
    cache_dir = out / inc.CACHE_DIR
    key_of = {r.iri: k for r, k in zip(records, keys)}

    def load(record: Any) -> Any:  # the whole record, back from the cache
        return inc.need_record(cache_dir, key_of[record.iri])

    sections = serialise.Sections(triples.Merged(records), load, key_of)
    files = {"graph": out / f"graph.{EXTENSIONS[fmt]}", "extraction": out / "extraction.json",
             "html": out / "graph.html"}
    nxg = network.from_merged(sections.merged)
    html = view.render_html(nxg)
    summary = _summary(len(records), problems, nxg, files)
    del nxg
    tick("write", 1, 4)
    # The three files are written beside their targets first, then renamed one after the
    # other; graph.ttl and extraction.json copy what did not change from the last ones.
    pending = [stores.PendingFile(files[name]) for name in ("graph", "extraction", "html")]
    try:
        graphs, ttl_index = sections.write_graph(
            pending[0], fmt, previous=serialise.read_index(
                cache_dir / GRAPH_INDEX, files["graph"], serialise._turtle_version()))
        json_index = serialise.write_extraction_json(
            pending[1], ((k, _json_of(load, r)) for r, k in zip(records, keys)), problems,
            previous=serialise.read_index(cache_dir / JSON_INDEX, files["extraction"],
                                          serialise.JSON_VERSION))
        pending[2].write(html.encode("utf-8"))
        del html
        for file in pending:
            file.close()
    except BaseException:
        for file in pending:
            file.discard()
        raise
    pending[0].commit()
    if ttl_index is not None:
        serialise.write_index(cache_dir / GRAPH_INDEX, ttl_index, files["graph"])
    pending[1].commit()
    serialise.write_index(cache_dir / JSON_INDEX, json_index, files["extraction"])
    pending[2].commit()
    tick("write", 2, 4)
    # While the store is rewritten, the manifest lists no graph hashes: if this build
    # is killed midway, the next one rewrites every named graph instead of trusting them.
    inc.write_manifest(out, manifest["documents"], {})
    graphs, written = _write_store(sections, out, manifest, store, graphs)
    if store == "oxigraph":
        files["store"] = out / stores.STORE_DIR
    tick("write", 3, 4)
    inc.write_manifest(out, manifest["documents"], graphs)
    tick("write", 4, 4)
    return replace(summary, changes=replace(changes, graphs_written=written))


def _json_of(load: Callable[[Any], Any], record: Any) -> Callable[[], bytes]:
    return lambda: load(record).json.encode("utf-8")


GRAPH_INDEX = "graph.index"  # in the cache: where each named graph's Turtle is in graph.ttl
JSON_INDEX = "extraction.index"  # where each record's document is in extraction.json


@dataclass
class _Extraction:
    """The corpus after extraction, as the build keeps it: a person summary per article
    (kg/corpus_identity.py), not the articles, which stay in the cache until their
    record is made (kg/triples.py)."""

    summaries: list[Any]  # PersonSummary of each article, duplicates dropped
    origins: list[str]  # the hash of each one's document (its cache entry)
    mapping: dict[str, str]  # corpus identity: person key -> corpus-wide key
    problems: list[Problem]


def _extract_incrementally(paths: Sequence[str | Path], out: Path, *, encoding: str | None,
                           workers: int, dask: str | None, progress: Progress | None = None,
                           max_chars: int | None = None
                           ) -> tuple[_Extraction, Changes, dict[str, Any]]:
    """Extract new and changed documents, caching each result and keeping only its
    person summaries; reuse the summaries of the rest (loading their cached extraction
    only when a build was killed before it saved them); then run corpus identity over
    all. The manifest returned holds the new document hashes and the record keys."""
    from kg import incremental as inc
    from kg.corpus_identity import identity_signature, mapping_from_summaries, summarise
    from kg.pipeline import drop_duplicate_articles
    from kg.read import MAX_CHARS, read_paths

    docs, problems = read_paths([str(p) for p in paths], encoding=encoding,
                                max_chars=max_chars or MAX_CHARS)
    manifest = inc.read_manifest(out)
    cache_dir = out / inc.CACHE_DIR
    todo = inc.plan(docs, cache_dir, manifest["documents"])
    known = inc.load_summaries(cache_dir)
    saved = set(known)  # what the file holds
    current: dict[str, inc.Summarised] = {}
    fresh = set()
    # Each result is cached as soon as it is back, so a build killed while extracting
    # leaves its work for the next one (which finds it through the cache, not the manifest).
    for i, (found, failed) in zip(todo.todo, _extract_reporting(
            [docs[i] for i in todo.todo], workers, dask, progress)):
        doc_hash = todo.hashes[inc.document_key(docs[i])]
        inc.save_cached(cache_dir, doc_hash, (found, failed))
        current[doc_hash] = (tuple(summarise(a) for a in found), tuple(failed))
        fresh.add(i)
    summaries: list[Any] = []
    origins: list[str] = []
    for i, doc in enumerate(docs):
        doc_hash = todo.hashes[inc.document_key(doc)]
        if doc_hash not in current:
            if doc_hash not in known:  # extracted by a build killed before saving these
                found, failed = inc.load_cached(cache_dir, doc, doc_hash)
                known[doc_hash] = (tuple(summarise(a) for a in found), tuple(failed))
            current[doc_hash] = known[doc_hash]
        found_summaries, failed = current[doc_hash]
        summaries.extend(found_summaries)
        origins.extend([doc_hash] * len(found_summaries))
        problems.extend(failed if i in fresh else [replace(p, line=doc.line) for p in failed])
    # summaries have the article's id and source, all this reads
    found_kept, duplicates = drop_duplicate_articles(summaries)
    kept: list[Any] = list(found_kept)
    problems.extend(duplicates)
    if not kept:
        raise NothingToBuild(f"nothing to build: no input gave an article ({len(problems)} "
                             f"skipped); {out} was left as it was", tuple(problems))
    inc.prune_cache(cache_dir, set(todo.hashes.values()))
    if current.keys() != saved:
        inc.save_summaries(cache_dir, current)
    by_id = {id(s): h for s, h in zip(summaries, origins)}
    origins = [by_id[id(s)] for s in kept]
    mapping = mapping_from_summaries(kept)
    keys = [inc.record_key(h, s.id, identity_signature(s.keys, mapping))
            for s, h in zip(kept, origins)]
    changes = Changes(todo.added, todo.changed, todo.removed, todo.reused)
    return (_Extraction(kept, origins, mapping, problems), changes,
            {"documents": todo.hashes, "graphs": manifest["graphs"], "records": keys})


def _extract_reporting(docs: list[Any], workers: int, dask: str | None,
                       progress: Progress | None) -> Iterator[Any]:
    """Each document's extraction, in order, one at a time (so progress is drawn and
    each result is cached and dropped at once); Dask yields them at the end."""
    from kg.distributed import extract_all, iter_extract

    if dask:
        if progress:
            progress("extract", 0, len(docs))
        yield from extract_all(docs, workers=workers, dask_address=dask)
    else:
        for i, result in enumerate(iter_extract(docs, workers=workers)):
            if progress:
                progress("extract", i, len(docs))
            yield result
    if progress:
        progress("extract", len(docs), len(docs))


def _write_store(sections: Any, out: Path, manifest: dict[str, Any], store: str,
                 keys: dict[str, str]) -> tuple[dict[str, str], int]:
    """Sync OUT/store with the graph split per article (only the graphs whose key
    changed are made again); with store="memory", remove it."""
    from kg import store as stores

    folder = out / stores.STORE_DIR
    if store == "memory":
        if stores.find_store(folder) == folder:
            shutil.rmtree(folder)
        return {}, 0
    return stores.sync_store(folder, sections.parts(), manifest["graphs"], hashes=keys)


def _records(extraction: _Extraction, out: Path, keys: list[str]) -> list[Any]:
    """Each article's record (kg/triples.py), light (no N-Triples, no JSON: they are read
    back from the record cache when written): from the cache when its key is there, else
    made now from its cached extraction after corpus identity, and cached. `keys` align
    with extraction.summaries. Articles are loaded one document at a time and only for
    the records to make."""
    from kg import incremental as inc
    from kg.corpus_identity import _rekey
    from kg.triples import article_record

    cache_dir = out / inc.CACHE_DIR
    light = inc.load_light_records(cache_dir)
    pool: dict[str, str] = {}  # one string object per distinct key, name and IRI
    records = []
    loaded: tuple[str, dict[str, Any]] = ("", {})  # the last document's articles by id
    for summary, doc_hash, key in zip(extraction.summaries, extraction.origins, keys):
        record = light.get(key)  # shares its strings with the others already
        if record is not None and inc.has_record(cache_dir, key):
            records.append(record)
            continue
        record = inc.load_record(cache_dir, key)
        if record is None:
            if loaded[0] != doc_hash:
                articles = inc.load_articles(cache_dir, doc_hash)
                by_id: dict[str, Any] = {}
                for article in articles:
                    by_id.setdefault(article.id, article)
                loaded = (doc_hash, by_id)
            record = article_record(_rekey(loaded[1][summary.id], extraction.mapping))
            inc.save_record(cache_dir, key, record)
        records.append(_light(record, pool))
    # Saved before pruning, so every record the light file lists has its own file, even
    # when a build is killed in between (the writer reads whole records from those).
    if light.keys() != set(keys):
        inc.save_light_records(cache_dir, dict(zip(keys, records)))
    inc.prune_records(cache_dir, set(keys))
    return records


def _light(record: Any, pool: dict[str, str]) -> Any:
    """The record without N-Triples and JSON, each of its strings replaced by the one
    equal string in `pool`: the same keys, names and IRIs recur across articles, and
    shared they took a tenth of the memory (110k distinct of 1.6M at 2,000 articles)."""
    def shared(value: Any) -> Any:
        if type(value) is str:  # exactly: not the StrEnum types and relation kinds
            return pool.setdefault(value, value)
        if type(value) is tuple:
            return tuple(shared(v) for v in value)
        return value

    return replace(record, ntriples=b"", json="", entities=shared(record.entities),
                   posts=shared(record.posts), bylines=shared(record.bylines),
                   relations=shared(record.relations), evidence=shared(record.evidence),
                   iri=shared(record.iri), article_id=shared(record.article_id))


def extract_json(paths: Sequence[str | Path], out_file: str | Path, *,
                 encoding: str | None = None, max_chars: int | None = None) -> Corpus:
    """Extract and write only the interchange JSON; returns the corpus for reporting."""
    from kg import pipeline
    from kg.interchange import to_interchange
    from kg.read import MAX_CHARS

    corpus = pipeline.extract([str(p) for p in paths], encoding=encoding,
                              max_chars=max_chars or MAX_CHARS)
    write_json(to_interchange(corpus), out_file)
    return corpus


def write_json(data: Any, path: str | Path) -> Path:
    """Deterministic JSON (sorted keys, indent 1, UTF-8 text), written atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    from kg.view import write_text_atomic

    return write_text_atomic(text, path)


def _summary(articles: int, problems: list[Problem], nxg: Any, files: dict[str, Path]
             ) -> BuildSummary:
    from kg import network

    facts = network.stats(nxg, top=10, betweenness=False)  # betweenness: `kg stats`
    counts = dict(facts.by_type)
    counts["facts"] = facts.edges
    return BuildSummary(articles, counts, facts.degree,
                        tuple(problems), files)


def _out_dir(out_dir: str | Path) -> Path:
    """Create the output folder and check now, before extracting, that files can be
    written in it; remove temporary files a killed build left behind."""
    import tempfile

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create output folder ({exc.strerror or exc}); "
                          "choose another with -o") from None
    try:
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in output folder ({exc.strerror or exc}); "
                          "fix its permissions or choose another with -o") from None
    _remove_stale_temporaries(out)
    return out


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files (".graph.ttl.123.ab12.tmp") of a build that was killed before
    renaming them; never read as outputs, removed so they do not pile up."""
    from kg.incremental import CACHE_DIR

    for folder in (out, out / CACHE_DIR):
        for path in folder.glob(".*.tmp") if folder.is_dir() else ():
            path.unlink(missing_ok=True)

