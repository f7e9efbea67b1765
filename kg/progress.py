"""The terminal side of long builds: a rich progress bar fed by kg.build's `progress=`
callback. Used by the CLI only; the library reports progress and never draws."""
from __future__ import annotations

import time
from typing import Any, Self

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STAGES = {"extract": "extracting articles", "write": "writing graph, store and page"}


class BuildProgress:
    """Call it as `progress(stage, done, total)`. The bar appears only when it helps: on
    a terminal once a build has `min_docs` documents or more (or takes over a second),
    and also off a terminal for big builds (`log_docs` or more)."""

    def __init__(self, console: Console, *, quiet: bool = False, min_docs: int = 5,
                 log_docs: int = 500) -> None:
        self.console, self.quiet = console, quiet
        self.min_docs, self.log_docs = min_docs, log_docs
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.tasks: dict[str, Any] = {}

    def _wanted(self, stage: str, total: int) -> bool:
        if self.quiet:
            return False
        if stage == "extract" and total >= self.log_docs:
            return True
        slow = time.monotonic() - self.started > 1.0
        return self.console.is_terminal and (total >= self.min_docs or slow)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            if not self._wanted(stage, total):
                return
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                console=self.console, transient=self.console.is_terminal)
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(STAGES.get(stage, stage), total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
