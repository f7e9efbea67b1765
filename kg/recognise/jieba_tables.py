"""jieba's tables as the word cut reads them, loaded from the user cache: the prefix
dictionary, the part-of-speech tag of each word and the part-of-speech HMM.

jieba builds them in every process. `jieba.initialize` reads its prefix dictionary
(498k entries) from its own cache with `marshal.load` on an open file (0.5 s; a third
of that when the file is read at once), and `import jieba.posseg` parses dict.txt line
by line into 349k word tags (0.45 s with the import of jieba, which imports
pkg_resources). kg/recognise/wordcut.py needs only the tables, so they are kept in the
user cache (kg/usercache.py) as one marshal body, each word stored once for both
dictionaries: a hit loads in about 0.3 s and imports neither jieba nor pkg_resources.

A miss (the first process, another jieba, caching off, a stale or damaged entry) takes
the tables from jieba itself, `import jieba.posseg` and `jieba.initialize()`, so they
are jieba's own by construction, and writes the entry (about 0.2 s more, once). The
key covers what the tables are made from: this module, the Python and marshal
versions, jieba's code that builds them (jieba/__init__.py and posseg/__init__.py,
which also carry its version), and the path, size and modification time of dict.txt
and of the HMM's four files. An entry carries a checksum of its body and is written
atomically (kg/usercache.py); one that does not hold the expected tables is ignored.

The tables are the default dictionary as jieba ships it: words added to jieba at run
time (`jieba.add_word`, user dictionaries) are not seen. The project adds none.
"""
from __future__ import annotations

import importlib.util
import logging
import marshal
import sys
from pathlib import Path
from typing import NamedTuple

from kg import usercache

CACHE_NAME = "jieba-tables"
# Files of the jieba package the tables are made from: read whole (code) or by stat (data).
CODE_FILES = ("__init__.py", "posseg/__init__.py")
DATA_FILES = ("dict.txt", "posseg/char_state_tab.py", "posseg/prob_start.py",
              "posseg/prob_trans.py", "posseg/prob_emit.py")


class Tables(NamedTuple):
    """jieba.dt's FREQ and total, jieba.posseg.dt's word_tag_tab, and jieba.posseg's
    char_state_tab_P, start_P, trans_P and emit_P."""

    freq: dict[str, int]  # word or word prefix -> frequency (0: a prefix only)
    total: int  # sum of the frequencies
    tags: dict[str, str]  # word -> part-of-speech flag
    states: dict  # character -> (position, flag) states it can take
    start: dict
    trans: dict
    emit: dict


def load() -> Tables:
    """The tables, from the user cache when it holds them for this jieba, else from
    jieba (then cached for the next process)."""
    key = cache_key() if usercache.cache_dir() is not None else None
    if key is not None:
        body = usercache.read_bytes(CACHE_NAME, key, suffix="marshal")
        tables = _decode(body) if body is not None else None
        if tables is not None:
            return tables
    tables = from_jieba()
    if key is not None:
        usercache.write_bytes(CACHE_NAME, key, encode(tables), suffix="marshal")
    return tables


def from_jieba() -> Tables:
    """The tables of jieba's default tokenizers (imports jieba.posseg, loads jieba)."""
    import jieba
    from jieba import posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    posseg.dt.makesure_userdict_loaded()
    return Tables(jieba.dt.FREQ, jieba.dt.total, posseg.dt.word_tag_tab,
                  posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)


def jieba_folder() -> Path | None:
    """The installed jieba package's folder, found without importing jieba."""
    try:
        spec = importlib.util.find_spec("jieba")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    return Path(locations[0]) if locations else None


def cache_key() -> str | None:
    """The key of the tables of the installed jieba; None when its files cannot be
    read (then nothing is cached)."""
    folder = jieba_folder()
    if folder is None:
        return None
    parts: list[bytes | str] = [Path(__file__).read_bytes(),
                                f"{sys.version_info[:2]} {marshal.version} {folder}"]
    try:
        parts += [(folder / name).read_bytes() for name in CODE_FILES]
        for name in DATA_FILES:
            stat = (folder / name).stat()
            parts.append(f"{name} {stat.st_size} {stat.st_mtime_ns}")
    except OSError:
        return None
    return usercache.key_of(*parts)


def encode(tables: Tables) -> bytes:
    """The marshal body of `tables`. Each word is one string object for both
    dictionaries and each flag one object, so marshal writes them once and the
    next load makes them once (a smaller file, read faster)."""
    word = {w: w for w in tables.freq}
    flag: dict[str, str] = {}
    tags = {word.get(w, w): flag.setdefault(t, t) for w, t in tables.tags.items()}
    return marshal.dumps((tables.freq, tables.total, tags, tables.states, tables.start,
                          tables.trans, tables.emit))


def _decode(body) -> Tables | None:
    """The tables of a cache body, or None when it does not hold them."""
    try:
        value = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(value, tuple) and len(value) == len(Tables._fields)
            and isinstance(value[1], int)
            and all(isinstance(value[i], dict) for i in (0, 2, 3, 4, 5, 6))):
        return None
    return Tables(*value)


def dictionary_bytes() -> bytes:
    """jieba's dictionary file (dict.txt), read without importing jieba when it can be
    found on disk (importing jieba imports pkg_resources: about 0.06 s)."""
    folder = jieba_folder()
    if folder is not None:
        try:
            return (folder / "dict.txt").read_bytes()
        except OSError:
            pass
    import jieba

    with jieba.dt.get_dict_file() as f:
        return f.read()
