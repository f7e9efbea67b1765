"""kg/network.py from_merged_lazy: the build's network made without the costly details
(aliases, articles, evidence), which are added only for the entities the page carries,
gives the page and the summary of the fully detailed network."""
from dataclasses import replace

import pytest
from test_triples import EXAMPLES, sections_of

from kg.model import Corpus
from kg.network import from_merged, from_merged_lazy, stats
from kg.view import ARTICLES_PER_ENTITY, EVIDENCE_PER_FACT, page_data, script_json

COSTLY_NODE = {"aliases", "articles"}
COSTLY_EDGE = {"evidence", "sentence", "article"}


@pytest.fixture(scope="module")
def examples_corpus() -> Corpus:
    from kg.pipeline import extract

    return extract([EXAMPLES])


@pytest.fixture(scope="module")
def merged(examples_corpus):
    return sections_of(examples_corpus).merged


@pytest.fixture(scope="module")
def twice_merged(examples_corpus):
    """Every example article twice, the copy first and under another id: facts stated by
    many articles with the same titles and sentences, so choosing the first evidence has
    ties to break (by the order stated, which is not the order of the articles' IRIs)."""
    again = [replace(a, id=f"{a.id}-again", title=a.title or a.id)  # the same label
             for a in examples_corpus.articles]
    return sections_of(Corpus((*again, *examples_corpus.articles), ())).merged


def lazy(merged, **kwargs):
    return from_merged_lazy(merged, evidence_per_edge=EVIDENCE_PER_FACT,
                            articles_per_node=ARTICLES_PER_ENTITY, **kwargs)


@pytest.mark.parametrize("which", ["merged", "twice_merged"])
@pytest.mark.parametrize("limit", [2000, 150, 40])
def test_page_of_the_lazy_network_is_the_page_of_the_detailed_one(request, which, limit):
    merged = request.getfixturevalue(which)
    expected = page_data(from_merged(merged, evidence_per_edge=EVIDENCE_PER_FACT),
                         limit=limit, top=20)
    nxg, add_details = lazy(merged)
    carried = []
    found = page_data(nxg, limit=limit, top=20,
                      details=lambda keep: (carried.extend(keep), add_details(keep)))
    assert script_json(found) == script_json(expected)
    assert len(carried) == min(limit, nxg.number_of_nodes())
    # only what the page carries got its details
    detailed = {n for n, d in nxg.nodes(data=True) if "aliases" in d}
    assert detailed == set(carried)


@pytest.mark.parametrize("which", ["merged", "twice_merged"])
def test_summary_stats_of_the_lazy_network_are_those_of_the_detailed_one(request, which):
    merged = request.getfixturevalue(which)
    expected = stats(from_merged(merged), top=10, betweenness=False)
    nxg, _ = lazy(merged)
    assert stats(nxg, top=10, betweenness=False) == expected
    assert expected.nodes > 400 and expected.degree


def test_lazy_network_lacks_only_the_costly_attributes(merged):
    full = from_merged(merged, evidence_per_edge=EVIDENCE_PER_FACT)
    nxg, _ = lazy(merged)
    assert list(nxg.nodes) == list(full.nodes)
    for n, d in nxg.nodes(data=True):
        assert d == {k: v for k, v in full.nodes[n].items() if k not in COSTLY_NODE}
    assert list(nxg.edges(keys=True)) == list(full.edges(keys=True))
    for u, v, k, d in nxg.edges(keys=True, data=True):
        assert d == {a: b for a, b in full.edges[u, v, k].items() if a not in COSTLY_EDGE}


@pytest.mark.parametrize("per_edge", [0, 1, 2, 3])
def test_evidence_per_edge_keeps_the_first_of_all_the_evidence(twice_merged, per_edge):
    every = from_merged(twice_merged)  # all evidence, sorted (tests/test_triples.py)
    assert max(len(d["evidence"]) for *_, d in every.edges(data=True)) > 3
    for full in (from_merged(twice_merged, evidence_per_edge=per_edge),
                 _all_detailed(from_merged_lazy(twice_merged, evidence_per_edge=per_edge))):
        for e, d in every.edges.items():
            assert full.edges[e]["evidence"] == d["evidence"][:per_edge]
            first = d["evidence"][0] if per_edge else {"sentence": "", "article": ""}
            assert (full.edges[e]["sentence"], full.edges[e]["article"]) == (
                first["sentence"], first["article"])


def _all_detailed(made):
    nxg, add_details = made
    add_details(nxg)
    return nxg


@pytest.mark.parametrize("per_edge", [None, 0, 1, 2, 3])
def test_added_details_are_those_of_the_detailed_network(twice_merged, per_edge):
    full = from_merged(twice_merged, evidence_per_edge=per_edge)
    some = sorted(full, key=lambda n: (-full.degree(n), n))[:60]
    nxg, add_details = from_merged_lazy(twice_merged, evidence_per_edge=per_edge)
    add_details(some)
    for n in some:
        assert nxg.nodes[n] == full.nodes[n]
    among = set(some)
    edges = [(u, v, k) for u, v, k in full.edges(keys=True) if u in among and v in among]
    assert len(edges) > 20
    for e in edges:
        assert nxg.edges[e] == full.edges[e]
    add_details(nxg)  # all of them: the detailed network
    assert list(nxg.nodes(data=True)) == list(full.nodes(data=True))
    assert list(nxg.edges(keys=True, data=True)) == list(full.edges(keys=True, data=True))


@pytest.mark.parametrize("per_node", [0, 1, 3, 8])  # 0, 1: by scanning the articles
def test_articles_per_node_keeps_the_first_articles(twice_merged, per_node):
    full = from_merged(twice_merged)
    assert max(len(d["articles"]) for _, d in full.nodes(data=True)) > 3
    nxg, add_details = from_merged_lazy(twice_merged, articles_per_node=per_node)
    add_details(nxg)
    for n, d in nxg.nodes(data=True):
        assert d["articles"] == full.nodes[n]["articles"][:per_node]
