"""The user cache: derived tables kept between processes, never trusted when stale or damaged."""
from __future__ import annotations

import pytest

from kg import lexicon, usercache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(folder))
    return folder


def test_a_value_comes_back_under_its_key_only(cache):
    key = usercache.key_of(b"data", "code")
    usercache.write_json("table", key, {"a": [1, 2]})
    assert usercache.read_json("table", key) == {"a": [1, 2]}
    assert usercache.read_json("table", usercache.key_of(b"new data", "code")) is None


def test_a_damaged_entry_is_not_trusted(cache):
    key = usercache.key_of(b"data")
    usercache.write_json("table", key, ["x" * 100])
    (entry,) = cache.glob("table-*.json")
    blob = bytearray(entry.read_bytes())
    blob[-5] ^= 1
    entry.write_bytes(bytes(blob))
    assert usercache.read_json("table", key) is None
    entry.write_bytes(b"")
    assert usercache.read_json("table", key) is None


def test_a_new_entry_replaces_the_old_one(cache):
    usercache.write_json("table", usercache.key_of(b"old"), 1)
    usercache.write_json("table", usercache.key_of(b"new"), 2)
    assert len(list(cache.glob("table-*.json"))) == 1


def test_caching_off_or_unwritable_only_means_uncached(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    usercache.write_json("table", "k", 1)
    assert usercache.read_json("table", "k") is None
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "cache"))
    usercache.write_json("table", "k", 1)  # no error
    assert usercache.read_json("table", "k") is None


def test_dictionary_names_from_the_cache_equal_the_derived_ones(cache):
    lexicon.dictionary_names.cache_clear()
    derived = lexicon.dictionary_names()
    assert list(cache.glob("dictionary-names-*.json"))
    lexicon.dictionary_names.cache_clear()
    assert lexicon.dictionary_names() == derived
    lexicon.dictionary_names.cache_clear()
