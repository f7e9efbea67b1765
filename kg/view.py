"""One self-contained HTML page of the entity network (pyvis / vis-network).

The page makes no network requests: vis-network is inlined, and the bootstrap
links pyvis's template always adds are removed. Tooltips are built as HTML from
html.escape()d text and turned into DOM elements in the page, so evidence like
`<script>` shows as text and never runs. Node and edge labels are drawn on the
canvas (never parsed as HTML) and reach the page through JSON that escapes <, >, &.
"""
from __future__ import annotations

import os
import re
import tempfile
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import OutputError

if TYPE_CHECKING:
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
    "holdsPost": "任职 (holds post)", "partOf": "隶属 (part of)",
    "locatedIn": "位于 (located in)", "subOrganizationOf": "下属 (sub-organisation of)",
    "launched": "发起 (launched)",
}
OPTIONS = {
    "physics": {"enabled": True, "solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
                "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
    "interaction": {"hover": True, "tooltipDelay": 120},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
              "font": {"size": 10, "align": "middle"}, "color": {"color": "#999999"},
              "smooth": {"enabled": True, "type": "dynamic"}},
    "nodes": {"font": {"size": 14, "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}},
}
_ANCHOR = "network = new vis.Network(container, data, options);"
# Before drawing: tooltip HTML strings become elements (vis-network shows plain
# strings as text). After: physics stops once the layout has stabilised.
_BEFORE = """function kgTip(item) {
  if (typeof item.title !== "string") { return null; }
  var box = document.createElement("div"); box.className = "kg-tip"; box.innerHTML = item.title;
  return {id: item.id, title: box};
}
nodes.update(nodes.get().map(kgTip).filter(Boolean));
edges.update(edges.get().map(kgTip).filter(Boolean));
"""
_AFTER = """network.once("stabilizationIterationsDone", function () {
  network.setOptions({physics: {enabled: false}});
});
"""
_EXTERNAL_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>"
    r"|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE)
_CSS = """<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; }
#kg-legend { position: fixed; top: 10px; right: 10px; z-index: 10; background: #fff;
  border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; font-size: 13px; }
#kg-legend h2 { font-size: 14px; margin: 0 0 6px 0; }
#kg-legend ul { list-style: none; margin: 0; padding: 0; }
#kg-legend .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: middle; }
.kg-tip { max-width: 420px; white-space: normal; font-size: 13px; line-height: 1.5; }
.kg-tip q { color: #333; }
</style>
"""


def render_html(graph_or_nxg: Graph | nx.MultiDiGraph, *, focus: str | None = None,
                depth: int = 1, title: str = "基层治理知识图谱") -> str:
    """The page for a whole graph, or for the entities within `depth` hops of `focus`."""
    from kg import network

    nxg = graph_or_nxg
    if not hasattr(nxg, "nodes"):  # an rdflib Graph
        nxg = network.to_networkx(graph_or_nxg)
    if focus is not None:
        nxg = network.neighbourhood(nxg, focus, depth)
    page = _pyvis_page(nxg)
    return _finish(page, nxg, title)


def _pyvis_page(nxg: nx.MultiDiGraph) -> str:
    from pyvis.network import Network

    net = Network(height="100vh", width="100%", directed=True, heading="",
                  cdn_resources="in_line")
    # Chinese stays readable in the page source; jinja's tojson still escapes <, >, &, '.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Filled directly: pyvis's add_node/add_edge scan lists and are quadratic.
    net.nodes = [_node(nxg, n, d) for n, d in sorted(nxg.nodes(data=True))]
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges = [_edge(nxg, u, v, d) for u, v, d in sorted(
        nxg.edges(data=True), key=lambda e: (e[0], e[1], e[2]["relation"], e[2]["label"]))]
    net.options = OPTIONS
    return net.generate_html()


def _node(nxg: nx.MultiDiGraph, node: str, data: dict[str, Any]) -> dict[str, Any]:
    colour, shape, _ = STYLES.get(data["type"], STYLES["Other"])
    item = {"id": node, "label": data["label"], "shape": shape, "color": colour,
            "group": data["type"], "size": 12 + 3 * nxg.degree(node) ** 0.5,
            "title": _node_tip(nxg, node, data)}
    if nxg.graph.get("focus") == node:
        item.update(borderWidth=4, color={"background": colour, "border": "#222222"})
    return item


def _edge(nxg: nx.MultiDiGraph, u: str, v: str, data: dict[str, Any]) -> dict[str, Any]:
    label = data["label"] + ("（曾任）" if data.get("past") else "")
    return {"from": u, "to": v, "label": label, "arrows": "to",
            "title": _edge_tip(nxg, u, v, data)}


def _tip(parts: list[str]) -> str:
    # pyvis switches to an innerHTML popup when a title contains "href"; keep it off.
    return "<br>".join(parts).replace("href", "hr&#101;f")


def _quote(evidence: dict[str, Any]) -> str:
    sentence = evidence.get("sentence", "")
    if len(sentence) > 200:
        sentence = sentence[:200] + "…"
    source = f" —《{escape(evidence['article'])}》" if evidence.get("article") else ""
    return f"<q>{escape(sentence)}</q>{source}" if sentence else source


def _node_tip(nxg: nx.MultiDiGraph, node: str, data: dict[str, Any]) -> str:
    kind = STYLES.get(data["type"], STYLES["Other"])[2]
    parts = [f"<b>{escape(data['label'])}</b>", escape(f"{kind} ({data['type']})")]
    for key, name in (("level", "层级"), ("category", "类别"), ("initiative_type", "类型")):
        if data.get(key):
            parts.append(f"{name}: {escape(data[key])}")
    if data.get("aliases"):
        parts.append("别名: " + escape("、".join(data["aliases"])))
    incident = [d for *_, d in nxg.edges(node, data=True)] + \
               [d for *_, d in nxg.in_edges(node, data=True)]
    quotes = [_quote(d) for d in incident if d.get("sentence")][:2]
    parts.extend(quotes)
    if data.get("articles") and not quotes:
        parts.append("见于: " + escape("；".join(data["articles"][:3])))
    return _tip(parts)


def _edge_tip(nxg: nx.MultiDiGraph, u: str, v: str, data: dict[str, Any]) -> str:
    head = f"{nxg.nodes[u]['label']} → {nxg.nodes[v]['label']}"
    parts = [f"<b>{escape(head)}</b>",
             escape(RELATION_NAMES.get(data["relation"], data["relation"]))]
    if data.get("title"):
        parts.append(escape(data["title"] + ("（曾任）" if data.get("past") else "")))
    evidence = data.get("evidence") or [data]
    parts.extend(_quote(e) for e in evidence[:3] if e.get("sentence"))
    return _tip(parts)


def _legend(nxg: nx.MultiDiGraph, title: str) -> str:
    present = {d["type"] for _, d in nxg.nodes(data=True)}
    rows = []
    for kind, (colour, shape, name) in STYLES.items():
        if kind in present or kind != "Other":
            rows.append(f'<li><span class="swatch" style="background:{colour}"></span>'
                        f"{escape(name)} {escape(kind)} · {escape(shape)}</li>")
    count = f"{nxg.number_of_nodes()} 个实体 · {nxg.number_of_edges()} 条关系"
    return (f'<div id="kg-legend"><h2>{escape(title)}</h2><ul>{"".join(rows)}</ul>'
            f"<div>{escape(count)}</div><div>悬停查看证据句 · hover for evidence</div></div>\n")


def _finish(page: str, nxg: nx.MultiDiGraph, title: str) -> str:
    if _ANCHOR not in page:
        raise RuntimeError("pyvis template changed: cannot find where the network is drawn")
    page = _EXTERNAL_TAG.sub("", page)
    page = re.sub(r"<!--\s*<link[^>]*node_modules.*?-->\s*", "", page, flags=re.S)  # dead refs
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", "", page)  # empty pyvis heading
    page = page.replace(_ANCHOR, _BEFORE + _ANCHOR + "\n" + _AFTER, 1)
    page = page.replace("<html>", '<html lang="zh">', 1)
    page = page.replace('<meta charset="utf-8">',
                        f'<meta charset="utf-8">\n<title>{escape(title)}</title>\n{_CSS}', 1)
    page = page.replace("<body>", "<body>\n" + _legend(nxg, title), 1)
    leftover = _EXTERNAL_TAG.search(page)
    if leftover:
        raise RuntimeError(f"page still loads an external resource: {leftover[0][:80]}")
    return page


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
