"""`kg serve`: Oxigraph's read-only server behind our front, queried over real HTTP."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from kg.serve import free_port, load_store, query_page, start

COUNT_PEOPLE = """PREFIX gov: <https://w3id.org/jiceng-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?p a gov:Person ; rdfs:label ?name } ORDER BY ?name"""
CONSTRUCT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label "东南村"@zh ; rdfs:label ?l }"""
PEOPLE = ["张伟", "王芳", "王芳", "黄家瑛"]
FORMATS = {  # Accept -> Content-Type that comes back
    "application/sparql-results+json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "text/csv": "text/csv",
    "text/tab-separated-values": "text/tab-separated-values",
}


pytest.importorskip("pyoxigraph")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    from conftest import build_sample_graph

    path = tmp_path_factory.mktemp("serve") / "graph.ttl"
    build_sample_graph().serialize(destination=str(path), format="turtle")
    server = start(path, port=0)  # the oxigraph package is a dependency: no skip
    with server:
        yield server
    assert server._backend.poll() is not None  # Oxigraph stopped with the endpoint


def _get(url: str, accept: str = "*/*", data: bytes | None = None,
         content_type: str | None = None) -> tuple[int, str, str]:
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def _query_url(endpoint, query: str) -> str:
    return endpoint.query_url + "?" + urllib.parse.urlencode({"query": query})


def test_binds_to_loopback_by_default(endpoint):
    assert endpoint.url.startswith("http://127.0.0.1:")


def test_get_query_as_sparql_json(endpoint):
    status, kind, body = _get(_query_url(endpoint, COUNT_PEOPLE),
                              "application/sparql-results+json")
    assert status == 200 and kind.startswith("application/sparql-results+json")
    names = [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert names == PEOPLE


@pytest.mark.parametrize("accept", FORMATS)
def test_post_query_in_every_result_format(endpoint, accept):
    status, kind, body = _get(endpoint.query_url, accept, COUNT_PEOPLE.encode(),
                              "application/sparql-query")
    assert status == 200 and kind.startswith(FORMATS[accept])
    if accept.endswith("json"):
        assert len(json.loads(body)["results"]["bindings"]) == 4
    elif accept.endswith("xml"):
        assert len(ET.fromstring(body).findall(".//{*}result")) == 4
    else:
        rows = list(csv.reader(io.StringIO(body),
                               delimiter="," if accept == "text/csv" else "\t"))
        assert [r[0].replace('"', "").removesuffix("@zh") for r in rows[1:]] == PEOPLE


def test_post_form_encoded_query(endpoint):
    data = urllib.parse.urlencode({"query": COUNT_PEOPLE}).encode()
    status, _, body = _get(endpoint.url + "sparql", "text/csv", data,
                           "application/x-www-form-urlencoded")
    assert status == 200 and "黄家瑛" in body


@pytest.mark.parametrize("query", [CONSTRUCT, "DESCRIBE ?s WHERE { ?s ?p \"东南村\"@zh }"])
def test_construct_and_describe_as_turtle(endpoint, query):
    status, kind, body = _get(_query_url(endpoint, query), "text/turtle")
    assert status == 200 and kind.startswith("text/turtle")
    from rdflib import Graph

    graph = Graph().parse(data=body, format="turtle")
    assert "东南村" in {str(o) for o in graph.objects()}


@pytest.mark.parametrize("how", ["update-path", "update-body", "form", "put"])
def test_updates_are_refused(endpoint, how):
    update = 'INSERT DATA { <urn:a> <urn:b> "c" }'
    if how == "update-path":
        status, _, body = _get(endpoint.url + "update", data=update.encode(),
                               content_type="application/sparql-update")
    elif how == "update-body":
        status, _, body = _get(endpoint.query_url, data=update.encode(),
                               content_type="application/sparql-update")
    elif how == "form":
        status, _, body = _get(endpoint.query_url, data=urllib.parse.urlencode(
            {"update": update}).encode(), content_type="application/x-www-form-urlencoded")
    else:
        request = urllib.request.Request(endpoint.url + "store", data=b"x", method="PUT")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)
        status, body = err.value.code, err.value.read().decode()
    assert status in (403, 405) and "read-only" in body
    _, _, after = _get(_query_url(endpoint, "ASK { <urn:a> ?p ?o }"),
                       "application/sparql-results+json")
    assert json.loads(after)["boolean"] is False


def test_bad_query_is_a_400_with_the_reason(endpoint):
    status, _, body = _get(_query_url(endpoint, "SELECT WHERE {"), "text/csv")
    assert status == 400 and body


def test_query_page_is_offline_and_has_the_presets(endpoint):
    status, kind, page = _get(endpoint.url)
    assert status == 200 and kind.startswith("text/html")
    assert "people_posts" in page and "org_hierarchy" in page
    assert "src=" not in page and "href=" not in page and "connect-src 'self'" in page
    assert page == query_page().decode()


def test_query_page_runs_a_preset_in_chromium(endpoint):
    from test_browser import _missing

    if _missing():
        pytest.skip(_missing())
    from playwright.sync_api import sync_playwright

    from kg.view import CHROMIUM, CHROMIUM_FLAGS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        page = browser.new_page()
        errors, requests = [], []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(endpoint.url)
        page.select_option("#preset", label="place")
        page.fill("input[data-param='place']", "许昌市")
        page.click("#run")
        page.wait_for_selector("#result table")
        text = page.inner_text("#result")
        browser.close()
    assert "许昌市委" in text and "王芳" in text
    assert errors == [] and all(u.startswith(endpoint.url) for u in requests)


def test_serves_an_existing_store_folder(tmp_path, sample_ttl):
    store = load_store(sample_ttl, tmp_path / "store")
    with start(store, port=0) as server:
        status, _, body = _get(_query_url(server, COUNT_PEOPLE), "text/csv")
    assert status == 200 and "黄家瑛" in body
    assert server._backend.poll() is not None


def test_not_a_store_folder_is_an_error(tmp_path):
    from kg.errors import GraphError

    with pytest.raises(GraphError, match="not an Oxigraph store"):
        start(tmp_path, port=0)


def test_kg_serve_command_serves_until_stopped(sample_ttl):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(sample_ttl),
                                "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode(
            {"query": COUNT_PEOPLE})
        for _ in range(100):
            try:
                status, _, body = _get(url, "text/csv")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200 and "黄家瑛" in body
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out, err
