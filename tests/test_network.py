import pytest

from kg.errors import QueryError
from kg.network import find_node, neighbourhood, path_between, stats, to_networkx

HJY = "https://w3id.org/jiceng-kg/id/person/hjy"
DN = "https://w3id.org/jiceng-kg/id/place/dn"
LS = "https://w3id.org/jiceng-kg/id/place/ls"
DNZB = "https://w3id.org/jiceng-kg/id/org/dnzb"
FIND = [  # name, expected node
    ("黄家瑛", HJY),  # exact label
    ("连山县", LS),  # alias
    ("瑶族自治", LS),  # part of a label
    ("东南村党", DNZB),
    (DN, DN),  # an IRI
]


@pytest.fixture
def nxg(sample_graph):
    return to_networkx(sample_graph)


def test_nodes_are_entities_with_label_type_and_level(nxg):
    assert nxg.number_of_nodes() == 20  # posts, articles, evidence are not nodes
    node = nxg.nodes[DN]
    assert (node["label"], node["type"], node["level"]) == ("东南村", "Place", "village")
    assert nxg.nodes[DNZB]["category"] == "party"
    assert nxg.nodes[LS]["aliases"] == ["连山县"]


def test_holds_post_edge_carries_title_and_evidence(nxg):
    (data,) = nxg.get_edge_data(HJY, DNZB).values()
    assert data["relation"] == "holdsPost"
    assert data["title"] == "东南村党支部书记" and data["role"] == "书记"
    assert "黄家瑛说" in data["sentence"]
    assert data["article"] == "清远：党群议事亭里话民生"
    assert data["evidence"][0]["source"].endswith(".txt")


def test_past_post_is_marked(nxg):
    zw = "https://w3id.org/jiceng-kg/id/person/zw"
    (data,) = nxg.get_edge_data(zw, "https://w3id.org/jiceng-kg/id/org/xcsw").values()
    assert data["past"] is True


def test_direct_facts_become_edges_with_evidence(nxg):
    relations = {d["relation"] for *_, d in nxg.edges(data=True)}
    assert relations == {"holdsPost", "partOf", "locatedIn", "subOrganizationOf", "launched"}
    (data,) = nxg.get_edge_data(DN, "https://w3id.org/jiceng-kg/id/place/ss").values()
    assert data["relation"] == "partOf" and data["sentence"]


@pytest.mark.parametrize("name,node", FIND)
def test_find_node_by_label_alias_substring_or_iri(nxg, name, node):
    assert find_node(nxg, name) == node


def test_find_node_exact_label_beats_substring(nxg):
    assert find_node(nxg, "东南村") == DN  # also a substring of 东南村党支部


def test_find_node_ambiguous_lists_candidates(nxg):
    with pytest.raises(QueryError) as info:
        find_node(nxg, "王芳")
    message = str(info.value)
    assert "matches 2 entities" in message
    assert "清远市委组织部" in message and "许昌市人民政府" in message


def test_find_node_unknown(nxg):
    with pytest.raises(QueryError, match="no entity named '不存在'"):
        find_node(nxg, "不存在")


def test_path_between_follows_edges_either_way(nxg):
    path = path_between(nxg, "清远市", "黄家瑛")
    labels = [nxg.nodes[n]["label"] for n in path.nodes]
    assert labels[0] == "清远市" and labels[-1] == "黄家瑛"
    assert len(path.steps) == len(path.nodes) - 1
    assert path.steps[0].forward is False  # 连山…县 partOf 清远市 points the other way
    assert path.steps[-1].label == "东南村党支部书记"
    assert all(step.sentence for step in path.steps)


def test_path_between_unconnected(nxg):
    with pytest.raises(QueryError, match="no path"):
        path_between(nxg, "黄家瑛", "许昌市")


def test_neighbourhood_depth(nxg):
    one = neighbourhood(nxg, "东南村", 1)
    assert set(one) == {DN, DNZB, "https://w3id.org/jiceng-kg/id/place/ss"}
    assert one.graph["focus"] == DN and one.nodes[DN]["distance"] == 0
    two = neighbourhood(nxg, "东南村", 2)
    assert HJY in two and set(one) < set(two)
    assert set(neighbourhood(nxg, "东南村", 0)) == {DN}


def test_neighbourhood_negative_depth(nxg):
    with pytest.raises(QueryError, match="depth"):
        neighbourhood(nxg, "东南村", -1)


def test_stats_counts_and_rankings(nxg):
    result = stats(nxg, top=3)
    assert result.by_type == {"Initiative": 3, "Organization": 6, "Person": 4, "Place": 7}
    assert result.by_relation["holdsPost"] == 4
    assert result.edges == 20
    assert len(result.degree) == 3 and result.degree[0].value == 4
    assert result.betweenness[0].label == "清远市"


def test_stats_without_betweenness_keeps_counts_and_degree(nxg):
    full, quick = stats(nxg, top=3), stats(nxg, top=3, betweenness=False)
    assert quick.betweenness == ()
    assert (quick.nodes, quick.edges, quick.by_type, quick.by_relation, quick.degree) == (
        full.nodes, full.edges, full.by_type, full.by_relation, full.degree)


def test_same_graph_gives_same_network(sample_graph):
    a, b = to_networkx(sample_graph), to_networkx(sample_graph)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(data=True)) == list(b.edges(data=True))
