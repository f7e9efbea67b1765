"""The whole run: extract -> graph file + extraction.json + graph.html + store, and a summary.

Extraction runs in this process, in N processes (`workers`) or on a Dask
cluster (`dask`), and only for documents that are new or changed since the
last build into the same folder (kg/incremental.py); corpus identity, RDF and
the outputs are then made from every document's extraction, so a rebuild
writes the same bytes as a build from scratch.
"""
from __future__ import annotations

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
    from kg import network, view

    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown graph format '{fmt}'; use one of {', '.join(EXTENSIONS)}")
    if store not in STORES:
        raise UsageError(f"unknown store '{store}'; use one of {', '.join(STORES)}")
    out = _out_dir(out_dir)
    corpus, changes, manifest = _extract_incrementally(paths, out, encoding=encoding,
                                                       workers=workers, dask=dask,
                                                       progress=progress, max_chars=max_chars)
    tick = progress or (lambda stage, done, total: None)
    tick("write", 0, 4)
    from kg import serialise, triples

    records = _records(corpus, out, manifest.get("records"))
    corpus = replace(corpus, articles=())  # the records hold what is still needed
    sections = serialise.Sections(triples.Merged(records))
    files = {"graph": out / f"graph.{EXTENSIONS[fmt]}", "extraction": out / "extraction.json",
             "html": out / "graph.html"}
    from kg import store as stores

    nxg = network.from_merged(sections.merged)
    html = view.render_html(nxg)  # rendered first, so the three files are written together
    graph_data = sections.graph_bytes(fmt)
    tick("write", 1, 4)
    stores.write_bytes(files["graph"], graph_data)
    del graph_data
    view.write_text_atomic(serialise.extraction_json(records, list(corpus.problems)),
                           files["extraction"])
    view.write_html(html, files["html"])
    tick("write", 2, 4)
    from kg import incremental

    # While the store is rewritten, the manifest lists no graph hashes: if this build
    # is killed midway, the next one rewrites every named graph instead of trusting them.
    incremental.write_manifest(out, manifest["documents"], {})
    graphs, written = _write_store(sections, out, manifest, store)
    if store == "oxigraph":
        files["store"] = out / stores.STORE_DIR
    tick("write", 3, 4)
    incremental.write_manifest(out, manifest["documents"], graphs)
    summary = _summary(len(records), corpus, nxg, files)
    tick("write", 4, 4)
    return replace(summary, changes=replace(changes, graphs_written=written))


def _extract_incrementally(paths: Sequence[str | Path], out: Path, *, encoding: str | None,
                           workers: int, dask: str | None, progress: Progress | None = None,
                           max_chars: int | None = None
                           ) -> tuple[Corpus, Changes, dict[str, Any]]:
    """Extract new and changed documents, reuse the cache for the rest, then run
    corpus identity over all. The manifest returned holds the new document hashes."""
    from kg import incremental as inc
    from kg.corpus_identity import _rekey, person_mapping
    from kg.model import Corpus
    from kg.pipeline import drop_duplicate_articles
    from kg.read import MAX_CHARS, read_paths
    from kg.serialise import identity_signature

    docs, problems = read_paths([str(p) for p in paths], encoding=encoding,
                                max_chars=max_chars or MAX_CHARS)
    manifest = inc.read_manifest(out)
    cache_dir = out / inc.CACHE_DIR
    todo = inc.plan(docs, cache_dir, manifest["documents"])
    fresh = {}
    # Each result is cached as soon as it is back, so a build killed while extracting
    # leaves its work for the next one (which finds it through the cache, not the manifest).
    for i, result in zip(todo.todo, _extract_reporting([docs[i] for i in todo.todo], workers,
                                                       dask, progress)):
        inc.save_cached(cache_dir, todo.hashes[inc.document_key(docs[i])], result)
        fresh[i] = result
    articles = []
    origin: dict[int, str] = {}  # id(article) -> its document's hash, for record keys
    for i, doc in enumerate(docs):
        doc_hash = todo.hashes[inc.document_key(doc)]
        if i in fresh:
            found, failed = fresh[i]
        else:
            found, failed = inc.load_cached(cache_dir, doc, doc_hash)
        articles.extend(found)
        origin.update((id(a), doc_hash) for a in found)
        problems.extend(failed)
    articles, duplicates = drop_duplicate_articles(articles)
    problems.extend(duplicates)
    if not articles:
        raise NothingToBuild(f"nothing to build: no input gave an article ({len(problems)} "
                             f"skipped); {out} was left as it was", tuple(problems))
    inc.prune_cache(cache_dir, set(todo.hashes.values()))
    mapping = person_mapping(articles)
    keys = [inc.record_key(origin[id(a)], a.id, identity_signature(a, mapping))
            for a in articles]
    corpus = Corpus(tuple(_rekey(a, mapping) for a in articles), tuple(problems))
    changes = Changes(todo.added, todo.changed, todo.removed, todo.reused)
    return corpus, changes, {"documents": todo.hashes, "graphs": manifest["graphs"],
                             "records": keys}


def _extract_reporting(docs: list[Any], workers: int, dask: str | None,
                       progress: Progress | None) -> Iterator[Any]:
    """extract_all, yielding one document at a time in a single process (so progress is
    drawn and each result can be kept at once); N processes or Dask yield at the end."""
    from kg.distributed import extract_all

    if workers > 1 or dask:
        if progress:
            progress("extract", 0, len(docs))
        yield from extract_all(docs, workers=workers, dask_address=dask)
    else:
        for i, doc in enumerate(docs):
            if progress:
                progress("extract", i, len(docs))
            yield from extract_all([doc])
    if progress:
        progress("extract", len(docs), len(docs))


def _write_store(sections: Any, out: Path, manifest: dict[str, Any], store: str
                 ) -> tuple[dict[str, str], int]:
    """Sync OUT/store with the graph split per article; with store="memory", remove it."""
    from kg import store as stores

    folder = out / stores.STORE_DIR
    if store == "memory":
        if stores.find_store(folder) == folder:
            shutil.rmtree(folder)
        return {}, 0
    return stores.sync_store(folder, sections.parts(), manifest["graphs"])


def _records(corpus: Corpus, out: Path, keys: list[str] | None) -> list[Any]:
    """Each article's record (kg/triples.py): from the cache when its key is there,
    else made now and cached. `keys` align with corpus.articles (None: no caching)."""
    from kg import incremental as inc
    from kg.triples import article_record

    cache_dir = out / inc.CACHE_DIR
    records = []
    for i, article in enumerate(corpus.articles):
        key = keys[i] if keys else None
        record = inc.load_record(cache_dir, key) if key else None
        if record is None:
            record = article_record(article)
            if key:
                inc.save_record(cache_dir, key, record)
        records.append(record)
    if keys:
        inc.prune_records(cache_dir, set(keys))
    return records


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


def _summary(articles: int, corpus: Corpus, nxg: Any, files: dict[str, Path]
             ) -> BuildSummary:
    from kg import network

    facts = network.stats(nxg, top=10, betweenness=False)  # betweenness: `kg stats`
    counts = dict(facts.by_type)
    counts["facts"] = facts.edges
    return BuildSummary(articles, counts, facts.degree,
                        tuple(corpus.problems), files)


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

