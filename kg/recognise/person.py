"""Propose Post and Person mentions.

Posts come from the post lexicon (longest match; not inside an organisation
name). A person name is a surname plus one or two characters, proposed only
where the context says "a person stands here":
- right after a post or a person cue (书记王海军, 村民陆如献, 记者张天培);
- right before a post or a speech cue (崔刚站长, 黄家瑛介绍);
- a byline name (本报记者 毕京津).
The name ends where a boundary begins (punctuation, a cue such as 说/介绍, or a
function word). Once found, a name is found again at each later mention.
"""
from __future__ import annotations

import re
from functools import cache

from kg import lexicon
from kg.model import EntityType, Mention
from kg.recognise.scan import WordScanner
from kg.recognise.tokens import TokenIndex, word_frequency

BOUNDARY_CHARS = set("，。、；：！？“”‘’（）《》()「」 \n的在是和与及对从向把被让将等也就都还又并带为到说讲称曾已正摄了着过")
NAME_FLAGS = ("nr",)
# Surnames that are far more often function words: a name may not start with them here.
# 张大娘, 赵老伯: a surname with a kinship word is a half-named person, left out.
APPELLATIONS = set("娘爷妈哥姐叔婶伯嫂爹奶婆公")
FUNCTION_SURNAMES = set("却从和能于向同将把被让对在与及也都还又并以由为到给跟满全各每该其")  # jieba person tags: nr, nrfg, nrt
LEFT_BOUNDARY = BOUNDARY_CHARS | set("从向给跟同找让请由据听见")


@cache
def _post_scanner() -> WordScanner:
    return WordScanner(lexicon.post_words())


@cache
def _cue_after() -> tuple[str, ...]:
    return tuple(w for w, side in lexicon.person_cues().items() if side == "after")


@cache
def _cue_before() -> WordScanner:
    return WordScanner(w for w, side in lexicon.person_cues().items() if side == "before")


def propose_posts(text: str, blocked: set[int], names: list[Mention] = (),
                  tokens: TokenIndex | None = None) -> list[Mention]:
    """Post words not inside an organisation or place name; and a head's post that shares
    its first character with the name before it (深圳市|长, 国防部|长, 财政部|长): the
    organisation's or place's own head, written once, where a word boundary ends it."""
    out, pos, scanner = [], 0, _post_scanner()
    shared = {m.end - 1 for m in names if m.end - m.start >= 2}
    for at in scanner.starts(text):  # no post word starts anywhere else
        if at < pos:
            continue
        w = None if at in blocked else scanner.match_at(text, at)
        if w is None and at in shared:
            w = _shared_head(text, at, blocked, tokens)
        if w:
            out.append(Mention(at, at + len(w), w, EntityType.POST, "lexicon",
                               (("kind", lexicon.posts()[w]),)))
            pos = at + len(w)
    return out


def _shared_head(text: str, pos: int, blocked: set[int], tokens: TokenIndex | None
                 ) -> str | None:
    """A post word starting on the last character of a name (市长 in 深圳市长), ending where a
    jieba word ends (not 国防部|长期), its other characters free."""
    w = _post_scanner().match_at(text, pos)
    if not w or len(w) < 2 or not w.endswith("长") or blocked.intersection(
            range(pos + 1, pos + len(w))):
        return None
    end = pos + len(w)
    if tokens is not None and tokens.covering(end - 1) is not None \
            and tokens.covering(end - 1).end != end:
        return None
    return w


# Last characters of title nouns (签证官, 主裁判, 副领事, 总工程师): a noun ending in one of
# these, written right before a person's name, is that person's title.
TITLE_HEADS = set("长官师监裁判事总理兵")  # 行长, 法官, 教师, 总监, 裁判, 董事, 总|理, 士兵
# Heads that also end ordinary nouns (党员, 国家, 大家, 个人) count from three characters on
# (调研员, 书法家, 合伙人), and not in membership words: a member is not a post.
LONG_TITLE_HEADS = set("员家人")
NOT_TITLES = ("党员", "团员", "会员", "人员", "社员", "学员", "群众", "村民", "居民", "人家")
TITLE_PREFIXES = ("副", "总", "首席", "常务", "执行", "代理")


def propose_titles(text: str, persons: list[Mention], blocked: set[int],
                   tokens: TokenIndex) -> list[Mention]:
    """Title nouns outside the post lexicon, where they stand right before a person's name:
    the jieba noun ending at the name (with a 副/总/… word before it) that ends in a title head."""
    out = []
    for person in persons:
        tok = tokens.ending_at(person.start)
        if tok is None or not _title_word(tok.word, tok.flag):
            continue
        start = tok.start
        before = tokens.ending_at(start)
        if before is not None and before.word in TITLE_PREFIXES:
            start = before.start
        if blocked.intersection(range(start, person.start)):
            continue
        out.append(Mention(start, person.start, text[start:person.start], EntityType.POST,
                           "title", (("kind", "generic"),)))
    return out


def _title_word(word: str, flag: str) -> bool:
    if flag != "n" or len(word) < 2 or word.endswith(NOT_TITLES):
        return False
    return word[-1] in TITLE_HEADS or (word[-1] in LONG_TITLE_HEADS and len(word) >= 3) \
        or word.endswith("顾问")


def propose_persons(text: str, posts: list[Mention], byline: tuple[str, ...],
                    blocked: set[int], tokens: TokenIndex) -> list[Mention]:
    names: dict[str, str] = {n: "byline" for n in byline if len(n) >= 2}
    anchors = [(p.end, "post") for p in posts]
    anchors += [(e, "cue") for _, e, _ in _cue_before().find_all(text)
                if _word_break(tokens, e)]  # not 群众|利益: the cue is a word of its own
    for end, why in anchors:
        name = _name_after(text, end, blocked, tokens)
        if name:
            names.setdefault(name, why)
    for start in [p.start for p in posts] + _speech_cue_starts(text):
        name = _name_before(text, start, blocked, tokens)
        if name:
            names.setdefault(name, "before")
    for name in _credit_names(text, blocked):
        names.setdefault(name, "credit")
    return all_occurrences(text, names, blocked)


CREDIT_AFTER = re.compile(r"((?:(?!摄)[\u4e00-\u9fff]){2,12})摄")  # 林芯摄陈文相摄: two credits
CREDIT_BEFORE = re.compile(r"(?:责编|编辑|校对|摄影|制图|绘图)[：:]\s*([\u4e00-\u9fff]{2,12})")
CREDIT_BREAK = set("和与、者员：:")  # 和金和平摄, 记者颜麟蕴摄, 通讯员X摄
CREDIT_END = set("（(）)\n。 ") | {""}


def _credit_names(text: str, blocked: set[int]) -> list[str]:
    """Photo and editor credits: 张国盛罗青山摄, 本版责编：苏显龙赵晓曦 (spaces already removed)."""
    out = []
    for m in CREDIT_AFTER.finditer(text):
        if text[m.end():m.end() + 1] not in CREDIT_END and not CREDIT_AFTER.match(text, m.end()):
            continue  # 拍摄了: a verb, not a credit (but 林芯摄|陈文相摄: two credits)
        out += _longest_name_suffix(m.group(1), m.start(1), blocked)
    for m in CREDIT_BEFORE.finditer(text):
        out += _split_names(m.group(1), m.start(1), blocked)
    return out


def _longest_name_suffix(run: str, start: int, blocked: set[int]) -> list[str]:
    """The longest tail of `run` that is a list of names after a break (和, 、, 记者)."""
    for k in range(len(run), 1, -1):
        if k < len(run) and run[-k - 1] not in CREDIT_BREAK:
            continue
        names = _split_names(run[-k:], start + len(run) - k, blocked)
        if names:
            return names
    return []


def _split_names(run: str, start: int, blocked: set[int]) -> list[str]:
    """Split a run of names written together, right to left, each 2-3 characters with a surname."""
    names, end = [], len(run)
    while end >= 2:
        for size in (3, 2):
            cand = run[end - size:end]
            if len(cand) == size and cand[0] in lexicon.surnames() and cand not in lexicon.not_names() \
                    and not blocked.intersection(range(start + end - size, start + end)):
                names.append(cand)
                end -= size
                break
        else:
            return []  # not a clean list of names
    return names if end == 0 else []


def _name_after(text: str, pos: int, blocked: set[int], tokens: TokenIndex) -> str | None:
    """A name right after a post or cue; its end is a cue word, a boundary or a word break."""
    fits = [n for n in (3, 2, 4) if _candidate_ok(text, pos, pos + n, blocked, tokens)]
    tok = tokens.starting_at(pos)
    if tok and tok.flag.startswith(NAME_FLAGS) and len(tok.word) in fits:
        return tok.word
    for size in fits:
        if _cue_follows(text, pos + size):
            return text[pos:pos + size]
    for size in fits:
        if (_boundary_follows(text, pos + size) or _word_break(tokens, pos + size)) \
                and not _starts_with_word(tokens, pos, pos + size):
            return text[pos:pos + size]
    return None


def _starts_with_word(tokens: TokenIndex, start: int, end: int) -> bool:
    """宁愿待, 关切, 干部存: the candidate opens with an ordinary word (trusted only without a cue)."""
    first = tokens.starting_at(start)
    return bool(first and len(first.word) >= 2 and first.end <= end
                and not first.flag.startswith(NAME_FLAGS))


def _word_break(tokens: TokenIndex, end: int) -> bool:
    """jieba puts a word boundary here and no word crosses it."""
    inner = tokens.covering(end - 1)
    return tokens.starting_at(end) is not None and (inner is None or inner.end <= end)


def _name_before(text: str, end: int, blocked: set[int], tokens: TokenIndex) -> str | None:
    for size in (3, 2):
        start = end - size
        if start >= 0 and _candidate_ok(text, start, end, blocked, tokens) \
                and (start == 0 or text[start - 1] in LEFT_BOUNDARY) \
                and text[start] in lexicon.common_surnames() \
                and _word_break(tokens, end) and not _starts_with_word(tokens, start, end):
            # not 成本|会计 (one word), not 任职|副董事长 (an ordinary word first)
            return text[start:end]
    return None


def _holds_post_word(cand: str) -> bool:
    """Whether a post word occurs anywhere in `cand` (a short candidate name): its
    substrings looked up, not every post word searched for."""
    posts = lexicon.posts()
    size = len(cand)
    return any(cand[i:j] in posts for i in range(size) for j in range(i + 1, size + 1))


def _candidate_ok(text: str, start: int, end: int, blocked: set[int], tokens: TokenIndex) -> bool:
    cand = text[start:end]
    if end > len(text) or not _plausible(cand) or blocked.intersection(range(start, end)):
        return False
    if _holds_post_word(cand):
        return False
    if text[end:end + 1] in APPELLATIONS or cand[-1] in APPELLATIONS:
        return False
    first = tokens.starting_at(start)
    if (first is None or not first.flag.startswith(NAME_FLAGS)) and any(
            t.start > start and len(t.word) >= 2 and t.flag.startswith("v") and t.end <= end
            and word_frequency(t.word) >= COMMON_WORD for t in _tokens_from(tokens, start, end)):
        return False  # 村民|家走访: a common verb inside is no part of a name (an unknown run jieba calls a verb may be)
    whole = tokens.starting_at(start)
    if whole and whole.end == end and not whole.flag.startswith(NAME_FLAGS) and len(cand) == 2:
        return False  # jieba reads the two characters as one ordinary word: 利益, 关切
    if cand[0] in FUNCTION_SURNAMES:  # 于涵 after a post is a name only if jieba agrees
        tok = tokens.starting_at(start)
        return tok is not None and tok.word == cand and tok.flag.startswith(NAME_FLAGS)
    return True


COMMON_WORD = 50  # jieba dictionary frequency of an ordinary word (走访 574; an unknown run: 0)


def _tokens_from(tokens: TokenIndex, start: int, end: int):
    tok = tokens.covering(start)
    while tok is not None and tok.start < end:
        yield tok
        tok = tokens.starting_at(tok.end)


def _speech_cue_starts(text: str) -> list[int]:
    """Where speech cues begin; 李国华高兴地告诉记者 also gives the place before 高兴地."""
    out = []
    for cue in _cue_after():
        i = text.find(cue)
        while i != -1:
            out.append(i)
            if i >= 3 and text[i - 1] == "地":
                out.append(i - 3)
            i = text.find(cue, i + 1)
    return out


def _cue_follows(text: str, end: int) -> bool:
    return text.startswith(_cue_after(), end) or lexicon.posts().get(text[end:end + 2]) is not None


def _boundary_follows(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in BOUNDARY_CHARS


def _plausible(cand: str) -> bool:
    surnames = lexicon.surnames()
    if not all("\u4e00" <= c <= "\u9fff" for c in cand) or cand in lexicon.not_names():
        return False
    if any(c in BOUNDARY_CHARS for c in cand[1:]):
        return False
    if cand[:2] in surnames and len(cand) >= 3:
        return True
    return cand[0] in surnames and len(cand) <= 3


def all_occurrences(text: str, names: dict[str, str], blocked: set[int]) -> list[Mention]:
    out = []
    for name, why in sorted(names.items()):
        i = text.find(name)
        while i != -1:
            if not blocked.intersection(range(i, i + len(name))):
                out.append(Mention(i, i + len(name), name, EntityType.PERSON, why))
            i = text.find(name, i + 1)
    return out
