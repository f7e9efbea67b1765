"""The `kg` command: each command parses options, calls one library function, prints.

Exit codes (docs/reliability.md lists every bad-input case):
0 done; 1 a KgError: nothing done (bad input as a whole, an output folder that
cannot be written, a failed query: one "error: ..." line on stderr); 2 wrong usage
(Typer's own checks, or a UsageError); 3 `kg build` / `kg extract` finished, but
some inputs were skipped, each named in one "warning: ..." line on stderr.
"""
from __future__ import annotations

import functools
import os
import signal
import sys
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import typer
from rich.console import Console
from rich.table import Table

from kg.errors import KgError, UsageError

app = typer.Typer(
    name="kg",
    help="Knowledge graphs of people, posts, organisations, places and initiatives "
         "from Chinese grassroots-governance news.\n\nExample: kg build examples/ -o output",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# Labels and evidence are data: never read "[...]" in them as rich markup.
console = Console(highlight=False, soft_wrap=True, emoji=False)
F = TypeVar("F", bound=Callable[..., Any])
QUIET_HELP = "Print nothing but errors and the data asked for (for scripts)."
EXIT_SKIPPED = 3  # built, but some inputs were skipped
MAX_CHARS_HELP = "Skip a document (file or .jsonl record) longer than N characters."


@app.callback()
def main(quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP)) -> None:
    """Knowledge graphs from Chinese grassroots-governance news.

    Example: kg --quiet build examples/ -o output
    """
    console.quiet = quiet  # set on every run: the console outlives one invocation in tests


class GraphFormat(str, Enum):
    ttl = "ttl"
    nt = "nt"
    nquads = "nquads"
    jsonld = "jsonld"


class StoreKind(str, Enum):
    oxigraph = "oxigraph"
    memory = "memory"


class OpenWith(str, Enum):
    auto = "auto"
    oxigraph = "oxigraph"
    memory = "memory"


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def _warn_skipped(problems: Any) -> None:
    """One "warning: FILE[:LINE] [ARTICLE]: what; what to do" line per skipped input,
    on stderr, so --quiet and a redirected stdout still show them."""
    for problem in problems:
        typer.echo(f"warning: {' '.join(str(problem).split())}", err=True)


def _max_chars_option() -> Any:
    from kg.read import MAX_CHARS

    return typer.Option(MAX_CHARS, "--max-chars", min=1, metavar="N", help=MAX_CHARS_HELP)


def handles_errors(command: F) -> F:
    """KgError -> one line on stderr and its exit code; no tracebacks for users."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # typer.Exit and usage errors keep their own exit codes
        except KgError as exc:
            _fail(str(exc), exc.exit_code)
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), 1)
        except Exception as exc:
            if os.environ.get("KG_DEBUG"):
                raise
            _fail(f"unexpected {type(exc).__name__}: {exc} (run with KG_DEBUG=1 for details)", 1)

    return wrapper  # type: ignore[return-value]


def _open(path: Path, store: str = "auto") -> Any:
    from kg.store import load_graph

    return load_graph(path, backend=store)


def _network(path: Path) -> Any:
    from kg.network import to_networkx

    return to_networkx(_open(path))


# The inputs and outputs `kg build` and `kg watch` share.
PATHS_ARG = typer.Argument(..., metavar="PATHS", help="Article files (.txt, .jsonl) or folders.")
OUT_OPTION = typer.Option(Path("output"), "-o", "--out", metavar="DIR", help="Output folder.")
FORMAT_OPTION = typer.Option(GraphFormat.ttl, "--format", metavar="ttl|nt|nquads|jsonld",
                             help="Graph file format.")
ENCODING_OPTION = typer.Option(None, "--encoding", metavar="ENC",
                               help="Input encoding (default: detect).")
WORKERS_OPTION = typer.Option(1, "--workers", "-j", min=1, metavar="N",
                              help="Extract in N processes.")
STORE_OPTION = typer.Option(StoreKind.oxigraph, "--store", metavar="oxigraph|memory",
                            help="Also write an Oxigraph store to DIR/store "
                                 "(memory: graph file only).")
GraphArg = typer.Argument(..., metavar="GRAPH",
                          help="A graph file written by `kg build` (.ttl, .nt, .nq, .jsonld), "
                               "its Oxigraph store (output/store) or its output folder.")
NAME_HELP = "Name (label, alias, part of a name) or IRI."


@app.command()
@handles_errors
def build(
    paths: list[Path] = PATHS_ARG,
    out: Path = OUT_OPTION,
    fmt: GraphFormat = FORMAT_OPTION,
    encoding: str = ENCODING_OPTION,
    workers: int = WORKERS_OPTION,
    dask: str = typer.Option(None, "--dask", metavar="SCHEDULER_ADDRESS",
                             help="Extract on a Dask cluster, e.g. tcp://10.0.0.5:8786."),
    store: StoreKind = STORE_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
    max_chars: int = _max_chars_option(),
) -> None:
    """Extract facts and write graph.<ext>, extraction.json, graph.html and a store to a folder.

    Rebuilding into the same folder re-extracts only new or changed articles. A file or
    line that cannot be read is named in a warning and skipped (exit code 3); the rest
    is built.

    Example: kg build examples/ -o output --workers 2
    """
    from kg.build import build as run_build
    from kg.errors import NothingToBuild
    from kg.progress import BuildProgress
    from kg.resident import Resident

    console.quiet = console.quiet or quiet
    # Holds the merged corpus after the build: in a process `run` ends, it is left for
    # the end (freeing it object by object took 0.17 s at 10,000 articles).
    kept = Resident.for_one_build()
    if _LEFT_FOR_THE_END is not None:
        _LEFT_FOR_THE_END.append(kept)
    try:
        with BuildProgress(Console(stderr=True), quiet=console.quiet) as progress:
            summary = run_build(paths, out_dir=out, fmt=fmt.value, encoding=encoding,
                                workers=workers, dask=dask, store=store.value,
                                progress=progress, max_chars=max_chars, resident=kept)
    except NothingToBuild as exc:
        _warn_skipped(exc.problems)
        raise
    _warn_skipped(summary.problems)
    console.print(f"built {summary.articles} articles in {progress.elapsed:.1f} s -> {out}/")
    c = summary.changes
    console.print(f"  documents: {c.added} added, {c.changed} changed, {c.removed} removed, "
                  f"{c.reused} reused; {c.graphs_written} named graphs written")
    console.print("  " + "  ".join(f"{k}: {v}" for k, v in summary.counts.items()))
    if summary.best_connected:
        console.print("best connected: " + ", ".join(
            f"{r.label} ({r.value:g})" for r in summary.best_connected))
    for name, path in summary.files.items():
        console.print(f"  {name}: {path}")
    if summary.problems:
        console.print(f"skipped {len(summary.problems)} (each named in a warning on stderr)")
        raise typer.Exit(EXIT_SKIPPED)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@app.command()
@handles_errors
def watch(
    paths: list[Path] = PATHS_ARG,
    out: Path = OUT_OPTION,
    fmt: GraphFormat = FORMAT_OPTION,
    encoding: str = ENCODING_OPTION,
    workers: int = WORKERS_OPTION,
    store: StoreKind = STORE_OPTION,
    interval: float = typer.Option(0.5, "--interval", min=0.05, metavar="SECONDS",
                                   help="How often to look for changed inputs."),
    max_chars: int = _max_chars_option(),
) -> None:
    """Build like `kg build`, then build again each time an input file changes.

    The process keeps the models and the last build's merged corpus in memory, so a
    rebuild after a small change takes a fraction of a cold `kg build`; the outputs are
    the same bytes. One line per build; a failed build is reported and the outputs stay
    those of the last good one. Stop with Ctrl-C.

    Example: kg watch archive/ -o output
    """
    from kg.watch import Built
    from kg.watch import watch as run_watch

    def report(built: Built) -> None:
        when = time.strftime("%H:%M:%S")
        if built.error is not None:
            typer.echo(f"{when} error: {' '.join(str(built.error).split())}", err=True)
            return
        summary = built.summary
        _warn_skipped(summary.problems)
        c = summary.changes
        console.print(f"{when} built {summary.articles} articles in {built.seconds:.1f} s: "
                      f"{c.added} added, {c.changed} changed, {c.removed} removed, "
                      f"{c.reused} reused; {c.graphs_written} named graphs written")

    console.print(f"watching {', '.join(map(str, paths))} -> {out}/ (Ctrl-C stops)")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    try:
        run_watch(paths, out_dir=out, interval=interval, report=report, fmt=fmt.value,
                  encoding=encoding, workers=workers, store=store.value,
                  max_chars=max_chars)
    except KeyboardInterrupt:
        console.print("stopped")


@app.command()
@handles_errors
def extract(
    paths: list[Path] = typer.Argument(..., metavar="PATHS",
                                     help="Article files (.txt, .jsonl) or folders."),
    out: Path = typer.Option(..., "-o", "--out", metavar="FILE.json",
                             help="The JSON file to write."),
    encoding: str = typer.Option(None, "--encoding", metavar="ENC",
                                 help="Input encoding (default: detect)."),
    max_chars: int = _max_chars_option(),
) -> None:
    """Extract mentions, entities and relations to one JSON file (no graph).

    Example: kg extract examples/ -o output/extraction.json
    """
    from kg.build import extract_json

    corpus = extract_json(paths, out, encoding=encoding, max_chars=max_chars)
    _warn_skipped(corpus.problems)
    console.print(f"{len(corpus.articles)} articles -> {out}")
    if corpus.problems:
        console.print(f"skipped {len(corpus.problems)} (each named in a warning on stderr)")
        raise typer.Exit(EXIT_SKIPPED)


@app.command()
@handles_errors
def validate(graph: Path = GraphArg) -> None:
    """Check a graph against the SHACL shapes; exit 1 if it does not conform.

    Example: kg validate output/graph.ttl
    """
    from kg.validate import format_report
    from kg.validate import validate as check

    report = check(_open(graph))
    console.print(format_report(report))
    if not report.conforms:
        raise typer.Exit(1)


@app.command()
@handles_errors
def query(
    graph: Path = GraphArg,
    sparql: str = typer.Argument(None, metavar="SPARQL",
                                 help="SPARQL text (or use --file / --preset)."),
    file: Path = typer.Option(None, "--file", "-f", metavar="FILE.rq",
                              help="Read the query from a .rq file."),
    preset: str = typer.Option(None, "--preset", "-p", metavar="NAME",
                               help="A named query (see `kg presets`)."),
    param: list[str] = typer.Option([], "--param", metavar="NAME=VALUE",
                                    help="Bind a variable (repeatable)."),
    fmt: ResultFormat = typer.Option(ResultFormat.table, "--format", metavar="table|csv|json",
                                     help="Output format."),
    store: OpenWith = typer.Option(OpenWith.auto, "--store", metavar="auto|oxigraph|memory",
                                   help="Query engine: auto (Oxigraph for stores, rdflib for "
                                        "files), oxigraph, or rdflib's memory store."),
) -> None:
    """Run a SPARQL query; prefixes gov:, org:, prov:, rdfs:, skos: are predeclared.

    Example: kg query output/graph.ttl --preset place --param place=许昌市
    """
    from kg import query as q

    given = [s for s in (sparql, file, preset) if s is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of: SPARQL text, --file FILE or --preset NAME")
    bindings = _params(param)
    g = _open(graph, store.value)
    if preset:
        result = q.run_preset(g, preset, bindings=bindings)
    else:
        text = q.read_query_file(file) if file else sparql
        result = q.run_query(g, text, bindings=bindings, source=str(file or "query"))
    sys.stdout.write(q.format_result(result, fmt.value))


def _params(pairs: list[str]) -> dict[str, str]:
    bindings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param needs NAME=VALUE, got '{pair}'")
        bindings[name.strip().lstrip("?$")] = value
    return bindings


@app.command()
@handles_errors
def presets() -> None:
    """List the named queries usable with `kg query --preset`.

    Example: kg presets
    """
    from kg.query import list_presets, preset_info

    table = Table("preset", "what it returns", "parameters", "optional", box=None)
    for name in list_presets():
        info = preset_info(name)
        params = ", ".join(f"{p} ({what})" if what else p for p, what in info.params)
        options = [f"{p} ({what})" if what else p for p, what in info.options]
        if info.page_size:
            options += [f"limit (rows a page, default {info.page_size}; all)", "offset"]
        table.add_row(name, info.description, params or "-", ", ".join(options) or "-")
    console.print(table)


@app.command()
@handles_errors
def path(graph: Path = GraphArg,
         a: str = typer.Argument(..., metavar="A", help=NAME_HELP),
         b: str = typer.Argument(..., metavar="B", help=NAME_HELP)) -> None:
    """Show the shortest chain of facts linking two entities, with evidence.

    Example: kg path output/graph.ttl 黄家瑛 清远市
    """
    from kg.network import describe, path_between

    nxg = _network(graph)
    found = path_between(nxg, a, b)
    console.print(describe(nxg, found.nodes[0]))
    for step in found.steps:
        arrow = f"--{step.label}-->" if step.forward else f"<--{step.label}--"
        console.print(f"  {arrow} {describe(nxg, step.target)}")
        if step.sentence:
            console.print(f"      “{step.sentence}” 《{step.article}》")


@app.command()
@handles_errors
def neighbors(graph: Path = GraphArg,
              name: str = typer.Argument(..., metavar="NAME", help=NAME_HELP),
              depth: int = typer.Option(1, "--depth", "-d", min=0, metavar="N",
                                        help="Hops to follow.")) -> None:
    """List the entities and facts within N hops of one entity.

    Example: kg neighbors output/graph.ttl 东南村 --depth 2
    """
    from kg.network import describe, neighbourhood

    sub = neighbourhood(_network(graph), name, depth)
    console.print(f"{describe(sub, sub.graph['focus'])}: {sub.number_of_nodes() - 1} "
                  f"entities within {depth} hop(s)")
    for u, v, d in sorted(sub.edges(data=True), key=lambda e: (
            min(sub.nodes[e[0]]["distance"], sub.nodes[e[1]]["distance"]), e[0], e[1])):
        console.print(f"  {sub.nodes[u]['label']} --{d['label']}--> {sub.nodes[v]['label']}")


@app.command()
@handles_errors
def stats(graph: Path = GraphArg,
          top: int = typer.Option(10, "--top", min=1, metavar="K",
                                  help="How many entities to rank."),
          plot: Path = typer.Option(None, "--plot", metavar="FILE.png",
                                    help="Also draw entities per type, posts per level and "
                                         "initiatives per province.")) -> None:
    """Count entities and facts; rank entities by degree and betweenness.

    Example: kg stats output/graph.ttl --top 5 --plot output/stats.png
    """
    from kg.network import stats as compute

    nxg = _network(graph)
    result = compute(nxg, top=top)
    console.print(f"{result.nodes} entities, {result.edges} facts")
    console.print("  " + "  ".join(f"{k}: {v}" for k, v in result.by_type.items()))
    console.print("  " + "  ".join(f"{k}: {v}" for k, v in result.by_relation.items()))
    table = Table("rank", "by degree", "", "by betweenness", "", box=None)
    for i in range(max(len(result.degree), len(result.betweenness))):
        d = result.degree[i] if i < len(result.degree) else None
        b = result.betweenness[i] if i < len(result.betweenness) else None
        table.add_row(str(i + 1), d.label if d else "", f"{d.value:g}" if d else "",
                      b.label if b else "", f"{b.value:.3f}" if b else "")
    console.print(table)
    if plot:
        from kg.plot import write_plot

        drawn = write_plot(nxg, plot)
        console.print(f"wrote {drawn.path}" + ("" if drawn.font else
                      " (no CJK font found: install fonts-noto-cjk for Chinese labels)"))


@app.command()
@handles_errors
def serve(source: Path = typer.Argument(..., metavar="GRAPH_OR_STORE",
                                        help="A graph file, a `kg build` output folder or an "
                                             "Oxigraph store folder."),
          port: int = typer.Option(7878, "--port", "-p", min=0, max=65535, metavar="N",
                                   help="Port to listen on (0: any free port)."),
          host: str = typer.Option("127.0.0.1", "--host", metavar="ADDR",
                                   help="Address to listen on; another than 127.0.0.1 "
                                        "only when you mean to share it."),
          store_dir: Path = typer.Option(None, "--store", metavar="DIR",
                                         help="Keep the store loaded from a graph file in DIR "
                                              "(default: a temporary folder)."),
          timeout: float = typer.Option(30.0, "--timeout", min=0.1, metavar="SECONDS",
                                        help="Stop a query that has not answered in full by "
                                             "then (HTTP 503)."),
          max_rows: int = typer.Option(10_000, "--max-rows", min=1, metavar="N",
                                       help="Refuse an answer of more than N rows or triples "
                                            "(HTTP 422: add LIMIT).")) -> None:
    """Serve a graph as a read-only SPARQL 1.1 endpoint with an offline query page.

    Example: kg serve output/graph.ttl --port 7878 --timeout 10
    """
    import signal

    from kg.serve import Limits, describe, start

    endpoint = start(source, host=host, port=port, store_dir=store_dir,
                     limits=Limits(timeout=timeout, max_rows=max_rows))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` stops Oxigraph
    try:
        for name, value in describe(endpoint).items():
            console.print(f"{name}: {value}")
        console.print("read-only; Ctrl-C to stop")
        sys.stdout.flush()
        endpoint.wait()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.close()


@app.command()
@handles_errors
def viz(graph: Path = GraphArg,
        out: Path = typer.Option(..., "-o", "--out", metavar="FILE.html",
                             help="The HTML file to write."),
        focus: str = typer.Option(None, "--focus", metavar="NAME",
                                  help="Only show entities around this one."),
        depth: int = typer.Option(1, "--depth", "-d", min=0, metavar="N",
                                  help="Hops around --focus.")) -> None:
    """Write an interactive HTML view of the graph (works offline).

    Example: kg viz output/graph.ttl -o output/许昌.html --focus 许昌市 --depth 2
    """
    from kg.view import render_html, write_html

    written = write_html(render_html(_open(graph), focus=focus, depth=depth), out)
    console.print(f"wrote {written}")


@app.command()
@handles_errors
def export(graph: Path = GraphArg,
           fmt: str = typer.Option("nquads", "--format", metavar="nquads",
                                   help="Only nquads: one named graph per article."),
           out: Path = typer.Option(..., "-o", "--out", metavar="FILE.nq",
                                    help="The file to write.")) -> None:
    """Write the graph as N-Quads, one named graph per article, for bulk loaders
    (Oxigraph, Jena, QLever, GraphDB).

    Example: kg export output/store --format nquads -o output/graph.nq
    """
    from kg.export import export_nquads

    if fmt != "nquads":
        raise UsageError(f"unknown export format '{fmt}'; use nquads (for one graph file in "
                         "ttl, nt or jsonld, use `kg build --format`)")
    path, graphs = export_nquads(graph, out)
    console.print(f"wrote {path} ({graphs} named graphs)")


@app.command()
@handles_errors
def push(graph: Path = GraphArg,
         endpoint: str = typer.Option(..., "--endpoint", metavar="URL",
                                      help="Graph Store Protocol URL, e.g. "
                                           "http://127.0.0.1:7878/store (Oxigraph)."),
         default_graph: bool = typer.Option(False, "--default-graph",
                                            help="Load everything into the default graph.")
         ) -> None:
    """Load the graph into a SPARQL 1.1 Graph Store Protocol server, one PUT per named graph.

    Example: kg push output --endpoint http://127.0.0.1:7878/store
    """
    from kg.push import push as run_push

    summary = run_push(graph, endpoint, default_graph=default_graph)
    console.print(f"pushed {summary.triples} triples in {summary.graphs} graphs to "
                  f"{summary.endpoint}")


@app.command(name="eval")
@handles_errors
def eval_(table: list[str] = typer.Option(["seed", "pd", "cluener"], "--table", "-t",
                                          metavar="seed|pd|cluener",
                                          help="Which table (repeatable; default all three)."),
          shared: Path = typer.Option(None, "--shared", metavar="DIR",
                                      help="The shared folder with eval/ and datasets/ "
                                           "(default: ../shared next to the repo)."),
          limit: int = typer.Option(None, "--limit", min=1, metavar="N",
                                    help="Only the first N sentences of each data set."),
          processes: int = typer.Option(2, "--processes", min=1, metavar="N",
                                        help="Worker processes for the sentence data sets."),
          as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON.")
          ) -> None:
    """Measure accuracy: seed gold, People's Daily 1998 NER test, CLUENER (post, person) pairs.

    Example: kg eval --table pd --limit 200
    """
    import json

    from kg import evaluate

    unknown = sorted(set(table) - set(evaluate.TABLES))
    if unknown:
        raise UsageError(f"unknown table {', '.join(unknown)}; use {', '.join(evaluate.TABLES)}")
    result = evaluate.run(table, shared=shared or evaluate.SHARED, limit=limit,
                          processes=processes)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(evaluate.format_tables(result))


# What a command leaves for the end of the process instead of freeing it: a list only
# in a process `run` ends (not when the app is called in tests, which go on).
_LEFT_FOR_THE_END: list[Any] | None = None


def run() -> NoReturn:
    """The `kg` command and `python -m kg`: the app, then the end of the process without
    freeing its objects one by one, which Python does on the way out (0.2 s after a
    rebuild of 10,000 articles, whose merged corpus is millions of objects). Every file
    and store a command writes is flushed and closed before the command returns; only
    stdout and stderr are left, and they are flushed here."""
    global _LEFT_FOR_THE_END
    _LEFT_FOR_THE_END = []
    try:
        app(prog_name="kg")
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the exit code still says how it went
        code = code or 1
    os._exit(code or 0)
