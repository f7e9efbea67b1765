#!/usr/bin/env python3
"""Train the person-name CRF (kg/data/person_crf.crfsuite) from the train splits only.

Data (../shared/datasets, see their SOURCE.md):
  cluener2020/train.json      label `name` -> PER, every other label -> O
  resume_ner/train.char.bmes  NAME -> PER, every other label -> O
Tags are BIO over characters; features are `kg.recognise.person_model.char_features`.

    python scripts/train_person_model.py                 # train on all, write the model
    python scripts/train_person_model.py --holdout       # train on 90%, score the other 10%

The held-out 10% (every 10th sentence of each file) is the only data used to
choose settings; dev and test splits are never read here. Training is
deterministic (L-BFGS, fixed data order), so the same data gives the same model.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from kg import lexicon
from kg.evaluate import SHARED, Labelled, read_cluener, read_tagged
from kg.recognise.person_model import MODEL_FILE, bio_spans, char_features
from kg.recognise.tokens import tokenize

REPO = Path(__file__).resolve().parents[1]
SOURCES = (("cluener2020/train.json", "name"), ("resume_ner/train.char.bmes", "NAME"))


def load_train(shared: Path) -> list[tuple[str, list[Labelled]]]:
    out = []
    for rel, label in SOURCES:
        path = shared / "datasets" / rel
        data = read_cluener(path) if path.suffix == ".json" else read_tagged(path)
        out.append((rel, [Labelled(x.text, {"PER": x.of(label)}) for x in data]))
    return out


def augment(sentences: list[Labelled], copies: int, *, seed: int = 1998) -> list[Labelled]:
    """Copies of the sentences with names, each Chinese name swapped for a random one.

    The new name keeps the length; its surname and given-name characters are drawn
    from the train names themselves. The tagger then has to read surnames, jieba
    flags and context instead of memorising the few thousand train names.
    """
    surnames = lexicon.surnames()
    chinese = [t for x in sentences for t in _names(x) if _chinese_name(t, surnames)]
    family = [n[:2] if n[:2] in surnames and len(n) == 4 else n[0] for n in chinese]
    given = [c for n, f in zip(chinese, family) for c in n[len(f):]]
    rng = random.Random(seed)
    out = []
    for _ in range(copies):
        for x in sentences:
            swaps = {n: "" for n in _names(x) if _chinese_name(n, surnames)}
            if not swaps:
                continue
            for n in swaps:
                f = rng.choice(family)
                swaps[n] = f + "".join(rng.choice(given) for _ in range(max(len(n) - len(f), 1)))
            text = list(x.text)
            spans = []
            for s, e in sorted(x.of("PER"), reverse=True):
                new = swaps.get(x.text[s:e], x.text[s:e])[:e - s].ljust(e - s, x.text[e - 1])
                text[s:e] = list(new)
                spans.append((s, e))
            out.append(Labelled("".join(text), {"PER": tuple(sorted(spans))}))
    return out


def _names(x: Labelled) -> list[str]:
    return [x.text[s:e] for s, e in x.of("PER")]


def _chinese_name(name: str, surnames) -> bool:
    return 2 <= len(name) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in name) \
        and (name[0] in surnames or name[:2] in surnames)


def bio(sentence: Labelled) -> list[str]:
    tags = ["O"] * len(sentence.text)
    for s, e in sentence.of("PER"):
        tags[s] = "B-PER"
        for i in range(s + 1, e):
            tags[i] = "I-PER"
    return tags


def split(corpora, holdout: bool) -> tuple[list[Labelled], list[Labelled]]:
    train, held = [], []
    for _, data in corpora:
        for i, sentence in enumerate(data):
            (held if holdout and i % 10 == 9 else train).append(sentence)
    return train, held


def train(sentences: list[Labelled], out: Path, *, c1: float, c2: float, iterations: int) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in sentences:
        trainer.append(char_features(sentence.text, tokenize(sentence.text)), bio(sentence))
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations,
                        "feature.possible_transitions": True})
    trainer.train(str(out))


def score(model: Path, sentences: list[Labelled]) -> tuple[float, float, float, int]:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    tp = n_sys = n_gold = 0
    for sentence in sentences:
        found = set(bio_spans(tagger.tag(char_features(sentence.text, tokenize(sentence.text)))))
        gold = set(sentence.of("PER"))
        tp, n_sys, n_gold = tp + len(found & gold), n_sys + len(found), n_gold + len(gold)
    p, r = tp / max(n_sys, 1), tp / max(n_gold, 1)
    return p, r, 2 * p * r / max(p + r, 1e-9), n_gold


def print_policies(held: list[Labelled], model: str) -> None:
    """Person P/R/F1 on the held-out sentences for each merge policy of kg.evaluate."""
    from kg.evaluate import analyse_all, format_tables, person_scores

    found = analyse_all([x.text for x in held], model=model)
    print(format_tables({"held-out": person_scores(held, found, "PER")}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared folder with datasets/")
    ap.add_argument("-o", "--out", type=Path, default=REPO / "kg" / "data" / MODEL_FILE)
    ap.add_argument("--holdout", action="store_true",
                    help="train on 90%% of the train splits and score the held-out 10%%")
    ap.add_argument("--policies", action="store_true",
                    help="with --holdout: also score ways to merge rule persons and CRF spans")
    ap.add_argument("--augment", type=int, default=1,
                    help="copies of the name sentences with swapped names (0: none)")
    ap.add_argument("--c1", type=float, default=0.1, help="L1 penalty (keeps the model small)")
    ap.add_argument("--c2", type=float, default=0.01, help="L2 penalty")
    ap.add_argument("--iterations", type=int, default=200)
    args = ap.parse_args(argv)

    started = time.time()
    train_set, held = split(load_train(args.shared), args.holdout)
    train_set += augment(train_set, args.augment)
    out = args.out.with_suffix(".holdout.crfsuite") if args.holdout else args.out
    train(train_set, out, c1=args.c1, c2=args.c2, iterations=args.iterations)
    print(f"trained on {len(train_set)} sentences -> {out} "
          f"({out.stat().st_size / 1e6:.1f} MB, {time.time() - started:.0f}s)")
    if held:
        p, r, f, n = score(out, held)
        print(f"held-out {len(held)} sentences, {n} names: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    if held and args.policies:
        print_policies(held, str(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
