"""The graph page in real headless Chromium (Debian's package, driven by Playwright).

Skipped with a reason when Chromium or Playwright is missing, except in CI (CI=true),
where scripts/test.sh installs both and a missing browser is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import build_sample_graph

from kg.view import CHROMIUM, CHROMIUM_FLAGS, render_html

HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">',
           "<svg onload=alert(3)>", '"><iframe src="javascript:alert(4)">']


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not installed (apt-get install chromium; scripts/test.sh does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        yield chromium
        chromium.close()


class Visit:
    """A page opened from a file, recording console errors, requests and dialogs."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.kg !== undefined && network !== undefined")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def canvas_colours(self) -> int:
        """Distinct colours drawn in the network canvas (a blank canvas has one or none)."""
        return self.js("""() => {
          const c = document.querySelector('#mynetwork canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          for (let i = 0; i < d.length; i += 16) { seen.add((d[i] << 16) | (d[i+1] << 8) | d[i+2]); }
          return seen.size; }""")

    def stays_local(self) -> bool:
        return all(u.startswith(("file://", "data:", "blob:", "about:")) for u in self.requests)


def _write(tmp_path_factory, name: str, html: str) -> Path:
    path = tmp_path_factory.mktemp("pages") / name
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def examples_page(tmp_path_factory) -> Path:
    """graph.html exactly as `kg build examples/` writes it."""
    from kg.build import build

    out = tmp_path_factory.mktemp("examples")
    build([Path(__file__).resolve().parent.parent / "examples"], out_dir=out)
    return out / "graph.html"


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> Path:
    from conftest import GOV, ID
    from rdflib import RDFS, Literal

    g = build_sample_graph()
    g.set((ID["evidence/m1"], GOV.sentence, Literal("黄家瑛说" + "".join(HOSTILE), lang="zh")))
    g.set((ID["article/a1"], RDFS.label, Literal("标题" + HOSTILE[1], lang="zh")))
    g.set((ID["person/zw"], RDFS.label, Literal("张伟" + HOSTILE[2], lang="zh")))
    return _write(tmp_path_factory, "hostile.html", render_html(g))


def test_examples_page_draws_nodes_offline_without_errors(browser, examples_page):
    visit = Visit(browser, examples_page)
    assert visit.js("nodes.length") > 300
    assert visit.js("network.body.data.nodes.length") == visit.js("nodes.length")
    assert visit.canvas_colours() > 20
    assert visit.errors == []
    assert visit.stays_local(), visit.requests


def test_search_focuses_the_node_and_shows_its_panel(browser, examples_page):
    visit = Visit(browser, examples_page)
    visit.page.fill("#kg-search", "许昌市")
    visit.page.press("#kg-search", "Enter")
    selected = visit.js("network.getSelectedNodes()")
    assert len(selected) == 1
    assert visit.js("(id) => nodes.get(id).label", selected[0]) == "许昌市"
    panel = visit.page.inner_text("#kg-panel")
    assert "许昌市" in panel and "河南省" in panel and "《" in panel  # evidence with article
    assert visit.errors == []


def test_filters_top_n_and_ego_view(browser, examples_page):
    visit = Visit(browser, examples_page)
    visit.page.uncheck("input[data-key='type'][value='Place']")
    labels = visit.js("nodes.get().map(n => n.group)")
    assert labels and "Place" not in labels
    visit.page.fill("#kg-top", "10")
    visit.page.dispatch_event("#kg-top", "change")
    assert visit.js("nodes.length") == 10
    visit.page.select_option("#kg-f-province", "河南省")
    assert visit.js("nodes.get().every(n => kg.data.nodes.find(m => m.iri === n.id)"
                    ".province === '河南省')")
    iri = visit.js("kg.search('许昌市')")
    visit.page.click("#kg-ego")
    around = set(visit.js("nodes.getIds()"))
    neighbours = visit.js(
        "(iri => { const i = kg.data.nodes.findIndex(n => n.iri === iri), s = new Set();"
        " kg.data.edges.forEach(e => { if (e.from === i) s.add(e.to);"
        " if (e.to === i) s.add(e.from); }); s.delete(i); return s.size; })", iri)
    assert neighbours >= 5 and iri in around and len(around) == neighbours + 1  # 许昌市 + its own
    visit.page.click("#kg-back")
    assert visit.js("nodes.length") <= 10
    assert visit.errors == []


def test_clicking_an_edge_shows_its_evidence(browser, tmp_path_factory):
    path = _write(tmp_path_factory, "sample.html", render_html(build_sample_graph()))
    visit = Visit(browser, path)
    edge = visit.js("edges.get().find(e => e.label === '东南村党支部书记').id")
    visit.js("(id) => network.selectEdges([id])", edge)
    pos = visit.js("""(id) => { const e = edges.get(id), p = network.getPositions([e.from, e.to]);
        return network.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2,
                                    y: (p[e.from].y + p[e.to].y) / 2}); }""", edge)
    visit.page.mouse.click(pos["x"], pos["y"])
    assert "该村党支部书记黄家瑛说" in visit.page.inner_text("#kg-panel")


def test_hostile_article_text_never_runs(browser, hostile_page):
    visit = Visit(browser, hostile_page)
    visit.js("kg.search('黄家瑛')")
    panel = visit.page.inner_text("#kg-panel")
    assert HOSTILE[0] in panel and HOSTILE[1] in panel  # shown as text
    visit.js("kg.search('张伟')")
    visit.page.wait_for_timeout(200)
    assert visit.dialogs == []
    assert visit.js("document.querySelectorAll('#kg-panel img, #kg-panel script, "
                    "#kg-panel svg, iframe').length") == 0
    assert visit.stays_local(), visit.requests


def test_ten_thousand_article_graph_is_usable(browser, tmp_path_factory):
    from test_view import synthetic_network

    path = _write(tmp_path_factory, "big.html", render_html(synthetic_network(10_000)))
    visit = Visit(browser, path)
    assert visit.js("nodes.length") == 300  # top-N by degree drawn by default
    assert visit.js("kg.data.nodes.length") == 2000
    assert visit.js("kg.search('许昌市委')") == visit.js("network.getSelectedNodes()")[0]
    assert visit.canvas_colours() > 5
    assert visit.errors == [] and visit.stays_local()
