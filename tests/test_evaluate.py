"""Evaluation tables on small slices of the shared data (skipped without ../shared)."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg import evaluate

SHARED = Path(kg.__file__).resolve().parents[1].parent / "shared"
needs_shared = pytest.mark.skipif(not (SHARED / "datasets").is_dir(),
                                  reason="../shared/datasets not present")
SLICE = 200

TAGS = [  # tags, spans by label
    (["B-PER", "I-PER", "O", "B-LOC"], {"PER": ((0, 2),), "LOC": ((3, 4),)}),
    (["B-LOC", "B-LOC"], {"LOC": ((0, 1), (1, 2))}),  # 欧 B-LOC 美 B-LOC: two places
    (["B-NAME", "M-NAME", "E-NAME", "S-ORG"], {"NAME": ((0, 3),), "ORG": ((3, 4),)}),
    (["O", "I-ORG", "I-ORG"], {"ORG": ((1, 3),)}),
]


@pytest.mark.parametrize("tags,spans", TAGS)
def test_bio_and_bmes_tags_become_spans(tags, spans):
    assert evaluate._tagged_spans(tags) == spans


def test_score_counts_exact_spans_only():
    score = evaluate.Score()
    score.add([(0, 2), (3, 5)], [(0, 2), (3, 6)])
    assert score.as_dict() == {"p": 0.5, "r": 0.5, "f1": 0.5, "tp": 1, "n_sys": 2,
                                    "n_gold": 2}


def test_combined_keeps_rule_persons_and_adds_crf_spans_that_overlap_none():
    found = {"Person": [(0, 2)], "crf": [(0, 3), (5, 7)], "Place": [], "Organization": [],
             "Post": []}
    assert evaluate.POLICIES["combined"]("王海军说张伟来", found) == [(0, 2), (5, 7)]


def _prf_ok(row: dict) -> None:
    assert all(0.0 <= row[k] <= 1.0 for k in ("p", "r", "f1"))
    assert row["tp"] <= min(row["n_sys"], row["n_gold"])


@needs_shared
def test_peoples_daily_counts_match_its_source_note():
    data = evaluate.read_tagged(SHARED / evaluate.PD_TEST)
    assert len(data) == 4636
    assert sum(len(x.of("PER")) for x in data) == 1864


@needs_shared
def test_cluener_dev_has_145_position_name_pairs():
    data = evaluate.read_cluener(SHARED / evaluate.CLUENER_DEV)
    assert all(x.text[s:e] for x in data for spans in x.spans.values() for s, e in spans)
    assert sum(len(evaluate.gold_pairs(x)) for x in data) == 145


@needs_shared
def test_peoples_daily_table_on_a_slice():
    result = evaluate.peoples_daily(shared=SHARED, limit=SLICE, processes=1)
    gold = sum(len(x.of("PER")) for x in evaluate.read_tagged(SHARED / evaluate.PD_TEST)[:SLICE])
    assert result["sentences"] == SLICE
    for name in evaluate.SYSTEMS:
        row = result[f"Person: {name}"]
        _prf_ok(row)
        assert row["n_gold"] == gold
    _prf_ok(result["Place (LOC)"])
    _prf_ok(result["Organization (ORG)"])
    lone = sum(1 for x in evaluate.read_tagged(SHARED / evaluate.PD_TEST)[:SLICE]
               for s, e in x.of("PER") if e - s == 1)
    assert result["Person: system, 2+ chars"]["n_gold"] == gold - lone
    assert result["Person: system, 2+ chars"]["n_sys"] == result["Person: system"]["n_sys"]


@needs_shared
def test_cluener_pair_table_on_a_slice():
    result = evaluate.cluener_pairs(shared=SHARED, limit=SLICE, processes=1)
    data = evaluate.read_cluener(SHARED / evaluate.CLUENER_DEV)[:SLICE]
    assert result["pairs"] == sum(len(evaluate.gold_pairs(x)) for x in data) > 0
    for name in evaluate.SYSTEMS:
        row = result[f"pairs: {name}"]
        assert 0.0 <= row["recall"] <= 1.0 and 0.0 <= row["precision"] <= 1.0
        assert row["n_gold"] == result["pairs"] and row["found"] <= row["n_gold"]


@needs_shared
def test_seed_gold_table_has_every_type():
    result = evaluate.seed_gold(shared=SHARED)
    for name in ("Person", "Place", "Organization", "Initiative", "holds_post"):
        assert 0.0 <= result[name]["f"] <= 1.0 and result[name]["n_gold"] > 0


@needs_shared
def test_text_tables_print_every_row():
    text = evaluate.format_tables({"pd": evaluate.peoples_daily(shared=SHARED, limit=20,
                                                                processes=1)})
    assert "Person: combined" in text and "Place (LOC)" in text
