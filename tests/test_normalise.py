"""kg.normalise: repairs by deletion or one-for-one replacement, with an exact offset map."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.normalise import continues, normalise

from normalise_by_pairs import normalise_by_pairs  # tests/ is on the path

BODY = "此外，对一些年轻基层干部而言，阅历不足、业务不精、能力不强等问题较为普遍。杭"
REST = "州市临安区於潜镇党建办干部厉露露坦言：“我毕业后直接到机关参加工作。”"

REPAIRS = [  # source, normalised
    ("鞍山市海城 市岔沟镇", "鞍山市海城市岔沟镇"),
    ("本报记者 张 驰", "本报记者张驰"),
    ("研究出台《激励全省干部》 ，推动", "研究出台《激励全省干部》，推动"),
    ("“好。”　他说", "“好。”他说"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("\ufeff你\x00好", "你好"),
    ("ＡＢＣ１２３号", "ABC123号"),
    ("他说,好的;对吗?对!", "他说，好的；对吗？对！"),
    ("21个村(社区)受灾", "21个村（社区）受灾"),
    ('他说:"去年3月,开工。"', "他说：“去年3月，开工。”"),
    ("于涵任科员。\"", "于涵任科员。”"),
    ("村‘两委’和'三资'清理", "村‘两委’和‘三资’清理"),
    ("沈阳文旅市场人气很旺, 累计接待", "沈阳文旅市场人气很旺，累计接待"),
    ("3,000 apples, 2 pears", "3,000 apples, 2 pears"),
    ("version 1.0   beta", "version 1.0 beta"),
    ("上线300P 普惠算力", "上线300P 普惠算力"),
    ("  你好  \n", "你好\n"),
    ("## 江西萍乡市湘东区", "## 江西萍乡市湘东区"),
    ("第一段。\n\n第二段。", "第一段。\n\n第二段。"),
    (f"{BODY}\n\n{REST}", BODY + REST),
    (f"{BODY}\n  \n\n{REST}", BODY + REST),
]

JOINS = [  # line before, line after, joined?
    (BODY, REST, True),
    ("减负不是减担当，浙江将严管与厚爱结合，坚持激励与约束并重，为能作为善作为的",
     "力开展工作抓落实。", True),
    ("做好了规划，乡里组织村干部和党员代表商量，最后把事情定下来，", REST, True),
    (BODY, "# 标题", False),
    (BODY[:-1], REST, False),  # ends with 。
    (BODY + "”", REST, False),  # closing quote
    (BODY, "“我毕业后直接到机关参加工作。”", False),  # next starts with a quote
    ("党员示范引领 打造群众满意窗口",
     "石路 强调研、重服务、解困难，上海市崇明区东平镇党委开展活动。", False),
    ("本报记者 肖家鑫", "棚外寒风呼啸，棚内温暖如春。", False),
    ("山西长治市压实各级党组织书记责任，推进乡村全面振兴见实效",
     "强基固本促发展 产业铺就富民路", False),
    ("桑彦军找到小常村党支部书记王桂文",
     "做工作：“你相不相信镇党委？有问题，我们来帮着解决。”", True),
    ("", REST, False),
]

ALPHABET = list("村镇党委书记张驰海城市。，、！？；：…“”‘’（）《》,;:?!()\"'#ab1０Ａ ") + [
    "\n", "\r", "\t", "\u3000", "\ufeff", "\x00", "\xa0"]
ONE_FOR_ONE = {  # source char -> normalised chars it may become
    ",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）",
    '"': "“”", "'": "‘’", "\r": "\n", "\t": " ", "\u3000": " ", "\xa0": " ",
}


def _allowed(src: str, norm: str) -> bool:
    if src == norm or norm in ONE_FOR_ONE.get(src, ""):
        return True
    if norm == " ":
        return src.isspace() and src != "\n"  # a run of spaces collapses to one
    return ord(src) - ord(norm) == 0xFEE0 and norm.isalnum()  # full-width letter/digit


@pytest.mark.parametrize(("source", "expected"), REPAIRS)
def test_normalise_repairs(source, expected):
    assert normalise(source)[0] == expected


@pytest.mark.parametrize(("before", "after", "joined"), JOINS)
def test_continues_joins_only_body_lines_cut_mid_sentence(before, after, joined):
    assert continues(before, after) is joined


def test_normalise_map_points_past_deleted_spaces():
    text, omap = normalise("鞍山市海城 市岔沟镇")
    assert [omap.to_source(i) for i in range(len(text) + 1)] == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10]


def test_normalise_map_recovers_a_name_after_the_byline_space():
    source = "本报记者 肖家鑫\n\n棚外寒风呼啸。"
    text, omap = normalise(source)
    start = text.index("肖家鑫")
    assert source[omap.to_source(start):omap.to_source(start + 3)] == "肖家鑫"


def test_normalise_repairs_snippet_of_example_003():
    page = Path(__file__).resolve().parent.parent / "examples" / "003_1ccae35161038393.txt"
    source = page.read_text(encoding="utf-8")
    text, omap = normalise(source)
    assert "鞍山市海城 市岔沟镇" in source
    assert "在辽宁省鞍山市海城市岔沟镇，副镇长于涵正" in text
    assert "本报记者张驰\n" in text  # choice: all spaces between CJK go, bylines too
    start = text.index("鞍山市海城市")
    assert source[omap.to_source(start):omap.to_source(start + 6)] == "鞍山市海城 市"


def test_normalise_empty_text_gives_identity_map():
    text, omap = normalise("")
    assert text == ""
    assert omap.to_source(0) == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET) | st.characters(), max_size=80))
def test_normalise_map_is_exact_and_monotonic(source):
    text, omap = normalise(source)
    positions = [omap.to_source(i) for i in range(len(text))]
    assert len(text) <= len(source)
    assert all(0 <= p < len(source) for p in positions)
    assert positions == sorted(set(positions))  # strictly increasing: deletions only
    for i, p in enumerate(positions):
        assert _allowed(source[p], text[i]), (i, source[p], text[i])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=80))
def test_normalise_is_idempotent_on_its_own_output_length(source):
    once, _ = normalise(source)
    twice, omap = normalise(once)
    # a second pass may still join lines the first joined into, but never grows the text
    assert len(twice) <= len(once)
    assert all(omap.to_source(i) < len(once) for i in range(len(twice)))


_MIXED = st.lists(st.sampled_from(list("村民说好。，,;:?!()\"'ａ１Ｚ9x ") + [
    "\r", "\n", "\r\n", "\ufeff", "\x00", "\t", "\u3000", "\xa0", "\x1c",
    "这是一段足够长的正文句子被切断在这里", "。"]), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_MIXED)
def test_string_wise_repairs_equal_the_former_pair_by_pair_ones(text):
    assert normalise(text) == normalise_by_pairs(text)


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "examples").glob("*.txt")),
                         ids=lambda p: p.name[:3])
def test_string_wise_repairs_equal_the_former_ones_on_every_example(path):
    text = path.read_text(encoding="utf-8")
    assert normalise(text) == normalise_by_pairs(text)
