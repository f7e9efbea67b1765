"""kg/push.py against a real Oxigraph server (the `oxigraph` PyPI package) on 127.0.0.1."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from kg.build import build
from kg.errors import OutputError, UsageError
from kg.push import push, split_nquads
from kg.query import load_preset, run_preset
from kg.store import load_graph
from test_incremental import RECORDS, write_corpus

OXIGRAPH = shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "db"),
                             "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # at most ~10 s
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def remote_rows(base: str, sparql: str) -> list[tuple]:
    url = f"{base}/query?union-default-graph&query={urllib.parse.quote(sparql)}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        data = json.load(response)
    names = data["head"]["vars"]
    return sorted(tuple(b.get(n, {}).get("value") for n in names)
                  for b in data["results"]["bindings"])


def test_pushed_graph_answers_a_preset_like_the_local_store(tmp_path, server):
    out = tmp_path / "out"
    build([write_corpus(tmp_path / "c.jsonl", RECORDS)], out_dir=out)
    summary = push(out, f"{server}/store")
    assert summary.graphs == len(RECORDS) + 1
    push(out, f"{server}/store")  # a second push replaces, never duplicates
    local = sorted(tuple(r) for r in run_preset(load_graph(out), "people_posts").rows)
    assert local and remote_rows(server, load_preset("people_posts")) == local


def test_split_nquads_groups_lines_by_graph():
    data = ('<http://x/a> <http://x/p> "a b" <http://x/g1> .\n'
            '<http://x/a> <http://x/p> <http://x/b> <http://x/g2> .\n').encode()
    assert split_nquads(data) == {"http://x/g1": ['<http://x/a> <http://x/p> "a b" .'],
                                  "http://x/g2": ["<http://x/a> <http://x/p> <http://x/b> ."]}


def test_push_to_nothing_says_it_cannot_connect(tmp_path):
    out = tmp_path / "out"
    build([write_corpus(tmp_path / "c.jsonl", RECORDS[:1])], out_dir=out, store="memory")
    with pytest.raises(OutputError, match="cannot connect"):
        push(out, f"http://127.0.0.1:{free_port()}/store", timeout=2)
    with pytest.raises(UsageError, match="http"):
        push(out, "ftp://example/store")
