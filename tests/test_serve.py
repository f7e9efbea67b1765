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


# ---------------------------------------------------------------- limits

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ALL_TRIPLES = "SELECT * WHERE { ?s ?p ?o }"
RDF_ACCEPT = {"text/turtle", "application/n-triples"}


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """The sample graph behind an endpoint that allows 3 s a query and 5 rows an answer."""
    from conftest import build_sample_graph

    from kg.serve import Limits

    path = tmp_path_factory.mktemp("limited") / "graph.ttl"
    build_sample_graph().serialize(destination=str(path), format="turtle")
    with start(path, port=0, limits=Limits(timeout=3, max_rows=5)) as server:
        yield server


def test_heavy_query_times_out_with_503_while_other_clients_are_answered(limited):
    import threading

    heavy: list[tuple[int, str, str]] = []
    thread = threading.Thread(target=lambda: heavy.append(
        _get(_query_url(limited, HEAVY), "text/csv")))
    thread.start()
    answered_meanwhile = []
    while thread.is_alive():
        status, _, body = _get(_query_url(limited, "ASK { ?s a ?type }"),
                               "application/sparql-results+json")
        assert status == 200 and json.loads(body)["boolean"] is True
        answered_meanwhile.append(thread.is_alive())
    thread.join()
    status, _, body = heavy[0]
    assert status == 503 and body.startswith("query timed out after 3 s")
    assert "--timeout" in body
    assert sum(answered_meanwhile) >= 2  # answered while the heavy query ran


def test_answer_still_streaming_at_the_timeout_is_cut_off(sample_ttl):
    """Oxigraph streams these rows at once and would go on for hours; its own timeout
    does not stop an answer already streaming, the front's clock does."""
    from kg.serve import Limits

    with start(sample_ttl, port=0, limits=Limits(timeout=2, max_rows=10**9)) as server:
        started = time.monotonic()
        status, _, body = _get(_query_url(server, ENDLESS), "text/tab-separated-values")
        assert time.monotonic() - started < 60
        assert status == 503 and body.startswith("query timed out after 2 s")
        status, _, _ = _get(_query_url(server, "ASK { ?s ?p ?o }"), "text/csv")
        assert status == 200  # and the endpoint goes on answering


@pytest.mark.parametrize("accept", [*FORMATS, *RDF_ACCEPT])
def test_answer_over_the_row_limit_is_refused_with_what_to_do(limited, accept):
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }" if accept in RDF_ACCEPT
             else ALL_TRIPLES)
    status, kind, body = _get(_query_url(limited, query), accept)
    assert status == 422 and kind.startswith("text/plain")
    assert body.startswith("the answer has more than 5 rows") and "add LIMIT" in body


@pytest.mark.parametrize("accept", FORMATS)
def test_answer_at_the_row_limit_passes_whole(limited, accept):
    status, kind, body = _get(_query_url(limited, ALL_TRIPLES + " LIMIT 5"), accept)
    assert status == 200 and kind.startswith(FORMATS[accept])
    if accept.endswith("json"):
        assert len(json.loads(body)["results"]["bindings"]) == 5
    elif accept.endswith("xml"):
        assert len(ET.fromstring(body).findall(".//{*}result")) == 5
    else:
        assert len(body.strip().splitlines()) == 6  # header and five rows


def test_query_text_over_a_megabyte_is_refused(limited):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_001
    status, _, body = _get(limited.query_url, "text/csv", big.encode(),
                           "application/sparql-query")
    assert status == 413 and "refused" in body


def test_kg_serve_listens_only_on_loopback_by_default(sample_ttl):
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(sample_ttl),
                                "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_until_up(f"http://127.0.0.1:{port}/")
        import socket

        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, port), timeout=5).close()
    finally:
        process.terminate()
        process.communicate(timeout=20)


def _non_loopback_address() -> str | None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # no packet is sent: picks the outgoing address
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _wait_until_up(url: str) -> bool:
    for _ in range(200):
        try:
            _get(url)
            return True
        except OSError:
            time.sleep(0.1)
    return False


def test_twenty_clients_for_three_seconds_get_no_errors(endpoint):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "load", Path(__file__).resolve().parent.parent / "benchmarks" / "load.py")
    load = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = load  # dataclasses look their module up
    spec.loader.exec_module(load)
    report = load.run(endpoint.query_url, clients=20, seconds=3)
    assert report.errors == []
    assert report.requests >= 20  # every client was answered at least once
    assert all(line for line in report.lines())
