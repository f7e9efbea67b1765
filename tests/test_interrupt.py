"""Nothing lost: a `kg build` killed with SIGKILL leaves the previous outputs complete,
and the next build recovers, down to the Oxigraph store and the extraction cache.

Two ways to kill: from outside at a moment seen from the output folder (extraction
under way), and from inside at an exact point (the build process sends itself
SIGKILL from a wrapper around one function: after N documents, on renaming one
output, after N named graphs written to the store, before the last manifest).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rdflib import Graph

from kg.store import read_nquads

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("graph.ttl", "extraction.json", "graph.html")
SENTENCES = [
    "广东省清远市连山壮族瑶族自治县上帅镇东南村党支部书记黄家瑛说，村里计划盘活山地。",
    "河南省许昌市委书记张伟在会上强调，要推进“五方联动”工作机制。",
    "许昌市魏都区委副书记、区长李淼介绍了情况。",
    "浙江省杭州市余杭区委书记王强表示，全区推广“村民说事”制度。",
    "云南省大理白族自治州洱源县牛街乡党委书记赵明说，乡里建起了党群议事亭。",
]
DRIVER = textwrap.dedent("""
    # Run `kg ARGS...`, killing this very process with SIGKILL at one point.
    import os, signal, sys
    from pathlib import Path

    point, count, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    seen = 0

    def reached():
        global seen
        seen += 1
        if seen == count:
            os.kill(os.getpid(), signal.SIGKILL)

    if point == "extract":  # after `count - 1` documents extracted, in this process
        import kg.build
        import kg.distributed as d
        kg.build.BACKGROUND_MOST = 0
        real_extract = d.extract_document
        def extract_document(doc):
            reached()
            return real_extract(doc)
        d.extract_document = extract_document
    elif point == "store":  # after `count - 1` named graphs loaded into the store
        import kg.store as st
        real_open = st.open_store
        class Store:
            def __init__(self, inner):
                self.inner = inner
            def __getattr__(self, name):
                return getattr(self.inner, name)
            def load(self, *a, **kw):
                reached()
                return self.inner.load(*a, **kw)
        st.open_store = lambda *a, **kw: Store(real_open(*a, **kw))
    else:  # instead of the `count`-th rename onto a file called `point`
        real_replace = os.replace
        def replace(src, dst, *a, **kw):
            if Path(dst).name == point:
                reached()
            return real_replace(src, dst, *a, **kw)
        os.replace = replace

    from kg.cli import app
    app(args, prog_name="kg")
""")


def write_corpus(path: Path, n: int, *, edit: str = "") -> Path:
    """n records of three sentences each; `edit` appended changes every record."""
    lines = []
    for i in range(n):
        text = "".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)) + edit
        lines.append(json.dumps({"id": f"a{i:04d}", "text": text}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def kg_build(corpus: Path, out: Path, *, driver: tuple[str, int] | None = None,
             wait: bool = True) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:
    args = ["build", str(corpus), "-o", str(out), "--quiet"]
    command = [sys.executable, "-m", "kg", *args]
    if driver:
        command = [sys.executable, "-c", DRIVER, driver[0], str(driver[1]), *args]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def snapshot(out: Path) -> dict[str, bytes]:
    """The three outputs and the store's content, as bytes."""
    found = {name: (out / name).read_bytes() for name in OUTPUTS}
    found["store"] = read_nquads(out / "store")
    return found


def assert_complete(out: Path) -> None:
    """Each output is a whole file, whichever build wrote it."""
    assert len(Graph().parse(out / "graph.ttl", format="turtle")) > 100
    assert json.loads((out / "extraction.json").read_text(encoding="utf-8"))["documents"]
    assert (out / "graph.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def stray_temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.tmp")]


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A finished build of corpus A (the previous graph) and corpus B, which edits every
    record of A, so a build of B rewrites every output, cache entry and named graph."""
    folder = tmp_path_factory.mktemp("interrupt")
    corpus_a = write_corpus(folder / "a.jsonl", 40)
    corpus_b = write_corpus(folder / "b.jsonl", 40, edit="村里开会。")
    out = folder / "built"
    done = kg_build(corpus_a, out)
    assert done.returncode == 0, done.stderr
    return corpus_a, corpus_b, out, snapshot(out)


@pytest.mark.parametrize(("point", "count"), [
    ("extract", 11),  # ten documents of B extracted and cached, then killed
    ("graph.html", 1),  # graph.ttl and extraction.json of B renamed, graph.html not yet
    ("store", 6),  # five named graphs of B in the store, the rest still A's
    ("manifest.json", 2),  # everything of B written but the last manifest
])
def test_build_killed_at_any_point_keeps_complete_outputs_and_the_next_build_recovers(
        previous, tmp_path, point, count):
    corpus_a, corpus_b, built, before = previous
    out = tmp_path / "out"
    shutil.copytree(built, out)
    killed = kg_build(corpus_b, out, driver=(point, count))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_complete(out)
    if point == "extract":
        assert snapshot(out) == before  # nothing of B written yet
    again = kg_build(corpus_a, out)  # back to A: outputs and store must be A's again
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == before
    assert stray_temporaries(out) == []


def test_documents_extracted_before_a_kill_are_not_extracted_again(
        previous, tmp_path, monkeypatch):
    _, corpus_b, built, _ = previous
    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert kg_build(corpus_b, out, driver=("extract", 11)).returncode == -signal.SIGKILL
    import kg.distributed
    from kg.build import build

    extracted = []
    real = kg.distributed.extract_document
    monkeypatch.setattr("kg.build.BACKGROUND_MOST", 0)  # extract here, where it is counted
    monkeypatch.setattr(kg.distributed, "extract_document",
                        lambda doc: extracted.append(doc.id) or real(doc))
    changes = build([corpus_b], out_dir=out).changes
    assert (changes.added, changes.reused) == (40, 0)  # b.jsonl: new documents to the manifest
    assert len(extracted) == 30  # the ten cached before the kill are read back


def test_sigkill_from_outside_midway_leaves_the_previous_graph(tmp_path):
    """The build is killed by another process while it extracts a corpus that takes
    seconds; the previous build's files are untouched, and the next build finishes."""
    out = tmp_path / "out"
    corpus_a = write_corpus(tmp_path / "a.jsonl", 20)
    assert kg_build(corpus_a, out).returncode == 0
    before = snapshot(out)
    cached = set((out / "cache").glob("*.pickle"))
    corpus_b = write_corpus(tmp_path / "b.jsonl", 400, edit="村里开会。")
    process = kg_build(corpus_b, out, wait=False)
    deadline = time.monotonic() + 300
    while len(set((out / "cache").glob("*.pickle")) - cached) < 20:  # extraction under way
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert snapshot(out) == before
    assert len(Graph().parse(out / "graph.ttl", format="turtle")) > 100
    for kind in ("ttl", "oxigraph"):  # what users open still reads the outputs, not temporaries
        from kg.query import run_preset
        from kg.store import load_graph

        graph = load_graph(out / "graph.ttl") if kind == "ttl" else load_graph(out)
        assert run_preset(graph, "people_posts").rows, kind
    finished = kg_build(corpus_b, out)
    assert finished.returncode == 0, finished.stderr
    assert_complete(out)
    assert snapshot(out) != before and stray_temporaries(out) == []
