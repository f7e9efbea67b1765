"""Identity across articles and files: one node per real person.

Places and organisations already carry keys that are global (gazetteer ids,
names plus parent place). A person is keyed per article during resolution;
here all mentions of one name become one person, unless their anchors (the
places where they hold posts) disagree: then each anchor is its own person
and an unanchored mention joins the first anchor in sorted order.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from kg.model import Article, Entity, EntityType, RelationType


@dataclass(frozen=True)
class PersonSummary:
    """What the corpus-level stages read from one article before its record is made:
    a few hundred bytes instead of the article (sentences, mentions, offset maps), so
    a build keeps one per article in memory and a rebuild loads no unchanged article.

    Made to load fast, as a rebuild loads one per article (`kg.incremental`): pairs
    are kept flat (subject, object, subject, object, ...), since 300k small tuples
    cost the cyclic garbage collector more than the rest of the load; `keys` is a
    sorted tuple, which unpickles cheaper than a set and pickles the same every time;
    every string is interned, so a pickle of many summaries stores each key once."""

    id: str
    source: str
    located_in: tuple[str, ...]  # subject, object of each locatedIn, in order, flat
    holds_post: tuple[str, ...]  # person, where of each holdsPost, in order, flat
    persons: tuple[str, ...]  # key, name of each person entity, in order, flat
    keys: tuple[str, ...]  # every entity key and relation end, sorted, once (the record's key)


def summarise(article: Article) -> PersonSummary:
    rels = article.relations
    return PersonSummary(
        _shared(article.id), _shared(article.source),
        tuple(_shared(x) for r in rels if r.type is RelationType.LOCATED_IN
              for x in (r.subject, r.object)),
        tuple(_shared(x) for r in rels if r.type is RelationType.HOLDS_POST
              for x in (r.subject, r.object)),
        tuple(_shared(x) for e in article.entities if e.type is EntityType.PERSON
              for x in (e.key, e.name)),
        tuple(sorted({_shared(e.key) for e in article.entities}
                     | {_shared(k) for r in rels for k in (r.subject, r.object)})))


def pairs(flat: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(a, b), (c, d), ... of a flat a, b, c, d, ... (the pairs of a PersonSummary)."""
    it = iter(flat)
    return zip(it, it)


def _shared(text: str) -> str:
    """The one interned string equal to `text` (a copy first if it is a str subclass)."""
    return sys.intern(text if type(text) is str else str.__str__(text))


def resolve_corpus(articles: list[Article]) -> list[Article]:
    mapping = person_mapping(articles)
    return [_rekey(a, mapping) for a in articles]


def person_mapping(articles: Sequence[Article]) -> dict[str, str]:
    """Each person key of the articles -> its corpus-wide key."""
    return mapping_from_summaries([summarise(a) for a in articles])


def mapping_from_summaries(summaries: Sequence[PersonSummary]) -> dict[str, str]:
    """`person_mapping` of the articles these summaries were made from: each person key
    -> `_person_key` of its name, its anchor and the anchors of all keys of that name,
    with the work done once per name, not per key (176k keys, 4,600 names in 10,000
    articles)."""
    org_place: dict[str, str] = {}
    first_post: dict[str, str] = {}  # person key -> where its first holdsPost is
    persons: list[str] = []  # key, name of each person, flat
    for a in summaries:
        org_place.update(pairs(a.located_in))
        for subject, obj in pairs(a.holds_post):
            if subject not in first_post:
                first_post[subject] = obj
        persons.extend(a.persons)
    anchors = {subject: org_place.get(obj, obj if obj.startswith("Place|") else "")
               for subject, obj in first_post.items()}
    places: dict[str, set[str]] = defaultdict(set)  # name -> its keys' non-empty anchors
    for key, name in pairs(persons):
        if anchor := anchors.get(key):
            places[name].add(anchor)
    # a name anchored in two places or more: each key gets its anchor, or the first one
    first = {name: min(found) for name, found in places.items() if len(found) > 1}
    # every other name is one person: its key is made once ("" for the names above)
    plain = {name: "" if name in first else f"Person|{name}" for name in set(persons[1::2])}
    return {key: plain[name] or f"Person|{name}@{anchors.get(key) or first[name]}"
            for key, name in pairs(persons)}


def identity_signature(keys: Iterable[str], mapping: dict[str, str]) -> str:
    """What corpus identity changes in an article with these (distinct) keys: the keys
    `mapping` renames (and whether the mapping is empty, in which case nothing is
    re-sorted)."""
    renamed = [(k, mapping[k]) for k in sorted(mapping.keys() & keys)]
    return repr((bool(mapping), renamed))


def _person_key(name: str, anchor: str, all_anchors: set[str]) -> str:
    """The rule, for one key: its name, its anchor, the anchors of all keys of the name
    ("" for none). `mapping_from_summaries` applies it once per name."""
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
