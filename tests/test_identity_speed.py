"""Corpus identity made cheap for a rebuild (kg/corpus_identity.py, the person summaries
of kg/incremental.py): the fast mapping and signatures equal the straightforward ones,
and the summary shards load back equal, or not at all when of other code or damaged."""
from __future__ import annotations

import pickle
import random
from collections import defaultdict

import pytest
from test_corpus_identity import EXAMPLES, TEXTS

from kg import incremental as inc
from kg.corpus_identity import (
    PersonSummary,
    _person_key,
    identity_signature,
    mapping_from_summaries,
    pairs,
    summarise,
)
from kg.pipeline import extract_text


def reference_mapping(summaries) -> dict[str, str]:
    """The mapping as it was computed before it was made fast: `_person_key` per key."""
    org_place = {s: o for a in summaries for s, o in pairs(a.located_in)}
    anchors: dict[str, str] = {}
    for a in summaries:
        for subject, obj in pairs(a.holds_post):
            if subject not in anchors:
                anchors[subject] = org_place.get(obj, obj if obj.startswith("Place|") else "")
    by_name: dict[str, set[str]] = defaultdict(set)
    for a in summaries:
        for key, name in pairs(a.persons):
            by_name[name].add(anchors.get(key, ""))
    mapping = {}
    for a in summaries:
        for key, name in pairs(a.persons):
            mapping[key] = _person_key(name, anchors.get(key, ""), by_name[name])
    return mapping


def reference_signature(keys, mapping) -> str:
    renamed = sorted((k, mapping[k]) for k in set(keys) if k in mapping)
    return repr((bool(mapping), renamed))


def random_summaries(seed: int, articles: int = 60) -> list[PersonSummary]:
    """Summaries with what makes identity hard: names in one place, in several, in
    none; posts at organisations in places, in no known place, at places; a person
    with several posts; keys shared across articles, a person key of one article in
    another's posts, a key under two names."""
    rng = random.Random(seed)
    names = [f"名{i}" for i in range(12)]
    places = ["Place|110000", "Place|410000", "Place|330000", "Place|410100"]
    orgs = [f"Organization|机关{i}" for i in range(8)]
    found = []
    for n in range(articles):
        persons = [(f"Person|{name}" if rng.random() < 0.3 else f"Person|{name}|a{n}", name)
                   for name in rng.sample(names, rng.randint(0, 5))]
        if persons and rng.random() < 0.1:  # the same key twice, once under another name
            persons.append((persons[0][0], rng.choice(names)))
        located = [(rng.choice(orgs), rng.choice(places + orgs)) for _ in range(rng.randint(0, 3))]
        holds = [(key, rng.choice(places + orgs + ["Post|书记"])) for key, name in persons
                 if name not in names[8:] for _ in range(rng.choice([0, 0, 1, 2]))]
        if n and rng.random() < 0.2:  # a person of an earlier article among the keys
            holds.append((f"Person|{rng.choice(names[:8])}|a{rng.randrange(n)}", rng.choice(places)))
        keys = {k for pair in persons + located + holds for k in pair if "|" in k}
        found.append(PersonSummary(
            f"a{n}", f"a{n}.txt", tuple(x for p in located for x in p),
            tuple(x for p in holds for x in p), tuple(x for p in persons for x in p),
            tuple(sorted(keys | {rng.choice(places)}))))
    return found


@pytest.fixture(scope="module")
def example_summaries():
    from kg.distributed import extract_all
    from kg.read import read_paths

    docs, _ = read_paths([str(EXAMPLES)])
    hand_built = [a for i, text in enumerate(TEXTS)
                  for a in extract_text(text, doc_id=f"d{i}", source=f"d{i}.txt").articles]
    examples = [a for found, _ in extract_all(docs) for a in found]
    return [[summarise(a) for a in hand_built], [summarise(a) for a in examples]]


def test_fast_mapping_equals_the_reference_on_the_examples(example_summaries):
    for summaries in example_summaries:
        expected = reference_mapping(summaries)
        assert expected
        found = mapping_from_summaries(summaries)
        assert found == expected and list(found.items()) == list(expected.items())


@pytest.mark.parametrize("seed", range(40))
def test_fast_mapping_and_signatures_equal_the_reference_on_random_summaries(seed):
    summaries = random_summaries(seed)
    expected = reference_mapping(summaries)
    found = mapping_from_summaries(summaries)
    assert found == expected and list(found.items()) == list(expected.items())
    for s in summaries:
        assert identity_signature(s.keys, found) == reference_signature(s.keys, found)
        assert identity_signature(s.keys, {}) == reference_signature(s.keys, {})


def test_random_summaries_split_some_names_and_not_others():
    mapping = mapping_from_summaries([s for seed in range(5) for s in random_summaries(seed)])
    assert any("@" in v for v in mapping.values()) and any("@" not in v for v in mapping.values())


def test_signature_from_any_collection_of_keys_equals_the_reference(example_summaries):
    summaries = example_summaries[1]
    mapping = mapping_from_summaries(summaries)
    for s in summaries:
        expected = reference_signature(s.keys, mapping)
        for keys in (s.keys, frozenset(s.keys), set(s.keys), list(reversed(s.keys))):
            assert identity_signature(keys, mapping) == expected


def test_summary_keys_are_sorted_distinct_and_strings_shared(example_summaries):
    summaries = example_summaries[1]
    for s in summaries:
        assert list(s.keys) == sorted(set(s.keys))
        assert len(s.persons) % 2 == len(s.located_in) % 2 == len(s.holds_post) % 2 == 0
        assert set(s.persons[0::2]) <= set(s.keys)
    seen: dict[str, list[str]] = defaultdict(list)  # key -> each summary's string of it
    for s in summaries:
        for key in s.keys:
            seen[key].append(key)
    assert any(len(found) > 1 for found in seen.values())  # keys recur across articles
    assert all(len({id(k) for k in found}) == 1 for found in seen.values())  # one string


def test_summaries_saved_load_back_equal_and_give_the_same_identity(tmp_path,
                                                                    example_summaries):
    summaries = example_summaries[1]
    current = {f"{d:x}{i:031x}": ((s,), ()) for i, s in enumerate(summaries)
               for d in [i % 16]}
    inc.save_summaries(tmp_path, current)
    loaded = inc.load_summaries(tmp_path)
    assert loaded == current
    back = [loaded[h][0][0] for h in current]
    mapping = mapping_from_summaries(back)
    assert mapping == mapping_from_summaries(summaries)
    assert [identity_signature(s.keys, mapping) for s in back] == \
        [identity_signature(s.keys, mapping) for s in summaries]


def test_shards_of_another_version_or_damaged_are_ignored(tmp_path, example_summaries):
    from dataclasses import replace

    summaries = example_summaries[0][:4]
    current = {f"{d:x}{'0' * 31}": ((s,), ()) for d, s in enumerate(summaries)}
    inc.save_summaries(tmp_path, current)
    assert inc.load_summaries(tmp_path) == current
    shard = [inc._summary_shard(tmp_path, d) for d in range(4)]
    # shard 0 as the earlier code left it: another version, keys in a set
    old = {k: (tuple(replace(s, keys=frozenset(s.keys)) for s in v[0]), ())
           for k, v in current.items() if k[0] == "0"}
    shard[0].write_bytes(pickle.dumps(("0123456789abcdef", old)))
    shard[1].write_bytes(shard[1].read_bytes()[:40])  # cut short
    shard[2].write_bytes(b"not a pickle at all")
    assert inc.load_summaries(tmp_path) == {k: v for k, v in current.items() if k[0] == "3"}
    shard[3].write_bytes(pickle.dumps((inc.summary_version(), ["not", "a", "dict"])))
    assert inc.load_summaries(tmp_path) == {}
    inc.save_summaries(tmp_path, current)
    assert inc.load_summaries(tmp_path) == current
