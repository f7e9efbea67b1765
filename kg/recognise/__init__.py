"""Recognise: propose mentions of every kind, then decide among overlaps.

Proposers run in a fixed order because later ones read earlier results:
places (gazetteer, then suffix grammar, then regions) -> organisations (which
start at a place) -> posts (outside organisation names) -> persons (next to
posts and cues) -> initiatives (quoted names with cues). A new rule goes into
the proposer module of its kind; `overlaps.decide` is the one place that picks.
"""
from __future__ import annotations

from dataclasses import replace

from kg.gazetteer import Gazetteer, load_gazetteer
from kg.model import Article, Mention
from kg.recognise.initiative import propose_initiatives
from kg.recognise.organization import propose_organizations
from kg.recognise.overlaps import decide
from kg.recognise.person import propose_persons, propose_posts, propose_titles
from kg.recognise.person_model import propose_learned_persons
from kg.recognise.reference import propose_references
from kg.recognise.place import propose_by_suffix, propose_divisions, propose_listed, propose_regions
from kg.recognise.tokens import TokenIndex, tokenize


def recognise(article: Article, *, gazetteer: Gazetteer | None = None) -> Article:
    gaz = gazetteer or load_gazetteer()
    text = article.text
    tokens = TokenIndex(tokenize(text))
    places = decide(propose_divisions(text, gaz, tokens) + propose_regions(text))
    places = decide(places + propose_by_suffix(text, gaz, tokens, places) + propose_listed(text, tokens))
    orgs = decide(propose_organizations(text, places, tokens))
    covered = _cover(places + orgs)
    posts = decide(propose_posts(text, covered, places + orgs, tokens))
    blocked = covered | _cover(posts)
    persons = propose_persons(text, posts, article.byline, blocked, tokens)
    persons = decide(persons + propose_learned_persons(text, tokens, blocked, persons, posts))
    posts = decide(posts + propose_titles(text, persons, blocked, tokens))
    initiatives = decide(propose_initiatives(text, tokens))
    refs = [r for r in propose_references(text) if not _cover([r]) & _cover(places + persons)]
    mentions = places + orgs + posts + persons + initiatives + refs
    return replace(article, mentions=tuple(sorted(mentions, key=_order)))


def _cover(mentions: list[Mention]) -> set[int]:
    return {i for m in mentions for i in range(m.start, m.end)}


def _order(m: Mention):
    return (m.start, -m.end, m.label, m.text)
