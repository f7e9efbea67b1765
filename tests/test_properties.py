"""Properties over arbitrary text: extraction never raises, offsets always map back."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Document
from kg.pipeline import extract_documents
from kg.segment import segment

# Chinese text with the punctuation, quotes, headings and spaces the pages contain.
ALPHABET = st.sampled_from(list("村镇县市省区委党支部书记副主任说“”‘’《》，。、；：！？ \n#该同里许昌东南王李张")
                           + ["\u3000", "\r", "\ufeff", "a", "1", "<", ">", "&"])
CJK_TEXT = st.text(alphabet=ALPHABET, max_size=120)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(CJK_TEXT, st.text(max_size=60)))
def test_extraction_never_raises_on_arbitrary_text(text):
    articles, problems = extract_documents([Document("p", "p.txt", text)])
    assert problems == []
    for art in articles:
        for rel in art.relations:
            assert 0 <= rel.start <= rel.end <= len(art.text)


@settings(max_examples=60, deadline=None)
@given(text=CJK_TEXT)
def test_every_mention_maps_back_to_the_same_characters_in_the_source(text):
    articles, _ = extract_documents([Document("p", "p.txt", text)])
    for art in articles:
        for m in art.mentions:
            start, end = art.source_span(m.start, m.end)
            source = "".join(c for c in text[start:end] if not c.isspace())
            mention = "".join(c for c in m.text if not c.isspace())
            assert len(source) >= len(mention) or source == mention, (m, text[start:end])
