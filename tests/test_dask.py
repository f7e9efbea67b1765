"""kg/distributed.py on a real Dask cluster (a small LocalCluster started here)."""
from __future__ import annotations

import pytest

from kg.build import build
from test_incremental import RECORDS, outputs, write_corpus

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as local:
        yield local


def test_a_dask_build_writes_the_same_bytes_as_a_local_build(tmp_path, cluster):
    corpus = write_corpus(tmp_path / "corpus.jsonl", RECORDS)
    local = build([corpus], out_dir=tmp_path / "local", store="memory")
    remote = build([corpus], out_dir=tmp_path / "dask", dask=cluster.scheduler_address,
                   store="memory")
    assert remote.changes.added == local.changes.added == len(RECORDS)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path):
    from kg.distributed import extract_with_dask
    from kg.errors import UsageError
    from kg.model import Document

    with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        extract_with_dask([Document("a", "a", "许昌市。")], "tcp://127.0.0.1:1", timeout="1s")
