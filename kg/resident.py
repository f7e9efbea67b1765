"""What a long-running process (`kg watch`) keeps in memory between builds into one folder.

A cold rebuild of 10,000 articles after one changed article spends seconds loading
what the last build left on disk: jieba's dictionary and the other models, the person
summaries of every document (cache/summaries-*.pkl) and the merged corpus
(cache/merged.pkl). A process that builds again and again into the same folder loads
the models once (they are cached per process anyway) and keeps the other two here,
as the last build left them, instead of reading them back.

What is kept is trusted only while the folder is as this process left it: every
build writes the manifest at its end, so a manifest of another size, time or inode
(another `kg build` ran there) drops everything kept, and the next build reads the
files. A build that fails drops it too. What each input line read as, each
document's hash and each article's record key are kept by content, whatever happens
to the folder. Everything kept is a copy of what is on disk or a state the files can
give again: a process that stops loses nothing.

A single `kg build` uses one too (`for_one_build`), to load the last merge early,
while its forked extractor loads the models.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Resident:
    """The last build's summaries and merge for the folder `out`, and the manifest's
    stat then. `file_keys`: the record keys of the merge saved in cache/merged.pkl,
    whose records pruning must keep while the kept merge drifts from it."""

    out: Path | None = None
    manifest: tuple[int, int, int] | None = None  # inode, size, mtime_ns
    summaries: dict[str, Any] | None = None  # as incremental.load_summaries gives them
    merge: Any = None  # corpus_state.SavedMerge of the last build's keys, settled
    merge_read: bool = False  # `merge` is what there is (None: no saved merge to trust)
    file_keys: list[str] = field(default_factory=list)
    # By content, so kept whatever happens to the folder: what each input line read as,
    # each document's hash, and the record keys (None: not kept, as in a single build).
    reading: Any = field(default_factory=lambda: _read_memo())
    hashes: dict[Any, str] | None = field(default_factory=dict)
    # the last corpus-identity mapping and record key by (document hash, article id)
    identity: tuple[dict[str, str], dict[tuple[str, str], str]] | None = None

    @classmethod
    def for_one_build(cls) -> Resident:
        """What a single `kg build` keeps while it runs: the merge it loads early, and
        nothing by content (it would only cost memory)."""
        return cls(reading=None, hashes=None)

    @property
    def lasting(self) -> bool:
        """Whether this outlives one build (kept by a process that builds again)."""
        return self.hashes is not None

    def check(self, out: Path) -> None:
        """Drop what is kept unless it is of `out` as this process left it."""
        if self.out is None or self.out.resolve() != out.resolve() \
                or self.manifest != _stat(out):
            self.forget()
            self.out = out

    def forget(self) -> None:
        self.manifest = self.summaries = self.merge = None
        self.merge_read = False
        self.file_keys = []

    def remember(self, out: Path) -> None:
        """Note the manifest the build just wrote (call last)."""
        self.out, self.manifest = out, _stat(out)


def _read_memo() -> Any:
    from kg.read import ReadMemo

    return ReadMemo()


def _stat(out: Path) -> tuple[int, int, int] | None:
    from kg.incremental import MANIFEST

    try:
        found = (out / MANIFEST).stat()
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns
