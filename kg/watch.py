"""`kg watch`: build, then build again each time an input changes, in one process.

The process keeps what a rebuild would otherwise load from disk (kg/resident.py):
the models, the person summaries and the merged corpus. Each rebuild is the same
`build` as `kg build` runs and writes the same bytes; only the loading is saved.

Inputs are polled (size, time and inode of every file `kg build` would read): no
file-system events, so it works the same on every system and on network folders.
A change is built once it has held still for SETTLE seconds, so a file still
being written is not read half-way. A build that fails (bad input, nothing to build) is
reported in one line; the outputs stay those of the last good build, and the next
change is built again.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError

SETTLE = 0.1  # seconds a change must hold still before it is built


@dataclass(frozen=True)
class Built:
    """One build by the watcher: its summary, or the error that stopped it."""

    seconds: float
    summary: Any = None  # build.BuildSummary
    error: KgError | None = None


def fingerprint(paths: Sequence[str | Path]) -> tuple[tuple[str, int, int, int], ...]:
    """(path, size, mtime_ns, inode) of every input file; a file that vanished in between
    counts as changed (size -1)."""
    from kg.read import input_files

    out = []
    for path in input_files(paths):
        try:
            found = path.stat()
            out.append((str(path), found.st_size, found.st_mtime_ns, found.st_ino))
        except OSError:
            out.append((str(path), -1, 0, 0))
    return tuple(out)


def watch(paths: Sequence[str | Path], *, out_dir: str | Path = "output",
          interval: float = 0.5, report: Callable[[Built], None] = lambda built: None,
          keep_going: Callable[[], bool] = lambda: True, **options: Any) -> int:
    """Build `paths` into `out_dir` now and after every change, until `keep_going()` is
    false (or Ctrl-C); `report` gets each build. `options` are `build`'s. Returns how
    many builds ran."""
    from kg.build import build
    from kg.resident import Resident

    resident = Resident()
    built_for: Any = object()  # the inputs' fingerprint at the last build
    seen: Any = None
    runs = 0
    while keep_going():
        now: Any
        try:
            now = fingerprint(paths)
        except KgError as exc:  # a path gone: say so once, keep polling
            now = exc
        if now != seen:  # changed since the last poll: wait for it to hold still
            seen = now
            time.sleep(min(SETTLE, interval))
            continue
        if now != built_for:
            built_for = now
            start = time.perf_counter()
            runs += 1
            if isinstance(now, KgError):
                report(Built(0.0, error=now))
            else:
                try:
                    summary = build(paths, out_dir=out_dir, resident=resident, **options)
                    report(Built(time.perf_counter() - start, summary))
                except KgError as exc:
                    report(Built(time.perf_counter() - start, error=exc))
            continue  # poll again at once: what changed while building is built next
        time.sleep(interval)
    return runs
