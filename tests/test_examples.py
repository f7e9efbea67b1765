"""Golden tests on the bundled example pages: the whole flow, end to end.

The accuracy test reads ../shared/eval (gold annotations and the scorer) and is
skipped where that folder is absent (a user's clone); CI has it.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from kg.build import build
from kg.interchange import to_interchange
from kg.pipeline import extract
from kg.query import list_presets, run_preset
from kg.store import load_graph
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EVAL = ROOT.parent / "shared" / "eval"
# Issue 2's bar; the measured figures are in docs/accuracy.md.
MIN_ENTITY_F1, MIN_RELATION_F1 = 0.80, 0.65


@pytest.fixture(scope="module")
def corpus():
    return extract([EXAMPLES])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    summary = build([EXAMPLES], out_dir=out)
    return out, summary


def test_every_example_page_yields_articles_without_problems(corpus):
    sources = {Path(a.source).name for a in corpus.articles}
    assert sources == {p.name for p in EXAMPLES.glob("*.txt")}
    assert corpus.problems == ()


def test_build_writes_graph_extraction_and_page(built):
    out, summary = built
    for name in ("graph.ttl", "extraction.json", "graph.html"):
        assert (out / name).stat().st_size > 1000, name
    assert summary.counts["Person"] > 50


def test_examples_graph_conforms_to_the_shapes(built):
    out, _ = built
    report = validate(load_graph(out / "graph.ttl"))
    assert report.conforms, report


@pytest.mark.parametrize("preset", ["people_posts", "org_hierarchy", "initiatives", "place_tree"])
def test_each_preset_returns_rows_on_the_examples(built, preset):
    out, _ = built
    assert preset in list_presets()
    assert len(run_preset(load_graph(out / "graph.ttl"), preset).rows) > 5


def test_place_preset_answers_for_a_city_of_the_examples(built):
    out, _ = built
    result = run_preset(load_graph(out / "graph.ttl"), "place", bindings={"place": "许昌市"})
    assert result.rows


def test_the_same_input_gives_byte_identical_outputs(built, tmp_path):
    out, _ = built
    build([EXAMPLES], out_dir=tmp_path)
    for name in ("graph.ttl", "extraction.json"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_evidence_offsets_point_into_the_source_file(corpus):
    for article in corpus.articles[:5]:
        source = Path(article.source).read_text(encoding="utf-8")
        for rel in article.relations:
            start, end = article.source_span(rel.start, rel.end)
            piece = source[start:end]
            assert "".join(piece.split()) or not piece, (piece, rel)
            assert piece[:1] == article.text[rel.start:rel.start + 1] or piece[:1] in "\"'", rel


def _score(corpus, tmp_path):
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    system = tmp_path / "x.json"
    system.write_text(json.dumps(to_interchange(corpus), ensure_ascii=False), encoding="utf-8")
    return score, system


@pytest.mark.skipif(not (EVAL / "score.py").exists(), reason="../shared/eval not present")
def test_accuracy_on_the_seed_gold_meets_the_bar(corpus, tmp_path, capsys):
    score, system = _score(corpus, tmp_path)
    score.main(["--gold", str(EVAL / "gold"), "--system", str(system), "--json"])
    figures = json.loads(capsys.readouterr().out)
    print(json.dumps({k: figures[k] for k in ("entities", "relations")}))
    assert figures["entities"]["f"] >= MIN_ENTITY_F1
    assert figures["relations"]["f"] >= MIN_RELATION_F1
