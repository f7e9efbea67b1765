"""The listing presets: same rows as their straightforward formulations, sorted in Python,
paged exactly, narrowed by their optional parameters; and the direct Oxigraph path gives
what oxrdflib gives."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg.query as q
from kg.errors import QueryError
from kg.query import format_result, preset_info, run_preset, run_query

ROOT = Path(__file__).resolve().parent.parent
HEAD = """PREFIX gov: <https://w3id.org/jiceng-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# The listing presets as first written (before paging and Python-side sorting), each
# with the ORDER BY the shipped preset sorts by. Rows must not change.
REFERENCE = {
    "initiatives": HEAD + """
SELECT ?initiative ?type ?launched_by ?where
WHERE {
  ?i a gov:Initiative ;
     rdfs:label ?initiative .
  OPTIONAL {
    ?i gov:initiativeType ?t .
    OPTIONAL { ?t skos:prefLabel ?typeZh . FILTER (LANG(?typeZh) = "zh") }
    BIND (COALESCE(?typeZh, REPLACE(STR(?t), "^.*[/#]", "")) AS ?type)
  }
  OPTIONAL {
    ?actor gov:launched ?i ;
           rdfs:label ?launched_by .
    OPTIONAL {
      { ?actor gov:locatedIn ?w . }
      UNION { ?actor a gov:Place . BIND (?actor AS ?w) }
      UNION { ?actor gov:holdsPost ?held . ?held gov:locatedIn ?w . }
      ?w rdfs:label ?where .
    }
  }
}
ORDER BY ?initiative ?launched_by ?where""",
    "org_hierarchy": HEAD + """
SELECT ?organisation ?category ?parent ?place
WHERE {
  ?o a gov:Organization ;
     rdfs:label ?organisation .
  OPTIONAL {
    ?o gov:orgCategory ?c .
    OPTIONAL { ?c skos:prefLabel ?categoryZh . FILTER (LANG(?categoryZh) = "zh") }
    BIND (COALESCE(?categoryZh, REPLACE(STR(?c), "^.*[/#]", "")) AS ?category)
  }
  OPTIONAL { ?o org:subOrganizationOf ?po . ?po rdfs:label ?parent . }
  OPTIONAL { ?o gov:locatedIn ?pl . ?pl rdfs:label ?place . }
}
ORDER BY ?organisation ?place ?parent""",
    "people_posts": HEAD + """
SELECT ?person ?post ?organisation ?title ?past
WHERE {
  ?membership a org:Membership ;
              org:member ?p .
  ?p rdfs:label ?person .
  OPTIONAL { ?membership org:role ?r . ?r rdfs:label ?post . }
  OPTIONAL {
    { ?membership org:organization ?o . } UNION { ?membership gov:place ?o . }
    ?o rdfs:label ?organisation .
  }
  OPTIONAL { ?membership gov:title ?title . }
  OPTIONAL { ?membership gov:past ?isPast . }
  BIND (IF(BOUND(?isPast) && STR(?isPast) = "true", "yes", "no") AS ?past)
}
ORDER BY ?person ?organisation ?title""",
    "place_tree": HEAD + """
SELECT ?child ?level ?parent
WHERE {
  ?c a gov:Place ;
     rdfs:label ?child .
  OPTIONAL {
    ?c gov:adminLevel ?l .
    OPTIONAL { ?l skos:prefLabel ?levelZh . FILTER (LANG(?levelZh) = "zh") }
    BIND (COALESCE(?levelZh, REPLACE(STR(?l), "^.*[/#]", "")) AS ?level)
  }
  OPTIONAL { ?c gov:partOf ?pp . ?pp rdfs:label ?parent . }
}
ORDER BY ?child ?parent""",
}
LISTINGS = sorted(REFERENCE)
NARROWING = {"initiatives": "initiative", "org_hierarchy": "organisation",
             "people_posts": "person", "place_tree": "child"}
PAGES = [(0, 1), (0, 3), (2, 3), (1, 7), (5, 2), (0, 0), (3, None), (1000, 5)]


def _key(row):
    return [(v is not None, v or "") for v in row]


def _sort_keys(name: str) -> list[int]:
    order = REFERENCE[name].rsplit("ORDER BY", 1)[1].split()
    header = REFERENCE[name].split("SELECT", 1)[1].split("WHERE", 1)[0].split()
    return [header.index(v) for v in order]


def _is_sorted(name, rows):
    keys = _sort_keys(name)
    ordered = [[(r[i] is not None, r[i] or "") for i in keys] for r in rows]
    return ordered == sorted(ordered)


def _oxigraph(sample_graph, tmp_path):
    from kg.store import load_graph

    path = tmp_path / "g.ttl"
    sample_graph.serialize(destination=str(path), format="turtle")
    return load_graph(path, backend="oxigraph")


@pytest.fixture(params=["memory", "oxigraph"])
def graph(request, sample_graph, tmp_path):
    return sample_graph if request.param == "memory" else _oxigraph(sample_graph, tmp_path)


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory):
    """The store `kg build examples -o OUT` writes."""
    from kg.build import build
    from kg.store import load_graph

    out = tmp_path_factory.mktemp("examples_out")
    build([ROOT / "examples"], out_dir=out)
    return load_graph(out)


def _check_against_reference(graph, name):
    expected = run_query(graph, REFERENCE[name]).rows
    got = run_preset(graph, name, bindings={"limit": "all"}).rows
    assert sorted(got, key=_key) == sorted(expected, key=_key)
    assert _is_sorted(name, got)
    return sorted(expected, key=_key)


@pytest.mark.parametrize("name", LISTINGS)
def test_listing_gives_the_rows_of_the_reference_query(graph, name):
    assert _check_against_reference(graph, name)


@pytest.mark.parametrize("name", LISTINGS)
def test_listing_gives_the_rows_of_the_reference_query_on_the_examples(examples_store, name):
    assert _check_against_reference(examples_store, name)


@pytest.mark.parametrize("name", LISTINGS)
def test_a_page_is_a_slice_of_the_sorted_listing(graph, name, monkeypatch):
    monkeypatch.setattr(q, "_VALUES_CHUNK", 2)  # several VALUES queries per page
    everything = run_preset(graph, name, bindings={"limit": "all"}).rows
    for offset, limit in PAGES:
        params = {"offset": str(offset), "limit": "all" if limit is None else str(limit)}
        end = None if limit is None else offset + limit
        assert run_preset(graph, name, bindings=params).rows == everything[offset:end], params


@pytest.mark.parametrize("name", LISTINGS)
def test_pages_of_the_examples_cover_the_listing_once(examples_store, name, monkeypatch):
    """Small pages go through the keys query and VALUES chunks even on the examples."""
    everything = run_preset(examples_store, name, bindings={"limit": "all"}).rows
    monkeypatch.setattr(q, "_VALUES_CHUNK", 3)
    pages, offset = [], 0
    while offset <= len(everything):
        pages.extend(run_preset(examples_store, name,
                                bindings={"offset": str(offset), "limit": "7"}).rows)
        offset += 7
    assert pages == list(everything)


def test_keys_without_rows_do_not_shorten_a_page(graph, monkeypatch):
    """The keys query may name values that have no row (a superset is allowed)."""
    monkeypatch.setattr(q, "_VALUES_CHUNK", 1)
    everything = run_preset(graph, "people_posts", bindings={"limit": "all"}).rows
    info = preset_info("people_posts")
    wider = "SELECT DISTINCT ?person WHERE { ?p rdfs:label ?person }"  # every label
    monkeypatch.setattr(q, "preset_info", lambda name: q.PresetInfo(
        info.name, info.description, info.params, info.page_size, wider))
    for offset, limit in [(0, 2), (1, 2), (0, 3)]:
        page = run_preset(graph, "people_posts",
                          bindings={"offset": str(offset), "limit": str(limit)}).rows
        assert page == everything[offset:offset + limit]


def test_default_page_is_the_documented_size(examples_store):
    info = preset_info("initiatives")
    assert info.page_size == 200
    result = run_preset(examples_store, "initiatives")
    assert len(result.rows) == min(200, len(run_preset(
        examples_store, "initiatives", bindings={"limit": "all"}).rows))


def test_the_table_says_how_to_get_the_next_page(graph):
    result = run_preset(graph, "people_posts", bindings={"limit": "2"})
    assert len(result.rows) == 2
    assert format_result(result, "table").rstrip().endswith(
        "(2 rows; more: --param offset=2; every row: --param limit=all)")
    assert "offset" not in format_result(result, "csv")
    last = run_preset(graph, "people_posts", bindings={"offset": "2", "limit": "10"})
    assert last.more == ""


@pytest.mark.parametrize("name", LISTINGS)
def test_optional_parameter_narrows_to_one_name(graph, name):
    everything = run_preset(graph, name, bindings={"limit": "all"}).rows
    value = everything[-1][0]
    narrowed = run_preset(graph, name, bindings={NARROWING[name]: value}).rows
    assert narrowed == tuple(r for r in everything if r[0] == value)
    assert NARROWING[name] not in preset_info(name).required


def test_people_posts_for_one_person(graph):
    rows = run_preset(graph, "people_posts", bindings={"person": "张伟"}).rows
    assert rows == (("张伟", "书记", "许昌市委", "许昌市委书记", "yes"),)


@pytest.mark.parametrize("params,message", [
    ({"limit": "ten"}, "limit must be a whole number or all"),
    ({"limit": "-1"}, "limit must be a whole number"),
    ({"offset": "all"}, "offset must be a whole number"),
])
def test_bad_page_parameters_are_errors(graph, params, message):
    with pytest.raises(QueryError, match=message):
        run_preset(graph, "initiatives", bindings=params)


def test_a_preset_that_is_not_paged_takes_no_limit(graph):
    with pytest.raises(QueryError, match="takes no limit"):
        run_preset(graph, "place", bindings={"place": "许昌市", "limit": "5"})


def test_optional_parameters_are_options_not_params():
    """kg serve's page and benchmarks/load.py bind every `params` entry."""
    for name in LISTINGS:
        info = preset_info(name)
        assert info.params == () and [o for o, _ in info.options] == [NARROWING[name]]


QUERIES = [
    "SELECT ?s ?o WHERE { ?s gov:startOffset ?o }",  # integers
    "SELECT ?s ?o WHERE { ?s gov:past ?o }",  # booleans
    "SELECT ?x ?n WHERE { ?x a gov:Person ; rdfs:label ?n } ORDER BY ?n",
    "SELECT (COUNT(*) AS ?n) (1.50 AS ?d) (\"2026-01-02\"^^xsd:date AS ?day) WHERE { ?s ?p ?o }",
    "SELECT ?x WHERE { OPTIONAL { ?x a gov:Nothing } }",
    "SELECT ?b WHERE { BIND (BNODE() AS ?b) } LIMIT 0",
    "ASK { ?x a gov:Person }",
    "ASK { ?x a gov:Nothing }",
    "CONSTRUCT { ?x a gov:Person } WHERE { ?x a gov:Person }",
    "DESCRIBE <https://w3id.org/jiceng-kg/id/place/dn>",
]


@pytest.mark.parametrize("sparql", QUERIES)
def test_direct_oxigraph_rows_equal_oxrdflib_rows(sample_graph, tmp_path, sparql, monkeypatch):
    graph = _oxigraph(sample_graph, tmp_path)
    assert q._oxigraph_of(graph) is not None
    direct = run_query(graph, sparql)
    monkeypatch.setattr(q, "_oxigraph_of", lambda _graph: None)  # through rdflib's query
    assert direct == run_query(graph, sparql)


def test_memory_graphs_do_not_take_the_oxigraph_path(sample_graph):
    assert q._oxigraph_of(sample_graph) is None


def test_direct_path_reports_syntax_errors_like_before(sample_graph, tmp_path):
    graph = _oxigraph(sample_graph, tmp_path)
    with pytest.raises(QueryError) as direct:
        run_query(graph, "SELECT ?x WHERE {\n  ?x ?y }")
    assert "\n" not in str(direct.value)
