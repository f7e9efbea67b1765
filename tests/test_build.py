"""kg/build.py: parallel builds equal one-process builds; the store answers like memory."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.errors import UsageError
from kg.query import list_presets, run_preset
from kg.store import find_store, load_graph

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PARAMS = {"place": {"place": "许昌市"}}


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return out, build([EXAMPLES], out_dir=out)


@pytest.fixture(scope="module")
def parallel(tmp_path_factory):
    out = tmp_path_factory.mktemp("parallel")
    return out, build([EXAMPLES], out_dir=out, workers=2)


def rows(graph, preset):
    """Rows as a sorted list: ORDER BY leaves ties in an engine-dependent order."""
    return sorted(run_preset(graph, preset, bindings=PARAMS.get(preset)).rows,
                  key=lambda r: tuple("" if v is None else v for v in r))


@pytest.mark.parametrize("name", ["graph.ttl", "extraction.json"])
def test_two_workers_write_the_same_bytes_as_one_process(serial, parallel, name):
    assert (parallel[0] / name).read_bytes() == (serial[0] / name).read_bytes()


def test_build_writes_an_oxigraph_store_and_a_manifest(serial):
    out, summary = serial
    assert find_store(out) == out / "store"
    assert (out / "manifest.json").is_file()
    assert summary.changes.added == 5 and summary.changes.reused == 0
    assert summary.changes.graphs_written == summary.articles + 1  # + the entities graph


@pytest.mark.parametrize("preset", list_presets())
def test_store_and_memory_give_the_same_rows_for_every_preset(serial, preset):
    out, _ = serial
    in_store = rows(load_graph(out), preset)
    assert in_store, preset
    assert in_store == rows(load_graph(out / "graph.ttl", backend="memory"), preset)
    assert in_store == rows(load_graph(out / "store", backend="memory"), preset)


def test_store_memory_build_writes_no_store(tmp_path):
    (tmp_path / "a.txt").write_text("许昌市委书记张伟在会上强调。", encoding="utf-8")
    build([tmp_path / "a.txt"], out_dir=tmp_path / "out", store="memory")
    assert find_store(tmp_path / "out") is None
    assert rows(load_graph(tmp_path / "out"), "people_posts")


def test_unknown_store_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown store"):
        build([EXAMPLES], out_dir=tmp_path, store="postgres")
