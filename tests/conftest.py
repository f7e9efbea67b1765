"""Shared fixtures. The sample graph is built by hand, triple by triple, in the
project vocabulary, so query/network/view/cli tests do not depend on the
extraction pipeline or the RDF writer."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG, PROV

GOV = Namespace("https://w3id.org/jiceng-kg/ontology#")
ID = Namespace("https://w3id.org/jiceng-kg/id/")
XSS = "<script>alert(1)</script>"

PLACES = [  # key, label, level, parent key, aliases
    ("gd", "广东省", "province", None, ()),
    ("qy", "清远市", "prefecture", "gd", ()),
    ("ls", "连山壮族瑶族自治县", "county", "qy", ("连山县",)),
    ("ss", "上帅镇", "township", "ls", ()),
    ("dn", "东南村", "village", "ss", ()),
    ("hn", "河南省", "province", None, ()),
    ("xc", "许昌市", "prefecture", "hn", ()),
]
ORGS = [  # key, label, category, located in, parent org
    ("dnzb", "东南村党支部", "party", "dn", "ssdw"),
    ("ssdw", "上帅镇党委", "party", "ss", None),
    ("qysw", "清远市委", "party", "qy", None),
    ("qyzzb", "清远市委组织部", "party", "qy", "qysw"),
    ("xcsw", "许昌市委", "party", "xc", None),
    ("xczf", "许昌市人民政府", "government", "xc", None),
]
PEOPLE = [("hjy", "黄家瑛"), ("zw", "张伟"), ("wf1", "王芳"), ("wf2", "王芳")]
POSTS = [("shuji", "书记"), ("shizhang", "市长"), ("buzhang", "部长")]
MEMBERSHIPS = [  # key, person, post, org (or place), title, past, sentence
    ("m1", "hjy", "shuji", "dnzb", "东南村党支部书记", False,
     "“这次我收集了几个大家反映比较集中的问题。”该村党支部书记黄家瑛说。"),
    ("m2", "zw", "shuji", "xcsw", "许昌市委书记", True, "时任许昌市委书记张伟在会上强调。"),
    ("m3", "wf1", "buzhang", "qyzzb", "清远市委组织部部长", False, "清远市委组织部部长王芳介绍。"),
    ("m4", "wf2", "shizhang", "xczf", "许昌市市长", False, "许昌市市长王芳表示。"),
]
INITIATIVES = [  # key, label, type, launched by
    ("ysqt", "党群议事亭", "platform", "dnzb"),
    ("bqw", "百千万工程", "campaign", "qysw"),
    ("wxzb", "五星支部创建", "campaign", "xcsw"),
]


def _add_evidence(g: Graph, key: str, sentence: str) -> URIRef:
    ev = ID[f"evidence/{key}"]
    g.add((ev, RDF.type, GOV.Evidence))
    g.add((ev, RDFS.label, Literal(sentence[:40], lang="zh")))
    g.add((ev, GOV.sentence, Literal(sentence, lang="zh")))
    g.add((ev, GOV.sourceFile, Literal("examples/000_5c2237efc27a6ba3.txt")))
    g.add((ev, GOV.startOffset, Literal(10, datatype=XSD.integer)))
    g.add((ev, GOV.endOffset, Literal(10 + len(sentence), datatype=XSD.integer)))
    g.add((ev, PROV.wasQuotedFrom, ID["article/a1"]))
    return ev


def _add_fact(g: Graph, key: str, s: URIRef, p: URIRef, o: URIRef, sentence: str) -> None:
    g.add((s, p, o))
    fact = ID[f"fact/{key}"]
    g.add((fact, RDF.type, GOV.Fact))
    g.add((fact, RDFS.label, Literal(f"fact {key}", lang="zh")))
    g.add((fact, RDF.subject, s))
    g.add((fact, RDF.predicate, p))
    g.add((fact, RDF.object, o))
    g.add((fact, PROV.wasDerivedFrom, _add_evidence(g, key, sentence)))


def _entity(g: Graph, iri: URIRef, cls: URIRef, label: str, aliases=()) -> URIRef:
    g.add((iri, RDF.type, cls))
    g.add((iri, RDFS.label, Literal(label, lang="zh")))
    for alias in aliases:
        g.add((iri, SKOS.altLabel, Literal(alias, lang="zh")))
    g.add((iri, GOV.mentionedIn, ID["article/a1"]))
    return iri


def build_sample_graph() -> Graph:
    """A small graph in the shape the RDF writer produces."""
    g = Graph()
    for prefix, ns in (("gov", GOV), ("id", ID), ("org", ORG), ("prov", PROV), ("skos", SKOS)):
        g.bind(prefix, ns)
    art = ID["article/a1"]
    g.add((art, RDF.type, GOV.Article))
    g.add((art, RDFS.label, Literal("清远：党群议事亭里话民生", lang="zh")))
    g.add((art, GOV.articleId, Literal("000_5c2237efc27a6ba3")))
    g.add((GOV["level/village"], SKOS.prefLabel, Literal("村", lang="zh")))
    g.add((GOV["level/village"], SKOS.prefLabel, Literal("village", lang="en")))
    g.add((GOV["category/party"], SKOS.prefLabel, Literal("党组织", lang="zh")))

    place = {k: ID[f"place/{k}"] for k, *_ in PLACES}
    for k, label, level, parent, aliases in PLACES:
        _entity(g, place[k], GOV.Place, label, aliases)
        g.add((place[k], GOV.adminLevel, GOV[f"level/{level}"]))
        if parent:
            _add_fact(g, f"partof-{k}", place[k], GOV.partOf, place[parent],
                      f"{PLACES_BY_KEY[parent]}{label}的情况。")
    org = {k: ID[f"org/{k}"] for k, *_ in ORGS}
    for k, label, category, where, parent in ORGS:
        _entity(g, org[k], GOV.Organization, label)
        g.add((org[k], GOV.orgCategory, GOV[f"category/{category}"]))
        _add_fact(g, f"loc-{k}", org[k], GOV.locatedIn, place[where], f"{label}在此。")
        if parent:
            _add_fact(g, f"sub-{k}", org[k], ORG.subOrganizationOf, org[parent],
                      f"{label}隶属于上级。")
    person = {k: _entity(g, ID[f"person/{k}"], GOV.Person, label) for k, label in PEOPLE}
    post = {k: _entity(g, ID[f"post/{k}"], GOV.Post, label) for k, label in POSTS}
    for k, who, role, where, title, past, sentence in MEMBERSHIPS:
        m = ID[f"membership/{k}"]
        g.add((m, RDF.type, ORG.Membership))
        g.add((m, RDFS.label, Literal(title, lang="zh")))
        g.add((m, ORG.member, person[who]))
        g.add((m, ORG.organization, org[where]))
        g.add((m, ORG.role, post[role]))
        g.add((m, GOV.title, Literal(title, lang="zh")))
        if past:
            g.add((m, GOV.past, Literal(True)))
        g.add((m, PROV.wasDerivedFrom, _add_evidence(g, k, sentence)))
        g.add((person[who], GOV.holdsPost, org[where]))
    for k, label, kind, actor in INITIATIVES:
        ini = _entity(g, ID[f"initiative/{k}"], GOV.Initiative, label)
        g.add((ini, GOV.initiativeType, GOV[f"initiativeType/{kind}"]))
        _add_fact(g, f"launch-{k}", org[actor], GOV.launched, ini, f"推出“{label}”。")
    return g


PLACES_BY_KEY = {k: label for k, label, *_ in PLACES}


@pytest.fixture
def sample_graph() -> Graph:
    return build_sample_graph()


@pytest.fixture
def xss_graph() -> Graph:
    """The sample graph with markup in one evidence sentence and one label."""
    g = build_sample_graph()
    ev = ID["evidence/m1"]
    g.set((ev, GOV.sentence, Literal(f"黄家瑛说{XSS}。", lang="zh")))
    g.set((ID["article/a1"], RDFS.label, Literal(f"标题{XSS}", lang="zh")))
    return g


@pytest.fixture
def sample_ttl(tmp_path: Path, sample_graph: Graph) -> Path:
    path = tmp_path / "graph.ttl"
    sample_graph.serialize(destination=str(path), format="turtle")
    return path
