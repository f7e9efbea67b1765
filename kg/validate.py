"""Check a graph against ontology/shapes.ttl and report problems in words.

pyshacl runs with governance.ttl as the ontology graph, so the concept schemes
(gov:AdminLevels, ...) and subclass axioms are visible to the shapes. Inference
is "none": our builder types every node with its own class, and RDFS inference
would only add triples to check (and time) without changing the outcome.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import GraphError
from kg.vocab import PREFIXES, RDF, RDFS, SH, ontology_dir


@dataclass(frozen=True, order=True)
class Violation:
    """One readable row of a SHACL report."""

    focus: str  # the focus node's label (or a short form of its IRI)
    path: str  # the property, as a prefixed name; "" for node-level constraints
    message: str
    severity: str  # Violation, Warning or Info
    focus_iri: str = ""
    value: str = ""


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)


def validate(graph: Graph) -> Report:
    """Validate `graph` against the shapes; never raises for a non-conforming graph."""
    shapes, ontology = _shapes_graph(), _ontology_graph()
    conforms, results, _text = shacl_validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="none",
        abort_on_first=False, allow_warnings=True, advanced=False,
    )
    # Top-level results only: nested ones (sh:detail, from sh:node) repeat them.
    top = [r for report in results.subjects(RDF.type, SH.ValidationReport)
           for r in results.objects(report, SH.result)]
    rows = sorted({_row(graph, results, result) for result in top})
    return Report(conforms=bool(conforms), violations=rows)


def format_report(report: Report) -> str:
    """A summary line, then one line per violation, with labels rather than IRIs."""
    if report.conforms and not report.violations:
        return "The graph conforms to the shapes: no violations."
    count = len(report.violations)
    verdict = "does not conform" if not report.conforms else "conforms, with warnings"
    lines = [f"The graph {verdict}: {count} problem{'s' if count != 1 else ''}."]
    for v in report.violations:
        where = f"{v.focus} — {v.path}" if v.path else v.focus
        value = f" (value: {v.value})" if v.value else ""
        lines.append(f"{v.severity}: {where}: {v.message}{value}")
    return "\n".join(lines)


# ---------------------------------------------------------------- reading results

def _row(data: Graph, results: Graph, result: Node) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    severity = results.value(result, SH.resultSeverity)
    return Violation(
        focus=_label(data, focus),
        path=_short(path) if isinstance(path, URIRef) else "",
        message="; ".join(messages) or "constraint not met",
        severity=_short(severity).removeprefix("sh:") if severity else "Violation",
        focus_iri=str(focus) if isinstance(focus, URIRef) else "",
        value=_value(data, value) if value is not None and value != focus else "",
    )


def _label(graph: Graph, node: Node | None) -> str:
    """The node's @zh label (else any label) with its class, e.g. "黄家瑛 (gov:Person)"."""
    if node is None:
        return "?"
    labels = sorted(graph.objects(node, RDFS.label), key=lambda l: (_lang_rank(l), str(l)))
    name = str(labels[0]) if labels else _short(node)
    kinds = sorted(_short(t) for t in graph.objects(node, RDF.type))
    return f"{name} ({', '.join(kinds)})" if kinds else name


def _value(graph: Graph, node: Node) -> str:
    if isinstance(node, Literal):
        return str(node)
    return _label(graph, node)


def _lang_rank(label: Node) -> int:
    lang = getattr(label, "language", None) or ""
    return 0 if lang.startswith("zh") else 1


def _short(node: Node) -> str:
    """A prefixed name for known namespaces, the last IRI segment otherwise."""
    if isinstance(node, BNode):
        return "[blank node]"
    text = str(node)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text.rstrip("/").rsplit("/", 2)[-2] + "/" + text.rsplit("/", 1)[-1] \
        if text.count("/") > 3 else text


# ---------------------------------------------------------------- shapes and ontology

@lru_cache(maxsize=1)
def _shapes_graph() -> Graph:
    return _load_ontology_file("shapes.ttl")


@lru_cache(maxsize=1)
def _ontology_graph() -> Graph:
    return _load_ontology_file("governance.ttl")


def _load_ontology_file(name: str) -> Graph:
    path: Path = ontology_dir() / name
    try:
        return Graph().parse(path, format="turtle")
    except FileNotFoundError:
        raise GraphError(f"{path}: file not found; the ontology folder must sit next to the "
                         "kg package (reinstall or restore ontology/)") from None
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise GraphError(f"{path}: cannot parse ({exc}); fix the file or restore it "
                         "from git") from None
