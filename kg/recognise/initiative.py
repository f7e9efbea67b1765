"""Propose Initiative mentions: quoted names with a cue word around them.

《X》 names a policy document (unless X is a newspaper or a book-like title).
“X” (or ‘X’ nested in a quote) names an initiative when a cue stands right
after the closing quote (“五方联动”工作机制, “一次考核”) or shortly before the
opening quote (推行“共享物业”). Speech, slogans (with ， or 。 inside) and long
quotes are not initiatives. The mention spans the name without its quotes.
"""
from __future__ import annotations

import re
from functools import cache

from kg import lexicon
from kg.model import EntityType, InitiativeCategory, Mention
from kg.recognise.scan import WordScanner

QUOTED = re.compile(r"“([^“”]{2,30})”|‘([^‘’]{2,30})’|《([^《》]{2,40})》")
CLAUSE_MARKS = set("，。！？；：…")
SPEECH_AFTER = ("说", "介绍", "表示", "坦言", "认为", "告诉")
MEDIA_ENDINGS = ("报", "日报", "杂志", "网", "周刊", "晚报")
CUE_WINDOW = 6


@cache
def _after_cues() -> WordScanner:
    return WordScanner(w for w, (_, side) in lexicon.initiative_cues().items() if side == "after")


@cache
def _before_cues() -> tuple[str, ...]:
    cues = lexicon.initiative_cues()
    return tuple(sorted((w for w, (_, side) in cues.items() if side == "before"), key=len, reverse=True))


def _inner_category(name: str) -> InitiativeCategory | None:
    """A name that says what it is: “党群议事亭”, “五星党支部创建”."""
    for cue, (category, side) in lexicon.initiative_cues().items():
        if side == "inner" and name.endswith(cue) and len(name) > len(cue):
            return InitiativeCategory(category)
    return None


def propose_initiatives(text: str) -> list[Mention]:
    """Quoted names with cues; a quote holding a nested quote yields the inner name only."""
    out = []
    for m in QUOTED.finditer(text):
        group = next(i for i in (1, 2, 3) if m.group(i) is not None)
        name, start, end = m.group(group), m.start(group), m.end(group)
        if "‘" in name or "“" in name:
            continue
        category = _category(text, name, m.start(), m.end(), book=group == 3)
        if category is not None:
            out.append(Mention(start, end, name, EntityType.INITIATIVE, "quoted",
                               (("category", str(category)),)))
    return out


def _category(text: str, name: str, q_start: int, q_end: int, *, book: bool) -> InitiativeCategory | None:
    if book:
        if name.endswith(MEDIA_ENDINGS):
            return None
        return InitiativeCategory.POLICY_DOCUMENT
    if any(c in CLAUSE_MARKS for c in name) or text.startswith(SPEECH_AFTER, q_end):
        return None
    if name.count("、") >= 2:  # 强技术、稳生产、促保供: a slogan of three or more parts
        return None
    inner = _inner_category(name)
    if inner:
        return inner
    cue = _after_cues().match_at(text, q_end)
    if cue:
        return InitiativeCategory(lexicon.initiative_cues()[cue][0])
    window = text[max(0, q_start - CUE_WINDOW):q_start]
    for cue in _before_cues():
        if cue in window and not any(c in CLAUSE_MARKS for c in window[window.rfind(cue):]):
            return InitiativeCategory(lexicon.initiative_cues()[cue][0])
    return None
