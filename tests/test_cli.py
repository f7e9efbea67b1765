import importlib.util
import json
import re

import pytest
from typer.testing import CliRunner

from kg.cli import app

COMMANDS = ["build", "extract", "validate", "query", "presets", "path", "neighbors", "stats",
            "viz"]
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def _have(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout


def test_top_level_help_has_an_example():
    result = run("--help")
    assert result.exit_code == 0 and "Example:" in result.stdout
    for command in COMMANDS:
        assert command in result.stdout


def test_query_preset_with_param(sample_ttl):
    result = run("query", sample_ttl, "--preset", "place", "--param", "place=许昌市")
    assert result.exit_code == 0, result.output
    assert "许昌市委书记" in result.stdout and "(7 rows)" in result.stdout


def test_query_text_as_csv(sample_ttl):
    result = run("query", sample_ttl, "SELECT ?n WHERE { ?p a gov:Person ; rdfs:label ?n }",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "n" and sorted(lines[1:]) == sorted(["黄家瑛", "张伟", "王芳", "王芳"])


def test_query_from_file_as_json(sample_ttl, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?child WHERE { ?c gov:partOf ?p ; rdfs:label ?child . "
                  "?p rdfs:label ?parent }", encoding="utf-8")
    result = run("query", sample_ttl, "--file", rq, "--param", "parent=清远市", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"child": "连山壮族瑶族自治县"}]


def test_bad_query_exits_1_with_one_line(sample_ttl):
    result = run("query", sample_ttl, "SELECT ?x WHERE {\n ?x ?y }")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "line 2, column 2" in lines[0]
    assert "Traceback" not in result.stderr


def test_preset_missing_param_exits_1(sample_ttl):
    result = run("query", sample_ttl, "--preset", "place")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "--param place=" in result.stderr


def test_query_needs_exactly_one_source(sample_ttl):
    result = run("query", sample_ttl)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


def test_bad_param_syntax_is_usage_error(sample_ttl):
    result = run("query", sample_ttl, "--preset", "place", "--param", "place")
    assert result.exit_code == 2 and "NAME=VALUE" in result.stderr


def test_missing_graph_file_exits_1(tmp_path):
    result = run("stats", tmp_path / "nope.ttl")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    assert "nope.ttl" in result.stderr


def test_unknown_option_exits_2(sample_ttl):
    assert run("stats", sample_ttl, "--bogus").exit_code == 2


def test_unknown_command_exits_2():
    assert run("frobnicate").exit_code == 2


def test_presets_lists_every_preset():
    result = run("presets")
    assert result.exit_code == 0
    for name in ("people_posts", "org_hierarchy", "initiatives", "place", "place_tree"):
        assert name in result.stdout
    assert "offset" in result.stdout and "organisation" in result.stdout  # the optional ones


def test_stats(sample_ttl):
    result = run("stats", sample_ttl, "--top", "3")
    assert result.exit_code == 0, result.output
    assert "20 entities, 20 facts" in result.stdout
    assert "Place: 7" in result.stdout and "清远市" in result.stdout


def test_path_prints_steps_with_evidence(sample_ttl):
    result = run("path", sample_ttl, "黄家瑛", "清远市")
    assert result.exit_code == 0, result.output
    assert "--东南村党支部书记-->" in result.stdout
    assert "黄家瑛说" in result.stdout


def test_path_ambiguous_name_exits_1(sample_ttl):
    result = run("path", sample_ttl, "王芳", "清远市")
    assert result.exit_code == 1
    assert "matches 2 entities" in result.stderr


def test_neighbors(sample_ttl):
    result = run("neighbors", sample_ttl, "东南村", "--depth", "1")
    assert result.exit_code == 0, result.output
    assert "2 entities within 1 hop" in result.stdout
    assert "东南村 --隶属--> 上帅镇" in result.stdout


def test_neighbors_negative_depth_is_usage_error(sample_ttl):
    assert run("neighbors", sample_ttl, "东南村", "--depth", "-1").exit_code == 2


def test_viz_writes_a_self_contained_page(sample_ttl, tmp_path):
    out = tmp_path / "view" / "g.html"
    result = run("viz", sample_ttl, "-o", out, "--focus", "东南村", "--depth", "1")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "kg-legend" in page
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)


@pytest.mark.skipif(not _have("kg.validate"), reason="kg.validate not written yet")
def test_validate_conforming_graph(sample_ttl):
    result = run("validate", sample_ttl)
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not _have("kg.validate"), reason="kg.validate not written yet")
def test_validate_non_conforming_graph_exits_1(sample_graph, tmp_path):
    from rdflib import RDF, RDFS

    for node in list(sample_graph.subjects(RDF.type, None)):
        sample_graph.remove((node, RDFS.label, None))
    path = tmp_path / "bad.ttl"
    sample_graph.serialize(destination=str(path), format="turtle")
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stdout.strip()


def test_python_dash_m_kg_runs_the_app():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kg", "presets", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Example:" in done.stdout


PIPELINE = ("kg.pipeline", "kg.interchange", "kg.rdf", "kg.store")


@pytest.mark.skipif(not _have(*PIPELINE), reason="extraction pipeline not written yet")
def test_build_end_to_end_on_the_examples(tmp_path):
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    out = tmp_path / "out"
    result = run("build", examples, "-o", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"graph.ttl", "extraction.json", "graph.html"}
    data = json.loads((out / "extraction.json").read_text(encoding="utf-8"))
    assert data
    assert "best connected" in result.stdout
    again = tmp_path / "again"
    assert run("build", examples, "-o", again).exit_code == 0
    for name in ("graph.ttl", "extraction.json"):
        assert (out / name).read_bytes() == (again / name).read_bytes()
    stats = run("stats", out / "graph.ttl")
    assert stats.exit_code == 0, stats.output


@pytest.fixture
def stub_pipeline(monkeypatch, sample_graph):
    """Stand-ins for the extraction stages, so build/extract are tested on their own."""
    import sys
    import types

    import kg
    from kg.model import Corpus, Problem

    corpus = Corpus(articles=(), problems=(Problem("bad.txt", "not UTF-8; pass --encoding"),))
    stubs = {
        "pipeline": {"extract": lambda paths, encoding=None, **options: corpus},
        "interchange": {"to_interchange": lambda c: {"z": 1, "a": ["东南村"], "m": {"b": 2}}},
        "rdf": {"corpus_to_graph": lambda c: sample_graph},
        "store": {"save_graph": lambda graph, path, fmt: graph.serialize(
            destination=str(path), format={"ttl": "turtle", "nt": "nt"}[fmt], encoding="utf-8"),
            "STORE_DIR": "store", "find_store": lambda path: None},
    }
    from kg import build as build_module  # extraction stubbed: no cache, no store

    monkeypatch.setattr(build_module, "_extract_incrementally", lambda paths, out, **kw: (
        corpus, build_module.Changes(), {"documents": {}, "graphs": {}}))
    for name, attrs in stubs.items():
        module = types.ModuleType(f"kg.{name}")
        module.__dict__.update(attrs)
        monkeypatch.setitem(sys.modules, f"kg.{name}", module)
        monkeypatch.setattr(kg, name, module, raising=False)
    return corpus


@pytest.fixture
def one_good_one_bad(tmp_path):
    """A folder with one governance sentence and one file that will not decode."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("广东省清远市连山壮族瑶族自治县上帅镇东南村党支部书记黄家瑛说。",
                                  encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\xff\xfe\xfa\xfb bad")
    return folder


def test_build_writes_three_files_and_a_summary(one_good_one_bad, tmp_path):
    out = tmp_path / "out"
    result = run("build", one_good_one_bad, "-o", out, "--format", "nt", "--store", "memory")
    assert result.exit_code == 3, result.output  # built, but an input was skipped
    assert sorted(p.name for p in out.iterdir()) == ["cache", "extraction.json", "graph.html",
                                                     "graph.nt", "manifest.json"]
    data = json.loads((out / "extraction.json").read_text(encoding="utf-8"))
    assert [d["source"] for d in data["documents"]] == ["a.txt"]
    assert "黄家瑛" in {e["name"] for e in data["documents"][0]["entities"]}
    assert "Place: " in result.stdout and "best connected: 上帅镇" in result.stdout
    assert "skipped 1" in result.stdout
    assert result.stderr.startswith("warning: ") and "bad.txt: cannot decode" in result.stderr


def test_build_summary_from_the_library(one_good_one_bad, tmp_path):
    from kg.build import build

    summary = build([one_good_one_bad], out_dir=tmp_path / "o", store="memory")
    assert summary.articles == 1 and summary.counts["Person"] == 1
    assert summary.counts["facts"] >= 1
    degrees = [r.value for r in summary.best_connected]
    assert degrees and degrees == sorted(degrees, reverse=True)
    assert [p.source for p in summary.problems] == [str(one_good_one_bad / "bad.txt")]
    assert summary.files["graph"].name == "graph.ttl"


def test_build_unknown_format_is_usage_error(tmp_path):
    assert run("build", tmp_path, "--format", "xml").exit_code == 2


def test_build_into_a_file_exits_1(stub_pipeline, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("build", tmp_path, "-o", blocker / "out")
    assert result.exit_code == 1 and result.stderr.startswith("error: ")


def test_extract_writes_json(stub_pipeline, tmp_path):
    out = tmp_path / "x.json"
    result = run("extract", tmp_path, "-o", out)
    assert result.exit_code == 3, result.output  # written, but an input was skipped
    assert json.loads(out.read_text(encoding="utf-8"))["a"] == ["东南村"]
    assert result.stderr == "warning: bad.txt: not UTF-8; pass --encoding\n"
