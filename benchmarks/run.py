"""Build throughput, memory, incremental rebuild and query latency, in one run.

    python benchmarks/make_corpus.py -o /tmp/bench/corpus.jsonl
    python benchmarks/run.py /tmp/bench/corpus.jsonl [--articles N] [--work /tmp/bench/run]

Prints figures; asserts nothing. Builds run as `kg build` subprocesses, so their
peak memory (max RSS of the largest process) is their own. The machine is shared, so
besides wall time each step prints its CPU time (user + system, all its processes)
and the load average: on a busy machine CPU ratios are the steadier comparison. The bare jieba.posseg
pass runs here, before kg is imported, so jieba is unpatched. The incremental rebuild
is timed three times, each after one more sentence naming a person in the same article,
and in a running `kg watch` five times; each is printed and so is the median.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def records(path: Path, limit: int | None) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(out) >= limit:
                break
            out.append(json.loads(line))
    return out


def bare_posseg(texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one jieba.posseg pass over the texts."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        for _ in jieba.posseg.cut(text):
            pass
    return time.perf_counter() - start, time.process_time() - cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    """The machine is shared: the 1-minute load average says how busy it was."""
    return f"load {os.getloadavg()[0]:.1f}"


REBUILD_EDITS = ("许昌市委书记张伟在会上强调。", "镇党委书记李刚主持会议。", "村党支部书记王明介绍情况。")


def kg_build(corpus: Path, out: Path, *extra: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (all its processes) and peak RSS (MB, its largest
    process) of one `kg build`, run as a user runs it (`python -m kg`). What earlier
    steps wrote is flushed to disk first (`sync`), so that a build is not charged for
    writing out the last one's gigabytes: in the sixth session's first run, the rebuild
    straight after the 2-worker build took 3.5 s, and the same kind of rebuild of a
    2-worker build, run a minute after it, 2.9 s."""
    import tempfile

    os.sync()
    start, cpu = time.perf_counter(), children_cpu()
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        process = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "-o",
                                    str(out), *extra], stdout=out_file, stderr=err_file,
                                   text=True)
        _, status, usage = os.wait4(process.pid, 0)  # its rusage: Popen.wait gives none
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
        process.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        stdout, stderr = out_file.read(), err_file.read()
    if process.returncode:
        raise SystemExit(f"kg build failed:\n{stdout}\n{stderr}")
    summary = [line for line in stdout.splitlines() if "documents:" in line]
    print("   ", summary[0].strip() if summary else "")
    # its own and its children's peak (Linux reports the largest of them)
    return wall, cpu, usage.ru_maxrss / 1024


def watched_rebuilds(corpus: Path, out: Path, recs: list[dict], times: int = 5) -> None:
    """Rebuilds in a running `kg watch`: the same one-article change, `times` over (each
    a new change to the same article), timed from writing the corpus file to the line
    the watcher prints; and the time the watcher itself reports for the build."""
    import signal
    import statistics

    watcher = subprocess.Popen([sys.executable, "-m", "kg", "watch", str(corpus), "-o",
                                str(out), "--interval", "0.1"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "COLUMNS": "300"})
    walls, builds = [], []
    try:
        assert watcher.stdout is not None
        watcher.stdout.readline()  # watching ...
        watcher.stdout.readline()  # its first build: the folder as `kg build` left it
        for n in range(times):
            recs[len(recs) // 2]["text"] += f"乡里开会{n}次。"
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
            start = time.perf_counter()
            corpus.write_text(text, encoding="utf-8")
            line = watcher.stdout.readline()
            walls.append(time.perf_counter() - start)
            builds.append(float(line.split(" in ", 1)[1].split(" s", 1)[0]))
            if n == 0:
                print("   ", line.strip())
        with open(f"/proc/{watcher.pid}/status") as status:
            peak = next(int(x.split()[1]) for x in status if x.startswith("VmHWM"))
    finally:  # SIGTERM: a job started in the background ignores SIGINT, and so do its children
        watcher.send_signal(signal.SIGTERM)
        try:
            watcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            watcher.kill()
    print(f"rebuild after one changed article in a running `kg watch`: median "
          f"{statistics.median(walls):.1f} s from saving the file to the watcher's line "
          f"(build {statistics.median(builds):.1f} s; all: "
          f"{', '.join(f'{w:.1f}' for w in walls)} s); watcher peak RSS {peak / 1024:,.0f} MB; "
          f"{load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--articles", type=int, default=None, help="use the first N only")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench"))
    parser.add_argument("--skip", action="append", default=[],
                        choices=("bare", "workers", "watch", "queries"),
                        help="leave out a step (repeatable): the bare pass, the 2-worker "
                        "build, the rebuilds in `kg watch`, the query latencies")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the 1-process build in WORK/one if there is one and time "
                        "only the rebuild (and queries)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    recs = records(args.corpus, args.articles)
    corpus = args.work / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                      encoding="utf-8")
    chars = sum(len(r["text"]) for r in recs)
    print(f"{time.strftime('%Y-%m-%d')}  {os.cpu_count()} cores  Python "
          f"{platform.python_version()}  {len(recs)} articles, {chars:,} characters")

    bare = bare_cpu = float("nan")
    if "bare" not in args.skip:
        bare, bare_cpu = bare_posseg([r["text"] for r in recs])
        print(f"bare jieba.posseg pass: {bare:.1f} s ({chars / bare:,.0f} chars/s), "
              f"CPU {bare_cpu:.1f} s; {load()}")
    builds = [("1 process", "one", ())]
    if "workers" not in args.skip:
        builds.append(("2 workers", "two", ("--workers", "2")))
    if args.keep and (args.work / "one" / "manifest.json").is_file():
        builds = builds[1:]
    for label, out, extra in builds:
        subprocess.run(["rm", "-rf", str(args.work / out)], check=True)
        wall, cpu, rss = kg_build(corpus, args.work / out, *extra)
        print(f"build, {label}: {wall:.1f} s = {chars / wall:,.0f} chars/s, "
              f"{len(recs) / wall:.1f} articles/s; {wall / bare:.2f} x bare posseg; "
              f"CPU {cpu:.1f} s = {cpu / bare_cpu:.2f} x; peak RSS {rss:,.0f} MB; {load()}")

    # Three rebuilds, each after one more sentence in the same article, each naming a
    # person (new entities: the entities graph, the store and the page change too).
    walls = []
    for n, sentence in enumerate(REBUILD_EDITS):
        recs[len(recs) // 2]["text"] += sentence
        if args.keep:  # a new change each run, so a kept build always sees one changed record
            runs = args.work / "runs"
            k = int(runs.read_text()) + 1 if runs.is_file() else 1
            runs.write_text(str(k))
            recs[len(recs) // 2]["text"] += "村里开会。" * k
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                          encoding="utf-8")
        wall, cpu, rss = kg_build(corpus, args.work / "one")
        walls.append(wall)
        print(f"incremental rebuild {n + 1} after one changed article: {wall:.1f} s, CPU "
              f"{cpu:.1f} s; peak RSS {rss:,.0f} MB; {load()}")
    print(f"incremental rebuild after one changed article, `kg build`: median "
          f"{statistics.median(walls):.2f} s (all: {', '.join(f'{w:.2f}' for w in walls)} s)")
    if "watch" not in args.skip:
        watched_rebuilds(corpus, args.work / "one", recs)

    from presets import preset_latency  # benchmarks/presets.py (this folder is sys.path[0])

    presets = {} if "queries" in args.skip else preset_latency(args.work / "one")
    for preset, (first, warm, rows) in presets.items():
        print(f"query {preset:14} first {first:7.1f} ms, warm median {warm:7.1f} ms, {rows} rows")
    print(f"(this process: peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")


if __name__ == "__main__":
    main()
