"""launched: an organisation, place or person launched or runs an initiative.

The actor is, in order:
- the body written as the initiative's owner or issuer: 该县组织部的|党建绩效离任评审,
  平顺县委组织部出台的|《…意见》;
- nobody, when the clause says its subject takes part in the initiative (参加“村书记论坛”);
- the subject of the clause that names the initiative: the first organisation, place or
  person mention of that sentence before the initiative, or, when a speaker introduces
  the clause (张金祥介绍，该镇…), the first one after the speech verb; else the subject of
  an earlier sentence of the paragraph; else the place the headline opens with.
A place chain (湖州市吴兴区) acts through its most specific place; an organisation wins
over the place inside its name (许昌市委, not 许昌市), and a branch written right after a
body (中心|党支部) over the body. An unresolved subject (市委 in an article naming no city) gives nothing.
"""
from __future__ import annotations

from functools import cache

from kg import lexicon
from kg.model import Article, EntityType, Mention, Relation, RelationType
from kg.resolve import Resolved

SPEECH = ("说", "介绍", "表示", "坦言", "认为", "告诉", "谈到", "指出")
SPEECH_END = ("，", "：", ":")
# The subject of these takes part in a programme someone else runs.
PARTICIPATION = ("参加", "参与", "参观", "接受", "出席", "观摩")
ACTORS = (EntityType.ORGANIZATION, EntityType.PLACE, EntityType.PERSON)


def launched(article: Article, state: Resolved) -> list[Relation]:
    out = []
    actors = [m for m in article.mentions if m.label in ACTORS]
    for ini in (m for m in article.mentions if m.label is EntityType.INITIATIVE):
        ikey = state.key(ini)
        for actor in _actors(article, actors, ini) if ikey else []:
            akey = state.key(actor)  # an unresolved subject (市委 with no city) blocks the clause
            if akey:
                out.append(Relation(RelationType.LAUNCHED, akey, ikey,
                                    article.sentence_at(ini.start), actor.start, ini.end + 1))
    return out


def _actors(article: Article, actors: list[Mention], ini: Mention) -> list[Mention]:
    """The owner, else the subject of the initiative's sentence (or of the nearest earlier
    sentence of the same paragraph); a coordinated subject (中共中央、国务院) gives every actor."""
    owner = _owner(article, actors, ini)
    if owner is not None:
        return [owner]
    if _taking_part(article.text, ini.start):
        return []
    index = article.sentence_at(ini.start)
    first = _subject(article, actors, ini)
    # a name mentioned again, or a nationwide education campaign (党史学习教育), says who
    # runs it only in its own sentence
    local = ini.source not in ("again", "campaign")
    while first is None and local and index > 0 and article.sentences and \
            article.sentences[index - 1].paragraph == article.sentences[index].paragraph:
        index -= 1
        first = _subject(article, actors, ini, article.sentences[index].end)
    if first is None and local:
        first = _headline_place(article, actors)
    if first is None:
        return []
    found = [first]
    while True:
        nxt = _coordinated(article, actors, found[-1])
        if nxt is None:
            return found
        found.append(nxt)


def _headline_place(article: Article, actors: list[Mention]) -> Mention | None:
    """黑龙江牡丹江市优化营商环境…: when a programme's paragraph names no actor, the place
    the headline opens with (its most specific link) runs it."""
    if not article.title or not article.sentences or \
            article.sentence_text(0).lstrip("# ") != article.title:
        return None
    sent = article.sentences[0]
    places = sorted((m for m in actors if m.label is EntityType.PLACE
                     and sent.start <= m.start < sent.end and m.attr("level") != "other"),
                    key=lambda m: (m.start, -m.end))
    if not places or article.text[sent.start:places[0].start].strip("# "):
        return None
    best = places[0]
    for p in places[1:]:
        if p.start == best.end:
            best = p
    return best


def _owner(article: Article, actors: list[Mention], ini: Mention) -> Mention | None:
    """该县组织部的“X”, 平顺县委组织部出台的《X》: an organisation written as the owner (or
    the one that issued or runs it) right before the initiative."""
    text = article.text
    pos = ini.start - (1 if text[ini.start - 1:ini.start] in "“‘《" and ini.start > 0 else 0)
    if not text.endswith("的", 0, pos):
        return None
    pos -= 1
    verb = next((v for v in _launch_verbs() if text.endswith(v, 0, pos)), "")
    owners = [m for m in actors if m.end == pos - len(verb) and m.label is EntityType.ORGANIZATION]
    return max(owners, key=lambda m: m.end - m.start) if owners else None


@cache
def _launch_verbs() -> tuple[str, ...]:
    return tuple(sorted(lexicon.initiative_cues("before"), key=len, reverse=True))


def _taking_part(text: str, start: int) -> bool:
    """张志豪每次参加“村书记论坛”: a participation verb (and 了/过) right before the name."""
    pos = start - (1 if text[start - 1:start] in "“‘《" and start > 0 else 0)
    if text.endswith(("了", "过"), 0, pos):
        pos -= 1
    return text.endswith(PARTICIPATION, 0, pos)


def _coordinated(article: Article, actors: list[Mention], actor: Mention) -> Mention | None:
    text = article.text
    if text[actor.end:actor.end + 1] not in ("、", "和", "与"):
        return None
    for m in actors:
        if m.start == actor.end + 1 and m.label is actor.label and m.attr("level") != "other":
            return m
    return None


def _subject(article: Article, actors: list[Mention], ini: Mention, before: int | None = None
             ) -> Mention | None:
    """The first actor mention of the sentence that holds `before` (default: the initiative)."""
    at = ini.start if before is None else before - 1
    sent = article.sentences[article.sentence_at(at)] if article.sentences else None
    lo = sent.start if sent else 0
    hi = ini.start - 1 if before is None else before
    if article.dateline and article.text.find(article.dateline, lo, hi) != -1:
        lo = _after_dateline(article, lo)  # 本报南昌…电（记者…）: the place of filing is no actor
    cands = [m for m in actors if lo <= m.start and m.end <= hi
             and m.attr("level") != "other"]  # a landmark launches nothing
    reported = _after_speech(article.text, cands)
    if reported is not None:
        cands = [m for m in cands if m.start >= reported]
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
    branch = longest.get(best.end)
    if best.label is EntityType.ORGANIZATION and branch is not None and \
            branch.attr("parent_span") == f"{best.start}:{best.end}":
        best = branch  # 中心|党支部以…为目标: the branch, not the body it belongs to
    return _titled_person(article, best, cands) or best


def _after_speech(text: str, cands: list[Mention]) -> int | None:
    """张金祥介绍，该镇…: where the clause a speaker reports begins, if a person mention is
    followed by a speech verb and a comma and some actor follows it."""
    for m in sorted(cands, key=lambda m: m.start, reverse=True):
        if m.label is not EntityType.PERSON:
            continue
        verb = next((v for v in SPEECH if text.startswith(v, m.end)), None)
        if verb and text.startswith(SPEECH_END, m.end + len(verb)):
            start = m.end + len(verb) + 1
            if any(c.start >= start for c in cands):
                return start
    return None


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
