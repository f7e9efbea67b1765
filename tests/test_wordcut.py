"""The word cut gives jieba.posseg's own words and flags, so every token is unchanged."""
from __future__ import annotations

from pathlib import Path

import jieba.posseg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.recognise.tokens import _cutter, tokenize

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.txt"))
# Han text with names and places, Latin, digits, the block characters +#&._, spaces of
# several kinds, Windows and Unix line ends, full-width forms and characters jieba lacks.
ALPHABET = list("中国人民村党支部书记王小明张化深许昌魏都区上帅镇的了是在一二三") + list(
    "abcXYZ019+#&._-%") + [" ", "\t", "\u3000", "\r\n", "\n", "\r", "，", "。", "Ａ", "１",
                           "😀", "卍", "·", "《", "》"]


def jieba_words(text: str) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in jieba.posseg.cut(text)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name[:3])
def test_cut_equals_jieba_posseg_on_every_example_page(path):
    text = path.read_text(encoding="utf-8")
    assert _cutter().cut(text) == jieba_words(text)


@pytest.mark.parametrize("text", ["", "a", "１２", "\r\n", " \r\n\t", "A.B_C&D+E#F",
                                  "3.14万元", "iPhone手机", "育亭·维沙蓬", "😀😀中",
                                  "村民陆如献介绍说今年收成好", "卍卐卍卐"])
def test_cut_equals_jieba_posseg_on_edge_cases(text):
    assert _cutter().cut(text) == jieba_words(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_cut_equals_jieba_posseg_on_any_mix_of_scripts(text):
    assert _cutter().cut(text) == jieba_words(text)


def test_tokens_tile_the_text_with_jiebas_words():
    text = EXAMPLES[0].read_text(encoding="utf-8")
    tokens = tokenize(text)
    assert "".join(t.word for t in tokens) == text
    assert all(text[t.start:t.end] == t.word for t in tokens)
    assert [(t.word, t.flag) for t in tokens] == jieba_words(text)
