import json
import re

import pytest

from conftest import XSS
from kg.errors import OutputError
from kg.network import to_networkx
from kg.view import STYLES, render_html, write_html

EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _dataset(page: str, name: str) -> list[dict]:
    """The JSON given to `new vis.DataSet(...)` for nodes or edges."""
    match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);\n", page)
    assert match, f"no {name} DataSet in page"
    return json.loads(match[1])


@pytest.fixture
def page(sample_graph):
    return render_html(sample_graph)


def test_page_makes_no_external_requests(page):
    assert not EXTERNAL.search(page)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    assert "vis.Network" in page  # vis-network is inlined instead


def test_markup_in_evidence_and_titles_is_escaped(xss_graph):
    page = render_html(xss_graph)
    assert XSS not in page and "<script>alert" not in page
    titles = [n["title"] for n in _dataset(page, "nodes")] + \
             [e["title"] for e in _dataset(page, "edges")]
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert any(escaped in t for t in titles)
    for title in titles:
        assert XSS not in title
        assert title.count("alert(1)") == title.count(escaped)


def test_every_node_and_edge_has_a_tooltip_with_evidence(page):
    nodes, edges = _dataset(page, "nodes"), _dataset(page, "edges")
    assert len(nodes) == 20 and len(edges) == 20
    assert all(n["title"] for n in nodes) and all(e["title"] for e in edges)
    edge = next(e for e in edges if e["label"] == "东南村党支部书记")
    assert "黄家瑛说" in edge["title"] and "清远：党群议事亭里话民生" in edge["title"]


def test_chinese_labels_and_styles_by_type(page):
    nodes = {n["label"]: n for n in _dataset(page, "nodes")}
    assert nodes["东南村"]["shape"] == STYLES["Place"][1]
    assert nodes["黄家瑛"]["color"] == STYLES["Person"][0]
    assert nodes["东南村党支部"]["shape"] == STYLES["Organization"][1]
    assert "东南村党支部" in page  # readable in the page source, not \\u-escaped


def test_past_post_is_shown_on_the_edge(page):
    labels = {e["label"] for e in _dataset(page, "edges")}
    assert "许昌市委书记（曾任）" in labels


def test_legend_is_part_of_the_page(page):
    legend = re.search(r'<div id="kg-legend">.*?</div>\n', page, re.S)
    assert legend
    for _, _, name in list(STYLES.values())[:4]:
        assert name in legend[0]


def test_physics_stops_after_stabilisation(page):
    assert '"stabilization": {"enabled": true' in page
    assert 'network.once("stabilizationIterationsDone"' in page
    assert "physics: {enabled: false}" in page


def test_focus_limits_nodes(sample_graph):
    page = render_html(sample_graph, focus="东南村", depth=1)
    labels = {n["label"] for n in _dataset(page, "nodes")}
    assert labels == {"东南村", "东南村党支部", "上帅镇"}
    wider = {n["label"] for n in _dataset(render_html(sample_graph, focus="东南村", depth=2),
                                          "nodes")}
    assert labels < wider and "黄家瑛" in wider


def test_render_accepts_a_network(sample_graph):
    page = render_html(to_networkx(sample_graph))
    assert len(_dataset(page, "nodes")) == 20


def test_write_html_is_atomic_and_creates_folders(tmp_path, page):
    target = tmp_path / "sub" / "graph.html"
    write_html(page, target)
    assert target.read_text(encoding="utf-8") == page
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]


def test_write_html_to_an_unwritable_place(tmp_path, page):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_html(page, blocker / "graph.html")


def test_empty_graph_renders(capsys):
    from rdflib import Graph

    page = render_html(Graph())
    assert _dataset(page, "nodes") == [] and "kg-legend" in page
    assert capsys.readouterr().out == ""  # the library never prints


def test_unknown_focus_is_an_error(sample_graph):
    from kg.errors import QueryError

    with pytest.raises(QueryError, match="no entity named"):
        render_html(sample_graph, focus="不存在")
