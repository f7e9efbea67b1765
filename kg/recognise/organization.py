"""Propose Organization mentions.

An organisation name is a place (or a context reference such as 该村, 市, 州)
followed by optional modifier words and an organisation head from the lexicon
(党支部, 组织部, 公安局, 人大代表工作站 ...). A head right after another
organisation forms a sub-organisation (许昌市公安局 + 党委). Party committees
are a place ending in 省/市/州/县/区/旗 plus 委 (许昌市委, 市委). National
bodies (国务院, 公安部, 新华社) come from a lexicon.
Mentions carry ("category", ...), ("ref", "市") for a context prefix to resolve,
and ("parent_span", "start:end") for the organisation they extend.
"""
from __future__ import annotations

from functools import cache

from kg import lexicon
from kg.model import EntityType, Mention, OrgCategory
from kg.recognise.scan import WordScanner
from kg.recognise.tokens import TokenIndex

REF_CHARS = set("省市州县区镇乡村")
GENERIC_PLACE_WORDS = {"乡镇", "城镇", "村镇", "集镇", "城市", "农村", "乡村", "城区", "社区", "山区", "全市",
                       "全县", "全区", "全省", "全镇", "全村", "各村", "各镇", "各县", "各区", "各市"}
SKIPPABLE = ("新任", "现任", "时任", "前任")
SELF_REF_HEADS = {"村两委", "村委会", "村民委员会"}
COMMITTEE_PLACE_ENDINGS = set("省市州县区旗")
MODIFIER_FLAGS = {"n", "nz", "vn", "j", "nt", "ns", "b", "ng", "l", "an", "m", "nr"}
# A head followed by these characters is part of a longer common word: 党组|织, 中心|城
HEAD_NOT_BEFORE = {"党组": "织", "中心": "城区镇", "政府": "性", "学校": "园", "局": "长", "厅": "长"}
MODIFIER_STOP_WORDS = ("新任", "现任", "原任", "时任", "所属", "各级", "下属", "组织", "带领", "成立")
MODIFIER_STOP = set("的了是在和与及到对从向为把被让将等以于由往去来就都也还又并各该，。、；：！？“”‘’（）《》 \n"
                    "0123456789")
MAX_MODIFIER = 12


@cache
def _heads() -> WordScanner:
    return WordScanner(lexicon.org_head_words())


@cache
def _nationals() -> WordScanner:
    return WordScanner(lexicon.national_orgs())


def propose_organizations(text: str, places: list[Mention], tokens: TokenIndex) -> list[Mention]:
    place_end = {p.end: p for p in places}
    place_cover = {i for p in places for i in range(p.start, p.end)}
    orgs: list[Mention] = []
    for start, end, name in _nationals().find_all(text):
        orgs.append(_org(text, start, end, lexicon.national_orgs()[name], "national"))
    orgs += _committees(text, place_end)
    orgs += _named_bodies(text, tokens, place_cover)
    for h, e, head in _head_hits(text, place_cover):
        start, ref = _left_edge(text, h, place_end, orgs, tokens)
        skipped = _skipped_modifier(text, h, place_end) if start is None else None
        if skipped is not None:  # 鹤溪街道|新任|党工委书记: the body is 鹤溪街道党工委
            place = place_end[skipped]
            orgs.append(_org(text, place.start, e, lexicon.org_heads()[head], "head")
                        .with_attrs(canonical=place.text + head))
            continue
        if start is None:
            ref = _self_ref(text, h, head, tokens)
            start = h if ref else None
        if start is None:
            listed = _listed_after(text, h, e, head, orgs, place_end)
            if listed is not None:
                orgs.append(listed)
            continue
        m = _org(text, start, e, lexicon.org_heads()[head], "head")
        if ref:
            m = m.with_attrs(ref=ref)
        orgs.append(_link_parent(m, orgs))
    return orgs


def _head_hits(text: str, place_cover: set[int]):
    """Heads not starting inside a place (石角村两委 is 石角村 + 两委, not 村两委)."""
    pos = 0
    scanner = _heads()
    while pos < len(text):
        w = None if pos in place_cover else scanner.match_at(text, pos)
        if w and text[pos + len(w):pos + len(w) + 1] in HEAD_NOT_BEFORE.get(w, "") and \
                text[pos + len(w):pos + len(w) + 1]:
            w = None
        if w:
            yield pos, pos + len(w), w
            pos += len(w)
        else:
            pos += 1


def _named_bodies(text: str, tokens: TokenIndex, place_cover: set[int]) -> list[Mention]:
    """Names jieba knows as organisations (nt) that end in an organisation head: 南京农业大学."""
    heads = lexicon.org_heads()
    out = []
    for tok in tokens.tokens:
        if tok.flag != "nt" or len(tok.word) < 4 or tok.start in place_cover and tok.end - 1 in place_cover:
            continue
        head = next((h for h in lexicon.org_head_words() if tok.word.endswith(h)), None)
        if head and len(tok.word) > len(head) + 1:
            out.append(_org(text, tok.start, tok.end, heads[head], "named"))
    return out


def _committees(text: str, place_end: dict[int, Mention]) -> list[Mention]:
    """许昌市委, 魏都区委: a county-or-higher place plus 委 (not 委员)."""
    out = []
    for end, place in place_end.items():
        if text[end:end + 1] == "委" and text[end:end + 2] != "委员" and \
                place.text[-1] in COMMITTEE_PLACE_ENDINGS:
            if text.endswith("共青团", 0, place.start):  # 共青团大理州委: the youth league
                out.append(_org(text, place.start - 3, end + 1, OrgCategory.SOCIAL_ORGANIZATION,
                                "committee"))
                continue
            out.append(_org(text, place.start, end + 1, OrgCategory.PARTY, "committee"))
    for i, ch in enumerate(text[:-1]):  # bare 市委 区委 县委 州委 省委: resolved from context
        if ch in COMMITTEE_PLACE_ENDINGS and text[i + 1] == "委" and text[i + 1:i + 3] != "委员" \
                and (i == 0 or not _cjk(text[i - 1]) or text[i - 1] in MODIFIER_STOP) \
                and i not in place_end.keys():
            out.append(_org(text, i, i + 2, OrgCategory.PARTY, "committee").with_attrs(ref=ch))
    return out


def _left_edge(text, h, place_end, orgs, tokens: TokenIndex) -> tuple[int | None, str]:
    """Where the organisation name starts, and a context prefix to resolve if any."""
    for o in reversed(orgs):
        if o.end == h:
            return o.start, o.attr("ref")  # 州计生协会|党支部 keeps the parent's 州
    if h in place_end:
        return place_end[h].start, ""
    q = h
    while q > 0 and h - q < MAX_MODIFIER and text[q - 1] not in MODIFIER_STOP:
        q -= 1
        if q in place_end:
            if _modifier_ok(text, q, h, tokens):
                return place_end[q].start, ""
            break
        if any(o.end == q for o in orgs) and _modifier_ok(text, q, h, tokens):
            return next(o.start for o in orgs if o.end == q), ""
    if q < h - 1 and text[q] in REF_CHARS and _modifier_ok(text, q + 1, h, tokens) \
            and (q == 0 or text[q - 1] in MODIFIER_STOP):
        return q, text[q]  # 州|农作物种子质量监督检测|中心: a reference before modifiers
    return _ref_edge(text, h, tokens)


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
        if h == 1 or text[h - 2] in MODIFIER_STOP or tok is None or tok.start == h - 1:
            return h - 1, text[h - 1]
    return None, ""


def _listed_after(text, h, e, head, orgs, place_end) -> Mention | None:
    """罗泾镇社会事务办（老龄办）、司法所: a body listed after one with a place prefix
    shares that prefix."""
    q = h - 1
    if q < 0 or text[q] != "、":
        return None
    if text[q - 1:q] in "）)":
        q = text.rfind("（", 0, q) if "（" in text[max(0, q - 12):q] else text.rfind("(", 0, q)
    prev = next((o for o in reversed(orgs) if o.end == q), None)
    if prev is None:
        return None
    m = _org(text, h, e, lexicon.org_heads()[head], "listed")
    if prev.attr("ref"):
        return m.with_attrs(ref=prev.attr("ref"), canonical=text[h:e])
    place = next((p for p in place_end.values() if p.start == prev.start), None)
    return m.with_attrs(canonical=place.text + text[h:e], place_span=f"{place.start}:{place.end}") \
        if place else None


def _skipped_modifier(text: str, h: int, place_end: dict[int, Mention]) -> int | None:
    """The end of a place right before 新任/现任/时任/前任 + head, if that is the shape."""
    for word in SKIPPABLE:
        if text.endswith(word, 0, h) and h - len(word) in place_end:
            return h - len(word)
    return None


def _self_ref(text: str, h: int, head: str, tokens: TokenIndex) -> str:
    """村两委, 村委会 standing alone name the body of the village in context."""
    tok = tokens.covering(h)
    if head[0] in "村" and head in SELF_REF_HEADS and (tok is None or tok.start == h):
        return head[0]
    return ""


def _modifier_ok(text: str, q: int, h: int, tokens: TokenIndex) -> bool:
    """Words between a place and a head must be nouns, not a clause (许昌市 开展 ... 工作)."""
    pos = q
    while pos < h:
        tok = tokens.starting_at(pos) or tokens.covering(pos)
        if tok is None or tok.end > h:
            return True  # the last word runs into the head (…服务|中心): judged by the rest
        if tok.word in MODIFIER_STOP_WORDS or tok.word in lexicon.clause_verbs():
            return False
        # a verb inside a compound name (社区事务|受理|服务中心) but never opening the modifier
        if tok.flag not in MODIFIER_FLAGS and not (tok.flag == "v" and pos > q and len(tok.word) == 2):
            return False
        pos = tok.end
    return True


def _link_parent(m: Mention, orgs: list[Mention]) -> Mention:
    for o in reversed(orgs):
        if o.start == m.start and o.end < m.end and o.end > o.start:
            return m.with_attrs(parent_span=f"{o.start}:{o.end}")
    return m


def _org(text, start, end, category, source) -> Mention:
    return Mention(start, end, text[start:end], EntityType.ORGANIZATION, source,
                   (("category", str(category)),))


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
