"""Articles -> RDF triples. The one place that mints IRIs.

Every node gets an IRI under https://w3id.org/jiceng-kg/id/{kind}/{hash} where the
hash is the first 16 hex digits of sha256 of its key ("Place|广东省/清远市",
"Post|书记", "Article|<id>", ...), so the same input always gives the same IRIs.
Graphs are built in a fixed order and `serialize` sorts its output, so the same
corpus always gives the same bytes.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from hashlib import sha256
from typing import Any, Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph

from kg.model import Article, Corpus, Entity, EntityType, Relation, RelationType
from kg.vocab import (
    CATEGORY_PREFIX, GOV, GOV_NS, ID, INITIATIVE_TYPE_PREFIX, LEVEL_PREFIX, ORG, PREFIXES, PROV,
    RDF, RDFS, SCHEMA, SKOS, XSD, category_concept, initiative_type_concept, level_concept,
)

KIND_OF_PREFIX = {
    "Person": "person", "Place": "place", "Organization": "org", "Initiative": "initiative",
    "Post": "post", "Membership": "membership", "Fact": "fact", "Evidence": "evidence",
    "Article": "article",
}
CLASS_OF_TYPE = {
    EntityType.PERSON: GOV.Person, EntityType.PLACE: GOV.Place,
    EntityType.ORGANIZATION: GOV.Organization, EntityType.INITIATIVE: GOV.Initiative,
    EntityType.POST: GOV.Post,
}
PREDICATE_OF_RELATION = {
    RelationType.PART_OF: GOV.partOf, RelationType.LOCATED_IN: GOV.locatedIn,
    RelationType.SUB_ORGANIZATION_OF: ORG.subOrganizationOf, RelationType.LAUNCHED: GOV.launched,
}
# Chinese verb for a fact's label: "清远市 隶属于 广东省".
VERB_OF_RELATION = {
    RelationType.PART_OF: "隶属于", RelationType.LOCATED_IN: "位于",
    RelationType.SUB_ORGANIZATION_OF: "下属于", RelationType.LAUNCHED: "发起",
}
# Turtle prefixes for readability only; "org" is W3C ORG, so id/org/ is "organization".
INSTANCE_PREFIXES = {
    ("organization" if kind == "org" else kind): str(ID[f"{kind}/"])
    for kind in sorted(set(KIND_OF_PREFIX.values()))
} | {
    "level": GOV_NS + LEVEL_PREFIX,
    "category": GOV_NS + CATEGORY_PREFIX,
    "initiativeType": GOV_NS + INITIATIVE_TYPE_PREFIX,
}
FORMATS = ("ttl", "nt", "nquads", "jsonld")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EVIDENCE_LABEL_CHARS = 40


# ---------------------------------------------------------------- keys and IRIs

def iri_for(key: str) -> URIRef:
    """The IRI of the node with this key: id/{kind}/{16 hex of sha256(key)}."""
    prefix = key.split("|", 1)[0]
    kind = KIND_OF_PREFIX.get(prefix)
    if kind is None or "|" not in key:
        raise ValueError(f"cannot mint an IRI for key {key!r}: it must start with one of "
                         f"{', '.join(sorted(KIND_OF_PREFIX))} followed by '|'")
    return ID[f"{kind}/{sha256(key.encode('utf-8')).hexdigest()[:16]}"]


def post_key(role: str) -> str:
    return f"Post|{role}"


def article_key(article: Article) -> str:
    return f"Article|{article.id}"


def membership_key(rel: Relation) -> str:
    past = "past" if rel.attr("past") == "1" else ""
    return f"Membership|{rel.subject}|{rel.object}|{_role(rel)}|{past}|{rel.attr('date')}"


def fact_key(rel: Relation) -> str:
    return f"Fact|{rel.type.value}|{rel.subject}|{rel.object}"


def evidence_key(article: Article, start: int, end: int) -> str:
    """Keyed by article and source span: one evidence node per quoted span."""
    return f"Evidence|{article.id}|{start}|{end}"


def byline_key(name: str) -> str:
    """Reporters named only in a byline: keyed by name, so their articles join up."""
    return f"Person|{name}@记者"


def post_iri(role: str) -> URIRef:
    return iri_for(post_key(role))


def article_iri(article: Article) -> URIRef:
    return iri_for(article_key(article))


def membership_iri(rel: Relation) -> URIRef:
    return iri_for(membership_key(rel))


def fact_iri(rel: Relation) -> URIRef:
    return iri_for(fact_key(rel))


def evidence_iri(article: Article, start: int, end: int) -> URIRef:
    return iri_for(evidence_key(article, start, end))


def name_from_key(key: str) -> str:
    """A readable fallback name: "Place|广东省/清远市" -> "清远市"."""
    body = key.split("|", 1)[-1].split("@", 1)[0]
    return body.rsplit("/", 1)[-1] or body


def _role(rel: Relation) -> str:
    return rel.role or rel.title or "成员"


# ---------------------------------------------------------------- merging entities

@dataclass
class _Merged:
    """One entity gathered over every article that mentions it."""

    key: str
    types: Counter = field(default_factory=Counter)
    names: Counter = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)
    attrs: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    articles: set[str] = field(default_factory=set)

    def add(self, entity: Entity, article: Article | None) -> None:
        self.types[entity.type] += 1
        if entity.name:
            self.names[entity.name] += 1
        self.aliases.update(a for a in entity.aliases if a)
        for k, v in entity.attrs:
            if v:
                self.attrs[k][v] += 1
        if article is not None:
            self.articles.add(article_key(article))

    @property
    def type(self) -> EntityType:
        return _most_common(self.types) or _type_from_key(self.key)

    @property
    def label(self) -> str:
        return _most_common(self.names) or name_from_key(self.key)

    def attr(self, key: str) -> str:
        return _most_common(self.attrs.get(key, Counter())) or ""

    def alt_labels(self) -> list[str]:
        return sorted((set(self.names) | self.aliases) - {self.label})


def _most_common(counts: Counter) -> Any:
    """Most frequent value, ties broken by sort order: independent of input order."""
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], str(v)))


def _type_from_key(key: str) -> EntityType:
    try:
        return EntityType(key.split("|", 1)[0])
    except ValueError:
        return EntityType.ORGANIZATION


# ---------------------------------------------------------------- the builder

class _Builder:
    def __init__(self) -> None:
        self.graph = new_graph()
        self.entities: dict[str, _Merged] = {}

    def entity(self, key: str) -> _Merged:
        if key not in self.entities:
            self.entities[key] = _Merged(key)
        return self.entities[key]

    def build(self, articles: Iterable[Article]) -> Graph:
        articles = list(articles)
        for article in articles:
            for entity in article.entities:
                self.entity(entity.key).add(entity, article)
            for rel in article.relations:
                if rel.type == RelationType.HOLDS_POST:
                    self.entity(post_key(_role(rel))).names[_role(rel)] += 1
        for article in articles:
            self.add_article(article)
            for rel in article.relations:
                self.add_relation(article, rel)
        for key in sorted(self.entities):
            self.add_entity(self.entities[key])
        _add_concept_labels(self.graph)
        return self.graph

    def add_entity(self, merged: _Merged) -> None:
        g, node, etype = self.graph, iri_for(merged.key), merged.type
        g.add((node, RDF.type, CLASS_OF_TYPE[etype]))
        g.add((node, RDFS.label, Literal(merged.label, lang="zh")))
        for alias in merged.alt_labels():
            g.add((node, SKOS.altLabel, Literal(alias, lang="zh")))
        g.add((node, GOV.key, Literal(merged.key)))
        if etype == EntityType.PLACE:
            g.add((node, GOV.adminLevel, level_concept(merged.attr("level"))))
        if merged.attr("division"):
            g.add((node, GOV.divisionCode, Literal(merged.attr("division"))))
        if etype == EntityType.ORGANIZATION and merged.attr("category"):
            g.add((node, GOV.orgCategory, category_concept(merged.attr("category"))))
        if etype == EntityType.INITIATIVE and merged.attr("category"):
            g.add((node, GOV.initiativeType, initiative_type_concept(merged.attr("category"))))
        for akey in sorted(merged.articles):
            g.add((node, GOV.mentionedIn, iri_for(akey)))

    def add_article(self, article: Article) -> None:
        g, node = self.graph, article_iri(article)
        g.add((node, RDF.type, GOV.Article))
        g.add((node, RDFS.label, Literal(article.title or article.id, lang="zh")))
        g.add((node, GOV.articleId, Literal(article.id)))
        g.add((node, GOV.sourceFile, Literal(article.source)))
        if article.date:
            g.add((node, SCHEMA.datePublished, _date_literal(article.date)))
        if article.dateline:
            g.add((node, GOV.dateline, Literal(article.dateline, lang="zh")))
        if article.url:
            g.add((node, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI)))
        for name in article.byline:
            key = self._byline_person(article, name)
            g.add((node, SCHEMA.author, iri_for(key)))

    def _byline_person(self, article: Article, name: str) -> str:
        for entity in article.entities:
            if entity.type == EntityType.PERSON and name in (entity.name, *entity.aliases):
                return entity.key
        merged = self.entity(byline_key(name))
        merged.add(Entity(byline_key(name), EntityType.PERSON, name), article)
        return merged.key

    def add_relation(self, article: Article, rel: Relation) -> None:
        for key in (rel.subject, rel.object):
            self.entity(key)  # relations may name keys no entity list carries
        evidence = self.add_evidence(article, rel)
        if rel.type == RelationType.HOLDS_POST:
            self.add_membership(rel, evidence)
        else:
            self.add_fact(rel, evidence)

    def add_membership(self, rel: Relation, evidence: URIRef) -> None:
        g, node = self.graph, membership_iri(rel)
        person, target, post = iri_for(rel.subject), iri_for(rel.object), post_iri(_role(rel))
        at_place = self.entity(rel.object).type == EntityType.PLACE
        past = rel.attr("past") == "1"
        g.add((node, RDF.type, ORG.Membership))
        g.add((node, ORG.member, person))
        g.add((node, GOV.place if at_place else ORG.organization, target))
        g.add((node, ORG.role, post))
        if rel.title:
            g.add((node, GOV.title, Literal(rel.title, lang="zh")))
        if past:
            g.add((node, GOV.past, Literal(True)))
        if rel.attr("date"):
            g.add((node, GOV.date, _date_literal(rel.attr("date"))))
        g.add((node, PROV.wasDerivedFrom, evidence))
        g.add((person, GOV.holdsPost, target))
        label = (f"{self.entity(rel.subject).label}：{'原' if past else ''}"
                 f"{self.entity(rel.object).label}{_role(rel)}")
        g.set((node, RDFS.label, Literal(label, lang="zh")))

    def add_fact(self, rel: Relation, evidence: URIRef) -> None:
        g, node = self.graph, fact_iri(rel)
        subject, predicate, obj = iri_for(rel.subject), PREDICATE_OF_RELATION[rel.type], \
            iri_for(rel.object)
        g.add((subject, predicate, obj))
        g.add((node, RDF.type, GOV.Fact))
        g.add((node, RDF.subject, subject))
        g.add((node, RDF.predicate, predicate))
        g.add((node, RDF.object, obj))
        g.add((node, PROV.wasDerivedFrom, evidence))
        label = (f"{self.entity(rel.subject).label} {VERB_OF_RELATION[rel.type]} "
                 f"{self.entity(rel.object).label}")
        g.set((node, RDFS.label, Literal(label, lang="zh")))

    def add_evidence(self, article: Article, rel: Relation) -> URIRef:
        start, end = article.source_span(rel.start, rel.end)
        g, node = self.graph, evidence_iri(article, start, end)
        sentence = _sentence(article, rel)
        short = sentence if len(sentence) <= _EVIDENCE_LABEL_CHARS \
            else sentence[:_EVIDENCE_LABEL_CHARS] + "…"
        g.add((node, RDF.type, GOV.Evidence))
        g.set((node, RDFS.label, Literal(short, lang="zh")))
        g.set((node, GOV.sentence, Literal(sentence, lang="zh")))
        g.set((node, GOV.sourceFile, Literal(article.source)))
        g.set((node, GOV.startOffset, Literal(start)))
        g.set((node, GOV.endOffset, Literal(end)))
        g.set((node, PROV.wasQuotedFrom, article_iri(article)))
        return node


def _sentence(article: Article, rel: Relation) -> str:
    if 0 <= rel.sentence < len(article.sentences):
        text = article.sentence_text(rel.sentence)
        if text:
            return text
    return article.text[rel.start:rel.end] or "（无原文）"


def _date_literal(value: str) -> Literal:
    return Literal(value, datatype=XSD.date) if _ISO_DATE.match(value) else Literal(value)


# ---------------------------------------------------------------- public API

def new_graph() -> Graph:
    """An empty graph with our prefixes bound (and rdflib's long default list not bound)."""
    return bind_prefixes(Graph(bind_namespaces="core"))


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the ontology and instance prefixes (gov:, org:, person:, place:, ...)."""
    for prefix, ns in {**PREFIXES, **INSTANCE_PREFIXES}.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


@cache
def _concept_labels() -> tuple[tuple, ...]:
    """skos:prefLabel triples of every concept in the ontology's schemes."""
    from kg.vocab import ontology_dir

    onto = Graph().parse(ontology_dir() / "governance.ttl", format="turtle")
    return tuple(sorted(onto.triples((None, SKOS.prefLabel, None))))


def _add_concept_labels(graph: Graph) -> None:
    """Copy the labels of the levels, categories and types a graph uses, so a query
    on the graph alone can print 村 or 党组织 instead of an IRI fragment."""
    used = set(graph.objects(None, GOV.adminLevel)) | set(graph.objects(None, GOV.orgCategory)) \
        | set(graph.objects(None, GOV.initiativeType))
    for s, p, o in _concept_labels():
        if s in used:
            graph.add((s, p, o))


def corpus_to_graph(corpus: Corpus) -> Graph:
    """One merged graph for the corpus: entities merged across articles by key."""
    return _Builder().build(corpus.articles)


def article_to_graph(article: Article) -> Graph:
    """The graph of one article alone (for a per-article named graph)."""
    return _Builder().build([article])


def serialize(graph: Graph, fmt: str) -> bytes:
    """Deterministic bytes for fmt in ttl, nt, nquads, jsonld: same graph -> same bytes.

    Turtle and N-Triples are written by Oxigraph's serializer from the sorted N-Triples
    lines (rdflib's Turtle writer took 14 s for 300 articles; this takes well under 1 s)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "nquads":
        return _sorted_lines(_nquads(graph))
    if fmt in ("nt", "ttl"):
        lines = _ntriples_lines(graph)
        if fmt == "nt":
            return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
        return turtle(lines, _prefixes_in(lines, _bound_prefixes(graph)))
    flat = _canonical_copy(graph)
    context = _used_prefixes(flat)
    data = json.loads(flat.serialize(format="json-ld", context=context, encoding="utf-8"))
    text = json.dumps(_sort_json(data), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def turtle(lines: list[str], prefixes: dict[str, str]) -> bytes:
    """Turtle of sorted N-Triples lines (without their newlines), by Oxigraph's writer:
    prefix lines first, then one block per subject in line order."""
    if not lines:
        return _prefix_header(prefixes)
    return turtle_bytes(("\n".join(lines) + "\n").encode("utf-8"), prefixes)


def _prefix_header(prefixes: dict[str, str]) -> bytes:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items())).encode()


def turtle_bytes(data: bytes, prefixes: dict[str, str]) -> bytes:
    """Turtle of N-Triples bytes (lines in the order wanted), prefixes sorted first."""
    import pyoxigraph as ox

    header = _prefix_header(prefixes)
    if not data:
        return header
    body = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    # Oxigraph writes the prefixes in hash-map order, which changes from run to run:
    # replace them with the sorted header.
    ours = body.split(b"\n", len(prefixes))
    if any(not line.startswith(b"@prefix ") for line in ours[:-1]):
        raise RuntimeError("pyoxigraph's Turtle writer changed: the prefixes are not first")
    return header + ours[-1]


def _triples(graph: Graph) -> Iterable[tuple[Any, Any, Any]]:
    """The graph's triples; for a Dataset, those of every named graph, not just the default."""
    if isinstance(graph, ConjunctiveGraph):
        return {(s, p, o) for s, p, o, _ in graph.quads((None, None, None, None))}
    return graph.triples((None, None, None))


def _ntriples_lines(graph: Graph) -> list[str]:
    """Sorted, distinct N-Triples lines (Oxigraph's canonical form) without newlines."""
    from kg.export import ntriples_lines

    return sorted(set(ntriples_lines(_triples(graph))))


def _canonical_copy(graph: Graph) -> Graph:
    """The union of the graph's triples, inserted in sorted order, with its prefixes."""
    flat = Graph(bind_namespaces="none")
    for prefix, ns in sorted(_bound_prefixes(graph).items()):
        flat.bind(prefix, ns, override=True, replace=True)
    for triple in sorted(_triples(graph), key=lambda t: tuple(term.n3() for term in t)):
        flat.add(triple)
    return flat


def _bound_prefixes(graph: Graph) -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}


def _used_prefixes(graph: Graph) -> dict[str, str]:
    """The bound prefixes whose namespace some IRI or datatype in the graph uses."""
    iris = {str(t) for triple in _triples(graph) for t in triple if isinstance(t, URIRef)}
    iris |= {str(t.datatype) for triple in _triples(graph) for t in triple
             if isinstance(t, Literal) and t.datatype}
    # Compare each prefix with the few distinct heads (IRI up to its last / or #), not
    # with every IRI: a corpus graph has hundreds of thousands of IRIs.
    heads = {iri[:max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in iris}

    def used(ns: str) -> bool:
        among = heads if ns[-1:] in ("/", "#") else iris
        return any(iri.startswith(ns) for iri in among)

    return {p: ns for p, ns in sorted(_bound_prefixes(graph).items()) if used(ns)}


_IRI_HEAD = re.compile(r"<([^<>\"\s]*[/#])[^<>\"\s/#]*>")


def _prefixes_in(lines: list[str], bound: dict[str, str]) -> dict[str, str]:
    """The bound prefixes whose namespace some IRI in these N-Triples lines uses,
    found by comparing each with the distinct IRI heads (IRI up to its last / or #)."""
    heads = set(_IRI_HEAD.findall("\n".join(lines)))
    return {p: ns for p, ns in sorted(bound.items())
            if any(head.startswith(ns) for head in heads)}


def _nquads(graph: Graph) -> bytes:
    """Quads for a Dataset; a plain graph goes in its named graph if it has an IRI name."""
    if isinstance(graph, ConjunctiveGraph):
        return graph.serialize(format="nquads", encoding="utf-8")
    if isinstance(graph.identifier, URIRef):
        dataset = Dataset()
        named = dataset.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
        return dataset.serialize(format="nquads", encoding="utf-8")
    return graph.serialize(format="nt", encoding="utf-8")


def _sorted_lines(data: bytes) -> bytes:
    # split("\n"), not splitlines(): a literal may hold U+2028 or U+0085, which
    # N-Triples writes raw and str.splitlines() would cut the line at.
    lines = sorted({line for line in data.decode("utf-8").split("\n") if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _sort_json(value: Any) -> Any:
    """Sort JSON-LD arrays (they are sets) except @list, recursively."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sort_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value
