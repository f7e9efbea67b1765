"""kg/vocab.py and ontology/governance.ttl (and shapes.ttl) must agree."""
import pytest
from rdflib import Graph, Literal, URIRef

from kg.model import InitiativeCategory, OrgCategory, PlaceLevel
from kg.vocab import (
    FOAF, GOV, GOV_NS, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SH, SKOS,
    category_concept, gov_terms, initiative_type_concept, level_concept, ontology_dir,
)

ALIGNMENTS = [
    (GOV.Person, RDFS.subClassOf, FOAF.Person),
    (GOV.Person, RDFS.subClassOf, SCHEMA.Person),
    (GOV.Place, RDFS.subClassOf, SCHEMA.AdministrativeArea),
    (GOV.Organization, RDFS.subClassOf, ORG.Organization),
    (GOV.Post, RDFS.subClassOf, ORG.Role),
    (GOV.Post, RDFS.subClassOf, SKOS.Concept),
    (GOV.Initiative, RDFS.subClassOf, PROV.Entity),
    (GOV.Article, RDFS.subClassOf, SCHEMA.NewsArticle),
    (GOV.Evidence, RDFS.subClassOf, PROV.Entity),
    (GOV.Fact, RDFS.subClassOf, RDF.Statement),
    (GOV.Fact, RDFS.subClassOf, PROV.Entity),
    (GOV.partOf, RDFS.subPropertyOf, SCHEMA.containedInPlace),
    (GOV.orgCategory, RDFS.subPropertyOf, ORG.classification),
]

SCHEMES = [
    (GOV.AdminLevels, PlaceLevel, level_concept),
    (GOV.OrgCategories, OrgCategory, category_concept),
    (GOV.InitiativeTypes, InitiativeCategory, initiative_type_concept),
]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "governance.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")


def declared_terms(ontology: Graph) -> set[URIRef]:
    return {s for s in ontology.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(GOV_NS)}


def test_ontology_dir_holds_both_files():
    assert (ontology_dir() / "governance.ttl").is_file()
    assert (ontology_dir() / "shapes.ttl").is_file()


def test_every_gov_term_is_declared_in_the_ontology(ontology):
    missing = gov_terms() - declared_terms(ontology)
    assert not missing, f"in kg/vocab.py but not in governance.ttl: {sorted(missing)}"


def test_every_ontology_term_is_in_gov(ontology):
    missing = declared_terms(ontology) - gov_terms()
    assert not missing, f"in governance.ttl but not in kg/vocab.py: {sorted(missing)}"


def test_gov_rejects_unknown_terms():
    with pytest.raises(AttributeError):
        GOV.Persn  # noqa: B018


def test_ontology_mentions_no_undeclared_gov_term(ontology):
    """No triple mentions a gov: IRI that is not declared (catches typos in the .ttl)."""
    used = {t for triple in ontology for t in triple
            if isinstance(t, URIRef) and str(t).startswith(GOV_NS)}
    assert used <= gov_terms(), sorted(used - gov_terms())


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_classes_and_properties_have_zh_and_en_label_and_comment(ontology, kind):
    for term in ontology.subjects(RDF.type, kind):
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ontology.objects(term, prop) if isinstance(o, Literal)}
            assert {"zh", "en"} <= langs, f"{term} {prop} has languages {langs}"


def test_ontology_header_has_zh_and_en_labels(ontology):
    header = next(ontology.subjects(RDF.type, OWL.Ontology))
    assert {o.language for o in ontology.objects(header, RDFS.label)} == {"zh", "en"}


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{t[0].split('#')[-1]}")
def test_alignment_to_standard_vocabularies(ontology, triple):
    assert triple in ontology


@pytest.mark.parametrize("scheme,enum,concept", SCHEMES, ids=["level", "category", "initiative"])
def test_concept_scheme_lists_exactly_the_model_enum(ontology, scheme, enum, concept):
    top = set(ontology.objects(scheme, SKOS.hasTopConcept))
    assert top == {concept(v.value) for v in enum}
    for node in top:
        assert (node, SKOS.inScheme, scheme) in ontology
        langs = {o.language for o in ontology.objects(node, SKOS.prefLabel)}
        assert langs == {"zh", "en"}, node


@pytest.mark.parametrize("scheme,enum,concept", SCHEMES, ids=["level", "category", "initiative"])
def test_shapes_sh_in_lists_match_the_schemes(ontology, shapes, scheme, enum, concept):
    lists = []
    for shape, head in shapes.subject_objects(SH["in"]):
        lists.append(set(shapes.items(head)))
    assert set(ontology.objects(scheme, SKOS.hasTopConcept)) in lists


def test_unknown_values_map_to_other():
    assert level_concept("galaxy") == GOV["level/other"]
    assert category_concept("") == GOV["category/other"]
    assert initiative_type_concept("x") == GOV["initiativeType/other"]
