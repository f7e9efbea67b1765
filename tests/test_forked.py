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
