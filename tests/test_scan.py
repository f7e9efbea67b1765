"""The lexicon scanner: longest match at each position, left to right."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _scan_every_position(scanner: WordScanner, text: str, overlapping: bool):
    """find_all as a plain loop over every character (the definition)."""
    pos, out = 0, []
    while pos < len(text):
        w = scanner.match_at(text, pos)
        if w:
            out.append((pos, pos + len(w), w))
        pos += (1 if overlapping else len(w)) if w else 1
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="书记副党支部-]^\\a", min_size=1, max_size=4), max_size=6),
       st.text(alphabet="书记副党支部-]^\\ab村", max_size=30), st.booleans())
def test_jumping_between_first_characters_finds_what_every_position_finds(words, text, overlap):
    scanner = WordScanner(words)
    assert list(scanner.find_all(text, overlapping=overlap)) == \
        _scan_every_position(scanner, text, overlap)
    assert {s for s, _, _ in _scan_every_position(scanner, text, True)} <= \
        set(scanner.starts(text))
