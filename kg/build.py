"""The whole run: extract -> graph file + extraction.json + graph.html + store, and a summary.

Extraction runs in this process, in N processes (`workers`) or on a Dask
cluster (`dask`), and only for documents that are new or changed since the
last build into the same folder (kg/incremental.py); corpus identity, RDF and
the outputs are then made from every document's extraction, so a rebuild
writes the same bytes as a build from scratch. A process that builds again and
again (`kg watch`) keeps what a rebuild loads in a kg/resident.py `Resident`.
"""
from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kg.errors import NothingToBuild, OutputError, UsageError

if TYPE_CHECKING:
    from kg.model import Corpus, Problem
    from kg.network import Ranked
    from kg.resident import Resident

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
          max_chars: int | None = None, resident: Resident | None = None) -> BuildSummary:
    """Extract facts from `paths` and write graph.<ext>, extraction.json, graph.html and,
    with store="oxigraph", an Oxigraph store (one named graph per article) in OUT/store.

    `progress(stage, done, total)` is called as documents are extracted ("extract") and
    files written ("write"); the CLI draws a progress bar with it.

    Nothing already built is lost: every file is written beside its target and renamed
    over it, graph file and extraction.json first and graph.html last, and the manifest
    marks the store as being rewritten while it is, so a build killed at any point
    leaves complete files and the next build repairs the store (docs/reliability.md).
    Raises NothingToBuild, leaving the folder as it was, when no input gives an article.

    `resident` (kg/resident.py) keeps the summaries and the merge in memory from one
    build to the next into the same folder, for a process that builds again and again;
    a `Resident.for_one_build()` keeps the merge after the build, for a caller that
    ends the process soon and need not free it."""
    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown graph format '{fmt}'; use one of {', '.join(EXTENSIONS)}")
    if store not in STORES:
        raise UsageError(f"unknown store '{store}'; use one of {', '.join(STORES)}")
    out = _out_dir(out_dir)
    # A process that builds again and again loads the models itself, once; a single
    # build may fork an extractor to load them while it loads the rest.
    extractor = _forked_extractor(out, workers, dask) \
        if resident is None or not resident.lasting else None
    if resident is None:  # this build's own: the merge may be loaded early (_prefetch_merge)
        from kg.resident import Resident

        resident = Resident.for_one_build()
    resident.check(out)
    try:
        try:
            extraction, changes, manifest = _extract_incrementally(
                paths, out, encoding=encoding, workers=workers, dask=dask, progress=progress,
                max_chars=max_chars, resident=resident, extractor=extractor)
        finally:
            if extractor is not None:
                extractor.close()
        tick = progress or (lambda stage, done, total: None)
        tick("write", 0, 4)
        keys = manifest["records"]
        # its records light: no N-Triples, no JSON
        state = _merged(extraction, out, keys, resident)
        problems = extraction.problems
        del extraction  # the merge holds what is still needed
        # The merge lives to the end of the build: keep the cyclic garbage collector
        # from walking it again and again (7 % of a rebuild).
        gc.freeze()
        summary = _write(out, fmt, store, state, problems, changes, manifest, tick, resident)
    except BaseException:
        resident.forget()
        raise
    finally:
        gc.unfreeze()  # frozen once the merge was loaded (`_prefetch_merge`, above)
    resident.remember(out)
    return summary


def _write(out: Path, fmt: str, store: str, state: Any, problems: list[Problem],
           changes: Changes, manifest: dict[str, Any], tick: Progress,
           resident: Resident | None = None) -> BuildSummary:
    """Write the graph file and extraction.json from the merged corpus (a
    corpus_state.SavedMerge), save the merge (and keep it in `resident`), write the
    store and the manifest, and graph.html last."""
    from concurrent.futures import ThreadPoolExecutor

    from kg import corpus_state, serialise
    from kg import incremental as inc
    from kg import store as stores
    from kg.forked import Forked

    keys = manifest["records"]
    merged = state.merged
    records = merged.records
    cache_dir = out / inc.CACHE_DIR
    key_of = {r.iri: k for r, k in zip(records, keys)}

    def load(record: Any) -> Any:  # the whole record, back from the cache
        return inc.need_record(cache_dir, key_of[record.iri])

    files = {"graph": out / f"graph.{EXTENSIONS[fmt]}", "extraction": out / "extraction.json",
             "html": out / "graph.html"}
    # The page and the summary: in a rebuild (a patched merge), made in a forked process
    # while this one writes graph.ttl, extraction.json and the store; else here, first.
    def made() -> _Page:
        return _page(merged, problems, files, cache_dir)

    page_job = Forked(made) if state.patch is not None else None
    page = made() if page_job is None else None
    sections = serialise.Sections(merged, load, key_of, reuse=state.graph_keys,
                                  dirty=state.dirty)
    try:
        # graph.ttl and extraction.json are written beside their targets, copying what did
        # not change from the last ones, then renamed one after the other.
        pending = [stores.PendingFile(files[name]) for name in ("graph", "extraction")]
        try:
            graphs, ttl_index = sections.write_graph(
                pending[0], fmt, previous=serialise.read_index(
                    cache_dir / GRAPH_INDEX, files["graph"], serialise._turtle_version()))
            json_index = serialise.write_extraction_json(
                pending[1], ((k, _json_of(load, r)) for r, k in zip(records, keys)), problems,
                previous=serialise.read_index(cache_dir / JSON_INDEX, files["extraction"],
                                              serialise.JSON_VERSION))
        except BaseException:
            for file in pending:
                file.discard()
            raise

        def settle() -> None:
            """Both files flushed to disk and renamed over the last ones, each with its
            index: in a thread, as fsync and rename wait on the disk, not on Python (0.4 s
            of a rebuild at 10,000 articles, now beside saving the state and the store)."""
            for file in pending:
                file.close()
            pending[0].commit()
            if ttl_index is not None:
                serialise.write_index(cache_dir / GRAPH_INDEX, ttl_index, files["graph"])
            pending[1].commit()
            serialise.write_index(cache_dir / JSON_INDEX, json_index, files["extraction"])

        with ThreadPoolExecutor(1) as background:
            settled = background.submit(settle)
            # Saved before the records it no longer needs are pruned: a build killed in
            # between leaves the last state, whose records are all still there to take out.
            # A state not saved keeps its records too, for the next build to patch from it.
            graph_keys = {name: (key_of.get(name), key) for name, key in graphs.items()}
            saved = corpus_state.worth_saving(state)
            if saved:
                corpus_state.save(cache_dir, keys, merged, graph_keys)
                inc.prune_records(cache_dir, set(keys))
            else:
                inc.prune_records(cache_dir, set(keys) | set(state.base_keys))
            if resident is not None:
                resident.file_keys = list(keys) if saved else list(state.base_keys)
                resident.merge, resident.merge_read = corpus_state.settled(state, graph_keys), True
            tick("write", 1, 4)
            # While the store is rewritten, the manifest lists no graph hashes: if this build
            # is killed midway, the next one rewrites every named graph instead of trusting
            # them.
            inc.write_manifest(out, manifest["documents"], {})
            graphs, written = _write_store(sections, out, manifest, store, graphs)
            serialise.write_entities_index(cache_dir / ENTITIES_INDEX, serialise.entities_index(
                merged, graphs.get(serialise.ENTITIES_GRAPH, "")))
            settled.result()
        tick("write", 2, 4)
        if store == "oxigraph":
            files["store"] = out / stores.STORE_DIR
        inc.write_manifest(out, manifest["documents"], graphs)
        tick("write", 3, 4)
        # graph.html last: in a rebuild its page was made meanwhile in the forked process.
        # A build killed before it is renamed leaves the last page, whose key (in the page
        # index) is not this one's, so the next build writes it.
        if page_job is not None:
            page = page_job.result()
        assert page is not None
        summary = page.summary
        _write_page(page, files["html"], cache_dir)
        tick("write", 4, 4)
    except BaseException:  # the page will not be asked for: stop its process
        if page_job is not None:
            page_job.cancel()
        raise
    return replace(summary, files=files, changes=replace(changes, graphs_written=written))


def _write_page(page: _Page, path: Path, cache_dir: Path) -> None:
    """graph.html, written beside and renamed over the last one, with its page index;
    nothing when the page is kept (`page.html` is None)."""
    from kg import serialise
    from kg import store as stores

    if page.html is None:
        return
    html = stores.PendingFile(path)
    try:
        html.write(page.html.encode("utf-8"))
        html.close()
    except BaseException:
        html.discard()
        raise
    html.commit()
    serialise.write_index(cache_dir / PAGE_INDEX, serialise.SpliceIndex(page.key, {}), path)


@dataclass(frozen=True)
class _Page:
    """What the build shows of the corpus: its summary, and graph.html's key and page
    (None when graph.html is kept: what it shows did not change)."""

    summary: BuildSummary
    key: str
    html: str | None


def _page(merged: Any, problems: list[Problem], files: dict[str, Path], cache_dir: Path
          ) -> _Page:
    from kg import incremental as inc
    from kg import network, serialise, view

    nxg, add_details = network.from_merged_lazy(  # details only for what the page carries
        merged, evidence_per_edge=view.EVIDENCE_PER_FACT,
        articles_per_node=view.ARTICLES_PER_ENTITY)
    layouts = inc.load_layouts(cache_dir)
    made = len(layouts)
    page = view.page_data(nxg, details=add_details, layouts=layouts)
    if len(layouts) > made:  # a backbone laid out anew
        inc.save_layouts(cache_dir, layouts)
    summary = _summary(len(merged.records), problems, nxg, files)
    del nxg
    # graph.html is kept when what it shows did not change (and it is the file the last
    # build wrote): no pyvis, no writing
    key = view.page_key(page)
    kept = serialise.read_index(cache_dir / PAGE_INDEX, files["html"], key) is not None
    return _Page(summary, key, None if kept else view.page_html(page))


def _json_of(load: Callable[[Any], Any], record: Any) -> Callable[[], bytes]:
    return lambda: load(record).json.encode("utf-8")


GRAPH_INDEX = "graph.index"  # in the cache: where each named graph's Turtle is in graph.ttl
JSON_INDEX = "extraction.index"  # where each record's document is in extraction.json
PAGE_INDEX = "page.index"  # the key of what graph.html shows (view.page_key)
ENTITIES_INDEX = "entities.index"  # what the store's entities graph holds, per entity


@dataclass
class _Extraction:
    """The corpus after extraction, as the build keeps it: a person summary per article
    (kg/corpus_identity.py), not the articles, which stay in the cache until their
    record is made (kg/triples.py)."""

    summaries: list[Any]  # PersonSummary of each article (or its _Named), duplicates dropped
    origins: list[str]  # the hash of each one's document (its cache entry)
    mapping: dict[str, str]  # corpus identity: person key -> corpus-wide key
    problems: list[Problem]


def _extract_incrementally(paths: Sequence[str | Path], out: Path, *, encoding: str | None,
                           workers: int, dask: str | None, progress: Progress | None = None,
                           max_chars: int | None = None, resident: Resident | None = None,
                           extractor: Any = None
                           ) -> tuple[_Extraction, Changes, dict[str, Any]]:
    """Extract new and changed documents, caching each result and keeping only its
    person summaries; reuse the summaries of the rest (loading their cached extraction
    only when a build was killed before it saved them); then run corpus identity over
    all (`_identify`). The manifest returned holds the new document hashes and the
    record keys."""
    from functools import partial

    from kg import incremental as inc
    from kg.read import MAX_CHARS, read_paths

    docs, problems = read_paths([str(p) for p in paths], encoding=encoding,
                                max_chars=max_chars or MAX_CHARS,
                                memo=resident.reading if resident is not None else None)
    manifest = inc.read_manifest(out)
    cache_dir = out / inc.CACHE_DIR
    todo = inc.plan(docs, cache_dir, manifest["documents"],
                    memo=resident.hashes if resident is not None else None)
    placed = [_Placed(todo.hashes[inc.document_key(doc)], doc.line) for doc in docs]
    # a few documents (or none: only removals) go to the forked extractor, which has been
    # loading the models, or, in a process that builds again (and keeps the models once
    # loaded), are extracted here
    few = len(todo.todo) <= BACKGROUND_MOST
    background = extractor is not None and few
    if few and resident is not None and resident.lasting:
        workers = 1
    if background:
        # The forked process extracts and then runs corpus identity too, loading the
        # summaries itself, while this one loads the last build's merge.
        if progress:
            progress("extract", 0, len(todo.todo))
        outcome = extractor.extract_then([docs[i] for i in todo.todo], partial(
            _identify_in_fork, cache_dir, placed, todo.todo))
        if resident is not None and not resident.merge_read:
            _prefetch_merge(resident, cache_dir)
        # While the forked process finishes, what the page's process (`_write`, forked
        # from this one) would import first: networkx, and pyvis (which imports IPython)
        # for a page that changed, 0.35 s it then does without.
        import kg.network  # noqa: F401
        from kg import view

        view.import_renderer()
        identified = outcome()
        if progress:
            progress("extract", len(todo.todo), len(todo.todo))
    else:
        if extractor is not None:
            extractor.close()  # nothing, or too much, for it to do
        results = _extract_reporting([docs[i] for i in todo.todo], workers, dask, progress)
        kept = resident.summaries if resident is not None else None
        identified = _identify(cache_dir, placed, todo.todo, results,
                               kept if kept is not None else inc.load_summaries(cache_dir),
                               resident)
    problems.extend(identified.problems)
    if not identified.kept:
        raise NothingToBuild(f"nothing to build: no input gave an article ({len(problems)} "
                             f"skipped); {out} was left as it was", tuple(problems))
    changes = Changes(todo.added, todo.changed, todo.removed, todo.reused)
    return (_Extraction(identified.kept, identified.origins, identified.mapping, problems),
            changes, {"documents": todo.hashes, "graphs": manifest["graphs"],
                      "records": identified.keys})


class _Placed(NamedTuple):
    """All corpus identity reads of a document: its hash (its cache entry) and line."""

    doc_hash: str
    line: int


class _Named(NamedTuple):
    """An article as a forked corpus identity sends it back: its id, all making its
    record reads of its summary (`_record_maker`)."""

    id: str


@dataclass
class _Identified:
    """Corpus identity over the whole corpus: the articles kept (duplicates dropped),
    their documents' hashes, the mapping, their record keys and the problems found."""

    kept: list[Any]  # PersonSummary, or _Named
    origins: list[str]
    mapping: dict[str, str]
    keys: list[str]
    problems: list[Problem]


def _identify(cache_dir: Path, placed: list[_Placed], todo: list[int],
              results: Iterable[Any], known: dict[str, Any], resident: Resident | None
              ) -> _Identified:
    """Cache each new extraction (`results`, of the documents `todo` indexes) as it comes
    and summarise it; take the other documents' summaries from `known` (or their cached
    extraction, after a build killed before saving them); then corpus identity over
    every article, in corpus order, and each one's record key. Saves the summaries
    that changed and prunes the cache of documents gone; `resident` keeps them."""
    from kg import incremental as inc
    from kg.corpus_identity import mapping_from_summaries, summarise
    from kg.read import drop_duplicate_articles

    saved = set(known)  # what the file holds
    current: dict[str, inc.Summarised] = {}
    fresh = set()
    problems: list[Problem] = []
    # Each result is cached as soon as it is back, so a build killed while extracting
    # leaves its work for the next one (which finds it through the cache, not the manifest).
    for i, (found, failed) in zip(todo, results):
        doc_hash = placed[i].doc_hash
        inc.save_cached(cache_dir, doc_hash, (found, failed))
        current[doc_hash] = (tuple(summarise(a) for a in found), tuple(failed))
        fresh.add(i)
    summaries: list[Any] = []
    origins: list[str] = []
    for i, (doc_hash, line) in enumerate(placed):
        if doc_hash not in current:
            if doc_hash not in known:  # extracted by a build killed before saving these
                found, failed = inc.load_cached(cache_dir, line, doc_hash)
                known[doc_hash] = (tuple(summarise(a) for a in found), tuple(failed))
            current[doc_hash] = known[doc_hash]
        found_summaries, failed = current[doc_hash]
        summaries.extend(found_summaries)
        origins.extend([doc_hash] * len(found_summaries))
        problems.extend(failed if i in fresh else [replace(p, line=line) for p in failed])
    if resident is not None:  # saved below when they differ from what was saved
        resident.summaries = current
    # summaries have the article's id and source, all this reads
    found_kept, duplicates = drop_duplicate_articles(summaries)
    kept: list[Any] = list(found_kept)
    problems.extend(duplicates)
    if not kept:  # nothing to build: the folder is left as it was
        return _Identified([], [], {}, [], problems)
    inc.prune_cache(cache_dir, {doc_hash for doc_hash, _ in placed})
    if current.keys() != saved:
        inc.save_summaries(cache_dir, current, saved)
    by_id = {id(s): h for s, h in zip(summaries, origins)}
    origins = [by_id[id(s)] for s in kept]
    mapping = mapping_from_summaries(kept)
    keys = _record_keys(kept, origins, mapping, resident)
    return _Identified(kept, origins, mapping, keys, problems)


def _identify_in_fork(cache_dir: Path, placed: list[_Placed], todo: list[int],
                      results: Iterable[Any]) -> _Identified:
    """`_identify` in the forked extractor (kg/distributed.py `extract_then`), sending
    back only what the build reads: each article's id, and the mapping of the articles
    whose record is not cached (the ones a record must be made for; any one entry when
    there are none, as an empty mapping renames nothing and sorts nothing). Running it
    there, beside the parent loading the last merge, took 0.4 s off a 10,000-article
    rebuild."""
    from kg import incremental as inc

    found = _identify(cache_dir, placed, todo, results, inc.load_summaries(cache_dir), None)
    cached = inc.record_keys(cache_dir)
    mapping = {k: v for summary, key in zip(found.kept, found.keys) if key not in cached
               for k in summary.keys if (v := found.mapping.get(k)) is not None}
    if found.mapping and not mapping:
        mapping = dict([next(iter(found.mapping.items()))])
    return _Identified([_Named(s.id) for s in found.kept], found.origins, mapping,
                       found.keys, found.problems)


def _record_keys(kept: list[Any], origins: list[str], mapping: dict[str, str],
                 resident: Resident | None) -> list[str]:
    """Each article's record key: its document's hash, its id and what corpus identity
    renames in it (kg/incremental.py `record_key`). `resident.identity` keeps the last
    mapping and keys: an article none of whose keys the mapping renames differently
    now keeps its key, and only the others' are made again (a signature per article
    took 0.25 s at 10,000 articles). A single build makes them all: the last mapping
    saved and loaded again took longer than that (176k keys, 0.1 s to load, 0.06 s
    to save, and the comparison)."""
    from kg import incremental as inc
    from kg.corpus_identity import identity_signature

    last = resident.identity if resident is not None else None
    known: dict[tuple[str, str], str] = {}
    changed: set[str] | None = None
    if last is not None and bool(last[0]) == bool(mapping):
        before, known = last
        changed = {k for k, v in mapping.items() if before.get(k) != v}
        changed.update(before.keys() - mapping.keys())
    keys, now = [], {}
    for summary, doc_hash in zip(kept, origins):
        found = known.get((doc_hash, summary.id)) if changed is not None \
            and changed.isdisjoint(summary.keys) else None
        if found is None:
            found = inc.record_key(doc_hash, summary.id,
                                   identity_signature(summary.keys, mapping))
        now[(doc_hash, summary.id)] = found
        keys.append(found)
    if resident is not None and resident.lasting:
        resident.identity = (mapping, now)
    return keys


def _forked_extractor(out: Path, workers: int, dask: str | None) -> Any:
    """A kg.distributed.ForkedExtractor loading the models while this process reads the
    inputs and the last build's state, or None: only for a rebuild (a manifest is there)
    in one process that has not loaded the models yet."""
    from kg import incremental as inc
    from kg.distributed import ForkedExtractor, models_loaded

    if workers != 1 or dask or models_loaded() or BACKGROUND_MOST <= 0 \
            or not (out / inc.MANIFEST).is_file():
        return None
    return ForkedExtractor()


BACKGROUND_MOST = 100  # more documents than this: extraction, not loading, is the time


def _prefetch_merge(resident: Resident, cache_dir: Path) -> None:
    """Load the merge the last build saved into `resident`, for `_patched` to take."""
    from kg import corpus_state

    resident.merge, resident.merge_read = corpus_state.load(cache_dir), True
    resident.file_keys = list(resident.merge.keys) if resident.merge is not None else []
    # It lives to the end of the build, which unfreezes it: collections that walked it
    # again and again took 0.3 s of corpus identity at 10,000 articles.
    gc.freeze()


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
    from kg import incremental as inc
    from kg import serialise
    from kg import store as stores

    folder = out / stores.STORE_DIR
    if store == "memory":
        if stores.find_store(folder) == folder:
            shutil.rmtree(folder)
        return {}, 0
    old = serialise.read_entities_index(out / inc.CACHE_DIR / ENTITIES_INDEX)
    name = serialise.ENTITIES_GRAPH

    def patch_entities(found: Any, graph: Any) -> bool:
        """Rewrite only the entities whose lines changed, when the index describes the
        entities graph the store holds (the manifest's key for it is the index's)."""
        if old is None or not old.key or old.key != manifest["graphs"].get(name):
            return False
        new = serialise.entities_index(sections.merged, keys[name])
        stores.replace_subjects(found, graph, *serialise.entity_changes(
            sections.merged, old, new))
        return True

    return stores.sync_store(folder, sections.parts(), manifest["graphs"], hashes=keys,
                             patches={name: patch_entities})


def _merged(extraction: _Extraction, out: Path, keys: list[str],
            resident: Resident | None = None) -> Any:
    """The corpus merged (kg/triples.py), its records light, as a corpus_state.SavedMerge:
    the last build's merge patched with the records whose key changed (kg/corpus_state.py)
    when it can be, else every record merged."""
    from kg import corpus_state
    from kg.triples import Merged

    state = _patched(extraction, out, keys, resident)
    if state is None:
        records = _records(extraction, out, keys)
        merged = Merged(records)
        merged.records = [corpus_state.stub(r) for r in records]
        del records
        state = corpus_state.SavedMerge(list(keys), merged)
    return state


def _patched(extraction: _Extraction, out: Path, keys: list[str],
             resident: Resident | None = None) -> Any:
    """The last build's merge patched to `keys`, or None when there is none to trust:
    none saved, of other code, reordered articles, or a record it needs gone. The merge
    `resident` keeps is patched instead of the saved one when there is one."""
    from kg import corpus_state
    from kg import incremental as inc

    cache_dir = out / inc.CACHE_DIR
    file_keys: list[str] | None = None  # of the saved merge, when one is kept in memory
    if resident is not None and resident.merge_read:
        # patched in place below: `resident` keeps it again once it is written
        saved, file_keys = resident.merge, resident.file_keys
        resident.merge, resident.merge_read = None, False
    else:
        saved = corpus_state.load(cache_dir)
    patch = corpus_state.plan(saved, keys) if saved is not None else None
    if saved is None or patch is None:
        return None
    # The writers read whole records of the graphs and documents they make again.
    if not inc.record_keys(cache_dir) >= set(keys) - set(patch.added):
        return None
    removed = [inc.load_record(cache_dir, key) for key in patch.removed]
    if any(record is None for record in removed):
        return None
    want = set(patch.added)
    make = _record_maker(extraction, cache_dir)
    added = {key: make(summary, doc_hash, key) for summary, doc_hash, key in zip(
        extraction.summaries, extraction.origins, keys) if key in want}
    corpus_state.patched(saved, keys, patch, removed, added)
    if file_keys is not None:  # the saved file's records are the ones pruning must spare
        saved.base_keys = list(file_keys)
    return saved


def _record_maker(extraction: _Extraction, cache_dir: Path) -> Callable[[Any, str, str], Any]:
    """make(summary, doc_hash, key): the article's whole record, from the record cache
    or made now from its document's cached extraction after corpus identity (and
    cached). Articles are loaded one document at a time and only for records to make."""
    from kg import incremental as inc
    from kg.corpus_identity import _rekey
    from kg.triples import article_record

    loaded: tuple[str, dict[str, Any]] = ("", {})  # the last document's articles by id

    def make(summary: Any, doc_hash: str, key: str) -> Any:
        nonlocal loaded
        record = inc.load_record(cache_dir, key)
        if record is None:
            if loaded[0] != doc_hash:
                by_id: dict[str, Any] = {}
                for article in inc.load_articles(cache_dir, doc_hash):
                    by_id.setdefault(article.id, article)
                loaded = (doc_hash, by_id)
            record = article_record(_rekey(loaded[1][summary.id], extraction.mapping))
            inc.save_record(cache_dir, key, record)
        return record

    return make


def _records(extraction: _Extraction, out: Path, keys: list[str]) -> list[Any]:
    """Each article's record (kg/triples.py), light (no N-Triples, no JSON: they are read
    back from the record cache when written): from the light-records file when its key
    is there, else whole from the record cache or made now (`_record_maker`). `keys`
    align with extraction.summaries."""
    from kg import incremental as inc

    cache_dir = out / inc.CACHE_DIR
    light = inc.load_light_records(cache_dir)
    present = inc.record_keys(cache_dir)
    make = _record_maker(extraction, cache_dir)
    pool: dict[str, str] = {}  # one string object per distinct key, name and IRI
    records = []
    for summary, doc_hash, key in zip(extraction.summaries, extraction.origins, keys):
        record = light.get(key)  # shares its strings with the others already
        if record is not None and key in present:
            records.append(record)
            continue
        records.append(_light(make(summary, doc_hash, key), pool))
    # Saved before pruning, so every record the light file lists has its own file, even
    # when a build is killed in between (the writer reads whole records from those).
    if light.keys() != set(keys):
        inc.save_light_records(cache_dir, dict(zip(keys, records)))
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

