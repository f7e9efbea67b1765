"""The ordered stages: read -> segment (normalise inside) -> recognise -> resolve -> relate.

`extract` runs them over paths and returns a Corpus; one article that fails is
reported as a Problem with its id and the rest go on.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.corpus_identity import resolve_corpus
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.model import Article, Corpus, Document, Problem
from kg.read import MAX_CHARS, drop_duplicate_articles, read_paths  # re-exported: moved to kg.read
from kg.recognise import recognise
from kg.relate import relate
from kg.resolve import resolve
from kg.segment import segment

STAGES = ("segment", "recognise", "resolve", "relate")


def extract_article(article: Article, *, gazetteer: Gazetteer | None = None) -> Article:
    """Recognise, resolve and relate one segmented article (pure)."""
    gaz = gazetteer or load_gazetteer()
    article = recognise(article, gazetteer=gaz)
    article, state = resolve(article, gazetteer=gaz)
    return relate(article, state)


def extract_documents(docs: Sequence[Document], *, gazetteer: Gazetteer | None = None
                      ) -> tuple[list[Article], list[Problem]]:
    gaz = gazetteer or load_gazetteer()
    articles, problems = [], []
    for doc in docs:
        for article in segment(doc):
            try:
                articles.append(extract_article(article, gazetteer=gaz))
            except Exception as exc:  # noqa: BLE001 - one bad article must not stop a build
                problems.append(Problem(
                    doc.source, f"extraction failed ({type(exc).__name__}: {exc}), article "
                    "skipped; the rest is built. Please report it with this article",
                    doc.line, article.id))
    return articles, problems


def extract(paths: Sequence[str | Path], *, encoding: str | None = None,
            max_chars: int = MAX_CHARS) -> Corpus:
    docs, problems = read_paths(paths, encoding=encoding, max_chars=max_chars)
    articles, failed = extract_documents(docs)
    articles, duplicates = drop_duplicate_articles(articles)
    return Corpus(tuple(resolve_corpus(articles)), tuple(problems + failed + duplicates))


def extract_text(text: str, *, doc_id: str = "text", source: str = "<text>") -> Corpus:
    """Convenience for tests and notebooks: one string in, a corpus out."""
    articles, problems = extract_documents([Document(doc_id, source, text)])
    return Corpus(tuple(resolve_corpus(articles)), tuple(problems))
