"""A function run in a forked copy of this process while this one goes on.

The build has two cores and, in a rebuild, two independent pieces of work after the
merge is patched: the network and the graph page (about 1.3 s at 10,000 articles)
and the graph file, extraction.json and the store (about 0.7 s). A forked child
shares the merge without copying or pickling it and sends back only its result.

Where processes cannot be forked, or the child dies or fails, the function runs in
this process when its result is asked for: the result (or the error) is always the
one running it here gives.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`fn()` started now in a forked child; `result()` waits for it and returns it."""

    def __init__(self, fn: Callable[[], T]):
        import multiprocessing

        self.fn = fn
        self.process: Any = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.conn, theirs = context.Pipe(duplex=False)
        self.process = context.Process(target=_run, args=(fn, theirs, self.conn), daemon=True)
        self.process.start()
        theirs.close()

    def result(self) -> T:
        if self.process is None:
            return self.fn()
        try:
            ok, value = self.conn.recv()
        except Exception:  # noqa: BLE001 - died, or sent what cannot be read: run it here
            ok, value = False, None
        finally:
            self.conn.close()
            self.process.join()
            self.process = None
        return value if ok else self.fn()  # a failure is raised here, as it would be

    def cancel(self) -> None:
        """Stop the child: its result will not be asked for (the caller failed)."""
        if self.process is None:
            return
        self.conn.close()
        self.process.kill()
        self.process.join()
        self.process = None


def _run(fn: Callable[[], Any], conn: Any, parents: Any) -> None:
    # The parent's end, inherited: closed, so that if the parent dies the pipe has no
    # reader left and sending fails at once instead of blocking forever on a full pipe.
    parents.close()
    try:
        value = fn()
    except BaseException:  # noqa: BLE001 - the parent runs fn itself and raises it there
        _send(conn, (False, None))
    else:
        _send(conn, (True, value))
    finally:
        conn.close()
        exit_at_once()


def _send(conn: Any, value: Any) -> None:
    try:
        conn.send(value)
    except OSError:  # the parent is gone (killed, or it failed and stopped this)
        pass


def exit_at_once() -> None:
    """End a forked child without flushing stdout and stderr as multiprocessing does on
    the way out: a thread of the parent (a progress bar) may have held a stream's lock
    when it forked, and in the child nothing would ever release it."""
    import os

    os._exit(0)
