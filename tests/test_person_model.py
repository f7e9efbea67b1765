"""The person-name CRF: span decoding, sentence cutting, and tagging real sentences."""
from __future__ import annotations

from importlib import resources
from itertools import pairwise

import pytest

from kg.recognise.person_model import MODEL_FILE, bio_spans, sentence_spans, tag_persons
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
