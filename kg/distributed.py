"""Extraction of many documents: in this process, in N local processes, on a Dask cluster,
or, for a rebuild of a few, in one process forked to load the models meanwhile.

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


class ForkedExtractor:
    """One forked process that loads the models at once and extracts, later, the few
    documents it is given: a rebuild after one changed article spent 1.6 s loading
    jieba, the gazetteer and the person model, then 1.3 s loading the last build's
    state; started first, the process loads the models while this one reads the
    inputs and loads that state. Where processes cannot be forked, or the one forked
    dies, this process extracts."""

    def __init__(self) -> None:
        import multiprocessing

        self.process: Any = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, self.conn), daemon=True)
        self.process.start()
        theirs.close()

    def extract(self, docs: Sequence[Document]) -> Iterator[Extracted]:
        """`iter_extract(docs)`: the documents sent now, the results read back in order,
        one at a time, as the iterator is read."""
        if self.process is None:
            return iter_extract(docs)
        try:
            self.conn.send(list(docs))
        except OSError:
            self.close()
            return iter_extract(docs)
        return self._results(docs)

    def _results(self, docs: Sequence[Document]) -> Iterator[Extracted]:
        for i in range(len(docs)):
            try:
                result = self.conn.recv()
            except (EOFError, OSError):  # it died (out of memory, killed): carry on here
                self.close()
                yield from iter_extract(docs[i:])
                return
            yield result
        self.close()

    def close(self) -> None:
        """Stop the process (it has nothing more to do, or nothing at all)."""
        if self.process is None:
            return
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process = None


def _serve(conn: Any, parents: Any) -> None:
    """The forked process: load the models, then extract the documents sent, if any."""
    # The parent's end, inherited: closed, so that a parent that dies (even by SIGKILL)
    # leaves this process an end of file to read, and it stops.
    parents.close()
    try:
        warm_up()
        docs = conn.recv()
        for doc in docs or ():
            conn.send(extract_document(doc))
    except (EOFError, OSError, KeyboardInterrupt):  # the builder went away or stopped
        pass
    finally:
        conn.close()
        from kg.forked import exit_at_once

        exit_at_once()


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
