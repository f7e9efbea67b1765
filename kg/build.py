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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import OutputError, UsageError

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
          store: str = "oxigraph", progress: Progress | None = None) -> BuildSummary:
    """Extract facts from `paths` and write graph.<ext>, extraction.json, graph.html and,
    with store="oxigraph", an Oxigraph store (one named graph per article) in OUT/store.

    `progress(stage, done, total)` is called as documents are extracted ("extract") and
    files written ("write"); the CLI draws a progress bar with it."""
    from kg import network, rdf, view
    from kg.interchange import to_interchange

    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown graph format '{fmt}'; use one of {', '.join(EXTENSIONS)}")
    if store not in STORES:
        raise UsageError(f"unknown store '{store}'; use one of {', '.join(STORES)}")
    out = _out_dir(out_dir)
    corpus, changes, manifest = _extract_incrementally(paths, out, encoding=encoding,
                                                       workers=workers, dask=dask,
                                                       progress=progress)
    tick = progress or (lambda stage, done, total: None)
    tick("write", 0, 4)
    graph = rdf.corpus_to_graph(corpus)
    files = {"graph": out / f"graph.{EXTENSIONS[fmt]}", "extraction": out / "extraction.json",
             "html": out / "graph.html"}
    from kg import store as stores

    stores.save_graph(graph, files["graph"], fmt=fmt)
    write_json(to_interchange(corpus), files["extraction"])
    tick("write", 1, 4)
    graphs, written = _write_store(graph, out, manifest, store)
    tick("write", 2, 4)
    if store == "oxigraph":
        files["store"] = out / stores.STORE_DIR
    from kg import incremental

    incremental.write_manifest(out, manifest["documents"], graphs)
    nxg = network.to_networkx(graph)
    tick("write", 3, 4)
    view.write_html(view.render_html(nxg), files["html"])
    summary = _summary(corpus, nxg, files)
    tick("write", 4, 4)
    return replace(summary, changes=replace(changes, graphs_written=written))


def _extract_incrementally(paths: Sequence[str | Path], out: Path, *, encoding: str | None,
                           workers: int, dask: str | None, progress: Progress | None = None
                           ) -> tuple[Corpus, Changes, dict[str, Any]]:
    """Extract new and changed documents, reuse the cache for the rest, then run
    corpus identity over all. The manifest returned holds the new document hashes."""
    from kg import incremental as inc
    from kg.corpus_identity import resolve_corpus
    from kg.model import Corpus
    from kg.read import read_paths

    docs, problems = read_paths([str(p) for p in paths], encoding=encoding)
    manifest = inc.read_manifest(out)
    cache_dir = out / inc.CACHE_DIR
    todo = inc.plan(docs, cache_dir, manifest["documents"])
    fresh = dict(zip(todo.todo, _extract_reporting([docs[i] for i in todo.todo], workers,
                                                   dask, progress)))
    articles = []
    for i, doc in enumerate(docs):
        doc_hash = todo.hashes[inc.document_key(doc)]
        if i in fresh:
            inc.save_cached(cache_dir, doc_hash, fresh[i])
            found, failed = fresh[i]
        else:
            found, failed = inc.load_cached(cache_dir, doc, doc_hash)
        articles.extend(found)
        problems.extend(failed)
    inc.prune_cache(cache_dir, set(todo.hashes.values()))
    corpus = Corpus(tuple(resolve_corpus(articles)), tuple(problems))
    changes = Changes(todo.added, todo.changed, todo.removed, todo.reused)
    return corpus, changes, {"documents": todo.hashes, "graphs": manifest["graphs"]}


def _extract_reporting(docs: list[Any], workers: int, dask: str | None,
                       progress: Progress | None) -> list[Any]:
    """extract_all, one document at a time when a single process reports progress."""
    from kg.distributed import extract_all

    if progress is None or workers > 1 or dask:
        if progress:
            progress("extract", 0, len(docs))
        found = extract_all(docs, workers=workers, dask_address=dask)
    else:
        found = []
        for i, doc in enumerate(docs):
            progress("extract", i, len(docs))
            found.extend(extract_all([doc]))
    if progress:
        progress("extract", len(docs), len(docs))
    return found


def _write_store(graph: Any, out: Path, manifest: dict[str, Any], store: str
                 ) -> tuple[dict[str, str], int]:
    """Sync OUT/store with the graph split per article; with store="memory", remove it."""
    from kg import store as stores
    from kg.export import ntriples, partition

    folder = out / stores.STORE_DIR
    if store == "memory":
        if stores.find_store(folder) == folder:
            shutil.rmtree(folder)
        return {}, 0
    parts = {name: ntriples(triples) for name, triples in partition(graph).items()}
    return stores.sync_store(folder, parts, manifest["graphs"])


def extract_json(paths: Sequence[str | Path], out_file: str | Path, *,
                 encoding: str | None = None) -> Corpus:
    """Extract and write only the interchange JSON; returns the corpus for reporting."""
    from kg import pipeline
    from kg.interchange import to_interchange

    corpus = pipeline.extract([str(p) for p in paths], encoding=encoding)
    write_json(to_interchange(corpus), out_file)
    return corpus


def write_json(data: Any, path: str | Path) -> Path:
    """Deterministic JSON (sorted keys, indent 1, UTF-8 text), written atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    from kg.view import write_text_atomic

    return write_text_atomic(text, path)


def _summary(corpus: Corpus, nxg: Any, files: dict[str, Path]) -> BuildSummary:
    from kg import network

    facts = network.stats(nxg, top=10)
    counts = dict(facts.by_type)
    counts["facts"] = facts.edges
    return BuildSummary(len(corpus.articles), counts, facts.degree,
                        tuple(corpus.problems), files)


def _out_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create output folder ({exc.strerror or exc}); "
                          "choose another with -o") from None
    return out

