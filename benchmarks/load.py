"""Load test for `kg serve` on loopback: N concurrent clients for T seconds.

Starts `kg serve` on a graph (by default it first builds examples/ into a temporary
folder and serves that build's Oxigraph store), then N client threads each send
queries back to back for T seconds: the five presets (the `place` preset bound to
许昌市 with VALUES, as the query page does) and a COUNT over every triple, each
asking for SPARQL JSON and checking that the answer parses. Prints requests,
errors, requests per second and latency percentiles; asserts nothing.

    python benchmarks/load.py [--clients 20] [--seconds 30] [--graph output/]

`run()` is what tests/test_serve.py calls for its short bounded version.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {"place": "许昌市"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass
class Report:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
        return 1000 * ordered[int(rank) - 1]

    def lines(self) -> list[str]:
        rate = self.requests / self.seconds
        latency = ", ".join(f"p{p} {self.percentile(p):.0f}" for p in (50, 90, 99))
        return [f"clients {self.clients}, {self.seconds:g} s, loopback",
                f"requests {self.requests}, errors {len(self.errors)}, {rate:.1f} requests/s",
                f"latency ms: {latency}, max {self.percentile(100):.0f}"]


def queries() -> list[str]:
    """The presets, parameters bound with VALUES, plus a COUNT over everything."""
    from kg.query import list_presets, load_preset, preset_info

    found = []
    for name in list_presets():
        text = load_preset(name)
        for param, _ in preset_info(name).params:
            text += f'\nVALUES ?{param} {{ "{PARAMS[param]}"@zh }}'
        found.append(text)
    return [*found, COUNT]


def ask(query_url: str, query: str, timeout: float = 60) -> None:
    """One request; raises unless the answer is a 200 with SPARQL JSON results."""
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(query_url, data=data, headers={
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        body = json.loads(reply.read())
    if "results" not in body and "boolean" not in body:
        raise ValueError(f"not SPARQL results: {str(body)[:80]}")


def run(query_url: str, *, clients: int = 20, seconds: float = 30,
        texts: list[str] | None = None) -> Report:
    """`clients` threads sending `texts` round robin for `seconds`; every outcome recorded."""
    texts = texts or queries()
    report = Report(clients, seconds)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ask(query_url, texts[i % len(texts)])
            except (OSError, ValueError) as exc:
                with lock:
                    report.errors.append(f"{type(exc).__name__}: {exc}")
            else:
                with lock:
                    report.latencies.append(time.perf_counter() - started)
            i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report


def _serve(source: Path) -> tuple[subprocess.Popen[str], str]:
    from kg.serve import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(source), "--port",
                                str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(300):
        try:
            ask(url, "ASK { ?s ?p ?o }", timeout=5)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("kg serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--graph", type=Path, help="graph file, store or build folder "
                                                   "(default: a build of examples/)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        source = args.graph
        if source is None:
            source = Path(tmp) / "examples"
            subprocess.run([sys.executable, "-m", "kg", "--quiet", "build", "examples",
                            "-o", str(source)], cwd=ROOT, check=True)
        process, url = _serve(source)
        try:
            report = run(url, clients=args.clients, seconds=args.seconds)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, serving {source.name}")
    for line in report.lines():
        print(line)
    for error in sorted(set(report.errors))[:5]:
        print("  error:", error)


if __name__ == "__main__":
    main()
