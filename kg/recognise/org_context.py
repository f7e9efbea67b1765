"""Organisations named through their context rather than by a place and a head alone.

- lists and title chains: 罗泾镇社会事务办（老龄办）、司法所 shares its place prefix;
  长治市委常委、组织部部长 names 长治市委组织部; …公司总经理、党委书记 the company's branch;
  a residents' committee listed after a township body is the community's (张庙街道信访办、居委会);
- branches named through their body: 许昌市公安局分管交警的党委, 该中心党支部, 。中心党支部;
- bodies a place founds or builds, named by their head alone (石角村两委…建设党群服务中心);
- short forms: 洪蓝米塘民宿 after 洪蓝街道; 社区学校 in a township whose 社区 body was named;
- quoted names: “洪蓝蓝图”志愿服务队, 社会组织“社邻家”, 成立“有机硅产业人才专班”;
- a body named with its place is found again where its name is written without it.
"""
from __future__ import annotations

import re

from kg import lexicon
from kg.model import Mention, OrgCategory
from kg.recognise.org_grammar import (
    HEAD_NOT_BEFORE,
    MAX_MODIFIER,
    MODIFIER_STOP,
    charge_phrase_start,
    cjk,
    heads,
    modifier_ok,
    org_mention,
    subject_place,
)
from kg.recognise.reference import org_reference_ending
from kg.recognise.tokens import TokenIndex

SELF_REF_HEADS = {"村两委", "村委会", "村民委员会"}
# residents' and villagers' committees -> the reference that finds their place in context
RESIDENTS_COMMITTEES = {"居委会": "居", "居民委员会": "居", "村委会": "村", "村民委员会": "村"}
LOCAL_LEVELS = {"village", "community", "residential"}
KINDS_LIST = re.compile(r"(?:、[\u4e00-\u9fff]{1,8})*等([\u4e00-\u9fff]{1,6})")
COLLECTIVES = ("资源", "单位", "场所", "部门", "机构", "组织", "设施", "阵地", "力量", "主体")
QUOTED_NAME = re.compile(r"“([^“”，。；：！？、]{2,16})”")
# Class nouns that say the quoted name after them is a body: 社会组织“社邻家”
# (not 公司/企业: 保险公司“揭竿而起”, 该公司“张经理” quote what the company says or calls)
ORG_CLASS_CATEGORY = {w: OrgCategory.SOCIAL_ORGANIZATION for w in ("社会组织", "志愿组织", "公益组织", "社团")}
ORG_CLASSES = tuple(ORG_CLASS_CATEGORY)
GRADE_NUMERALS = set("一二三四五六七八九十百千万两")  # “五星”党支部, “十佳”合作社: a grade, no name
BUILDING_VERBS = ("成立", "组建", "设立", "建设", "建成", "建立", "新建")
FOUNDING_VERBS = ("成立", "组建", "设立", "成立了", "组建了", "设立了")
SHORT_FORM_LEVELS = {"township", "county"}
SHORT_FORM_SUFFIXES = ("街道", "镇", "乡", "县", "区")
MIN_TAIL = 5  # a body's name without its place, found again: long enough to be a name
COMMUNITY = "社区"
DETERMINERS = set("各每全本该这那其此某多")


def named_again(text: str, orgs: list[Mention], place_end: dict[int, Mention]) -> list[Mention]:
    """A body named with its place (东营经济技术开发区|稀土汽车催化产业链党委) is the same body
    where a later sentence writes its name without the place."""
    places = {p.start: p for p in place_end.values()}
    taken = {(o.start, o.end) for o in orgs}
    out = []
    for o in orgs:
        place = places.get(o.start)
        if place is None or o.attr("canonical") or text[place.end:place.end + 1] == place.text[-1]:
            continue  # (史回镇|镇党委 is named 史回镇党委: such names are left to resolve.py)
        tail = text[place.end:o.end]
        if len(tail) < MIN_TAIL or tail in lexicon.org_heads() or not heads().ending_at(tail, len(tail)):
            continue
        at = text.find(tail, o.end)
        while at != -1:
            opens = text[at - 1] in MODIFIER_STOP or not cjk(text[at - 1])
            if (at, at + len(tail)) not in taken and opens:
                out.append(org_mention(text, at, at + len(tail), o.attr("category"), "again")
                           .with_attrs(canonical=o.text, place_span=f"{place.start}:{place.end}"))
                taken.add((at, at + len(tail)))
            at = text.find(tail, at + 1)
    return out


def quoted_bodies(text: str, places: list[Mention]) -> list[Mention]:
    """Bodies named in quotes: “洪蓝蓝图”志愿服务队 (a head right after the quote), 社会组织“社邻家”
    (a class noun right before it), 成立“有机硅产业人才专班” (a founding verb before a quoted
    name that ends with a head). The body sits in the place that is the sentence's subject."""
    out = []
    for m in QUOTED_NAME.finditer(text):
        name, start, end = m.group(1), m.start(1), m.end(1)
        cue = quoted_body_cue(text, m.start(), m.end(), name)
        if cue is None:
            continue
        head, category = cue
        if head:  # “洪蓝蓝图”志愿服务队: the name runs on through the head
            body = org_mention(text, start, m.end() + len(head), category, "quoted") \
                .with_attrs(canonical=name + head)
        else:
            body = org_mention(text, start, end, category, "quoted")
        place = subject_place(text, m.start(), places)
        if place is not None:
            body = body.with_attrs(canonical=body.attr("canonical") or name,
                                   place_span=f"{place.start}:{place.end}")
        out.append(body)
    return out


def quoted_body_cue(text: str, q_start: int, q_end: int, name: str) -> tuple[str, str] | None:
    """(head after the quote or "", category) when the quote at q_start:q_end names a body."""
    head = heads().match_at(text, q_end) or ""
    after = text[q_end + len(head):q_end + len(head) + 1]
    blocked = bool(after) and after in HEAD_NOT_BEFORE.get(head, "")
    if head and not blocked and name[0] not in GRADE_NUMERALS \
            and not _campaign_after(text, q_end + len(head)):
        return head, lexicon.org_heads()[head]
    cls = next((c for c in ORG_CLASSES if text.endswith(c, 0, q_start)), None)
    if cls:
        return "", ORG_CLASS_CATEGORY[cls]
    inner = heads().ending_at(name, len(name))
    if inner and text.endswith(FOUNDING_VERBS, 0, q_start):
        return "", lexicon.org_heads()[inner]
    return None


def _campaign_after(text: str, pos: int) -> bool:
    """“五星”党支部|创建: a programme word after the head makes the whole a campaign."""
    return any(text.startswith(cue, pos) for cue in lexicon.initiative_cues("after"))


def listed_after(text, h, e, head, orgs, place_end) -> Mention | None:
    """罗泾镇社会事务办（老龄办）、司法所: a body listed after one with a place prefix
    shares that prefix."""
    q = h - 1
    if q < 0 or text[q] != "、":
        return None
    if text[q - 1:q] in "）)":
        q = text.rfind("（", 0, q) if "（" in text[max(0, q - 12):q] else text.rfind("(", 0, q)
    m = org_mention(text, h, e, lexicon.org_heads()[head], "listed")
    prev = next((o for o in reversed(orgs) if o.end == q and not o.attr("of_parent")), None)
    if prev is None:
        return _chained_after_post(text, q, m, head, orgs, place_end)
    if prev.attr("ref"):
        return m.with_attrs(ref=prev.attr("ref"), canonical=text[h:e])
    place = next((p for p in place_end.values() if p.start == prev.start), None)
    if place is not None and head in RESIDENTS_COMMITTEES and \
            place.attr("level") not in LOCAL_LEVELS:
        # 张庙街道信访办、居委会: a residents' committee is a community's, never a township's
        return m.with_attrs(ref=RESIDENTS_COMMITTEES[head])
    return m.with_attrs(canonical=place.text + text[h:e], place_span=f"{place.start}:{place.end}") \
        if place else None


def _chained_after_post(text, q, m: Mention, head, orgs, place_end) -> Mention | None:
    """The next body of a title chain, after the post of the one before (BODY POST、HEAD POST):
    - a party department after its committee: 长治市委常委、组织部部长 -> 长治市委组织部;
    - a party branch after a non-party body: …公司总经理、党委书记 -> …公司党委;
    - a non-party body after a place's party body: …开发区党组书记、管委会主任 -> …开发区管委会."""
    prev = next((o for o in reversed(orgs) if o.end < q and text[o.end:q] in lexicon.posts()
                 and not o.attr("of_parent")), None)
    if prev is None:
        return None
    party = m.attr("category") == OrgCategory.PARTY
    prev_party = prev.attr("category") == OrgCategory.PARTY
    if party and (prev.source == "committee" or not prev_party):
        return m.with_attrs(parent_span=f"{prev.start}:{prev.end}", of_parent="1")
    place = next((p for p in place_end.values() if p.start == prev.start), None)
    if not party and prev_party and place is not None and \
            lexicon.org_heads().get(prev.text[len(place.text):]):
        return m.with_attrs(canonical=place.text + m.text, place_span=f"{place.start}:{place.end}")
    return None


def founded_by_subject(text, h, e, head, place_end) -> Mention | None:
    """石角村两委多方筹措资金建设|党群服务中心: a body a place's sentence says it founded or
    built, written with its head only, is that place's (the sentence's subject)."""
    pos = h - (1 if text.endswith("了", 0, h) else 0)
    if len(head) < 4 or not text.endswith(BUILDING_VERBS, 0, pos):
        return None
    place = subject_place(text, h, list(place_end.values()), breaks="。！？\n，；")
    if place is None:  # (溧水区…，推动…企业组建党建联盟: the companies found it, not the district)
        return None
    return org_mention(text, h, e, lexicon.org_heads()[head], "founded").with_attrs(
        canonical=place.text + text[h:e], place_span=f"{place.start}:{place.end}")


def charged_branch(text: str, h: int, e: int, head: str, orgs: list[Mention]) -> Mention | None:
    """许昌市公安局|分管交警的|党委委员: a party branch after the body's 分管…的 phrase
    is that body's branch (named as the body plus the head, resolved later)."""
    if lexicon.org_heads()[head] != OrgCategory.PARTY:
        return None
    start = charge_phrase_start(text, h)
    body = next((o for o in reversed(orgs) if o.end == start), None) if start is not None else None
    if body is None:
        return None
    return org_mention(text, h, e, OrgCategory.PARTY, "branch").with_attrs(
        parent_span=f"{body.start}:{body.end}", of_parent="1")


def referenced_branch(text: str, h: int, e: int, head: str) -> Mention | None:
    """该中心|党支部, 。中心|党支部: the party branch of the body a reference points to."""
    ref = org_reference_ending(text, h) if lexicon.org_heads()[head] == OrgCategory.PARTY else None
    if ref is None:
        return None
    return org_mention(text, h, e, OrgCategory.PARTY, "branch").with_attrs(
        parent_span=f"{ref[0]}:{ref[1]}", of_parent="1")


def short_form_start(text: str, h: int, place_end: dict[int, Mention], tokens: TokenIndex
                      ) -> tuple[int, Mention] | None:
    """A body whose name opens with the short form of a township or county named before
    it (洪蓝街道 … 洪蓝米塘民宿): where it starts and that place."""
    q = h
    while q > 0 and h - q < MAX_MODIFIER and text[q - 1] not in MODIFIER_STOP:
        q -= 1
    for place in sorted(place_end.values(), key=lambda p: p.start):
        if place.end > q:
            break
        stem = _short_form(place)
        if stem and text.startswith(stem, q) and q + len(stem) < h and \
                modifier_ok(text, q + len(stem), h, tokens):
            return q, place
    return None


def _short_form(place: Mention) -> str:
    """洪蓝 of 洪蓝街道, 溧水 of 溧水区: a township's or county's name without its suffix,
    when two or more characters are left."""
    if place.attr("level") not in SHORT_FORM_LEVELS:
        return ""
    suffix = next((x for x in SHORT_FORM_SUFFIXES if place.text.endswith(x)), "")
    stem = place.text[:-len(suffix)] if suffix else ""
    return stem if len(stem) >= 2 else ""


def community_start(text: str, h: int, head: str, tokens: TokenIndex) -> int | None:
    """社区学校, 社区事务受理服务中心 opening a phrase: a township's community body with no
    place written (resolve.py gives it the township whose 社区 body the article named)."""
    p = h
    if not head.startswith(COMMUNITY):
        q = h - 1
        while q > 0 and h - q < MAX_MODIFIER and text[q - 1] not in MODIFIER_STOP:
            q -= 1
        p = text.find(COMMUNITY, q, h)
        rest = p + len(COMMUNITY)
        if p == -1 or rest > h or not modifier_ok(text, rest, h, tokens):
            return None
    if p == 0 or not cjk(text[p - 1]):
        return p
    if text[p - 1] in DETERMINERS:
        return None  # 各社区服务中心: every community's, no one body
    before = tokens.ending_at(p)
    if text[p - 1] in MODIFIER_STOP or before is not None and before.flag == "q":
        return p  # 与|社区学校, “5A”级|社区…: a grade, then the name
    return None


def self_ref(text: str, h: int, head: str, tokens: TokenIndex) -> str:
    """村两委, 村委会 standing alone name the body of the village in context (but not in a
    list of kinds: 盘活村委会、学校等公共资源)."""
    tok = tokens.covering(h)
    if head[0] in "村" and head in SELF_REF_HEADS and (tok is None or tok.start == h) \
            and not _list_of_kinds(text, h + len(head)):
        return head[0]
    return ""


def _list_of_kinds(text: str, end: int) -> bool:
    """Whether the words from `end` run through 、-listed items to 等 and a collective noun
    (…、学校等公共资源, …等单位): the items are kinds of body, not bodies."""
    m = KINDS_LIST.match(text, end)
    return m is not None and any(w in m.group(1) for w in COLLECTIVES)
