"""Build a benchmark corpus: >= 10,000 articles (~30 million characters) as .jsonl.

Text comes from ../shared/datasets (NER corpora: their train, dev and test text is
used only as filler prose here) mixed with the sentences of the bundled example
pages, so every article carries governance facts. Deterministic (seeded).

    python benchmarks/make_corpus.py -o /tmp/bench/corpus.jsonl [--articles 10000]
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
TAG = re.compile(r"/[a-z]+$")  # MSRA's word tag (中共中央/nt): not part of the text


def example_sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.txt")):
        out += [s.strip() for s in SENTENCE.findall(path.read_text(encoding="utf-8"))
                if len(s.strip()) >= 8]
    return out


def char_per_line(path: Path) -> list[str]:
    """BIO/BMES files: one character and a tag per line, a blank line between sentences."""
    sentences, chars = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            chars.append(line.split()[0])
        elif chars:
            sentences.append("".join(chars))
            chars = []
    return sentences + (["".join(chars)] if chars else [])


def filler_sentences() -> list[str]:
    out: list[str] = []
    cluener = DATASETS / "cluener2020"
    for name in ("train.json", "dev.json"):
        for line in (cluener / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    msra = DATASETS / "msra_ner_test" / "testright1.txt"  # "word/tag word/tag ..." lines
    out += ["".join(TAG.sub("", w) for w in line.split())
            for line in msra.read_text(encoding="utf-8").splitlines()]
    pd = DATASETS / "peoples_daily_1998_ner"
    for name in ("example.dev", "example.test"):
        out += char_per_line(pd / name)
    for name in ("train.char.bmes", "dev.char.bmes", "test.char.bmes"):
        out += char_per_line(DATASETS / "resume_ner" / name)
    return [s for s in out if len(s) >= 8]


def make(n_articles: int, *, mean_chars: int = 3000, seed: int = 2026):
    rng = random.Random(seed)
    facts, filler = example_sentences(), filler_sentences()
    for i in range(n_articles):
        target = rng.randint(mean_chars // 2, mean_chars * 3 // 2)
        parts, size = [], 0
        while size < target:
            sentence = rng.choice(facts) if rng.random() < 0.35 else rng.choice(filler)
            parts.append(sentence if sentence.endswith(("。", "！", "？")) else sentence + "。")
            size += len(parts[-1])
            if rng.random() < 0.15:
                parts.append("\n")
        text = "".join(parts).strip()
        yield {"id": f"bench-{i:05d}", "title": text[:18], "date": "2024-01-01", "text": text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=3000, help="mean characters per article")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    chars = 0
    with args.out.open("w", encoding="utf-8") as handle:
        for record in make(args.articles, mean_chars=args.chars):
            chars += len(record["text"])
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{args.articles} articles, {chars:,} characters -> {args.out}")


if __name__ == "__main__":
    main()
