"""kg/triples.py + kg/serialise.py: the build's fast writer gives what rdf.py's graph gives.

rdf.corpus_to_graph (rdflib) is the reference; the build writes the same named graphs,
the same network and the same extraction JSON from per-article records.
"""
import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_rdf import article_one, article_two, sample_corpus

from kg.export import ENTITIES_GRAPH, ntriples, partition
from kg.interchange import to_interchange
from kg.model import Corpus, Problem
from kg.network import from_merged, to_networkx
from kg.rdf import corpus_to_graph
from kg.serialise import Sections, extraction_json
from kg.triples import Merged, article_record

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def odd_text_corpus() -> Corpus:
    """Quotes, backslashes, newlines and a line separator in titles and evidence."""
    one = article_one()
    return Corpus((replace(one, title='标题"引号"\\反斜杠\n换行\u2028分隔', url="http://x/a b"),
                   article_two()), (Problem("bad.txt", "not UTF-8", 3),))


@pytest.fixture(scope="module")
def examples_corpus() -> Corpus:
    from kg.pipeline import extract

    return extract([EXAMPLES])


def corpora(examples_corpus):
    return [sample_corpus(), odd_text_corpus(), examples_corpus]


def sections_of(corpus: Corpus) -> Sections:
    return Sections(Merged([article_record(a) for a in corpus.articles]))


@pytest.mark.parametrize("which", [0, 1, 2])
def test_named_graphs_are_the_partition_of_the_rdflib_graph(examples_corpus, which):
    corpus = corpora(examples_corpus)[which]
    expected = {name: ntriples(triples)
                for name, triples in partition(corpus_to_graph(corpus)).items()}
    sections = sections_of(corpus)
    assert sections.parts() == expected
    assert ENTITIES_GRAPH in expected


@pytest.mark.parametrize("which", [0, 1, 2])
def test_network_equals_to_networkx_of_the_rdflib_graph(examples_corpus, which):
    corpus = corpora(examples_corpus)[which]
    expected = to_networkx(corpus_to_graph(corpus))
    found = from_merged(sections_of(corpus).merged)
    assert list(found.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(found.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))


@pytest.mark.parametrize("which", [0, 1, 2])
def test_extraction_json_equals_json_dumps_of_the_interchange(examples_corpus, which):
    corpus = corpora(examples_corpus)[which]
    records = [article_record(a) for a in corpus.articles]
    expected = json.dumps(to_interchange(corpus), ensure_ascii=False, indent=1,
                          sort_keys=True) + "\n"
    assert extraction_json(records, list(corpus.problems)) == expected


def test_extraction_json_of_nothing():
    assert json.loads(extraction_json([], [])) == {"documents": [], "problems": []}


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_graph_file_parses_to_the_rdflib_graph(fmt):
    from rdflib import Graph

    corpus = odd_text_corpus()
    data = sections_of(corpus).graph_bytes(fmt)
    parsed = Graph().parse(data=data.decode("utf-8"),
                           format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    assert set(parsed) == set(corpus_to_graph(corpus))


def test_graph_file_does_not_depend_on_article_order():
    forward = sections_of(Corpus((article_one(), article_two()))).graph_bytes("ttl")
    backward = sections_of(Corpus((article_two(), article_one()))).graph_bytes("ttl")
    assert forward == backward
