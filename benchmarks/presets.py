"""Warm latency of each preset query against a built store; prints figures, asserts nothing.

    python benchmarks/presets.py OUT [--runs 6] [--place 许昌市] [--all-rows]

OUT is an output folder of `kg build` (its Oxigraph store is used) or a store or graph
file. Each preset runs `--runs` times in one process: the first run is reported apart
(cold caches), the median of the others is the "warm median". `--all-rows` also times
the listing presets with `limit=all` (every row, as `--param limit=all` gives).

benchmarks/run.py can call `preset_latency(folder)`: same shape as its query_latency.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

DEFAULT_PLACE = "许昌市"


def preset_latency(folder: str | Path, *, runs: int = 6, place: str = DEFAULT_PLACE,
                   all_rows: bool = False) -> dict[str, tuple[float, float, int]]:
    """Per preset: first run (ms), median of the other runs (ms), rows returned.

    With all_rows, the paged presets are timed again with limit=all, under
    "NAME (all)"."""
    return {label: (first, warm, rows) for label, (first, warm, _, rows)
            in measure(folder, runs=runs, place=place, all_rows=all_rows).items()}


def measure(folder: str | Path, *, runs: int = 6, place: str = DEFAULT_PLACE,
            all_rows: bool = False) -> dict[str, tuple[float, float, float, int]]:
    """Per preset: first run, warm median wall, warm median CPU (ms), rows. CPU time is
    steadier on a shared machine: Oxigraph answers in the calling thread."""
    from kg.query import list_presets, preset_info, run_preset
    from kg.store import load_graph

    graph = load_graph(folder)
    cases: list[tuple[str, str, dict[str, str]]] = []
    for name in list_presets():
        info = preset_info(name)
        bindings = {"place": place} if "place" in info.required else {}
        cases.append((name, name, bindings))
        if all_rows and info.page_size:
            cases.append((f"{name} (all)", name, {**bindings, "limit": "all"}))
    out = {}
    for label, name, bindings in cases:
        walls, cpus, rows = [], [], 0
        for _ in range(max(runs, 2)):
            start, cpu = time.perf_counter(), time.process_time()
            rows = len(run_preset(graph, name, bindings=bindings).rows)
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        out[label] = (walls[0], statistics.median(walls[1:]), statistics.median(cpus[1:]), rows)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="output folder of kg build, or a store")
    parser.add_argument("--runs", type=int, default=6, help="runs per preset (default 6)")
    parser.add_argument("--place", default=DEFAULT_PLACE, help="place for the place preset")
    parser.add_argument("--all-rows", action="store_true",
                        help="also time the paged presets with limit=all")
    args = parser.parse_args(argv)
    figures = measure(args.folder, runs=args.runs, place=args.place, all_rows=args.all_rows)
    for label, (first, warm, cpu, rows) in figures.items():
        print(f"query {label:20} first {first:7.1f} ms, warm median {warm:7.1f} ms "
              f"(CPU {cpu:6.1f} ms), {rows} rows")
    print(f"(load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
