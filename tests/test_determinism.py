"""The same input gives byte-identical outputs, whichever run and however many workers:
`kg build examples/` as users run it, in two processes, with --workers 1 and with
--workers 2, every output compared byte for byte (the graph file, extraction.json,
graph.html, the manifest and the store's quads). tests/test_build.py does the same
through the library; tests/test_cli.py compares two runs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.store import read_nquads

ROOT = Path(__file__).resolve().parent.parent
FILES = ("graph.ttl", "extraction.json", "graph.html", "manifest.json")


def kg_build(out: Path, *args: str) -> dict[str, bytes]:
    done = subprocess.run([sys.executable, "-m", "kg", "--quiet", "build", "examples", "-o",
                           str(out), *args], cwd=ROOT, capture_output=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr.decode()
    found = {name: (out / name).read_bytes() for name in FILES}
    found["store"] = read_nquads(out / "store")
    return found


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory) -> dict[str, bytes]:
    return kg_build(tmp_path_factory.mktemp("w1"), "--workers", "1")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory) -> dict[str, bytes]:
    return kg_build(tmp_path_factory.mktemp("w2"), "--workers", "2")


@pytest.mark.parametrize("name", [*FILES, "store"])
def test_kg_build_with_two_workers_writes_the_same_bytes_as_one(one_worker, two_workers, name):
    assert one_worker[name], name
    assert two_workers[name] == one_worker[name], name
