"""jieba tokens: the faster HMM decoder gives jieba's own result, so tokens are unchanged."""
from __future__ import annotations

import importlib

import jieba.posseg
import pytest

from kg.recognise.tokens import tokenize
from kg.recognise.viterbi import Decoder

RUNS = [
    "张化深", "陆如献", "黄家瑛说", "许昌", "魏都区", "上帅镇东南村",  # names and places
    "奥巴马", "育亭·维沙蓬", "米兰昆德拉",  # transliterations
    "的", "甲", "😀", "abc", "Ａ", "一二三四五六七八九十", "卍卐",  # single, unknown, odd chars
    "村民陆如献介绍说今年收成好", "驻村第一书记王晓明带领群众", "赵老伯",
]


# jieba's own decoder
jieba_viterbi = importlib.import_module("jieba.posseg.viterbi")


def _decoder() -> Decoder:
    return Decoder(jieba.posseg.char_state_tab_P, jieba.posseg.start_P,
                   jieba.posseg.trans_P, jieba.posseg.emit_P)


@pytest.mark.parametrize("run", RUNS)
def test_decoder_returns_jiebas_probability_and_route(run):
    expected = jieba_viterbi.viterbi(run, jieba.posseg.char_state_tab_P, jieba.posseg.start_P,
                                     jieba.posseg.trans_P, jieba.posseg.emit_P)
    assert _decoder().decode(run) == expected


def test_decoder_agrees_with_jieba_on_every_run_of_a_text():
    text = ("广东省清远市连山壮族瑶族自治县上帅镇东南村党支部书记黄家瑛介绍，"
            "种植户张化深去年收入翻番。记者钟自炜、侯琳良报道。阿卜杜拉·哈米德表示欢迎。")
    decoder = _decoder()
    for start in range(len(text)):
        for end in range(start + 1, min(len(text), start + 8) + 1):
            run = text[start:end]
            assert decoder.decode(run) == jieba_viterbi.viterbi(
                run, jieba.posseg.char_state_tab_P, jieba.posseg.start_P,
                jieba.posseg.trans_P, jieba.posseg.emit_P), run


def test_tokens_tile_the_text_with_offsets():
    text = "村民陆如献介绍说，今年收成好。"
    tokens = tokenize(text)
    assert "".join(t.word for t in tokens) == text
    assert all(text[t.start:t.end] == t.word for t in tokens)
    assert [t.start for t in tokens[1:]] == [t.end for t in tokens[:-1]]
