"""Extraction of many documents: in this process, in N local processes, on a Dask cluster,
or, for a rebuild of a few, in one process forked to load the models meanwhile.

Every runner returns one (articles, problems) pair per document, in the order of
the documents given, so the corpus-level stages that follow see the same input
whichever runner was used, and the outputs are byte-identical.
The gazetteer and jieba load once per worker process (both are cached per process).
"""
from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from kg.errors import UsageError
from kg.model import Article, Document, Problem

Extracted = tuple[list[Article], list[Problem]]
T = TypeVar("T")


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
    documents it is given, then runs what it is given to run after (the build's corpus
    identity): a rebuild after one changed article spent 1.6 s loading jieba, the
    gazetteer and the person model, then 1.3 s loading the last build's state; started
    first, the process loads the models while this one reads the inputs and loads that
    state. Where processes cannot be forked, or the one forked dies, this process
    extracts."""

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

    def extract_then(self, docs: Sequence[Document],
                     after: Callable[[Iterator[Extracted]], T]) -> Callable[[], T]:
        """Send the documents now, and `after`, to be called in the forked process with
        an iterator over their extractions (`iter_extract(docs)`); the function returned
        waits for what `after` returns there, the only thing sent back. `after` must
        pickle (a module's function, or a functools.partial of one). Where there is no
        process, it dies or `after` fails there, both run here when the result is asked
        for, which raises the real error."""
        def here() -> T:
            self.close()
            return after(iter_extract(docs))

        if self.process is None:
            return here
        # Sent from a thread: what `after` carries (a corpus's document hashes, say) can
        # fill the pipe, and the process reads it only once the models are loaded; this
        # one goes on meanwhile (sending blocked it for 0.2 s at 10,000 articles).
        sent: list[bool] = []

        def send() -> None:
            try:
                self.conn.send((list(docs), after))
            except (OSError, pickle.PicklingError, AttributeError, TypeError):
                return
            sent.append(True)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()

        def result() -> T:
            sender.join()
            if not sent:
                return here()
            try:
                ok, value = self.conn.recv()
            except (EOFError, OSError):  # it died (out of memory, killed): carry on here
                ok, value = False, None
            if not ok:
                return here()
            self.close()
            return value

        return result

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
        sent = conn.recv()
        if sent is None:  # closed: nothing to do
            return
        docs, after = sent
        try:
            value = after(extract_document(doc) for doc in docs)
        except BaseException:  # noqa: BLE001 - the parent runs it again and raises it
            conn.send((False, None))
        else:
            conn.send((True, value))
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
