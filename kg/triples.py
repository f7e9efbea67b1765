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
from collections import Counter
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
    # (article IRI, title, evidence IRI) of each relation stating it, in corpus order:
    # what `titles`, `evidence` and `owner` are made of again when an article changes
    stated: list[tuple[str, str, str]] = field(default_factory=list)

    def restate(self, position: dict[str, int]) -> None:
        """Put `stated` in corpus order (by each article's `position`; an article's own
        relations keep theirs) and work out titles, evidence and owner from it, as
        merging the records in that order does."""
        self.stated.sort(key=lambda s: position[s[0]])
        self.titles = dict.fromkeys(title for _, title, _ in self.stated if title)
        self.evidence = dict.fromkeys(ev for _, _, ev in self.stated)
        self.owner = min(iri for iri, _, _ in self.stated)


@dataclass
class Tally(_Merged):
    """An entity merged over the corpus that can also give an article's share back:
    aliases and articles are counted (the sets say which are left) and so are the
    references that keep it in the graph (mentions, posts, bylines, fact ends)."""

    alias_counts: Counter = field(default_factory=Counter)
    article_counts: Counter = field(default_factory=Counter)
    refs: int = 0
    # a digest of its lines of the entities graph and the concepts they use, once made
    # (`Merged.entities_key`); kept with the saved merge, made again when it changes
    digest: bytes | None = None
    concepts: tuple[str, ...] = ()


def _bump(counter: Counter, value: Any, sign: int) -> None:
    """Add `sign` to one count, dropping it at zero (a zero would still be a name)."""
    count = counter[value] + sign
    if count:
        counter[value] = count
    else:
        del counter[value]


def _bump_set(counter: Counter, found: set[str], value: str, sign: int) -> None:
    _bump(counter, value, sign)
    if value in counter:
        found.add(value)
    else:
        found.discard(value)


def _entity_keys(record: ArticleRecord) -> list[str]:
    """Every entity key a record names: mentions, posts, bylines and fact ends."""
    return [*(e[0] for e in record.entities), *(post_key(r) for r in record.posts),
            *(byline_key(n) for n in record.bylines),
            *(k for rel in record.relations for k in (rel[3], rel[4]))]


def _described(merged: Tally) -> tuple[Any, ...]:
    """All an entity's lines of the entities graph are made from (`_entity_lines`): an
    entity whose description is the same after a patch keeps its digest. (A changed
    article names its entities again: remaking their lines, hubs mentioned by thousands
    of articles among them, took 0.25 s of a 10,000-article rebuild.)"""
    return (merged.type, merged.label, tuple(merged.alt_labels()), merged.attr("level"),
            merged.attr("division"), merged.attr("category"), frozenset(merged.articles))


def _edge_of(found: Node) -> tuple[str, str, str]:
    """What a node's direct edge says (`Owned`): predicate, subject, object."""
    pred = HOLDS if found.kind == "m" else _t(PREDICATE_OF_RELATION[found.type])
    return (pred, found.subject, found.object)


class Merged:
    """Entities, memberships and facts of the corpus, merged by key over its records.

    Everything merged is a count or kept with the article that stated it, so `patch`
    can take changed articles' records out and put their new ones in, giving what
    merging every record again gives (tests/test_corpus_state.py checks it)."""

    def __init__(self, records: list[ArticleRecord]):
        self.records = records
        self.entities: dict[str, Tally] = {}
        self.nodes: dict[str, Node] = {}
        self._labels: dict[str, str] = {}  # filled after merging, by `label`
        for record in records:
            self._tally_entities(record, 1, set())
        for record in records:
            self._tally_relations(record, 1, set(), set())

    def _tally_entities(self, record: ArticleRecord, sign: int, touched: set[str]) -> None:
        akey = f"Article|{record.article_id}"
        for key, etype, name, aliases, attrs in record.entities:
            merged = self.entity(key)
            touched.add(key)
            merged.refs += sign
            _bump(merged.types, etype, sign)
            if name:
                _bump(merged.names, name, sign)
            for alias in aliases:
                if alias:
                    _bump_set(merged.alias_counts, merged.aliases, alias, sign)
            for k, v in attrs:
                if v:
                    _bump(merged.attrs[k], v, sign)
                    if not merged.attrs[k]:
                        del merged.attrs[k]
            _bump_set(merged.article_counts, merged.articles, akey, sign)
        for role in record.posts:
            merged = self.entity(post_key(role))
            touched.add(merged.key)
            merged.refs += sign
            _bump(merged.names, role, sign)

    def _tally_relations(self, record: ArticleRecord, sign: int, touched: set[str],
                         nodes: set[str]) -> None:
        """Bylines and relations; a removed record's relations only name the nodes to
        restate (`nodes`), since a node's statements are filtered by article there."""
        akey = f"Article|{record.article_id}"
        for name in record.bylines:
            merged = self.entity(byline_key(name))
            touched.add(merged.key)
            merged.refs += sign
            _bump(merged.types, EntityType.PERSON, sign)
            _bump(merged.names, name, sign)
            _bump_set(merged.article_counts, merged.articles, akey, sign)
        for kind, key, rtype, subject, obj, role, title, past, when, ev in record.relations:
            self.entity(subject).refs += sign
            self.entity(obj).refs += sign
            touched.update((subject, obj))
            if sign < 0:
                nodes.add(key)
                continue
            found = self.nodes.get(key)
            if found is None:
                found = self.nodes[key] = Node(key, kind, rtype, subject, obj, role, past,
                                               when, record.iri)
            found.owner = min(found.owner, record.iri)
            if title:
                found.titles.setdefault(title)
            found.evidence.setdefault(ev)
            found.stated.append((record.iri, title, ev))
            nodes.add(key)

    def patch(self, removed: list[ArticleRecord], added: list[ArticleRecord],
              records: list[ArticleRecord]) -> set[str]:
        """Take `removed` records out and put `added` in; `records` is the corpus after
        (whole or light records, in corpus order). Returns the articles (IRIs) whose
        named graph may now hold other memberships, facts or edges (`Owned`)."""
        changing = [*removed, *added]
        node_keys = {rel[1] for r in changing for rel in r.relations}
        entity_keys = {k for r in changing for k in _entity_keys(r)}
        graphs = {self.nodes[k].owner for k in node_keys if k in self.nodes}
        before = {k: self._look(k) for k in entity_keys if k in self.entities}
        described = {k: _described(m) for k in entity_keys
                     if (m := self.entities.get(k)) is not None and m.digest is not None}
        entities: set[str] = set()
        nodes: set[str] = set()
        for record in removed:
            self._tally_entities(record, -1, entities)
        for record in removed:
            self._tally_relations(record, -1, entities, nodes)
        gone = {record.iri for record in removed}
        for key in nodes:
            found = self.nodes[key]
            found.stated = [s for s in found.stated if s[0] not in gone]
        for record in added:
            self._tally_entities(record, 1, entities)
        for record in added:
            self._tally_relations(record, 1, entities, nodes)
        self.records = records
        position = {record.iri: i for i, record in enumerate(records)}
        edges = set()
        for key in nodes:
            found = self.nodes[key]
            if found.stated:
                found.restate(position)
                graphs.add(found.owner)
            else:
                del self.nodes[key]
            edges.add(_edge_of(found))
        relabelled = set()
        for key in entities:
            self._labels.pop(key, None)
            merged = self.entities[key]
            if merged.digest is not None and _described(merged) != described.get(key):
                merged.digest = None  # its lines changed: made again when next asked
            if merged.refs <= 0:
                del self.entities[key]
            elif key in before and self._look(key) != before[key]:
                relabelled.add(key)
        # An edge goes to the first owner of the nodes stating it, and a node's lines
        # name its ends' labels (and whether the object is a place).
        for found in self.nodes.values():
            if found.subject in relabelled or found.object in relabelled \
                    or _edge_of(found) in edges:
                graphs.add(found.owner)
        return graphs

    def _look(self, key: str) -> tuple[str, bool]:
        merged = self.entities[key]
        return merged.label, merged.type == EntityType.PLACE

    def entity(self, key: str) -> Tally:
        found = self.entities.get(key)
        if found is None:
            found = self.entities[key] = Tally(key)
        return found

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
        first = []
        for me, merged in self._by_subject():
            first.append((me, self._entity_block(merged)))
            used.update(merged.concepts)
        return b"".join(block for _, block in heapq.merge(first, self._concept_blocks(used),
                                                          key=lambda group: group[0]))

    def entities_key(self) -> str:
        """A hash of the entities graph (`entity_ntriples`) made from each entity's key
        and digest, which the entity keeps: a patched merge makes only the changed
        entities' lines to key the graph, and the graph itself only when the key changed.
        (Taken in key order, which needs no IRIs: the set of blocks fixes the graph.)"""
        import hashlib

        digest = hashlib.sha256(b"entities\n")
        used: set[str] = set()
        for key in sorted(self.entities):
            merged = self.entities[key]
            if merged.digest is None:
                self._entity_block(merged)
            digest.update(key.encode("utf-8") + b"\x00" + (merged.digest or b""))
            used.update(merged.concepts)
        for _, block in self._concept_blocks(used):
            digest.update(block)
        return digest.hexdigest()[:32]

    def _by_subject(self) -> list[tuple[str, Tally]]:
        return sorted(((node(k), m) for k, m in self.entities.items()),
                      key=lambda pair: pair[0])

    def _entity_block(self, merged: Tally) -> bytes:
        """An entity's lines as N-Triples; its digest and concepts noted on it."""
        import hashlib

        concepts: set[str] = set()
        block = _block(self._entity_lines(merged, concepts))
        merged.digest = hashlib.sha256(block).digest()[:16]
        merged.concepts = tuple(sorted(concepts))
        return block

    @staticmethod
    def _concept_blocks(used: set[str]) -> list[tuple[str, bytes]]:
        labels = _concept_label_lines()
        return sorted((f"<{c}>", _block(labels[c])) for c in used if labels.get(c))

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
    """Concept IRI -> the skos:prefLabel lines the ontology gives it (kg/rdf.py
    `_concept_labels`), parsed and written by Oxigraph alone: through rdflib and
    oxrdflib, whose imports a rebuild otherwise does without, this took 0.3 s."""
    import pyoxigraph as ox

    from kg.vocab import ontology_dir

    pref_label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    found: dict[str, list[Any]] = {}
    with (ontology_dir() / "governance.ttl").open("rb") as handle:
        for quad in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            if quad.predicate == pref_label and isinstance(quad.subject, ox.NamedNode):
                found.setdefault(quad.subject.value, []).append(
                    ox.Triple(quad.subject, quad.predicate, quad.object))
    out = {}
    for concept, triples in found.items():
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        out[concept] = tuple(sorted({line for line in data.split("\n") if line}))
    return out
