"""kg/watch.py and kg/resident.py: a watching process rebuilds on change, keeping the
summaries and the merge in memory, and writes what `kg build` writes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_incremental import RECORDS, outputs, write_corpus

from kg import corpus_state
from kg import incremental as inc
from kg.build import build
from kg.resident import Resident
from kg.watch import Built, watch


def fresh_outputs(tmp_path: Path, corpus: Path, name: str) -> dict[str, bytes]:
    build([corpus], out_dir=tmp_path / name)
    return outputs(tmp_path / name)


EDITS = [  # each a corpus one step on from the last: edit, add, remove, rename a person
    [(i, t + "村里开会。" if i == "a" else t) for i, t in RECORDS],
    RECORDS + [("e", "云南省大理白族自治州洱源县牛街乡党委书记赵明说。")],
    [r for r in RECORDS if r[0] != "d"],
    [(i, t.replace("李淼", "王强")) for i, t in RECORDS if i != "d"],
]


def test_resident_rebuilds_write_what_cold_builds_write_and_load_nothing_kept(
        tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    loads: list[str] = []
    real_state, real_summaries = corpus_state.load, inc.load_summaries
    monkeypatch.setattr(corpus_state, "load", lambda d: loads.append("merge") or real_state(d))
    monkeypatch.setattr(inc, "load_summaries",
                        lambda d: loads.append("summaries") or real_summaries(d))
    resident = Resident()
    build([corpus], out_dir=out, resident=resident)
    assert sorted(loads) == ["merge", "summaries"]  # the first build reads the files
    for n, records in enumerate(EDITS):
        write_corpus(corpus, records)
        loads.clear()
        build([corpus], out_dir=out, resident=resident)
        assert loads == []  # both came from memory
        assert outputs(out) == fresh_outputs(tmp_path, corpus, f"fresh{n}")
    # the files left behind serve a cold build as well
    write_corpus(corpus, RECORDS)
    build([corpus], out_dir=out)
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh-cold")


def test_a_folder_built_by_another_process_meanwhile_is_read_again(tmp_path, monkeypatch):
    """The manifest is not the one this process wrote: what it kept is dropped."""
    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    resident = Resident()
    build([corpus], out_dir=out, resident=resident)
    write_corpus(corpus, EDITS[1])
    build([corpus], out_dir=out)  # another process: no resident
    write_corpus(corpus, EDITS[3])
    loads: list[str] = []
    real = inc.load_summaries
    monkeypatch.setattr(inc, "load_summaries", lambda d: loads.append("summaries") or real(d))
    build([corpus], out_dir=out, resident=resident)
    assert loads == ["summaries"]
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh")


def test_watch_builds_each_change_and_reports_a_failed_build_without_losing_outputs(
        tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    steps = [lambda: write_corpus(corpus, EDITS[0]),
             lambda: corpus.write_text("", encoding="utf-8"),  # nothing to build
             lambda: write_corpus(corpus, EDITS[1])]
    seen: list[Built] = []
    kept: list[dict[str, bytes]] = []

    def report(built: Built) -> None:
        seen.append(built)
        kept.append(outputs(out))
        if steps:
            time.sleep(0.02)  # a new mtime even on coarse clocks
            steps.pop(0)()

    runs = watch([corpus], out_dir=out, interval=0.05, report=report,
                 keep_going=lambda: len(seen) < 4)
    assert runs == 4
    assert [b.error is None for b in seen] == [True, True, False, True]
    assert "nothing to build" in str(seen[2].error)
    assert kept[2] == kept[1]  # the failed build left the last good outputs
    assert [b.summary.changes.changed for b in seen if b.summary] == [0, 1, 1]
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh")


def test_kg_watch_runs_until_interrupted(tmp_path):
    """The command: one line per build, a rebuild after a change, exit 0 when stopped."""
    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "watch", str(corpus), "-o", str(out),
                             "--interval", "0.1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert lines[0].startswith("watching") and "built 4 articles" in lines[1]
        write_corpus(corpus, EDITS[1])
        line = proc.stdout.readline()
        assert "built 5 articles" in line and "1 added" in line
        proc.send_signal(signal.SIGTERM)  # as `kill` sends it; Ctrl-C's SIGINT alike
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "stopped" in rest
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh")


def test_a_cold_rebuild_extracts_a_few_documents_in_a_forked_process_meanwhile(
        tmp_path, monkeypatch):
    """With the models not loaded yet, the changed document is extracted in a forked
    process while this one loads the last build's merge; the bytes are a fresh build's."""
    import kg.distributed
    import kg.pipeline

    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    pids = tmp_path / "pids"
    real = kg.pipeline.extract_documents

    def noted(docs):
        with pids.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real(docs)

    monkeypatch.setattr(kg.pipeline, "extract_documents", noted)
    monkeypatch.setattr(kg.distributed, "models_loaded", lambda: False)
    loads: list[str] = []
    real_load = corpus_state.load
    monkeypatch.setattr(corpus_state, "load", lambda d: loads.append("merge") or real_load(d))
    write_corpus(corpus, EDITS[3])
    changes = build([corpus], out_dir=out).changes
    assert changes.changed == 1
    assert pids.read_text().split() != [] and str(os.getpid()) not in pids.read_text().split()
    assert loads == ["merge"]  # once, early, and taken by the patch
    monkeypatch.setattr(kg.pipeline, "extract_documents", real)
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh")


def test_a_forked_extraction_that_dies_is_done_in_this_process(tmp_path, monkeypatch):
    import kg.distributed
    import kg.pipeline

    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    parent, real = os.getpid(), kg.pipeline.extract_documents

    def dies_when_forked(docs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(docs)

    monkeypatch.setattr(kg.pipeline, "extract_documents", dies_when_forked)
    monkeypatch.setattr(kg.distributed, "models_loaded", lambda: False)
    write_corpus(corpus, EDITS[1])
    assert build([corpus], out_dir=out).changes.added == 1
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh")


def test_a_watcher_with_workers_extracts_a_small_change_itself(tmp_path, monkeypatch):
    """With --workers 2 the first build uses two processes; a change of a few documents
    is extracted in the watcher, which keeps the models, not in new worker processes."""
    import kg.distributed

    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    pools: list[int] = []
    real = kg.distributed.iter_extract

    def counted(docs, *, workers=1):
        pools.append(workers)
        return real(docs, workers=workers)

    monkeypatch.setattr(kg.distributed, "iter_extract", counted)
    monkeypatch.setattr("kg.build.BACKGROUND_MOST", 2)  # 4 documents are many, 1 is few
    resident = Resident()
    build([corpus], out_dir=out, resident=resident, workers=2)
    write_corpus(corpus, EDITS[0])
    build([corpus], out_dir=out, resident=resident, workers=2)
    assert pools == [2, 1]
    assert outputs(out) == fresh_outputs(tmp_path, corpus, "fresh")


def test_a_cold_rebuild_runs_corpus_identity_in_the_forked_process_and_writes_a_fresh_build(
        tmp_path, monkeypatch):
    """Edits, additions, removals and a renamed person (corpus identity then renames
    people in articles that did not change): each cold rebuild loads the summaries and
    runs corpus identity in the forked extractor, not here, and writes the bytes of a
    fresh build."""
    import kg.corpus_identity
    import kg.distributed

    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    pids = tmp_path / "pids"
    real_summaries, real_mapping = inc.load_summaries, kg.corpus_identity.mapping_from_summaries

    def noted(real):
        def run(*args):
            with pids.open("a") as handle:
                handle.write(f"{os.getpid()}\n")
            return real(*args)
        return run

    monkeypatch.setattr(inc, "load_summaries", noted(real_summaries))
    monkeypatch.setattr(kg.corpus_identity, "mapping_from_summaries", noted(real_mapping))
    monkeypatch.setattr(kg.distributed, "models_loaded", lambda: False)
    for n, records in enumerate(EDITS):
        write_corpus(corpus, records)
        pids.write_text("")
        build([corpus], out_dir=out)
        ran = pids.read_text().split()
        assert len(ran) == 2 and str(os.getpid()) not in ran
        monkeypatch.setattr(kg.distributed, "models_loaded", lambda: True)  # fresh: here
        assert outputs(out) == fresh_outputs(tmp_path, corpus, f"fresh{n}")
        monkeypatch.setattr(kg.distributed, "models_loaded", lambda: False)
