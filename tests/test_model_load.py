"""Loading the models from the user cache: the same tables as made from scratch, and a
stale, damaged or missing entry is made again, never trusted and never fatal."""
from __future__ import annotations

import dataclasses
import marshal
import os
import struct
import subprocess
import sys
from pathlib import Path

import jieba
import jieba.posseg
import numpy as np
import pytest

from kg import usercache
from kg.recognise import jieba_tables, person_scores
from kg.recognise.tokens import Token
from kg.recognise.viterbi import Decoder
from kg.recognise.wordcut import WordCutter

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = min((ROOT / "examples").glob("*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(folder))
    return folder


def _entries(folder: Path, name: str, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"{name}-*.{suffix}"))


# --- jieba's tables -------------------------------------------------------------

def _jiebas_own() -> tuple:
    jieba.dt.check_initialized()
    return (jieba.dt.FREQ, jieba.dt.total, jieba.posseg.dt.word_tag_tab,
            jieba.posseg.char_state_tab_P, jieba.posseg.start_P, jieba.posseg.trans_P,
            jieba.posseg.emit_P)


def _jieba_words(text: str) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in jieba.posseg.cut(text)]


def _cut(tables: jieba_tables.Tables, text: str) -> list[tuple[str, str]]:
    decoder = Decoder(tables.states, tables.start, tables.trans, tables.emit)
    return WordCutter(tables.freq, tables.total, tables.tags, decoder.decode).cut(text)


def _jieba_entry(folder: Path) -> Path:
    (entry,) = _entries(folder, jieba_tables.CACHE_NAME, "marshal")
    return entry


def test_jieba_tables_from_the_cache_equal_jiebas_own(cache):
    first = jieba_tables.load()  # a miss: from jieba, then cached
    _jieba_entry(cache)
    cached = jieba_tables.load()
    assert cached is not first
    assert tuple(cached) == tuple(first) == _jiebas_own()
    assert list(cached.trans) == list(jieba.posseg.trans_P)  # the HMM's state order too
    assert _cut(cached, EXAMPLE) == _jieba_words(EXAMPLE)


def test_jieba_tables_load_from_the_cache_without_importing_jieba(cache):
    jieba_tables.load()
    code = ("import sys; from kg.recognise.tokens import tokenize; "
            "words = tokenize('驻村第一书记王晓明带领群众。'); "
            "print(any(m == 'jieba' or m.startswith('jieba.') for m in sys.modules), "
            "'pkg_resources' in sys.modules, len(words) > 3)")
    env = {**os.environ, "KG_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["False", "False", "True"]


@pytest.mark.parametrize("damage", ["flip a body byte", "truncate", "empty",
                                    "not the tables", "not marshal"])
def test_a_damaged_jieba_tables_entry_is_rebuilt_and_gives_jiebas_tags(cache, damage):
    jieba_tables.load()
    entry = _jieba_entry(cache)
    key = jieba_tables.cache_key()
    blob = bytearray(entry.read_bytes())
    if damage == "flip a body byte":
        blob[-1000] ^= 0x01  # inside a word or a flag: tags would silently change
        entry.write_bytes(bytes(blob))
    elif damage == "truncate":
        entry.write_bytes(bytes(blob[:len(blob) // 2]))
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "not the tables":  # a sound entry (checksum and all) of something else
        usercache.write_bytes(jieba_tables.CACHE_NAME, key, marshal.dumps(("x", 1)),
                              suffix="marshal")
    else:
        usercache.write_bytes(jieba_tables.CACHE_NAME, key, b"\xff" * 64, suffix="marshal")
    tables = jieba_tables.load()
    assert tuple(tables) == _jiebas_own()
    assert _cut(tables, EXAMPLE) == _jieba_words(EXAMPLE)
    assert jieba_tables._decode(usercache.read_bytes(  # rewritten, sound again
        jieba_tables.CACHE_NAME, key, suffix="marshal")) is not None


def test_a_stale_jieba_tables_entry_is_not_served(cache, monkeypatch):
    jieba_tables.load()
    old = _jieba_entry(cache)
    # an entry under the old key holding other tables: it must not be read once the key moves
    usercache.write_bytes(jieba_tables.CACHE_NAME, jieba_tables.cache_key(),
                          jieba_tables.encode(jieba_tables.Tables({"甲": 1}, 1, {"甲": "n"},
                                                                  {}, {}, {}, {})),
                          suffix="marshal")
    assert jieba_tables.load().freq == {"甲": 1}  # the entry of the key is what is read
    real_key = jieba_tables.cache_key
    monkeypatch.setattr(jieba_tables, "cache_key", lambda: usercache.key_of(real_key(), "new"))
    assert tuple(jieba_tables.load()) == _jiebas_own()
    assert not old.exists()  # replaced by the entry of the new key
    assert len(_entries(cache, jieba_tables.CACHE_NAME, "marshal")) == 1


def test_the_jieba_tables_key_follows_the_dictionary_file(tmp_path, monkeypatch):
    folder = tmp_path / "jieba"
    for name in (*jieba_tables.CODE_FILES, *jieba_tables.DATA_FILES):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    monkeypatch.setattr(jieba_tables, "jieba_folder", lambda: folder)
    before = jieba_tables.cache_key()
    os.utime(folder / "dict.txt", ns=(1, 1))
    touched = jieba_tables.cache_key()
    (folder / "dict.txt").write_text("x y")
    grown = jieba_tables.cache_key()
    (folder / "__init__.py").write_text("__version__ = 'other'")
    assert len({before, touched, grown, jieba_tables.cache_key()}) == 4
    (folder / "dict.txt").unlink()
    assert jieba_tables.cache_key() is None  # unreadable: made from jieba, not cached


def test_caching_off_takes_the_tables_from_jieba(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    assert tuple(jieba_tables.load()) == _jiebas_own()
    assert not list(tmp_path.iterdir())


def test_tokens_from_the_cached_tables_are_jiebas_words(cache):
    from kg.recognise import tokens

    tokens._tables.cache_clear(), tokens._decode.cache_clear(), tokens._cutter.cache_clear()
    try:
        tokens.tokenize("中")  # writes the entry
        for f in (tokens._tables, tokens._decode, tokens._cutter):
            f.cache_clear()
        words = tokens.tokenize(EXAMPLE)
        assert [(t.word, t.flag) for t in words] == _jieba_words(EXAMPLE)
        assert words[0] == Token(0, len(words[0].word), words[0].word, words[0].flag)
        assert tokens.word_frequency("书记") == jieba.dt.FREQ["书记"]
        assert tokens.word_frequency("书记王") == 0
    finally:
        for f in (tokens._tables, tokens._decode, tokens._cutter):
            f.cache_clear()


# --- the person model's score tables ------------------------------------------------

def _same(a, b, where: str = "") -> None:
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray):
        assert (a.dtype, a.shape, a.tobytes()) == (b.dtype, b.shape, b.tobytes()), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def _model_bytes() -> bytes:
    from importlib import resources

    from kg.recognise.person_model import MODEL_FILE

    return resources.files("kg.data").joinpath(MODEL_FILE).read_bytes()


def _from_model(data: bytes) -> person_scores.ScoreTables:
    return person_scores._tables_of(*person_scores._parse_model(data, "model"))


def _score_entries(folder: Path) -> list[Path]:
    return _entries(folder, person_scores._CACHE_NAME, "bin")


def test_cached_score_tables_equal_the_ones_made_from_the_model_file(cache):
    data = _model_bytes()
    made = _from_model(data)
    first = person_scores._cached_tables(data, "model")  # a miss: made, then cached
    assert len(_score_entries(cache)) == 1
    cached = person_scores._cached_tables(data, "model")
    assert cached is not first
    for field in dataclasses.fields(person_scores.ScoreTables):
        _same(getattr(cached, field.name), getattr(made, field.name), field.name)
        _same(getattr(first, field.name), getattr(made, field.name), field.name)
    text = "驻村第一书记王晓明带领群众，村民陆如献介绍说。"
    from kg.recognise.person_model import sentence_spans
    from kg.recognise.tokens import tokenize

    spans, words = sentence_spans(text), tokenize(text)
    assert cached.items(text, words, spans) == made.items(text, words, spans)


@pytest.mark.parametrize("damage", ["flip a body byte", "truncate", "garbage",
                                    "not the tables"])
def test_a_damaged_score_tables_entry_is_rebuilt(cache, damage):
    data = _model_bytes()
    made = _from_model(data)
    person_scores._cached_tables(data, "model")
    (entry,) = _score_entries(cache)
    blob = bytearray(entry.read_bytes())
    if damage == "flip a body byte":
        blob[-8] ^= 0x40  # a weight: scores would silently change
        entry.write_bytes(bytes(blob))
    elif damage == "truncate":
        entry.write_bytes(bytes(blob[:-100]))
    elif damage == "garbage":
        entry.write_bytes(b"\x00\xff" * 50)
    else:  # sound entries (checksum and all) that do not hold the tables
        key = usercache.key_of(data, Path(person_scores.__file__).read_bytes(),
                               f"{np.__version__} {sys.version_info[:2]}")
        assert usercache.read_bytes(person_scores._CACHE_NAME, key, suffix="bin") is not None
        for body in (b'{"bias": {"a": ["<f8", [3], 99999]}}\n', b'{"x": 1}\n', b"[1]\n",
                     b"no json\n"):
            usercache.write_bytes(person_scores._CACHE_NAME, key, body, suffix="bin")
            assert person_scores._unpack(
                usercache.read_bytes(person_scores._CACHE_NAME, key, suffix="bin")) is None
    tables = person_scores._cached_tables(data, "model")
    for field in dataclasses.fields(person_scores.ScoreTables):
        _same(getattr(tables, field.name), getattr(made, field.name), field.name)
    (entry,) = _score_entries(cache)  # rewritten, sound again
    assert person_scores._unpack(memoryview(entry.read_bytes())[entry.read_bytes().index(
        b"\n", len(b"jiceng-kg cache 1\n")) + 1:]) is not None


def _with_first_weight(data: bytes, weight: float) -> bytes:
    """The model file with its first feature's weight changed (still a sound model)."""
    off_feats = struct.unpack_from("<I", data, 12 + 16)[0]
    out = bytearray(data)
    struct.pack_into("<d", out, off_feats + 12 + 12, weight)  # record: 3 x u32, then f8
    return bytes(out)


def test_another_model_file_is_not_served_the_old_tables(cache):
    data = _model_bytes()
    old = person_scores._cached_tables(data, "model")
    other = _with_first_weight(data, 1.5)
    made = _from_model(other)
    assert person_scores._pack(made) != person_scores._pack(old)  # other tables
    tables = person_scores._cached_tables(other, "other")
    for field in dataclasses.fields(person_scores.ScoreTables):
        _same(getattr(tables, field.name), getattr(made, field.name), field.name)
    assert len(_score_entries(cache)) == 1  # the old model's entry was replaced


def test_the_dictionary_file_is_jiebas_own():
    with jieba.dt.get_dict_file() as f:
        assert jieba_tables.dictionary_bytes() == f.read()
