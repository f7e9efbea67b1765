"""launched: an organisation, place or person launched or runs an initiative.

The actor is the subject of the clause that names the initiative: the first
organisation, place or person mention of that sentence before the initiative.
A place chain (湖州市吴兴区) acts through its most specific place; an
organisation wins over the place inside its name (许昌市委, not 许昌市).
"""
from __future__ import annotations

from kg.model import Article, EntityType, Mention, Relation, RelationType
from kg.resolve import Resolved

ACTORS = (EntityType.ORGANIZATION, EntityType.PLACE, EntityType.PERSON)


def launched(article: Article, state: Resolved) -> list[Relation]:
    out = []
    for ini in (m for m in article.mentions if m.label is EntityType.INITIATIVE):
        ikey = state.key(ini)
        actor = _subject(article, ini)
        akey = state.key(actor) if actor else None
        if ikey and akey:
            out.append(Relation(RelationType.LAUNCHED, akey, ikey, article.sentence_at(ini.start),
                                actor.start, ini.end + 1))
    return out


def _subject(article: Article, ini: Mention) -> Mention | None:
    sent = article.sentences[article.sentence_at(ini.start)] if article.sentences else None
    lo = sent.start if sent else 0
    if article.dateline and article.text.find(article.dateline, lo, ini.start) != -1:
        lo = _after_dateline(article, lo)  # 本报南昌…电（记者…）: the place of filing is no actor
    cands = [m for m in article.mentions if m.label in ACTORS and lo <= m.start and m.end <= ini.start - 1]
    if not cands:
        return None
    first = min(cands, key=lambda m: (m.start, -m.end))
    outer = [m for m in cands if m.start == first.start]
    best = max(outer, key=lambda m: (m.end, m.label is EntityType.ORGANIZATION))
    if best.label is EntityType.PLACE:  # walk the chain: 湖州市吴兴区 -> 吴兴区
        ends = {m.start: m for m in cands if m.label is EntityType.PLACE}
        while best.end in ends:
            best = ends[best.end]
    return best


def _after_dateline(article: Article, lo: int) -> int:
    at = article.text.find(article.dateline, lo) + len(article.dateline)
    close = article.text.find("）", at, at + 20)
    return close + 1 if close != -1 else at
