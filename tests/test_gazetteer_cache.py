"""The gazetteer cache: same answers as the TSV, and never trusted when stale or damaged."""
from __future__ import annotations

import gzip

import pytest

import kg.gazetteer as gz
from kg.gazetteer import DATA_PATH, HEADER
from kg.model import PlaceLevel as L

TINY = [  # a pre-order file small enough to build in every test
    "440000\t\tprovince\t广东省\t广东",
    "441800\t440000\tprefecture\t清远市\t清远",
    "441825\t441800\tcounty\t连山壮族瑶族自治县\t连山县",
    "441825-001\t441825\ttownship\t上帅镇\t",
    "441825-001-001\t441825-001\tvillage\t东南村\t",
    "441825-001-002\t441825-001\tcommunity\t上帅社区\t",
    "441825-002\t441825\ttownship\t东南镇\t",
    "441825-002-001\t441825-002\tvillage\t东南村\t",
]
LOOKUPS = ["城关镇", "东南村", "大理", "大理州", "连山县", "朝阳区", "香港", "广西", "不存在"]
FIND_UNDER = [("牛街乡", "532925"), ("天井社区", "532901"), ("东南村", "441825"),
              ("朝阳区", "110000"), ("景宁县", "330000")]


def _load(path):
    """load_gazetteer without its per-process memo."""
    return gz.load_gazetteer.__wrapped__(path)


def _columns(gaz):
    return (gaz._names, gaz._parent.tolist(), bytes(gaz._level), gaz._ordinal.tolist(),
            gaz._end.tolist(), gaz._codes, gaz._aliases, gaz._by_name_index().tolist())


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.tsv.gz"
    path.write_bytes(gzip.compress(("\n".join([HEADER, *TINY]) + "\n").encode(), mtime=0))
    return path


def _cache_files(folder):
    return sorted(folder.glob("gazetteer-*.bin"))


def _fails_if_parsed(monkeypatch):
    def fail(*_args):
        raise AssertionError("the TSV was parsed: the cache was not used")
    monkeypatch.setattr(gz, "_read_tsv", fail)


def test_cached_columns_and_lookups_equal_the_tsv(cache, monkeypatch):
    data = DATA_PATH.read_bytes()
    slow = gz._read_tsv(data, DATA_PATH)
    first = _load(DATA_PATH)  # writes the cache
    assert len(_cache_files(cache)) == 1
    _fails_if_parsed(monkeypatch)
    fast = _load(DATA_PATH)
    assert _columns(fast) == _columns(slow) == _columns(first)
    for name in LOOKUPS:
        assert fast.lookup(name) == slow.lookup(name), name
    for name, anchor in FIND_UNDER:
        assert fast.find_under(name, anchor) == slow.find_under(name, anchor), name
    assert fast.surface_forms() == slow.surface_forms()
    village = fast.find_under("东南村", fast.lookup("上帅镇")[0].id)[0]
    assert fast.chain(village.id) == slow.chain(village.id)


def test_second_load_reads_the_cache(cache, tiny, monkeypatch):
    before = _columns(_load(tiny))
    _fails_if_parsed(monkeypatch)
    gaz = _load(tiny)
    assert _columns(gaz) == before
    assert [d.name for d in gaz.find_under("东南村", "441825", levels={L.VILLAGE})] == [
        "东南村", "东南村"]


@pytest.mark.parametrize("damage", ["flip a body byte", "truncate", "empty", "garbage",
                                    "bad header json", "wrong key"])
def test_a_damaged_cache_is_rebuilt_not_trusted(cache, tiny, damage):
    expected = _columns(_load(tiny))
    (path,) = _cache_files(cache)
    blob = bytearray(path.read_bytes())
    head_end = blob.index(b"\n", len(gz._CACHE_MAGIC))
    if damage == "flip a body byte":
        blob[head_end + 5] ^= 0x01  # a byte of a name: the lookups would silently change
    elif damage == "truncate":
        blob = blob[:-7]
    elif damage == "empty":
        blob = bytearray()
    elif damage == "garbage":
        blob = bytearray(b"\x00\xff" * 100)
    elif damage == "bad header json":
        blob[len(gz._CACHE_MAGIC)] = ord("[")
    else:
        blob = blob.replace(gz._cache_key(tiny.read_bytes()).encode(), b"0" * 64)
    path.write_bytes(bytes(blob))
    assert gz._read_cache(path, gz._cache_key(tiny.read_bytes())) is None
    assert _columns(_load(tiny)) == expected
    assert gz._read_cache(path, gz._cache_key(tiny.read_bytes())) is not None  # rewritten


def test_new_data_or_new_code_is_not_served_old_columns(cache, tiny, monkeypatch):
    _load(tiny)
    changed = [*TINY[:-1], "441825-002-001\t441825-002\tvillage\t西北村\t"]
    tiny.write_bytes(gzip.compress(("\n".join([HEADER, *changed]) + "\n").encode(), mtime=0))
    assert "西北村" in _load(tiny)._names  # a new data file: a new key
    assert len(_cache_files(cache)) == 2
    real_key = gz._cache_key
    monkeypatch.setattr(gz, "_cache_key", lambda data: real_key(data + b"new code"))
    _load(tiny)  # new code (its source is part of the key): read and cached again
    assert len(_cache_files(cache)) == 3


def test_old_cache_files_are_pruned(cache, tiny, monkeypatch):
    real_key = gz._cache_key
    for version in range(gz._CACHE_KEEP + 2):
        monkeypatch.setattr(gz, "_cache_key", lambda data, v=version: real_key(data + bytes(v)))
        _load(tiny)
    assert len(_cache_files(cache)) == gz._CACHE_KEEP


def test_cache_off_writes_nothing(tmp_path, tiny, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    assert gz.cache_dir() is None
    assert _load(tiny)._names[0] == "广东省"
    assert not list(tmp_path.rglob("gazetteer-*.bin"))


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path, tiny, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "cache"))
    assert _load(tiny)._names[0] == "广东省"


def test_default_cache_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert gz.cache_dir() == tmp_path / "jiceng-kg"


@pytest.mark.parametrize("names", [b"\xff" * 16, b"", "marshal of a list"])
def test_a_sound_entry_whose_names_are_not_a_tuple_is_rebuilt(cache, tiny, names):
    """Checksum and key right, but the names section (marshal) does not hold the names."""
    import marshal

    from kg import usercache

    expected = _columns(_load(tiny))
    (path,) = _cache_files(cache)
    key = gz._cache_key(tiny.read_bytes())
    head, body = usercache.read_entry(path, gz._CACHE_MAGIC, key)
    sections, at = {}, 0
    for name, size in head["sections"]:
        sections[name], at = bytes(body[at:at + size]), at + size
    sections["names"] = (marshal.dumps(list(expected[0])) if names == "marshal of a list"
                         else names)
    usercache.write_entry(path, gz._CACHE_MAGIC, key, b"".join(sections.values()),
                          sections=[[n, len(d)] for n, d in sections.items()])
    assert gz._read_cache(path, key) is None
    assert _columns(_load(tiny)) == expected
    assert gz._read_cache(path, key) is not None  # rewritten
