"""One self-contained HTML page of the entity network (pyvis / vis-network).

The page makes no network requests: vis-network is inlined, the bootstrap links
pyvis's template always adds are removed, and a Content-Security-Policy forbids
any fetch. The layout is computed here (per connected component, spring layout
on each component's best-connected nodes), so the page draws at once with
physics off. Everything the side panel, search and filters need travels as one
JSON block (<, >, & escaped) read with JSON.parse and shown with textContent:
evidence such as `<script>` stays text and never runs.

Large graphs: the page carries the `limit` best-connected entities (and the
facts among them); by default it draws the top `top` of those by degree.
"""
from __future__ import annotations

import functools
import json
import math
import os
import re
import tempfile
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import OutputError

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx
    from rdflib import Graph

STYLES = {  # type: (colour, vis shape, Chinese name)
    "Person": ("#e15759", "dot", "人物"),
    "Organization": ("#4e79a7", "box", "组织机构"),
    "Place": ("#59a14f", "triangle", "地点"),
    "Initiative": ("#f28e2b", "diamond", "举措"),
    "Other": ("#9c9c9c", "ellipse", "其他"),
}
RELATION_NAMES = {
    "holdsPost": "任职", "partOf": "隶属", "locatedIn": "位于",
    "subOrganizationOf": "下属", "launched": "发起",
}
LEVEL_NAMES = {
    "province": "省级", "prefecture": "地级", "county": "县级", "township": "乡级",
    "village": "村级", "community": "社区", "residential": "小区", "other": "其他",
}
CATEGORY_NAMES = {
    "party": "党组织", "government": "政府", "public_institution": "事业单位",
    "self_governance": "自治组织", "legislature": "人大", "social_organization": "社会组织",
    "public_security": "公安", "judicial": "司法", "media": "媒体", "enterprise": "企业",
    "procuratorate": "检察", "court": "法院", "military": "军队", "cppcc": "政协",
}
TITLE = "基层治理知识图谱"
LIMIT = 2000  # entities carried by the page
TOP = 300  # entities drawn by default when the page carries more than 2 * TOP
EVIDENCE_PER_FACT = 3
ARTICLES_PER_ENTITY = 8  # articles listed in an entity's panel
SENTENCE_CHARS = 240
# Headless Chromium as the tests and scripts/screenshot.py start it (Debian's package).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run")
OPTIONS = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
              "font": {"size": 10, "align": "middle"}, "color": {"color": "#aaaaaa"},
              "smooth": False},
    "nodes": {"font": {"size": 14, "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}},
}
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'")
_ANCHOR = "network = new vis.Network(container, data, options);"
_EXTERNAL_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>"
    r"|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE)


def render_html(graph_or_nxg: Graph | nx.MultiDiGraph, *, focus: str | None = None,
                depth: int = 1, title: str = TITLE, limit: int = LIMIT,
                top: int = TOP) -> str:
    """The page for a whole graph, or for the entities within `depth` hops of `focus`."""
    from kg import network

    nxg = graph_or_nxg
    if not hasattr(nxg, "nodes"):  # an rdflib Graph
        nxg = network.to_networkx(graph_or_nxg)
    if focus is not None:
        nxg = network.neighbourhood(nxg, focus, depth)
    data = page_data(nxg, limit=limit, top=top)
    return page_html(data, title)


def page_html(data: dict[str, Any], title: str = TITLE) -> str:
    """The page showing `data` (`page_data`)."""
    return _finish(_pyvis_page(data), data, title)


def page_key(data: dict[str, Any], title: str = TITLE) -> str:
    """A hash of all a page is made from: its data and title, this module, its assets
    and the versions of pyvis and jinja2 (which fill pyvis's template). `kg build`
    keeps graph.html when the key did not change, without importing pyvis."""
    import hashlib

    digest = hashlib.sha256(_page_version().encode())
    digest.update(title.encode("utf-8") + b"\x00" + script_json(data).encode("utf-8"))
    return digest.hexdigest()[:32]


@functools.cache
def _page_version() -> str:
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(f"pyvis {version('pyvis')} jinja2 {version('jinja2')}".encode())
    digest.update(Path(__file__).read_bytes())
    for name in ("controls.html", "graph.css", "graph.js"):
        digest.update(_asset(name).encode("utf-8"))
    return digest.hexdigest()


# ---------------------------------------------------------------- data for the page

def page_data(nxg: nx.MultiDiGraph, *, limit: int = LIMIT, top: int = TOP,
              details: Callable[[list[str]], Any] | None = None,
              layouts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nodes (with positions), facts, evidence tables and filter values, as plain JSON data.

    `details`, when given, is called with the entities the page carries before their
    aliases, articles and evidence are read (`network.from_merged_lazy`). `layouts`
    keeps spring layouts between calls (`_component_layout`)."""
    degree = dict(nxg.degree())
    keep = carried(nxg, degree, limit)
    if details is not None:
        details(keep)
    index = {n: i for i, n in enumerate(keep)}
    # the facts among them, walked once on plain dicts (a subgraph view filters each step)
    among = [(u, v, d) for u in keep for v, keyed in nxg._succ[u].items() if v in index
             for d in keyed.values()]
    places = anchor_places(nxg)
    by_place = {p: province_of(nxg, p) for p in {places[n] for n in keep if n in places}}
    provinces = {n: by_place[places[n]] for n in keep if n in places}
    positions = _layout(sorted(keep), sorted((u, v) for u, v, _ in among if u != v),
                        layouts=layouts)
    table: dict[str, list[str]] = {"sentences": [], "articles": []}
    lookup: dict[str, dict[str, int]] = {"sentences": {}, "articles": {}}

    def ref(kind: str, text: str) -> int:
        if text not in lookup[kind]:
            lookup[kind][text] = len(table[kind])
            table[kind].append(text)
        return lookup[kind][text]

    nodes = [_node_data(nxg, n, degree[n], places.get(n), provinces.get(n), positions[n],
                        [ref("articles", a)
                         for a in nxg.nodes[n].get("articles", ())[:ARTICLES_PER_ENTITY]])
             for n in keep]
    edges = []
    for u, v, d in sorted(among, key=lambda e: (index[e[0]], index[e[1]], e[2]["relation"])):
        evidence = [[ref("sentences", _clip(e.get("sentence", ""))),
                     ref("articles", e.get("article") or e.get("article_id") or "")]
                    for e in (d.get("evidence") or [d])[:EVIDENCE_PER_FACT] if e.get("sentence")]
        edges.append({"from": index[u], "to": index[v], "relation": d["relation"],
                      "label": d["label"], "past": bool(d.get("past")), "evidence": evidence})
    return {"nodes": nodes, "edges": edges, **table,
            "total": {"nodes": nxg.number_of_nodes(), "edges": nxg.number_of_edges()},
            "top": top if len(nodes) > 2 * top else len(nodes),
            "focus": index.get(nxg.graph.get("focus", ""), -1),
            "names": {"type": {k: v[2] for k, v in STYLES.items()}, "level": LEVEL_NAMES,
                      "category": CATEGORY_NAMES, "relation": RELATION_NAMES},
            "order": {"type": list(STYLES), "level": list(LEVEL_NAMES),
                      "category": list(CATEGORY_NAMES)},
            "styles": {k: {"color": c, "shape": s} for k, (c, s, _) in STYLES.items()}}


def carried(nxg: nx.MultiDiGraph, degree: dict[str, int], limit: int) -> list[str]:
    """The entities a page carries, best-connected first: all of them when they fit, else
    the top half of `limit` by degree plus, round by round, up to 20 best-connected
    neighbours of each, so a hub's panel and ego view still show some of its facts."""
    node = nxg._node  # a plain dict: no view

    def rank(n: str) -> tuple[int, str, str]:
        return (-degree[n], node[n]["label"], n)

    ranked = sorted(nxg, key=rank)
    if len(ranked) <= limit:
        return ranked
    keep = dict.fromkeys(ranked[:limit // 2])
    for hub in list(keep):
        if len(keep) >= limit:
            break
        near = sorted({m for m in nx_neighbours(nxg, hub) if m not in keep}, key=rank)
        keep.update(dict.fromkeys(near[:min(20, limit - len(keep))]))
    return sorted(keep, key=rank)


def nx_neighbours(nxg: nx.MultiDiGraph, node: str) -> set[str]:
    """Neighbours either way along a fact."""
    return set(nxg.successors(node)) | set(nxg.predecessors(node))


def _node_data(nxg: nx.MultiDiGraph, node: str, degree: int, place: str | None,
               province: str | None, xy: tuple[float, float], articles: list[int]
               ) -> dict[str, Any]:
    data = nxg.nodes[node]
    place_level = nxg.nodes[place].get("level", "") if place else ""
    return {"iri": node, "label": data["label"], "type": data["type"],
            "level": data.get("level", ""), "category": data.get("category", ""),
            "initiative_type": data.get("initiative_type", ""),
            "place_level": place_level, "province": province or "",
            "aliases": list(data.get("aliases", ())), "articles": articles,
            "degree": degree, "x": round(xy[0], 1), "y": round(xy[1], 1)}


def _clip(sentence: str) -> str:
    return sentence if len(sentence) <= SENTENCE_CHARS else sentence[:SENTENCE_CHARS] + "…"


def anchor_places(nxg: nx.MultiDiGraph) -> dict[str, str]:
    """Each entity's place: itself for a place, where an organisation sits, where a
    person holds a post, where an initiative's launcher sits (first found, by IRI)."""
    of_type: dict[str, list[str]] = {}  # in node order
    for n, d in nxg._node.items():
        of_type.setdefault(d["type"], []).append(n)
    found = {n: n for n in of_type.get("Place", ())}
    steps = (("Organization", "out", ("locatedIn",)), ("Organization", "out", ("subOrganizationOf",)),
             ("Person", "out", ("holdsPost",)), ("Initiative", "in", ("launched",)))
    # Each step's candidates and the other ends of their edges, gathered once (in node
    # order; those without any such edge never settle), then settled round by round.
    ends = []
    for kind, way, relations in steps:
        adjacency = nxg._succ if way == "out" else nxg._pred  # plain dicts: no views
        step = []
        for n in of_type.get(kind, ()):
            others = [m for m, keyed in adjacency[n].items() for e in keyed.values()
                      if e["relation"] in relations]
            if others:
                step.append((n, others))
        ends.append(step)
    for _ in range(3):  # sub-organisations of sub-organisations
        for step in ends:
            for n, others in step:
                if n in found:
                    continue
                hits = [found[m] for m in others if m in found]
                if hits:
                    found[n] = min(hits)
    return found


def province_of(nxg: nx.MultiDiGraph, place: str) -> str:
    """The label of the province-level place above `place` (following partOf), or ''."""
    seen = set()
    while place not in seen:
        seen.add(place)
        if nxg.nodes[place].get("level") == "province":
            return nxg.nodes[place]["label"]
        parents = sorted(o for _, o, d in nxg.out_edges(place, data=True)
                         if d["relation"] == "partOf")
        if not parents:
            return ""
        place = parents[0]
    return ""


def layout(nxg: nx.MultiDiGraph, *, backbone: int = 300, seed: int = 7
           ) -> dict[str, tuple[float, float]]:
    """Positions in page pixels: each connected component laid out on its own and the
    components packed in rows, largest first. Big components get a spring layout of
    their `backbone` best-connected nodes; the rest circle the neighbour that placed them."""
    return _layout(sorted(nxg), sorted((u, v) for u, v in nxg.edges() if u != v),
                   backbone=backbone, seed=seed)


def _layout(nodes: list[str], pairs: list[tuple[str, str]], *, backbone: int = 300,
            seed: int = 7, layouts: dict[str, Any] | None = None
            ) -> dict[str, tuple[float, float]]:
    """`layout` of the network of `nodes` (sorted) and its facts' `pairs` (sorted, no loops)."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from(pairs)
    parts = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c))
    shapes = [_component_layout(simple.adj, c, backbone, seed, layouts) for c in parts]
    width = 2.2 * math.sqrt(sum(_extent(s) ** 2 for s in shapes)) + 1
    positions: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for shape in shapes:
        size = _extent(shape)
        if x > 0 and x + size > width:
            x, y, row = 0.0, y + row + 60, 0.0
        for node, (px, py) in shape.items():
            positions[node] = (x + size / 2 + px, y + size / 2 + py)
        x, row = x + size + 60, max(row, size)
    return positions


def _extent(shape: dict[str, tuple[float, float]]) -> float:
    return 2 * max((max(abs(px), abs(py)) for px, py in shape.values()), default=0) + 40


def _component_layout(adj: Any, component: list[str], backbone: int, seed: int,
                      layouts: dict[str, Any] | None = None
                      ) -> dict[str, tuple[float, float]]:
    """Positions of a connected `component` (its nodes) of the graph whose adjacency is
    `adj`: a component's neighbours are all in it, so no subgraph view is needed.
    `layouts` keeps each backbone's spring layout by a hash of all it is made from."""
    import networkx as nx

    n = len(component)
    if n == 1:
        return {component[0]: (0.0, 0.0)}
    core = sorted(component, key=lambda v: (-len(adj[v]), v))[:backbone]
    scale = 110 * math.sqrt(len(core))
    # A graph built in sorted order: the spring layout depends on the node order.
    in_core = set(core)
    backbone_graph = nx.Graph()
    backbone_graph.add_nodes_from(sorted(core))
    backbone_graph.add_edges_from(sorted((u, v) for u in core for v in adj[u]
                                         if u < v and v in in_core))
    pos = _spring(backbone_graph, seed, layouts)
    pos = {v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in pos.items()}
    # The rest: breadth-first from the core, each on a ring around the node that reached it.
    frontier, ring = list(core), 0
    while len(pos) < n and frontier:
        ring += 1
        nxt = []
        for parent in frontier:
            kids = sorted(k for k in adj[parent] if k not in pos)
            radius = 40 + 6 * math.sqrt(len(kids)) * 4
            for i, kid in enumerate(kids):
                angle = 2 * math.pi * i / len(kids) + ring
                pos[kid] = (pos[parent][0] + radius * math.cos(angle),
                            pos[parent][1] + radius * math.sin(angle))
            nxt.extend(kids)
        frontier = nxt
    return pos


LAYOUT_KEPT_FROM = 50  # nodes: a smaller backbone is laid out in milliseconds


def _spring(graph: nx.Graph, seed: int, layouts: dict[str, Any] | None
            ) -> dict[str, tuple[float, float]]:
    """networkx's spring layout of `graph` (60 iterations), from `layouts` when it holds
    the layout of the same graph, seed and versions. The page's two big backbones took
    0.17 s to lay out at 10,000 articles, and a rebuild after a small change mostly
    leaves them as they were."""
    import hashlib

    import networkx as nx

    key = None
    if layouts is not None and graph.number_of_nodes() >= LAYOUT_KEPT_FROM:
        digest = hashlib.sha256(repr((_layout_versions(), seed, list(graph.nodes),
                                      list(graph.edges))).encode("utf-8"))
        key = digest.hexdigest()
        found = layouts.get(key)
        if isinstance(found, dict):
            return found
    pos = {v: (float(p[0]), float(p[1]))
           for v, p in nx.spring_layout(graph, seed=seed, iterations=60).items()}
    if layouts is not None and key is not None:
        layouts[key] = pos
    return pos


@functools.cache
def _layout_versions() -> tuple[str, ...]:
    """What a spring layout depends on besides the graph and the seed."""
    from importlib.metadata import version

    return (version("networkx"), version("numpy"))


# ---------------------------------------------------------------- the page

def import_renderer() -> None:
    """Import what renders a page now (pyvis, which imports IPython: 0.2 s), so that a
    process forked from this one later (kg/build.py) does not."""
    import pyvis.network  # noqa: F401


def _pyvis_page(data: dict[str, Any]) -> str:
    from pyvis.network import Network

    net = Network(height="100vh", width="100%", directed=True, heading="",
                  cdn_resources="in_line")
    # Chinese stays readable in the page source; jinja's tojson still escapes <, >, &, '.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Filled directly (pyvis's add_node/add_edge are quadratic): the entities drawn first.
    shown = range(min(data["top"], len(data["nodes"])))  # nodes come sorted by degree
    net.nodes = [_vis_node(data, i) for i in shown]
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    drawn = set(shown)
    net.edges = [_vis_edge(data, k) for k, e in enumerate(data["edges"])
                 if e["from"] in drawn and e["to"] in drawn]
    net.options = OPTIONS
    return net.generate_html()


def _vis_node(data: dict[str, Any], i: int) -> dict[str, Any]:
    """The same node the page script builds (kgVisNode in graph.js)."""
    node = data["nodes"][i]
    colour, shape, name = STYLES.get(node["type"], STYLES["Other"])
    item = {"id": node["iri"], "label": node["label"], "shape": shape, "color": colour,
            "group": node["type"], "size": round(10 + 4 * math.log1p(node["degree"]), 1),
            "x": node["x"], "y": node["y"], "physics": False,
            # Plain text: vis-network shows string titles as text; no "href" (pyvis's HTML popup).
            "title": f"{node['label']} · {name}".replace("href", "hr\u200bef")}
    if i == data["focus"]:
        item.update(borderWidth=4, color={"background": colour, "border": "#222222"})
    return item


def _vis_edge(data: dict[str, Any], k: int) -> dict[str, Any]:
    edge = data["edges"][k]
    label = edge["label"] + ("（曾任）" if edge["past"] else "")
    return {"id": k, "from": data["nodes"][edge["from"]]["iri"],
            "to": data["nodes"][edge["to"]]["iri"], "label": label, "arrows": "to"}


def _asset(name: str) -> str:
    return (resources.files("kg.data") / "view" / name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON that is safe inside <script>: <, >, & and line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for raw, safe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, safe)
    return text


def _controls(data: dict[str, Any], title: str) -> str:
    total = data["total"]
    carried = (f"页面含度数最高的 {len(data['nodes'])} 个实体（共 {total['nodes']} 个）"
               if len(data["nodes"]) < total["nodes"] else
               f"{total['nodes']} 个实体 · {total['edges']} 条关系")
    rows = "".join(f'<li><span class="swatch" style="background:{c}"></span>'
                   f"{escape(n)} {escape(k)} · {escape(s)}</li>"
                   for k, (c, s, n) in STYLES.items())
    return _asset("controls.html").replace("{{title}}", escape(title)).replace(
        "{{carried}}", escape(carried)).replace("{{legend}}", rows)


def _finish(page: str, data: dict[str, Any], title: str) -> str:
    if _ANCHOR not in page:
        raise RuntimeError("pyvis template changed: cannot find where the network is drawn")
    page = _EXTERNAL_TAG.sub("", page)
    page = re.sub(r"<!--\s*<link[^>]*node_modules.*?-->\s*", "", page, flags=re.DOTALL)  # dead refs
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", "", page)  # empty pyvis heading
    page = page.replace("<html>", '<html lang="zh">', 1)
    head = (f'<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" '
            f'content="{CSP}">\n<title>{escape(title)}</title>\n'
            f"<style>\n{_asset('graph.css')}</style>\n")
    page = page.replace('<meta charset="utf-8">', head, 1)
    page = page.replace("<body>", "<body>\n" + _controls(data, title), 1)
    tail = (f'<script type="application/json" id="kg-data">{script_json(data)}</script>\n'
            f"<script>\n{_asset('graph.js')}</script>\n</body>")
    page = _replace_last(page, "</body>", tail)
    leftover = _EXTERNAL_TAG.search(page)
    if leftover:
        raise RuntimeError(f"page still loads an external resource: {leftover[0][:80]}")
    return page


def _replace_last(text: str, old: str, new: str) -> str:
    head, sep, tail = text.rpartition(old)
    if not sep:
        raise RuntimeError(f"pyvis template changed: no {old}")
    return head + new + tail


# ---------------------------------------------------------------- writing

def write_html(html: str, path: str | Path) -> Path:
    """Write the page atomically (temp file + rename), creating the folder if needed."""
    return write_text_atomic(html, path)


def write_text_atomic(text: str, path: str | Path) -> Path:
    """UTF-8 text to `path` via a temp file and rename, so readers never see half a file."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; match a normal open()
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc}); "
                          "choose another path with -o") from None
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
