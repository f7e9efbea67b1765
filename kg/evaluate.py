"""Accuracy tables: seed gold, People's Daily 1998 NER test, CLUENER2020 (post, person) pairs.

`kg eval` prints them; docs/accuracy.md records them and defines each measure.
The data sets live outside the repository, in ../shared (see each SOURCE.md);
dev/test splits are only measured here, never trained or tuned on.

Person systems compared on sentence data:
- system:   Person mentions of `kg.recognise.recognise` as shipped (context rules, plus
            CRF names that jieba also tags as names);
- crf:      `kg.recognise.person_model.tag_persons` alone;
- combined: rule persons plus every CRF span that overlaps no rule person
            (the policy recommended to the lead; see docs/accuracy.md).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import kg

Span = tuple[int, int]
REPO = Path(kg.__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PD_TEST = "datasets/peoples_daily_1998_ner/example.test"
CLUENER_DEV = "datasets/cluener2020/dev.json"
SYSTEMS = ("system", "crf", "combined")


@dataclass(frozen=True)
class Labelled:
    """A sentence and its gold spans by label (half-open)."""

    text: str
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)

    def of(self, label: str) -> tuple[Span, ...]:
        return self.spans.get(label, ())


# --- readers ---------------------------------------------------------------------------

def _sentences_of_lines(path: Path, sep: str | None) -> Iterable[list[tuple[str, str]]]:
    rows: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if rows:
                yield rows
            rows = []
            continue
        ch, tag = (line[0], line[1:].strip()) if sep is None else line.rsplit(sep, 1)
        rows.append((ch, tag.strip()))
    if rows:
        yield rows


def _tagged_spans(tags: Sequence[str]) -> dict[str, tuple[Span, ...]]:
    """Spans from BIO or BMES tags (B/M/E/S/I prefixes); an I- without B- opens a span."""
    spans: dict[str, list[Span]] = {}
    start, label = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix in ("I", "M", "E") and kind == label and start is not None
        if start is not None and not continues:
            spans.setdefault(label, []).append((start, i))  # type: ignore[arg-type]
            start, label = None, None
        if prefix in ("B", "S") or (prefix in ("I", "M", "E") and start is None):
            start, label = i, kind
        if prefix in ("E", "S") and start is not None:
            spans.setdefault(label, []).append((start, i + 1))  # type: ignore[arg-type]
            start, label = None, None
    return {k: tuple(v) for k, v in spans.items()}


def read_tagged(path: Path, *, sep: str | None = " ") -> list[Labelled]:
    """One char and its tag per line (BIO or BMES), a blank line between sentences."""
    return [Labelled("".join(c for c, _ in rows), _tagged_spans([t for _, t in rows]))
            for rows in _sentences_of_lines(path, sep)]


def read_cluener(path: Path) -> list[Labelled]:
    """CLUENER JSON lines; its offsets are end-inclusive, ours half-open."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        spans: dict[str, list[Span]] = {}
        for label, surfaces in record.get("label", {}).items():
            for places in surfaces.values():
                spans.setdefault(label, []).extend((s, e + 1) for s, e in places)
        out.append(Labelled(record["text"], {k: tuple(sorted(v)) for k, v in spans.items()}))
    return out


# --- scoring ---------------------------------------------------------------------------

@dataclass
class Score:
    """Exact-span counts; precision over system spans, recall over gold spans."""

    tp: int = 0
    n_sys: int = 0
    n_gold: int = 0

    def add(self, found: Iterable[Span], gold: Iterable[Span]) -> None:
        f, g = set(found), set(gold)
        self.tp += len(f & g)
        self.n_sys += len(f)
        self.n_gold += len(g)

    def as_dict(self) -> dict[str, float | int]:
        p = self.tp / self.n_sys if self.n_sys else 0.0
        r = self.tp / self.n_gold if self.n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": self.tp,
                "n_sys": self.n_sys, "n_gold": self.n_gold}


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _plausible(text: str, span: Span) -> bool:
    from kg.recognise.person import _plausible as rule_plausible

    return rule_plausible(text[span[0]:span[1]])


def _blocked(found: dict[str, list[Span]], span: Span) -> bool:
    return any(_overlaps(span, m) for k in ("Place", "Organization", "Post") for m in found[k])


# Ways to merge rule persons with CRF spans; "combined" is the recommended one.
POLICIES: dict[str, Callable[[str, dict[str, list[Span]]], list[Span]]] = {
    "system": lambda text, f: f["Person"],
    "crf": lambda text, f: f["crf"],
    "union": lambda text, f: sorted(set(f["Person"]) | set(f["crf"])),
    "combined": lambda text, f: f["Person"] + [
        s for s in f["crf"] if not any(_overlaps(s, p) for p in f["Person"])],
    "crf_first": lambda text, f: f["crf"] + [
        s for s in f["Person"] if not any(_overlaps(s, c) for c in f["crf"])],
    "combined_unblocked": lambda text, f: f["Person"] + [
        s for s in f["crf"] if not any(_overlaps(s, p) for p in f["Person"])
        and not _blocked(f, s)],
    "combined_plausible": lambda text, f: f["Person"] + [
        s for s in f["crf"] if not any(_overlaps(s, p) for p in f["Person"])
        and _plausible(text, s)],
}


# --- running the recognisers on sentences ----------------------------------------------

def analyse(text: str, *, model: str | None = None) -> dict[str, list[Span]]:
    """Rule mentions of one sentence by entity type, plus the CRF's person spans ("crf")."""
    from kg.gazetteer import load_gazetteer
    from kg.model import Article, EntityType, Sentence
    from kg.recognise import recognise
    from kg.recognise.person_model import tag_persons

    article = Article("s", "s.txt", text, sentences=(Sentence(0, len(text)),))
    mentions = recognise(article, gazetteer=load_gazetteer()).mentions
    found = {t.value: [(m.start, m.end) for m in mentions if m.label is t] for t in EntityType}
    found["crf"] = tag_persons(text, model=model)
    return found


def _analyse_one(args: tuple[str, str | None]) -> dict[str, list[Span]]:
    return analyse(args[0], model=args[1])


def analyse_all(texts: Sequence[str], *, processes: int = 2,
                model: str | None = None) -> list[dict[str, list[Span]]]:
    jobs = [(t, model) for t in texts]
    if processes <= 1 or len(texts) < 50:
        return [_analyse_one(j) for j in jobs]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(_analyse_one, jobs, chunksize=50)


# --- the three tables ------------------------------------------------------------------

def seed_gold(*, shared: Path = SHARED, examples: Path = REPO / "examples") -> dict:
    """Run the pipeline on examples/ and score it with shared/eval/score.py (its figures)."""
    from kg.build import write_json
    from kg.interchange import to_interchange
    from kg.pipeline import extract

    corpus = extract([str(examples)])
    with tempfile.TemporaryDirectory() as tmp:
        system = write_json(to_interchange(corpus), Path(tmp) / "extraction.json")
        done = subprocess.run([sys.executable, str(shared / "eval" / "score.py"),
                               "--gold", str(shared / "eval" / "gold"), "--system", str(system),
                               "--json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def peoples_daily(*, shared: Path = SHARED, limit: int | None = None, processes: int = 2,
                  model: str | None = None) -> dict:
    """Exact-span P/R/F1 on People's Daily 1998 NER test: persons by policy; LOC, ORG by rules."""
    data = read_tagged(shared / PD_TEST)[:limit]
    found = analyse_all([x.text for x in data], processes=processes, model=model)
    return person_scores(data, found, "PER") | {
        "Person: system, 2+ chars": _score_without_lone_surnames(data, found),
        "sentences": len(data),
        "Place (LOC)": _score(data, found, "LOC", "Place"),
        "Organization (ORG)": _score(data, found, "ORG", "Organization")}


def _score_without_lone_surnames(data: Sequence[Labelled], found) -> dict:
    """The shipped system with the one-character gold names set aside: PD tags a lone
    surname as a person (老张, 小李, a surname before a title); GUIDELINE.md takes names,
    so these are a difference of convention (102 of 1,864 in the test file)."""
    score = Score()
    for x, f in zip(data, found):
        gold = [s for s in x.of("PER") if s[1] - s[0] > 1]
        score.add(POLICIES["system"](x.text, f), gold)
    return score.as_dict()


def person_scores(data: Sequence[Labelled], found: Sequence[dict[str, list[Span]]],
                  gold_label: str) -> dict:
    out = {}
    for name, policy in POLICIES.items():
        score = Score()
        for x, f in zip(data, found):
            score.add(policy(x.text, f), x.of(gold_label))
        out[f"Person: {name}"] = score.as_dict()
    return out


def _score(data, found, gold_label: str, ours: str) -> dict:
    score = Score()
    for x, f in zip(data, found):
        score.add(f[ours], x.of(gold_label))
    return score.as_dict()


def gold_pairs(x: Labelled) -> list[tuple[Span, Span]]:
    """(position, name) spans where the name starts right where the position ends."""
    names = {s[0]: s for s in x.of("name")}
    return [(p, names[p[1]]) for p in x.of("position") if p[1] in names]


def cluener_pairs(*, shared: Path = SHARED, limit: int | None = None, processes: int = 2,
                  model: str | None = None) -> dict:
    """Recall of CLUENER dev (position, name) pairs, precision of our adjacent (post, person) pairs.

    A gold pair is found when a system person span equals the name span and a rule
    Post mention overlaps the position span. A system pair is a Post mention that ends
    where a system person starts; it is right when it finds a gold pair.
    """
    data = read_cluener(shared / CLUENER_DEV)[:limit]
    found = analyse_all([x.text for x in data], processes=processes, model=model)
    out: dict = {"sentences": len(data), "pairs": sum(len(gold_pairs(x)) for x in data)}
    for name in SYSTEMS:
        out[f"pairs: {name}"] = _pair_score(data, found, POLICIES[name])
    return out | person_scores(data, found, "name")


def _pair_score(data, found, policy) -> dict:
    hit = n_gold = right = n_sys = 0
    for x, f in zip(data, found):
        persons, posts = set(policy(x.text, f)), f["Post"]
        pairs = gold_pairs(x)
        n_gold += len(pairs)
        hit += sum(1 for pos, name in pairs
                   if name in persons and any(_overlaps(pos, p) for p in posts))
        ours = [(p, q) for q in persons for p in posts if p[1] == q[0]]
        n_sys += len(ours)
        right += sum(1 for p, q in ours
                     if any(q == name and _overlaps(p, pos) for pos, name in pairs))
    r = hit / n_gold if n_gold else 0.0
    p = right / n_sys if n_sys else 0.0
    return {"recall": round(r, 4), "found": hit, "n_gold": n_gold,
            "precision": round(p, 4), "right": right, "n_sys": n_sys}


TABLES = {"seed": "seed gold (examples 000-002, score.py)",
          "pd": "People's Daily 1998 NER test (exact spans)",
          "cluener": "CLUENER2020 dev: (position, name) pairs"}


def run(tables: Sequence[str] = tuple(TABLES), *, shared: Path = SHARED,
        limit: int | None = None, processes: int = 2) -> dict:
    """The named tables as one dict (the data sets must be under `shared`)."""
    from kg.errors import InputError

    if not (shared / "datasets").is_dir() or not (shared / "eval").is_dir():
        raise InputError(f"{shared}: no datasets/ or eval/ folder here; give --shared DIR")
    out: dict = {}
    if "seed" in tables:
        out["seed"] = seed_gold(shared=shared)
    if "pd" in tables:
        out["pd"] = peoples_daily(shared=shared, limit=limit, processes=processes)
    if "cluener" in tables:
        out["cluener"] = cluener_pairs(shared=shared, limit=limit, processes=processes)
    return out


def format_tables(result: dict) -> str:
    """Plain-text tables: one row per measure, P R F1 and the counts."""
    lines = []
    for table, rows in result.items():
        lines += [f"## {TABLES.get(table, table)}",
                  f"{'':28} {'P':>6} {'R':>6} {'F1':>6} {'sys':>6} {'gold':>6}"]
        for name, row in rows.items():
            if not isinstance(row, dict):
                lines.append(f"{name:28} {row}")
            elif "recall" in row:
                lines.append(f"{name:28} {row['precision']:6.3f} {row['recall']:6.3f} "
                             f"{'':>6} {row['n_sys']:6d} {row['n_gold']:6d}  "
                             f"(found {row['found']}, right {row['right']})")
            else:
                p, r, f = row.get("p", 0.0), row.get("r", 0.0), row.get("f1", row.get("f", 0.0))
                lines.append(f"{name:28} {p:6.3f} {r:6.3f} {f:6.3f} "
                             f"{row.get('n_sys', 0):6d} {row.get('n_gold', 0):6d}")
        lines.append("")
    return "\n".join(lines)
