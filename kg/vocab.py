"""Python names for the terms of ontology/governance.ttl, plus the namespaces we use.

The ontology file is the single source of truth; `GOV` mirrors it so code gets
typo-proof names (`GOV.Person`, `GOV.partOf`; `GOV.Nope` raises). Concept IRIs
such as gov:level/village are not Python identifiers, so they are `_extras`,
generated from the model's enums: tests/test_vocab.py checks that GOV, the enums
and the ontology all list the same terms.
"""
# No `from __future__ import annotations`: DefinedNamespace reads real annotations.
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, XSD, DefinedNamespace,
)

import kg
from kg.model import InitiativeCategory, OrgCategory, PlaceLevel

ONTOLOGY_IRI = URIRef("https://w3id.org/jiceng-kg/ontology")
GOV_NS = "https://w3id.org/jiceng-kg/ontology#"
ID = Namespace("https://w3id.org/jiceng-kg/id/")
SCHEMA = SDO  # https://schema.org/

LEVEL_PREFIX = "level/"
CATEGORY_PREFIX = "category/"
INITIATIVE_TYPE_PREFIX = "initiativeType/"


def ontology_dir() -> Path:
    """The folder holding governance.ttl and shapes.ttl (at the repository root)."""
    return Path(kg.__file__).parent.parent / "ontology"


class GOV(DefinedNamespace):
    """jiceng-kg governance ontology (ontology/governance.ttl)."""

    _NS = Namespace(GOV_NS)
    _fail = True

    # classes
    Person: URIRef
    Place: URIRef
    Organization: URIRef
    Post: URIRef
    Initiative: URIRef
    Article: URIRef
    Evidence: URIRef
    Fact: URIRef

    # concept schemes
    AdminLevels: URIRef
    OrgCategories: URIRef
    InitiativeTypes: URIRef

    # object properties
    adminLevel: URIRef
    orgCategory: URIRef
    initiativeType: URIRef
    partOf: URIRef
    locatedIn: URIRef
    launched: URIRef
    holdsPost: URIRef
    place: URIRef
    mentionedIn: URIRef

    # datatype properties
    divisionCode: URIRef
    title: URIRef
    past: URIRef
    date: URIRef
    sentence: URIRef
    sourceFile: URIRef
    startOffset: URIRef
    endOffset: URIRef
    articleId: URIRef
    dateline: URIRef
    key: URIRef

    # concepts: gov:level/village, gov:category/party, gov:initiativeType/campaign, ...
    _extras = (
        [LEVEL_PREFIX + v.value for v in PlaceLevel]
        + [CATEGORY_PREFIX + v.value for v in OrgCategory]
        + [INITIATIVE_TYPE_PREFIX + v.value for v in InitiativeCategory]
    )


def gov_terms() -> set[URIRef]:
    """Every IRI that GOV declares (annotations and extras)."""
    names = [n for n in GOV.__annotations__ if not n.startswith("_")] + list(GOV._extras)
    return {GOV[n] for n in names}


def level_concept(value: str) -> URIRef:
    """The gov:level/... concept for a PlaceLevel value; unknown values map to other."""
    known = {v.value for v in PlaceLevel}
    return GOV[LEVEL_PREFIX + (value if value in known else PlaceLevel.OTHER.value)]


def category_concept(value: str) -> URIRef:
    """The gov:category/... concept for an OrgCategory value; unknown values map to other."""
    known = {v.value for v in OrgCategory}
    return GOV[CATEGORY_PREFIX + (value if value in known else OrgCategory.OTHER.value)]


def initiative_type_concept(value: str) -> URIRef:
    """The gov:initiativeType/... concept for an InitiativeCategory value; unknown → other."""
    known = {v.value for v in InitiativeCategory}
    name = value if value in known else InitiativeCategory.OTHER.value
    return GOV[INITIATIVE_TYPE_PREFIX + name]


PREFIXES: dict[str, str] = {
    "gov": GOV_NS,
    "org": str(ORG),
    "foaf": str(FOAF),
    "schema": str(SDO),
    "prov": str(PROV),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "sh": str(SH),
}

__all__ = [
    "DCTERMS", "FOAF", "GOV", "GOV_NS", "ID", "ONTOLOGY_IRI", "ORG", "OWL", "PREFIXES", "PROV",
    "RDF", "RDFS", "SCHEMA", "SDO", "SH", "SKOS", "XSD", "category_concept", "gov_terms",
    "initiative_type_concept", "level_concept", "ontology_dir",
]
