"""The person CRF's label scores summed array-wise tag exactly as its feature strings do."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.recognise.person_model import (MAX_SENTENCE, MODEL_FILE, _tagger, char_features,
                                       sentence_spans, tag_persons_by_features,
                                       tag_persons_scored)
from kg.recognise.person_scores import LABELS, read_model, score_tables
from kg.recognise.tokens import tokenize

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.txt"))
# Surnames, given-name characters, posts and cues, transliteration characters, punctuation,
# digits and Latin, sentence ends and newlines: what the features look at.
ALPHABET = list("王张李欧阳司马村书记主任镇长说表示介绍记者村民尼克斯丁·，。！？；、：“”"
                "的了在和是一二三0123abcXY^$ \n") + ["第一书记", "党支部书记", "欧阳", "本报记者"]


def same(text: str, tokens=None) -> None:
    fast = tag_persons_scored(text, tokens)
    slow = tag_persons_by_features(text, tokens)
    assert [(s, e) for s, e, _ in fast] == [(s, e) for s, e, _ in slow]
    assert all(abs(a[2] - b[2]) < 1e-9 for a, b in zip(fast, slow))


def test_model_file_is_read_exactly_as_crfsuite_reports_it():
    with resources.as_file(resources.files("kg.data").joinpath(MODEL_FILE)) as file:
        labels, state, trans = read_model(file)
    info = _tagger().info()
    assert tuple(labels) == LABELS
    assert len(state) == len({a for a, _ in info.state_features})
    for (attr, label), weight in info.state_features.items():  # the dump rounds to 6 places
        assert state[attr][labels.index(label)] == pytest.approx(weight, abs=1e-6)
    for (a, b), weight in info.transitions.items():
        assert trans[labels.index(a), labels.index(b)] == pytest.approx(weight, abs=1e-6)


def dictionary_name_text() -> str:
    """Names of jieba's dictionary of every length the marks look at (2-4 Chinese, 2-8
    transliterated), side by side and inside sentences."""
    from kg.recognise.person_model import _name_index

    chinese, foreign, _, _ = _name_index()
    picked = [min(w for w in chinese if len(w) == n) for n in (2, 3, 4)]
    picked += [min(w for w in foreign if len(w) == n) for n in range(2, 9)
               if any(len(w) == n for w in foreign)]
    return "，".join(f"记者{w}说" for w in picked) + "。" + "".join(picked) + "。"


@pytest.mark.parametrize("text", [
    "本报记者王小明报道：村党支部书记欧阳丁说，尼克斯·丁来了。\n张三表示同意！",
    dictionary_name_text()], ids=["cues and compound surnames", "dictionary names"])
def test_scores_equal_the_sum_of_the_feature_weights(text):
    with resources.as_file(resources.files("kg.data").joinpath(MODEL_FILE)) as file:
        _, state, _ = read_model(file)
    tokens = tokenize(text)
    spans = sentence_spans(text)
    scores = score_tables().scores(text, tokens, spans)
    row = 0
    for start, end in spans:
        piece = text[start:end]
        toks = [t._replace(start=t.start - start, end=t.end - start) for t in tokens
                if start <= t.start and t.end <= end]
        for features in char_features(piece, toks):
            expected = sum((state.get(f, [0.0] * 3) for f in features), start=0.0 * scores[0])
            assert scores[row] == pytest.approx(expected, abs=1e-9)
            row += 1
    assert row == len(scores)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name[:3])
def test_tags_and_confidences_equal_the_feature_path_on_every_example(path):
    text = path.read_text(encoding="utf-8")
    same(text, tokenize(text))


def test_a_sentence_longer_than_a_chunk_is_tagged_alike():
    text = "村民王小明说，" * (MAX_SENTENCE // 7 + 20) + "。"
    same(text, tokenize(text))


def test_without_tokens_each_sentence_is_cut_on_its_own_alike():
    same("记者张天培报道。\n\n  \n驻村第一书记王晓明介绍，李华说好！")


def test_text_with_no_sentence_has_no_names():
    assert tag_persons_scored("   \n\n ", tokenize("   \n\n ")) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=60).map("".join))
def test_tags_equal_the_feature_path_on_any_text(text):
    same(text, tokenize(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.floats(-12, 12), min_size=2, max_size=2), min_size=1, max_size=6))
def test_a_sentence_is_skipped_only_when_every_labelling_but_all_o_scores_lower(rows):
    """Brute force over every labelling of a short sentence with the model's transitions."""
    from itertools import product

    import numpy as np

    with resources.as_file(resources.files("kg.data").joinpath(MODEL_FILE)) as file:
        _, _, trans = read_model(file)
    rel = np.array(rows)  # B-PER and I-PER scores over O
    state = np.hstack([np.zeros((len(rel), 1)), rel])

    def score(path):
        return sum(state[i, y] for i, y in enumerate(path)) + \
            sum(trans[a, b] for a, b in zip(path, path[1:]))

    all_o = score((0,) * len(rel))
    others = max(score(p) for p in product(range(3), repeat=len(rel)) if any(p))
    if score_tables().surely_no_name(rel, [len(rel)])[0]:
        assert others < all_o


def test_sentences_are_judged_each_on_its_own():
    import numpy as np

    tables = score_tables()
    quiet, loud = np.full((3, 2), -20.0), np.array([[-20.0, -20], [15, -20], [-20, 15]])
    assert tables.surely_no_name(np.vstack([quiet, loud, quiet]), [3, 3, 3]) == \
        [True, False, True]
