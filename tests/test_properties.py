"""Properties over arbitrary input: reading and extraction never raise, offsets always
map back to the source character they came from, the graph always serialises."""
from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Document
from kg.normalise import normalise
from kg.pipeline import extract_documents
from kg.read import decode

# Chinese text with the punctuation, quotes, headings, spaces and controls pages contain.
ALPHABET = st.sampled_from(list("村镇县市省区委党支部书记副主任说“”‘’《》，。、；：！？ \n#该同里许昌东南王李张")
                           + ["\u3000", "\r", "\ufeff", "\x00", "\t", "a", "Ａ", "１", ",", "?",
                              '"', "'", "(", "<", ">", "&"])
CJK_TEXT = st.text(alphabet=ALPHABET, max_size=120)
ANY_TEXT = st.text(max_size=80)  # every code point but surrogates
WITH_SURROGATES = st.text(st.characters(exclude_categories=()), max_size=40)
DELETABLE = "\ufeff\x00\r"  # normalisation may drop these, and whitespace
QUOTES = {'"': "“”", "'": "‘’"}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same_after_repair(source: str, repaired: str) -> bool:
    """Whether `repaired` is what a normalisation repair may make of `source`: itself,
    a full-width letter or digit made half-width, half-width punctuation or a quote made
    full-width, "\\r" made "\\n", any whitespace made one space."""
    return (source == repaired
            or (source == "\r" and repaired == "\n")
            or (source.isspace() and source != "\n" and repaired == " ")
            or unicodedata.normalize("NFKC", source) == repaired
            or unicodedata.normalize("NFKC", repaired) == source
            or repaired in QUOTES.get(source, ""))


@SETTINGS
@given(text=st.one_of(CJK_TEXT, ANY_TEXT))
def test_normalisation_maps_every_character_back_to_the_one_it_came_from(text):
    norm, omap = normalise(text)
    sources = [omap.to_source(i) for i in range(len(norm))]
    assert sources == sorted(set(sources))  # strictly increasing: order kept, none shared
    assert all(0 <= s < len(text) for s in sources)
    for i, s in enumerate(sources):
        assert same_after_repair(text[s], norm[i]), (i, text[s], norm[i])
    dropped = set(range(len(text))) - set(sources)
    assert all(text[s] in DELETABLE or text[s].isspace() for s in dropped)


@SETTINGS
@given(text=st.one_of(CJK_TEXT, ANY_TEXT))
def test_extraction_never_raises_on_arbitrary_text(text):
    articles, problems = extract_documents([Document("p", "p.txt", text)])
    assert problems == []
    for art in articles:
        for rel in art.relations:
            assert 0 <= rel.start <= rel.end <= len(art.text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=WITH_SURROGATES)
def test_extraction_never_raises_even_on_lone_surrogates(text):
    """kg.read refuses such text; should any reach extraction, it is a Problem, not a crash."""
    _, problems = extract_documents([Document("p", "p.txt", text)])
    assert all(p.article == "p" or p.article.startswith("p-") for p in problems)


@SETTINGS
@given(text=CJK_TEXT)
def test_every_mention_maps_back_to_the_same_characters_in_the_source(text):
    articles, _ = extract_documents([Document("p", "p.txt", text)])
    for art in articles:
        for m in art.mentions:
            assert art.text[m.start:m.end] == m.text
            for i in range(m.start, m.end):
                source = art.offsets.to_source(i)
                assert same_after_repair(text[source], art.text[i]), (m, i)
            start, end = art.source_span(m.start, m.end)
            assert 0 <= start < end <= len(text)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_decoding_any_bytes_gives_text_or_a_message_never_an_exception(data):
    text, problem = decode(data)
    assert (text == "") != (problem == "") or (text == problem == "")
    assert not problem or "; " in problem or "pass --encoding" in problem
    text.encode("utf-8")  # no lone surrogate gets through


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["id", "text", "title", "x"]),
                                             inner, max_size=4), max_leaves=8)


@SETTINGS
@given(records=st.lists(JSON_VALUES, max_size=5), junk=st.text(max_size=20))
def test_reading_any_jsonl_never_raises_and_names_each_bad_line(tmp_path_factory, records, junk):
    from kg.read import read_paths

    lines = [json.dumps(r) for r in records] + [junk]
    path = tmp_path_factory.mktemp("jsonl") / "c.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    docs, problems = read_paths([path])
    # a line's problem names its line; a problem of the whole file (undecodable, empty,
    # binary: junk of NUL bytes alone) has none
    assert all(p.source == str(path) and (p.line >= 1 or "decode" in p.message
                                          or "empty file" in p.message
                                          or "binary file" in p.message) for p in problems)
    assert len({d.id for d in docs}) == len(docs)
    for doc in docs:
        doc.text.encode("utf-8")


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nquads", "jsonld"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(CJK_TEXT, ANY_TEXT), title=ANY_TEXT, name=ANY_TEXT)
def test_graph_of_any_record_serialises_and_parses_back(tmp_path_factory, text, title, name,
                                                        fmt):
    """Any text, title and id, read from a .jsonl record as users give them: the graph
    file parses back whole in rdflib and in Oxigraph."""
    import pyoxigraph as ox
    from rdflib import Dataset, Graph

    from kg import rdf
    from kg.corpus_identity import resolve_corpus
    from kg.model import Corpus
    from kg.read import read_paths

    record = {"id": "p" + name, "title": title, "text": "许昌市委书记张伟说。" + text}
    path = tmp_path_factory.mktemp("record") / "c.jsonl"
    path.write_text(json.dumps(record), encoding="utf-8")
    docs, _ = read_paths([path])
    articles, _ = extract_documents(docs)
    graph = rdf.corpus_to_graph(Corpus(tuple(resolve_corpus(articles))))
    data = rdf.serialize(graph, fmt)
    name = {"ttl": "turtle", "nt": "nt", "nquads": "nquads", "jsonld": "json-ld"}[fmt]
    parsed = (Dataset() if fmt == "nquads" else Graph()).parse(data=data.decode("utf-8"),
                                                                format=name)
    assert len(parsed) == len(graph)
    store = ox.Store()
    store.load(data, format={"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                             "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}[fmt])
    assert len(store) == len(graph)


@SETTINGS
@given(value=st.text(max_size=30))
def test_store_lines_keep_any_literal_whole(value):
    """What `kg build` loads into the Oxigraph store, graph by graph (kg.export.ntriples),
    parses back with the literal intact, even one holding U+2028, U+0085 or \\x1e."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    from kg.export import ntriples

    data = ntriples([(URIRef("urn:a"), URIRef("urn:b"), Literal(value, lang="zh"))])
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    assert [q.object.value for q in store] == [value]


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\x1e"])
def test_n_triples_keep_a_literal_with_a_unicode_line_separator_whole(separator):
    from rdflib import Graph, Literal, URIRef

    from kg import rdf

    graph = Graph()
    graph.add((URIRef("urn:a"), URIRef("urn:b"), Literal(f"上{separator}下", lang="zh")))
    assert len(Graph().parse(data=rdf.serialize(graph, "nt").decode(), format="nt")) == 1
