"""Identity across articles and files: one node per real person.

Places and organisations already carry keys that are global (gazetteer ids,
names plus parent place). A person is keyed per article during resolution;
here all mentions of one name become one person, unless their anchors (the
places where they hold posts) disagree: then each anchor is its own person
and an unanchored mention joins the first anchor in sorted order.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kg.model import Article, Entity, EntityType, RelationType


@dataclass(frozen=True)
class PersonSummary:
    """What the corpus-level stages read from one article before its record is made:
    a few hundred bytes instead of the article (sentences, mentions, offset maps), so
    a build keeps one per article in memory and a rebuild loads no unchanged article."""

    id: str
    source: str
    located_in: tuple[tuple[str, str], ...]  # (subject, object) of each locatedIn, in order
    holds_post: tuple[tuple[str, str], ...]  # (person, where) of each holdsPost, in order
    persons: tuple[tuple[str, str], ...]  # (key, name) of each person entity, in order
    keys: frozenset[str]  # every entity key and relation end (for the record's key)


def summarise(article: Article) -> PersonSummary:
    rels = article.relations
    return PersonSummary(
        article.id, article.source,
        tuple((r.subject, r.object) for r in rels if r.type is RelationType.LOCATED_IN),
        tuple((r.subject, r.object) for r in rels if r.type is RelationType.HOLDS_POST),
        tuple((e.key, e.name) for e in article.entities if e.type is EntityType.PERSON),
        frozenset({e.key for e in article.entities}
                  | {k for r in rels for k in (r.subject, r.object)}))


def resolve_corpus(articles: list[Article]) -> list[Article]:
    mapping = person_mapping(articles)
    return [_rekey(a, mapping) for a in articles]


def person_mapping(articles: Sequence[Article]) -> dict[str, str]:
    """Each person key of the articles -> its corpus-wide key."""
    return mapping_from_summaries([summarise(a) for a in articles])


def mapping_from_summaries(summaries: Sequence[PersonSummary]) -> dict[str, str]:
    """`person_mapping` of the articles these summaries were made from."""
    org_place = {s: o for a in summaries for s, o in a.located_in}
    anchors: dict[str, str] = {}
    for a in summaries:
        for subject, obj in a.holds_post:
            if subject not in anchors:
                anchors[subject] = org_place.get(obj, obj if obj.startswith("Place|") else "")
    by_name: dict[str, set[str]] = defaultdict(set)
    for a in summaries:
        for key, name in a.persons:
            by_name[name].add(anchors.get(key, ""))
    mapping = {}
    for a in summaries:
        for key, name in a.persons:
            mapping[key] = _person_key(name, anchors.get(key, ""), by_name[name])
    return mapping


def identity_signature(keys: frozenset[str] | set[str], mapping: dict[str, str]) -> str:
    """What corpus identity changes in an article with these keys: the keys `mapping`
    renames (and whether the mapping is empty, in which case nothing is re-sorted)."""
    renamed = sorted((k, mapping[k]) for k in keys if k in mapping)
    return repr((bool(mapping), renamed))


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
