"""The build's outputs from article records (kg/triples.py): graph file, store parts, JSON.

The graph file holds the same triples as `rdf.serialize(rdf.corpus_to_graph(corpus))`;
Turtle is written by Oxigraph's serializer one named graph after another (the entities
graph, then each article's graph by IRI, each sorted), and the same corpus always gives
the same bytes. N-Triples are sorted lines, as `rdf.serialize` writes them.
"""
from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from kg.export import ENTITIES_GRAPH
from kg.triples import Merged, json_item

if TYPE_CHECKING:
    from kg.model import Problem
    from kg.triples import ArticleRecord


_IRI_HEAD = re.compile(rb"<([^<>\"\s]*[/#])[^<>\"\s/#]*>")  # as rdf._IRI_HEAD, on bytes


class Sections:
    """The corpus graph split into named graphs as kg/export.py `partition` splits it."""

    def __init__(self, merged: Merged):
        self.merged = merged
        self.entities = sorted(set(merged.entity_lines()))
        self.owned = merged.owned_lines()
        self.records = {r.iri: r for r in merged.records}
        self.names = sorted({ENTITIES_GRAPH, *self.records, *self.owned})

    def lines(self, name: str) -> list[str]:
        """The sorted N-Triples lines of one named graph."""
        if name == ENTITIES_GRAPH:
            return self.entities
        record = self.records.get(name)
        own = record.lines() if record is not None else []
        return sorted(set(own).union(self.owned.get(name, ())))

    def ntriples(self, name: str) -> bytes:
        lines = self.lines(name)
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""

    def parts(self) -> dict[str, bytes]:
        """Graph name -> N-Triples, for the store."""
        return {name: self.ntriples(name) for name in self.names}

    def graph_bytes(self, fmt: str) -> bytes:
        """The whole graph as `fmt` (ttl, nt, nquads, jsonld)."""
        from kg.rdf import turtle_bytes

        if fmt == "ttl":  # bytes throughout: a list of str lines took 3x the memory
            data = b"".join(self.ntriples(name) for name in self.names)
            heads = {h.decode("utf-8") for h in set(_IRI_HEAD.findall(data))}
            bound = _bound()
            prefixes = {p: ns for p, ns in sorted(bound.items())
                        if any(head.startswith(ns) for head in heads)}
            return turtle_bytes(data, prefixes)
        if fmt in ("nt", "nquads"):  # a plain graph: both are sorted N-Triples
            lines = sorted({line for name in self.names for line in self.lines(name)})
            return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
        return _rdflib_bytes(b"".join(self.ntriples(n) for n in self.names), fmt)


@cache
def _bound() -> dict[str, str]:
    from kg.rdf import _bound_prefixes, new_graph

    return _bound_prefixes(new_graph())


def _rdflib_bytes(data: bytes, fmt: str) -> bytes:
    """Formats only rdflib writes (JSON-LD): through an rdflib graph."""
    from kg.rdf import new_graph, serialize

    graph = new_graph()
    graph.parse(data=data.decode("utf-8"), format="nt")
    return serialize(graph, fmt)


def extraction_json(records: list[ArticleRecord], problems: list[Problem]) -> str:
    """extraction.json as build.write_json(to_interchange(corpus)) writes it, from the
    records' documents, already indented: json.dumps with an indent is pure Python."""
    docs = "[\n" + ",\n".join(r.json for r in records) + "\n ]" if records else "[]"
    found = [str(p) for p in problems]
    text = json_item(found, 1)[1:] if found else "[]"
    return '{\n "documents": ' + docs + ',\n "problems": ' + text + "\n}\n"


def identity_signature(article: Any, mapping: dict[str, str]) -> str:
    """What corpus identity changes in this article: its keys that `mapping` renames
    (and whether the mapping is empty, in which case nothing is re-sorted)."""
    keys = {e.key for e in article.entities}
    keys.update(k for r in article.relations for k in (r.subject, r.object))
    renamed = sorted((k, mapping[k]) for k in keys if k in mapping)
    return repr((bool(mapping), renamed))
