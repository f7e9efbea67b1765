"""Hostile article text is inert everywhere: markup, attributes, </textarea>,
javascript: URLs and SPARQL-looking strings go through a real `kg build` into the
graph page, the query page of `kg serve` and `kg query`, and stay data.

In the browsers, every payload would set `window.pwned` (or open a dialog) if it ran;
the tests check that it never does and that the text is shown as text.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GOV, build_sample_graph
from rdflib import RDFS, Literal
from test_browser import Visit, browser  # noqa: F401 - the fixture is used
from typer.testing import CliRunner

from kg.cli import app

PAYLOADS = [
    "<script>window.pwned='script'</script>",
    "<img src=x onerror=\"window.pwned='img'\">",
    "</textarea><svg onload=\"window.pwned='svg'\">",
    "\" onmouseover=\"window.pwned='attr'\" x=\"",
    "<a href=\"javascript:window.pwned='link'\">点我</a>",
    "javascript:window.pwned='url'",
    "\"} ; DROP ALL ; # SELECT * WHERE { ?s ?p ?o }",
]
HOSTILE = "".join(PAYLOADS)
SENTENCE = "河南省许昌市委书记张伟在会上强调{}，要推进“五方联动”工作机制。"
SPLICE_PROOF = '许"昌\\市"@zh } UNION { ?p ?q ?place } #'  # a place label that breaks a splice
TITLES = """PREFIX gov: <https://w3id.org/jiceng-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?title WHERE { ?a gov:articleId ?id ; rdfs:label ?title }"""
runner = CliRunner()


def kg(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> Path:
    """`kg build` of a corpus whose title, url and text carry every payload."""
    folder = tmp_path_factory.mktemp("hostile")
    record = {"id": "h1", "title": "标题" + HOSTILE, "url": PAYLOADS[5],
              "text": SENTENCE.format(HOSTILE)}
    corpus = folder / "corpus.jsonl"
    corpus.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = kg("build", corpus, "-o", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


def no_payload_ran(visit: Visit) -> None:
    assert visit.js("window.pwned === undefined"), visit.js("window.pwned")
    assert visit.dialogs == []
    assert visit.js("document.querySelectorAll('img, iframe, svg:not(.kg-icon), "
                    "a[href^=\"javascript\"], [onmouseover], [onerror], [onload]').length") == 0


def test_hostile_text_reaches_the_graph_as_data(hostile_build):
    from rdflib import Graph

    graph = Graph().parse(hostile_build / "graph.ttl", format="turtle")
    texts = {str(o) for o in graph.objects()}
    assert "标题" + HOSTILE in texts  # the title, unchanged
    assert any(PAYLOADS[0] in t and "张伟" in t for t in texts)  # an evidence sentence


def test_hostile_article_in_the_built_page_never_runs(browser, hostile_build):  # noqa: F811
    visit = Visit(browser, hostile_build / "graph.html")
    visit.js("kg.search('张伟')")
    panel = visit.page.inner_text("#kg-panel")
    assert "《标题" + PAYLOADS[0] + PAYLOADS[1] in panel  # the title, shown as text
    for label in visit.js("nodes.get().map(n => n.label)"):  # every entity's panel
        visit.js("(label) => kg.search(label)", label)
    visit.page.wait_for_timeout(200)
    no_payload_ran(visit)
    assert visit.errors == [] and visit.stays_local(), (visit.errors, visit.requests)


def test_hostile_text_in_the_query_page_of_kg_serve_never_runs(browser, hostile_build):  # noqa: F811
    from kg.serve import start

    with start(hostile_build, port=0) as server:
        page = browser.new_page()
        visit = Visit.__new__(Visit)  # the same recorders, on an http page
        visit.page, visit.errors, visit.requests, visit.dialogs = page, [], [], []
        page.on("dialog", visit._dialog)
        page.on("pageerror", lambda e: visit.errors.append(str(e)))
        page.goto(server.url)
        page.select_option("#preset", label="place")
        page.fill("input[data-param='place']", PAYLOADS[6] + PAYLOADS[0])
        page.click("#run")
        page.wait_for_selector("#status:has-text('rows')")  # the page's CSP forbids eval
        assert page.inner_text("#status").startswith("0 rows")
        page.fill("#query", TITLES)
        page.click("#run")
        page.wait_for_selector("#result td")
        assert page.inner_text("#result td") == "标题" + HOSTILE
        no_payload_ran(visit)
        assert visit.errors == []


@pytest.mark.parametrize("store", ["auto", "memory"])
def test_sparql_looking_parameter_is_a_literal_in_kg_query(hostile_build, store):
    for value in (PAYLOADS[6], HOSTILE, "\\", '"', "许昌市\" } ; DROP ALL ; #"):
        result = kg("query", hostile_build, "--store", store, "--preset", "place",
                    "--param", f"place={value}", "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == []
    still = kg("query", hostile_build, "--store", store, "--preset", "place", "--param",
               "place=许昌市", "--format", "json")
    assert any(row["entity"] == "张伟" for row in json.loads(still.stdout))


@pytest.mark.parametrize("where", ["graph file", "oxigraph store"])
def test_a_name_with_quotes_and_backslashes_matches_exactly_itself(tmp_path, where):
    """If the name were spliced into the query text it would not parse, or match
    everything; bound as a literal it finds the one place with that label."""
    graph = build_sample_graph()
    graph.set((next(graph.subjects(RDFS.label, Literal("许昌市", lang="zh"))), RDFS.label,
               Literal(SPLICE_PROOF, lang="zh")))
    path = tmp_path / "graph.ttl"
    graph.serialize(destination=str(path), format="turtle")
    source = path
    if where == "oxigraph store":
        from kg.serve import load_store

        source = load_store(path, tmp_path / "store")
    result = kg("query", source, "--preset", "place", "--param", f"place={SPLICE_PROOF}",
                "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {row["place"] for row in rows} == {SPLICE_PROOF}
    assert {"河南省", "许昌市委"} <= {row["entity"] for row in rows}
    assert GOV  # the sample graph's vocabulary


@pytest.mark.parametrize("command", ["path", "neighbors"])
def test_hostile_names_in_path_and_neighbors_are_one_line_errors(sample_ttl, command):
    names = [PAYLOADS[6], "清远市"] if command == "path" else [PAYLOADS[6]]
    result = kg(command, sample_ttl, *names)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no entity named") and PAYLOADS[6] in result.stderr
    assert len(result.stderr.splitlines()) == 1
