"""A read-only SPARQL 1.1 Protocol endpoint over a graph: Oxigraph's own server
(`oxigraph serve-read-only`, from the `oxigraph` package) behind a tiny front.

The front serves our offline query page (presets embedded, no external
resources) at `/`, passes `/query` and `/sparql` (GET and POST) through to
Oxigraph, so content negotiation (SPARQL JSON, XML, CSV, TSV; Turtle for
CONSTRUCT and DESCRIBE) is Oxigraph's, and refuses updates with 403.

Limits, so one client cannot starve the others (docs/reliability.md):

- a query that has not answered in full within `timeout` seconds gets 503 with a
  line saying so. Oxigraph gets the same timeout, but streams its answer and
  only checks it now and then, so the front keeps its own clock and hangs up on
  Oxigraph, which stops a streaming query at once;
- an answer with more than `max_rows` rows (solutions, or triples for CONSTRUCT
  and DESCRIBE) is refused with 422 and a line saying to add LIMIT. The front
  counts rows as the answer streams in and stops reading past the limit, so a
  huge answer never sits in memory;
- a query text over 1 MB is refused with 413.

Each client has its own thread in the front and in Oxigraph, so a heavy query
holds one of each while the others are answered.
"""
from __future__ import annotations

import csv
import gc
import http.client
import io
import math
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from kg.errors import GraphError, KgError, UsageError

QUERY_PATHS = ("/query", "/sparql")
READ_ONLY = "this endpoint is read-only: SPARQL updates are refused\n"
FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".jsonld": "JSON_LD"}
TIMEOUT = 30.0  # seconds a query may take
MAX_ROWS = 10_000  # rows (or triples) one answer may hold
MAX_QUERY_BYTES = 1_000_000
_CANCELLED = b"The SPARQL operation has been cancelled"  # what Oxigraph writes on its timeout


@dataclass(frozen=True)
class Limits:
    """What one query may cost: seconds until it is cut off, rows in its answer."""

    timeout: float = TIMEOUT
    max_rows: int = MAX_ROWS

    def timed_out(self) -> bytes:
        return (f"query timed out after {self.timeout:g} s and was stopped; narrow it (fewer "
                "unbound patterns, a LIMIT) or restart kg serve with a larger --timeout\n"
                ).encode()

    def too_many_rows(self) -> bytes:
        return (f"the answer has more than {self.max_rows:,} rows, the limit of this endpoint; "
                "add LIMIT (with OFFSET to page through it) or restart kg serve with a larger "
                "--max-rows\n").encode()


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
    limits: Limits = field(default_factory=lambda: Limits())

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
          store_dir: str | Path | None = None, limits: Limits | None = None) -> Endpoint:
    """Serve `source` (a graph file, loaded into a store first, or an Oxigraph store dir)."""
    limits = limits or Limits()
    if limits.timeout <= 0 or limits.max_rows < 1:
        raise UsageError(f"--timeout must be above 0 and --max-rows at least 1, got "
                         f"{limits.timeout:g} and {limits.max_rows}")
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
        backend, backend_url = _start_oxigraph(store, timeout=limits.timeout)
    except BaseException:
        for item in cleanup:
            item.cleanup()
        raise
    try:
        front = _FrontServer((host, port), _handler(backend_url, query_page(), limits))
    except OSError as exc:
        backend.terminate()
        backend.wait()
        for item in cleanup:
            item.cleanup()
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "choose another with --port") from None
    threading.Thread(target=front.serve_forever, daemon=True, name="kg-serve").start()
    shown = f"[{host}]" if ":" in host else host
    return Endpoint(f"http://{shown}:{front.server_address[1]}/", store, front, backend, cleanup,
                    limits)


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


def _start_oxigraph(store: Path, *, timeout: float = TIMEOUT
                    ) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the server writes to it while it runs
    process = subprocess.Popen(
        [oxigraph_binary(), "serve-read-only", "--location", str(store),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph",
         "--timeout-s", str(max(1, math.ceil(timeout)))],
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

class _FrontServer(ThreadingHTTPServer):
    """A thread per client; a listen backlog for many clients connecting at once (the
    default of 5 resets connections when twenty arrive together)."""

    request_queue_size = 128
    daemon_threads = True


class _Timeout(Exception):
    """The query's time ran out while its answer was awaited or read."""


class _TooManyRows(Exception):
    """The answer holds more rows than the limit."""


def _handler(backend: str, page: bytes, limits: Limits) -> type[BaseHTTPRequestHandler]:
    backend_host, _, backend_port = backend.removeprefix("http://").rpartition(":")

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
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                self._send(400, b"bad Content-Length header\n")
                return
            if length > MAX_QUERY_BYTES:
                self._drain(length)  # so the client, still sending, gets to read the answer
                self._send(413, f"query over {MAX_QUERY_BYTES:,} bytes, refused\n".encode())
                return
            body = self.rfile.read(length)
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if path == "/update" or kind == "application/sparql-update" or (
                    kind == "application/x-www-form-urlencoded" and b"update=" in body):
                self._send(403, READ_ONLY.encode())
            elif path in QUERY_PATHS:
                self._proxy(body)
            else:
                self._send(404, b"not found: the endpoint is /query\n")

        def _drain(self, length: int) -> None:
            """Read and drop a request body, up to 16 times the query limit."""
            left = min(length, 16 * MAX_QUERY_BYTES)
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

        def _refuse(self) -> None:
            self._send(405, READ_ONLY.encode(), extra={"Allow": "GET, POST"})

        do_PUT = do_DELETE = do_PATCH = _refuse

        def _proxy(self, body: bytes | None) -> None:
            """Ask Oxigraph, read its answer against the clock and the row limit, pass it on."""
            deadline = time.monotonic() + limits.timeout
            target = "/query" + self.path[len(self.path.split("?", 1)[0]):]
            headers = {k: v for k in ("Accept", "Content-Type") if (v := self.headers.get(k))}
            conn = http.client.HTTPConnection(backend_host, int(backend_port),
                                              timeout=limits.timeout)
            answer: _Answer | None = None
            try:
                conn.request("GET" if body is None else "POST", target, body=body,
                             headers=headers)
                reply = conn.getresponse()
                kind = reply.headers.get("Content-Type") or ""
                answer = _Answer(reply, conn, deadline)
                if reply.status == 200:
                    _count_rows(answer, kind, limits.max_rows)
                data = answer.rest()
                if answer.cancelled():
                    raise _Timeout
                self._send(reply.status, data, kind)
            except (_Timeout, TimeoutError):
                self._send(503, limits.timed_out())
            except _TooManyRows:
                self._send(422, limits.too_many_rows())
            except (SyntaxError, ValueError, UnicodeDecodeError, csv.Error) as exc:
                if answer is not None and answer.cancelled():  # Oxigraph's own timeout
                    self._send(503, limits.timed_out())
                else:
                    self._send(502, f"the SPARQL server's answer broke off: {exc}\n".encode())
            except OSError as exc:
                self._send(502, f"the SPARQL server did not answer: {exc}\n".encode())
            finally:
                conn.close()  # hanging up stops a query Oxigraph is still streaming

        def _send(self, status: int, body: bytes, kind: str | None = None,
                  extra: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind or "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client hung up; nothing to tell it

    return Front


class _Answer(io.RawIOBase):
    """Oxigraph's answer as a stream that raises _Timeout past the deadline and keeps
    every byte read, so it can be passed on once it has been counted."""

    def __init__(self, reply: http.client.HTTPResponse, conn: http.client.HTTPConnection,
                 deadline: float) -> None:
        super().__init__()
        self._reply, self._conn, self._deadline = reply, conn, deadline
        self._kept = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def read(self, size: int | None = -1) -> bytes:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _Timeout
        if self._conn.sock is not None:
            self._conn.sock.settimeout(left)
        try:
            chunk = self._reply.read(65536 if size is None or size < 0 else min(size, 65536))
        except TimeoutError:
            raise _Timeout from None
        self._kept += chunk
        return chunk

    def cancelled(self) -> bool:
        """Whether Oxigraph's own timeout cut the answer short (it says so at its end)."""
        return _CANCELLED in self._kept[-200:]

    def rest(self) -> bytes:
        """Everything, reading what is left."""
        while self.read(65536):
            pass
        return bytes(self._kept)


def _count_rows(answer: _Answer, kind: str, limit: int) -> None:
    """Read the answer as far as needed to know it holds at most `limit` rows."""
    import pyoxigraph as ox

    media = kind.split(";")[0].strip().lower()
    if media == "text/csv":
        text = io.TextIOWrapper(io.BufferedReader(answer), encoding="utf-8", newline="")
        rows: Any = csv.reader(text)
        limit += 1  # the header line
    elif (results := ox.QueryResultsFormat.from_media_type(media)) is not None:
        rows = ox.parse_query_results(answer, results)
        if isinstance(rows, ox.QueryBoolean):
            return
    elif (rdf := ox.RdfFormat.from_media_type(media)) is not None:
        rows = ox.parse(answer, rdf)
    else:
        return
    for count, _ in enumerate(rows, start=1):
        if count > limit:
            raise _TooManyRows


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
            "store": str(endpoint.store),
            "limits": f"{endpoint.limits.timeout:g} s a query, {endpoint.limits.max_rows:,} rows "
                      "an answer (--timeout, --max-rows)"}

