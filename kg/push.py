"""Load a graph into any SPARQL 1.1 Graph Store Protocol server (Oxigraph, Fuseki, GraphDB...).

One HTTP PUT per named graph (`?graph=IRI`, N-Triples body), so pushing again
replaces each article's graph instead of duplicating it; or, with
`default_graph=True`, one PUT of the whole union to `?default`.
Only the standard library is used (urllib).
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import OutputError, UsageError

CONTENT_TYPE = "application/n-triples; charset=utf-8"


@dataclass(frozen=True)
class PushSummary:
    graphs: int
    triples: int
    endpoint: str


def push(source: str | Path, endpoint: str, *, default_graph: bool = False,
         timeout: float = 120.0) -> PushSummary:
    """PUT the graph at `source` (graph file, store or output folder) to `endpoint`."""
    from kg.store import read_nquads

    _check_endpoint(endpoint)
    graphs = split_nquads(read_nquads(source))
    if default_graph:
        lines = sorted({line for body in graphs.values() for line in body})
        _put(_url(endpoint, None), lines, timeout)
        return PushSummary(1, len(lines), endpoint)
    for name, lines in graphs.items():
        _put(_url(endpoint, name), lines, timeout)
    return PushSummary(len(graphs), sum(len(v) for v in graphs.values()), endpoint)


def split_nquads(data: bytes) -> dict[str, list[str]]:
    """Graph IRI -> its triples as N-Triples lines (triples of the default graph: key "")."""
    import pyoxigraph as ox

    graphs: dict[str, list[Any]] = defaultdict(list)
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        graphs[name].append(quad.triple)
    return {name: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            .splitlines() for name, triples in graphs.items()}


def _url(endpoint: str, graph: str | None) -> str:
    joiner = "&" if "?" in endpoint else "?"
    if not graph:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


def _put(url: str, lines: list[str], timeout: float) -> None:
    body = ("\n".join(lines) + "\n").encode("utf-8")
    request = urllib.request.Request(url, data=body, method="PUT",
                                     headers={"Content-Type": CONTENT_TYPE})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = " ".join(exc.read().decode("utf-8", "replace").split())[:200]
        raise OutputError(f"{url}: the server answered {exc.code} {exc.reason} ({detail}); "
                          "check that the endpoint is a Graph Store Protocol URL "
                          "(Oxigraph: http://HOST:PORT/store)") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OutputError(f"{url}: cannot connect ({reason}); check that the server is "
                          "running and the address is right") from None


def _check_endpoint(endpoint: str) -> None:
    parsed = urllib.parse.urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"--endpoint must be an http(s) URL such as "
                         f"http://127.0.0.1:7878/store, got '{endpoint}'")
