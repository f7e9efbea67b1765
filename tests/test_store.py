"""kg/store.py: atomic saves, loads by extension, errors that name the file and line."""
import os

import pytest
from rdflib import Dataset, Graph, URIRef

from kg.errors import GraphError, OutputError
from kg.rdf import corpus_to_graph, serialize
from kg.store import format_for_path, load_graph, save_graph
from test_rdf import sample_corpus

BAD_FILES = [
    # (name, content, line the error must name)
    ("bad.ttl", '@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b "unterminated .\n', 3),
    ("bad.nt", "<http://x/a> <http://x/b> <http://x/c> .\n<http://x/a> <http://x/b> c .\n", 2),
    ("bad.nq", "<http://x/a> <http://x/b> <http://x/c> <http://x/g> .\n\nnot a quad\n", 3),
    ("bad.jsonld", '{"@id": "http://x/a",\n "http://x/b": [1,}\n', 2),
]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return corpus_to_graph(sample_corpus())


@pytest.mark.parametrize("suffix,fmt", [(".ttl", "ttl"), (".nt", "nt"), (".nq", "nquads"),
                                        (".jsonld", "jsonld"), (".TTL", "ttl")])
def test_format_follows_the_extension(suffix, fmt):
    assert format_for_path(f"out/graph{suffix}") == fmt


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".jsonld"])
def test_save_then_load_round_trips(tmp_path, graph, suffix):
    path = save_graph(graph, tmp_path / f"graph{suffix}")
    loaded = load_graph(path)
    triples = Graph()
    for triple in loaded.triples((None, None, None)):
        triples.add(triple)
    assert triples.isomorphic(graph)


def test_saved_bytes_are_the_serialized_bytes(tmp_path, graph):
    path = save_graph(graph, tmp_path / "graph.ttl")
    assert path.read_bytes() == serialize(graph, "ttl")


def test_explicit_format_overrides_the_extension(tmp_path, graph):
    path = save_graph(graph, tmp_path / "graph.txt", fmt="nt")
    assert path.read_bytes() == serialize(graph, "nt")


def test_save_overwrites_and_leaves_no_temporary_files(tmp_path, graph):
    path = tmp_path / "graph.ttl"
    path.write_text("old", encoding="utf-8")
    save_graph(graph, path)
    assert path.read_bytes() == serialize(graph, "ttl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


def test_save_creates_missing_folders(tmp_path, graph):
    path = save_graph(graph, tmp_path / "a" / "b" / "graph.nt")
    assert path.is_file()


def test_save_under_a_file_raises_output_error(tmp_path, graph):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        save_graph(graph, blocker / "graph.ttl")
    message = str(caught.value)
    assert "\n" not in message and "not-a-folder" in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_save_to_read_only_folder_raises_output_error(tmp_path, graph):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="locked"):
            save_graph(graph, folder / "graph.ttl")
    finally:
        folder.chmod(0o700)


def test_failed_write_keeps_the_old_file(tmp_path, graph, monkeypatch):
    path = tmp_path / "graph.ttl"
    path.write_text("old", encoding="utf-8")

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="Permission denied"):
        save_graph(graph, path)
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


def test_unknown_output_format_raises_output_error(tmp_path, graph):
    with pytest.raises(OutputError, match="rdfxml"):
        save_graph(graph, tmp_path / "graph.ttl", fmt="rdfxml")


@pytest.mark.parametrize("name,content,line", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unparseable_file_raises_graph_error_with_file_and_line(tmp_path, name, content, line):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GraphError) as caught:
        load_graph(path)
    message = str(caught.value)
    assert f"{path}:{line}:" in message
    assert "fix the file" in message and "\n" not in message


def test_missing_file_raises_graph_error(tmp_path):
    with pytest.raises(GraphError, match="missing.ttl: not found"):
        load_graph(tmp_path / "missing.ttl")


def test_unknown_extension_raises_graph_error(tmp_path):
    path = tmp_path / "graph.rdf"
    path.write_text("", encoding="utf-8")
    with pytest.raises(GraphError, match=r"\.ttl"):
        load_graph(path)


def test_non_utf8_file_raises_graph_error(tmp_path):
    path = tmp_path / "graph.nt"
    path.write_bytes('<http://x/a> <http://x/b> "广东" .\n'.encode("gbk"))
    with pytest.raises(GraphError, match="UTF-8"):
        load_graph(path)


def test_nquads_load_keeps_named_graphs(tmp_path):
    path = tmp_path / "g.nq"
    path.write_text("<http://x/a> <http://x/b> <http://x/c> <http://x/g1> .\n"
                    "<http://x/a> <http://x/b> <http://x/d> <http://x/g2> .\n", encoding="utf-8")
    loaded = load_graph(path)
    assert isinstance(loaded, Dataset)
    assert {str(g.identifier) for g in loaded.graphs()} >= {"http://x/g1", "http://x/g2"}
    assert len(set(loaded.objects(URIRef("http://x/a"), URIRef("http://x/b")))) == 2


# ---------------------------------------------------------------- Oxigraph stores

def test_named_graphs_split_the_corpus_graph_exactly(graph):
    from kg.export import ENTITIES_GRAPH, partition

    parts = partition(graph)
    assert ENTITIES_GRAPH in parts and len(parts) > 1
    triples = [t for part in parts.values() for t in part]
    assert len(triples) == len(set(triples)) == len(graph)


def test_a_synced_store_answers_queries_like_the_graph(tmp_path, graph):
    from kg.export import ntriples, partition
    from kg.store import find_store, sync_store

    parts = {name: ntriples(triples) for name, triples in partition(graph).items()}
    hashes, written = sync_store(tmp_path / "out" / "store", parts, {})
    assert written == len(parts) and find_store(tmp_path / "out") == tmp_path / "out" / "store"
    again, written = sync_store(tmp_path / "out" / "store", parts, hashes)
    assert again == hashes and written == 0
    stored = load_graph(tmp_path / "out")  # RDF 1.1: "a" and "a"^^xsd:string are one term
    assert ntriples(stored.triples((None, None, None))) == ntriples(graph)


def test_a_folder_without_store_or_graph_is_named(tmp_path):
    with pytest.raises(GraphError, match="neither an Oxigraph store nor a graph file"):
        load_graph(tmp_path)


def test_a_graph_file_can_be_queried_with_oxigraph(tmp_path, graph):
    from kg.query import run_preset

    path = save_graph(graph, tmp_path / "graph.ttl")
    for preset in ("people_posts", "place_tree"):
        assert sorted(run_preset(load_graph(path, backend="oxigraph"), preset).rows, key=str) \
            == sorted(run_preset(load_graph(path), preset).rows, key=str)


def test_a_new_store_is_loaded_in_small_batches_even_from_a_large_graph(tmp_path, monkeypatch):
    """Oxigraph's bulk loader takes several times the memory it is given: every part,
    the large entities graph too, goes in batches of about BULK_BYTES."""
    import pyoxigraph as ox

    from kg import store as stores

    big = b"".join(b"<http://x/s%d> <http://x/p> \"%d\" .\n" % (i, i) for i in range(5000))
    parts = {"http://g/entities": big, "http://g/a": b"<http://x/a> <http://x/p> <http://x/b> .\n",
             "http://g/empty": b""}
    loads: list[int] = []
    real = ox.Store.bulk_load
    monkeypatch.setattr(stores, "BULK_BYTES", 10_000)
    store = ox.Store(str(tmp_path / "store"))

    class Counting:
        def bulk_load(self, data, **kw):
            loads.append(len(data))
            return real(store, data, **kw)

    stores._bulk_load(Counting(), parts)
    assert len(loads) > 10 and max(loads) < 3 * 10_000
    assert len(store) == 5001
    assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode("http://g/a")))) == 1


def test_a_store_removed_since_the_last_sync_is_loaded_whole(tmp_path, graph):
    """The hashes of the last sync say what the store holds; a store removed since
    (empty when opened again) gets every graph, not only the changed ones."""
    import shutil

    from kg.export import ntriples, partition
    from kg.store import read_nquads, sync_store

    parts = {name: ntriples(triples) for name, triples in partition(graph).items()}
    folder = tmp_path / "out" / "store"
    hashes, _ = sync_store(folder, parts, {})
    whole = read_nquads(folder)
    shutil.rmtree(folder)
    again, written = sync_store(folder, parts, hashes)
    assert written == len(parts) and read_nquads(folder) == whole


def test_a_graph_gone_from_the_parts_is_removed_from_the_store(tmp_path, graph):
    from kg.export import ENTITIES_GRAPH, ntriples, partition
    from kg.store import read_nquads, sync_store

    parts = {name: ntriples(triples) for name, triples in partition(graph).items()}
    folder = tmp_path / "out" / "store"
    hashes, _ = sync_store(folder, parts, {})
    gone = next(name for name in sorted(parts) if name != ENTITIES_GRAPH)
    kept = {name: data for name, data in parts.items() if name != gone}
    sync_store(folder, kept, hashes)
    graphs = {line.rsplit(" ", 2)[-2] for line in read_nquads(folder).decode("utf-8").split("\n")
              if line}
    assert graphs == {f"<{name}>" for name in kept}
