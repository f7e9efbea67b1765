"""Named SPARQL queries (kg/queries/*.rq) and running any query over a graph.

Parameters are bound with rdflib's `initBindings` (Oxigraph's substitutions on a
store), never spliced into the query text, so a name like `许昌市"} ; DROP ...` is only
ever a literal to match. On an Oxigraph store queries run on pyoxigraph directly and
terms become strings without passing through rdflib terms (same Result; 8,654 rows
took 24 ms to convert instead of 205 ms).

Listing presets (a `# page: N` line) return one page of N rows by default; the
reserved parameters `limit` (a number, or `all`) and `offset` page through the rest.
Their rows are sorted here, in Python, by the columns of the query's final ORDER BY,
which is dropped before the query runs: Oxigraph fetches each string of each
comparison from its dictionary (4,153 labels: 86 ms there, under 1 ms here).
A page is found from the sorted values of the first ORDER BY column (the `# keys:`
query): the rows of the first offset+limit values are a prefix of the full listing
that holds the page, so only they are fetched, through a VALUES block (values taken
from the store, written by Oxigraph or rdflib in N-Triples syntax).
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
_OPTION_LINE = re.compile(r"^#\s*option:\s*(\w+)\s*(.*)$", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PAGE_LINE = re.compile(r"^#\s*page:\s*(\d+)\s*$", re.MULTILINE)
_KEYS_LINE = re.compile(r"^#\s*keys:\s*(.+)$", re.MULTILINE)
_ORDER_BY = re.compile(r"\bORDER\s+BY((?:\s+\?\w+)+)\s*$", re.IGNORECASE)
PAGE_PARAMS = ("limit", "offset")
_VALUES_CHUNK = 50
_WHERE_LINE = re.compile(r"\bWHERE\s*\{\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Result:
    """A query result as plain strings: `None` where a variable is unbound."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    more: str = ""  # how to get the rows after this page, when there are more


@dataclass(frozen=True)
class PresetInfo:
    name: str
    description: str
    params: tuple[tuple[str, str], ...]  # (name, what to pass): required
    page_size: int | None = None  # rows a page by default; None: every row, as ordered
    keys: str = ""  # SELECT DISTINCT of the first ORDER BY column, to find a page
    options: tuple[tuple[str, str], ...] = ()  # (name, what to pass): may be given

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.params)


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
    """Description (first comment line), `# param:`, `# option:`, `# page:` and
    `# keys:` lines."""
    text = load_preset(name)
    first = text.splitlines()[0] if text else ""
    description = first.lstrip("# ").strip() if first.startswith("#") else ""
    params = tuple((m[1], m[2].strip()) for m in _PARAM_LINE.finditer(text))
    options = tuple((m[1], m[2].strip()) for m in _OPTION_LINE.finditer(text))
    page, keys = _PAGE_LINE.search(text), _KEYS_LINE.search(text)
    return PresetInfo(name, description, params, int(page[1]) if page else None,
                      keys[1].strip() if keys else "", options)


def run_preset(graph: Graph, name: str, *, bindings: dict[str, str] | None = None) -> Result:
    """Run a preset, checking first that its required parameters are given.

    A listing preset returns one sorted page: `limit` rows (its `# page:` size unless
    bindings say limit=N or limit=all) after `offset` rows."""
    info, bindings = preset_info(name), dict(bindings or {})
    limit, offset = _page_params(info, bindings)
    missing = [p for p in info.required if p not in bindings]
    if missing:
        hints = "; ".join(f"{p}: {what}" for p, what in info.params if p in missing)
        raise QueryError(f"preset '{name}' needs parameter {', '.join(missing)} ({hints}); "
                         f"pass it as --param {missing[0]}=VALUE")
    text, source = load_preset(name), f"preset {name}"
    if info.page_size is None:
        return run_query(graph, text, bindings=bindings, source=source)
    order = _ORDER_BY.search(text)
    if order is None:
        raise QueryError(f"{source}: a paged preset must end with ORDER BY ?var ...")
    text, keys = text[:order.start()], [v.lstrip("?") for v in order[1].split()]
    if limit is not None and info.keys and keys[0] not in bindings:
        result, partial = _first_rows(graph, text, info.keys, keys[0], offset + limit,
                                      bindings, source)
    else:
        result, partial = run_query(graph, text, bindings=bindings, source=source), False
    return _sorted_page(result, keys, limit, offset, partial=partial)


def _page_params(info: PresetInfo, bindings: dict[str, str]) -> tuple[int | None, int]:
    """Pop limit and offset from bindings: (rows, or None for all; rows to skip)."""
    given = {p: bindings.pop(p) for p in PAGE_PARAMS if p in bindings}
    if info.page_size is None:
        if given:
            raise QueryError(f"preset '{info.name}' returns every row; it takes no "
                             f"{' or '.join(given)}")
        return None, 0
    limit: int | None = info.page_size
    if given.get("limit", "").strip().lower() == "all":
        limit = None
    elif "limit" in given:
        limit = _whole_number("limit", given["limit"])
    return limit, _whole_number("offset", given.get("offset", "0"))


def _whole_number(name: str, value: str) -> int:
    if not value.strip().isdigit():
        hint = " or all" if name == "limit" else ""
        raise QueryError(f"{name} must be a whole number{hint}, not '{value}'")
    return int(value)


def _first_rows(graph: Graph, sparql: str, keys_query: str, key: str, wanted: int,
                bindings: dict[str, str], source: str) -> tuple[Result, bool]:
    """Rows whose `key` is among the first values of `key` (sorted as rows are sorted),
    taking values until there are `wanted` rows or none are left. Rows with values up
    to v come first in the sorted listing, so these hold its first `wanted` rows.

    Values go at most _VALUES_CHUNK at a time: with more, Oxigraph's planner stops
    starting from them (initiatives: 90 values 7 ms, 95 values 120 ms, at 2,000
    articles). After the first chunk, a chunk holds about as many values as the rows
    still wanted need, at the rows per value seen so far. Also says whether values
    were left, whose rows may follow."""
    values = _sorted_values(graph, keys_query, key, bindings, source)
    rows: list[tuple[str | None, ...]] = []
    columns: tuple[str, ...] = ()
    taken, size = 0, min(_VALUES_CHUNK, max(wanted, 1))
    while not columns or (len(rows) < wanted and taken < len(values)):
        chunk = values[taken:taken + size]
        taken += len(chunk)
        forms = [_n_triples(term) for _, group in chunk for term in group]
        result = run_query(graph, _with_values(sparql, key, forms), bindings=bindings,
                           source=source)
        columns = result.columns
        rows.extend(result.rows)
        per_value = max(len(rows), 1) / taken
        size = min(_VALUES_CHUNK, int((wanted - len(rows)) / per_value) + 1)
    if wanted == 0:
        rows = []  # one value was fetched for the columns (rdflib fails on an empty VALUES)
    return Result(columns, tuple(rows)), taken < len(values)


def _sorted_values(graph: Graph, keys_query: str, key: str, bindings: dict[str, str],
                   source: str) -> list[tuple[str, list[Any]]]:
    """The keys query's values, as (text, [terms]) sorted by text: literals with the
    same text (other language tags) go together, as they sort together."""
    by_text: dict[str, list[Any]] = {}
    for text, term in _terms(graph, keys_query, key, bindings, source):
        by_text.setdefault(text, []).append(term)
    return sorted(by_text.items())


def _terms(graph: Graph, sparql: str, key: str, bindings: dict[str, str],
           source: str) -> list[tuple[str, Any]]:
    """(text, term) of each bound value of `key`: Oxigraph or rdflib terms."""
    init = _bindings(sparql, {k: v for k, v in bindings.items()
                              if re.search(rf"[?$]{k}\b", sparql)})
    try:
        store = _oxigraph_of(graph)
        if store is not None:
            import pyoxigraph as ox
            from oxrdflib._converter import to_ox

            solutions = store.query(sparql, use_default_graph_as_union=True,
                                    prefixes=_prefixes(graph), substitutions={
                                        ox.Variable(k): to_ox(v) for k, v in init.items()})
            found = [solution[key] for solution in solutions]
            return [(term.value, term) for term in found if term is not None]
        rows: Any = graph.query(sparql, initNs=PREFIXES, initBindings=init)
        return [(str(row[key]), row[key]) for row in rows if row[key] is not None]
    except Exception as exc:  # noqa: BLE001 - as in run_query
        raise QueryError(_describe_error(exc, sparql, f"{source} (keys)")) from None


def _n_triples(term: Any) -> str:
    """An rdflib term's n3() or an Oxigraph term's str(): both N-Triples syntax."""
    return term.n3() if hasattr(term, "n3") else str(term)


def _with_values(sparql: str, key: str, forms: list[str]) -> str:
    """`sparql` with `VALUES ?key { ... }` first in its WHERE block, so Oxigraph starts
    from those values."""
    lines = sparql.split("\n")
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#") and _WHERE_LINE.search(line):
            lines.insert(i + 1, f"  VALUES ?{key} {{ {' '.join(forms)} }}")
            return "\n".join(lines)
    raise QueryError("cannot page: no line ending in 'WHERE {' in the query")


def _sorted_page(result: Result, keys: list[str], limit: int | None, offset: int, *,
                 partial: bool) -> Result:
    """Rows sorted by `keys` (unbound first, then by text), the other columns breaking
    ties, then the page; `more` says how to get the next one. `partial`: the result
    holds only the first rows of the listing."""
    try:
        order = [result.columns.index(k) for k in keys]
    except ValueError:
        raise QueryError(f"ORDER BY names a column the query does not return: "
                         f"{', '.join(keys)}") from None
    order += [i for i in range(len(result.columns)) if i not in order]
    rows = sorted(result.rows, key=lambda row: [(row[i] is not None, row[i] or "")
                                                 for i in order])
    end = len(rows) if limit is None else offset + limit
    more = ""
    if end < len(rows) or (partial and len(rows) >= end):
        more = f"more: --param offset={end}; every row: --param limit=all"
    return Result(result.columns, tuple(rows[offset:end]), more)


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
        store = _oxigraph_of(graph)
        if store is not None:
            return _run_oxigraph(store, graph, sparql, init)
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


def _oxigraph_of(graph: Graph) -> Any:
    """The pyoxigraph Store under an rdflib view made by kg.store (a Dataset whose default
    graph is the union of the named graphs), or None for any other graph."""
    oxrdflib = sys.modules.get("oxrdflib")  # not imported: no graph can be on Oxigraph
    store = getattr(graph, "store", None)
    if oxrdflib is None or not isinstance(store, oxrdflib.OxigraphStore) \
            or not getattr(graph, "default_union", False):
        return None
    return store._inner


def _run_oxigraph(store: Any, graph: Graph, sparql: str,
                  init: dict[str, URIRef | Literal]) -> Result:
    """Run on Oxigraph directly and turn its terms into strings without making rdflib
    terms first: the same Result as graph.query (tests/test_query_presets.py).

    This is what oxrdflib's store.query does for a union Dataset, minus the rdflib terms."""
    import pyoxigraph as ox
    from oxrdflib._converter import from_ox, to_ox

    result = store.query(sparql, use_default_graph_as_union=True, prefixes=_prefixes(graph),
                         substitutions={ox.Variable(k): to_ox(v) for k, v in init.items()})
    if isinstance(result, ox.QueryBoolean):
        return Result(("ask",), (("true" if bool(result) else "false",),))
    if isinstance(result, ox.QueryTriples):
        from rdflib import Graph as RdfGraph

        triples = RdfGraph()
        for triple in result:
            triples.add(from_ox(triple))  # type: ignore[arg-type]  # a Triple gives a 3-tuple
        rows = sorted(tuple(_text(t) for t in triple) for triple in triples)
        return Result(("subject", "predicate", "object"), tuple(rows))
    columns = tuple(v.value for v in result.variables)
    text = _ox_text_function(from_ox)
    return Result(columns, tuple(tuple(map(text, solution)) for solution in result))


def _prefixes(graph: Graph) -> dict[str, str]:
    """The graph's prefixes, then ours, as oxrdflib would pass them."""
    prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces()}
    prefixes.update((prefix, str(ns)) for prefix, ns in PREFIXES.items())
    return prefixes


def _ox_text_function(from_ox: Any) -> Any:
    """term -> str as _text(from_ox(term)) would give, cheaply for the usual terms:
    IRIs, language-tagged and plain strings. Other literals (numbers, dates, booleans)
    go through rdflib, which normalises their lexical form."""
    import pyoxigraph as ox

    literal, plain = ox.Literal, ox.NamedNode(str(XSD.string))

    def text(term: Any) -> str | None:
        if term is None:
            return None
        if type(term) is literal:
            if term.language or term.datatype == plain:
                return term.value
            return _text(from_ox(term))
        return term.value if hasattr(term, "value") else _text(from_ox(term))

    return text


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
    count = f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    count += f"; {result.more})" if result.more else ")"
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
