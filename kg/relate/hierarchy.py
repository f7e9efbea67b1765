"""part_of (place in place), located_in (organisation in place), sub_organization_of."""
from __future__ import annotations

from kg.model import Article, Relation, RelationType
from kg.resolve import Resolved


def part_of(article: Article, state: Resolved) -> list[Relation]:
    out = []
    for child, (parent, at) in state.place_parent.items():
        start, end = _evidence_span(state, child, at)
        out.append(_rel(article, RelationType.PART_OF, child, parent, start, end))
    return out


def located_in(article: Article, state: Resolved) -> list[Relation]:
    return [_rel(article, RelationType.LOCATED_IN, org, place, *_evidence_span(state, org, -1))
            for org, place in state.org_place.items()]


def sub_organization_of(article: Article, state: Resolved) -> list[Relation]:
    return [_rel(article, RelationType.SUB_ORGANIZATION_OF, org, parent,
                 *_evidence_span(state, org, -1)) for org, parent in state.org_parent.items()]


def _evidence_span(state: Resolved, key: str, at: int) -> tuple[int, int]:
    """The mention that states the fact: the one at `at` if given, else the first."""
    spans = sorted(state.entities[key]["spans"])
    for s, e in spans:
        if s == at:
            return s, e
    return spans[0]


def _rel(article: Article, rtype: RelationType, subj: str, obj: str, start: int, end: int) -> Relation:
    return Relation(rtype, subj, obj, article.sentence_at(start), start, end)

