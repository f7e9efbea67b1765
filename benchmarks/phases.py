"""Time the phases of one `kg build`: wall seconds of each and RSS after it, no profiler.

    python benchmarks/phases.py CORPUS -o OUT [other kg build options]

Wraps the build's phase functions, runs `kg build` in this process and prints one line
per phase (phases not run, such as the page when graph.html is kept, are not listed)
and the total with peak RSS. Prints figures; asserts nothing.
"""
from __future__ import annotations

import functools
import resource
import sys
import time

T0 = time.perf_counter()
from kg import build as b
from kg import corpus_state, forked, serialise
from kg import incremental as inc

rows: list[tuple[str, float, int]] = []


def rss() -> int:
    """Resident set size now, MB (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 >> 20


def timed(mod, name: str, label: str) -> None:
    real = getattr(mod, name)
    @functools.wraps(real)
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            rows.append((label, time.perf_counter() - t, rss()))
    setattr(mod, name, wrapper)


timed(b, "_extract_incrementally", "start-up reading, hashing, extracting, identity")
timed(b, "_merged", "merge (state load + patch, or all records)")
# In a rebuild the network, summary and page are made in a forked process (kg/forked.py):
# what shows here is the wait for it; in a first build, `_page` runs here.
timed(forked.Forked, "result", "network, summary and page: waiting for the fork")
timed(b, "_page", "network, summary and page, made here")
timed(serialise.Sections, "write_graph", "graph keys + graph.ttl")
timed(serialise, "write_extraction_json", "extraction.json")
timed(corpus_state, "save", "state save")
timed(inc, "prune_records", "prune records")
timed(b, "_write_store", "store")
timed(inc, "write_manifest", "manifest")
from kg.cli import app

sys.argv = ["kg", "build", *sys.argv[1:]]
try:
    app()
except SystemExit:
    pass
total = time.perf_counter() - T0
for label, secs, mb in rows:
    print(f"{label:50} {secs:6.2f} s  rss {mb:5} MB", file=sys.stderr)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
print(f"{'total in process':50} {total:6.2f} s  peak {peak} MB", file=sys.stderr)
