"""kg/forked.py: a function run in a forked child gives what running it here gives."""
from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from kg.errors import InputError
from kg.forked import Forked


def test_the_result_comes_back_from_another_process():
    parent = os.getpid()
    job = Forked(lambda: (os.getpid(), {"rows": list(range(1000))}))
    pid, value = job.result()
    assert pid != parent and value == {"rows": list(range(1000))}


def test_an_error_in_the_child_is_raised_here_as_running_it_here_raises_it():
    calls = []

    def fails():
        calls.append(os.getpid())
        raise InputError("x.jsonl: bad line; fix it")

    with pytest.raises(InputError, match="bad line"):
        Forked(fails).result()
    assert os.getpid() in calls  # raised by the run here, not unpickled from the child


def test_a_child_that_dies_is_replaced_by_a_run_here():
    parent = os.getpid()

    def dies_when_forked():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return "done here"

    assert Forked(dies_when_forked).result() == "done here"


def test_without_fork_it_runs_here(monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert Forked(os.getpid).result() == os.getpid()


ORPHAN = """
import os, signal, sys, time
from kg.forked import Forked
from kg.distributed import ForkedExtractor
if sys.argv[1] == "page":  # a result bigger than a pipe holds, made while the parent dies
    job = Forked(lambda: (time.sleep(0.5), "x" * 1_000_000))
else:  # an extractor loading the models, never sent anything
    job = ForkedExtractor()
print(job.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("kind", ["page", "extractor"])
def test_a_child_whose_parent_is_killed_ends_instead_of_waiting_forever(kind):
    """The parent's pipe ends are closed in the child, so a child whose parent died by
    SIGKILL (nothing cleans up) finds the pipe closed and exits: the child holds the
    parent's stdout, which is read here to its end, so a lingering child would hang."""
    import subprocess
    import sys
    import time

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", ORPHAN, kind], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    child = int(done.stdout.split()[0])
    assert time.monotonic() - start < 120
    for _ in range(100):  # it has closed stdout; it may still be on its way out
        if not os.path.exists(f"/proc/{child}") or _zombie(child):
            break
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{child}") or _zombie(child)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
