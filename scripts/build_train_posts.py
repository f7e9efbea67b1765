"""Derive extra post words from the TRAIN split of CLUENER2020 (label `position`).

Keeps positions of 2-6 CJK characters seen at least 3 times, which are not already
in posts.tsv. Dev and test splits are never read. Writes
kg/data/lexicon/posts_train.tsv: post, count.

Usage: python scripts/build_train_posts.py [--datasets ../shared/datasets] [--holdout]

--holdout leaves out every 10th train sentence (the ones scripts/train_person_model.py
--holdout scores), so rules can be measured on train sentences whose posts were not learned.
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

CJK = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--out", type=Path, default=Path("kg/data/lexicon/posts_train.tsv"))
    ap.add_argument("--holdout", action="store_true",
                    help="skip every 10th sentence (the held-out tenth)")
    args = ap.parse_args()
    counts: Counter[str] = Counter()
    lines = (args.datasets / "cluener2020/train.json").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if args.holdout and i % 10 == 9:
            continue
        for surface, spans in json.loads(line).get("label", {}).get("position", {}).items():
            if CJK.match(surface):
                counts[surface] += len(spans)
    known = {l.split("\t")[0] for l in Path("kg/data/lexicon/posts.tsv").read_text(encoding="utf-8").splitlines()}
    rows = sorted(((p, c) for p, c in counts.items() if c >= 3 and p not in known),
                  key=lambda r: (-r[1], r[0]))
    args.out.write_text("# post\tcount  (CLUENER2020 train positions, >= 3 times)\n"
                        + "".join(f"{p}\t{c}\n" for p, c in rows), encoding="utf-8")
    print(f"{len(rows)} posts -> {args.out}")


if __name__ == "__main__":
    main()
