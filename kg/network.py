"""RDF -> networkx: the entity network, name lookup, paths, neighbourhoods, centrality.

Nodes are entities (IRI strings) with `label`, `type`, `aliases` and, where
known, `level`, `category` or `initiative_type`. Edges are the direct facts
(holdsPost, partOf, locatedIn, subOrganizationOf, launched), each with the
evidence sentences and article titles that support it. Posts are not nodes:
they ride on holdsPost edges as `role` and `title`, so 书记 does not become a hub.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import ORG, PROV

from kg.errors import QueryError
from kg.query import GOV

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from rdflib import Graph

ENTITY_TYPES = {
    GOV.Person: "Person", GOV.Place: "Place",
    GOV.Organization: "Organization", GOV.Initiative: "Initiative",
}
RELATIONS = {
    GOV.holdsPost: "holdsPost", GOV.partOf: "partOf", GOV.locatedIn: "locatedIn",
    ORG.subOrganizationOf: "subOrganizationOf", GOV.launched: "launched",
}
RELATION_LABELS = {  # shown on edges when there is no post title
    "holdsPost": "任职", "partOf": "隶属", "locatedIn": "位于",
    "subOrganizationOf": "下属", "launched": "发起",
}
_CONCEPTS = {"level": GOV.adminLevel, "category": GOV.orgCategory,
             "initiative_type": GOV.initiativeType}


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """The entity network of an RDF graph; same graph in, same network out."""
    nxg = nx.MultiDiGraph()
    for cls, kind in ENTITY_TYPES.items():
        for iri in sorted(set(graph.subjects(RDF.type, cls))):
            nxg.add_node(str(iri), **_node_attrs(graph, iri, kind))
    evidence = _fact_evidence(graph)
    covered = _add_memberships(graph, nxg)
    for pred, relation in RELATIONS.items():
        for s, o in sorted(graph.subject_objects(pred)):
            if relation == "holdsPost" and (str(s), str(o)) in covered:
                continue
            _ensure_node(graph, nxg, s)
            _ensure_node(graph, nxg, o)
            found = evidence.get((s, pred, o), [])
            nxg.add_edge(str(s), str(o), relation=relation, label=RELATION_LABELS[relation],
                         evidence=found, **_first(found))
    return nxg


def _label(graph: Graph, iri: Any) -> str:
    labels = sorted(graph.objects(iri, RDFS.label), key=lambda t: (
        getattr(t, "language", None) != "zh", str(t)))
    if labels:
        return str(labels[0])
    text = str(iri)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _local(iri: Any) -> str:
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _node_attrs(graph: Graph, iri: Any, kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "label": _label(graph, iri), "type": kind,
        "aliases": sorted(str(a) for a in graph.objects(iri, SKOS.altLabel)),
        "articles": sorted(_label(graph, a) for a in graph.objects(iri, GOV.mentionedIn)),
    }
    for name, pred in _CONCEPTS.items():
        concept = graph.value(iri, pred)
        if concept is not None:
            attrs[name] = _local(concept)
    return attrs


def _ensure_node(graph: Graph, nxg: nx.MultiDiGraph, iri: Any) -> None:
    """Endpoints the writer did not type still show up, as type Other."""
    if str(iri) not in nxg:
        nxg.add_node(str(iri), **_node_attrs(graph, iri, "Other"))


def _evidence(graph: Graph, ev: Any) -> dict[str, Any]:
    article = graph.value(ev, PROV.wasQuotedFrom)

    def value(pred: URIRef) -> Any:
        term = graph.value(ev, pred)
        return term.toPython() if isinstance(term, Literal) else term

    return {
        "sentence": str(graph.value(ev, GOV.sentence) or ""),
        "article": _label(graph, article) if article is not None else "",
        "article_id": str(graph.value(article, GOV.articleId) or "") if article else "",
        "source": str(graph.value(ev, GOV.sourceFile) or ""),
        "start": value(GOV.startOffset), "end": value(GOV.endOffset),
    }


def _evidence_of(graph: Graph, node: Any) -> list[dict[str, Any]]:
    found = [_evidence(graph, ev) for ev in graph.objects(node, PROV.wasDerivedFrom)]
    return sorted(found, key=lambda e: (e["article"], e["sentence"]))


def _fact_evidence(graph: Graph) -> dict[tuple, list[dict[str, Any]]]:
    index: dict[tuple, list[dict[str, Any]]] = {}
    for fact in graph.subjects(RDF.type, GOV.Fact):
        key = (graph.value(fact, RDF.subject), graph.value(fact, RDF.predicate),
               graph.value(fact, RDF.object))
        index.setdefault(key, []).extend(_evidence_of(graph, fact))
    return index


def _first(evidence: list[dict[str, Any]]) -> dict[str, str]:
    if not evidence:
        return {"sentence": "", "article": ""}
    return {"sentence": evidence[0]["sentence"], "article": evidence[0]["article"]}


def _add_memberships(graph: Graph, nxg: nx.MultiDiGraph) -> set[tuple[str, str]]:
    """One holdsPost edge per org:Membership, carrying its title and evidence."""
    covered = set()
    for m in sorted(set(graph.subjects(RDF.type, ORG.Membership))):
        person = graph.value(m, ORG.member)
        target = graph.value(m, ORG.organization) or graph.value(m, GOV.place)
        if person is None or target is None:
            continue
        _ensure_node(graph, nxg, person)
        _ensure_node(graph, nxg, target)
        role = graph.value(m, ORG.role)
        title = str(graph.value(m, GOV.title) or "")
        past = graph.value(m, GOV.past)
        evidence = _evidence_of(graph, m)
        nxg.add_edge(str(person), str(target), relation="holdsPost",
                     label=title or (_label(graph, role) if role else RELATION_LABELS["holdsPost"]),
                     title=title, role=_label(graph, role) if role is not None else "",
                     past=bool(past is not None and past.toPython() is True),
                     date=str(graph.value(m, GOV.date) or ""), membership=str(m),
                     evidence=evidence, **_first(evidence))
        covered.add((str(person), str(target)))
    return covered


def describe(nxg: nx.MultiDiGraph, node: str) -> str:
    """`王芳 (Person, 清远市委组织部)`: a label with what tells it apart from namesakes."""
    data = nxg.nodes[node]
    anchors = sorted({nxg.nodes[t]["label"] for _, t, d in nxg.out_edges(node, data=True)
                      if d["relation"] in ("holdsPost", "locatedIn", "partOf")})
    context = ", ".join([data["type"], *anchors[:2]])
    return f"{data['label']} ({context})"


def find_node(nxg: nx.MultiDiGraph, name: str) -> str:
    """The node named `name`: an IRI, else exact label, else alias, else part of a label."""
    if name in nxg:
        return name
    needle = name.strip()
    tests = [
        lambda d: d["label"] == needle,
        lambda d: needle in d.get("aliases", ()),
        lambda d: needle in d["label"] or any(needle in a for a in d.get("aliases", ())),
    ]
    for test in tests:
        hits = sorted(n for n, d in nxg.nodes(data=True) if test(d))
        if len(hits) == 1:
            return hits[0]
        if hits:
            shown = "; ".join(f"{describe(nxg, n)} <{n}>" for n in hits[:8])
            more = f"; and {len(hits) - 8} more" if len(hits) > 8 else ""
            raise QueryError(f"'{name}' matches {len(hits)} entities: {shown}{more}; "
                             "pass a longer name or the IRI")
    raise QueryError(f"no entity named '{name}' (searched labels, aliases and parts of labels)")


@dataclass(frozen=True)
class Step:
    """One hop of a path; `forward` is False when the fact points the other way."""

    source: str
    target: str
    source_label: str
    target_label: str
    relation: str
    label: str
    forward: bool
    sentence: str = ""
    article: str = ""


@dataclass(frozen=True)
class Path:
    nodes: tuple[str, ...]
    steps: tuple[Step, ...]


def path_between(nxg: nx.MultiDiGraph, a: str, b: str) -> Path:
    """The shortest chain of facts linking two entities, ignoring edge direction."""
    start, end = find_node(nxg, a), find_node(nxg, b)
    try:
        nodes = nx.shortest_path(nxg.to_undirected(as_view=True), start, end)
    except nx.NetworkXNoPath:
        raise QueryError(f"no path between {describe(nxg, start)} and "
                         f"{describe(nxg, end)}: they are not connected") from None
    steps = tuple(_step(nxg, u, v) for u, v in zip(nodes, nodes[1:]))
    return Path(tuple(nodes), steps)


def _step(nxg: nx.MultiDiGraph, u: str, v: str) -> Step:
    forward = nxg.has_edge(u, v)
    src, dst = (u, v) if forward else (v, u)
    edges = nxg.get_edge_data(src, dst)
    data = edges[min(edges)]
    return Step(u, v, nxg.nodes[u]["label"], nxg.nodes[v]["label"], data["relation"],
                data["label"], forward, data.get("sentence", ""), data.get("article", ""))


def neighbourhood(nxg: nx.MultiDiGraph, name: str, depth: int = 1) -> nx.MultiDiGraph:
    """Entities within `depth` hops of `name` (either direction), with `distance` set.

    The returned graph is a copy; its graph attribute `focus` is the centre node.
    """
    if depth < 0:
        raise QueryError(f"depth must be 0 or more, not {depth}")
    centre = find_node(nxg, name)
    distances = nx.single_source_shortest_path_length(
        nxg.to_undirected(as_view=True), centre, cutoff=depth)
    sub = nxg.subgraph(distances).copy()
    nx.set_node_attributes(sub, distances, "distance")
    sub.graph["focus"] = centre
    return sub


@dataclass(frozen=True)
class Ranked:
    node: str
    label: str
    type: str
    value: float


@dataclass(frozen=True)
class Stats:
    nodes: int
    edges: int
    by_type: dict[str, int] = field(default_factory=dict)
    by_relation: dict[str, int] = field(default_factory=dict)
    degree: tuple[Ranked, ...] = ()
    betweenness: tuple[Ranked, ...] = ()


def stats(nxg: nx.MultiDiGraph, *, top: int = 10, betweenness: bool = True) -> Stats:
    """Counts by entity type and relation, and the top-k entities by degree and betweenness.

    Betweenness is sampled (500 pivots, fixed seed) on large networks so it stays fast;
    betweenness=False skips it (the build summary shows degree only: betweenness took
    6 of 81 s of a 300-article build).
    """
    # walked on networkx's own dicts: its node and edge views took most of 0.1 s at
    # 10,000 articles
    by_type = dict(sorted(Counter(d["type"] for d in nxg._node.values()).items()))
    by_relation = dict(sorted(Counter(
        d["relation"] for nbrs in nxg._succ.values() for keyed in nbrs.values()
        for d in keyed.values()).items()))
    between: dict[str, float] = {}
    if betweenness and nxg:
        simple = nx.Graph(nxg.to_undirected(as_view=True))
        k = 500 if simple.number_of_nodes() > 2000 else None
        between = nx.betweenness_centrality(simple, k=k, seed=0)
    # every edge has a relation: their count is the number of edges, without networkx
    # summing every node's degree again
    return Stats(nxg.number_of_nodes(), sum(by_relation.values()), by_type, by_relation,
                 _top(nxg, dict(nxg.degree()), top), _top(nxg, between, top))


def _top(nxg: nx.MultiDiGraph, scores: dict[str, float], k: int) -> tuple[Ranked, ...]:
    import heapq

    node = nxg._node  # a plain dict: no view
    ranked = heapq.nsmallest(k, scores.items(),
                             key=lambda kv: (-kv[1], node[kv[0]]["label"], kv[0]))
    return tuple(Ranked(n, nxg.nodes[n]["label"], nxg.nodes[n]["type"], v)
                 for n, v in ranked[:k] if not math.isnan(v))


def _next_key(nxg: nx.MultiDiGraph, u: str, v: str) -> int:
    """The key networkx gives the next edge from u to v when none is named (their count:
    no edge here is ever given a key or removed), without its search for a free one."""
    return len(nxg._succ[u].get(v, ()))


def from_merged(merged: Any, *, evidence_per_edge: int | None = None) -> nx.MultiDiGraph:
    """The network `to_networkx` makes of the build's graph, made from kg/triples.py's
    merged records instead of an rdflib graph (same nodes, edges, order and attributes;
    tests/test_triples.py checks it). `evidence_per_edge`: keep only the first N of each
    edge's evidence (the build's page shows 3; all of them took a third of the time)."""
    return _from_merged(merged, evidence_per_edge, None, details=True)[0]


def from_merged_lazy(merged: Any, *, evidence_per_edge: int | None = None,
                     articles_per_node: int | None = None
                     ) -> tuple[nx.MultiDiGraph, Callable[[Iterable[str]], None]]:
    """`from_merged` without what costs most, and the function that adds it to the
    nodes one names and the edges among them, as `from_merged` has it.

    Until then nodes have no `aliases` and `articles` and edges no `evidence`, `sentence`
    and `article`; the rest (labels, types, levels, relations, degrees) is all there, as
    `stats` and choosing what a page carries need. (The build's page carries 2,000 of
    13,500 entities of a 10,000-article corpus; with details for those only, network and
    page data took 0.9 s instead of 1.9 s.) `articles_per_node`: keep only the first N of
    each node's articles (the page shows 8)."""
    return _from_merged(merged, evidence_per_edge, articles_per_node, details=False)


def _from_merged(merged: Any, evidence_per_edge: int | None, articles_per_node: int | None,
                 details: bool) -> tuple[nx.MultiDiGraph, Callable[[Iterable[str]], None]]:
    import heapq
    from functools import cache
    from itertools import islice
    from operator import itemgetter

    from kg.rdf import CLASS_OF_TYPE, PREDICATE_OF_RELATION
    from kg.rdf import iri_for as mint
    from kg.triples import Node
    from kg.vocab import category_concept, initiative_type_concept, level_concept

    @cache
    def iri_for(key: str) -> str:  # each key is asked for many times
        return str(mint(key))

    @cache
    def concept(make: Callable[[str], Any], value: str) -> str:
        return _local(make(value))

    types = {key: m.type for key, m in merged.entities.items()}  # each worked out once
    by_iri = {iri_for(key): m for key, m in merged.entities.items()}
    records = {r.iri: r for r in merged.records}
    quoted: dict[str, dict[str, tuple]] = {}  # an article's evidence by IRI, once asked for

    @cache
    def by_label() -> tuple[list[Any], dict[str, int], dict[str, int], list[int]]:
        """The articles sorted by label; each one's place in that order by article key
        (as entities name their articles) and by IRI (as memberships and facts do); and
        for each place the last place with the same label. Articles then sort and compare
        as numbers."""
        ranked = sorted(merged.records, key=lambda r: (r.label, r.iri))
        same_until = list(range(len(ranked)))
        for i in range(len(ranked) - 2, -1, -1):
            if ranked[i].label == ranked[i + 1].label:
                same_until[i] = same_until[i + 1]
        return (ranked, {f"Article|{r.article_id}": i for i, r in enumerate(ranked)},
                {r.iri: i for i, r in enumerate(ranked)}, same_until)

    def said(ev: str, article: str) -> tuple[str, str, str, int, int]:
        found = quoted.get(article)
        if found is None:
            found = quoted[article] = {e[0]: e for e in records[article].evidence}
        return found[ev]

    def node_details(m: Any) -> dict[str, Any]:
        ranked, at_key, _, _ = by_label()
        found, limit = m.articles, articles_per_node
        if limit is not None and len(found) ** 2 > limit * len(at_key):
            # many articles: the first `limit` in label order that have it come soon
            first = [at_key[a] for a in islice(filter(found.__contains__, at_key), limit)]
        else:
            places = map(at_key.__getitem__, found)
            first = sorted(places) if limit is None else heapq.nsmallest(limit, places)
        return {"aliases": sorted((set(m.names) | m.aliases) - {merged.label(m.key)}),  # alt_labels
                "articles": [ranked[i].label for i in first]}

    def attrs(iri: str, kind: str) -> dict[str, Any]:
        m = by_iri[iri]
        out: dict[str, Any] = {"label": merged.label(m.key), "type": kind}
        if details:
            out.update(node_details(m))
        etype = types[m.key]
        if etype == "Place":
            out["level"] = concept(level_concept, m.attr("level"))
        elif etype in ("Organization", "Initiative"):
            category = m.attr("category")
            if category and etype == "Organization":
                out["category"] = concept(category_concept, category)
            elif category:
                out["initiative_type"] = concept(initiative_type_concept, category)
        return out

    def ensure(iri: str) -> None:
        if iri not in nxg:
            nxg.add_node(iri, **attrs(iri, "Other"))

    def evidence_of(found: Node) -> list[dict[str, Any]]:
        # sorted by (article, sentence), ties in the order stated, as sorted() on the dicts.
        # `stated` names the article of each evidence, once per statement (Node.restate)
        quotes = found.stated
        if len(quotes) != len(found.evidence):  # some stated more than once: in order once
            quotes = list({ev: (a, t, ev) for a, t, ev in quotes}.values())
        limit = evidence_per_edge
        picked: Sequence[int] = range(len(quotes))
        if limit is not None and len(quotes) > limit:
            # only the evidence of the first articles by label needs its sentence looked up
            _, _, at_iri, same_until = by_label()
            places = list(map(at_iri.__getitem__, map(itemgetter(0), quotes)))
            bound = same_until[sorted(places)[limit - 1]] if limit > 0 else -1
            picked = [i for i, place in enumerate(places) if place <= bound]

        def order(i: int) -> tuple[str, str, int]:
            a, _, ev = quotes[i]
            return (records[a].label, said(ev, a)[1], i)

        if len(picked) > 1:
            picked = [i for *_, i in sorted(map(order, picked))]
        out = []
        for i in picked[:limit]:
            a, _, ev = quotes[i]
            _, sentence, source, start, end = said(ev, a)
            out.append({"sentence": sentence, "article": records[a].label,
                        "article_id": records[a].article_id, "source": source,
                        "start": start, "end": end})
        return out

    def with_evidence(found: Node) -> dict[str, Any]:
        if not details:
            return {}
        found_evidence = evidence_of(found)
        return {"evidence": found_evidence, **_first(found_evidence)}

    nxg = nx.MultiDiGraph()
    stated_by: dict[tuple[str, str, int], Node] = {}  # each edge's membership or fact

    of_class: dict[Any, list[str]] = {}
    for iri, m in by_iri.items():
        of_class.setdefault(CLASS_OF_TYPE[types[m.key]], []).append(iri)
    for cls, kind in ENTITY_TYPES.items():
        for iri in sorted(of_class.get(cls, ())):
            nxg.add_node(iri, **attrs(iri, kind))
    # Memberships in the order of their IRIs. A fact is keyed by its predicate and ends,
    # which order it below: its own IRI (a hash to work out) is not needed.
    memberships: list[Node] = []
    facts: dict[Any, list[Node]] = {}  # predicate -> its facts
    for found in merged.nodes.values():
        if found.kind == "m":
            memberships.append(found)
        elif found.kind == "f":
            facts.setdefault(PREDICATE_OF_RELATION[found.type], []).append(found)
    for found in sorted(memberships, key=lambda n: iri_for(n.key)):
        person, target = iri_for(found.subject), iri_for(found.object)
        ensure(person)
        ensure(target)
        role = merged.label(f"Post|{found.role}")
        title = next(iter(found.titles), "")
        k = nxg.add_edge(person, target, _next_key(nxg, person, target),
                         relation="holdsPost", label=title or role,
                         title=title, role=role, past=found.past, date=found.date,
                         membership=iri_for(found.key), **with_evidence(found))
        stated_by[person, target, k] = found
    for pred, relation in RELATIONS.items():
        if relation == "holdsPost":
            continue  # every holdsPost edge is a membership's, drawn above
        pairs = sorted(((iri_for(n.subject), iri_for(n.object), n)
                        for n in facts.get(pred, ())), key=itemgetter(0, 1))
        for s, o, found in pairs:
            ensure(s)
            ensure(o)
            k = nxg.add_edge(s, o, _next_key(nxg, s, o), relation=relation,
                             label=RELATION_LABELS[relation],
                             **with_evidence(found))
            stated_by[s, o, k] = found

    def add_details(nodes: Iterable[str]) -> None:
        """Aliases and articles of `nodes`, evidence of the edges among them."""
        among = dict.fromkeys(nodes)
        for n in among:
            nxg.nodes[n].update(node_details(by_iri[n]))
        for u in among:
            for v, keyed in nxg.succ[u].items():
                if v in among:
                    for k, data in keyed.items():
                        found_evidence = evidence_of(stated_by[u, v, k])
                        data.update(evidence=found_evidence, **_first(found_evidence))

    return nxg, add_details
