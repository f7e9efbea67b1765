"""The grammar of organisation names shared by the organisation proposers: the head
scanner, which words may stand between a place and a head, and small helpers."""
from __future__ import annotations

from functools import cache

from kg import lexicon
from kg.model import EntityType, Mention
from kg.recognise.scan import WordScanner
from kg.recognise.tokens import TokenIndex

MODIFIER_FLAGS = {"n", "nz", "vn", "j", "nt", "ns", "b", "ng", "l", "an", "m", "nr"}
OBJECT_FLAGS = {"n", "nz", "vn", "j", "nt", "ns", "ng"}  # what a one-character verb may take
# A head followed by these characters is part of a longer common word: 党组|织, 中心|城
HEAD_NOT_BEFORE = {"党组": "织", "中心": "城区镇", "政府": "性", "学校": "园", "局": "长", "厅": "长",
                   "组织部": "门", "宣传部": "门", "统战部": "门"}  # 组织部门: organisation departments
MODIFIER_STOP_WORDS = ("新任", "现任", "原任", "时任", "所属", "各级", "下属", "组织", "带领", "成立")
MODIFIER_STOP = set("的了是在和与及到对从向为把被让将等以于由往去来就都也还又并各该兼，。、；：！？“”‘’（）《》 \n"
                    "0123456789")
MAX_MODIFIER = 12
CHARGE_VERBS = ("分管", "主管", "负责")
MAX_CHARGE = 10
CHARGE_JOINERS = {"和", "与", "及", "、"}  # 分管工业和招商的


@cache
def heads() -> WordScanner:
    return WordScanner(lexicon.org_head_words())


def subject_place(text: str, before: int, places: list[Mention], breaks: str = "。！？\n"
                   ) -> Mention | None:
    """The place that opens the sentence (or clause, by `breaks`) holding `before`: its most
    specific link when it opens with a chain such as 江西省永修县."""
    lo = max(text.rfind(c, 0, before) for c in breaks) + 1
    inside = sorted((p for p in places if lo <= p.start and p.end <= before), key=lambda p: p.start)
    if not inside:
        return None
    first = inside[0]
    for p in inside[1:]:
        if p.start != first.end:
            break
        first = p
    return first


def charge_phrase_start(text: str, end: int) -> int | None:
    """Where a 分管…的 / 负责…的 / 主管…的 phrase ending at `end` starts, if one does:
    the work a post holder is in charge of, written between the body and the post."""
    if not text.endswith("的", 0, end):
        return None
    for verb in CHARGE_VERBS:
        at = text.rfind(verb, max(0, end - 1 - MAX_CHARGE), end - 1)
        if at != -1 and not any(c in MODIFIER_STOP - CHARGE_JOINERS for c in text[at:end - 1]):
            return at
    return None


def modifier_ok(text: str, q: int, h: int, tokens: TokenIndex) -> bool:
    """Words between a place and a head must be nouns, not a clause (许昌市 开展 ... 工作)."""
    pos = q
    while pos < h:
        tok = tokens.starting_at(pos) or tokens.covering(pos)
        if tok is None or tok.end > h:
            return True  # the last word runs into the head (…服务|中心): judged by the rest
        if tok.word in MODIFIER_STOP_WORDS or tok.word in lexicon.clause_verbs():
            return False
        # a verb inside a compound name (社区事务|受理|服务中心, 万人|助|企…) but never opening it
        inner_verb = tok.flag == "v" and pos > q and _inner_verb(tok, h, tokens)
        if tok.flag not in MODIFIER_FLAGS and not inner_verb:
            return False
        pos = tok.end
    return True


def _inner_verb(tok, h: int, tokens: TokenIndex) -> bool:
    """A two-character verb, or a one-character verb with its object noun right after it
    (助|企, 帮|村: the verb-object compounds that name what a body does)."""
    if len(tok.word) == 2:
        return True
    nxt = tokens.starting_at(tok.end)
    return len(tok.word) == 1 and nxt is not None and nxt.end <= h and nxt.flag in OBJECT_FLAGS


def org_mention(text, start, end, category, source) -> Mention:
    return Mention(start, end, text[start:end], EntityType.ORGANIZATION, source,
                   (("category", str(category)),))


def cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
