"""The whole run: extract -> graph file + extraction.json + graph.html, and a summary."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import OutputError, UsageError

if TYPE_CHECKING:
    from kg.model import Corpus, Problem
    from kg.network import Ranked

EXTENSIONS = {"ttl": "ttl", "nt": "nt", "nquads": "nq", "jsonld": "jsonld"}


@dataclass(frozen=True)
class BuildSummary:
    articles: int
    counts: dict[str, int]  # entities by type, plus "facts" (edges)
    best_connected: tuple[Ranked, ...]
    problems: tuple[Problem, ...]
    files: dict[str, Path] = field(default_factory=dict)  # graph, extraction, html


def build(paths: Sequence[str | Path], *, out_dir: str | Path = "output", fmt: str = "ttl",
          encoding: str | None = None) -> BuildSummary:
    """Extract facts from `paths` and write graph.<ext>, extraction.json and graph.html."""
    from kg import network, pipeline, rdf, store, view
    from kg.interchange import to_interchange

    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown graph format '{fmt}'; use one of {', '.join(EXTENSIONS)}")
    out = _out_dir(out_dir)
    corpus = pipeline.extract([str(p) for p in paths], encoding=encoding)
    graph = rdf.corpus_to_graph(corpus)
    files = {"graph": out / f"graph.{EXTENSIONS[fmt]}", "extraction": out / "extraction.json",
             "html": out / "graph.html"}
    store.save_graph(graph, files["graph"], fmt=fmt)
    write_json(to_interchange(corpus), files["extraction"])
    nxg = network.to_networkx(graph)
    view.write_html(view.render_html(nxg), files["html"])
    return _summary(corpus, nxg, files)


def extract_json(paths: Sequence[str | Path], out_file: str | Path, *,
                 encoding: str | None = None) -> Corpus:
    """Extract and write only the interchange JSON; returns the corpus for reporting."""
    from kg import pipeline
    from kg.interchange import to_interchange

    corpus = pipeline.extract([str(p) for p in paths], encoding=encoding)
    write_json(to_interchange(corpus), out_file)
    return corpus


def write_json(data: Any, path: str | Path) -> Path:
    """Deterministic JSON (sorted keys, indent 1, UTF-8 text), written atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    from kg.view import write_text_atomic

    return write_text_atomic(text, path)


def _summary(corpus: Corpus, nxg: Any, files: dict[str, Path]) -> BuildSummary:
    from kg import network

    facts = network.stats(nxg, top=10)
    counts = dict(facts.by_type)
    counts["facts"] = facts.edges
    return BuildSummary(len(corpus.articles), counts, facts.degree,
                        tuple(corpus.problems), files)


def _out_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create output folder ({exc.strerror or exc}); "
                          "choose another with -o") from None
    return out

