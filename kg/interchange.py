"""The extraction JSON that ../shared/eval/score.py reads (see its docstring).

One document per article, named by its source file (the scorer merges articles
of one file). Entity ids are derived from entity keys, so they are the same in
every article and every run.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from kg.model import Article, Corpus, EntityType, Relation, RelationType

FIELDS = {
    RelationType.HOLDS_POST: ("person", "org"),
    RelationType.PART_OF: ("child", "parent"),
    RelationType.LOCATED_IN: ("org", "place"),
    RelationType.SUB_ORGANIZATION_OF: ("child", "parent"),
    RelationType.LAUNCHED: ("actor", "initiative"),
}
SCORED_TYPES = (EntityType.PERSON, EntityType.PLACE, EntityType.ORGANIZATION,
                EntityType.INITIATIVE, EntityType.POST)


def entity_id(key: str) -> str:
    return "e" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def to_interchange(corpus: Corpus) -> dict:
    return {"documents": [_document(a) for a in corpus.articles],
            "problems": [str(p) for p in corpus.problems]}


def _document(article: Article) -> dict:
    """Mentioned entities and the facts between them; implied parent bodies (an
    organisation named only inside a longer name) stay in the graph, not here."""
    implied = {e.key for e in article.entities if e.attr("implied")}
    return {"source": Path(article.source).name, "path": article.source, "id": article.id,
            "title": article.title, "date": article.date,
            "entities": [_entity(e) for e in article.entities
                         if e.type in SCORED_TYPES and e.key not in implied],
            "relations": [_relation(article, r) for r in article.relations
                          if r.subject not in implied and r.object not in implied]}


def _entity(e) -> dict:
    out = {"id": entity_id(e.key), "type": str(e.type), "name": e.name, "key": e.key}
    if e.aliases:
        out["aliases"] = list(e.aliases)
    for k in ("level", "category", "division"):
        if e.attr(k):
            out[k] = e.attr(k)
    return out


def _relation(article: Article, r: Relation) -> dict:
    a, b = FIELDS[r.type]
    out = {"type": str(r.type), a: entity_id(r.subject), b: entity_id(r.object)}
    if r.role:
        out["role"], out["title"] = r.role, r.title
    if r.attr("past"):
        out["past"] = True
    start, end = article.source_span(r.start, r.end)
    out["evidence"] = {"sentence": article.sentence_text(r.sentence) if article.sentences else "",
                       "start": start, "end": end}
    return out
