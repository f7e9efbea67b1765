"""One named graph per article: the split of a corpus graph, and N-Quads for bulk loaders.

Every triple goes to exactly one graph, so the union of the named graphs is the
corpus graph again (SPARQL stores do not deduplicate a union default graph):

- an article's graph (named by the article's IRI) holds the article node, the
  evidence quoted from it, the memberships and facts it supports and their
  direct edges (person gov:holdsPost org, place gov:partOf place, ...); a fact
  or membership stated in several articles goes to the first by IRI;
- ENTITIES_GRAPH holds what is merged across articles: entity types, labels,
  aliases, keys, mentions, and concept labels.

The split reads only the graph, so a .ttl file built earlier splits the same way.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from rdflib import Graph

from kg.vocab import GOV, ORG, PROV, RDF

ENTITIES_GRAPH = "https://w3id.org/jiceng-kg/graph/entities"

Triple = tuple[Any, Any, Any]


def partition(graph: Graph) -> dict[str, list[Triple]]:
    """Graph name -> its triples (sorted by graph name)."""
    owner = _node_owners(graph)
    edges = _edge_owners(graph, owner)
    parts: dict[str, list[Triple]] = defaultdict(list)
    for triple in graph.triples((None, None, None)):
        name = owner.get(triple[0]) or edges.get(triple) or ENTITIES_GRAPH
        parts[name].append(triple)
    return dict(sorted(parts.items()))


def _node_owners(graph: Graph) -> dict[Any, str]:
    """Article, evidence, membership and fact nodes -> the article graph they go to."""
    owner: dict[Any, str] = {a: str(a) for a in graph.subjects(RDF.type, GOV.Article)}
    for evidence, article in graph.subject_objects(PROV.wasQuotedFrom):
        owner[evidence] = str(article)
    for node, evidence in graph.subject_objects(PROV.wasDerivedFrom):
        if evidence in owner:
            first = owner.get(node)
            owner[node] = owner[evidence] if first is None else min(first, owner[evidence])
    return owner


def _edge_owners(graph: Graph, owner: dict[Any, str]) -> dict[Triple, str]:
    """The direct edge a fact or membership stands for goes where the node goes."""
    edges: dict[Triple, str] = {}

    def claim(triple: Triple, name: str | None) -> None:
        if name and (triple not in edges or name < edges[triple]):
            edges[triple] = name

    for fact in graph.subjects(RDF.type, GOV.Fact):
        s, p, o = (graph.value(fact, term) for term in (RDF.subject, RDF.predicate, RDF.object))
        claim((s, p, o), owner.get(fact))
    for membership in graph.subjects(RDF.type, ORG.Membership):
        person = graph.value(membership, ORG.member)
        for target in (graph.value(membership, ORG.organization),
                       graph.value(membership, GOV.place)):
            if target is not None:
                claim((person, GOV.holdsPost, target), owner.get(membership))
    return edges


def nquads(parts: dict[str, list[Triple]]) -> bytes:
    """Sorted N-Quads of the split: the same graph always gives the same bytes."""
    lines: list[str] = []
    for name, triples in parts.items():
        lines.extend(ntriples_lines(triples, graph=name))
    lines.sort()
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def ntriples(triples: Iterable[Triple]) -> bytes:
    """Sorted N-Triples of some triples (one named graph's content)."""
    lines = sorted(ntriples_lines(triples))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def ntriples_lines(triples: Iterable[Triple], *, graph: str | None = None) -> list[str]:
    """Lines written by Oxigraph's serializer (fast and strict), without the newline."""
    import pyoxigraph as ox
    from oxrdflib._converter import to_ox

    name = ox.NamedNode(graph) if graph else None
    if name is None:
        items: list[Any] = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
        fmt = ox.RdfFormat.N_TRIPLES
    else:
        items = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in triples]
        fmt = ox.RdfFormat.N_QUADS
    data = ox.serialize(items, format=fmt)
    # split("\n"), not splitlines(): a literal may hold U+2028, U+0085 or \x1c-\x1e, which
    # N-Triples writes raw and str.splitlines() would cut the line at.
    return [line for line in data.decode("utf-8").split("\n") if line]


def export_nquads(source: str | Path, out_file: str | Path) -> tuple[Path, int]:
    """Write the graph (a graph file, a store, or an output folder) as N-Quads,
    one named graph per article. Returns the file and the number of graphs."""
    from kg import store

    data = store.read_nquads(source)
    names = {line.rsplit(" ", 2)[-2] for line in data.decode("utf-8").split("\n") if line}
    path = Path(out_file)
    store.write_bytes(path, data)
    return path, len(names)
