"""Progress bars and --quiet: the CLI's side of long builds."""
import io

from rich.console import Console
from typer.testing import CliRunner

from kg.cli import app
from kg.progress import BuildProgress


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def _feed(progress: BuildProgress, docs: int) -> None:
    with progress:
        for i in range(docs + 1):
            progress("extract", i, docs)
        progress("write", 4, 4)


def test_bar_on_a_terminal():
    console, out = _console(True)
    _feed(BuildProgress(console), 10)
    assert "extracting articles" in out.getvalue()


def test_no_bar_for_a_short_build_or_off_a_terminal():
    console, out = _console(True)
    _feed(BuildProgress(console), 2)
    console2, out2 = _console(False)
    _feed(BuildProgress(console2), 50)
    assert out.getvalue() == "" and out2.getvalue() == ""


def test_big_build_shows_progress_even_in_a_log():
    console, out = _console(False)
    _feed(BuildProgress(console, log_docs=100), 200)
    assert "200/200" in out.getvalue()


def test_quiet_never_draws():
    console, out = _console(True)
    _feed(BuildProgress(console, quiet=True), 1000)
    assert out.getvalue() == ""


def test_build_summary_and_quiet(tmp_path):
    from conftest import XSS  # noqa: F401  (conftest on the path)

    src = tmp_path / "a.txt"
    src.write_text("清远市连山壮族瑶族自治县上帅镇东南村党支部书记黄家瑛说，村里建了议事亭。\n",
                   encoding="utf-8")
    runner = CliRunner()
    loud = runner.invoke(app, ["build", str(src), "-o", str(tmp_path / "o1"), "--store", "memory"])
    assert loud.exit_code == 0, loud.output
    assert "built 1 articles in" in loud.output
    for args in (["--quiet", "build"], ["build", "--quiet"], ["-q", "build"]):
        quiet = runner.invoke(app, [*args, str(src), "-o", str(tmp_path / "o2"),
                                    "--store", "memory"])
        assert quiet.exit_code == 0 and quiet.output == "", quiet.output
    again = runner.invoke(app, ["stats", str(tmp_path / "o2" / "graph.ttl")])
    assert "entities" in again.output  # quiet does not stick to later runs
