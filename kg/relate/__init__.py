"""Relate: candidate pairs, then one decider per relation type.

Each decider module reads the article's mentions and the resolution state and
returns relations with evidence (sentence index and the span of text that
states the fact). New relation rules go into the module of their type.
"""
from __future__ import annotations

from dataclasses import replace

from kg.model import Article, Relation
from kg.relate.hierarchy import located_in, part_of, sub_organization_of
from kg.relate.holds_post import holds_post
from kg.relate.launched import launched
from kg.resolve import Resolved


def relate(article: Article, state: Resolved) -> Article:
    rels: list[Relation] = []
    for decider in (holds_post, part_of, located_in, sub_organization_of, launched):
        rels += decider(article, state)
    unique = {(r.type, r.subject, r.object, r.role): r for r in sorted(rels, key=_order)}
    return replace(article, relations=tuple(sorted(unique.values(), key=_order)))


def _order(r: Relation):
    return (r.start, r.end, r.type, r.subject, r.object, r.role)
