"""Propose Organization mentions.

An organisation name is a place (or a context reference such as 该村, 市, 州)
followed by optional modifier words and an organisation head from the lexicon
(党支部, 组织部, 公安局, 人大代表工作站 ...). A head right after another
organisation forms a sub-organisation (许昌市公安局 + 党委). Party committees
are a place ending in 省/市/州/县/区/旗 plus 委 (许昌市委, 市委). National
bodies (国务院, 公安部, 新华社) come from a lexicon.
Mentions carry ("category", ...), ("ref", "市") for a context prefix to resolve,
and ("parent_span", "start:end") for the organisation they extend. Bodies named
through their context (lists, title chains, branches, quotes, short forms) come
from org_context.py; the name grammar both share is in org_grammar.py.
"""
from __future__ import annotations

from functools import cache

from kg import lexicon
from kg.model import Mention, OrgCategory
from kg.recognise.org_context import (
    charged_branch,
    community_start,
    founded_by_subject,
    listed_after,
    named_again,
    quoted_bodies,
    referenced_branch,
    self_ref,
    short_form_start,
)
from kg.recognise.org_grammar import (
    HEAD_NOT_BEFORE,
    MAX_MODIFIER,
    MODIFIER_STOP,
    cjk,
    heads,
    modifier_ok,
    org_mention,
)
from kg.recognise.scan import WordScanner
from kg.recognise.tokens import TokenIndex

REF_CHARS = set("省市州县区镇乡村")
GENERIC_PLACE_WORDS = {"乡镇", "城镇", "村镇", "集镇", "城市", "农村", "乡村", "城区", "社区", "山区", "全市",
                       "全县", "全区", "全省", "全镇", "全村", "各村", "各镇", "各县", "各区", "各市"}
# Kinds of lower place that make "PLACE + kind + head" a class of bodies: 长治市重点乡镇党委
CLASS_PLACE_WORDS = {"乡镇", "城镇", "村镇", "集镇", "农村", "乡村"}
SKIPPABLE = ("新任", "现任", "时任", "前任")
COMMITTEE_PLACE_ENDINGS = set("省市州县区旗")
NAME_STEM_FLAGS = {"a", "ns", "nz", "nr", "j", "ng", "b", "an"}
CONJUNCTIONS = "和与"
MAX_CONJUNCT = 6  # each side of 和 in 文化旅游和广播电视局
PLAIN_NOUN_FLAGS = {"n", "nz", "vn", "j", "l", "ng", "an"}
QUOTE_PAIRS = {"“": "”", "‘": "’"}
# Verbs of going to or asking a body, after which 市/县/镇… is a reference: 找市热力公司
REF_OPENERS = set("找请赴经据")


@cache
def _nationals() -> WordScanner:
    return WordScanner(lexicon.national_orgs())


def propose_organizations(text: str, places: list[Mention], tokens: TokenIndex) -> list[Mention]:
    place_end = {p.end: p for p in places}
    place_cover = {i for p in places for i in range(p.start, p.end)}
    orgs: list[Mention] = []
    for start, end, name in _nationals().find_all(text):
        if name.endswith("部") and text.startswith("门", end):
            continue  # 农业农村部|门: 部门 is "departments", not the ministry
        orgs.append(org_mention(text, start, end, lexicon.national_orgs()[name], "national"))
    orgs += _committees(text, place_end)
    orgs += _named_bodies(text, tokens, place_cover)
    orgs += quoted_bodies(text, places)
    for h, e, head in _head_hits(text, place_cover):
        m = _body_with_head(text, h, e, head, place_end, orgs, tokens)
        if m is not None:
            orgs.append(m)
    return orgs + named_again(text, orgs, place_end)


def _body_with_head(text, h, e, head, place_end, orgs, tokens: TokenIndex) -> Mention | None:
    """The organisation that ends with the head at h:e, if any: a place or reference before
    it, a township's community body, a self-standing 村两委, or a body listed or named
    through another one."""
    category = lexicon.org_heads()[head]
    if h > 0 and text[h - 1] in QUOTE_PAIRS and text[e:e + 1] == QUOTE_PAIRS[text[h - 1]]:
        start, ref = _left_edge(text, h - 1, place_end, orgs, tokens)  # 村“两委”: a quoted head
        return None if start is None else \
            _link_parent(org_mention(text, start, e + 1, category, "head")
                         .with_attrs(ref=ref or None), orgs)
    start, ref = _left_edge(text, h, place_end, orgs, tokens)
    skipped = _skipped_modifier(text, h, place_end) if start is None else None
    if skipped is not None:  # 鹤溪街道|新任|党工委书记: the body is 鹤溪街道党工委
        place = place_end[skipped]
        return org_mention(text, place.start, e, category, "head") \
            .with_attrs(canonical=place.text + head)
    short = short_form_start(text, h, place_end, tokens) if start is None else None
    if short is not None:  # 洪蓝|米塘民宿 after 洪蓝街道: the township by its short name
        q, place = short
        return org_mention(text, q, e, category, "head").with_attrs(
            canonical=text[q:e], place_span=f"{place.start}:{place.end}")
    community = community_start(text, h, head, tokens) if start is None else None
    if community is not None:
        return org_mention(text, community, e, category, "head").with_attrs(community="1")
    if start is None:
        ref = self_ref(text, h, head, tokens)
        start = h if ref else None
    if start is None:
        return listed_after(text, h, e, head, orgs, place_end) or \
            charged_branch(text, h, e, head, orgs) or referenced_branch(text, h, e, head) or \
            founded_by_subject(text, h, e, head, place_end)
    m = org_mention(text, start, e, category, "head").with_attrs(ref=ref or None)
    return _link_parent(m, orgs)


def _head_hits(text: str, place_cover: set[int]):
    """Heads not starting inside a place (石角村两委 is 石角村 + 两委, not 村两委)."""
    pos = 0
    scanner = heads()
    for at in scanner.starts(text):  # no head starts anywhere else
        if at < pos:
            continue
        w = None if at in place_cover else scanner.match_at(text, at)
        if w and text[at + len(w):at + len(w) + 1] in HEAD_NOT_BEFORE.get(w, "") and \
                text[at + len(w):at + len(w) + 1]:
            w = None
        if w:
            yield at, at + len(w), w
            pos = at + len(w)


def _named_bodies(text: str, tokens: TokenIndex, place_cover: set[int]) -> list[Mention]:
    """Names jieba knows as organisations (nt) that end in an organisation head: 南京农业大学."""
    heads = lexicon.org_heads()
    out = []
    for tok in tokens.tokens:
        if tok.flag != "nt" or len(tok.word) < 4 or tok.start in place_cover and tok.end - 1 in place_cover:
            continue
        head = next((h for h in lexicon.org_head_words() if tok.word.endswith(h)), None)
        if head and len(tok.word) > len(head) + 1:
            out.append(org_mention(text, tok.start, tok.end, heads[head], "named"))
    return out


def _committees(text: str, place_end: dict[int, Mention]) -> list[Mention]:
    """许昌市委, 魏都区委: a county-or-higher place plus 委 (not 委员)."""
    out = []
    for end, place in place_end.items():
        if text[end:end + 1] == "委" and text[end:end + 2] != "委员" and \
                place.text[-1] in COMMITTEE_PLACE_ENDINGS:
            if text.endswith("共青团", 0, place.start):  # 共青团大理州委: the youth league
                out.append(org_mention(text, place.start - 3, end + 1, OrgCategory.SOCIAL_ORGANIZATION,
                                "committee"))
                continue
            out.append(org_mention(text, place.start, end + 1, OrgCategory.PARTY, "committee"))
    for i, ch in enumerate(text[:-1]):  # bare 市委 区委 县委 州委 省委: resolved from context
        if ch in COMMITTEE_PLACE_ENDINGS and text[i + 1] == "委" and text[i + 1:i + 3] != "委员" \
                and (i == 0 or not cjk(text[i - 1]) or text[i - 1] in MODIFIER_STOP) \
                and i not in place_end:
            out.append(org_mention(text, i, i + 2, OrgCategory.PARTY, "committee")
                       .with_attrs(ref=ch))
    return out


def _left_edge(text, h, place_end, orgs, tokens: TokenIndex) -> tuple[int | None, str]:
    """Where the organisation name starts, and a context prefix to resolve if any."""
    for o in reversed(orgs):
        if o.end == h and not o.attr("of_parent"):  # (a branch is named through its parent)
            return o.start, o.attr("ref")  # 州计生协会|党支部 keeps the parent's 州
    if h in place_end:
        return place_end[h].start, ""
    q = h
    while q > 0 and h - q < MAX_MODIFIER and text[q - 1] not in MODIFIER_STOP:
        q -= 1
        if _opened_ref(text, q, h, tokens):
            return q, text[q]  # 找|市|热力|公司: a reference after a verb of going or asking
        if q in place_end:
            if modifier_ok(text, q, h, tokens) and text[h - 2:h] not in CLASS_PLACE_WORDS:
                return place_end[q].start, ""
            break  # (长治市重点乡镇|党委: the committees of a kind of township, not the city's)
        if any(o.end == q for o in orgs) and modifier_ok(text, q, h, tokens):
            return next(o.start for o in orgs if o.end == q), ""
    if q < h - 1 and text[q] in REF_CHARS and modifier_ok(text, q + 1, h, tokens) \
            and (q == 0 or text[q - 1] in MODIFIER_STOP) \
            and text[q:q + 2] not in GENERIC_PLACE_WORDS:
        return q, text[q]  # 州|农作物种子质量监督检测|中心: a reference before modifiers
    conjoined = _conjoined_edge(text, q, h, place_end, orgs, tokens)
    return (conjoined, "") if conjoined is not None else _ref_edge(text, h, tokens)


def _conjoined_edge(text, q, h, place_end, orgs, tokens: TokenIndex) -> int | None:
    """文化旅游|和|广播电视|局, 农业资源|与|环境|研究所: nouns joined by 和/与 inside one
    name, after a place or body; the words before 和 must not end a body of their own
    (许昌市公安局和交通局 names two bodies)."""
    if q < 2 or text[q - 1] not in CONJUNCTIONS or h - q > MAX_CONJUNCT \
            or not modifier_ok(text, q, h, tokens):
        return None
    c = p = q - 1
    while p > 0 and c - p < MAX_CONJUNCT and text[p - 1] not in MODIFIER_STOP:
        p -= 1
        start = place_end[p].start if p in place_end else \
            next((o.start for o in orgs if o.end == p), None)
        if start is not None:
            left = text[p:c]
            ok = left and not heads().ending_at(left, len(left)) and _plain_nouns(p, c, tokens)
            return start if ok else None
    return None


def _plain_nouns(start: int, end: int, tokens: TokenIndex) -> bool:
    """Only common nouns between start and end: no name, post, verb or function word."""
    pos = start
    while pos < end:
        tok = tokens.starting_at(pos) or tokens.covering(pos)
        if tok is None or tok.flag not in PLAIN_NOUN_FLAGS or tok.word in lexicon.posts():
            return False
        pos = tok.end
    return True


def _opened_ref(text: str, q: int, h: int, tokens: TokenIndex) -> bool:
    """A one-character place reference right after a verb that takes a body as its object
    (找市热力公司, 请县农业局, 赴镇卫生院), with the next word starting right after it."""
    if q == 0 or q >= h - 1 or text[q] not in REF_CHARS or text[q - 1] not in REF_OPENERS:
        return False
    nxt = tokens.covering(q + 1)
    return nxt is not None and nxt.start == q + 1 and modifier_ok(text, q + 1, h, tokens)


def _ref_edge(text: str, h: int, tokens: TokenIndex) -> tuple[int | None, str]:
    """该村党支部, 市公安局, 州计生协会, 召集村两委: a one-character place reference.

    The reference character must start a word of its own (not 农村|党支部, 城市|管理局).
    """
    if h >= 2 and text[h - 2] == "该" and text[h - 1] in REF_CHARS:
        return h - 2, text[h - 1]
    if h >= 2 and text[h - 2:h] in GENERIC_PLACE_WORDS:
        return None, ""  # 乡镇党委, 农村党支部: any such body, not one in context
    if h >= 1 and text[h - 1] in REF_CHARS:
        tok = tokens.covering(h - 1)
        if h == 1 or text[h - 2] in MODIFIER_STOP or tok is None or \
                tok.start == h - 1 and not _name_stem_before(h - 1, tokens):
            return h - 1, text[h - 1]
    return None, ""


def _name_stem_before(pos: int, tokens: TokenIndex) -> bool:
    """平安|村|党支部: a noun or adjective right before 村/镇 makes it the end of a place
    name the recognisers missed, not a reference to the village in context."""
    prev = tokens.ending_at(pos)
    return prev is not None and prev.flag in NAME_STEM_FLAGS


def _skipped_modifier(text: str, h: int, place_end: dict[int, Mention]) -> int | None:
    """The end of a place right before 新任/现任/时任/前任 + head, if that is the shape."""
    for word in SKIPPABLE:
        if text.endswith(word, 0, h) and h - len(word) in place_end:
            return h - len(word)
    return None


def _link_parent(m: Mention, orgs: list[Mention]) -> Mention:
    for o in reversed(orgs):
        if o.start == m.start and o.end < m.end and o.end > o.start:
            return m.with_attrs(parent_span=f"{o.start}:{o.end}")
    return m
