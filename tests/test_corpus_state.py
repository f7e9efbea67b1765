"""kg/corpus_state.py + triples.Merged.patch: a patched merge equals merging every record.

Records are made by hand from the example pages; a "changed" article is its record
with some entities and relations left out (same IRI, another key), as when its text
changes or corpus identity renames a person in it.
"""
from __future__ import annotations

import pickle
import random
from dataclasses import replace
from pathlib import Path

import pytest

from kg import corpus_state
from kg.model import EntityType, RelationType
from kg.network import from_merged
from kg.serialise import Sections
from kg.triples import ArticleRecord, Merged, article_record

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def records():
    from kg.pipeline import extract

    return [article_record(a) for a in extract([EXAMPLES]).articles]


def changed(record):
    """The same article with its first entity and relation gone, its last relation first."""
    relations = record.relations[1:]
    return replace(record, entities=record.entities[1:],
                   relations=relations[-1:] + relations[:-1], posts=record.posts[1:])


def snapshot(merged: Merged):
    entities = {k: (dict(m.types), dict(m.names), sorted(m.aliases),
                    {a: dict(c) for a, c in m.attrs.items() if c}, sorted(m.articles),
                    m.label, m.type, m.alt_labels()) for k, m in merged.entities.items()}
    nodes = {k: (n.kind, n.type, n.subject, n.object, n.role, n.past, n.date, n.owner,
                 list(n.titles), list(n.evidence)) for k, n in merged.nodes.items()}
    return entities, nodes


def outputs(merged: Merged):
    nxg = from_merged(merged)
    return (Sections(merged).graph_bytes("ttl"), list(nxg.nodes(data=True)),
            list(nxg.edges(data=True, keys=True)))


def graph_keys(merged: Merged, items: list, **reuse) -> dict[str, str]:
    sections = Sections(merged, keys={r.iri: k for k, r in items}, **reuse)
    return {name: sections.key(name) for name in sections.names}


def patched(before: list, after: list, *, state: list | None = None):
    """`after` merged by patching the saved merge of `before` (through a pickle, as on
    disk); each item is (key, record). `state` gets the SavedMerge."""
    merged = Merged([r for _, r in before])
    merged.records = [corpus_state.stub(r) for _, r in before]
    key_of = {r.iri: k for k, r in before}
    saved = pickle.loads(pickle.dumps(corpus_state.SavedMerge(
        [k for k, _ in before], merged,
        {n: (key_of.get(n), k) for n, k in graph_keys(merged, before).items()})))
    if state is not None:
        state.append(saved)
    keys = [k for k, _ in after]
    patch = corpus_state.plan(saved, keys)
    assert patch is not None
    whole = dict(before)
    added = dict(after)
    return corpus_state.patched(saved, keys, patch, [whole[k] for k in patch.removed],
                                {k: added[k] for k in patch.added})


def scratch(after: list) -> Merged:
    merged = Merged([r for _, r in after])
    merged.records = [corpus_state.stub(r) for _, r in after]
    return merged


def assert_patch_is_scratch(before, after) -> None:
    """Patching the merge of `before` into `after` gives the merge made anew: the same
    state and outputs, and graphs not marked dirty keep their key, every key the one
    made anew."""
    state: list = []
    merged = patched(before, after, state=state)
    assert snapshot(merged) == snapshot(scratch(after))
    assert outputs(merged) == outputs(scratch(after))
    assert graph_keys(merged, after, reuse=state[0].graph_keys, dirty=state[0].dirty) \
        == graph_keys(scratch(after), after)


@pytest.mark.parametrize("seed", range(6))
def test_a_patched_merge_equals_merging_every_record(records, seed):
    rng = random.Random(seed)
    items = [(f"{r.iri}#0", r) for r in records]
    before = rng.sample(items, k=len(items) - 3)
    after = []
    for key, record in before:
        roll = rng.random()
        if roll < 0.15:
            continue  # removed
        after.append((f"{record.iri}#1", changed(record)) if roll < 0.4 else (key, record))
    for item in (i for i in items if i not in before):  # added, anywhere
        after.insert(rng.randrange(len(after) + 1), item)
    assert_patch_is_scratch(before, after)


def tangled(rng: random.Random, n: int, *, steady: bool = False) -> list:
    """`n` made-up records over a few people, organisations and places, with names,
    titles, memberships and facts shared between them: the example pages share
    almost none, and sharing is where a patch can go wrong (labels decided by the
    majority, a node's first title and owner, an edge owned by another node's graph).
    `steady`: every entity has one name and type, so no label changes."""
    people = [f"Person|甲{i}" for i in range(3)]
    orgs = [f"Organization|机构{i}" for i in range(2)]
    places = ["Place|某县", "Place|某乡"]
    out = []
    for i in range(n):
        iri, evidence, relations = f"http://example.org/a{i:02}", [], []
        entities = [(k, EntityType.PERSON, "张三" if steady else rng.choice(["张三", "张叁", ""]),
                     tuple(rng.sample(["三哥", "老张"], k=rng.randrange(3))), ())
                    for k in rng.sample(people, k=2)]
        entities += [(k, EntityType.PLACE if steady else rng.choice(
                          [EntityType.PLACE, EntityType.ORGANIZATION]),
                      "某县" if steady else rng.choice(["某县", "某镇"]), (),
                      (("level", "county"),))
                     for k in rng.sample(places, k=1)]
        entities += [(k, EntityType.ORGANIZATION, "党委" if steady else rng.choice(["党委", "政府"]), (),
                      (("category", rng.choice(["party", "government", ""])),)) for k in orgs]
        for j in range(rng.randrange(1, 5)):
            ev = f"http://example.org/ev{i:02}-{j}"
            evidence.append((ev, rng.choice(["句子一。", "句子二。"]), "x.jsonl", j, j + 3))
            subject, role = rng.choice(people), rng.choice(["书记", "主任"])
            if rng.random() < 0.6:
                target = rng.choice(orgs + places)
                relations.append(("m", f"Membership|{subject}|{target}|{role}||", 
                                  RelationType.HOLDS_POST, subject, target, role,
                                  rng.choice(["", "党委书记", "副书记"]), False, "", ev))
            else:
                org, place = rng.choice(orgs), rng.choice(places)
                relations.append(("f", f"Fact|located_in|{org}|{place}",
                                  RelationType.LOCATED_IN, org, place, "", "", False, "", ev))
        posts = tuple(rel[5] for rel in relations if rel[0] == "m")
        out.append((f"{iri}#0", ArticleRecord(
            iri, f"标题{i % 4}", f"a{i:02}", b"", tuple(entities), posts,
            tuple(rng.sample(["记者甲", "记者乙"], k=rng.randrange(2))), tuple(relations),
            tuple(evidence), "")))
    return out


@pytest.mark.parametrize("steady", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_a_patched_merge_of_shared_entities_and_facts_equals_merging_every_record(seed, steady):
    rng = random.Random(seed)
    items = tangled(rng, 12, steady=steady)
    before = items[:9]
    after = []
    for key, record in before:
        roll = rng.random()
        if roll < 0.2:
            continue
        other = rng.choice(items)[1]  # another article's content under this one's name
        after.append((f"{record.iri}#1", replace(other, iri=record.iri,
                                                  article_id=record.article_id))
                     if roll < 0.5 else (key, record))
    for item in items[9:]:
        after.insert(rng.randrange(len(after) + 1), item)
    assert_patch_is_scratch(before, after)


def test_taking_every_record_out_and_back_gives_the_same_merge(records):
    items = [(f"{r.iri}#0", r) for r in records]
    emptied = patched(items, [])
    assert emptied.entities == {} and emptied.nodes == {}
    again = patched(items, [(f"{r.iri}#1", r) for r in records])
    assert snapshot(again) == snapshot(scratch(items))


def test_kept_articles_in_another_order_are_not_patched(records):
    items = [(f"{r.iri}#0", r) for r in records[:4]]
    saved = corpus_state.SavedMerge([k for k, _ in items], scratch(items))
    assert corpus_state.plan(saved, [k for k, _ in reversed(items)]) is None
    assert corpus_state.plan(saved, [items[0][0], items[0][0]]) is None
    assert corpus_state.plan(saved, [k for k, _ in items[1:]]).removed == [items[0][0]]


def test_a_damaged_or_foreign_state_file_is_not_loaded(tmp_path, records):
    items = [(f"{r.iri}#0", r) for r in records[:3]]
    corpus_state.save(tmp_path, [k for k, _ in items], scratch(items))
    assert corpus_state.load(tmp_path).keys == [k for k, _ in items]
    data = (tmp_path / corpus_state.STATE).read_bytes()
    (tmp_path / corpus_state.STATE).write_bytes(data[: len(data) // 2])
    assert corpus_state.load(tmp_path) is None
    (tmp_path / corpus_state.STATE).write_bytes(pickle.dumps(("other", None)))
    assert corpus_state.load(tmp_path) is None


def test_a_change_to_many_records_is_merged_anew_not_patched():
    """A patch holds the whole records it takes out and puts in: past PATCH_MOST (or 2 %
    of the corpus) the build merges from the light records instead."""
    from kg.corpus_state import PATCH_MOST, SavedMerge, plan

    keys = [f"k{i}" for i in range(1000)]
    saved = SavedMerge(list(keys), None)
    small = keys[:-3] + ["n1", "n2", "n3"]
    assert plan(saved, small) is not None
    moved = [f"n{i}" for i in range(1000)]  # every key new: the corpus file was moved
    assert plan(saved, moved) is None
    assert plan(saved, keys[PATCH_MOST // 2 + 1:] + moved[:PATCH_MOST // 2 + 1]) is None
