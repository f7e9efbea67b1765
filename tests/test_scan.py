"""The lexicon scanner: longest match at each position, left to right."""
from __future__ import annotations

from kg.recognise.scan import WordScanner


def test_the_longest_word_wins_and_scanning_resumes_after_it():
    scanner = WordScanner(["书记", "副书记", "党支部书记", "党支部"])
    assert list(scanner.find_all("村党支部书记和副书记")) == [
        (1, 6, "党支部书记"), (7, 10, "副书记")]


def test_overlapping_scan_reports_a_match_at_every_position():
    scanner = WordScanner(["书记", "副书记"])
    assert list(scanner.find_all("副书记", overlapping=True)) == [(0, 3, "副书记"), (1, 3, "书记")]


def test_a_word_cut_off_by_the_end_of_the_text_is_no_match():
    scanner = WordScanner(["第一书记"])
    assert list(scanner.find_all("驻村第一书")) == []
    assert scanner.match_at("第一书记", 0) == "第一书记"
    assert scanner.match_at("第一书记", 9) is None


def test_ending_at_finds_the_longest_word_ending_there():
    scanner = WordScanner(["书记", "党支部书记"])
    assert scanner.ending_at("村党支部书记", 6) == "党支部书记"
