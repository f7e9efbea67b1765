"""Lexicons as data: posts, organisation heads, national bodies, cues, surnames.

Files live in kg/data/lexicon/ (one entry a line, `#` comments, tab-separated
columns). They are general word lists of the domain, never names taken from
the example articles. Each loader is cached: read once per process, on first use.
"""
from __future__ import annotations

from functools import cache
from importlib import resources


def _lines(name: str) -> list[list[str]]:
    text = resources.files("kg.data.lexicon").joinpath(name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].rstrip() if line.lstrip().startswith("#") else line.rstrip()
        if line.strip():
            rows.append(line.split("\t"))
    return rows


def _by_length(words) -> tuple[str, ...]:
    """Longest first, so a scanner's first hit is the longest match."""
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def surnames() -> frozenset[str]:
    """Single-character surnames (百家姓 + modern variants) and compounds seen in train data."""
    chars = {ch for row in _lines("baijiaxing.txt") for ch in row[0]}
    counted = {row[0] for row in _lines("surnames.tsv")}
    return frozenset(chars | {s for s in counted if len(s) == 2})


@cache
def common_surnames() -> frozenset[str]:
    """Surnames seen at least 5 times among train-split names: safe to trust on weak cues."""
    counted = {row[0] for row in _lines("surnames.tsv") if int(row[1]) >= 5}
    return frozenset(counted & surnames())


@cache
def posts() -> dict[str, str]:
    """Post word -> kind (party, government, ...): the curated governance posts, plus
    positions learned from CLUENER train (kind "generic"; scripts/build_train_posts.py)."""
    learned = {row[0]: "generic" for row in _lines("posts_train.tsv")}
    return learned | {row[0]: row[1] for row in _lines("posts.tsv")}


@cache
def post_words() -> tuple[str, ...]:
    return _by_length(posts())


@cache
def org_heads() -> dict[str, str]:
    """Organisation name ending -> category."""
    return {row[0]: row[1] for row in _lines("org_heads.tsv")}


@cache
def org_head_words() -> tuple[str, ...]:
    return _by_length(org_heads())


@cache
def national_orgs() -> dict[str, str]:
    return {row[0]: row[1] for row in _lines("national_orgs.tsv")}


@cache
def initiative_cues(side: str) -> dict[str, str]:
    """Cue word -> category, for cues on one side of a name: before, after or inner."""
    return {row[0]: row[1] for row in _lines("initiative_cues.tsv") if row[2] == side}


@cache
def person_cues() -> dict[str, str]:
    return {row[0]: row[1] for row in _lines("person_cues.tsv")}


@cache
def not_names() -> frozenset[str]:
    return frozenset(row[0] for row in _lines("not_names.txt"))


@cache
def clause_verbs() -> frozenset[str]:
    return frozenset(row[0] for row in _lines("clause_verbs.txt"))


@cache
def dictionary_names() -> tuple[frozenset[str], frozenset[str], dict[str, int]]:
    """Person names in jieba's own dictionary, and how strongly each character marks a
    transliterated (foreign) name.

    - Chinese names: entries tagged nr/nrfg, 2-4 Han characters, starting with a surname
      (noisy: jieba's nr class also holds idioms and phrases; the CRF weighs it);
    - foreign names: entries tagged nrt, and nr entries of 3+ characters that start with, and
      are at least two thirds made of, characters that mark transliteration;
    - transliteration strength per character, 1-3: the share of the dictionary words holding
      the character that are tagged nrt (transliterated name), at >= 3 %, 10 %, 30 %.
    Derived from the installed jieba package at first use, so nothing is copied into the repo;
    kept in the user cache (kg/usercache.py) keyed by jieba's dictionary, this code and the
    surname lists, since deriving it reads jieba's whole dictionary (about 1 s a process).
    """
    from kg import usercache
    from kg.recognise.jieba_tables import dictionary_bytes

    jieba_dict = dictionary_bytes()  # jieba's dict.txt, without importing jieba
    key = usercache.key_of(jieba_dict, _source_of(dictionary_names),
                           *(_data(name) for name in ("baijiaxing.txt", "surnames.tsv")))
    cached = usercache.read_json("dictionary-names", key)
    if cached is not None:
        chinese, foreign, strength = cached
        return frozenset(chinese), frozenset(foreign), {c: int(n) for c, n in strength.items()}
    found = _dictionary_names(jieba_dict.decode("utf-8").splitlines())
    usercache.write_json("dictionary-names", key,
                         [sorted(found[0]), sorted(found[1]), dict(sorted(found[2].items()))])
    return found


def _source_of(function) -> str:
    import inspect

    return inspect.getsource(inspect.getmodule(function))


def _data(name: str) -> bytes:
    return resources.files("kg.data.lexicon").joinpath(name).read_bytes()


def _dictionary_names(lines: list[str]) -> tuple[frozenset[str], frozenset[str], dict[str, int]]:
    """dictionary_names from the lines of jieba's dictionary (word, frequency, tag)."""
    family = surnames()
    chinese: set[str] = set()
    foreign: set[str] = set()
    long_nr: list[str] = []
    in_words: dict[str, int] = {}
    in_foreign: dict[str, int] = {}
    for raw in lines:
        parts = raw.split()
        if len(parts) < 3:
            continue
        word, tag = parts[0], parts[2]
        if not all("\u4e00" <= c <= "\u9fff" for c in word):
            continue
        for c in set(word):
            in_words[c] = in_words.get(c, 0) + 1
        if tag in ("nr", "nrfg") and 2 <= len(word) <= 4 \
                and (word[0] in family or word[:2] in family):
            chinese.add(word)
        elif tag == "nr" and len(word) >= 3:
            long_nr.append(word)
        if tag == "nrt" and len(word) >= 2:
            foreign.add(word)
            for c in set(word):
                in_foreign[c] = in_foreign.get(c, 0) + 1
    strength = {}
    for c, n in in_foreign.items():
        share = n / in_words[c]
        if n >= 5 and share >= 0.03:
            strength[c] = 3 if share >= 0.3 else 2 if share >= 0.1 else 1
    foreign.update(w for w in long_nr if w[0] in strength
                   and 3 * sum(c in strength for c in w) >= 2 * len(w))
    return frozenset(chinese), frozenset(foreign), strength
