"""The corpus graph as N-Triples lines, one article at a time, for `kg build`.

rdf.py says what the graph holds and mints every IRI; this module writes the same
triples without building an rdflib graph (309k Graph.add calls took 6.6 s for 300
articles), in two steps:

- `article_record(article)`: everything the build needs from one article after
  corpus identity: the triples of its own nodes (the article and the evidence quoted
  from it), what it says about entities, posts, memberships and facts, and its
  extraction JSON. A record depends on that article alone, so the build caches it
  (kg/incremental.py) and a rebuild makes records only for what changed;
- `merge(records)`: entities, memberships and facts merged across the corpus, and the
  graph split into named graphs exactly as kg/export.py `partition` splits it.

The lines are those of Oxigraph's N-Triples writer ("<s> <p> <o> ." without the
newline); `tests/test_triples.py` checks that they equal `rdf.corpus_to_graph`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from kg.model import Article, EntityType, RelationType
from kg.rdf import (
    _EVIDENCE_LABEL_CHARS,
    _ISO_DATE,
    CLASS_OF_TYPE,
    PREDICATE_OF_RELATION,
    VERB_OF_RELATION,
    _Merged,
    _role,
    _sentence,
    article_key,
    byline_key,
    fact_key,
    iri_for,
    membership_key,
    post_key,
)
from kg.vocab import (
    GOV,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    category_concept,
    initiative_type_concept,
    level_concept,
)


def _t(term: Any) -> str:
    return f"<{term}>"


A, LABEL, ALT, KEY = _t(RDF.type), _t(RDFS.label), _t(SKOS.altLabel), _t(GOV.key)
ARTICLE_ID, SOURCE, DATE_PUBLISHED = _t(GOV.articleId), _t(GOV.sourceFile), _t(
    SCHEMA.datePublished)
DATELINE, URL, AUTHOR = _t(GOV.dateline), _t(SCHEMA.url), _t(SCHEMA.author)
SENTENCE, START, END, QUOTED = _t(GOV.sentence), _t(GOV.startOffset), _t(GOV.endOffset), _t(
    PROV.wasQuotedFrom)
DERIVED, MEMBER, ROLE, TITLE = _t(PROV.wasDerivedFrom), _t(ORG.member), _t(ORG.role), _t(
    GOV.title)
AT_PLACE, AT_ORG, PAST, DATE = _t(GOV.place), _t(ORG.organization), _t(GOV.past), _t(GOV.date)
HOLDS, MENTIONED, DIVISION = _t(GOV.holdsPost), _t(GOV.mentionedIn), _t(GOV.divisionCode)
LEVEL, CATEGORY, INITIATIVE_TYPE = _t(GOV.adminLevel), _t(GOV.orgCategory), _t(
    GOV.initiativeType)
SUBJECT, PREDICATE, OBJECT = _t(RDF.subject), _t(RDF.predicate), _t(RDF.object)
ARTICLE, EVIDENCE, FACT, MEMBERSHIP = _t(GOV.Article), _t(GOV.Evidence), _t(GOV.Fact), _t(
    ORG.Membership)
TRUE = f'"true"^^<{XSD.boolean}>'
_PLAIN = re.compile(r'[\x00-\x1f\x7f"\\]')


# ---------------------------------------------------------------- N-Triples terms

@lru_cache(maxsize=1 << 18)
def node(key: str) -> str:
    """<IRI> of the node with this key (rdf.iri_for)."""
    return f"<{iri_for(key)}>"


def _quoted(value: str) -> str:
    if _PLAIN.search(value) is None:
        return f'"{value}"'
    import pyoxigraph as ox

    return str(ox.Literal(value))  # Oxigraph's escaping for the rare odd character


def zh(value: str) -> str:
    return _quoted(value) + "@zh"


def plain(value: str) -> str:
    return _quoted(value)


def integer(value: int) -> str:
    return f'"{int(value)}"^^<{XSD.integer}>'


def date(value: str) -> str:
    return f"{_quoted(value)}^^<{XSD.date}>" if _ISO_DATE.match(value) else _quoted(value)


# ---------------------------------------------------------------- one article

@dataclass(frozen=True)
class ArticleRecord:
    """What the corpus-level stages need from one article (after corpus identity)."""

    iri: str  # the article's IRI, bare
    label: str  # its rdfs:label (title, else id)
    article_id: str
    ntriples: bytes  # sorted N-Triples of the article node and its evidence nodes
    entities: tuple[tuple[str, EntityType, str, tuple[str, ...], tuple[tuple[str, str], ...]],
                    ...]  # key, type, name, aliases, attrs
    posts: tuple[str, ...]  # the post of each holds_post relation
    bylines: tuple[str, ...]  # byline names that are no person of the article
    relations: tuple[tuple[Any, ...], ...]  # see _relation
    evidence: tuple[tuple[str, str, str, int, int], ...]  # IRI, sentence, source, start, end
    json: str  # the article's interchange document, indented as in extraction.json

    def lines(self) -> list[str]:
        """The N-Triples lines (one bytes object holds them: a tuple of str took 3x)."""
        return self.ntriples.decode("utf-8").split("\n")[:-1]


def article_record(article: Article) -> ArticleRecord:
    from kg.interchange import to_interchange
    from kg.model import Corpus

    me = node(article_key(article))
    adds = [f"{me} {A} {ARTICLE} .", f"{me} {LABEL} {zh(article.title or article.id)} .",
            f"{me} {ARTICLE_ID} {plain(article.id)} .", f"{me} {SOURCE} {plain(article.source)} ."]
    if article.date:
        adds.append(f"{me} {DATE_PUBLISHED} {date(article.date)} .")
    if article.dateline:
        adds.append(f"{me} {DATELINE} {zh(article.dateline)} .")
    if article.url:
        adds.append(f"{me} {URL} {_quoted(article.url)}^^<{XSD.anyURI}> .")
    bylines = []
    for name in article.byline:
        key = next((e.key for e in article.entities if e.type == EntityType.PERSON
                    and name in (e.name, *e.aliases)), None)
        if key is None:
            key = byline_key(name)
            bylines.append(name)
        adds.append(f"{me} {AUTHOR} {node(key)} .")
    sets: dict[tuple[str, str], str] = {}  # rdf.py sets these: the last relation wins
    evidence: dict[str, tuple[str, str, str, int, int]] = {}
    relations = []
    for rel in article.relations:
        start, end = article.source_span(rel.start, rel.end)
        ev_key = f"Evidence|{article.id}|{start}|{end}"
        ev, ev_iri = node(ev_key), str(iri_for(ev_key))
        sentence = _sentence(article, rel)
        short = sentence if len(sentence) <= _EVIDENCE_LABEL_CHARS \
            else sentence[:_EVIDENCE_LABEL_CHARS] + "…"
        adds.append(f"{ev} {A} {EVIDENCE} .")
        for pred, obj in ((LABEL, zh(short)), (SENTENCE, zh(sentence)),
                          (SOURCE, plain(article.source)), (START, integer(start)),
                          (END, integer(end)), (QUOTED, me)):
            sets[ev, pred] = f"{ev} {pred} {obj} ."
        evidence[ev_iri] = (ev_iri, sentence, article.source, start, end)
        relations.append(_relation(rel, ev_iri))
    document = to_interchange(Corpus((article,), ()))["documents"][0]
    return ArticleRecord(
        str(iri_for(article_key(article))), article.title or article.id, article.id,
        ("\n".join(sorted(set(adds) | set(sets.values()))) + "\n").encode("utf-8"),
        tuple((e.key, e.type, e.name, tuple(e.aliases), tuple(e.attrs))
              for e in article.entities),
        tuple(_role(r) for r in article.relations if r.type == RelationType.HOLDS_POST),
        tuple(bylines), tuple(relations), tuple(evidence.values()), json_item(document, 2))


def _relation(rel: Any, ev_iri: str) -> tuple[Any, ...]:
    """(kind, node key, type, subject, object, role, title, past, date, evidence IRI)."""
    if rel.type == RelationType.HOLDS_POST:
        return ("m", membership_key(rel), rel.type, rel.subject, rel.object, _role(rel),
                rel.title, rel.attr("past") == "1", rel.attr("date"), ev_iri)
    return ("f", fact_key(rel), rel.type, rel.subject, rel.object, "", "", False, "", ev_iri)


def json_item(value: Any, depth: int) -> str:
    """`value` as json.dumps(indent=1, sort_keys=True) writes it `depth` levels down."""
    pad = " " * depth
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return pad + text.replace("\n", "\n" + pad)  # JSON strings hold no raw newline


# ---------------------------------------------------------------- the corpus

@dataclass
class Node:
    """A membership or a fact, merged over every relation that states it."""

    key: str
    kind: str  # "m" membership, "f" fact
    type: RelationType
    subject: str
    object: str
    role: str
    past: bool
    date: str
    owner: str  # the first article IRI that states it: its named graph
    titles: dict[str, None] = field(default_factory=dict)  # in the order first stated
    evidence: dict[str, None] = field(default_factory=dict)


class Merged:
    """Entities, memberships and facts of the corpus, merged by key over its records."""

    def __init__(self, records: list[ArticleRecord]):
        self.records = records
        self.entities: dict[str, _Merged] = {}
        self.nodes: dict[str, Node] = {}
        self._labels: dict[str, str] = {}  # filled after merging, by `label`
        for record in records:
            akey = f"Article|{record.article_id}"
            for key, etype, name, aliases, attrs in record.entities:
                merged = self.entity(key)
                merged.types[etype] += 1
                if name:
                    merged.names[name] += 1
                merged.aliases.update(a for a in aliases if a)
                for k, v in attrs:
                    if v:
                        merged.attrs[k][v] += 1
                merged.articles.add(akey)
            for role in record.posts:
                self.entity(post_key(role)).names[role] += 1
        for record in records:
            akey = f"Article|{record.article_id}"
            for name in record.bylines:
                merged = self.entity(byline_key(name))
                merged.types[EntityType.PERSON] += 1
                merged.names[name] += 1
                merged.articles.add(akey)
            for kind, key, rtype, subject, obj, role, title, past, when, ev in record.relations:
                self.entity(subject)
                self.entity(obj)
                found = self.nodes.get(key)
                if found is None:
                    found = self.nodes[key] = Node(key, kind, rtype, subject, obj, role, past,
                                                   when, record.iri)
                found.owner = min(found.owner, record.iri)
                if title:
                    found.titles.setdefault(title)
                found.evidence.setdefault(ev)

    def entity(self, key: str) -> _Merged:
        if key not in self.entities:
            self.entities[key] = _Merged(key)
        return self.entities[key]

    def label(self, key: str) -> str:
        """The entity's label, worked out once (it is asked for by every fact it is in)."""
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = self.entity(key).label
        return found

    # --- triples -----------------------------------------------------------------

    def entity_lines(self) -> list[str]:
        """The entities graph: entity descriptions and the labels of the concepts used."""
        lines: list[str] = []
        used: set[str] = set()
        for key in sorted(self.entities):
            lines.extend(self._entity_lines(self.entities[key], used))
        labels = _concept_label_lines()
        for concept in sorted(used):
            lines.extend(labels.get(concept, ()))
        return lines

    def entity_ntriples(self) -> bytes:
        """`entity_lines` as sorted, distinct N-Triples, made one subject at a time: each
        line starts with its subject's "<IRI>" (no IRI holds ">"), so ordering subjects
        and then each subject's lines orders the lines, and the whole graph is never held
        as strings (that took twice the memory of the bytes)."""
        import heapq

        used: set[str] = set()
        entities = ((node(key), self.entities[key]) for key in sorted(self.entities, key=node))
        groups = ((me, _block(self._entity_lines(merged, used))) for me, merged in entities)
        first = list(groups)  # `used` is complete once every entity is written
        labels = _concept_label_lines()
        concepts = sorted((f"<{c}>", _block(labels[c])) for c in used if labels.get(c))
        return b"".join(block for _, block in heapq.merge(first, concepts,
                                                          key=lambda group: group[0]))

    def _entity_lines(self, merged: _Merged, used: set[str]) -> list[str]:
        me, etype = node(merged.key), merged.type
        out = [f"{me} {A} {_t(CLASS_OF_TYPE[etype])} .", f"{me} {LABEL} {zh(merged.label)} ."]
        out += [f"{me} {ALT} {zh(alias)} ." for alias in merged.alt_labels()]
        out.append(f"{me} {KEY} {plain(merged.key)} .")
        concepts = []
        if etype == EntityType.PLACE:
            concepts.append((LEVEL, level_concept(merged.attr("level"))))
        if merged.attr("division"):
            out.append(f"{me} {DIVISION} {plain(merged.attr('division'))} .")
        if etype == EntityType.ORGANIZATION and merged.attr("category"):
            concepts.append((CATEGORY, category_concept(merged.attr("category"))))
        if etype == EntityType.INITIATIVE and merged.attr("category"):
            concepts.append((INITIATIVE_TYPE, initiative_type_concept(merged.attr("category"))))
        for pred, concept in concepts:
            used.add(str(concept))
            out.append(f"{me} {pred} {_t(concept)} .")
        out += [f"{me} {MENTIONED} {node(akey)} ." for akey in sorted(merged.articles)]
        return out

    def node_lines(self, found: Node) -> list[str]:
        """A membership's or fact's own triples (its direct edge is `edge`)."""
        me = node(found.key)
        subject, obj = node(found.subject), node(found.object)
        if found.kind == "m":
            at_place = self.entity(found.object).type == EntityType.PLACE
            out = [f"{me} {A} {MEMBERSHIP} .", f"{me} {MEMBER} {subject} .",
                   f"{me} {AT_PLACE if at_place else AT_ORG} {obj} .",
                   f"{me} {ROLE} {node(post_key(found.role))} ."]
            out += [f"{me} {TITLE} {zh(title)} ." for title in found.titles]
            if found.past:
                out.append(f"{me} {PAST} {TRUE} .")
            if found.date:
                out.append(f"{me} {DATE} {date(found.date)} .")
            label = (f"{self.label(found.subject)}：{'原' if found.past else ''}"
                     f"{self.label(found.object)}{found.role}")
        else:
            pred = _t(PREDICATE_OF_RELATION[found.type])
            out = [f"{me} {A} {FACT} .", f"{me} {SUBJECT} {subject} .",
                   f"{me} {PREDICATE} {pred} .", f"{me} {OBJECT} {obj} ."]
            label = (f"{self.label(found.subject)} {VERB_OF_RELATION[found.type]} "
                     f"{self.label(found.object)}")
        out += [f"{me} {DERIVED} <{ev}> ." for ev in found.evidence]
        out.append(f"{me} {LABEL} {zh(label)} .")
        return out

    @staticmethod
    def edge(found: Node) -> str:
        pred = HOLDS if found.kind == "m" else _t(PREDICATE_OF_RELATION[found.type])
        return f"{node(found.subject)} {pred} {node(found.object)} ."

    def owned_lines(self) -> dict[str, list[str]]:
        """Article IRI -> the memberships, facts and direct edges its named graph holds:
        each goes to the first article (by IRI) that states it, as export.partition."""
        owned = Owned(self)
        return {name: owned.lines(name) for name in owned.names()}


class Owned:
    """The memberships, facts and direct edges of each article's named graph, made one
    graph at a time (`lines`): the whole corpus's took more memory than its records."""

    def __init__(self, merged: Merged):
        self.merged = merged
        self.nodes: dict[str, list[Node]] = {}
        edges: dict[tuple[str, str, str], Node] = {}  # (predicate, s, o) -> owning node
        for key in sorted(merged.nodes):
            found = merged.nodes[key]
            self.nodes.setdefault(found.owner, []).append(found)
            pred = HOLDS if found.kind == "m" else _t(PREDICATE_OF_RELATION[found.type])
            edge = (pred, found.subject, found.object)  # what the edge's line says
            if edge not in edges or found.owner < edges[edge].owner:
                edges[edge] = found
        self.edges: dict[str, list[Node]] = {}
        for found in edges.values():
            self.edges.setdefault(found.owner, []).append(found)

    def names(self) -> list[str]:
        return sorted(self.nodes.keys() | self.edges.keys())

    def lines(self, name: str) -> list[str]:
        """The sorted lines article `name`'s graph holds besides its record's."""
        out = [line for found in self.nodes.get(name, ()) for line in
               self.merged.node_lines(found)]
        out += [self.merged.edge(found) for found in self.edges.get(name, ())]
        return sorted(set(out))


def _block(lines: Any) -> bytes:
    """Distinct lines, sorted, as N-Triples bytes."""
    return ("\n".join(sorted(set(lines))) + "\n").encode("utf-8")


@cache
def _concept_label_lines() -> dict[str, tuple[str, ...]]:
    """Concept IRI -> the skos:prefLabel lines the ontology gives it."""
    from kg.export import ntriples_lines
    from kg.rdf import _concept_labels

    out: dict[str, list[str]] = {}
    for triple in _concept_labels():
        out.setdefault(str(triple[0]), []).extend(ntriples_lines([triple]))
    return {k: tuple(sorted(v)) for k, v in out.items()}
