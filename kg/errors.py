"""Errors the library raises; the CLI turns them into one line and an exit code.

Every message says what went wrong, where (file, line) and what to do.
"""
from __future__ import annotations


class KgError(Exception):
    """Base class. `exit_code` is what the CLI exits with."""

    exit_code = 1


class InputError(KgError):
    """A file, folder or record that cannot be read or decoded."""


class QueryError(KgError):
    """A SPARQL query that does not parse or fails to run."""


class NothingToBuild(InputError):
    """Every input was skipped: no article to build, so the outputs are left as they were."""

    def __init__(self, message: str, problems: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems  # the kg.model.Problem of each skipped input


class GraphError(KgError):
    """A graph file that cannot be loaded, or fails validation."""


class OutputError(KgError):
    """An output location that cannot be written."""


class UsageError(KgError):
    """Wrong usage the CLI's option parser could not catch."""

    exit_code = 2
