"""Extraction of many documents: in this process, in N local processes, or on a Dask cluster.

Every runner returns one (articles, problems) pair per document, in the order of
the documents given, so the corpus-level stages that follow see the same input
whichever runner was used, and the outputs are byte-identical.
The gazetteer and jieba load once per worker process (both are cached per process).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from kg.errors import UsageError
from kg.model import Article, Document, Problem

Extracted = tuple[list[Article], list[Problem]]


def extract_document(doc: Document) -> Extracted:
    """Segment and extract one document (the unit of work sent to a worker)."""
    from kg.pipeline import extract_documents

    return extract_documents([doc])


def warm_up() -> None:
    """Load the gazetteer, its scanners and jieba's dictionary now, not in the first task."""
    extract_document(Document("warm-up", "<warm-up>", "广东省清远市连山壮族瑶族自治县上帅镇东南村党支部书记黄家瑛说。"))


def extract_all(docs: Sequence[Document], *, workers: int = 1,
                dask_address: str | None = None) -> list[Extracted]:
    """Extract every document with the runner the options name."""
    if not docs:
        return []
    if dask_address:
        return extract_with_dask(docs, dask_address)
    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, got {workers}")
    if workers == 1 or len(docs) == 1:
        return [extract_document(doc) for doc in docs]
    return extract_in_processes(docs, workers)


def extract_in_processes(docs: Sequence[Document], workers: int) -> list[Extracted]:
    """N worker processes; map keeps document order. Chunks amortise pickling overhead."""
    return list(iter_extract(docs, workers=workers))


def iter_extract(docs: Sequence[Document], *, workers: int = 1) -> Iterator[Extracted]:
    """`extract_all` one document's result at a time, in document order, so the caller
    can cache and drop each result instead of holding the whole corpus's articles."""
    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, got {workers}")
    if workers == 1 or len(docs) <= 1:
        yield from (extract_document(doc) for doc in docs)
        return
    chunksize = max(1, min(64, len(docs) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=min(workers, len(docs)),
                             initializer=warm_up) as pool:
        yield from pool.map(extract_document, docs, chunksize=chunksize)


def extract_in_background(docs: Sequence[Document]) -> Iterator[Extracted]:
    """`iter_extract` of a few documents in one forked process, begun now: the results
    come back in order as the iterator is read, and the caller loads what it needs
    meanwhile. A rebuild after one changed article spent 1.6 s loading jieba, the
    gazetteer and the person model for it, and 1.3 s more loading the last build's
    state, one after the other; a forked process takes the first off this one's path.
    Where processes cannot be forked, or the one forked dies, this process extracts."""
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    if not docs or "fork" not in multiprocessing.get_all_start_methods():
        return iter_extract(docs)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    futures = [pool.submit(extract_document, doc) for doc in docs]

    def results() -> Iterator[Extracted]:
        try:
            for i, future in enumerate(futures):
                try:
                    yield future.result()
                except BrokenProcessPool:  # the process died (out of memory, killed)
                    yield from iter_extract(docs[i:])
                    return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return results()


def models_loaded() -> bool:
    """Whether this process has the extraction models loaded (jieba's tagger is the
    last thing a first extraction loads): then extracting here costs nothing extra."""
    import sys

    return "jieba.posseg" in sys.modules


def extract_with_dask(docs: Sequence[Document], address: str | Any, *,
                      timeout: str = "20s") -> list[Extracted]:
    """client.map over the documents on the Dask scheduler at `address` (or a Client)."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs the distributed package; install it with "
                         "pip install 'dask[distributed]'") from None
    own = not isinstance(address, Client)
    try:
        client = Client(address, timeout=timeout) if own else address
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}; start one "
                         "with `dask scheduler` or check the address") from None
    try:
        futures = client.map(extract_document, list(docs), pure=False)
        return list(client.gather(futures))
    finally:
        if own:
            client.close()
