"""kg.read: files, folders and .jsonl corpora -> documents, with problems reported."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.read import read_paths

PAGE = "本报记者 肖家鑫\n\n棚外寒风呼啸，棚内温暖如春。"

DECODES = [  # file name, bytes, expected text
    ("plain.txt", PAGE.encode("utf-8"), PAGE),
    ("bom.txt", b"\xef\xbb\xbf" + PAGE.encode("utf-8"), PAGE),
    ("gbk.txt", PAGE.encode("gb18030"), PAGE),
    ("notes.md", "# 标题\n\n正文。".encode(), "# 标题\n\n正文。"),
]

SKIPPED = [  # file name, bytes, words the problem message must contain
    ("latin.txt", "café naïve".encode("latin-1"), "pass --encoding"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("empty.txt", b"", "empty file, skipped"),
    ("blank.md", b"  \n\n \n", "empty file, skipped"),
]

JSONL_BAD_LINES = [  # line text, words the problem message must contain
    ("{not json", "invalid JSON"),
    ('["a list"]', "JSON object"),
    (json.dumps({"text": "没有编号。"}), '"id"'),
    (json.dumps({"id": "x", "text": 42}), '"text"'),
    (json.dumps({"id": "y"}), '"text"'),
    (json.dumps({"id": "z", "text": "  "}), "empty text"),
]


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "data", "expected"), DECODES)
def test_read_decodes_utf8_bom_gb18030_and_markdown(tmp_path, name, data, expected):
    path = _write(tmp_path, name, data)
    docs, problems = read_paths([path])
    assert problems == []
    assert [(d.id, d.source, d.text, d.line) for d in docs] == [
        (Path(name).stem, str(path), expected, 0)]


@pytest.mark.parametrize(("name", "data", "words"), SKIPPED)
def test_read_reports_undecodable_binary_and_empty_files_and_reads_the_rest(
        tmp_path, name, data, words):
    bad = _write(tmp_path, name, data)
    good = _write(tmp_path, "good.txt", PAGE)
    docs, problems = read_paths([bad, good])
    assert [d.id for d in docs] == ["good"]
    assert len(problems) == 1
    assert problems[0].source == str(bad)
    assert words in problems[0].message


def test_read_forced_encoding_decodes_what_utf8_cannot(tmp_path):
    path = _write(tmp_path, "latin.txt", "café naïve".encode("latin-1"))
    docs, problems = read_paths([path], encoding="latin-1")
    assert problems == []
    assert docs[0].text == "café naïve"


def test_read_forced_encoding_that_fails_is_a_problem_not_a_guess(tmp_path):
    path = _write(tmp_path, "gbk.txt", PAGE.encode("gb18030"))
    docs, problems = read_paths([path], encoding="utf-8")
    assert docs == []
    assert "cannot decode as utf-8" in problems[0].message


def test_read_unknown_encoding_raises_input_error(tmp_path):
    path = _write(tmp_path, "a.txt", PAGE)
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_paths([path], encoding="klingon")


def test_read_missing_path_raises_input_error_naming_it(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="nope.txt: no such file or folder"):
        read_paths([missing])


def test_read_explicit_unsupported_extension_raises_input_error(tmp_path):
    path = _write(tmp_path, "page.pdf", b"%PDF-1.4")
    with pytest.raises(InputError, match=r"page\.pdf: unsupported file type '\.pdf'"):
        read_paths([path])


def test_read_folder_recursively_in_sorted_order_skipping_other_files(tmp_path):
    for name in ("z.txt", "b/2.txt", "a.md", "b/1.md", "notes.pdf", "b/c/x.docx"):
        _write(tmp_path, name, PAGE)
    _write(tmp_path, "b/c/corpus.jsonl", json.dumps({"id": "r1", "text": PAGE}) + "\n")
    docs, problems = read_paths([tmp_path])
    assert problems == []
    assert [Path(d.source).relative_to(tmp_path).as_posix() for d in docs] == [
        "a.md", "b/1.md", "b/2.txt", "b/c/corpus.jsonl", "z.txt"]
    assert [d.id for d in docs] == ["a", "1", "2", "r1", "z"]


def test_read_unreadable_file_is_a_problem(tmp_path, monkeypatch):
    path = _write(tmp_path, "locked.txt", PAGE)

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    docs, problems = read_paths([path])
    assert docs == []
    assert "cannot read file (Permission denied)" in problems[0].message


def test_read_jsonl_records_become_documents_with_line_numbers(tmp_path):
    records = [
        {"id": "a", "text": "第一篇。", "title": "标题", "date": "2024-02-08", "url": "http://x/a"},
        {"id": 7, "text": "第二篇。"},
    ]
    path = _write(tmp_path, "corpus.jsonl",
                  json.dumps(records[0], ensure_ascii=False) + "\n\n"
                  + json.dumps(records[1], ensure_ascii=False) + "\n")
    docs, problems = read_paths([path])
    assert problems == []
    assert [(d.id, d.source, d.line, d.text, d.title, d.date, d.url) for d in docs] == [
        ("a", str(path), 1, "第一篇。", "标题", "2024-02-08", "http://x/a"),
        ("7", str(path), 3, "第二篇。", "", "", ""),
    ]


@pytest.mark.parametrize(("line", "words"), JSONL_BAD_LINES)
def test_read_jsonl_bad_line_is_a_problem_with_its_line_and_the_rest_reads(
        tmp_path, line, words):
    good = json.dumps({"id": "ok", "text": "正文。"}, ensure_ascii=False)
    path = _write(tmp_path, "corpus.jsonl", f"{good}\n{line}\n")
    docs, problems = read_paths([path])
    assert [d.id for d in docs] == ["ok"]
    assert [(p.source, p.line) for p in problems] == [(str(path), 2)]
    assert words in problems[0].message


def test_read_jsonl_duplicate_id_keeps_the_first_and_reports_the_second(tmp_path):
    lines = [json.dumps({"id": "a", "text": t}, ensure_ascii=False) for t in ("一。", "二。")]
    path = _write(tmp_path, "corpus.jsonl", "\n".join(lines))
    docs, problems = read_paths([path])
    assert [d.text for d in docs] == ["一。"]
    assert problems[0].line == 2
    assert "duplicate id 'a' (first on line 1)" in problems[0].message


def test_read_example_pages_without_problems():
    folder = Path(__file__).resolve().parent.parent / "examples"
    docs, problems = read_paths(sorted(folder.glob("*.txt")))
    assert problems == []
    assert [d.id[:3] for d in docs] == ["000", "001", "002", "003", "004"]
    assert all("\ufeff" not in d.text and len(d.text) > 1000 for d in docs)


def test_read_keeps_a_few_stray_nul_bytes_in_utf8_text(tmp_path):
    path = _write(tmp_path, "nul.txt", PAGE.encode("utf-8") + b"\x00\x00")
    docs, problems = read_paths([path])
    assert problems == [] and docs[0].text == PAGE + "\x00\x00"  # kg.normalise drops them


@pytest.mark.parametrize("data", [("page 页面" * 10).encode("utf-16-le"), b"\x00" * 64,
                                  "正文".encode() + b"\x00" * 10])
def test_read_treats_nul_heavy_files_as_binary(tmp_path, data):
    path = _write(tmp_path, "x.txt", data)
    docs, problems = read_paths([path])
    assert docs == [] and "binary file" in problems[0].message


def test_read_skips_a_document_over_max_chars_and_keeps_one_at_the_limit(tmp_path):
    at = _write(tmp_path, "at.txt", "村" * 10)
    over = _write(tmp_path, "over.txt", "村" * 11)
    records = _write(tmp_path, "c.jsonl", json.dumps({"id": "r", "text": "村" * 11}))
    docs, problems = read_paths([at, over, records], max_chars=10)
    assert [d.id for d in docs] == ["at"]
    assert [(p.source, p.line) for p in problems] == [(str(over), 0), (str(records), 1)]
    assert all("too long (11 characters; the limit is 10" in p.message for p in problems)


def test_read_refuses_a_huge_file_from_its_size_without_decoding_it(tmp_path):
    path = _write(tmp_path, "big.txt", b"\xff" * 4_000_100)  # would not even decode
    docs, problems = read_paths([path], max_chars=1_000_000)
    assert docs == [] and "file too long (4.0 MB" in problems[0].message


def test_read_folder_reports_broken_links_and_pipes_instead_of_dropping_them(tmp_path):
    _write(tmp_path, "a.txt", PAGE)
    (tmp_path / "b.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "c.txt")
    docs, problems = read_paths([tmp_path])
    assert [d.id for d in docs] == ["a"]
    assert [(Path(p.source).name, p.message.split(",")[0]) for p in problems] == [
        ("b.txt", f"broken symbolic link to {str(tmp_path / 'gone.txt')!r}"),
        ("c.txt", "not a regular file (a named pipe)")]


def test_read_jsonl_with_old_mac_line_endings_reads_every_record(tmp_path):
    lines = [json.dumps({"id": i, "text": "正文。"}) for i in ("a", "b", "c")]
    path = _write(tmp_path, "c.jsonl", "\r".join(lines))
    docs, problems = read_paths([path])
    assert problems == [] and [(d.id, d.line) for d in docs] == [("a", 1), ("b", 2), ("c", 3)]


@pytest.mark.parametrize("field", ["id", "text", "title"])
def test_read_jsonl_lone_surrogate_is_a_problem_on_its_line(tmp_path, field):
    record = {"id": "a", "text": "正文。", "title": "标题"}
    record[field] += "\ud83d"
    path = _write(tmp_path, "c.jsonl", json.dumps(record))  # json.dumps writes "\ud83d"
    docs, problems = read_paths([path])
    assert docs == [] and problems[0].line == 1
    assert problems[0].message.startswith(f'"{field}" has a lone surrogate \\ud83d')


def test_read_jsonl_surrogate_pair_is_one_character_not_a_problem(tmp_path):
    path = _write(tmp_path, "c.jsonl", '{"id": "a", "text": "笑\\ud83d\\ude00"}')
    docs, problems = read_paths([path])
    assert problems == [] and docs[0].text == "笑\U0001f600"


def test_read_same_id_in_two_files_keeps_the_first_in_order(tmp_path):
    first = _write(tmp_path, "a/x.txt", PAGE)
    second = _write(tmp_path, "b/x.txt", PAGE)
    record = _write(tmp_path, "c.jsonl", json.dumps({"id": "x", "text": "正文。"}))
    docs, problems = read_paths([tmp_path])
    assert [d.source for d in docs] == [str(first)]
    assert [(p.source, p.line) for p in problems] == [(str(second), 0), (str(record), 1)]
    assert problems[1].message == (f"duplicate id 'x' (first in {first}), skipped; "
                                   "give each record a unique id")


def test_read_jsonl_title_date_and_url_become_one_plain_line(tmp_path):
    record = {"id": "a", "text": "正文。", "title": " 标题\u2028第二行\x1e  尾 ", "date": "2024-\n02-08",
              "url": "http://x/a\r\n"}
    docs, problems = read_paths([_write(tmp_path, "c.jsonl", json.dumps(record))])
    assert problems == []
    assert (docs[0].title, docs[0].date, docs[0].url) == ("标题 第二行 尾", "2024- 02-08",
                                                          "http://x/a")


@pytest.mark.parametrize("rid", ["a\x1eb", "a\u2028b", "a\tb", "a\x85"])
def test_read_jsonl_id_with_a_control_character_is_a_problem(tmp_path, rid):
    path = _write(tmp_path, "c.jsonl", json.dumps({"id": rid, "text": "正文。"}))
    docs, problems = read_paths([path])
    assert docs == [] and problems[0].message.startswith('"id" has a control character U+')


def test_read_file_name_with_a_control_character_is_a_problem(tmp_path):
    path = _write(tmp_path, "a\x1eb.txt", PAGE)
    docs, problems = read_paths([tmp_path])
    assert docs == [] and problems[0].source == str(path)
    assert problems[0].message == "file name has a control character U+001E, skipped; rename the file"


def test_reading_again_with_a_memo_gives_what_reading_afresh_gives(tmp_path):
    """kg watch reads the same corpus again and again: lines met before come from the
    memo, moved lines keep their new numbers, bad and repeated lines are still reported."""
    from kg.read import ReadMemo

    corpus = tmp_path / "c.jsonl"
    versions = [
        ['{"id": "a", "text": "甲村开会。"}', '{"id": "b", "text": "乙村开会。"}', "not json"],
        ['{"id": "z", "text": "新的。"}', '{"id": "a", "text": "甲村开会。"}', "not json",
         '{"id": "b", "text": "乙村开会。"}', '{"id": "a", "text": "重复。"}'],
        ['{"id": "b", "text": "乙村开会。"}'],
    ]
    memo = ReadMemo()
    for lines in versions:
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert read_paths([corpus], memo=memo) == read_paths([corpus])
    assert len(memo.now) == 1  # only the last read's lines are kept


# Reading a .jsonl file parses each record where it lies in the decoded text and
# searches fields for surrogates only when the line could hold one; these pin down
# that the fast paths read exactly what reading each line on its own reads.

def test_read_jsonl_escaped_lone_surrogate_in_upper_case_hex_is_still_reported(tmp_path):
    path = _write(tmp_path, "c.jsonl", '{"id": "a", "text": "正文\\uD83D。"}')
    docs, problems = read_paths([path])
    assert docs == [] and problems[0].line == 1
    assert problems[0].message.startswith('"text" has a lone surrogate \\ud83d at character 2')


def test_read_jsonl_surrogate_made_by_a_forced_codec_is_still_reported(tmp_path):
    """No JSON escape in the decoded line: the surrogate came from the codec itself."""
    path = _write(tmp_path, "c.jsonl", b'{"id": "a", "text": "x\\ud83d"}')
    docs, problems = read_paths([path], encoding="unicode_escape")
    assert docs == [] and problems[0].message.startswith(
        '"text" has a lone surrogate \\ud83d at character 1')


def test_strict_utf8_and_gb18030_never_decode_to_a_surrogate():
    """Why a line read without --encoding needs a surrogate search only when it has a
    \\uDxxx escape: no byte sequence of either codec decodes to a surrogate."""
    with pytest.raises(UnicodeDecodeError):
        b"\xed\xa0\xbd".decode("utf-8")  # U+D83D encoded as if it were a character
    decoded = []
    for first in range(0x81, 0xFF):
        for second in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
            decoded.append(_strict_gb18030(bytes((first, second))))
    for first in range(0x81, 0x85):  # four-byte sequences of the BMP; 0x90- are beyond it
        for second in range(0x30, 0x3A):
            for third in range(0x81, 0xFF):
                decoded.extend(_strict_gb18030(bytes((first, second, third, fourth)))
                               for fourth in range(0x30, 0x3A))
    assert len([c for c in decoded if c]) > 60_000
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in "".join(decoded))


def _strict_gb18030(data: bytes) -> str:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return ""


def test_read_jsonl_with_crlf_and_mixed_line_breaks_numbers_lines_the_same(tmp_path):
    a, b, c = (json.dumps({"id": i, "text": "正文。"}) for i in "abc")
    path = _write(tmp_path, "c.jsonl", f"{a}\r\n\r\nnot json\r{b}\n{c}\r\n")
    docs, problems = read_paths([path])
    assert [(d.id, d.line) for d in docs] == [("a", 1), ("b", 4), ("c", 5)]
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [(3, "invalid JSON")]


def test_read_jsonl_record_broken_over_two_lines_is_reported_on_both(tmp_path):
    """JSON allows a line break between tokens; a record may not."""
    path = _write(tmp_path, "c.jsonl", '{"id": "a",\n"text": "正文。"}\n')
    docs, problems = read_paths([path])
    assert docs == []
    assert [(p.line, p.message) for p in problems] == [
        (1, ("invalid JSON (Expecting property name enclosed in double quotes at column 12); "
             "fix or remove the line")),
        (2, "invalid JSON (Extra data at column 7); fix or remove the line")]


def test_read_jsonl_spaces_and_tabs_may_follow_a_record_but_nothing_else(tmp_path):
    lines = ['{"id": "a", "text": "正文。"} \t', '{"id": "b", "text": "正文。"} x',
             '{"id": "c", "text": "正文。"}\x0b', '  {"id": "d", "text": "正文。"}']
    docs, problems = read_paths([_write(tmp_path, "c.jsonl", "\n".join(lines))])
    assert [(d.id, d.line) for d in docs] == [("a", 1), ("d", 4)]
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (2, "invalid JSON (Extra data at column 28)"),
        (3, "invalid JSON (Extra data at column 27)")]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c"])
def test_read_jsonl_unicode_line_separator_inside_a_string_does_not_end_the_record(
        tmp_path, separator):
    text = f"第一段。{separator}第二段。"
    record = json.dumps({"id": "a", "text": text}, ensure_ascii=False)
    docs, problems = read_paths([_write(tmp_path, "c.jsonl", record + "\n")])
    assert problems == [] and [(d.text, d.line) for d in docs] == [(text, 1)]


JSONL_PIECES = st.sampled_from([
    '{"id": "a", "text": "正文。"}', '{"id": 7, "text": "x", "title": "\\ud83d"}',
    '{"id": "b", "text": "\\uDE00"}', '{"id": "c", "text": "\\ud83d\\ude00"}', '{"id": "d",',
    '"text": "e"}', '["list"]', "{", "}", '"', ",", " ", "\t", "\n", "\r", "\r\n", "\u2028",
    "\x0b", "\ufeff", "\\", "x", "正"])


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(JSONL_PIECES, max_size=20))
def test_reading_a_jsonl_in_place_gives_what_reading_it_line_by_line_gives(tmp_path_factory,
                                                                           pieces):
    """A memo reads each line as a string of its own (the plain way); without one,
    records are parsed where they lie in the file's text."""
    from kg.read import ReadMemo

    path = _write(tmp_path_factory.mktemp("jsonl"), "c.jsonl", "".join(pieces) or " ")
    assert read_paths([path]) == read_paths([path], memo=ReadMemo())
