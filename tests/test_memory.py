"""The build streams: no article outlives its document's turn, records are kept light,
and outputs are written a graph and a document at a time (the memory target of
docs/performance.md; benchmarks/run.py measures the figures, these check the shape)."""
from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path

from kg import incremental, triples
from kg.build import build

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_no_article_is_alive_once_the_corpus_is_merged(tmp_path, monkeypatch):
    """Each extracted article is cached and dropped; records are made one document at a
    time; when the corpus is merged, none of them is held any more."""
    alive: list[weakref.ref] = []
    real_save, real_load = incremental.save_cached, incremental.load_articles

    def save_cached(cache_dir, doc_hash, result):
        alive.extend(weakref.ref(a) for a in result[0])
        return real_save(cache_dir, doc_hash, result)

    def load_articles(cache_dir, doc_hash):
        found = real_load(cache_dir, doc_hash)
        alive.extend(weakref.ref(a) for a in found)
        return found

    merged_with: list[int] = []
    real_merged = triples.Merged.__init__

    def merged_init(self, records):
        gc.collect()
        merged_with.append(sum(ref() is not None for ref in alive))
        real_merged(self, records)

    monkeypatch.setattr(incremental, "save_cached", save_cached)
    monkeypatch.setattr(incremental, "load_articles", load_articles)
    monkeypatch.setattr(triples.Merged, "__init__", merged_init)
    build([EXAMPLES], out_dir=tmp_path / "out")
    assert len(alive) > 10
    assert merged_with == [0]


def test_the_records_kept_in_memory_hold_no_triples_or_json(tmp_path, monkeypatch):
    seen = []
    real_merged = triples.Merged.__init__

    def merged_init(self, records):
        seen.extend(records)
        real_merged(self, records)

    monkeypatch.setattr(triples.Merged, "__init__", merged_init)
    build([EXAMPLES], out_dir=tmp_path / "out")
    assert seen and all(r.ntriples == b"" and r.json == "" for r in seen)
    data = json.loads((tmp_path / "out" / "extraction.json").read_text(encoding="utf-8"))
    assert len(data["documents"]) == len(seen)  # read back from the cache when written


def test_records_kept_in_memory_share_their_strings(tmp_path, monkeypatch):
    """The same entity key in two records is one string object, in a fresh build and
    when the records are read back from the cache by a rebuild that merges them all
    (one without the saved merge, kg/corpus_state.py)."""
    from kg import corpus_state

    for run in ("fresh", "rebuild"):
        corpus_state.discard(tmp_path / "out" / "cache")
        seen = []
        real_merged = triples.Merged.__init__

        def merged_init(self, records, seen=seen, real_merged=real_merged):
            seen.extend(records)
            real_merged(self, records)

        monkeypatch.setattr(triples.Merged, "__init__", merged_init)
        build([EXAMPLES], out_dir=tmp_path / "out")
        monkeypatch.undo()
        by_value: dict[str, set[int]] = {}
        for record in seen:
            for entity in record.entities:
                by_value.setdefault(entity[0], set()).add(id(entity[0]))
        shared = [key for key, ids in by_value.items() if len(ids) > 1]
        assert len(by_value) > 50 and shared == [], run
