"""Build kg/data/divisions.tsv.gz from jionlp's china_location.zip.

    python scripts/build_gazetteer.py [--zip PATH] [--out PATH]

Reads the data file of jionlp==1.5.31 without importing jionlp (the import
unzips ~51 MB into site-packages and pulls in heavy deps), so install it with
`pip install --no-deps jionlp==1.5.31`. Output is byte-for-byte deterministic
(sorted siblings, gzip mtime 0), so a rebuild shows up in git only if the data
changed. Format and id scheme: kg/data/SOURCE-divisions.md. kg/gazetteer.py keeps a
parsed copy in the user's cache folder keyed by this file's sha256, so a new file is
parsed again on first use; nothing else needs rebuilding.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

ZIP_MEMBER = "china_location.txt"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "kg" / "data" / "divisions.tsv.gz"
HEADER = ("id", "parent_id", "level", "name", "aliases")
# Raw tree depth -> level; depth 4 is split into village/community by name.
DEPTH_LEVELS = ("province", "prefecture", "county", "township", "village")
LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2, "township": 3,
              "village": 4, "community": 4}
CODED_DEPTHS = 3  # province, prefecture and county carry 6-digit codes


class Node:
    """One division while building; children keyed by (level, name) to merge duplicates."""

    __slots__ = ("name", "level", "code", "aliases", "children", "code_base", "id")

    def __init__(self, name: str, level: str, code: str, aliases: list[str], code_base: str):
        self.name, self.level, self.code = name, level, code
        self.aliases = aliases
        self.children: dict[tuple[str, str], Node] = {}
        self.code_base = code_base  # 4-digit prefix for synthetic ids of coded children
        self.id = ""


def default_zip() -> Path:
    """jionlp's data file, found without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("jionlp is not installed: pip install --no-deps jionlp==1.5.31, or pass --zip")
    return Path(spec.submodule_search_locations[0]) / "dictionary" / "china_location.zip"


def read_text(zip_path: Path) -> str:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.read(ZIP_MEMBER).decode("utf-8")


def is_placeholder(depth: int, name: str, code: str, parent: Node | None) -> bool:
    """Rows that only group their children: 省直辖/市直辖/县直辖行政区划, and the
    second 上海市 (or 香港, 澳门) under a municipality that repeats its province's code."""
    if name.endswith("直辖行政区划"):
        return True
    return depth == 1 and parent is not None and code == parent.code


def village_level(name: str) -> str:
    return "community" if name.endswith(("社区", "居委会")) else "village"


def parse(text: str) -> list[Node]:
    """The tab-indented tree -> province nodes, placeholders made transparent,
    duplicate sibling names merged (jionlp's own loader merges them too)."""
    provinces: list[Node] = []
    stack: list[Node] = []  # stack[d] = node that children at raw depth d+1 attach to
    for line in text.splitlines():  # CRLF file
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        name, code, alias = (line.strip("\t").split("\t") + ["", ""])[:3]
        del stack[depth:]
        parent = stack[-1] if stack else None
        if is_placeholder(depth, name, code, parent):
            assert parent is not None
            if code:
                parent.code_base = code[:4]
            stack.append(parent)
            continue
        if depth == 4 and name.endswith("直辖村"):  # 乡直辖村 and the like: no real unit
            stack.append(parent)  # type: ignore[arg-type]
            continue
        level = village_level(name) if depth == 4 else DEPTH_LEVELS[depth]
        aliases = [a for a in alias.split("/") if a and a != name]
        base = code[:4] if code else (parent.code_base if parent else "")
        node = Node(name, level, code, aliases, base)
        if parent is None:
            provinces.append(node)
        else:
            node = parent.children.setdefault((level, name), node)
            node.aliases += [a for a in aliases if a not in node.aliases]
        stack.append(node)
    return provinces


def sorted_children(node: Node) -> list[Node]:
    return sorted(node.children.values(), key=lambda n: (LEVEL_RANK[n.level], n.name))


def walk(provinces: list[Node]):
    """Pre-order, provinces by code, siblings by (level, name): the file order."""
    todo = sorted(provinces, key=lambda n: n.code)[::-1]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(reversed(sorted_children(node)))


def assign_ids(provinces: list[Node]) -> None:
    """6-digit codes where jionlp has a unique one; otherwise the first free code
    after it (or after the parent's 4-digit prefix for TW counties without one).
    Townships and villages get parent id + '-' + 3-digit ordinal among them."""
    nodes = list(walk(provinces))
    taken = {n.code for n in nodes if n.code}
    claimed: set[str] = set()
    for node in nodes:
        if LEVEL_RANK[node.level] < CODED_DEPTHS:
            if node.code and node.code not in claimed:
                node.id = node.code
            else:
                start = int(node.code) + 1 if node.code else int(node.code_base + "01")
                node.id = next(str(c) for c in range(start, start + 100)
                               if str(c) not in taken)
                taken.add(node.id)
            claimed.add(node.id)
        uncoded = [c for c in sorted_children(node) if LEVEL_RANK[c.level] >= CODED_DEPTHS]
        assert len(uncoded) < 1000, node.name
        for ordinal, child in enumerate(uncoded, 1):
            child.id = f"{node.id}-{ordinal:03d}"


def rows(provinces: list[Node]):
    parents: dict[int, str] = {}
    for node in walk(provinces):
        for child in node.children.values():
            parents[id(child)] = node.id
        yield (node.id, parents.get(id(node), ""), node.level, node.name, "|".join(node.aliases))


def write(provinces: list[Node], out: Path) -> int:
    """Write the gzip deterministically (mtime 0, no file name); return row count."""
    buf = io.StringIO()
    buf.write("\t".join(HEADER) + "\n")
    count = 0
    for row in rows(provinces):
        buf.write("\t".join(row) + "\n")
        count += 1
    data = gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=6, mtime=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return count


def build(zip_path: Path, out: Path) -> int:
    provinces = parse(read_text(zip_path))
    assign_ids(provinces)
    return write(provinces, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zip", type=Path, default=None, help="china_location.zip (default: jionlp's)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    args = ap.parse_args(argv)
    count = build(args.zip or default_zip(), args.out)
    print(f"{count} divisions -> {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
