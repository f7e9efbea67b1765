"""kg/rdf.py: IRIs, the corpus graph, evidence offsets and deterministic bytes.

`sample_corpus()` is also used by test_store.py and test_validate.py.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.model import (
    Article, Corpus, Entity, EntityType, OffsetMap, Relation, RelationType, Sentence,
)
from kg.rdf import (
    article_iri, article_to_graph, corpus_to_graph, iri_for, post_iri, serialize,
)
from kg.vocab import GOV, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD

GD, QY, DN = "Place|广东省", "Place|广东省/清远市", "Place|广东省/清远市/东南村"
BRANCH = "Organization|东南村党支部@" + DN
HUANG = "Person|黄家瑛@" + BRANCH
ZHANG = "Person|张三@" + QY
TING = "Initiative|党群议事亭@" + QY
# Named only in a relation, never in an entity list: the graph still needs a label.
WANG = "Person|王五@Organization|上帅镇党委"
TOWN_PARTY = "Organization|上帅镇党委@Place|广东省/清远市/上帅镇"

TEXT_ONE = "广东省清远市上帅镇东南村党支部书记黄家瑛说。清远市开展“党群议事亭”建设。"
TEXT_TWO = "清远市原市长张三表示，清远将推广党群议事亭。上帅镇党委书记王五和东南村党支部书记黄家瑛参加。"
# Article one's source file: a 7-character header, then two stray spaces after
# normalised offset 10 that normalisation removed.
HEADER, STRAY_AT = "标题：议事亭\n", 10
MAP_ONE = OffsetMap((0, STRAY_AT), (len(HEADER), len(HEADER) + 2))
SOURCE_ONE = HEADER + TEXT_ONE[:STRAY_AT] + "  " + TEXT_ONE[STRAY_AT:]

IRI_SHAPE = re.compile(
    r"^https://w3id\.org/jiceng-kg/id/"
    r"(person|place|org|initiative|post|membership|fact|evidence|article)/[0-9a-f]{16}$")


def entity(key, etype, name, aliases=(), **attrs):
    return Entity(key, EntityType(etype), name, tuple(aliases), tuple(sorted(attrs.items())))


def sentences_of(text):
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "。":
            out.append(Sentence(start, i + 1))
            start = i + 1
    return tuple(out)


def relation(text, rtype, subject, obj, fragment, **kw):
    start = text.index(fragment)
    sentence = sum(1 for s in sentences_of(text) if s.end <= start)
    attrs = tuple(sorted(kw.pop("attrs", {}).items()))
    return Relation(RelationType(rtype), subject, obj, sentence, start, start + len(fragment),
                    attrs=attrs, **kw)


def article_one() -> Article:
    t = TEXT_ONE
    return Article(
        "a1", "pages/a1.txt", t, MAP_ONE, title="清远议事亭", date="2024-02-07",
        dateline="本报清远2月7日电", byline=("李四",), sentences=sentences_of(t),
        entities=(
            entity(GD, "Place", "广东省", level="province", division="440000"),
            entity(QY, "Place", "清远市", level="prefecture", division="441800"),
            entity(DN, "Place", "东南村", level="village"),
            entity(BRANCH, "Organization", "东南村党支部", category="party"),
            entity(HUANG, "Person", "黄家瑛"),
            entity(TING, "Initiative", "党群议事亭", category="platform"),
        ),
        relations=(
            relation(t, "part_of", QY, GD, "广东省清远市"),
            relation(t, "part_of", DN, QY, "清远市上帅镇东南村"),
            relation(t, "located_in", BRANCH, DN, "东南村党支部"),
            relation(t, "holds_post", HUANG, BRANCH, "东南村党支部书记黄家瑛",
                     role="书记", title="东南村党支部书记"),
            relation(t, "launched", QY, TING, "清远市开展“党群议事亭”"),
        ),
    )


def article_two() -> Article:
    t = TEXT_TWO
    return Article(
        "a2", "pages/a2.txt", t, OffsetMap.identity(3), title="", date="2024-03-01",
        sentences=sentences_of(t),
        entities=(
            entity(QY, "Place", "清远市", aliases=("清远",), level="prefecture"),
            entity(ZHANG, "Person", "张三"),
            entity(HUANG, "Person", "黄家瑛"),
            entity(TING, "Initiative", "党群议事亭"),
        ),
        relations=(
            relation(t, "holds_post", ZHANG, QY, "清远市原市长张三", role="市长",
                     title="清远市市长", attrs={"past": "1", "date": "2023-05-01"}),
            relation(t, "launched", QY, TING, "清远将推广党群议事亭"),
            relation(t, "holds_post", WANG, TOWN_PARTY, "上帅镇党委书记王五", role="书记",
                     title="上帅镇党委书记"),
            relation(t, "holds_post", HUANG, BRANCH, "东南村党支部书记黄家瑛", role="书记",
                     title="东南村党支部书记"),
        ),
    )


def sample_corpus() -> Corpus:
    return Corpus((article_one(), article_two()))


@pytest.fixture(scope="module")
def graph() -> Graph:
    return corpus_to_graph(sample_corpus())


# ---------------------------------------------------------------- IRIs

def test_iri_for_is_deterministic_and_shaped():
    iri = iri_for(QY)
    assert iri == iri_for(QY)
    assert IRI_SHAPE.match(str(iri))
    assert str(iri).startswith("https://w3id.org/jiceng-kg/id/place/")


@pytest.mark.parametrize("key,kind", [
    (HUANG, "person"), (GD, "place"), (BRANCH, "org"), (TING, "initiative"),
    ("Post|书记", "post"), ("Membership|x", "membership"), ("Fact|x", "fact"),
    ("Evidence|x", "evidence"), ("Article|a1", "article"),
])
def test_iri_kind_follows_the_key_prefix(key, kind):
    assert f"/id/{kind}/" in iri_for(key)


def test_distinct_keys_give_distinct_iris():
    keys = [GD, QY, DN, BRANCH, HUANG, ZHANG, TING, WANG, TOWN_PARTY, "Post|书记", "Post|副书记"]
    assert len({iri_for(k) for k in keys}) == len(keys)


@pytest.mark.parametrize("bad", ["", "广东省", "Planet|地球"])
def test_iri_for_rejects_keys_without_a_known_kind(bad):
    with pytest.raises(ValueError):
        iri_for(bad)


def test_every_iri_in_the_graph_is_minted_by_iri_for(graph):
    ours = {t for triple in graph for t in triple
            if isinstance(t, URIRef) and "/jiceng-kg/id/" in t}
    assert ours and all(IRI_SHAPE.match(str(t)) for t in ours)


# ---------------------------------------------------------------- determinism

@pytest.mark.parametrize("fmt", ["ttl", "nt", "nquads", "jsonld"])
def test_same_corpus_gives_byte_identical_output(fmt):
    first = serialize(corpus_to_graph(sample_corpus()), fmt)
    second = serialize(corpus_to_graph(sample_corpus()), fmt)
    assert first == second and first


def test_turtle_is_identical_across_processes_with_different_hash_seeds(tmp_path):
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import test_rdf; "
              "from kg.rdf import corpus_to_graph, serialize; "
              "graph = corpus_to_graph(test_rdf.sample_corpus()); "
              "sys.stdout.buffer.write(serialize(graph, 'ttl'))")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                              env=env, capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == serialize(corpus_to_graph(sample_corpus()), "ttl")


def test_entity_merge_does_not_depend_on_article_order():
    forward = corpus_to_graph(Corpus((article_one(), article_two())))
    backward = corpus_to_graph(Corpus((article_two(), article_one())))
    assert serialize(forward, "ttl") == serialize(backward, "ttl")


@pytest.mark.parametrize("fmt,parse_as", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_serialized_output_parses_back_to_the_same_graph(graph, fmt, parse_as):
    again = Graph().parse(data=serialize(graph, fmt).decode("utf-8"), format=parse_as)
    assert again.isomorphic(graph)


def test_nt_lines_are_sorted(graph):
    lines = serialize(graph, "nt").decode("utf-8").splitlines()
    assert lines == sorted(lines)


def test_serialize_rejects_unknown_format(graph):
    with pytest.raises(ValueError, match="ttl"):
        serialize(graph, "rdfxml")


# ---------------------------------------------------------------- content

def test_every_typed_node_has_a_zh_label(graph):
    for node in set(graph.subjects(RDF.type, None)):
        langs = {lbl.language for lbl in graph.objects(node, RDFS.label)}
        assert "zh" in langs, node


def test_entities_are_merged_across_articles_by_key(graph):
    city = iri_for(QY)
    assert list(graph.objects(city, RDFS.label)) == [Literal("清远市", lang="zh")]
    assert (city, SKOS.altLabel, Literal("清远", lang="zh")) in graph
    assert set(graph.objects(city, GOV.mentionedIn)) == {
        article_iri(article_one()), article_iri(article_two())}
    assert (city, GOV.adminLevel, GOV["level/prefecture"]) in graph
    assert (city, GOV.divisionCode, Literal("441800")) in graph


def test_entity_attrs_become_concepts(graph):
    assert (iri_for(BRANCH), GOV.orgCategory, GOV["category/party"]) in graph
    assert (iri_for(TING), GOV.initiativeType, GOV["initiativeType/platform"]) in graph
    assert (iri_for(GD), RDF.type, GOV.Place) in graph


def test_relations_other_than_holds_post_are_triples_and_facts(graph):
    direct = [(iri_for(QY), GOV.partOf, iri_for(GD)), (iri_for(DN), GOV.partOf, iri_for(QY)),
              (iri_for(BRANCH), GOV.locatedIn, iri_for(DN)),
              (iri_for(QY), GOV.launched, iri_for(TING))]
    for s, p, o in direct:
        assert (s, p, o) in graph
        facts = [f for f in graph.subjects(RDF.subject, s)
                 if (f, RDF.predicate, p) in graph and (f, RDF.object, o) in graph]
        assert len(facts) == 1 and (facts[0], RDF.type, GOV.Fact) in graph
    assert len(set(graph.subjects(RDF.type, GOV.Fact))) == len(direct)


def test_a_fact_stated_in_two_articles_has_two_pieces_of_evidence(graph):
    fact = next(f for f in graph.subjects(RDF.predicate, GOV.launched))
    quoted = {graph.value(e, PROV.wasQuotedFrom) for e in graph.objects(fact, PROV.wasDerivedFrom)}
    assert quoted == {article_iri(article_one()), article_iri(article_two())}


def test_membership_in_an_organization(graph):
    huang = iri_for(HUANG)
    (membership,) = graph.subjects(ORG.member, huang)
    assert (membership, RDF.type, ORG.Membership) in graph
    assert (membership, ORG.organization, iri_for(BRANCH)) in graph
    assert (membership, ORG.role, post_iri("书记")) in graph
    assert (membership, GOV.title, Literal("东南村党支部书记", lang="zh")) in graph
    assert (huang, GOV.holdsPost, iri_for(BRANCH)) in graph
    assert len(set(graph.objects(membership, PROV.wasDerivedFrom))) == 2  # both articles
    assert (membership, GOV.past, None) not in graph


def test_past_membership_at_a_place_with_date(graph):
    (membership,) = graph.subjects(ORG.member, iri_for(ZHANG))
    assert (membership, GOV.place, iri_for(QY)) in graph
    assert (membership, ORG.organization, None) not in graph
    assert (membership, GOV.past, Literal(True)) in graph
    assert (membership, GOV.date, Literal("2023-05-01", datatype=XSD.date)) in graph


def test_one_post_node_per_distinct_role(graph):
    posts = set(graph.subjects(RDF.type, GOV.Post))
    assert posts == {post_iri("书记"), post_iri("市长")}
    assert (post_iri("书记"), RDFS.label, Literal("书记", lang="zh")) in graph


def test_keys_named_only_in_relations_get_typed_labelled_nodes(graph):
    assert (iri_for(WANG), RDF.type, GOV.Person) in graph
    assert (iri_for(WANG), RDFS.label, Literal("王五", lang="zh")) in graph
    assert (iri_for(TOWN_PARTY), RDFS.label, Literal("上帅镇党委", lang="zh")) in graph


def test_article_node(graph):
    node = article_iri(article_one())
    assert (node, RDF.type, GOV.Article) in graph
    assert (node, RDFS.label, Literal("清远议事亭", lang="zh")) in graph
    assert (node, GOV.articleId, Literal("a1")) in graph
    assert (node, GOV.sourceFile, Literal("pages/a1.txt")) in graph
    assert (node, SCHEMA.datePublished, Literal("2024-02-07", datatype=XSD.date)) in graph
    assert (node, GOV.dateline, Literal("本报清远2月7日电", lang="zh")) in graph
    (author,) = graph.objects(node, SCHEMA.author)
    assert (author, RDF.type, GOV.Person) in graph
    assert (author, RDFS.label, Literal("李四", lang="zh")) in graph
    # no title: the id is the label
    assert (article_iri(article_two()), RDFS.label, Literal("a2", lang="zh")) in graph


# ---------------------------------------------------------------- evidence

def evidence_of(graph, article):
    node = article_iri(article)
    return list(graph.subjects(PROV.wasQuotedFrom, node))


def test_every_membership_and_fact_has_evidence(graph):
    for cls in (ORG.Membership, GOV.Fact):
        for node in graph.subjects(RDF.type, cls):
            evidence = list(graph.objects(node, PROV.wasDerivedFrom))
            assert evidence and all((e, RDF.type, GOV.Evidence) in graph for e in evidence)


def test_evidence_offsets_point_into_the_source_file(graph):
    """Slicing the source file at the evidence offsets gives the span (stray spaces aside)."""
    article = article_one()
    spans = {(r.start, r.end) for r in article.relations}
    evidence = evidence_of(graph, article)
    assert len(evidence) == len(spans)
    texts = {article.text[s:e] for s, e in spans}
    for node in evidence:
        start = graph.value(node, GOV.startOffset).toPython()
        end = graph.value(node, GOV.endOffset).toPython()
        assert graph.value(node, GOV.startOffset).datatype == XSD.integer
        assert SOURCE_ONE[start:end].replace(" ", "") in texts
        assert str(graph.value(node, GOV.sourceFile)) == "pages/a1.txt"


def test_evidence_offsets_are_shifted_not_article_offsets(graph):
    start = TEXT_ONE.index("广东省清远市")
    node = next(n for n in evidence_of(graph, article_one())
                if graph.value(n, GOV.endOffset).toPython() == start + 6 + len(HEADER))
    assert graph.value(node, GOV.startOffset).toPython() == start + len(HEADER)
    assert str(graph.value(node, GOV.sentence)) == "广东省清远市上帅镇东南村党支部书记黄家瑛说。"
    # after the stray spaces the shift is two more
    start = TEXT_ONE.index("清远市开展")
    assert start > STRAY_AT
    assert any(graph.value(n, GOV.startOffset).toPython() == start + len(HEADER) + 2
               for n in evidence_of(graph, article_one()))


# ---------------------------------------------------------------- one article

def test_article_graph_holds_only_that_article():
    g = article_to_graph(article_one())
    assert (article_iri(article_one()), RDF.type, GOV.Article) in g
    assert (article_iri(article_two()), None, None) not in g
    assert (iri_for(ZHANG), None, None) not in g
    assert serialize(g, "ttl") == serialize(article_to_graph(article_one()), "ttl")
