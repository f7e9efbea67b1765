import json

import pytest

from kg.errors import InputError, QueryError
from kg.query import (
    format_result, list_presets, load_preset, preset_info, read_query_file, run_preset, run_query,
)

PRESET_BINDINGS = {"place": {"place": "许昌市"}}
PRESET_COLUMNS = {
    "people_posts": ("person", "post", "organisation", "title", "past"),
    "org_hierarchy": ("organisation", "category", "parent", "place"),
    "initiatives": ("initiative", "type", "launched_by", "where"),
    "place": ("place", "relation", "entity", "detail"),
    "place_tree": ("child", "level", "parent"),
}
MALFORMED = [  # query, line, column
    ("SELECT ?x WHERE {\n  ?x ?y }", 2, 3),
    ("SELEC * WHERE { ?s ?p ?o }", 1, 1),
    ("SELECT ?x WHERE {\n  ?x nope:thing ?y }", 2, 6),
]


def test_list_presets_names_the_shipped_queries():
    assert list_presets() == sorted(PRESET_COLUMNS)


@pytest.mark.parametrize("name", sorted(PRESET_COLUMNS))
def test_each_preset_returns_rows_on_the_sample_graph(sample_graph, name):
    result = run_preset(sample_graph, name, bindings=PRESET_BINDINGS.get(name))
    assert result.columns == PRESET_COLUMNS[name]
    assert result.rows


def test_people_posts_lists_titles_and_past_posts(sample_graph):
    rows = run_preset(sample_graph, "people_posts").rows
    assert ("黄家瑛", "书记", "东南村党支部", "东南村党支部书记", "no") in rows
    assert ("张伟", "书记", "许昌市委", "许昌市委书记", "yes") in rows


def test_org_hierarchy_has_parent_and_place(sample_graph):
    rows = run_preset(sample_graph, "org_hierarchy").rows
    assert ("东南村党支部", "党组织", "上帅镇党委", "东南村") in rows
    # Without the ontology loaded the category falls back to the concept's code.
    assert ("许昌市人民政府", "government", None, "许昌市") in rows


def test_initiatives_place_is_the_launchers_place(sample_graph):
    rows = run_preset(sample_graph, "initiatives").rows
    assert ("党群议事亭", "platform", "东南村党支部", "东南村") in rows


def test_place_tree_links_child_to_parent(sample_graph):
    rows = run_preset(sample_graph, "place_tree").rows
    assert ("上帅镇", "township", "连山壮族瑶族自治县") in rows
    assert ("广东省", "province", None) in rows


def test_place_preset_collects_everything_about_one_place(sample_graph):
    rows = run_preset(sample_graph, "place", bindings={"place": "许昌市"}).rows
    assert {r[0] for r in rows} == {"许昌市"}
    relations = {(r[1], r[2]) for r in rows}
    assert {("part of", "河南省"), ("organisation", "许昌市委"), ("person", "张伟"),
            ("initiative", "五星支部创建"), ("level", "prefecture")} <= relations


def test_place_preset_matches_an_alias(sample_graph):
    rows = run_preset(sample_graph, "place", bindings={"place": "连山县"}).rows
    assert ("连山县", "part of", "清远市", None) in rows


def test_place_preset_without_its_parameter_says_what_to_pass(sample_graph):
    with pytest.raises(QueryError, match=r"--param place="):
        run_preset(sample_graph, "place")


def test_preset_info_reads_description_and_params():
    info = preset_info("place")
    assert info.description.startswith("Everything about one place")
    assert [p for p, _ in info.params] == ["place"]


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(QueryError, match="people_posts"):
        load_preset("nope")


@pytest.mark.parametrize("sparql,line,column", MALFORMED)
def test_malformed_query_raises_one_line_with_position(sample_graph, sparql, line, column):
    with pytest.raises(QueryError) as info:
        run_query(sample_graph, sparql)
    message = str(info.value)
    assert f"line {line}, column {column}" in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ['许昌市"} ; DROP ALL ; SELECT * {', "许昌市'}", "}", '"'])
def test_binding_with_quotes_and_braces_is_only_a_literal(sample_graph, value):
    before = len(sample_graph)
    result = run_preset(sample_graph, "place", bindings={"place": value})
    assert result.rows == ()
    assert len(sample_graph) == before


def test_bindings_are_not_spliced_into_the_text(sample_graph):
    sparql = "SELECT ?x WHERE { ?x rdfs:label ?name }"
    result = run_query(sample_graph, sparql, bindings={"name": "东南村"})
    assert result.rows == (("https://w3id.org/jiceng-kg/id/place/dn",),)


def test_binding_an_unknown_variable_is_an_error(sample_graph):
    with pytest.raises(QueryError, match="unknown parameter 'plac'"):
        run_preset(sample_graph, "place", bindings={"place": "许昌市", "plac": "x"})


def test_ask_and_construct_results(sample_graph):
    assert run_query(sample_graph, "ASK { ?x a gov:Person }").rows == (("true",),)
    result = run_query(sample_graph, "CONSTRUCT { ?x a gov:Person } WHERE { ?x a gov:Person }")
    assert result.columns == ("subject", "predicate", "object") and len(result.rows) == 4


def test_format_result_csv_json_table(sample_graph):
    result = run_preset(sample_graph, "place_tree")
    csv_text = format_result(result, "csv")
    assert csv_text.splitlines()[0] == "child,level,parent"
    assert "上帅镇,township,连山壮族瑶族自治县" in csv_text
    items = json.loads(format_result(result, "json"))
    assert {"child": "广东省", "level": "province", "parent": None} in items
    table = format_result(result, "table")
    assert table.splitlines()[0].split() == ["child", "level", "parent"]
    assert table.rstrip().endswith("(7 rows)")


def test_format_result_unknown_format():
    from kg.query import Result

    with pytest.raises(QueryError, match="unknown format"):
        format_result(Result(("a",), ()), "xml")


def test_read_query_file_missing(tmp_path):
    with pytest.raises(InputError, match="no such query file"):
        read_query_file(tmp_path / "nope.rq")


# The place preset as first written: one lookup of ?p, then the branches. The shipped
# text repeats the lookup per branch so Oxigraph can use its indexes; rows must not change.
PLACE_REFERENCE = """
PREFIX gov: <https://w3id.org/jiceng-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?place ?relation ?entity ?detail
WHERE {
  ?p a gov:Place ;
     rdfs:label|skos:altLabel ?place .
  {
    ?p gov:adminLevel ?l .
    OPTIONAL { ?l skos:prefLabel ?levelZh . FILTER (LANG(?levelZh) = "zh") }
    BIND ("level" AS ?relation)
    BIND (COALESCE(?levelZh, REPLACE(STR(?l), "^.*[/#]", "")) AS ?entity)
  } UNION {
    ?p gov:partOf ?x . ?x rdfs:label ?entity .
    BIND ("part of" AS ?relation)
  } UNION {
    ?x gov:partOf ?p ; rdfs:label ?entity .
    BIND ("contains" AS ?relation)
  } UNION {
    ?x gov:locatedIn ?p ; rdfs:label ?entity .
    BIND ("organisation" AS ?relation)
  } UNION {
    # People holding a post in the place itself or in an organisation located there.
    ?m a org:Membership ; org:member ?x .
    { ?m gov:place ?p . } UNION { ?m org:organization ?o . ?o gov:locatedIn ?p . }
    ?x rdfs:label ?entity .
    OPTIONAL { ?m gov:title ?detail . }
    BIND ("person" AS ?relation)
  } UNION {
    # Initiatives launched by the place itself or by an organisation located there.
    { ?p gov:launched ?i . BIND (?p AS ?x) } UNION { ?x gov:locatedIn ?p ; gov:launched ?i . }
    ?i rdfs:label ?entity .
    ?x rdfs:label ?detail .
    BIND ("initiative" AS ?relation)
  }
}
ORDER BY ?relation ?entity ?detail
"""


@pytest.mark.parametrize("name", ["许昌市", "连山县", "东南村", "清远市", "广东省", "不存在"])
@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_place_preset_gives_the_rows_of_the_reference_query(sample_graph, tmp_path, name,
                                                             backend):
    from kg.store import load_graph

    graph = sample_graph
    if backend == "oxigraph":
        path = tmp_path / "g.ttl"
        sample_graph.serialize(destination=str(path), format="turtle")
        graph = load_graph(path, backend="oxigraph")
    expected = run_query(graph, PLACE_REFERENCE, bindings={"place": name}).rows
    assert run_preset(graph, "place", bindings={"place": name}).rows == expected
