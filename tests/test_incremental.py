"""kg/incremental.py: rebuilds re-extract only new or changed documents, same bytes as fresh."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import incremental
from kg.build import build
from kg.export import ENTITIES_GRAPH
from kg.model import Document
from kg.store import open_store, read_nquads

RECORDS = [  # id, text: short governance sentences, two naming the same person
    ("a", "广东省清远市连山壮族瑶族自治县上帅镇东南村党支部书记黄家瑛说，村里计划盘活山地。"),
    ("b", "河南省许昌市委书记张伟在会上强调，要推进“五方联动”工作机制。"),
    ("c", "许昌市魏都区委副书记、区长李淼介绍了情况。"),
    ("d", "浙江省杭州市余杭区委书记张伟表示，全区推广“村民说事”制度。"),
]


def write_corpus(path: Path, records) -> Path:
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes()
            for name in ("graph.ttl", "extraction.json", "graph.html")}


def graph_names(out: Path) -> set[str]:
    store = open_store(out / "store")
    return {g.value for g in store.named_graphs()}


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus.jsonl", RECORDS)


def test_a_rebuild_of_the_same_input_reuses_everything(tmp_path, corpus):
    build([corpus], out_dir=tmp_path / "out")
    first = outputs(tmp_path / "out")
    again = build([corpus], out_dir=tmp_path / "out").changes
    assert (again.added, again.changed, again.removed, again.reused) == (0, 0, 0, 4)
    assert again.graphs_written == 0
    assert outputs(tmp_path / "out") == first


def test_changed_added_and_removed_documents_match_a_fresh_build(tmp_path, corpus):
    build([corpus], out_dir=tmp_path / "out")
    edited = [(i, t.replace("李淼", "王强")) for i, t in RECORDS if i != "b"]
    edited.append(("e", "云南省大理白族自治州洱源县牛街乡党委书记赵明说。"))
    write_corpus(corpus, edited)
    changes = build([corpus], out_dir=tmp_path / "out").changes
    assert (changes.added, changes.changed, changes.removed, changes.reused) == (1, 1, 1, 2)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(tmp_path / "out") == outputs(fresh)
    assert graph_names(tmp_path / "out") == graph_names(fresh)
    assert read_nquads(tmp_path / "out") == read_nquads(fresh)  # named graphs patched right
    assert len(list((tmp_path / "out" / "cache").glob("*.pickle"))) == 4


def test_person_identity_stays_corpus_wide_when_one_article_changes(tmp_path, corpus):
    """张伟 holds posts in two places: two people. Dropping one makes him one again,
    in the unchanged article too (corpus identity runs over cached articles)."""
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    assert "Person|张伟@" in (out / "extraction.json").read_text(encoding="utf-8")
    write_corpus(corpus, [r for r in RECORDS if r[0] != "d"])
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)


def test_each_article_has_its_own_named_graph(tmp_path, corpus):
    summary = build([corpus], out_dir=tmp_path / "out")
    names = graph_names(tmp_path / "out")
    assert ENTITIES_GRAPH in names and len(names) == summary.articles + 1


def test_the_hash_covers_text_source_and_extractor_version():
    doc = Document("a", "x.jsonl", "许昌市委书记张伟。")
    same = Document("a", "x.jsonl", "许昌市委书记张伟。", line=7)
    assert incremental.document_hash(doc) == incremental.document_hash(same)
    for other in (Document("a", "y.jsonl", doc.text), Document("a", "x.jsonl", "许昌市委。")):
        assert incremental.document_hash(other) != incremental.document_hash(doc)
    assert len(incremental.extractor_version()) == 16


def test_a_manifest_of_another_extractor_version_is_ignored(tmp_path, corpus):
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    data["extractor"] = "older"
    (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert build([corpus], out_dir=out).changes.changed == 0
    assert build([corpus], out_dir=out).changes.reused == 4


def test_a_rebuild_makes_records_only_for_changed_articles(tmp_path, corpus):
    """Unchanged articles keep their cached record (kg/triples.py): RDF, JSON and network
    parts are not made again; the changed article's old record is kept while the saved
    merge (kg/corpus_state.py) would take it out, and pruned once a merge is saved."""
    from kg import corpus_state

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    records = out / "cache" / incremental.RECORDS_DIR
    before = {p.name: p.stat().st_mtime_ns for p in records.glob("*.pickle")}
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    build([corpus], out_dir=out)
    after = {p.name: p.stat().st_mtime_ns for p in records.glob("*.pickle")}
    assert len(before) == len(RECORDS) and set(before) < set(after)
    assert len(after) == len(RECORDS) + 1
    assert all(before[name] == after[name] for name in before)
    corpus_state.discard(out / "cache")  # merged from scratch and saved: old one pruned
    build([corpus], out_dir=out)
    assert len(list(records.glob("*.pickle"))) == len(RECORDS)


def test_a_rebuild_does_not_load_unchanged_documents_articles(tmp_path, corpus, monkeypatch):
    """Corpus identity runs over the person summaries kept from the last build; only
    the changed document's articles are read back (to make its record)."""
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    loaded: list[str] = []
    real_articles, real_cached = incremental.load_articles, incremental.load_cached
    monkeypatch.setattr(incremental, "load_articles",
                        lambda cache_dir, h: loaded.append(h) or real_articles(cache_dir, h))
    monkeypatch.setattr(incremental, "load_cached",
                        lambda *a: loaded.append("cached") or real_cached(*a))
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    build([corpus], out_dir=out)
    changed = incremental.document_hash(Document("c", str(corpus), RECORDS[2][1].replace(
        "李淼", "王强")))
    assert loaded == [changed]


def test_a_rebuild_without_saved_summaries_reads_the_cache_and_matches_a_fresh_build(
        tmp_path, corpus):
    """A build killed after extracting but before saving the summaries: the next one
    summarises the cached extraction instead."""
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    for shard in (out / "cache").glob("summaries-*.pkl"):
        shard.unlink()
    write_corpus(corpus, RECORDS[:3])
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)
    assert list((out / "cache").glob("summaries-*.pkl"))


def test_a_rebuild_writes_turtle_only_for_graphs_that_changed(tmp_path, corpus, monkeypatch):
    """Unchanged named graphs' Turtle is copied from the last graph.ttl."""
    import kg.rdf

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    made = []
    real = kg.rdf.turtle_bytes
    monkeypatch.setattr(kg.rdf, "turtle_bytes", lambda data, p: made.append(data) or real(data, p))
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    changes = build([corpus], out_dir=out).changes
    assert 0 < len(made) == changes.graphs_written < len(RECORDS) + 1
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)


def test_an_output_changed_by_hand_is_made_again_not_copied(tmp_path, corpus):
    """The splice indexes describe the files the last build wrote (inode, size, time):
    a graph.ttl or extraction.json replaced since is not copied from."""
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    for name in ("graph.ttl", "extraction.json"):
        path = out / name
        path.write_bytes(path.read_bytes().replace("张伟".encode(), "张三".encode()))
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)


def test_a_record_listed_in_the_light_file_but_gone_is_made_again(tmp_path, corpus):
    """The writer reads whole records from their own files: a light entry without its
    file (deleted by hand, or a kill at a bad moment) is not trusted."""
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    for path in (out / "cache" / incremental.RECORDS_DIR).glob("*.pickle"):
        path.unlink()
    (out / "cache" / "extraction.index").unlink()  # so every document is written again
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)


def test_a_rebuild_patches_the_saved_merge_instead_of_reading_every_record(
        tmp_path, corpus, monkeypatch):
    """The merge is kept between builds (kg/corpus_state.py): a rebuild reads neither the
    light-records file nor every record, and merges nothing anew."""
    from kg import triples

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    calls: list[str] = []
    real_init = triples.Merged.__init__
    monkeypatch.setattr(incremental, "load_light_records", lambda *a: calls.append("light"))
    monkeypatch.setattr(triples.Merged, "__init__",
                        lambda self, records: calls.append("merge") or real_init(self, records))
    edited = [(i, t.replace("李淼", "王强")) for i, t in RECORDS if i != "a"]
    write_corpus(corpus, edited + [("e", "云南省大理白族自治州洱源县牛街乡党委书记赵明说。")])
    build([corpus], out_dir=out)
    assert calls == []
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)
    assert read_nquads(out) == read_nquads(fresh)


@pytest.mark.parametrize("damage", ["truncated", "foreign", "reordered"])
def test_a_saved_merge_that_cannot_be_trusted_is_not_patched(tmp_path, corpus, damage):
    """Damaged, of other code, or the documents reordered (the order of merging decides
    which title comes first): every record is merged again, same bytes as fresh."""
    from kg import corpus_state

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    state = out / "cache" / corpus_state.STATE
    if damage == "truncated":
        state.write_bytes(state.read_bytes()[:100])
    elif damage == "foreign":
        state.write_bytes(state.read_bytes().replace(corpus_state.state_version().encode(),
                                                     b"0" * 16))
    edited = [(i, t.replace("李淼", "王强")) for i, t in RECORDS]
    write_corpus(corpus, edited[::-1] if damage == "reordered" else edited)
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)
    assert corpus_state.load(out / "cache").keys == corpus_state.load(fresh / "cache").keys


def test_person_renamed_by_corpus_identity_in_an_unchanged_article_is_patched_right(
        tmp_path, corpus):
    """Adding an article that makes 张伟 two people rekeys him in article b, which did
    not change: its record key changes too, so the patch takes its old record out."""
    out = tmp_path / "out"
    write_corpus(corpus, RECORDS[:3])
    build([corpus], out_dir=out)
    write_corpus(corpus, RECORDS)
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)
    assert read_nquads(out) == read_nquads(fresh)


def test_graph_html_is_kept_while_what_it_shows_is_unchanged(tmp_path, corpus, monkeypatch):
    """No page is made when its data (view.page_key) is the same and graph.html is the
    file the last build wrote; one changed by hand, or other data, is made again."""
    from kg import view

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    renders = tmp_path / "renders"  # a file: a rebuild makes its page in a forked process
    renders.write_text("")
    real = view.page_html

    def counted(*args, **kwargs):
        with renders.open("a") as handle:
            handle.write("1")
        return real(*args, **kwargs)

    def made() -> int:
        return len(renders.read_text())

    monkeypatch.setattr(view, "page_html", counted)
    page = out / "graph.html"
    before = page.stat().st_ino, page.read_bytes()
    build([corpus], out_dir=out)
    assert made() == 0 and (page.stat().st_ino, page.read_bytes()) == before
    page.write_bytes(before[1].replace(b"</html>", b"<!-- edited --></html>"))
    build([corpus], out_dir=out)
    assert made() == 1 and page.read_bytes() == before[1]
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    build([corpus], out_dir=out)
    assert made() == 2
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)


@pytest.mark.parametrize("drift", [0, 100])
def test_rebuilds_patch_from_the_saved_merge_until_it_drifts_too_far(
        tmp_path, corpus, monkeypatch, drift):
    """A small patch leaves the saved merge as it was (the next build patches from it
    again); past the drift limit the patched merge is saved. Same bytes either way."""
    from kg import corpus_state

    monkeypatch.setattr(corpus_state, "DRIFT", drift)
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    state = out / "cache" / corpus_state.STATE
    first = state.read_bytes()
    for n in range(1, 4):
        edited = [(i, t + "。" * (n if i in "bd" else 0)) for i, t in RECORDS]
        write_corpus(corpus, edited[:3] + [("e", "云南省洱源县牛街乡党委书记赵明说。" * n)])
        build([corpus], out_dir=out)
        assert (state.read_bytes() == first) == (drift > 0)
        fresh = tmp_path / f"fresh{n}"
        build([corpus], out_dir=fresh)
        assert outputs(out) == outputs(fresh)
        assert read_nquads(out) == read_nquads(fresh)


def test_the_store_rewrites_only_the_entities_that_changed(tmp_path, corpus, monkeypatch):
    """The entities graph in the store is patched per entity (cache/entities.index says
    what it holds), not dumped and compared whole; without a trustworthy index (the
    manifest's key for the graph differs, as after a killed build) it is replaced."""
    import kg.store

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    replaced: list[str] = []
    real = kg.store._replace_graph
    monkeypatch.setattr(kg.store, "_replace_graph",
                        lambda store, graph, data: replaced.append(graph.value)
                        or real(store, graph, data))
    edited = [(i, t.replace("李淼", "王强")) for i, t in RECORDS]
    write_corpus(corpus, edited + [("e", "云南省大理白族自治州洱源县牛街乡党委书记赵明说。")])
    build([corpus], out_dir=out)
    assert ENTITIES_GRAPH not in replaced
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert read_nquads(out) == read_nquads(fresh)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["graphs"][ENTITIES_GRAPH] = "0" * 32  # the store's graph is not the index's
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    write_corpus(corpus, edited)
    build([corpus], out_dir=out)
    assert ENTITIES_GRAPH in replaced
    build([corpus], out_dir=fresh)
    assert read_nquads(out) == read_nquads(fresh)
    assert outputs(out) == outputs(fresh)


def test_a_new_entity_writes_the_turtle_of_its_own_lines_not_the_whole_entities_graph(
        tmp_path, corpus, monkeypatch):
    """graph.ttl indexes the entities graph per subject: a rebuild naming a new person
    gives Oxigraph's Turtle writer the subjects that changed, and the file equals a
    fresh build's."""
    import kg.rdf
    from kg.triples import node

    out = tmp_path / "out"
    build([corpus], out_dir=out)
    made: list[bytes] = []
    real = kg.rdf.turtle_bytes
    monkeypatch.setattr(kg.rdf, "turtle_bytes", lambda data, p: made.append(data) or real(data, p))
    write_corpus(corpus, RECORDS + [("e", "云南省大理白族自治州洱源县牛街乡党委书记赵明说。")])
    build([corpus], out_dir=out)
    monkeypatch.setattr(kg.rdf, "turtle_bytes", real)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)
    subjects = {line.split(b" ", 1)[0] for data in made for line in data.splitlines()}
    assert node("Person|赵明").encode() in subjects
    assert node("Person|黄家瑛").encode() not in subjects  # unchanged: copied


def test_outputs_are_spliced_the_same_where_the_kernel_cannot_copy(tmp_path, corpus,
                                                                   monkeypatch):
    """Unchanged parts are copied with os.copy_file_range; where it is refused (another
    file system, an old kernel) they are read and written instead, to the same bytes."""
    import errno
    import os

    out = tmp_path / "out"
    build([corpus], out_dir=out)

    def refused(*args, **kwargs):
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refused)
    write_corpus(corpus, [(i, t.replace("李淼", "王强")) for i, t in RECORDS])
    build([corpus], out_dir=out)
    fresh = tmp_path / "fresh"
    build([corpus], out_dir=fresh)
    assert outputs(out) == outputs(fresh)


def test_document_hashes_keep_the_values_existing_caches_and_manifests_hold(monkeypatch):
    """The hash is sha256 of the extractor version and then of each field after a NUL
    byte; computing it faster must not change one value."""
    import hashlib

    monkeypatch.setattr(incremental, "extractor_version", lambda: "0123456789abcdef")
    docs = [Document("a", "x.jsonl", "许昌市委书记张伟。", title="标题", date="2024-02-08",
                     url="http://x/a", line=3),
            Document("1", "dir/p.txt", "笑\U0001f600\n\n第二段。"), Document("b", "", "x")]
    for doc in docs:
        digest = hashlib.sha256(b"0123456789abcdef")
        for part in (doc.id, doc.source, doc.title, doc.date, doc.url, doc.text):
            digest.update(b"\x00" + part.encode("utf-8"))
        assert incremental.document_hash(doc) == digest.hexdigest()[:32]


def test_only_a_regular_file_in_the_cache_counts_as_a_cached_extraction(tmp_path):
    """One listing of the cache folder answers what a stat per document answered: a
    link to a file counts, a folder or a broken link of that name does not."""
    docs = [Document(i, "c.jsonl", f"{i}村。") for i in "abcde"]
    hashes = [incremental.document_hash(d) for d in docs]
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{hashes[0]}.pickle").write_bytes(b"")
    (tmp_path / "elsewhere.pickle").write_bytes(b"")
    (cache / f"{hashes[1]}.pickle").symlink_to(tmp_path / "elsewhere.pickle")
    (cache / f"{hashes[2]}.pickle").mkdir()
    (cache / f"{hashes[3]}.pickle").symlink_to(tmp_path / "gone.pickle")
    previous = {incremental.document_key(d): h for d, h in zip(docs, hashes)}
    found = incremental.plan(docs, cache, previous)
    assert (found.reused, found.todo, found.changed) == (2, [2, 3, 4], 3)
    missing = incremental.plan(docs, tmp_path / "none", previous)
    assert (missing.reused, missing.todo, missing.changed) == (0, [0, 1, 2, 3, 4], 5)
