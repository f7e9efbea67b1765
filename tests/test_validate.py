"""kg/validate.py: the built graph conforms; broken graphs are reported in words."""
import pytest
from rdflib import Graph, Literal

from kg.rdf import corpus_to_graph, iri_for
from kg.validate import format_report, validate
from kg.vocab import GOV, ORG, RDF, RDFS
from test_rdf import BRANCH, GD, HUANG, QY, sample_corpus


@pytest.fixture
def graph() -> Graph:
    return corpus_to_graph(sample_corpus())


def membership_of(graph: Graph, person_key: str):
    return next(graph.subjects(ORG.member, iri_for(person_key)))


def test_built_graph_conforms(graph):
    report = validate(graph)
    assert report.conforms, format_report(report)
    assert report.violations == []
    assert "conforms" in format_report(report)


def test_membership_without_member_is_reported_by_label(graph):
    membership = membership_of(graph, HUANG)
    graph.remove((membership, ORG.member, None))
    report = validate(graph)
    assert not report.conforms
    (row,) = report.violations
    assert row.path == "org:member"
    assert row.focus.startswith("黄家瑛：东南村党支部书记")
    assert row.severity == "Violation"
    assert "exactly one org:member" in row.message
    text = format_report(report)
    assert "1 problem" in text and "黄家瑛：东南村党支部书记" in text and "org:member" in text
    assert "https://w3id.org" not in text
    assert len(text.splitlines()) == 2


def test_membership_with_both_organization_and_place_is_reported(graph):
    graph.add((membership_of(graph, HUANG), GOV.place, iri_for(QY)))
    report = validate(graph)
    assert not report.conforms
    assert any("exactly one of org:organization or gov:place" in v.message
               for v in report.violations)


def test_membership_without_evidence_is_reported(graph):
    membership = membership_of(graph, HUANG)
    for evidence in list(graph.objects(membership, None)):
        if (evidence, RDF.type, GOV.Evidence) in graph:
            graph.remove((membership, None, evidence))
    report = validate(graph)
    assert [v.path for v in report.violations] == ["prov:wasDerivedFrom"]


def test_place_level_outside_the_level_scheme_is_reported(graph):
    graph.set((iri_for(GD), GOV.adminLevel, GOV["category/party"]))
    (row,) = validate(graph).violations
    assert row.path == "gov:adminLevel" and row.focus.startswith("广东省")


def test_place_without_level_is_reported(graph):
    graph.remove((iri_for(GD), GOV.adminLevel, None))
    (row,) = validate(graph).violations
    assert row.path == "gov:adminLevel"


def test_two_org_categories_are_reported(graph):
    graph.add((iri_for(BRANCH), GOV.orgCategory, GOV["category/government"]))
    (row,) = validate(graph).violations
    assert row.path == "gov:orgCategory"


def test_evidence_start_after_end_is_reported(graph):
    evidence = next(graph.subjects(RDF.type, GOV.Evidence))
    graph.set((evidence, GOV.startOffset, Literal(10_000)))
    (row,) = validate(graph).violations
    assert row.path == "gov:startOffset" and "<= gov:endOffset" in row.message


def test_part_of_pointing_at_an_organization_is_reported(graph):
    graph.add((iri_for(QY), GOV.partOf, iri_for(BRANCH)))
    rows = validate(graph).violations
    assert [r.path for r in rows] == ["gov:partOf"]
    assert "东南村党支部" in format_report(validate(graph))


def test_launched_object_must_be_an_initiative(graph):
    graph.add((iri_for(QY), GOV.launched, iri_for(GD)))
    assert [r.path for r in validate(graph).violations] == ["gov:launched"]


def test_node_with_only_an_english_label_is_reported(graph):
    graph.set((iri_for(GD), RDFS.label, Literal("Guangdong", lang="en")))
    (row,) = validate(graph).violations
    assert row.path == "rdfs:label" and "@zh" in row.message
    assert row.focus.startswith("Guangdong")


def test_fact_without_subject_is_reported(graph):
    fact = next(graph.subjects(RDF.type, GOV.Fact))
    graph.remove((fact, RDF.subject, None))
    (row,) = validate(graph).violations
    assert row.path == "rdf:subject"


def test_report_rows_are_sorted_and_stable(graph):
    graph.remove((membership_of(graph, HUANG), ORG.member, None))
    graph.remove((iri_for(GD), GOV.adminLevel, None))
    first, second = validate(graph), validate(graph)
    assert first.violations == second.violations == sorted(first.violations)
