import functools
import json
import re
import time

import networkx as nx
import pytest
from conftest import XSS, build_sample_graph

from kg.errors import OutputError
from kg.network import to_networkx
from kg.view import STYLES, page_data, render_html, script_json, write_html

EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
# The same places and city-level organisations in every copied article.
SHARED = {"广东省", "清远市", "河南省", "许昌市", "清远市委", "清远市委组织部", "许昌市委",
          "许昌市人民政府"}


@functools.cache
def synthetic_network(articles: int) -> nx.MultiDiGraph:
    """A corpus of `articles` articles, each the sample graph's article again with its own
    people, initiatives, villages and local organisations (named with the article number);
    provinces, prefectures and city organisations are shared: hubs, as in a real corpus."""
    base = to_networkx(build_sample_graph())
    big = nx.MultiDiGraph()
    for a in range(articles):
        def name(node: str, a: int = a) -> str:
            return node if base.nodes[node]["label"] in SHARED else f"{node}/{a}"

        for node, data in base.nodes(data=True):
            if name(node) not in big:
                label = data["label"] if node == name(node) else f"{data['label']}{a}"
                big.add_node(name(node), **{**data, "label": label,
                                            "articles": [f"文章{a}"]})
        for u, v, data in base.edges(data=True):
            if big.has_edge(name(u), name(v)):
                continue  # a fact between shared places is one edge, as to_networkx makes it
            big.add_edge(name(u), name(v), **{**data, "article": f"文章{a}", "evidence": [
                {**e, "article": f"文章{a}"} for e in data.get("evidence", ())]})
    return big


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.DOTALL)
    assert match, "no kg-data block in page"
    return json.loads(match[1])


def _dataset(page: str, name: str) -> list[dict]:
    """The JSON given to `new vis.DataSet(...)` for nodes or edges (what is drawn first)."""
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
    assert "Content-Security-Policy" in page and "connect-src 'none'" in page


def test_markup_in_evidence_and_titles_is_data_not_markup(xss_graph):
    page = render_html(xss_graph)
    assert XSS not in page and "<script>alert" not in page
    data = _data(page)
    assert f"黄家瑛说{XSS}。" in data["sentences"]  # intact once parsed, as text
    assert f"标题{XSS}" in data["articles"]
    assert "\\u003cscript\\u003ealert(1)" in page


def test_script_json_cannot_close_the_script_tag():
    text = script_json({"x": "</script><img src=x onerror=alert(1)>&\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["x"].startswith("</script>")


def test_every_fact_carries_its_evidence_and_article(page):
    data = _data(page)
    assert len(data["nodes"]) == 20 and len(data["edges"]) == 20
    assert all(e["evidence"] for e in data["edges"])
    post = next(e for e in data["edges"] if e["label"] == "东南村党支部书记")
    sentence, article = post["evidence"][0]
    assert "黄家瑛说" in data["sentences"][sentence]
    assert data["articles"][article] == "清远：党群议事亭里话民生"


def test_nodes_carry_filter_values(page):
    nodes = {n["label"]: n for n in _data(page)["nodes"]}
    assert nodes["东南村"]["level"] == "village" and nodes["东南村"]["province"] == "广东省"
    assert nodes["东南村党支部"]["category"] == "party"
    assert nodes["东南村党支部"]["place_level"] == "village"
    assert nodes["黄家瑛"]["province"] == "广东省"  # through the post's organisation
    assert nodes["五星支部创建"]["province"] == "河南省"  # through who launched it
    assert nodes["清远市委组织部"]["province"] == "广东省"


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
    legend = re.search(r'<div id="kg-legend">.*?</div>\n', page, re.DOTALL)
    assert legend
    for _, _, name in list(STYLES.values())[:4]:
        assert name in legend[0]


def test_layout_is_precomputed_and_physics_off(page):
    nodes = _dataset(page, "nodes")
    assert all(isinstance(n["x"], float | int) and n["physics"] is False for n in nodes)
    assert '"physics": {"enabled": false}' in page
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)  # no two on one spot


def test_same_graph_same_page(sample_graph):
    assert render_html(sample_graph) == render_html(build_sample_graph())


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


def test_big_graph_carries_the_best_connected_and_draws_top_n():
    nxg = synthetic_network(10_000)
    assert nxg.number_of_nodes() > 100_000
    started = time.perf_counter()
    data = page_data(nxg, limit=1500, top=200)
    elapsed = time.perf_counter() - started
    assert len(data["nodes"]) == 1500 and data["top"] == 200
    assert data["total"]["nodes"] == nxg.number_of_nodes()
    degrees = [n["degree"] for n in data["nodes"]]
    assert degrees == sorted(degrees, reverse=True)
    assert {n["label"] for n in data["nodes"][:3]} <= SHARED
    print(f"page data for {nxg.number_of_nodes()} entities: {elapsed:.1f} s")


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


def test_page_is_the_same_whatever_the_hash_seed(tmp_path):
    """Regression: the layout read a networkx subgraph view, which iterates a set (string
    hash order) when it holds few of the graph's nodes, so positions changed per run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("import sys; sys.path.insert(0, sys.argv[1]); from conftest import "
              "build_sample_graph; from kg.view import render_html; "
              "sys.stdout.write(render_html(build_sample_graph()))")
    pages = [subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                            env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
                            check=True).stdout for seed in ("1", "2", "3")]
    assert pages[0] and pages[0] == pages[1] == pages[2]


def test_a_kept_spring_layout_gives_the_same_page_without_laying_it_out_again(monkeypatch):
    """`layouts` keeps each backbone's spring layout by a hash of the graph: a second
    page of the same network reads them back (nothing is laid out) and is the same;
    a changed backbone is laid out anew."""
    import kg.view as view

    graph = _big_network(120)
    first = page_data(graph)
    layouts: dict = {}
    assert page_data(graph, layouts=layouts) == first
    assert layouts  # the backbones, kept

    def no_layout(*args, **kwargs):
        raise AssertionError("laid out again")

    monkeypatch.setattr(nx, "spring_layout", no_layout)
    assert page_data(graph, layouts=layouts) == first
    graph.add_edge("n0", "n119", relation="partOf", label="位于")
    with pytest.raises(AssertionError, match="laid out again"):
        page_data(graph, layouts=layouts)
    assert view._layout_versions()  # part of every key: another networkx, another layout


def _big_network(n: int) -> nx.MultiDiGraph:
    """A connected network of `n` places (a chain and a few shortcuts) and 20 people
    alone (no layout to keep)."""
    graph = nx.MultiDiGraph()
    for i in range(n):
        graph.add_node(f"n{i}", label=f"地{i}", type="Place", level="village")
    for i in range(n - 1):
        graph.add_edge(f"n{i}", f"n{i + 1}", relation="partOf", label="位于")
    for i in range(0, n - 7, 7):
        graph.add_edge(f"n{i}", f"n{i + 7}", relation="partOf", label="位于")
    for i in range(20):
        graph.add_node(f"p{i}", label=f"甲{i}", type="Person")
    return graph
