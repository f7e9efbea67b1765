"""Named SPARQL queries (kg/queries/*.rq) and running any query over a graph.

Parameters are bound with rdflib's `initBindings`, never spliced into the query
text, so a name like `许昌市"} ; DROP ...` is only ever a literal to match.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, SKOS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import ORG, PROV

from kg.errors import GraphError, InputError, QueryError
from kg.vocab import GOV_NS, ID

if TYPE_CHECKING:
    from rdflib import Graph

# A plain Namespace over kg.vocab's IRI: SPARQL prefixes need open-ended term access.
GOV = Namespace(GOV_NS)

PREFIXES = {
    "gov": GOV, "id": ID, "org": ORG, "prov": PROV,
    "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "xsd": XSD,
}
FORMATS = ("table", "csv", "json")
_PARAM_LINE = re.compile(r"^#\s*param:\s*(\w+)\s*(.*)$", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Result:
    """A query result as plain strings: `None` where a variable is unbound."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


@dataclass(frozen=True)
class PresetInfo:
    name: str
    description: str
    params: tuple[tuple[str, str], ...]  # (name, what to pass)


def list_presets() -> list[str]:
    """Names of the shipped queries, sorted."""
    folder = resources.files("kg") / "queries"
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".rq"))


def load_preset(name: str) -> str:
    """The SPARQL text of preset `name`."""
    if name not in list_presets():
        raise QueryError(f"unknown preset '{name}'; presets: {', '.join(list_presets())}")
    return (resources.files("kg") / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def preset_info(name: str) -> PresetInfo:
    """Description (first comment line) and `# param:` lines of a preset."""
    text = load_preset(name)
    first = text.splitlines()[0] if text else ""
    description = first.lstrip("# ").strip() if first.startswith("#") else ""
    params = tuple((m[1], m[2].strip()) for m in _PARAM_LINE.finditer(text))
    return PresetInfo(name, description, params)


def run_preset(graph: Graph, name: str, *, bindings: dict[str, str] | None = None) -> Result:
    """Run a preset, checking first that its required parameters are given."""
    info = preset_info(name)
    missing = [p for p, _ in info.params if p not in (bindings or {})]
    if missing:
        hints = "; ".join(f"{p}: {what}" for p, what in info.params if p in missing)
        raise QueryError(f"preset '{name}' needs parameter {', '.join(missing)} ({hints}); "
                         f"pass it as --param {missing[0]}=VALUE")
    return run_query(graph, load_preset(name), bindings=bindings, source=f"preset {name}")


def read_query_file(path: str | Path) -> str:
    """The text of a .rq file, with a named error if it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such query file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read query file ({exc})") from None


def run_query(graph: Graph, sparql: str, *, bindings: dict[str, str] | None = None,
              source: str = "query") -> Result:
    """Run SELECT/ASK/CONSTRUCT/DESCRIBE with `bindings` bound via initBindings.

    A binding value that is an http(s) IRI is bound as an IRI, anything else as
    a Chinese-tagged literal (labels are written as "..."@zh).
    """
    init = _bindings(sparql, bindings or {})
    try:
        result = graph.query(sparql, initNs=PREFIXES, initBindings=init)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            rows = sorted(tuple(_text(t) for t in triple) for triple in result.graph)
            return Result(("subject", "predicate", "object"), tuple(rows))
        if result.type == "ASK":
            return Result(("ask",), (("true" if result.askAnswer else "false",),))
        columns = tuple(str(v) for v in (result.vars or ()))
        rows = tuple(tuple(_text(row[i]) for i in range(len(columns))) for row in result)
        return Result(columns, rows)
    except QueryError:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises bare Exceptions, pyparsing errors
        raise QueryError(_describe_error(exc, sparql, source)) from None


def _bindings(sparql: str, bindings: dict[str, str]) -> dict[str, URIRef | Literal]:
    init: dict[str, URIRef | Literal] = {}
    for name, value in bindings.items():
        if not _NAME.match(name):
            raise QueryError(f"bad parameter name '{name}': use letters, digits and _")
        if not re.search(rf"[?$]{name}\b", sparql):
            known = sorted(set(re.findall(r"[?$]([A-Za-z_]\w*)", sparql)))
            raise QueryError(f"unknown parameter '{name}': the query has no ?{name} "
                             f"(its variables: {', '.join(known) or 'none'})")
        is_iri = value.startswith(("http://", "https://")) and not re.search(r"[\s<>\"{}]", value)
        init[name] = URIRef(value) if is_iri else Literal(value, lang="zh")
    return init


def _text(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        return "true" if term.toPython() else "false"
    return str(term)


def _describe_error(exc: Exception, sparql: str, source: str) -> str:
    """One line with the parser's line and column when it gave one."""
    lineno, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", str(exc))
    prefix = re.match(r"Unknown namespace prefix : (\S+)", message)
    if prefix and lineno is None:  # rdflib reports no position here; find it
        lineno, col = _position(sparql, prefix[1] + ":")
        message = f"unknown prefix '{prefix[1]}:' (declare it with PREFIX or use a full <IRI>)"
    where = f" at line {lineno}, column {col}" if lineno else ""
    kind = "does not parse" if lineno else "failed"
    return " ".join(f"{source} {kind}{where}: {message}".split())


def _position(text: str, needle: str) -> tuple[int | None, int | None]:
    match = re.search(rf"(?<![\w:]){re.escape(needle)}", text)
    if not match:
        return None, None
    before = text[:match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1


def format_result(result: Result, fmt: str = "table") -> str:
    """Render as an aligned text table, CSV (with header) or a JSON list of objects."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(["" if v is None else v for v in row] for row in result.rows)
        return out.getvalue()
    if fmt == "json":
        items = [dict(zip(result.columns, row)) for row in result.rows]
        return json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    if fmt == "table":
        return _table(result)
    raise QueryError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal cells."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(result: Result) -> str:
    cells = [list(result.columns)] + [["" if v is None else v for v in r] for r in result.rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(result.columns))]

    def line(row: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(r) for r in cells[1:]]
    count = f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})"
    return "\n".join([line(cells[0]), rule, *body, count]) + "\n"


def open_graph(path: str | Path) -> Graph:
    """Load a graph file with kg.store, or with rdflib while kg.store is not there."""
    try:
        from kg.store import load_graph
    except ModuleNotFoundError as exc:
        if exc.name != "kg.store":
            raise
        return _parse_graph(Path(path))
    return load_graph(path)


def _parse_graph(path: Path) -> Graph:
    from rdflib import Graph
    from rdflib.util import guess_format

    if not path.is_file():
        raise GraphError(f"{path}: no such graph file (build one with `kg build`)")
    graph = Graph()
    try:
        graph.parse(str(path), format=guess_format(str(path)) or "turtle")
    except Exception as exc:  # noqa: BLE001 - rdflib parsers raise unrelated types
        raise GraphError(f"{path}: cannot parse graph ({' '.join(str(exc).split())})") from None
    return graph
