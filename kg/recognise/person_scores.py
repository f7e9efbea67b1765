"""The person CRF's label scores for every character of an article, computed array-wise.

`person_model.char_features` defines the CRF's features as strings, about 23 per
character; crfsuite adds up the weights the model gives each string for each label
(O, B-PER, I-PER). Making those strings and handing them to crfsuite was three
quarters of the tagger's time, and most of them (bigrams, trigrams) the model does not
even know. Here the same sums are made with numpy, straight from the weights in the
model file, a template at a time over all the article's sentences at once. crfsuite is
then given two weighted attributes per character that reproduce the sums, so decoding
and marginals stay crfsuite's own.

Only differences between a character's label scores matter (adding one number to all
three changes no label and no probability), so two attributes suffice: one the model
weighs for B-PER only, one for I-PER only; their values are the B-PER and I-PER
scores less the O score, divided by those weights.

`char_features` stays the definition (training uses it); tests/test_person_scores.py
checks that both give the same labels and marginals.

    tables = score_tables()               # once per process, from the shipped model
    rows = tables.items(text, tokens, spans)   # crfsuite items, one list per sentence
"""
from __future__ import annotations

import json
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import cache
from pathlib import Path

import numpy as np

from kg import lexicon

LABELS = ("O", "B-PER", "I-PER")
# Templates over one character of the window p[i..i+4] around char i (p = "^^" + s + "$$").
CHAR_TEMPLATES = {"c-2": (0,), "c-1": (1,), "c0": (2,), "c1": (3,), "c2": (4,),
                  "c-1c0": (1, 2), "c0c1": (2, 3), "c-2c-1": (0, 1), "c1c2": (3, 4),
                  "c-1c1": (1, 3), "c-1c0c1": (1, 2, 3)}
CLASSES = ("D", "DOT", "P", "L", "H", "X")
POSITIONS = ("S", "B", "M", "E")
LEXICON_KINDS = ("post", "cue_before", "cue_after")
NAME_MARKS = ("nlB", "nlI", "nlE", "flB", "flI", "flE")


# ---------------------------------------------------------------- the model file

def read_model(path: str | Path) -> tuple[list[str], dict[str, np.ndarray], np.ndarray]:
    """Labels, attribute -> weight per label, and the transition weights, read exactly
    (as doubles) from a crfsuite CRF1d model file. (`Tagger.info()` parses a text dump
    that rounds weights to six decimals.)

    The file: a 48-byte header (magic "lCRF", size, type "FOMC", version, counts and the
    offsets of the chunks), a "FEAT" chunk of (type, source, target, weight) records
    (type 0: attribute -> label; type 1: label -> label), and two CQDB string databases
    whose backward array gives each label's and attribute's string by id."""
    return _parse_model(Path(path).read_bytes(), path)


def _parse_model(data: bytes, path: str | Path
                 ) -> tuple[list[str], dict[str, np.ndarray], np.ndarray]:
    """`read_model` of the model file's bytes (`path` names it in errors)."""
    if data[:4] != b"lCRF" or data[8:12] != b"FOMC":
        raise ValueError(f"{path}: not a crfsuite CRF1d model")
    _, _, n_labels, n_attrs, off_feats, off_labels, off_attrs = struct.unpack_from("<7I", data, 12)
    labels = _cqdb_strings(data, off_labels, n_labels)
    attrs = _cqdb_strings(data, off_attrs, n_attrs)
    if data[off_feats:off_feats + 4] != b"FEAT":
        raise ValueError(f"{path}: no feature chunk")
    n_feats = struct.unpack_from("<I", data, off_feats + 8)[0]
    records = np.frombuffer(data, dtype=np.dtype([("type", "<u4"), ("src", "<u4"),
                                                  ("dst", "<u4"), ("w", "<f8")]),
                            count=n_feats, offset=off_feats + 12)
    state: dict[str, np.ndarray] = {}
    trans = np.zeros((len(labels), len(labels)))
    for kind, src, dst, weight in records.tolist():
        if kind == 0:
            state.setdefault(attrs[src], np.zeros(len(labels)))[dst] = weight
        else:
            trans[src, dst] = weight
    return labels, state, trans


def _cqdb_strings(data: bytes, offset: int, count: int) -> list[str]:
    """The strings of a CQDB chunk by id: its backward array holds each record's offset;
    a record is (id, size including the final NUL, bytes)."""
    if data[offset:offset + 4] != b"CQDB":
        raise ValueError("model file: string database missing")
    bwd_size, bwd_offset = struct.unpack_from("<2I", data, offset + 16)
    out = []
    for i in range(min(bwd_size, count)):
        record = offset + struct.unpack_from("<I", data, offset + bwd_offset + 4 * i)[0]
        _, size = struct.unpack_from("<2I", data, record)
        out.append(data[record + 8:record + 7 + size].decode("utf-8"))
    return out


# ---------------------------------------------------------------- the tables

@dataclass
class ScoreTables:
    """The model's weights arranged for lookups by array index (row 0: unknown, zeros)."""

    bias: np.ndarray  # (3,) the "b" feature, on every character
    char_lut: np.ndarray  # code point -> char id (0: a character no attribute names)
    char_count: int  # char ids run 1..char_count-1
    unigrams: dict[int, np.ndarray]  # window slot -> (char_count, 3)
    ngrams: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]]  # slots -> sorted codes, rows
    classes: dict[int, np.ndarray]  # window slot 1..3 (t-1, t0, t1) -> (len(CLASSES), 3)
    surname: dict[str, np.ndarray]  # sur0, csur0, sur2, sur-1, sur-2 -> (3,)
    flag_codes: _FlagCodes  # jieba flag -> 2 * its id (0: one the model never names) + nr
    word: np.ndarray  # (4, 3) w=POS
    word_flag: np.ndarray  # (F, 3) wf=FLAG
    word_pos_flag: np.ndarray  # (4, F, 3) wfp=POSFLAG
    word_length: np.ndarray  # (5, 3) wl=1..4
    word_nr: np.ndarray  # (4, 2, 3) wnr=POS{False,True}
    word_before: np.ndarray  # (4, F, 3) w-1=POSFLAG of the character before
    word_after: np.ndarray  # (4, F, 3) w1=POSFLAG of the character after
    lex_left: dict[str, np.ndarray]  # kind -> (3,)
    lex_right: dict[str, np.ndarray]  # kind or "in" -> (3,)
    marks: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # mark -> own, n-1, n+1
    b_attr: str  # an attribute weighed for B-PER only, and that weight
    b_weight: float
    i_attr: str  # one weighed for I-PER only
    i_weight: float
    run_costs: tuple[float, float, float] | None  # entry, exit, inner (surely_no_name)

    def scores(self, text: str, tokens: Sequence, spans: Sequence[tuple[int, int]]
               ) -> np.ndarray:
        """(characters in `spans`, 3): each character's summed weight per label, in the
        order of the spans (sentences of `text`, whose jieba `tokens` tile it)."""
        return _Article(self, text, tokens, spans).scores()

    def items(self, text: str, tokens: Sequence, spans: Sequence[tuple[int, int]]
              ) -> list[list[dict[str, float]] | None]:
        """crfsuite items for each span: per character, the two attributes whose weighted
        values give its B-PER and I-PER scores relative to its O score. None for a span
        whose best labelling is surely all O (`surely_no_name`): it need not be decoded."""
        s = self.scores(text, tokens, spans)
        rel = s[:, 1:] - s[:, :1]  # B-PER and I-PER over O
        skip = self.surely_no_name(rel, [e - b for b, e in spans])
        vb = (rel[:, 0] / self.b_weight).tolist()
        vi = (rel[:, 1] / self.i_weight).tolist()
        a, b = self.b_attr, self.i_attr
        out: list[list[dict[str, float]] | None] = []
        at = 0
        for (start, end), none in zip(spans, skip):
            n = end - start
            out.append(None if none else
                       [{a: x, b: y} for x, y in zip(vb[at:at + n], vi[at:at + n])])
            at += n
        return out

    def surely_no_name(self, rel: np.ndarray, sizes: Sequence[int]) -> list[bool]:
        """For each sentence (`sizes` characters, rows of `rel`: B-PER and I-PER scores over
        O), whether labelling every character O beats every other labelling, so that
        Viterbi would find no name there (two thirds of news sentences).

        Every transition of this model scores below O->O (checked when the tables are made;
        otherwise nothing is skipped), so a run of non-O labels over characters i..j gains
        at most sum(g_k - inner) + inner - entry - exit over all-O, where g_k is the
        character's best non-O score over O, `inner` the least cost of a transition inside
        a run, `entry`/`exit` those of entering and leaving one (none at the sentence's
        edges). All-O is the unique best when the largest such sum over all runs, found
        for all sentences at once with prefix maxima, is below zero (by a margin that
        covers rounding)."""
        if self.run_costs is None or not len(rel):
            return [False] * len(sizes)
        entry, exit_, inner = self.run_costs
        starts = np.cumsum([0, *sizes[:-1]])
        sentence = np.repeat(np.arange(len(sizes)), sizes)
        first = np.zeros(len(rel), dtype=bool)
        first[starts] = True
        last = np.zeros(len(rel), dtype=bool)
        last[starts + np.array(sizes) - 1] = True
        h = rel.max(axis=1) - inner
        total = np.cumsum(h)
        total -= (total - h)[starts][sentence]  # sums from the sentence's start
        before = total - h  # sum up to the character before
        open_at = np.where(first, 0.0, -entry) - before  # a run opening here
        lift = _SENTENCE_LIFT * sentence  # keeps the prefix maximum inside its sentence
        best_open = np.maximum.accumulate(open_at + lift) - lift
        gain = total + np.where(last, 0.0, -exit_) + best_open
        worst = np.maximum.reduceat(gain, starts) + inner
        return (worst < -_MARGIN).tolist()


_SENTENCE_LIFT = 1e7  # larger than any within-sentence sum of scores
_MARGIN = 1e-3  # far above the rounding of those sums


@cache
def score_tables(model: str | None = None) -> ScoreTables:
    """The tables of the shipped model (kept in the user cache: made from the model file
    only when the cache lacks them, see `_cached_tables`) or of the model file at `model`."""
    if model is not None:
        return _tables_of(*read_model(model))
    from importlib import resources

    from kg.recognise.person_model import MODEL_FILE

    data = resources.files("kg.data").joinpath(MODEL_FILE).read_bytes()
    return _cached_tables(data, MODEL_FILE)


def _tables_of(labels: list[str], state: dict[str, np.ndarray], trans: np.ndarray
               ) -> ScoreTables:
    if tuple(labels) != LABELS:
        raise ValueError(f"person model labels {labels}, expected {LABELS}")
    return _tables(state, trans)


# --- The cache ------------------------------------------------------------------
# Reading the model file (18k attributes) and arranging its weights took 0.05 s in every
# process. The finished tables are kept in the user cache (kg/usercache.py) keyed by the
# model file, this module's source and the Python and numpy versions: their arrays as raw
# bytes and everything else as JSON (no pickle: nothing in the file can run code). An
# entry that is missing, stale, damaged or not as written means the model file is read.

_CACHE_NAME = "person-score-tables"


def _cached_tables(data: bytes, source: str) -> ScoreTables:
    from kg import usercache

    key = usercache.key_of(data, Path(__file__).read_bytes(),
                           f"{np.__version__} {sys.version_info[:2]}")
    body = usercache.read_bytes(_CACHE_NAME, key, suffix="bin")
    tables = _unpack(body) if body is not None else None
    if tables is None:
        tables = _tables_of(*_parse_model(data, source))
        if usercache.cache_dir() is not None:
            usercache.write_bytes(_CACHE_NAME, key, _pack(tables), suffix="bin")
    return tables


def _pack(tables: ScoreTables) -> bytes:
    """One line of JSON (the fields, each array as its dtype, shape and place in the
    rest), then the arrays' bytes."""
    arrays: list[bytes] = []
    at = 0

    def encode(value):
        nonlocal at
        if isinstance(value, np.ndarray):
            raw = np.ascontiguousarray(value).tobytes()
            arrays.append(raw)
            at += len(raw)
            return {"a": [value.dtype.str, list(value.shape), at - len(raw)]}
        if isinstance(value, np.generic):
            return {"g": [value.dtype.str, value.item()]}
        if isinstance(value, _FlagCodes):
            return {"f": list(value.items())}
        if isinstance(value, dict):
            return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
        if isinstance(value, tuple):
            return {"t": [encode(v) for v in value]}
        if value is None or isinstance(value, (str, int, float)):
            return value
        raise TypeError(f"cannot cache a {type(value).__name__}")

    fields = {f.name: encode(getattr(tables, f.name)) for f in dataclass_fields(ScoreTables)}
    return json.dumps(fields, ensure_ascii=False).encode() + b"\n" + b"".join(arrays)


def _unpack(body: memoryview) -> ScoreTables | None:
    """The tables `_pack` wrote, or None when `body` does not hold them."""
    try:
        blob = bytes(body)
        head_end = blob.index(b"\n")
        fields = json.loads(blob[:head_end])
        raw = memoryview(blob)[head_end + 1:]

        def decode(value):
            if not isinstance(value, dict):
                return value
            (kind, inner), = value.items()
            if kind == "a":
                dtype, shape, at = inner
                count = int(np.prod(shape, dtype=np.int64))
                return np.frombuffer(raw, dtype=dtype, count=count, offset=at
                                     ).reshape(shape).copy()
            if kind == "g":
                return np.dtype(inner[0]).type(inner[1])
            if kind == "f":
                return _FlagCodes(inner)
            if kind == "d":
                return {decode(k): decode(v) for k, v in inner}
            if kind == "t":
                return tuple(decode(v) for v in inner)
            raise ValueError(kind)

        return ScoreTables(**{name: decode(value) for name, value in fields.items()})
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeDecodeError):
        return None


def _run_costs(trans: np.ndarray) -> tuple[float, float, float] | None:
    """What entering, leaving and continuing a run of non-O labels costs at least,
    against staying O; None when some transition scores at or above O->O."""
    over = trans - trans[0, 0]
    if (np.delete(over.ravel(), 0) >= 0).any():
        return None
    return (-over[0, 1:].max(), -over[1:, 0].max(), -over[1:, 1:].max())


def _tables(state: dict[str, np.ndarray], trans: np.ndarray) -> ScoreTables:
    zero = np.zeros(len(LABELS))

    def w(attr: str) -> np.ndarray:
        return state.get(attr, zero)

    # every character any character template names, plus the window's padding
    by_template: dict[str, dict[str, np.ndarray]] = {t: {} for t in CHAR_TEMPLATES}
    for attr, row in state.items():
        name, eq, value = attr.partition("=")
        if eq and name in by_template and len(value) == len(CHAR_TEMPLATES[name]):
            by_template[name][value] = row
    chars = sorted({c for found in by_template.values() for v in found for c in v} | set("^$"))
    char_id = {c: i + 1 for i, c in enumerate(chars)}
    lut = np.zeros(max(ord(c) for c in chars) + 1, dtype=np.int64)
    for c, i in char_id.items():
        lut[ord(c)] = i
    count = len(chars) + 1
    unigrams, ngrams = {}, {}
    for name, slots in CHAR_TEMPLATES.items():
        if len(slots) == 1:
            table = np.zeros((count, len(LABELS)))
            for value, row in by_template[name].items():
                table[char_id[value]] = row
            unigrams[slots[0]] = table
        else:
            entries = sorted((_code([char_id[c] for c in value], count), row)
                             for value, row in by_template[name].items())
            codes = np.array([c for c, _ in entries], dtype=np.int64)
            rows = np.array([r for _, r in entries]).reshape(-1, len(LABELS))
            ngrams[slots] = (codes, rows)
    classes = {slot: np.array([w(f"{name}={c}") for c in CLASSES])
               for slot, name in ((1, "t-1"), (2, "t0"), (3, "t1"))}
    flags = sorted({a.partition("=")[2] for a in state if a.startswith("wf=")}
                   | {a.partition("=")[2][1:] for a in state
                      if a.startswith(("wfp=", "w-1=", "w1=")) and len(a.partition("=")[2]) > 1})
    flag_id = {f: i + 1 for i, f in enumerate(flags)}
    n_flags = len(flags) + 1

    def pos_flag(prefix: str) -> np.ndarray:
        table = np.zeros((len(POSITIONS), n_flags, len(LABELS)))
        for p, pos in enumerate(POSITIONS):
            for f, i in flag_id.items():
                table[p, i] = w(f"{prefix}={pos}{f}")
        return table

    word_flag = np.zeros((n_flags, len(LABELS)))
    for f, i in flag_id.items():
        word_flag[i] = w(f"wf={f}")
    only_b = max((abs(r[1]), a) for a, r in state.items() if r[0] == 0 == r[2] and r[1])
    only_i = max((abs(r[2]), a) for a, r in state.items() if r[0] == 0 == r[1] and r[2])
    return ScoreTables(
        bias=w("b"), char_lut=lut, char_count=count, unigrams=unigrams, ngrams=ngrams,
        classes=classes,
        surname={k: w(k) for k in ("sur0", "csur0", "sur2", "sur-1", "sur-2")},
        flag_codes=_FlagCodes({f: 2 * i + f.startswith("nr") for f, i in flag_id.items()}),
        word=np.array([w(f"w={p}") for p in POSITIONS]),
        word_flag=word_flag, word_pos_flag=pos_flag("wfp"),
        word_length=np.array([zero] + [w(f"wl={n}") for n in range(1, 5)]),
        word_nr=np.array([[w(f"wnr={p}{nr}") for nr in (False, True)] for p in POSITIONS]),
        word_before=pos_flag("w-1"), word_after=pos_flag("w1"),
        lex_left={k: w("lexL=" + k) for k in LEXICON_KINDS},
        lex_right={k: w("lexR=" + k) for k in (*LEXICON_KINDS, "in")},
        marks={m: (w(m), w("n-1" + m), w("n+1" + m)) for m in _mark_names()},
        b_attr=only_b[1], b_weight=float(state[only_b[1]][1]),
        i_attr=only_i[1], i_weight=float(state[only_i[1]][2]), run_costs=_run_costs(trans))


class _FlagCodes(dict):
    """jieba flag -> 2 * the flag's row in the word tables + (1 if it is a person flag);
    a flag the model never saw gets row 0 (no weights) and is remembered."""

    def __missing__(self, flag: str) -> int:
        self[flag] = code = int(flag.startswith("nr"))
        return code


def _mark_names() -> list[str]:
    return [*NAME_MARKS, *(f"tr={n}" for n in (1, 2, 3)), *(f"trrun={n}" for n in (1, 2, 3))]


def _code(ids: Sequence[int], base: int) -> int:
    code = 0
    for i in ids:
        code = code * base + i
    return code


# ---------------------------------------------------------------- one article

class _Article:
    """The arrays of one article's sentences: a padded text P ("^^" + sentence + "$$" per
    sentence, as char_features pads), and for each real character its place in P, in
    the text and its sentence."""

    def __init__(self, tables: ScoreTables, text: str, tokens: Sequence,
                 spans: Sequence[tuple[int, int]]):
        self.t, self.text, self.tokens, self.spans = tables, text, tokens, spans
        pieces, in_p, in_text, sentence = [], [], [], []
        at = 0
        for k, (start, end) in enumerate(spans):
            pieces.append("^^" + text[start:end] + "$$")
            in_p.append(np.arange(at + 2, at + 2 + end - start))
            in_text.append(np.arange(start, end))
            sentence.append(np.full(end - start, k))
            at += end - start + 4
        self.padded = "".join(pieces)
        empty = np.zeros(0, dtype=np.int64)
        self.in_p = np.concatenate(in_p) if in_p else empty
        self.in_text = np.concatenate(in_text) if in_text else empty
        self.sentence = np.concatenate(sentence) if sentence else empty
        self.n = len(self.in_p)
        # each real character's first and last position in its sentence
        starts = np.array([s for s, _ in spans] or [0])
        ends = np.array([e for _, e in spans] or [0])
        self.offset = self.in_text - starts[self.sentence] if self.n else empty
        self.first = self.offset == 0
        self.last = self.in_text == ends[self.sentence] - 1 if self.n else empty.astype(bool)
        # where in the output each text offset sits (-1: not in a span)
        self.row_of = np.full(len(text) + 1, -1, dtype=np.int64)
        self.row_of[self.in_text] = np.arange(self.n)

    def scores(self) -> np.ndarray:
        out = np.zeros((self.n, len(LABELS)))
        if not self.n:
            return out
        out += self.t.bias
        codes = np.frombuffer(self.padded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        self._characters(out, codes)
        self._words(out)
        self._lexicon(out)
        self._names(out)
        return out

    def _characters(self, out: np.ndarray, codes: np.ndarray) -> None:
        t, p = self.t, self.in_p
        lut = t.char_lut
        ids = np.where(codes < len(lut), lut[np.minimum(codes, len(lut) - 1)], 0)
        for slot, table in t.unigrams.items():
            out += table[ids[p + slot - 2]]
        for slots, (keys, rows) in t.ngrams.items():
            if not len(keys):
                continue
            code = np.zeros(self.n, dtype=np.int64)
            for slot in slots:
                code = code * t.char_count + ids[p + slot - 2]
            at = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
            hit = keys[at] == code
            out[hit] += rows[at[hit]]
        # per distinct character: its class and surname flags (char_features' own tests)
        from kg.recognise.person_model import _char_class_cached

        distinct, inverse = np.unique(codes, return_inverse=True)
        chars = [chr(c) for c in distinct.tolist()]
        class_of = np.array([CLASSES.index(_char_class_cached(c)) for c in chars])[inverse]
        for slot, table in t.classes.items():
            out += table[class_of[p + slot - 2]]
        surnames, common = lexicon.surnames(), lexicon.common_surnames()
        is_surname = np.array([c in surnames for c in chars])[inverse]
        out[is_surname[p]] += t.surname["sur0"]
        out[np.array([c in common for c in chars])[inverse][p]] += t.surname["csur0"]
        out[is_surname[p - 1] & (self.offset >= 1)] += t.surname["sur-1"]
        out[is_surname[p - 2] & (self.offset >= 2)] += t.surname["sur-2"]
        double = {s[0] for s in surnames if len(s) == 2}
        may = np.array([c in double for c in chars])[inverse][p] & ~self.last
        for row in np.flatnonzero(may).tolist():
            j = int(p[row])
            if self.padded[j:j + 2] in surnames:
                out[row] += t.surname["sur2"]
        from kg.recognise.person_model import _name_index

        strength = _name_index()[2]
        self.strength = np.array([strength.get(c, 0) for c in chars])[inverse][p]

    def _words(self, out: np.ndarray) -> None:
        """Each character's jieba word clipped to its sentence: position (S/B/M/E), flag,
        length, and the position and flag of the characters either side."""
        t = self.t
        codes = t.flag_codes
        starts = np.array([tok.start for tok in self.tokens], dtype=np.int64)
        ends = np.array([tok.end for tok in self.tokens], dtype=np.int64)
        code = np.array([codes[tok.flag] for tok in self.tokens], dtype=np.int64)
        if not len(starts) or starts[0] != 0 or ends[-1] != len(self.text) \
                or not np.array_equal(starts[1:], ends[:-1]):
            raise ValueError("tokens do not tile the text")
        tok_of = np.repeat(np.arange(len(starts)), ends - starts)[self.in_text]
        span_start = np.array([s for s, _ in self.spans])[self.sentence]
        span_end = np.array([e for _, e in self.spans])[self.sentence]
        lo = np.maximum(starts[tok_of], span_start)
        hi = np.minimum(ends[tok_of], span_end)
        length = hi - lo
        pos = np.where(length == 1, 0, np.where(self.in_text == lo, 1,
                                                 np.where(self.in_text == hi - 1, 3, 2)))
        flag = code[tok_of] >> 1
        is_nr = code[tok_of] & 1
        out += t.word[pos]
        out += t.word_flag[flag]
        out += t.word_pos_flag[pos, flag]
        out += t.word_length[np.minimum(length, 4)]
        out += t.word_nr[pos, is_nr]
        before = np.flatnonzero(~self.first)
        out[before] += t.word_before[pos[before - 1], flag[before - 1]]
        after = np.flatnonzero(~self.last)
        out[after] += t.word_after[pos[after + 1], flag[after + 1]]

    def _lexicon(self, out: np.ndarray) -> None:
        """lexL: kinds of post and cue words ending right before the character; lexR: kinds
        of those starting right after it, and "in" when it is inside one (each kind once)."""
        from kg.recognise.person_model import _lexicon_words

        words, prefixes = _lexicon_words()
        left: dict[int, set[str]] = {}
        right: dict[int, set[str]] = {}
        for start, end in self.spans:
            for i, j, kind in _all_words(self.text, start, end, words, prefixes,
                                         _lexicon_firsts()):
                if j < end:
                    left.setdefault(j, set()).add(kind)
                if i > start:
                    right.setdefault(i - 1, set()).add(kind)
                for k in range(i, j):
                    right.setdefault(k, set()).add("in")
        t = self.t
        for at, kinds in left.items():
            row = self.row_of[at]
            for kind in kinds:
                out[row] += t.lex_left[kind]
        for at, kinds in right.items():
            row = self.row_of[at]
            for kind in kinds:
                out[row] += t.lex_right[kind]

    def _names(self, out: np.ndarray) -> None:
        """Marks of jieba's dictionary names (B/I/E, Chinese or foreign) and transliteration
        strength, on the character itself and, as n-1/n+1, on its neighbours."""
        from kg.recognise.person_model import _name_index

        chinese, foreign, _, prefixes = _name_index()
        firsts = _first_chars(prefixes)
        t, text, row_of = self.t, self.text, self.row_of
        rows: list[int] = []  # (row, mark) of each dictionary-name mark, repeats kept
        marks: list[str] = []
        for start, end in self.spans:
            for i in _candidates(text, start, end, firsts):
                for n in range(2, min(8, end - i) + 1):
                    piece = text[i:i + n]
                    kind = "nl" if n <= 4 and piece in chinese else \
                        "fl" if piece in foreign else None
                    if kind:
                        at = int(row_of[i])
                        rows += range(at, at + n)
                        marks += [kind + "B", *([kind + "I"] * (n - 2)), kind + "E"]
                    if piece not in prefixes:
                        break
        for row, mark in zip(rows, marks):
            own, before, after = t.marks[mark]
            out[row] += own
            if not self.last[row]:
                out[row + 1] += before
            if not self.first[row]:
                out[row - 1] += after
        # transliteration strength of the character and the length of its run (within
        # the sentence) of such characters
        marked = self.strength > 0
        if not marked.any():
            return
        opens = marked & (self.first | ~np.roll(marked, 1))
        run = np.cumsum(opens)
        length = np.bincount(run[marked], minlength=run.max() + 1)[run]
        for name, values in (("tr", self.strength), ("trrun", np.minimum(length, 3))):
            for value in (1, 2, 3):
                own, before, after = t.marks[f"{name}={value}"]
                at = marked & (values == value)
                out[at] += own
                out[1:][at[:-1] & ~self.last[:-1]] += before
                out[:-1][at[1:] & ~self.first[1:]] += after


@cache
def _lexicon_firsts() -> re.Pattern[str]:
    from kg.recognise.person_model import _lexicon_words

    return _first_chars(frozenset(_lexicon_words()[0]))


@cache
def _first_chars(words: frozenset[str]) -> re.Pattern[str]:
    """A pattern matching any character that starts one of `words` (or their prefixes)."""
    firsts = sorted({p[0] for p in words})
    return re.compile("[" + "".join(re.escape(c) for c in firsts) + "]")


def _candidates(text: str, start: int, end: int, firsts: re.Pattern[str]) -> list[int]:
    """Where in text[start:end] a word can start (its first character matches)."""
    return [m.start() for m in firsts.finditer(text, start, end)]


def _all_words(text: str, start: int, end: int, words: dict[str, str],
               prefixes: frozenset[str], firsts: re.Pattern[str]):
    """Every lexicon word inside text[start:end] (overlapping, every length)."""
    for i in _candidates(text, start, end, firsts):
        for j in range(i + 1, end + 1):
            piece = text[i:j]
            kind = words.get(piece)
            if kind:
                yield i, j, kind
            if piece not in prefixes:
                break
