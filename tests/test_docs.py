"""The docs cannot drift: every CLI command is in the README and has an example."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command

from kg.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_appears_in_the_readme(name):
    assert f"`kg {name}" in README


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_has_an_example(name):
    assert "Example" in (get_command(app).commands[name].help or "")


def test_readme_quick_start_has_the_two_commands():
    assert "pip install -e . && kg build examples/" in README
    assert "bash scripts/test.sh" in README
