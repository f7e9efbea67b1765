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
from kg.recognise.org_context import quoted_body_cue
from kg.recognise.scan import WordScanner
from kg.recognise.tokens import TokenIndex

QUOTED = re.compile(r"“([^“”]{2,30})”|‘([^‘’]{2,30})’|《([^《》]{2,40})》")
CLAUSE_MARKS = set("，。！？；：…")
SPEECH_AFTER = ("说", "介绍", "表示", "坦言", "认为", "告诉")
MEDIA_ENDINGS = ("报", "日报", "杂志", "网", "周刊", "晚报")
NESTED = re.compile(r"[‘“]([^‘’“”]{2,30})[’”]")
CUE_WINDOW = 6
MIN_REMENTION = 4  # a shorter name is found again only in quotes
HONOURS = ("荣誉称号", "称号", "荣誉", "奖项", "光荣称号")
# Verbs that leave a practice behind: the quote names what is given up, not a programme
REJECTING_VERBS = ("突破", "打破", "摒弃", "破除", "告别", "纠正", "纠治", "反对", "杜绝", "克服")
AFTER_GAP = 5  # “党建+村管事”村居治理新模式: a few words may stand between quote and cue
POLICY_RE = re.compile(r"[\u4e00-\u9fff]{2,24}?(?:法修订草案|法草案|修正案草案|暂行条例|条例|实施细则|实施办法|管理办法)")
POLICY_LEFT_STOP = set("，。、；：！？“”‘’（）《》,;:() \n和及等")


@cache
def _after_cues() -> WordScanner:
    return WordScanner(lexicon.initiative_cues("after"))


@cache
def _before_cues() -> tuple[str, ...]:
    return tuple(sorted(lexicon.initiative_cues("before"), key=len, reverse=True))


def _inner_category(name: str) -> InitiativeCategory | None:
    """A name that says what it is: “党群议事亭”, “五星党支部创建” (but “典型性经验” is a
    description: an adjective in 性/式/型 before the cue)."""
    for cue, category in lexicon.initiative_cues("inner").items():
        if name.endswith(cue) and len(name) > len(cue):
            stem = name[:-len(cue)]
            return None if stem[-1] in "性式型" else InitiativeCategory(category)
    return None


def _past_quote_run(text: str, q_end: int) -> int | None:
    """Where the text goes on after a run of further quotes and a 等 (“甲”“乙”等|方式), or None
    when a quote in the run does not close."""
    pos = q_end
    while text.startswith(("“", "、“"), pos):
        close = text.find("”", pos)
        if close == -1:
            return None
        pos = close + 1
    return pos + 1 if text.startswith("等", pos) else pos


def _honour_after(text: str, q_end: int) -> bool:
    """“上海市巾帼文明岗”“…”等荣誉称号: a run of quotes that names honours."""
    pos = _past_quote_run(text, q_end)
    return pos is not None and text.startswith(HONOURS, pos)


def propose_initiatives(text: str, tokens: TokenIndex | None = None) -> list[Mention]:
    """Quoted names with cues; a quote holding a nested quote yields the inner name only."""
    found = _quoted(text) + _policy_documents(text)
    if tokens is not None:
        found += _unquoted(text, tokens) + _education_campaigns(text, tokens)
    return found + _mentioned_again(text, found, tokens)


def _mentioned_again(text: str, found: list[Mention], tokens: TokenIndex | None) -> list[Mention]:
    """A programme named once is named at each later mention of the same words:
    六户镇“村书记论坛”现场 after “村书记论坛” was introduced with a cue. An unquoted name
    found with its head (党建绩效离任评审制度) is also found without it."""
    forms: dict[str, Mention] = {}
    for m in found:
        forms.setdefault(m.text, m)
        head = next((h for h in HEADS_LONGEST_FIRST if m.text.endswith(h)), "") \
            if m.source == "unquoted" else ""
        if head and len(m.text) - len(head) >= MIN_REMENTION:
            forms.setdefault(m.text[:-len(head)], m)
    taken = {(m.start, m.end) for m in found}
    out = []
    for form, first in sorted(forms.items()):
        if len(form) < MIN_REMENTION and first.source != "quoted":
            continue
        at = text.find(form)
        while at != -1:
            if (at, at + len(form)) not in taken and _whole_name(text, at, at + len(form), tokens):
                attrs = (("category", first.attr("category")), ("canonical", first.text))
                out.append(Mention(at, at + len(form), form, EntityType.INITIATIVE, "again", attrs))
            at = text.find(form, at + 1)
    return out


def _whole_name(text: str, start: int, end: int, tokens: TokenIndex | None) -> bool:
    """The words at start:end stand as a whole name: quoted on their own (“X”, not
    “X报告”), or unquoted with no name word glued on either side (not “头雁领航”|竞赛比武)."""
    before, after = text[start - 1:start] if start else "", text[end:end + 1]
    if before in "“‘《" and before:
        return after == {"“": "”", "‘": "’", "《": "》"}[before]
    if end - start < MIN_REMENTION or before in "”’》" and before:
        return False
    if tokens is None:
        return not _cjk(after)
    nxt = tokens.starting_at(end)
    return (start == 0 or tokens.starting_at(start) is not None) and \
        (not after or not _cjk(after) or nxt is not None and nxt.flag not in NP_FLAGS)


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# An unquoted programme: a launching verb, then noun words, then a head that says what it is:
# 推行|党建绩效离任评审|制度, 推出|村医参与健康养老服务激励|机制, 开展|党史学习教育|活动
UNQUOTED_HEADS = {"制度": "mechanism", "机制": "mechanism", "工作机制": "mechanism", "模式": "model",
                  "工作法": "mechanism", "工程": "project", "平台": "platform", "工作站": "platform",
                  "专项行动": "campaign", "专项治理": "campaign"}
HEADS_LONGEST_FIRST = tuple(sorted(UNQUOTED_HEADS, key=len, reverse=True))
LAUNCH_VERBS = ("开展", "推行", "推出", "实施", "实行", "建立", "探索", "打造", "建成", "创建", "启动",
                "搭建", "深化", "创新", "推广")  # not 健全/完善: they take generic nouns
NP_FLAGS = {"n", "nz", "vn", "j", "l", "nt", "ng", "b", "an", "i", "ns", "nr", "a"}
ADVERBS = ("深入", "大力", "全面", "积极", "持续", "扎实", "广泛", "率先", "还", "也", "了")


def _unquoted(text: str, tokens: TokenIndex) -> list[Mention]:
    out = []
    for tok in tokens.tokens:
        if tok.word not in LAUNCH_VERBS:
            continue
        pos = tok.end
        for adv in ADVERBS:  # 开展了, 大力推行 …
            if text.startswith(adv, pos):
                pos += len(adv)
        m = _noun_phrase_with_head(text, pos, tokens)
        if m is not None:
            out.append(m)
    return out


def _noun_phrase_with_head(text: str, pos: int, tokens: TokenIndex) -> Mention | None:
    start, words = pos, []
    while pos < len(text) and pos - start <= 16:
        tok = tokens.starting_at(pos)
        if tok is None:
            return None
        head = next((h for h in HEADS_LONGEST_FIRST if text.startswith(h, pos)), None)
        if head and len("".join(words)) >= 4:
            end = pos + len(head)
            return Mention(start, end, text[start:end], EntityType.INITIATIVE, "unquoted",
                           (("category", UNQUOTED_HEADS[head]),))
        glued = next((h for h in HEADS_LONGEST_FIRST if tok.word.endswith(h) and tok.word != h),
                     None)
        if glued and len("".join(words)) + len(tok.word) - len(glued) >= 4:  # 激励|机制 as one word
            return Mention(start, tok.end, text[start:tok.end], EntityType.INITIATIVE, "unquoted",
                           (("category", UNQUOTED_HEADS[glued]),))
        if not (tok.flag in NP_FLAGS or tok.flag == "v" and words and tok.word not in
                lexicon.clause_verbs()) and not (tok.word == "、" and words):
            return None
        words.append(tok.word)
        pos = tok.end
    return None


# Party education campaigns are named by what is studied + 学习教育 (党史学习教育) or are the
# 主题教育 itself (第二批主题教育); they are written without quotes and without a head word.
CAMPAIGN_ENDINGS = ("学习教育", "主题教育")
BATCH = re.compile(r"第[一二三四五六七八九十]+批$")
CAMPAIGN_BODIES = ("领导小组", "工作组", "指导组", "督导组", "小组")  # bodies that run one
NOUN_FLAGS = {"n", "nz", "nt", "ns", "nr", "nrt", "j", "ng", "vn", "b"}  # not 深入开展 (i)


def _education_campaigns(text: str, tokens: TokenIndex) -> list[Mention]:
    """党史学习教育, (第二批)主题教育: the name stands on its own (no noun glued before it, no
    organisation head after it: 主题教育领导小组 is a body, not the campaign)."""
    out = []
    for ending in CAMPAIGN_ENDINGS:
        at = text.find(ending)
        while at != -1:
            end = at + len(ending)
            start = _campaign_start(text, at, ending, tokens)
            if start is not None and not text.startswith(lexicon.org_head_words(), end) \
                    and not text.startswith(CAMPAIGN_BODIES, end):
                out.append(Mention(start, end, text[start:end], EntityType.INITIATIVE, "campaign",
                                   (("category", str(InitiativeCategory.CAMPAIGN)),)))
            at = text.find(ending, end)
    return out


def _campaign_start(text: str, at: int, ending: str, tokens: TokenIndex) -> int | None:
    batch = BATCH.search(text, max(0, at - 6), at)
    if batch:
        return batch.start()
    before = tokens.ending_at(at)
    if ending == "主题教育":  # the campaign itself, unless it ends a longer noun phrase
        return at if before is None or before.flag not in NOUN_FLAGS else None
    # X学习教育: X is 2-4 characters opening at a word boundary (党史; jieba may glue 党|史学|习)
    # with no noun word before it (推动|学习教育 has no X)
    for n in (2, 3, 4):
        start = at - n
        if start < 0 or not all(_cjk(c) for c in text[start:at]):
            return None
        opening = tokens.starting_at(start)
        if opening is None:
            continue
        if opening.flag not in NP_FLAGS:  # 推动|学习教育: a verb, not what is studied
            return None
        first = tokens.ending_at(start)
        return start if first is None or first.flag not in NOUN_FLAGS else None
    return None


def _policy_documents(text: str) -> list[Mention]:
    """Unquoted laws and regulations: 粮食安全保障法草案、私募投资基金监督管理条例."""
    out = []
    for m in POLICY_RE.finditer(text):
        start = m.start()
        for q in range(m.end() - 3, max(m.start(), m.end() - 26) - 1, -1):
            if text[q] in POLICY_LEFT_STOP:
                start = q + 1
                break
        else:
            if m.start() > 0 and text[m.start() - 1] not in POLICY_LEFT_STOP:
                continue  # no clear left edge: not a title
        name = text[start:m.end()]
        if len(name) >= 5:
            out.append(Mention(start, m.end(), name, EntityType.INITIATIVE, "policy",
                               (("category", str(InitiativeCategory.POLICY_DOCUMENT)),)))
    return out


def _quoted(text: str) -> list[Mention]:
    out = []
    for m in QUOTED.finditer(text):
        group = next(i for i in (1, 2, 3) if m.group(i) is not None)
        name, start, end = m.group(group), m.start(group), m.end(group)
        inner = NESTED.search(name)
        if inner:  # “清远市…书记‘十个思考’”: the outer quote's cues name the inner programme
            name, start, end = inner.group(1), start + inner.start(1), start + inner.end(1)
        category = _category(text, name, m.start(), m.end(), book=group == 3)
        if category is not None:
            out.append(Mention(start, end, name, EntityType.INITIATIVE, "quoted",
                               (("category", str(category)),)))
    return out


def _category(text: str, name: str, q_start: int, q_end: int, *, book: bool) -> InitiativeCategory | None:
    if book:  # a document, not a book, film, game or song (《红楼梦》, 《魔兽世界》)
        if name.endswith(MEDIA_ENDINGS) or not _document_name(name):
            return None
        return InitiativeCategory.POLICY_DOCUMENT
    if any(c in CLAUSE_MARKS for c in name) or text.startswith(SPEECH_AFTER, q_end):
        return None
    if quoted_body_cue(text, q_start, q_end, name) is not None:
        return None  # “洪蓝蓝图”志愿服务队, 社会组织“社邻家”: a body, not a programme
    if name.count("、") >= 2:  # 强技术、稳生产、促保供: a slogan of three or more parts
        return None
    if name[-1] in "式型化性":  # “运动式”, “留痕式”: a manner, not a programme
        return None
    if _honour_after(text, q_end) or text.endswith(REJECTING_VERBS, 0, q_start):
        return None  # “…文明岗”等荣誉称号: an honour; 突破“你讲我听”: a practice left behind
    inner = _inner_category(name)
    if inner:
        return inner
    cue = _cue_after_quote(text, q_end)
    if cue:
        return InitiativeCategory(lexicon.initiative_cues("after")[cue])
    window = text[max(0, q_start - CUE_WINDOW):q_start]
    for cue in _before_cues():
        if cue in window and not any(c in CLAUSE_MARKS | {"、"} for c in window[window.rfind(cue):]):
            return InitiativeCategory(lexicon.initiative_cues("before")[cue])
    return None


# What the title of a policy document ends with (a parenthesis such as （试行） or a year
# range is read past), or 关于… it opens with.
DOCUMENT_HEADS = ("法", "条例", "规定", "办法", "细则", "意见", "通知", "决定", "决议", "规划", "方案",
                  "纲要", "计划", "指南", "指引", "标准", "准则", "规则", "章程", "公约", "协定",
                  "措施", "制度", "机制", "清单", "目录", "白皮书", "批复", "通告", "公告", "草案",
                  "修正案", "规范", "要点", "守则", "名录", "讲话", "报告", "建议", "纪要", "条约")
TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


def _document_name(name: str) -> bool:
    bare = TRAILING_NOTE.sub("", name).strip()
    return bare.startswith(("关于", "关 于")) or bare.endswith(DOCUMENT_HEADS)


def _cue_after_quote(text: str, q_end: int) -> str | None:
    """The cue after a quote, skipping a few words or a run of further quotes:
    “书记带领书记学”“书记提问书记答”等方式."""
    pos = _past_quote_run(text, q_end)
    if pos is None:
        return None
    for gap in range(AFTER_GAP + 1):
        if pos + gap >= len(text) or text[pos + gap] in CLAUSE_MARKS | set("“”《》"):
            return None
        cue = _after_cues().match_at(text, pos + gap)
        if cue:
            return cue
    return None
