"""The person-name CRF: span decoding, sentence cutting, and tagging real sentences."""
from __future__ import annotations

from importlib import resources
from itertools import pairwise

import pytest

from kg import lexicon
from kg.recognise.person_model import (MODEL_FILE, bio_spans, sentence_spans, tag_persons,
                                       tag_persons_scored)
from kg.recognise.tokens import tokenize

BIO = [
    (["O", "B-PER", "I-PER", "O"], [(1, 3)]),
    (["B-PER", "I-PER", "B-PER", "I-PER", "I-PER"], [(0, 2), (2, 5)]),  # two names side by side
    (["O", "I-PER", "I-PER"], [(1, 3)]),  # a stray I- opens a span
    (["O", "O"], []),
]


@pytest.mark.parametrize("labels,spans", BIO)
def test_bio_labels_become_half_open_spans(labels, spans):
    assert bio_spans(labels) == spans


def test_sentences_end_at_stops_and_long_ones_are_cut():
    text = "甲说。乙说！\n" + "丙" * 1200
    spans = sentence_spans(text)
    assert spans[:2] == [(0, 3), (3, 6)]
    assert all(e - s <= 500 for s, e in spans)
    assert spans[-1][1] == len(text)


NAMES = [
    ("国务院总理李鹏今天在人民大会堂会见了客人。", "李鹏"),
    ("村民陆如献说，今年的收成不错。", "陆如献"),
    ("该村党支部书记黄家瑛介绍，议事亭建成后大家常来商量事。", "黄家瑛"),
]


@pytest.mark.parametrize("text,name", NAMES)
def test_names_in_plain_sentences_are_tagged(text, name):
    assert name in [text[s:e] for s, e in tag_persons(text)]


def test_spans_are_the_same_with_tokens_of_the_whole_text():
    text = "".join(t for t, _ in NAMES) * 3
    assert tag_persons(text, tokenize(text)) == tag_persons(text)


def test_spans_lie_in_the_text_and_do_not_overlap():
    text = "".join(t for t, _ in NAMES) + "今天小雨转多云。" * 100
    spans = tag_persons(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_model_file_is_shipped_and_small():
    size = len(resources.files("kg.data").joinpath(MODEL_FILE).read_bytes())
    assert 0 < size < 5_000_000


def test_confidences_are_probabilities_and_spans_match_the_plain_tagger():
    text = "".join(t for t, _ in NAMES)
    scored = tag_persons_scored(text)
    assert [(s, e) for s, e, _ in scored] == tag_persons(text)
    assert scored and all(0.0 < c <= 1.0 for _, _, c in scored)


def test_dictionary_names_hold_chinese_and_transliterated_names():
    chinese, foreign, strength = lexicon.dictionary_names()
    assert len(chinese) > 10_000 and len(foreign) > 1_000
    assert all(c in strength for c in "斯尔娜")  # typical transliteration characters
    assert "的" not in strength and "村" not in strength


def _learned(text: str) -> list[str]:
    from kg.recognise.person_model import propose_learned_persons
    from kg.recognise.tokens import TokenIndex

    return [m.text for m in propose_learned_persons(text, TokenIndex(tokenize(text)), set(), [])]


def test_a_measure_word_after_a_numeral_is_not_a_surname():
    from kg.recognise.person_model import _looks_like_name

    assert not _looks_like_name("列出一张清单。", 3, 6)
    assert _looks_like_name("由张清单负责。", 1, 4)


def test_a_surname_with_a_kinship_word_is_not_a_learned_name():
    assert "赵老伯" not in _learned("赵老伯笑着说，日子越过越好。")


def test_a_learned_name_is_found_at_each_later_mention():
    text = "村民陆如献说，今年收成不错。陆如献还说，明年要扩大种植。"
    assert _learned(text).count("陆如献") == 2
