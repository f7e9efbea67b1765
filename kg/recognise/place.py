"""Propose Place mentions.

Two proposers:
- divisions: province, prefecture and county names (full and short forms) from
  the national gazetteer, matched longest-first;
- suffixes: townships, villages, communities and compounds by their endings
  (镇 乡 街道 村 社区 小区 ...), which no list covers completely. The start of
  the name is found, in order of trust: right after an adjacent place (a chain
  such as 上帅镇东南村), the longest stem the gazetteer knows at that level, or
  the noun tokens before the suffix.
Mentions carry ("level", ...) and, for gazetteer hits, ("candidates", "id|id").
"""
from __future__ import annotations

import re
from functools import cache

from kg import lexicon
from kg.gazetteer import Gazetteer, level_from_suffix
from kg.model import EntityType, Mention, PlaceLevel
from kg.recognise.scan import WordScanner
from kg.recognise.tokens import TokenIndex, word_frequency

# suffix -> (level, longest stem)
SUFFIXES: dict[str, tuple[PlaceLevel, int]] = {
    "街道": (PlaceLevel.TOWNSHIP, 4),
    "镇": (PlaceLevel.TOWNSHIP, 4),
    "乡": (PlaceLevel.TOWNSHIP, 6),
    "苏木": (PlaceLevel.TOWNSHIP, 4),
    "村": (PlaceLevel.VILLAGE, 4),
    "嘎查": (PlaceLevel.VILLAGE, 4),
    "社区": (PlaceLevel.COMMUNITY, 4),
    "小区": (PlaceLevel.RESIDENTIAL, 6),
}
# Zones and landmarks (level other): 溧水经济开发区, 芝山村富硒生态产业园, 铜山战斗纪念馆
ZONE_SUFFIXES = ("经济技术开发区", "经济开发区", "高新技术产业开发区", "高新区", "开发区", "产业园区",
                 "工业园区", "产业园", "工业园", "科技园", "示范区", "纪念馆", "烈士陵园", "陵园",
                 "旧址群", "旧址", "国防园", "风景区", "景区", "湿地公园", "森林公园", "水库",
                 "良种场", "农场", "林场", "牧场", "茶场")
for _z in ZONE_SUFFIXES:
    SUFFIXES[_z] = (PlaceLevel.OTHER, 8)
SUFFIX_RE = re.compile("|".join(sorted(SUFFIXES, key=len, reverse=True)))
# A suffix character that begins a longer word is not a suffix: 村民, 镇长, 乡亲 ...
NOT_SUFFIX_AFTER = {
    "村": "民里庄落级干集容貌医官头口务情史规志",
    "镇": "长政级街域",
    "乡": "长亲镇村里土间贤情愁音帮",
    "社区": "",
    "街道": "办",
    "小区": "",
    "苏木": "",
    "嘎查": "",
    **{z: "" for z in ZONE_SUFFIXES},
}
# Stems that are ordinary words, not names: 该村 全村 农村 乡镇 示范村 ...
STEM_STOP = set(
    "该 本 全 各 每 此 这 那 其 某 同 邻 外 进 驻 包 帮 联 到 在 从 向 对 为 与 和 及 个 两 多 几 "
    "农 乡 山 城 小 大 老 新 古 名 强 富 美 特 重 集 市 县 区 省".split()
) | {
    "示范", "试点", "行政", "自然", "贫困", "脱贫", "重点", "后进", "先进", "软弱", "涣散", "城乡",
    "农村", "乡村", "偏远", "边远", "周边", "周围", "附近", "当地", "所在", "基层", "街道", "社区",
    "城市", "城镇", "乡镇", "村镇", "集镇", "特色", "美丽", "和美", "宜居", "文明", "生态", "旅游",
    "专业", "民族", "少数", "全国", "全省", "全市", "全县", "全区", "全镇", "所有", "其他", "部分",
    "一些", "不少", "许多", "相关", "开放", "封闭", "老旧", "新建", "易地", "搬迁", "安置",
    "移民", "城郊", "近郊", "远郊", "经济", "强镇", "小镇", "大镇", "古镇", "名镇", "重镇", "产业",
    "党建", "治理", "服务", "平安", "智慧", "数字", "无讼", "示范性", "网格", "楼栋", "单元",
    "富裕", "富足", "幸福", "和谐", "安全", "先行", "标杆", "样板", "星级",
}
FUNCTION_CHARS = set("的了在是和与及到对从向为把被让将等以于由往去来就都也还又并个各")
NUMERALS = set("一二三四五六七八九十百千万两几个多0123456789")
# Words that make a stem a description: 山区农业镇, 城中村, 工业园区社区
GENERIC_PARTS = ("组织", "山区", "城中", "农业", "工业", "城区", "郊区", "景区", "园区", "牧区", "林区", "矿区",
                 "老区", "库区", "边境", "沿海", "平原", "丘陵", "贫困", "空心", "传统", "历史")
_GENERIC_PART = re.compile("|".join(GENERIC_PARTS))
GENERIC_ENDS = set("式型性级类化们")  # 开放式小区, 示范性村: descriptions, not names
GLUE_STOP = set("乡农城各驻全该本每进包帮联")  # 乡村, 农村, 各村, 驻村: ordinary words ending in 村
NAME_FLAGS = {"nr", "ns", "nz", "nrt", "nrfg"}
NOUN_FLAGS = {"n", "ns", "nr", "nrfg", "nrt", "nz", "j", "ng", "nt", "s", "an", "b", "l", "i", "x"}
FUNCTION_FLAGS = set("cpudr")  # conjunctions, prepositions, particles, adverbs, pronouns
TRAILING_BLOCK = set("的了是在和与及到对从向为把被让将等以于由往去来就都也还又并")
_LONG_STEM_STOP = tuple(sorted(w for w in STEM_STOP if len(w) >= 2))  # str.endswith takes a tuple


@cache
def _surface_forms(gaz: Gazetteer) -> dict[str, list[str]]:
    """Built once per gazetteer (it walks all county-and-above rows), not once per article."""
    return gaz.surface_forms()


@cache
def division_scanner(gaz: Gazetteer) -> WordScanner:
    return WordScanner(_surface_forms(gaz))


def propose_divisions(text: str, gaz: Gazetteer, tokens: TokenIndex) -> list[Mention]:
    """Gazetteer names of provinces, prefectures and counties."""
    forms = _surface_forms(gaz)
    out = []
    for start, end, form in division_scanner(gaz).find_all(text):
        ids = forms[form]
        if not _form_fits(text, start, end, form, ids, gaz, tokens):
            continue
        divs = [gaz.get(i) for i in ids]
        level = min((d.level for d in divs), key=_level_rank)
        out.append(Mention(start, end, form, EntityType.PLACE, "gazetteer",
                           (("candidates", "|".join(ids)), ("level", str(level)))))
    return out


def _form_fits(text, start, end, form, ids, gaz, tokens: TokenIndex) -> bool:
    """A short form (no suffix) must stand as its own word: 大理 but not 大理石."""
    if any(gaz.get(i).name == form for i in ids):
        return True
    t_start = tokens.starting_at(start) is not None or start == 0 or not _cjk(text[start - 1])
    tok = tokens.covering(start)
    inside_word = tok is not None and tok.start < start < tok.end or (
        tok is not None and tok.start == start and tok.end > end and tok.flag not in {"ns", "nt"})
    # 现场|和|田间地头: a form that opens with a function word and ends inside the next word
    first, last = tokens.starting_at(start), tokens.covering(end - 1)
    cut_word = first is not None and first.flag[:1] in FUNCTION_FLAGS and \
        last is not None and last.start > start and last.end > end
    return t_start and not inside_word and not cut_word


def propose_by_suffix(text: str, gaz: Gazetteer, tokens: TokenIndex,
                      known: list[Mention]) -> list[Mention]:
    """Townships, villages, communities and compounds by their endings."""
    ends = {m.end: m for m in known}
    out: list[Mention] = []
    for m in SUFFIX_RE.finditer(text):
        suffix, s = m.group(), m.start()
        after = text[m.end():m.end() + 1]
        if after and after in NOT_SUFFIX_AFTER[suffix]:
            continue
        level, max_stem = SUFFIXES[suffix]
        start = _stem_start(text, s, suffix, level, max_stem, gaz, tokens, ends, out)
        if start is None:
            continue
        name = text[start:m.end()]
        if level is not PlaceLevel.OTHER:
            level = level_from_suffix(name) or level
        out.append(Mention(start, m.end(), name, EntityType.PLACE, "suffix",
                           (("level", str(level)),)))
    return out


def _stem_start(text, s, suffix, level, max_stem, gaz, tokens, ends, found) -> int | None:
    if level is PlaceLevel.OTHER:
        return _zone_start(text, s, max_stem, tokens, {**ends, **{f.end: f for f in found}})
    if s in ends or any(f.end == s for f in found):
        return None  # 上海市|社区…: the suffix word right after a place is not a new place
    for q in range(s - 1, max(s - 5, -1), -1):  # right after an adjacent place: 上帅镇|东南村
        if q in ends or any(f.end == q for f in found):
            if _chain_stem(text[q:s]) and not _verb_stem(tokens, q, s):
                return q
            break
    floor = _left_floor(text, s, max_stem)
    levels = _gazetteer_levels(level)
    for q in range(floor, s - 1):  # the longest stem the gazetteer knows (2+ characters)
        if _good_stem(text[q:s]) and _word_start(text, q, tokens) \
                and not _countryside(text, q, s, tokens) \
                and gaz.lookup(text[q:s] + suffix, levels=levels):
            return q
    start = _noun_stem(text, s, floor, tokens)
    if start is not None and _ordinary_word(text[start:s], text[start:s + len(suffix)]):
        return None
    return start


def _countryside(text: str, q: int, s: int, tokens: TokenIndex) -> bool:
    """同|乡村, 和美|乡村: the common word 乡村/农村 with one character or a function word
    before it, not a village of that name (the gazetteer has 同乡村 and 美乡村 somewhere)."""
    glued = tokens.covering(s)
    if glued is None or glued.start >= s or glued.word not in ("乡村", "农村"):
        return False
    first = tokens.starting_at(q)
    return glued.start - q <= 1 or (first is not None and first.flag[:1] in ("p", "c", "u"))


COMMON_NAME_WORD = 50  # jieba frequency from which a name-shaped word is an ordinary word
COMMON_STEM = 5000  # 世界, 艺术: a stem this common is a noun, not a name


def _ordinary_word(stem: str, name: str) -> bool:
    """度假村, 小城镇, 上山下乡, 世界|村, 艺术|村: a name the gazetteer does not know that is a
    common word of jieba's dictionary, or a very common noun plus the suffix."""
    return word_frequency(name) >= COMMON_NAME_WORD or word_frequency(stem) >= COMMON_STEM


def _word_start(text: str, q: int, tokens: TokenIndex) -> bool:
    """集中|乡村 is no 中乡村: a name found in the gazetteer must start where a word starts."""
    return q == 0 or not _cjk(text[q - 1]) or tokens.starting_at(q) is not None


def _noun_stem(text, s, floor, tokens: TokenIndex) -> int | None:
    """The noun tokens right before the suffix, when the gazetteer does not know the name."""
    tok = tokens.ending_at(s)
    if tok is None:
        tok = tokens.covering(s)  # jieba glued stem and suffix: 东和村
        if tok is None or tok.start >= s:
            return None
        start = tok.start
        prev = tokens.ending_at(start)
        if s - start < 2 and text[s] == "村" and prev is not None and prev.flag in NAME_FLAGS \
                and len(prev.word) <= 3 and text[start] not in GLUE_STOP \
                and prev.word[-1] not in "省市州县区旗镇乡村":
            start = prev.start  # 张|村村, 敦木|山村: a name word, then the glued last character
    else:
        if tok.flag not in NOUN_FLAGS:
            return None
        start = tok.start
        prev = tokens.ending_at(start)
        if s - start < 2 and prev is not None and prev.flag in NOUN_FLAGS | {"m"} and len(prev.word) == 1:
            start = prev.start
    if start < floor or s - start < 2 or text[start:s] in lexicon.clause_verbs():
        return None
    return start if _good_stem(text[start:s]) else None


def _zone_start(text: str, s: int, max_stem: int, tokens: TokenIndex, ends: dict) -> int | None:
    """All the noun words before a zone or landmark suffix, and the place that prefixes
    them if any: 铜山|战斗|纪念馆, 永修县|有机硅|产业|园区, 溧水|经济开发区."""
    floor = _left_floor(text, s, max_stem)
    start, pos = None, s
    while pos > floor:
        if pos in ends:
            return ends[pos].start
        tok = tokens.ending_at(pos)
        if tok is None or tok.start < floor or tok.word in lexicon.clause_verbs() \
                or tok.flag not in NOUN_FLAGS | {"m", "vn", "a"}:
            break
        start, pos = tok.start, tok.start
    if start is None or s - start < 2 or text[start] in FUNCTION_CHARS:
        return None
    return start


def _left_floor(text: str, s: int, max_stem: int) -> int:
    floor = max(0, s - max_stem)
    for q in range(s - 1, floor - 1, -1):
        if not _cjk(text[q]) or text[q] in TRAILING_BLOCK and q == s - 1:
            return q + 1
    return floor


def _chain_stem(stem: str) -> bool:
    """A stem between a place and a suffix (三江镇|东和|村): any name but a generic word
    or a phrase (六户镇|辖区内的|村居)."""
    return 0 < len(stem) <= 4 and all(_cjk(c) for c in stem) and stem not in STEM_STOP \
        and "的" not in stem \
        and not _numeric(stem) and stem[0] not in FUNCTION_CHARS \
        and not any(stem.startswith(w) for w in STEM_STOP if len(w) >= 2) \
        and not (len(stem) > 1 and stem[-1] in "乡镇村县区市")  # 重点|乡镇: a generic compound


def _verb_stem(tokens: TokenIndex, q: int, s: int) -> bool:
    """湘东区|深化|社区, 东南村|下辖|自然村: a verb after a place starts a clause, not a name."""
    tok = tokens.starting_at(q)
    if tok is not None and tok.word in lexicon.clause_verbs():
        return True
    return tok is not None and tok.end <= s and tok.flag[:1] in ("v", "d", "p", "c")


def _numeric(stem: str) -> bool:
    """三个村, 10多个村, 一方社区: a count, not a name (三江镇 and 十室村 are names)."""
    return stem[-1] in "个多几余" or all(c in NUMERALS for c in stem) or stem[0] == "一"


def _good_stem(stem: str) -> bool:
    if not stem or stem in STEM_STOP or stem[-1] in TRAILING_BLOCK or stem[-1] in GENERIC_ENDS:
        return False
    if _numeric(stem) or stem.endswith(_LONG_STEM_STOP):
        return False
    if _GENERIC_PART.search(stem):
        return False
    if stem[0] in FUNCTION_CHARS:
        return False
    return all(_cjk(c) for c in stem)


def _gazetteer_levels(level: PlaceLevel) -> set[PlaceLevel]:
    if level is PlaceLevel.TOWNSHIP:
        return {PlaceLevel.TOWNSHIP}
    return {PlaceLevel.VILLAGE, PlaceLevel.COMMUNITY}


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


LEVEL_ORDER = [PlaceLevel.PROVINCE, PlaceLevel.PREFECTURE, PlaceLevel.COUNTY, PlaceLevel.TOWNSHIP,
               PlaceLevel.VILLAGE, PlaceLevel.COMMUNITY, PlaceLevel.RESIDENTIAL, PlaceLevel.OTHER]


def _level_rank(level: PlaceLevel) -> int:
    return LEVEL_ORDER.index(level)


REGION_RE = re.compile(r"(?:[东西南北]北|[东西南北]南|华[东西南北中]|[粤苏浙闽赣湘鄂豫冀晋陕甘川黔滇桂辽吉黑鲁皖琼青藏新蒙宁渝沪津京][东西南北中]+)地区")


LISTED_RE = re.compile(r"((?:[\u4e00-\u9fff]{2,4}、)+[\u4e00-\u9fff]{2,4})等(?:[0-9一二三四五六七八九十两]+个)?(村|社区)")


def propose_listed(text: str, tokens: TokenIndex) -> list[Mention]:
    """神堂、武王、小许、东辛集等4个村: each listed stem names a village (小许村)."""
    out = []
    for m in LISTED_RE.finditer(text):
        if _compound_after(text, m.end(2), tokens):
            continue  # 张明、李华、王强等村干部: 村干部 is a word; these are people
        suffix, pos = m.group(2), m.start(1)
        level = PlaceLevel.COMMUNITY if suffix == "社区" else PlaceLevel.VILLAGE
        stems = m.group(1).split("、")
        first = stems[0]  # 联合|神堂: the first item starts at the shortest word break
        cut = next((i for i in range(len(first) - 2, -1, -1) if tokens.starting_at(pos + i)), 0)
        stems[0], pos = first[cut:], pos + cut
        for stem in stems:
            if _good_stem(stem):
                out.append(Mention(pos, pos + len(stem), stem, EntityType.PLACE, "listed",
                                   (("canonical", stem + suffix), ("level", str(level)))))
            pos += len(stem) + 1
    return out


LEVEL_WORD_FLAGS = {"n", "vn", "nz", "ng", "j"}


def _compound_after(text: str, end: int, tokens: TokenIndex) -> bool:
    """村 or 社区 at `end` opens a longer noun (村干部, 村民, 社区居民) rather than standing
    alone (等4个村开展, 等村的)."""
    glued = tokens.covering(end - 1)
    if glued is not None and glued.end > end:
        return True
    nxt = tokens.starting_at(end)
    return nxt is not None and nxt.flag in LEVEL_WORD_FLAGS


def propose_regions(text: str) -> list[Mention]:
    """Named regions (粤北地区, 东北地区): places of level `other`."""
    return [Mention(m.start(), m.end(), m.group(), EntityType.PLACE, "region",
                    (("level", str(PlaceLevel.OTHER)),)) for m in REGION_RE.finditer(text)]
