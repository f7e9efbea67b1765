"""A read-only SPARQL 1.1 Protocol endpoint over a graph: Oxigraph's own server
(`oxigraph serve-read-only`, from the `oxigraph` package) behind a tiny front.

The front serves our offline query page (presets embedded, no external
resources) at `/`, passes `/query` and `/sparql` (GET and POST) through to
Oxigraph unchanged, so content negotiation (SPARQL JSON, XML, CSV, TSV; Turtle
for CONSTRUCT and DESCRIBE) is Oxigraph's, and refuses updates with 403.
"""
from __future__ import annotations

import gc
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from kg.errors import GraphError, KgError, UsageError

QUERY_PATHS = ("/query", "/sparql")
READ_ONLY = "this endpoint is read-only: SPARQL updates are refused\n"
FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".jsonld": "JSON_LD"}


class ServeError(KgError):
    """The SPARQL server could not start."""


@dataclass
class Endpoint:
    """A running endpoint; `close()` (or leaving a `with` block) stops both processes."""

    url: str  # the query page; the endpoint is url + "query"
    store: Path
    _front: ThreadingHTTPServer
    _backend: subprocess.Popen[bytes]
    _cleanup: list[Any] = field(default_factory=list)

    @property
    def query_url(self) -> str:
        return self.url + "query"

    def wait(self) -> None:
        """Block until the Oxigraph process ends (or KeyboardInterrupt)."""
        self._backend.wait()

    def close(self) -> None:
        self._front.shutdown()
        self._front.server_close()
        if self._backend.poll() is None:
            self._backend.terminate()
            try:
                self._backend.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._backend.kill()
                self._backend.wait()
        for item in self._cleanup:
            item.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start(source: str | Path, *, host: str = "127.0.0.1", port: int = 7878,
          store_dir: str | Path | None = None) -> Endpoint:
    """Serve `source` (a graph file, loaded into a store first, or an Oxigraph store dir)."""
    source = Path(source)
    cleanup: list[Any] = []
    if source.is_dir():
        store = _check_store(source)
    else:
        if store_dir is None:
            tmp = tempfile.TemporaryDirectory(prefix="kg-store-")
            cleanup.append(tmp)
            store_dir = Path(tmp.name) / "store"
        store = load_store(source, store_dir)
    try:
        backend, backend_url = _start_oxigraph(store)
    except BaseException:
        for item in cleanup:
            item.cleanup()
        raise
    try:
        front = ThreadingHTTPServer((host, port), _handler(backend_url, query_page()))
    except OSError as exc:
        backend.terminate()
        backend.wait()
        for item in cleanup:
            item.cleanup()
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "choose another with --port") from None
    threading.Thread(target=front.serve_forever, daemon=True, name="kg-serve").start()
    shown = f"[{host}]" if ":" in host else host
    return Endpoint(f"http://{shown}:{front.server_address[1]}/", store, front, backend, cleanup)


def load_store(graph_file: Path, store_dir: str | Path) -> Path:
    """Bulk-load a graph file into a new Oxigraph store folder and close it again."""
    import pyoxigraph as ox

    if not graph_file.is_file():
        raise GraphError(f"{graph_file}: no such graph file or store folder "
                         "(build one with `kg build`)")
    fmt = FORMATS.get(graph_file.suffix.lower())
    if fmt is None:
        raise GraphError(f"{graph_file}: unknown graph file extension; use one of "
                         f"{', '.join(FORMATS)} or an Oxigraph store folder")
    store_dir = Path(store_dir)
    if store_dir.exists() and any(store_dir.iterdir()):
        raise UsageError(f"{store_dir}: store folder exists and is not empty; "
                         "serve it directly or choose another --store")
    store_dir.mkdir(parents=True, exist_ok=True)
    try:
        store = ox.Store(str(store_dir))
        store.bulk_load(path=str(graph_file), format=getattr(ox.RdfFormat, fmt))
        store.flush()
    except (OSError, SyntaxError, ValueError) as exc:
        raise GraphError(f"{graph_file}: cannot load into a store "
                         f"({' '.join(str(exc).split())})") from None
    del store
    gc.collect()  # releases the store's lock so the server can open it
    return store_dir


def _check_store(folder: Path) -> Path:
    """The store in `folder` itself or in its `store` subfolder (a `kg build` output)."""
    from kg.store import find_store

    found = find_store(folder)
    if found is None:
        raise GraphError(f"{folder}: not an Oxigraph store folder (no CURRENT file); give a "
                         "graph file, a `kg build` output folder or a store folder")
    return found


def oxigraph_binary() -> str:
    """The `oxigraph` command installed beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _start_oxigraph(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the server writes to it while it runs
    process = subprocess.Popen(
        [oxigraph_binary(), "serve-read-only", "--location", str(store),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            why = " ".join(log.read().decode("utf-8", "replace").split())[-300:]
            raise ServeError(f"the Oxigraph server stopped at start: {why or 'no message'}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    process.wait()
    raise ServeError("the Oxigraph server did not start within 20 s")


# ---------------------------------------------------------------- the front

def _handler(backend: str, page: bytes) -> type[BaseHTTPRequestHandler]:
    class Front(BaseHTTPRequestHandler):
        server_version = "kg-serve"

        def log_message(self, format: str, *args: Any) -> None:  # library never prints
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
            elif path in QUERY_PATHS:
                self._proxy(None)
            elif path == "/update":
                self._send(403, READ_ONLY.encode())
            else:
                self._send(404, b"not found: the endpoint is /query, the query page is /\n")

        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if path == "/update" or kind == "application/sparql-update" or (
                    kind == "application/x-www-form-urlencoded" and b"update=" in body):
                self._send(403, READ_ONLY.encode())
            elif path in QUERY_PATHS:
                self._proxy(body)
            else:
                self._send(404, b"not found: the endpoint is /query\n")

        def _refuse(self) -> None:
            self._send(405, READ_ONLY.encode(), extra={"Allow": "GET, POST"})

        do_PUT = do_DELETE = do_PATCH = _refuse

        def _proxy(self, body: bytes | None) -> None:
            url = backend + "/query" + (self.path[len(self.path.split("?", 1)[0]):])
            headers = {k: v for k in ("Accept", "Content-Type")
                       if (v := self.headers.get(k))}
            request = urllib.request.Request(url, data=body, headers=headers,
                                             method="POST" if body is not None else "GET")
            try:
                with urllib.request.urlopen(request, timeout=300) as reply:
                    self._send(reply.status, reply.read(), reply.headers.get("Content-Type"))
            except urllib.error.HTTPError as exc:
                self._send(exc.code, exc.read(), exc.headers.get("Content-Type"))
            except OSError as exc:
                self._send(502, f"the SPARQL server did not answer: {exc}\n".encode())

        def _send(self, status: int, body: bytes, kind: str | None = None,
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind or "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Front


def query_page() -> bytes:
    """The offline query page with every preset (text, description, parameters) embedded."""
    from importlib import resources

    from kg.query import list_presets, load_preset, preset_info
    from kg.view import script_json

    presets = [{"name": name, "description": preset_info(name).description,
                "params": [list(p) for p in preset_info(name).params],
                "query": load_preset(name)} for name in list_presets()]
    page = (resources.files("kg.data") / "view" / "query.html").read_text(encoding="utf-8")
    return page.replace("{{presets}}", script_json(presets)).encode("utf-8")


def describe(endpoint: Endpoint) -> dict[str, str]:
    """What the CLI shows: the page, the endpoint and the store."""
    return {"query page": endpoint.url, "SPARQL endpoint": endpoint.query_url,
            "store": str(endpoint.store)}

