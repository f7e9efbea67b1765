"""Derive the surname lexicon from the TRAIN splits of public NER data.

Counts the first character (or first two, for compound surnames) of every
person name of 2-4 CJK characters in CLUENER2020 train.json and Resume NER
train.char.bmes. Dev and test splits are never read. Writes
kg/data/lexicon/surnames.tsv: surname, count (sorted by count, then surname).

Usage: python scripts/build_surnames.py [--datasets ../shared/datasets]
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

CJK = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# Compound surnames are a closed, well-known class; counted only when seen in the data.
COMPOUND = ("欧阳 司马 诸葛 上官 东方 慕容 令狐 皇甫 尉迟 公孙 夏侯 长孙 宇文 司徒 端木 "
            "澹台 独孤 南宫 轩辕 申屠 西门 呼延 万俟 闻人 赫连 钟离 百里 太史 第五").split()


def cluener_names(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        yield from rec.get("label", {}).get("name", {}).keys()


def resume_names(path: Path):
    name: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        ch, tag = parts
        if tag.endswith("-NAME"):
            name.append(ch)
            if tag.startswith(("E-", "S-")):
                yield "".join(name)
                name = []
        else:
            name = []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--out", type=Path, default=Path("kg/data/lexicon/surnames.tsv"))
    args = ap.parse_args()
    names = list(cluener_names(args.datasets / "cluener2020/train.json"))
    names += list(resume_names(args.datasets / "resume_ner/train.char.bmes"))
    counts: Counter[str] = Counter()
    for name in names:
        if not CJK.match(name):
            continue
        counts[name[:2] if name[:2] in COMPOUND else name[0]] += 1
    rows = sorted(((s, c) for s, c in counts.items() if c >= 2), key=lambda r: (-r[1], r[0]))
    args.out.write_text("".join(f"{s}\t{c}\n" for s, c in rows), encoding="utf-8")
    print(f"{len(rows)} surnames from {len(names)} train names -> {args.out}")


if __name__ == "__main__":
    main()
