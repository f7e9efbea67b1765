"""A learned person-name tagger: a character CRF (python-crfsuite) over BIO tags.

The rules in `person.py` only propose a name where the context says "a person
stands here" (a post, a cue); news text names people everywhere else too. This
tagger reads characters, their jieba words and part-of-speech flags, surname and
lexicon cues, and marks person names anywhere. It was trained on the train
splits of CLUENER2020 and Resume NER (see kg/data/SOURCE-person-model.md and
scripts/train_person_model.py); the model loads on first use, once per process.

    tag_persons(text) -> [(start, end), ...]   half-open spans into `text`
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from importlib import resources

from kg import lexicon
from kg.model import EntityType, Mention
from kg.recognise.tokens import Token, tokenize

MODEL_FILE = "person_crf.crfsuite"
SENTENCE_END = re.compile(r"[。！？；\n]")
MAX_SENTENCE = 500  # longer stretches are tagged in chunks of this size
PUNCT = set("，。、；：！？“”‘’（）《》()「」『』【】…—-·,.;:!?\"'[]")
NAME_DOT = set("·•・")
NUMERALS = set("一二三四五六七八九十两几每这那某整半0123456789")
MEASURE_SURNAMES = set("张条支项位名双户")  # measure words that are also surnames


@cache
def _tagger(model: str | None = None):
    """The shipped model, or the model file at `model` (for held-out experiments)."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    if model:
        tagger.open(model)
        return tagger
    with resources.as_file(resources.files("kg.data").joinpath(MODEL_FILE)) as file:
        tagger.open(str(file))
    return tagger


# A CRF span this sure of itself stands without jieba's agreement (chosen on held-out train
# sentences and the seed pages' precision; docs/accuracy.md).
SURE = 0.7
SURE_RARE = 0.97  # a surname outside the common ones (晏, 符; but also 党 in 党建强) asks more
# Right after a post (主编|X, 选手|Lyn) a sure span is a name even with a surname outside the
# surname list or in Latin letters: the post says a person follows (chosen on held-out train sentences).
SURE_AFTER_POST = 0.9
LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z.\-]{1,19}")


def propose_learned_persons(text: str, tokens, blocked: set[int], rule_persons,
                            posts=()) -> list[Mention]:
    """CRF names outside places, organisations and posts, not overlapping a rule person, that
    look like a name, and that either jieba also reads as a person name (two independent
    signals agree) or the CRF is sure of (confidence >= SURE; SURE_RARE for a rare surname;
    SURE_AFTER_POST right after one of `posts`, where a Latin-letter name counts too).
    Unsure CRF names on their own cost precision on governance pages (see docs/accuracy.md).
    A name accepted once is found at each other mention too, as rule names are."""
    scored = tag_persons_scored(text, tokens=tokens.tokens)
    rule_spans = [(m.start, m.end) for m in rule_persons]
    # A sure CRF name that starts where a rule name starts and runs on is the longer, right
    # reading (a post + 李晓|林): the rule name does not block it; `decide` keeps the longer.
    extended = {(s, e) for s, e in rule_spans for cs, ce, conf in scored
                if cs == s and ce > e and conf >= SURE}
    taken = {i for s, e in rule_spans if (s, e) not in extended for i in range(s, e)}
    names: dict[str, str] = {}
    after_post = {p.end for p in posts}
    for start, end, conf in scored:
        if blocked.intersection(range(start, end)) or taken.intersection(range(start, end)):
            continue
        name = text[start:end]
        if name in lexicon.not_names():
            continue
        tok = tokens.starting_at(start)
        agreed = tok is not None and tok.end == end and tok.flag.startswith("nr")
        surname = name[0] in lexicon.surnames() or name[:2] in lexicon.surnames()
        chinese = surname and _looks_like_name(text, start, end)
        common = chinese and name[0] in lexicon.common_surnames()
        if (agreed and common) or (conf >= SURE and (common or _looks_foreign(name))) \
                or (conf >= SURE_RARE and chinese):
            names[name] = "crf"
        elif start in after_post and conf >= SURE_AFTER_POST and (
                _looks_like_name(text, start, end) or _looks_foreign(name)
                or LATIN_NAME.fullmatch(name)):
            names[name] = "crf"
    from kg.recognise.person import all_occurrences

    return all_occurrences(text, names, blocked | taken)


def _looks_foreign(name: str) -> bool:
    """A transliterated name: Han characters (or a name dot), mostly ones that mark
    transliteration (kg.lexicon.dictionary_names)."""
    strength = lexicon.dictionary_names()[2]
    parts = [p for p in re.split("[·•・]", name) if p]
    chars = "".join(parts)
    return len(chars) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in chars) \
        and 2 * sum(c in strength for c in chars) >= len(chars)


def _looks_like_name(text: str, start: int, end: int) -> bool:
    """No particle inside (党员有), no place or kinship word right after (李巷, 王应|东家) or
    at the end (赵老伯), no measure word after a numeral (一张清单)."""
    from kg.recognise.person import APPELLATIONS, BOUNDARY_CHARS

    if text[end - 1] in APPELLATIONS or "老" in text[start + 1:end]:
        return False
    if start and text[start - 1] in NUMERALS and text[start] in MEASURE_SURNAMES:
        return False

    after = text[end:end + 1]
    longest = 4 if text[start:start + 2] in lexicon.surnames() else 3
    return 2 <= end - start <= longest \
        and not any(c in BOUNDARY_CHARS for c in text[start + 1:end]) \
        and (not after or (after not in APPELLATIONS and after not in "家巷村镇街路庄屯")) \
        and text[end - 1] not in "巷村镇街路庄屯寺庙湾坡沟"


def tag_persons(text: str, tokens: Sequence[Token] | None = None, *,
                model: str | None = None) -> list[tuple[int, int]]:
    """Half-open spans of person names in `text`, tagged sentence by sentence.

    `tokens` are jieba tokens of the whole `text` (as `tokenize(text)` returns);
    without them each sentence is tokenised here.
    """
    return [(s, e) for s, e, _ in tag_persons_scored(text, tokens, model=model)]


def tag_persons_scored(text: str, tokens: Sequence[Token] | None = None, *,
                       model: str | None = None) -> list[tuple[int, int, float]]:
    """As `tag_persons`, each span with the CRF's confidence in it: the smallest marginal
    probability of its tags (B-PER on the first character, I-PER on the others).

    The label scores of all sentences are summed at once from the model's weights
    (kg/recognise/person_scores.py, the same sums as `char_features` gives crfsuite);
    crfsuite decodes each sentence from them."""
    from kg.recognise.person_scores import score_tables

    spans: list[tuple[int, int, float]] = []
    tagger = _tagger(model)
    sentences = sentence_spans(text)
    if tokens is None:
        tokens = _tokens_by_sentence(text, sentences)
    for (start, _), items in zip(sentences, score_tables(model).items(text, tokens, sentences)):
        if items is None:  # surely no name in this sentence
            continue
        labels = tagger.tag(items)
        for s, e in bio_spans(labels):
            conf = min(tagger.marginal("B-PER" if i == s else "I-PER", i) for i in range(s, e))
            spans.append((start + s, start + e, conf))
    return spans


def _tokens_by_sentence(text: str, sentences: list[tuple[int, int]]) -> list[Token]:
    """jieba tokens of each sentence on its own, offset into `text`; one-character filler
    tokens between sentences, so that they tile the text (the filler is never read)."""
    out, at = [], 0
    for start, end in sentences:
        out += [Token(i, i + 1, text[i], "x") for i in range(at, start)]
        out += [Token(t.start + start, t.end + start, t.word, t.flag)
                for t in tokenize(text[start:end])]
        at = end
    return out + [Token(i, i + 1, text[i], "x") for i in range(at, len(text))]


def tag_persons_by_features(text: str, tokens: Sequence[Token] | None = None, *,
                            model: str | None = None) -> list[tuple[int, int, float]]:
    """`tag_persons_scored` the slow, plain way: `char_features` strings handed to crfsuite
    sentence by sentence. The definition the fast path is tested against."""
    spans: list[tuple[int, int, float]] = []
    tagger = _tagger(model)
    ends = [t.end for t in tokens] if tokens is not None else []
    for start, end in sentence_spans(text):
        piece = text[start:end]
        toks = _slice_tokens(tokens, ends, start, end) if tokens is not None \
            else tokenize(piece)
        labels = tagger.tag(char_features(piece, toks))
        for s, e in bio_spans(labels):
            conf = min(tagger.marginal("B-PER" if i == s else "I-PER", i) for i in range(s, e))
            spans.append((start + s, start + e, conf))
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences ending at 。！？；or a newline; a longer one is cut every MAX_SENTENCE chars."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        out += _chunks(start, m.end())
        start = m.end()
    out += _chunks(start, len(text))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _chunks(start: int, end: int) -> list[tuple[int, int]]:
    return [(s, min(s + MAX_SENTENCE, end)) for s in range(start, end, MAX_SENTENCE)]


def _slice_tokens(tokens: Sequence[Token], ends: list[int], start: int, end: int
                  ) -> tuple[Token, ...]:
    """Tokens of the whole text, clipped to [start, end) and shifted to start at 0."""
    out = []
    i = bisect_right(ends, start)  # the first token ending after `start`
    while i < len(tokens) and tokens[i].start < end:
        t, i = tokens[i], i + 1
        if t.end > start:
            s, e = max(t.start, start), min(t.end, end)
            out.append(Token(s - start, e - start, t.word[s - t.start:e - t.start], t.flag))
    return tuple(out)


def bio_spans(labels: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each B-PER I-PER... run; a stray I-PER opens a span."""
    spans, start = [], None
    for i, label in enumerate(list(labels) + ["O"]):
        if start is not None and label != "I-PER":
            spans.append((start, i))
            start = None
        if label == "B-PER" or (label == "I-PER" and start is None):
            start = i
    return spans


# --- features -------------------------------------------------------------------------

def char_class(ch: str) -> str:
    if ch.isdigit() or ch in "零〇一二三四五六七八九十百千万亿两":
        return "D"
    if ch in NAME_DOT:
        return "DOT"
    if ch in PUNCT or not ch.strip():
        return "P"
    if "a" <= ch.lower() <= "z":
        return "L"
    if "\u4e00" <= ch <= "\u9fff":
        return "H"
    return "X"


@cache
def _lexicon_words() -> tuple[dict[str, str], frozenset[str]]:
    """Cue word -> kind: post, cue_before (name follows), cue_after (name precedes); and
    every proper prefix of a cue word, so a scan stops as soon as no word can follow."""
    words = {w: "post" for w in lexicon.posts()}
    for w, side in lexicon.person_cues().items():
        words[w] = "cue_" + side
    return words, frozenset(w[:n] for w in words for n in range(1, len(w)))


def _lexicon_marks(text: str) -> tuple[list[set[str]], list[set[str]]]:
    """For each char: lexicon kinds of words ending right before it, starting right after it."""
    words, prefixes = _lexicon_words()
    ends_before: list[set[str]] = [set() for _ in range(len(text) + 1)]
    starts_at: list[set[str]] = [set() for _ in range(len(text) + 1)]
    inside = [False] * (len(text) + 1)
    for i in range(len(text)):
        for j in range(i + 1, len(text) + 1):
            piece = text[i:j]
            kind = words.get(piece)
            if kind:
                ends_before[j].add(kind)
                starts_at[i].add(kind)
                for k in range(i, j):
                    inside[k] = True
            if piece not in prefixes:
                break
    left = [ends_before[i] for i in range(len(text))]
    right = [starts_at[i + 1] | ({"in"} if inside[i] else set()) for i in range(len(text))]
    return left, right


@cache
def _name_index() -> tuple[frozenset[str], frozenset[str], dict[str, int], frozenset[str]]:
    """jieba's dictionary names (kg.lexicon.dictionary_names) and every proper prefix of
    them, so a scan stops as soon as no name can follow."""
    chinese, foreign, strength = lexicon.dictionary_names()
    prefixes = frozenset(w[:k] for w in chinese | foreign for k in range(1, len(w)))
    return chinese, foreign, strength, prefixes


def _name_marks(text: str) -> list[list[str]]:
    """For each char: where it sits in a dictionary name (nl: Chinese, fl: foreign; B/I/E) and
    how strongly it and its run of neighbours read as a transliterated name (tr=1-3,
    trrun=1/2/3+)."""
    chinese, foreign, strength, prefixes = _name_index()
    marks: list[list[str]] = [[] for _ in text]
    size = len(text)
    for i in range(size):
        if text[i] not in prefixes:
            continue
        for n in range(2, min(8, size - i) + 1):
            piece = text[i:i + n]
            kind = "nl" if n <= 4 and piece in chinese else "fl" if piece in foreign else None
            if kind:
                marks[i].append(kind + "B")
                for k in range(i + 1, i + n - 1):
                    marks[k].append(kind + "I")
                marks[i + n - 1].append(kind + "E")
            if piece not in prefixes:
                break
    if not any(ch in strength for ch in text):
        return marks
    run = 0
    runs = [0] * size
    for i, ch in enumerate(text):
        run = run + 1 if ch in strength else 0
        runs[i] = run
    for i in range(size - 2, -1, -1):  # a run's length, seen from each of its chars
        if runs[i] and runs[i + 1]:
            runs[i] = runs[i + 1]
    for i, ch in enumerate(text):
        if ch in strength:
            marks[i] += [f"tr={strength[ch]}", f"trrun={min(runs[i], 3)}"]
    return marks


def _token_marks(text: str, tokens: Sequence[Token]) -> list[tuple[str, str, int]]:
    """For each char: its position in its jieba word (B/M/E/S), the word's flag and length."""
    marks = [("S", "x", 1)] * len(text)
    for t in tokens:
        n = t.end - t.start
        for i in range(t.start, min(t.end, len(text))):
            pos = "S" if n == 1 else "B" if i == t.start else "E" if i == t.end - 1 else "M"
            marks[i] = (pos, t.flag, n)
    return marks


def char_features(text: str, tokens: Sequence[Token]) -> list[list[str]]:
    """One feature list per character of `text` (a sentence; tokens offset from its start).

    Written for speed (it runs on every character of every article): plain string
    concatenation, no per-character helper calls; scripts/train_person_model.py trains on
    exactly these features, so any change here needs the model retrained."""
    surnames, common = lexicon.surnames(), lexicon.common_surnames()
    size = len(text)
    toks = _token_marks(text, tokens)
    left, right = _lexicon_marks(text)
    names = _name_marks(text)
    p = "^^" + text + "$$"
    cls = [_char_class_cached(ch) for ch in p]
    feats = []
    for i in range(size):
        a, b, ch, d, e = p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4]
        f = ["b", "c0=" + ch, "c-1=" + b, "c1=" + d, "c-2=" + a, "c2=" + e,
             "c-1c0=" + b + ch, "c0c1=" + ch + d, "c-2c-1=" + a + b,
             "c1c2=" + d + e, "c-1c1=" + b + d, "c-1c0c1=" + b + ch + d,
             "t0=" + cls[i + 2], "t-1=" + cls[i + 1], "t1=" + cls[i + 3]]
        if ch in surnames:
            f.append("sur0")
        if ch in common:
            f.append("csur0")
        if i + 1 < size and ch + d in surnames:
            f.append("sur2")
        if i >= 1 and b in surnames:
            f.append("sur-1")
        if i >= 2 and a in surnames:
            f.append("sur-2")
        pos, flag, n = toks[i]
        f += ["w=" + pos, "wf=" + flag, "wfp=" + pos + flag, f"wl={min(n, 4)}",
              f"wnr={pos}{flag.startswith('nr')}"]
        if i >= 1:
            f.append("w-1=" + toks[i - 1][0] + toks[i - 1][1])
        if i + 1 < size:
            f.append("w1=" + toks[i + 1][0] + toks[i + 1][1])
        if left[i]:
            f += ["lexL=" + k for k in sorted(left[i])]
        if right[i]:
            f += ["lexR=" + k for k in sorted(right[i])]
        if names[i]:
            f += names[i]
        if i >= 1 and names[i - 1]:
            f += ["n-1" + m for m in names[i - 1]]
        if i + 1 < size and names[i + 1]:
            f += ["n+1" + m for m in names[i + 1]]
        feats.append(f)
    return feats


@cache
def _char_class_cached(ch: str) -> str:
    return char_class(ch)
