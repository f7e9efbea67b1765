"""kg/corpus_identity.py: corpus identity from small person summaries equals corpus
identity from whole articles, so a build need not keep (or a rebuild load) articles."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kg.corpus_identity import (
    identity_signature,
    mapping_from_summaries,
    person_mapping,
    summarise,
)
from kg.pipeline import extract_text
from kg.serialise import identity_signature as article_signature

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TEXTS = [  # 张伟 holds posts in two places; 李淼 in none; 王芳 once anchored, once not
    "河南省许昌市委书记张伟在会上强调，要推进“五方联动”工作机制。",
    "浙江省杭州市余杭区委书记张伟表示，全区推广“村民说事”制度。",
    "张伟和李淼参加了会议。王芳说，村里计划盘活山地。",
    "许昌市魏都区委副书记、区长王芳介绍了情况。",
]


def articles_of(texts: list[str]) -> list:
    found = []
    for i, text in enumerate(texts):
        found.extend(extract_text(text, doc_id=f"d{i}", source=f"d{i}.txt").articles)
    return found


@pytest.fixture(scope="module")
def hand_built():
    return articles_of(TEXTS)


@pytest.fixture(scope="module")
def examples():
    from kg.distributed import extract_all
    from kg.read import read_paths

    docs, _ = read_paths([str(EXAMPLES)])
    return [a for found, _ in extract_all(docs) for a in found]


def reference_mapping(articles) -> dict[str, str]:
    """The mapping as it was computed from articles before summaries existed."""
    from collections import defaultdict

    from kg.corpus_identity import _person_key
    from kg.model import EntityType, RelationType

    org_place = {r.subject: r.object for a in articles for r in a.relations
                 if r.type is RelationType.LOCATED_IN}
    anchors: dict[str, str] = {}
    for a in articles:
        for r in a.relations:
            if r.type is RelationType.HOLDS_POST and r.subject not in anchors:
                anchors[r.subject] = org_place.get(
                    r.object, r.object if r.object.startswith("Place|") else "")
    by_name: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        for e in a.entities:
            if e.type is EntityType.PERSON:
                by_name[e.name].add(anchors.get(e.key, ""))
    return {e.key: _person_key(e.name, anchors.get(e.key, ""), by_name[e.name])
            for a in articles for e in a.entities if e.type is EntityType.PERSON}


@pytest.mark.parametrize("which", ["hand_built", "examples"])
def test_mapping_from_summaries_equals_mapping_from_articles(request, which):
    articles = request.getfixturevalue(which)
    expected = reference_mapping(articles)
    assert expected  # the corpus names people
    assert mapping_from_summaries([summarise(a) for a in articles]) == expected
    assert person_mapping(articles) == expected


@pytest.mark.parametrize("which", ["hand_built", "examples"])
def test_signature_from_summary_keys_equals_signature_from_the_article(request, which):
    articles = request.getfixturevalue(which)
    mapping = person_mapping(articles)
    for article in articles:
        assert identity_signature(summarise(article).keys, mapping) == \
            article_signature(article, mapping)
        assert identity_signature(summarise(article).keys, {}) == repr((False, []))


def test_a_summary_is_much_smaller_than_its_article(examples):
    article = max(examples, key=lambda a: len(a.text))
    summary = pickle.dumps(summarise(article), protocol=pickle.HIGHEST_PROTOCOL)
    assert len(summary) * 10 < len(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
