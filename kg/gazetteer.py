"""Administrative divisions of China, province down to village: lookup, levels, parents.

The data is `kg/data/divisions.tsv.gz`, built from jionlp 1.5.31's location file by
`scripts/build_gazetteer.py` (source, vintage and gaps: `kg/data/SOURCE-divisions.md`).
Nothing is read at import; `load_gazetteer()` loads it once per process and everything
afterwards is a pure in-memory lookup. The parsed columns are cached in the user's cache
folder (see "The cache" below), so only the first process after new data or new code
parses the TSV.

Memory: 702k divisions are held column-wise (a list of interned names plus `array`s
for parent, level, ordinal and subtree end) rather than as 702k objects, and ids of
townships and villages are derived, not stored. Rows are in pre-order, so the
descendants of row i are rows i+1 .. end[i]-1: `is_within` is a comparison, and
`find_under` looks names up in the sorted name index (a stem match starts with the
stem, so its candidates are one slice of that index) and keeps the rows in range.

Measured 2026-11-22 (CPython 3.11.7, this container, other jobs running): from the
cache 0.1 s wall, the name index included; from the TSV (no cache, or a
stale one) 1.4 s CPU (1.05 s parse + 0.35 s name index) plus about 0.4 s to write the
cache. RSS 19 -> 70 MB (83 MB from the TSV); `surface_forms()` 0.02 s. `python -m kg.gazetteer` prints the
figures again.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import io
import json
import marshal
import sys
from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg import usercache
from kg.errors import InputError
from kg.model import PlaceLevel

DATA_PATH = Path(__file__).resolve().parent / "data" / "divisions.tsv.gz"
HEADER = "id\tparent_id\tlevel\tname\taliases"

# Column code of each level in memory; village and community share a rank.
_LEVELS = (PlaceLevel.PROVINCE, PlaceLevel.PREFECTURE, PlaceLevel.COUNTY,
           PlaceLevel.TOWNSHIP, PlaceLevel.VILLAGE, PlaceLevel.COMMUNITY)
_LEVEL_CODE = {str(level): code for code, level in enumerate(_LEVELS)}
_RANK = {level: min(code, 4) for code, level in enumerate(_LEVELS)}
_COUNTY = _LEVEL_CODE["county"]

# The 55 minority groups (GB 3304). Official names sometimes drop 族
# (伊犁哈萨克自治州); only these multi-character ones are also stripped without it.
ETHNIC_GROUPS = (
    "蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
_ETHNIC_WITHOUT_族 = ("蒙古", "哈萨克", "锡伯", "柯尔克孜", "塔吉克", "维吾尔", "鄂伦春")
_ETHNIC_FORMS = tuple(sorted(ETHNIC_GROUPS + list(_ETHNIC_WITHOUT_族), key=len, reverse=True))

# One of these is dropped by strip_suffix, longest first so 自治县 wins over 县.
# 州 is here so that 大理州 and 大理白族自治州 meet at 大理.
ADMIN_SUFFIXES = tuple(sorted(
    "特别行政区 自治区 自治州 自治县 自治旗 民族乡 地区 街道办事处 街道 社区 苏木 嘎查 "
    "村民委员会 居民委员会 村委会 居委会 省 市 州 盟 旗 县 区 镇 乡 村".split(),
    key=len, reverse=True))
_MIN_STEM = 2  # never strip down to one character: 沛县 stays 沛县, 广州 stays 广州

# level_from_suffix: checked in order, first match wins.
_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
_SUFFIX_LEVELS: tuple[tuple[str, PlaceLevel | None], ...] = (
    ("特别行政区", PlaceLevel.PROVINCE), ("自治区", PlaceLevel.PROVINCE), ("省", PlaceLevel.PROVINCE),
    ("社区", PlaceLevel.COMMUNITY), ("居委会", PlaceLevel.COMMUNITY),
    ("居民委员会", PlaceLevel.COMMUNITY), ("村民委员会", PlaceLevel.VILLAGE),
    ("小区", PlaceLevel.RESIDENTIAL), ("新村", PlaceLevel.RESIDENTIAL),
    ("花园", PlaceLevel.RESIDENTIAL), ("家园", PlaceLevel.RESIDENTIAL), ("苑", PlaceLevel.RESIDENTIAL),
    ("地区", PlaceLevel.PREFECTURE), ("州", PlaceLevel.PREFECTURE), ("盟", PlaceLevel.PREFECTURE),
    ("市", None),  # prefecture-level or county-level city: the name alone cannot tell
    ("街道办事处", PlaceLevel.TOWNSHIP), ("街道", PlaceLevel.TOWNSHIP), ("苏木", PlaceLevel.TOWNSHIP),
    ("镇", PlaceLevel.TOWNSHIP), ("乡", PlaceLevel.TOWNSHIP),
    ("区", PlaceLevel.COUNTY), ("县", PlaceLevel.COUNTY), ("旗", PlaceLevel.COUNTY),
    ("村委会", PlaceLevel.VILLAGE), ("嘎查", PlaceLevel.VILLAGE), ("村", PlaceLevel.VILLAGE),
)
# Names ending in one of these heads are not divisions (旅游景区, 统筹城乡, 社会主义新农村).
_NOT_DIVISION_HEADS = tuple(
    "景区 片区 辖区 校区 街区 营区 灾区 湾区 城乡 家乡 故乡 老乡 下乡 返乡 回乡 他乡 异乡 "
    "农村 城市".split())
# Whole words that look like a division but are generic (山区, 全县, 行政村).
_GENERIC_WORDS = frozenset(
    "城区 山区 库区 矿区 牧区 老区 新区 园区 城镇 乡镇 重镇 集镇 小镇 古镇 名镇 水乡 梦乡 "
    "乡村 山村 渔村 邻村 本村 全村 该村 各村 行政村 自然村 "
    "本省 全省 外省 该省 各省 本市 全市 该市 各市 本县 全县 该县 各县 本区 全区 该区 各区 "
    "本镇 全镇 该镇 各镇 本乡 全乡 该乡 各乡 本村 全村 各社区 该社区 全社区".split())

# surface_forms: short forms dropped because their everyday sense dominates in news
# text (来宾们, 长治久安, 幸福安康, 世界大同, 孙中山, 白银 silver, 朝阳产业, 阿里巴巴).
SHORT_FORM_STOPLIST = frozenset("来宾 长治 安康 大同 中山 白银 朝阳 阿里".split())
# Full names that are generic nouns: 城区 of 晋城, 东区 of 香港, ...
GENERIC_FULL_NAMES = frozenset("城区 郊区 矿区 东区 西区 南区 北区 中区".split())


@dataclass(frozen=True)
class Division:
    id: str
    name: str
    level: PlaceLevel
    parent: str | None
    aliases: tuple[str, ...]


@functools.lru_cache(maxsize=1 << 16)
def strip_suffix(name: str) -> str:
    """The stem two spellings of one division share: 牛街彝族乡 and 牛街乡 -> 牛街.

    Drops one administrative suffix (longest first), then a trailing run of ethnic
    group names, never leaving fewer than two characters.
    """
    for suffix in ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= _MIN_STEM:
            name = name[: -len(suffix)]
            break
    stripped = True
    while stripped:
        stripped = False
        for group in _ETHNIC_FORMS:
            if name.endswith(group) and len(name) - len(group) >= _MIN_STEM:
                name, stripped = name[: -len(group)], True
                break
    return name


def level_from_suffix(name: str) -> PlaceLevel | None:
    """The level a name's suffix implies, or None when it does not say (a plain 市,
    a bare suffix, or a common word such as 景区 or 城乡)."""
    if name in _MUNICIPALITIES:
        return PlaceLevel.PROVINCE
    for suffix, level in _SUFFIX_LEVELS:
        if name.endswith(suffix):
            if len(name) == len(suffix) or name in _GENERIC_WORDS:
                return None
            if name.endswith(_NOT_DIVISION_HEADS):
                return None
            return level
    return None


class Gazetteer:
    """All divisions, column-wise; see the module docstring for the layout."""

    def __init__(self, names: tuple[str, ...], parent: array, level: bytearray, ordinal: array,
                 end: array, codes: dict[str, int], aliases: dict[int, tuple[str, ...]],
                 by_name: array | None = None):
        # a tuple of strings: the garbage collector stops walking it after one look
        self._names, self._parent, self._level = names, parent, level
        self._ordinal, self._end = ordinal, end
        self._codes = codes  # 6-digit id -> row, for provinces, prefectures, counties
        self._code_of = {row: code for code, row in codes.items()}
        self._aliases = aliases
        self._by_name = by_name  # rows sorted by name (stable), built on first use
        self._short: dict[str, list[int]] | None = None
        self._by_alias: dict[str, list[int]] | None = None

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, div_id: object) -> bool:
        return isinstance(div_id, str) and self._row_or_none(div_id) is not None

    # --- rows and ids -------------------------------------------------------

    def _id(self, row: int) -> str:
        code = self._code_of.get(row)
        if code is not None:
            return code
        return f"{self._id(self._parent[row])}-{self._ordinal[row]:03d}"

    def _row_or_none(self, div_id: str) -> int | None:
        head, *ordinals = div_id.split("-")
        row = self._codes.get(head)
        for part in ordinals:
            if row is None or not (part.isdigit() and len(part) == 3):
                return None
            row = next((c for c in self._child_rows(row) if self._ordinal[c] == int(part)), None)
        return row

    def _row(self, div_id: str) -> int:
        row = self._row_or_none(div_id)
        if row is None:
            raise KeyError(f"no division with id {div_id!r}")
        return row

    def _child_rows(self, row: int) -> Iterator[int]:
        child, end = row + 1, self._end[row]
        while child < end:
            yield child
            child = self._end[child]

    def _division(self, row: int) -> Division:
        parent = self._parent[row]
        return Division(self._id(row), self._names[row], _LEVELS[self._level[row]],
                        None if parent < 0 else self._id(parent), self._aliases.get(row, ()))

    def _rank(self, row: int) -> tuple[int, str]:
        """Higher level first (province before village), then id."""
        return (_RANK[_LEVELS[self._level[row]]], self._id(row))

    def _divisions(self, rows: Collection[int], levels: Collection[PlaceLevel] | None
                   ) -> list[Division]:
        wanted = [r for r in set(rows) if levels is None or _LEVELS[self._level[r]] in levels]
        return [self._division(r) for r in sorted(wanted, key=self._rank)]

    # --- the API --------------------------------------------------------------

    def get(self, div_id: str) -> Division:
        """The division with this id; KeyError if there is none."""
        return self._division(self._row(div_id))

    def chain(self, div_id: str) -> list[Division]:
        """Ancestors and self, province first. Municipalities have no prefecture."""
        rows = [self._row(div_id)]
        while self._parent[rows[-1]] >= 0:
            rows.append(self._parent[rows[-1]])
        return [self._division(r) for r in reversed(rows)]

    def children(self, div_id: str) -> list[Division]:
        """Direct children, in file order (level, then name)."""
        return [self._division(r) for r in self._child_rows(self._row(div_id))]

    def is_within(self, div_id: str, ancestor_id: str) -> bool:
        """True if `ancestor_id` is `div_id` itself or one of its ancestors."""
        row, anc = self._row(div_id), self._row(ancestor_id)
        return anc <= row < self._end[anc]

    def lookup(self, name: str, *, levels: Collection[PlaceLevel] | None = None
               ) -> list[Division]:
        """Divisions whose full name is `name`, or (province, prefecture, county only)
        whose accepted short form is: jionlp's alias, the stripped stem, or stem plus
        generic suffix (大理, 大理州). Townships and villages match by full name only,
        because their stems are shared nationwide; use `find_under` for those.
        Rank: higher level first, then id."""
        rows = list(self._rows_named(name)) + self._short_forms().get(name, [])
        return self._divisions(rows, levels)

    def find_under(self, name: str, ancestor_id: str, *,
                   levels: Collection[PlaceLevel] | None = None) -> list[Division]:
        """Descendants of `ancestor_id` named `name`, or whose stem equals its stem
        (X乡 and X镇, 牛街乡 and 牛街彝族乡, 景宁县 and 景宁畲族自治县).

        A stem match must also agree with the level the suffix implies, so 朝阳区
        does not find 朝阳村 (village and community count as one level; 市 allows
        prefecture or county). Exact name or alias matches rank before stem
        matches; then higher level first, then id."""
        if not name:
            return []
        anc = self._row(ancestor_id)
        first, last = anc + 1, self._end[anc]
        stem, names, codes = strip_suffix(name), self._names, _stem_level_codes(name)
        exact = [r for r in self._rows_named(name) if first <= r < last]
        exact += [r for r in self._alias_rows().get(name, ()) if first <= r < last]
        # A stem match starts with the stem (strip_suffix only cuts the end): the
        # candidates are one slice of the sorted name index, not the whole subtree.
        loose = [r for r in self._rows_starting(stem) if first <= r < last
                 and names[r] != name and name not in self._aliases.get(r, ())
                 and (codes is None or self._level[r] in codes)
                 and strip_suffix(names[r]) == stem]
        return self._divisions(exact, levels) + self._divisions(loose, levels)

    def surface_forms(self) -> dict[str, list[str]]:
        """Text forms worth scanning for -> ids of the provinces, prefectures and
        counties they name, ranked as in `lookup`.

        Full names, jionlp aliases and stems (广东省/广东, 大理白族自治州/大理州/大理,
        连山壮族瑶族自治县/连山县), except: forms of one character; two-character
        stems and aliases of counties (朝阳, 城关, 和平 are everyday words; the form
        with a suffix, 连山县, is kept); county aliases that are not a prefix of the
        name (jionlp gives 高新区 to 32 development zones); SHORT_FORM_STOPLIST; and
        GENERIC_FULL_NAMES.
        """
        forms: dict[str, list[int]] = {}
        for row in self._codes.values():
            for form in self._forms(row, for_scanning=True):
                forms.setdefault(form, []).append(row)
        return {form: [self._id(r) for r in sorted(rows, key=self._rank)]
                for form, rows in sorted(forms.items())}

    def short_name(self, div: Division) -> str:
        """The usual short form: jionlp's alias if it is a usable one (大理, 海南州),
        else the stripped stem (牛街 for 牛街彝族乡)."""
        for alias in div.aliases:
            if len(alias) >= _MIN_STEM and (div.level is not PlaceLevel.COUNTY
                                            or div.name.startswith(alias)):
                return alias
        return strip_suffix(div.name)

    # --- indexes built on first use ---------------------------------------------

    def _rows_named(self, name: str) -> Iterator[int]:
        by_name, names = self._by_name_index(), self._names
        i = bisect_left(by_name, name, key=names.__getitem__)
        while i < len(by_name) and names[by_name[i]] == name:
            yield by_name[i]
            i += 1

    def _by_name_index(self) -> array:
        if self._by_name is None:
            names = self._names
            self._by_name = array("i", sorted(range(len(names)), key=names.__getitem__))
        return self._by_name

    def _rows_starting(self, prefix: str) -> Iterator[int]:
        """Rows whose name starts with `prefix` (a slice of the sorted name index)."""
        by_name, names = self._by_name_index(), self._names
        i = bisect_left(by_name, prefix, key=names.__getitem__)
        while i < len(by_name) and names[by_name[i]].startswith(prefix):
            yield by_name[i]
            i += 1

    def _alias_rows(self) -> dict[str, list[int]]:
        if self._by_alias is None:
            by_alias: dict[str, list[int]] = {}
            for row, aliases in self._aliases.items():
                for alias in aliases:
                    by_alias.setdefault(alias, []).append(row)
            self._by_alias = by_alias
        return self._by_alias

    def _short_forms(self) -> dict[str, list[int]]:
        if self._short is None:
            short: dict[str, list[int]] = {}
            for row in self._codes.values():
                for form in self._forms(row, for_scanning=False) - {self._names[row]}:
                    short.setdefault(form, []).append(row)
            self._short = short
        return self._short

    def _forms(self, row: int, *, for_scanning: bool) -> set[str]:
        """Full name, aliases, stem, and stem + generic suffix for 自治州/县/旗."""
        name, county = self._names[row], self._level[row] == _COUNTY
        stem = strip_suffix(name)
        short = {stem, *self._aliases.get(row, ())}
        for long_suffix, generic in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
            if name.endswith(long_suffix) and stem != name:
                short.add(stem + generic)
        short.discard(name)
        short = {f for f in short if len(f) >= _MIN_STEM}
        if for_scanning:
            short -= SHORT_FORM_STOPLIST
            if county:  # 连山县 (stem + suffix) or a 3+ character prefix (石景山)
                short = {f for f in short if len(f) > 2
                         and (name.startswith(f) or f.endswith(("县", "旗")))}
            if name in GENERIC_FULL_NAMES:
                return short
        return short | {name}


def _stem_level_codes(name: str) -> frozenset[int] | None:
    """Level codes a stem match of `name` may have; None when the suffix says nothing."""
    level = level_from_suffix(name)
    if level in (PlaceLevel.VILLAGE, PlaceLevel.COMMUNITY):
        return frozenset({_LEVEL_CODE["village"], _LEVEL_CODE["community"]})
    if level is not None:
        return frozenset({_LEVEL_CODE[str(level)]})
    if name.endswith("市"):
        return frozenset({_LEVEL_CODE["prefecture"], _COUNTY})
    return None


def _parse(lines: Iterator[str], source: Path) -> Gazetteer:
    """Rows in pre-order -> columns. Checks the order, since ids and subtree
    ranges depend on it, and says how to rebuild when it is broken."""
    names: list[str] = []
    parent, ordinal, end = array("i"), array("H"), array("i")
    level = bytearray()
    codes: dict[str, int] = {}
    aliases: dict[int, tuple[str, ...]] = {}
    interned: dict[str, str] = {}
    open_rows: list[int] = []  # the current row's ancestors
    open_ids: list[str] = []
    for lineno, line in enumerate(lines, 2):
        div_id, parent_id, lvl, name, alias = line.rstrip("\n").split("\t")
        while open_ids and open_ids[-1] != parent_id:
            end[open_rows.pop()] = len(names)
            open_ids.pop()
        if parent_id and not open_ids:
            raise InputError(f"{source}:{lineno}: parent {parent_id!r} is not an open row; "
                             "rebuild with scripts/build_gazetteer.py")
        row = len(names)
        names.append(interned.setdefault(name, name))
        parent.append(open_rows[-1] if open_rows else -1)
        level.append(_LEVEL_CODE[lvl])
        end.append(0)
        if "-" in div_id:
            if div_id[:-4] != parent_id:
                raise InputError(f"{source}:{lineno}: id {div_id!r} does not extend its parent")
            ordinal.append(int(div_id[-3:]))
        else:
            codes[div_id] = row
            ordinal.append(0)
        if alias:
            aliases[row] = tuple(alias.split("|"))
        open_rows.append(row)
        open_ids.append(div_id)
    for row in open_rows:
        end[row] = len(names)
    return Gazetteer(tuple(names), parent, level, ordinal, end, codes, aliases)


@functools.cache
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer, read once per process (and per path): from the cache when it holds
    this data file and this code (about 0.1 s), else from the TSV (about 1.5 s with the
    name index), writing the cache for the next process. See "The cache" below."""
    source = path or DATA_PATH
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read the gazetteer ({exc}); "
                         "rebuild with scripts/build_gazetteer.py") from exc
    key = _cache_key(data)
    cached = _cache_file(key)
    gaz = _read_cache(cached, key) if cached else None
    if gaz is None:
        gaz = _read_tsv(data, source)
        if cached:
            _write_cache(cached, key, gaz)
    return gaz


def _read_tsv(data: bytes, source: Path) -> Gazetteer:
    """The slow path: the gzipped TSV parsed row by row, and the name index sorted."""
    try:
        with gzip.open(io.BytesIO(data), "rt", encoding="utf-8", newline="\n") as f:
            header = f.readline().rstrip("\n")
            if header != HEADER:
                raise InputError(f"{source}:1: unexpected header {header!r}; "
                                 "rebuild with scripts/build_gazetteer.py")
            gaz = _parse(f, source)
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{source}: cannot read the gazetteer ({exc}); "
                         "rebuild with scripts/build_gazetteer.py") from exc
    gaz._by_name_index()
    return gaz


# --- The cache ------------------------------------------------------------------
# Parsing 702k TSV rows and sorting the name index took ~1.5 s in every process (every
# build, worker and rebuild). The parsed columns are kept in one file in the user's
# cache folder ($KG_CACHE_DIR, else $XDG_CACHE_HOME/jiceng-kg, else ~/.cache/jiceng-kg;
# KG_CACHE_DIR=off disables it). The file name and header carry a key: sha256 of the
# data file, of this module's source and of the Python version, so new data or new
# code is never served old columns. A sha256 of the body guards against a truncated
# or corrupted file; any mismatch or error means the TSV is read again and the cache
# rewritten (atomically: temporary file, then rename). Stored: machine arrays, JSON for
# the two small dicts, and the names as marshal (data only: a tuple of strings, each
# distinct name once, shared by the rows that bear it). Rebuilding the names from the
# distinct names and a row -> name index took 0.1 s of the 0.19 s load; marshal makes
# it in 0.05 s. No pickle: nothing in the file can run code.

_CACHE_MAGIC = b"jiceng-kg gazetteer cache 1\n"
_CACHE_KEEP = 4  # newest cache files kept; older ones (old data or code) are removed
_ARRAYS = (("parent", "i"), ("ordinal", "H"), ("end", "i"), ("by_name", "i"))


def cache_dir() -> Path | None:
    """Where the gazetteer cache lives (kg/usercache.py); None when KG_CACHE_DIR is "off"."""
    return usercache.cache_dir()


def _cache_key(data: bytes) -> str:
    digest = hashlib.sha256(data)
    digest.update(Path(__file__).read_bytes())
    digest.update(f"{sys.version_info[:2]} {sys.byteorder}".encode())
    return digest.hexdigest()


def _cache_file(key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"gazetteer-{key[:24]}.bin"


def _read_cache(path: Path, key: str) -> Gazetteer | None:
    """The cached gazetteer, or None when the file is missing, stale or damaged."""
    found = usercache.read_entry(path, _CACHE_MAGIC, key)
    if found is None:
        return None
    try:
        return _from_sections(found[1], found[0])
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, EOFError):
        return None


def _from_sections(body: memoryview, head: dict) -> Gazetteer | None:
    sections, at = {}, 0
    for name, size in head["sections"]:
        sections[name], at = body[at:at + size], at + size
    if at != len(body):
        return None
    # The small dicts first: objects made while the 702k names are new make the
    # collector walk them (about 40 ms).
    small = json.loads(str(sections["dicts"], "utf-8"))
    aliases = {int(row): tuple(forms) for row, forms in small["aliases"].items()}
    columns = {}
    for name, code in _ARRAYS:
        columns[name] = array(code)
        columns[name].frombytes(sections[name])
    names = marshal.loads(sections["names"])
    if type(names) is not tuple:
        return None
    level = bytearray(sections["level"])
    rows = len(names)
    if any(len(columns[n]) != rows for n in ("parent", "ordinal", "end", "by_name")) \
            or len(level) != rows:
        return None
    return Gazetteer(names, columns["parent"], level, columns["ordinal"], columns["end"],
                     small["codes"], aliases, columns["by_name"])


def _write_cache(path: Path, key: str, gaz: Gazetteer) -> None:
    """Write the cache; a folder that cannot be written only means no cache."""
    small = {"codes": gaz._codes, "aliases": {str(r): list(a) for r, a in gaz._aliases.items()}}
    sections = {
        "names": marshal.dumps(gaz._names),
        "parent": gaz._parent.tobytes(), "ordinal": gaz._ordinal.tobytes(),
        "end": gaz._end.tobytes(), "by_name": gaz._by_name_index().tobytes(),
        "level": bytes(gaz._level), "dicts": json.dumps(small, ensure_ascii=False).encode(),
    }
    body = b"".join(sections.values())
    if usercache.write_entry(path, _CACHE_MAGIC, key, body,
                             sections=[[name, len(data)] for name, data in sections.items()]):
        with contextlib.suppress(OSError):
            _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the newest few cache files: one per data and code version in use."""
    files = sorted(folder.glob("gazetteer-*.bin"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[_CACHE_KEEP:]:
        old.unlink(missing_ok=True)


def _measure() -> None:
    """Print load time and RSS (python -m kg.gazetteer); figures go in the docstring."""
    import time

    def rss_mb() -> int:
        with open("/proc/self/status") as f:
            return int(f.read().split("VmRSS:")[1].split()[0]) // 1024

    before, t0 = rss_mb(), time.perf_counter()
    gaz = load_gazetteer()
    t1 = time.perf_counter()
    gaz.lookup("城关镇")
    t2 = time.perf_counter()
    forms = gaz.surface_forms()
    t3 = time.perf_counter()
    print(f"{len(gaz)} divisions; load {t1 - t0:.2f} s, first lookup {t2 - t1:.2f} s, "
          f"surface_forms {t3 - t2:.2f} s ({len(forms)} forms); "
          f"RSS {before} -> {rss_mb()} MB")


if __name__ == "__main__":
    _measure()
