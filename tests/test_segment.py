"""kg.segment: a page -> articles with headline, byline, dateline and sentences."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import Document
from kg.normalise import normalise
from kg.segment import segment, split_sentences

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BODY = "棚外寒风呼啸，棚内温暖如春。近日，不少市民来到大棚采摘。"

BYLINES = [  # byline line under "## 标题", expected names
    ("本报记者 肖家鑫", ("肖家鑫",)),
    ("本报记者 张 驰", ("张驰",)),
    ("本报记者 周应良 李群映", ("周应良", "李群映")),
    ("本报记者 苏滨摄影报道", ("苏滨",)),
    ("本报记者 王梅摄", ("王梅",)),
    ("本报北京2月7日电（记者张天培）记者从公安部获悉。", ("张天培",)),
    ("本报南昌2月7日电 (记者周欢、李四)江西萍乡市深化党建。", ("周欢", "李四")),
]

DATES = [  # document date, dateline line, expected article date
    ("2024", "本报北京2月7日电（记者张天培）正文。", "2024-02-07"),
    ("2024-02-08", "本报北京2月7日电（记者张天培）正文。", "2024-02-08"),
    ("", "本报北京2月7日电（记者张天培）正文。", ""),
    ("2024", "本报记者 张天培", "2024"),
]

SENTENCES = [  # paragraph, sentences
    ("你好。他说：“好。”然后", ["你好。", "他说：“好。”", "然后"]),
    ("“问题有哪些？”“怎么办。”……近日，开会。", ["“问题有哪些？”", "“怎么办。”……", "近日，开会。"]),
    ("一是抓落实；二是抓考核！", ["一是抓落实；", "二是抓考核！"]),
    ("没有句号", ["没有句号"]),
    ("", []),
]

SPLITS = [  # page, expected titles (one per article; "" for an untitled lead article)
    (f"## 甲地开展工作\n\n本报记者 肖家鑫\n\n{BODY}\n\n## 乙地开展工作\n\n本报记者 王梅\n\n{BODY}",
     ["甲地开展工作", "乙地开展工作"]),
    (f"{BODY}\n\n## 乙地开展工作\n\n本报记者 王梅\n\n{BODY}", ["", "乙地开展工作"]),
    (f"## 甲地开展工作\n\n本报记者 肖家鑫\n\n{BODY}\n\n## 健全考核机制，树立导向\n\n{BODY}",
     ["甲地开展工作"]),
    (f"## 甲地\n\n本报记者 肖家鑫\n\n{BODY}\n\n图片均为新华社记者颜麟蕴摄\n\n## 乙地新闻\n\n{BODY}",
     ["甲地", "乙地新闻"]),
    (f"## 搬新居 迎新春\n\n{BODY}\n\n上图为新房。\n\n图片均为新华社记者颜麟蕴摄\n\n"
     f"## 公安机关严打犯罪\n\n本报北京2月7日电（记者张天培）{BODY}",
     ["搬新居迎新春", "公安机关严打犯罪"]),
    (f"{BODY}\n\n# 以组织担当激励干部担当\n\n{BODY}", ["", "以组织担当激励干部担当"]),
    (f"新春走基层\n\n## 浙江多措并举——\n\n# 关爱激励出实招\n\n本报记者 实瀚洋\n\n{BODY}",
     ["关爱激励出实招"]),
    (f"## 江西萍乡市湘东区\n\n## 深化党建联建\n\n本报南昌2月7日电（记者周欢）{BODY}",
     ["深化党建联建"]),
    (f"## 甲地开展工作\n\n一段导语，说明情况\n\n本报记者 肖家鑫\n\n{BODY}", ["甲地开展工作"]),
    (f"{BODY}\n\n党建视窗\n\n既是“诸葛会”也是“会诊室”\n\n——山东省东营市东营区“村书记论坛”\n\n"
     f"李慧斌\n\n{BODY}", ["", "既是“诸葛会”也是“会诊室”"]),
    (f"{BODY}\n\n本报记者 肖家鑫\n\n{BODY}", [""]),  # a byline needs a headline above it
    (f"## 甲地\n\n本报记者 肖家鑫\n\n本报记者 王梅\n\n{BODY}", ["甲地"]),
]


def _doc(text: str, **extra: str) -> Document:
    return Document(id="p", source="p.txt", text=text, **extra)


def _sentences(article) -> list[str]:
    return [article.sentence_text(i) for i in range(len(article.sentences))]


@pytest.mark.parametrize(("byline", "names"), BYLINES)
def test_segment_reads_byline_names(byline, names):
    [article] = segment(_doc(f"## 标题\n\n{byline}\n\n{BODY}"))
    assert article.byline == names


def test_segment_reads_photo_credit_and_bare_author_names():
    page = f"## 搬新居\n\n{BODY}\n\n图片均为新华社记者颜麟蕴摄"
    assert segment(_doc(page))[0].byline == ("颜麟蕴",)
    page = f"云南大理：党建引领为民解忧\n\n周应良 李群映\n\n{BODY}"
    assert segment(_doc(page))[0].byline == ("周应良", "李群映")


@pytest.mark.parametrize(("doc_date", "line", "expected"), DATES)
def test_segment_article_date_from_record_or_dateline(doc_date, line, expected):
    [article] = segment(_doc(f"## 标题\n\n{line}\n\n{BODY}", date=doc_date))
    assert article.date == expected


def test_segment_keeps_dateline_url_and_source():
    [article] = segment(_doc(f"## 标题\n\n本报北京2月7日电（记者张天培）{BODY}", url="http://x"))
    expected = ("本报北京2月7日电", "http://x", "p.txt")
    assert (article.dateline, article.url, article.source) == expected


@pytest.mark.parametrize(("paragraph", "expected"), SENTENCES)
def test_split_sentences_keeps_closing_quotes_with_their_sentence(paragraph, expected):
    assert [paragraph[s:e] for s, e in split_sentences(paragraph)] == expected


@pytest.mark.parametrize(("page", "titles"), SPLITS)
def test_segment_splits_page_into_articles(page, titles):
    assert [a.title for a in segment(_doc(page))] == titles


def test_segment_ids_are_doc_id_alone_or_numbered_from_01():
    assert [a.id for a in segment(_doc(BODY))] == ["p"]
    assert [a.id for a in segment(_doc(SPLITS[0][0]))] == ["p-01", "p-02"]


def test_segment_single_article_keeps_the_record_title():
    [article] = segment(_doc(f"## 页面标题\n\n{BODY}", title="记录标题"))
    assert article.title == "记录标题"


@pytest.mark.parametrize("text", ["", "a", "。", "\n\n", "#", "本报记者"])
def test_segment_tiny_document_gives_one_article_and_never_raises(text):
    [article] = segment(_doc(text))
    assert article.id == "p"
    assert article.text == text.strip()
    assert all(s.end <= len(article.text) for s in article.sentences)


def test_segment_headings_are_sentences_and_paragraphs_are_counted():
    [article] = segment(_doc(f"## 甲地开展工作\n\n本报记者 肖家鑫\n\n{BODY}"))
    assert _sentences(article) == ["甲地开展工作", "本报记者肖家鑫",
                                   "棚外寒风呼啸，棚内温暖如春。", "近日，不少市民来到大棚采摘。"]
    assert [s.paragraph for s in article.sentences] == [0, 1, 2, 2]


def test_segment_article_text_is_a_slice_of_the_normalised_page_with_a_shifted_map():
    page = SPLITS[0][0].replace("本报记者 王梅", "本报记者 王 梅")
    text, _ = normalise(page)
    for article in segment(_doc(page)):
        start = text.index(article.text)
        assert article.text == text[start:start + len(article.text)]
        name = article.byline[0]
        s = article.text.index(name)
        src_start, src_end = article.source_span(s, s + len(name))
        assert page[src_start:src_end].replace(" ", "") == name


# --- golden: examples/000 -------------------------------------------------------------

ARTICLES_PER_EXAMPLE = {"000": 7, "001": 4, "002": 5, "003": 4, "004": 4}
GOLDEN_000 = [  # title, byline, dateline
    ("", (), ""),
    ("山东济南市将人大代表工作站建在产业链上发挥专业优势助力产业发展", ("肖家鑫",), ""),
    ("关爱激励出实招扎根一线出实绩", ("实瀚洋",), ""),
    ("青海海东市乐都区把精干力量派到基层支持驻村干部履职尽责", ("王梅",), ""),
    ("搬新居迎新春", ("颜麟蕴",), ""),
    ("公安机关严打节日期间侵权假冒犯罪", ("张天培",), "本报北京2月7日电"),
    ("深化党建联建推进社区治理", ("周欢",), "本报南昌2月7日电"),
]


def _example(prefix: str) -> Document:
    [path] = EXAMPLES.glob(f"{prefix}_*.txt")
    return Document(id=path.stem, source=str(path), text=path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("prefix", "count"), sorted(ARTICLES_PER_EXAMPLE.items()))
def test_segment_example_pages_article_counts(prefix, count):
    articles = segment(_example(prefix))
    assert len(articles) == count, [a.title for a in articles]
    assert all(a.text.strip() and a.sentences for a in articles)


def test_segment_golden_000_titles_bylines_datelines():
    actual = [(a.title, a.byline, a.dateline) for a in segment(_example("000"))]
    only_expected = [row for row in GOLDEN_000 if row not in actual]
    only_actual = [row for row in actual if row not in GOLDEN_000]
    assert actual == GOLDEN_000, f"only expected: {only_expected}\nonly actual: {only_actual}"


@pytest.mark.parametrize("span", ["肖家鑫", "历城区董家街道", "临安区於潜镇", "杭州市临安区"])
def test_segment_golden_000_mentions_map_back_to_the_source(span):
    doc = _example("000")
    article = next(a for a in segment(doc) if span in a.text)
    start = article.text.index(span)
    src_start, src_end = article.source_span(start, start + len(span))
    # a span with a repair inside (the cut "杭\n\n州") maps to source with that repair undone
    assert doc.text[src_start:src_end].replace("\n", "") == span


def test_segment_golden_000_span_without_repairs_is_identical_in_source():
    doc = _example("000")
    article = segment(doc)[1]
    start = article.text.index("草莓种植户张化深")
    src_start, src_end = article.source_span(start, start + 8)
    assert doc.text[src_start:src_end] == "草莓种植户张化深"
    assert src_end - src_start == 8
