"""Identity across articles and files: one node per real person.

Places and organisations already carry keys that are global (gazetteer ids,
names plus parent place). A person is keyed per article during resolution;
here all mentions of one name become one person, unless their anchors (the
places where they hold posts) disagree: then each anchor is its own person
and an unanchored mention joins the first anchor in sorted order.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from kg.model import Article, Entity, EntityType, RelationType


def resolve_corpus(articles: list[Article]) -> list[Article]:
    mapping = person_mapping(articles)
    return [_rekey(a, mapping) for a in articles]


def person_mapping(articles: list[Article]) -> dict[str, str]:
    """Each person key of the articles -> its corpus-wide key."""
    org_place = {r.subject: r.object for a in articles for r in a.relations
                 if r.type is RelationType.LOCATED_IN}
    anchors: dict[str, str] = {}
    for a in articles:
        for r in a.relations:
            if r.type is RelationType.HOLDS_POST and r.subject not in anchors:
                anchors[r.subject] = org_place.get(r.object, r.object if r.object.startswith("Place|") else "")
    by_name: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        for e in a.entities:
            if e.type is EntityType.PERSON:
                by_name[e.name].add(anchors.get(e.key, ""))
    mapping = {}
    for a in articles:
        for e in a.entities:
            if e.type is EntityType.PERSON:
                mapping[e.key] = _person_key(e.name, anchors.get(e.key, ""), by_name[e.name])
    return mapping


def _person_key(name: str, anchor: str, all_anchors: set[str]) -> str:
    distinct = sorted(x for x in all_anchors if x)
    if len(distinct) <= 1:
        return f"Person|{name}"
    return f"Person|{name}@{anchor or distinct[0]}"


def _rekey(article: Article, mapping: dict[str, str]) -> Article:
    if not mapping:
        return article
    ents = tuple(replace(e, key=mapping.get(e.key, e.key)) for e in article.entities)
    rels = tuple(replace(r, subject=mapping.get(r.subject, r.subject),
                         object=mapping.get(r.object, r.object)) for r in article.relations)
    return replace(article, entities=_merge(ents), relations=rels)


def _merge(entities: tuple[Entity, ...]) -> tuple[Entity, ...]:
    merged: dict[str, Entity] = {}
    for e in entities:
        if e.key in merged:
            m = merged[e.key]
            e = replace(m, aliases=tuple(sorted(set(m.aliases) | set(e.aliases))),
                        spans=tuple(sorted(set(m.spans) | set(e.spans))))
        merged[e.key] = e
    return tuple(sorted(merged.values(), key=lambda e: e.key))
