"""launched: an organisation, place or person launched or runs an initiative.

The actor is the subject of the clause that names the initiative: the first
organisation, place or person mention of that sentence before the initiative.
A place chain (湖州市吴兴区) acts through its most specific place; an
organisation wins over the place inside its name (许昌市委, not 许昌市).
"""
from __future__ import annotations

from kg.model import Article, EntityType, Mention, Relation, RelationType
from kg.resolve import Resolved

SPEECH = ("说", "介绍", "表示", "坦言", "认为", "告诉", "谈到", "指出")
ACTORS = (EntityType.ORGANIZATION, EntityType.PLACE, EntityType.PERSON)


def launched(article: Article, state: Resolved) -> list[Relation]:
    out = []
    for ini in (m for m in article.mentions if m.label is EntityType.INITIATIVE):
        ikey = state.key(ini)
        for actor in _actors(article, ini):
            akey = state.key(actor)
            if ikey and akey:
                out.append(Relation(RelationType.LAUNCHED, akey, ikey,
                                    article.sentence_at(ini.start), actor.start, ini.end + 1))
    return out


def _actors(article: Article, ini: Mention) -> list[Mention]:
    """The subject of the initiative's sentence, or of the nearest earlier sentence of the
    same paragraph; a coordinated subject (中共中央、国务院) gives every actor."""
    index = article.sentence_at(ini.start)
    first = _subject(article, ini)
    while first is None and index > 0 and article.sentences and \
            article.sentences[index - 1].paragraph == article.sentences[index].paragraph:
        index -= 1
        first = _subject(article, ini, article.sentences[index].end)
    if first is None:
        return []
    actors = [first]
    while True:
        nxt = _coordinated(article, actors[-1])
        if nxt is None:
            return actors
        actors.append(nxt)


def _coordinated(article: Article, actor: Mention) -> Mention | None:
    text = article.text
    if text[actor.end:actor.end + 1] not in ("、", "和", "与"):
        return None
    for m in article.mentions:
        if m.start == actor.end + 1 and m.label is actor.label and m.attr("level") != "other":
            return m
    return None


def _subject(article: Article, ini: Mention, before: int | None = None) -> Mention | None:
    """The first actor mention of the sentence that holds `before` (default: the initiative)."""
    at = ini.start if before is None else before - 1
    sent = article.sentences[article.sentence_at(at)] if article.sentences else None
    lo = sent.start if sent else 0
    hi = ini.start - 1 if before is None else before
    if article.dateline and article.text.find(article.dateline, lo, hi) != -1:
        lo = _after_dateline(article, lo)  # 本报南昌…电（记者…）: the place of filing is no actor
    cands = [m for m in article.mentions if m.label in ACTORS and lo <= m.start and m.end <= hi
             and m.attr("level") != "other"]  # a landmark launches nothing
    if not cands:
        return None
    first = min(cands, key=lambda m: (m.start, -m.end))
    outer = [m for m in cands if m.start == first.start]
    best = max(outer, key=lambda m: (m.end, m.label is EntityType.ORGANIZATION))
    longest: dict[int, Mention] = {}
    for m in sorted(cands, key=lambda m: (m.start, m.end, m.label is EntityType.ORGANIZATION)):
        longest[m.start] = m
    # walk the chain: 湖州市吴兴区 -> 吴兴区; 河南省许昌市委… -> the body that starts at 许昌市
    while best.label is EntityType.PLACE and best.end in longest:
        best = longest[best.end]
    return _titled_person(article, best, cands) or best


def _titled_person(article: Article, body: Mention, cands: list[Mention]) -> Mention | None:
    """许昌市委政策研究室主任李密…: the subject is the person the title introduces."""
    pos = body.end
    for m in sorted(article.mentions, key=lambda m: m.start):
        if m.start == pos and m.label is EntityType.POST:
            pos = m.end
        elif m.start == pos and m.label is EntityType.PERSON and pos > body.end:
            speaking = article.text.startswith(SPEECH, m.end)
            return None if speaking else m  # …组织委员张金祥介绍: reports, does not launch
    return None


def _after_dateline(article: Article, lo: int) -> int:
    at = article.text.find(article.dateline, lo) + len(article.dateline)
    close = article.text.find("）", at, at + 20)
    return close + 1 if close != -1 else at
