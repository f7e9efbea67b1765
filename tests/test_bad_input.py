"""Bad input meets the real `kg build`: one line naming the file (and line) and what to
do, a documented exit code, and the good article beside it still in the graph.

Each test runs the CLI on a folder holding one bad input and one good article. The
exit code each case must give is in CASES; docs/reliability.md has a row per case
with the same code (test_every_case_is_in_the_docs_table_with_its_exit_code).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from typer.testing import CliRunner

from kg.cli import app

GOV = Namespace("https://w3id.org/jiceng-kg/ontology#")
GOOD = "河南省许昌市委书记张伟在会上强调，要推进“五方联动”工作机制。"
OTHER = "浙江省杭州市余杭区委书记李强表示，全区推广“村民说事”制度。"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

CASES = {  # case (as in the docs table) -> exit code
    "empty file": 3,
    "binary file": 3,
    "GBK file, detected": 0,
    "GBK file read as UTF-8 (--encoding utf-8)": 3,
    "GBK file with --encoding gbk": 0,
    "mixed line endings": 0,
    "BOM": 0,
    "stray NUL bytes in UTF-8 text": 0,
    "lone surrogate in a .jsonl record": 3,
    "50 MB single file": 3,
    "record over --max-chars": 3,
    "article of one character": 0,
    ".jsonl with broken lines": 3,
    "duplicate id in one .jsonl": 3,
    "duplicate file name in two folders": 3,
    "duplicate article id after splitting a page": 3,
    "broken symbolic link": 3,
    "named pipe": 3,
    "file without read permission": 3,
    "spaces and Chinese characters in paths": 0,
    "output folder inside a file": 1,
    "output folder without write permission": 1,
    "every input skipped": 1,
    "extraction fails in one article": 3,
    "path that does not exist": 1,
    "unknown --encoding": 1,
}

runner = CliRunner()


def kg(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A folder with the good article in it."""
    folder = tmp_path / "in"
    write(folder, "good.txt", GOOD)
    return folder


def graph(out: Path) -> Graph:
    return Graph().parse(out / "graph.ttl", format="turtle")


def article_ids(out: Path) -> set[str]:
    return {str(o) for o in graph(out).objects(None, GOV.articleId)}


def labels(out: Path) -> set[str]:
    from rdflib import RDFS

    return {str(o) for o in graph(out).objects(None, RDFS.label)}


def warnings(result) -> list[str]:
    lines = result.stderr.splitlines()
    assert all(line.startswith(("warning: ", "error: ")) for line in lines), result.stderr
    return [line for line in lines if line.startswith("warning: ")]


def check(result, case: str, *, names: Path | None = None, words: str = "",
          line: int | None = None) -> str:
    """The exit code of `case`, and one warning naming `names` (with `line`) and `words`."""
    assert result.exit_code == CASES[case], (result.stdout, result.stderr)
    if names is None:
        assert warnings(result) == [], result.stderr
        return ""
    found = warnings(result)
    assert len(found) == 1, found
    where = f"{names}:{line}:" if line else f"{names}"
    assert found[0].startswith(f"warning: {where}"), found[0]
    assert words in found[0], found[0]
    assert "; " in found[0]  # ... what went wrong; what to do
    return found[0]


def test_empty_file_is_named_and_the_rest_builds(corpus, tmp_path):
    bad = write(corpus, "empty.txt", b"")
    result = kg("build", corpus, "-o", tmp_path / "out")
    check(result, "empty file", names=bad, words="empty file, skipped")
    assert article_ids(tmp_path / "out") == {"good"}
    assert "skipped 1" in result.stdout


def test_binary_file_is_named_and_the_rest_builds(corpus, tmp_path):
    bad = write(corpus, "photo.txt", PNG * 100)
    check(kg("build", corpus, "-o", tmp_path / "out"), "binary file", names=bad,
          words="binary file")
    assert article_ids(tmp_path / "out") == {"good"}


def test_gbk_file_is_detected_and_reads_as_chinese(corpus, tmp_path):
    write(corpus, "gbk.txt", OTHER.encode("gbk"))
    check(kg("build", corpus, "-o", tmp_path / "out"), "GBK file, detected")
    assert article_ids(tmp_path / "out") == {"good", "gbk"}
    assert "李强" in labels(tmp_path / "out")


def test_gbk_file_read_as_utf8_is_named_with_the_bad_byte(corpus, tmp_path):
    bad = write(corpus, "gbk.txt", OTHER.encode("gbk"))
    result = kg("build", corpus, "-o", tmp_path / "out", "--encoding", "utf-8")
    check(result, "GBK file read as UTF-8 (--encoding utf-8)", names=bad,
          words="cannot decode as utf-8 (bad byte at offset 0)")
    assert article_ids(tmp_path / "out") == {"good"}


def test_gbk_files_with_their_encoding_given(tmp_path):
    folder = tmp_path / "in"
    write(folder, "good.txt", GOOD.encode("gbk"))
    write(folder, "gbk.txt", OTHER.encode("gbk"))
    check(kg("build", folder, "-o", tmp_path / "out", "--encoding", "gbk"),
          "GBK file with --encoding gbk")
    assert {"张伟", "李强"} <= labels(tmp_path / "out")


def _evidence_maps_back(out: Path, source: Path, source_text: str) -> None:
    """Every evidence span in extraction.json from `source`, cut from its decoded text,
    holds the same characters as its sentence once line breaks, NUL and BOM are dropped."""
    def squash(text: str) -> str:
        return re.sub(r"[\s\x00\ufeff]", "", text)

    data = json.loads((out / "extraction.json").read_text(encoding="utf-8"))
    spans = [r["evidence"] for d in data["documents"] if d["path"] == str(source)
             for r in d["relations"]]
    assert spans
    for evidence in spans:
        cut = source_text[evidence["start"]:evidence["end"]]
        assert squash(cut) and squash(cut) in squash(evidence["sentence"]), (cut, evidence)


def test_mixed_line_endings_build_and_offsets_still_point_into_the_file(corpus, tmp_path):
    text = f"村里的事\r\n\r\n{OTHER}\r第二段。\n\n{GOOD}\r\n"
    source = write(corpus, "mixed.txt", text)
    check(kg("build", corpus, "-o", tmp_path / "out"), "mixed line endings")
    assert "mixed" in article_ids(tmp_path / "out")
    _evidence_maps_back(tmp_path / "out", source, text)


def test_bom_is_dropped_and_offsets_count_from_after_it(tmp_path):
    folder = tmp_path / "in"
    source = write(folder, "bom.txt", b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    check(kg("build", folder, "-o", tmp_path / "out"), "BOM")
    assert article_ids(tmp_path / "out") == {"bom"}
    # offsets count characters after the BOM: what open(..., encoding="utf-8-sig") reads
    _evidence_maps_back(tmp_path / "out", source, source.read_text(encoding="utf-8-sig"))


def test_stray_nul_bytes_in_text_are_dropped_and_offsets_still_map(corpus, tmp_path):
    text = OTHER[:9] + "\x00" + OTHER[9:] + "\x00"
    source = write(corpus, "nul.txt", text)
    check(kg("build", corpus, "-o", tmp_path / "out"), "stray NUL bytes in UTF-8 text")
    assert "李强" in labels(tmp_path / "out")
    _evidence_maps_back(tmp_path / "out", source, text)


def test_lone_surrogate_in_a_jsonl_record_is_named_by_line(tmp_path):
    lines = [json.dumps({"id": "ok", "text": GOOD}),
             '{"id": "bad", "text": "\\ud800' + OTHER + '"}']
    path = write(tmp_path / "in", "corpus.jsonl", "\n".join(lines) + "\n")
    result = kg("build", path, "-o", tmp_path / "out")
    check(result, "lone surrogate in a .jsonl record", names=path, line=2,
          words="lone surrogate \\ud800")
    assert article_ids(tmp_path / "out") == {"ok"}


def test_50_mb_single_file_is_refused_without_reading_it(corpus, tmp_path):
    big = corpus / "big.txt"
    chunk = (GOOD * 1000).encode("utf-8")
    with big.open("wb") as handle:
        for _ in range(50_000_000 // len(chunk) + 1):
            handle.write(chunk)
    assert big.stat().st_size >= 50_000_000
    result = kg("build", corpus, "-o", tmp_path / "out")
    check(result, "50 MB single file", names=big, words="file too long (50.0 MB")
    assert "split it into one file per article or a .jsonl corpus" in result.stderr
    assert article_ids(tmp_path / "out") == {"good"}


def test_record_over_max_chars_is_named_and_shorter_ones_build(tmp_path):
    lines = [json.dumps({"id": "short", "text": GOOD}),
             json.dumps({"id": "long", "text": GOOD * 10})]
    path = write(tmp_path / "in", "corpus.jsonl", "\n".join(lines))
    result = kg("build", path, "-o", tmp_path / "out", "--max-chars", len(GOOD))
    check(result, "record over --max-chars", names=path, line=2,
          words=f"record too long ({len(GOOD) * 10} characters; the limit is {len(GOOD)}")
    assert article_ids(tmp_path / "out") == {"short"}


def test_article_of_one_character_builds(corpus, tmp_path):
    write(corpus, "one.txt", "村")
    check(kg("build", corpus, "-o", tmp_path / "out"), "article of one character")
    assert article_ids(tmp_path / "out") == {"good", "one"}


def test_jsonl_broken_lines_are_each_named_and_good_lines_build(tmp_path):
    lines = ['{"id": "a", "text": "' + GOOD + '"}', '{"id": "b", "text": ', "not json",
             '["a list"]', '{"id": "c"}', '{"id": "d", "text": "' + OTHER + '"}']
    path = write(tmp_path / "in", "corpus.jsonl", "\r\n".join(lines))
    result = kg("build", path, "-o", tmp_path / "out")
    assert result.exit_code == CASES[".jsonl with broken lines"]
    assert [w.split(": ", 2)[1] for w in warnings(result)] == [
        f"{path}:{n}" for n in (2, 3, 4, 5)]
    assert article_ids(tmp_path / "out") == {"a", "d"}


def test_duplicate_id_in_one_jsonl_keeps_the_first(tmp_path):
    lines = [json.dumps({"id": "a", "text": t}, ensure_ascii=False) for t in (GOOD, OTHER)]
    path = write(tmp_path / "in", "corpus.jsonl", "\n".join(lines))
    check(kg("build", path, "-o", tmp_path / "out"), "duplicate id in one .jsonl", names=path,
          line=2, words="duplicate id 'a' (first on line 1)")
    assert "张伟" in labels(tmp_path / "out") and "李强" not in labels(tmp_path / "out")


def test_same_file_name_in_two_folders_is_not_merged_into_one_article(tmp_path):
    first = write(tmp_path / "in" / "a", "x.txt", GOOD)
    second = write(tmp_path / "in" / "b", "x.txt", OTHER)
    check(kg("build", tmp_path / "in", "-o", tmp_path / "out"),
          "duplicate file name in two folders", names=second,
          words=f"duplicate id 'x' (first in {first}), skipped; rename one of the files")
    sources = {str(o) for o in graph(tmp_path / "out").objects(None, GOV.sourceFile)}
    assert sources == {str(first)}


def test_article_id_taken_by_a_split_page_is_named(tmp_path):
    page = f"# 村里来了第一书记\n本报记者 张三\n{GOOD}\n\n# 山村换新颜\n本报记者 李四\n{OTHER}\n"
    split = write(tmp_path / "in", "x.txt", page)  # two articles: x-01 and x-02
    clash = write(tmp_path / "in", "x-01.txt", "云南省大理白族自治州洱源县牛街乡党委书记赵明说。")
    result = kg("build", tmp_path / "in", "-o", tmp_path / "out")  # x-01.txt sorts first
    check(result, "duplicate article id after splitting a page", names=split,
          words=f"[x-01]: duplicate article id 'x-01' (first in {clash}), skipped")
    assert article_ids(tmp_path / "out") == {"x-01", "x-02"}
    assert {"赵明", "李强"} <= labels(tmp_path / "out") and "张伟" not in labels(tmp_path / "out")


def test_broken_symbolic_link_in_a_folder_is_named(corpus, tmp_path):
    link = corpus / "gone.txt"
    link.symlink_to(tmp_path / "deleted.txt")
    check(kg("build", corpus, "-o", tmp_path / "out"), "broken symbolic link", names=link,
          words="broken symbolic link")
    assert article_ids(tmp_path / "out") == {"good"}


def test_named_pipe_in_a_folder_is_named_not_read(corpus, tmp_path):
    fifo = corpus / "pipe.txt"
    os.mkfifo(fifo)  # reading it would wait forever for a writer: a subprocess with a timeout
    done = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == CASES["named pipe"], done.stderr
    assert done.stderr.splitlines() == [(
        f"warning: {fifo}: not a regular file (a named pipe), skipped; give .txt, .md or "
        ".jsonl files")]
    assert article_ids(tmp_path / "out") == {"good"}


@pytest.mark.skipif(AS_ROOT, reason="root reads files whatever their mode")
def test_file_without_read_permission_is_named(corpus, tmp_path):
    locked = write(corpus, "locked.txt", OTHER)
    locked.chmod(0)
    try:
        check(kg("build", corpus, "-o", tmp_path / "out"), "file without read permission",
              names=locked, words="cannot read file (Permission denied)")
    finally:
        locked.chmod(0o644)
    assert article_ids(tmp_path / "out") == {"good"}


def test_spaces_and_chinese_characters_in_paths(tmp_path):
    folder = tmp_path / "人民日报 2024" / "第 1 版"
    source = write(folder, "文章 一.txt", GOOD)
    out = tmp_path / "输出 目录"
    check(kg("build", tmp_path / "人民日报 2024", "-o", out), "spaces and Chinese characters in paths")
    assert article_ids(out) == {"文章 一"}
    assert {str(o) for o in graph(out).objects(None, GOV.sourceFile)} == {str(source)}
    query = kg("query", out, "--preset", "people_posts", "--format", "csv")
    assert query.exit_code == 0 and "张伟" in query.stdout, query.output


def test_output_folder_inside_a_file_is_an_error_before_any_work(corpus, tmp_path):
    blocker = write(tmp_path, "not-a-folder", "x")
    result = kg("build", corpus, "-o", blocker / "out")
    assert result.exit_code == CASES["output folder inside a file"]
    assert result.stderr.startswith(f"error: {blocker / 'out'}: cannot create output folder")
    assert "choose another with -o" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


@pytest.mark.skipif(AS_ROOT, reason="root writes into folders whatever their mode")
def test_output_folder_without_write_permission_is_an_error(corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = kg("build", corpus, "-o", out)
    finally:
        out.chmod(0o755)
    assert result.exit_code == CASES["output folder without write permission"]
    assert result.stderr.startswith(f"error: {out}: cannot write in output folder")


def test_every_input_skipped_leaves_the_previous_build_as_it_was(corpus, tmp_path):
    out = tmp_path / "out"
    assert kg("build", corpus, "-o", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = tmp_path / "bad"
    write(bad, "empty.txt", b"")
    write(bad, "photo.txt", PNG)
    result = kg("build", bad, "-o", out)
    assert result.exit_code == CASES["every input skipped"]
    assert len(warnings(result)) == 2
    assert result.stderr.splitlines()[-1].startswith("error: nothing to build")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_extraction_failing_in_one_article_names_it_and_the_rest_builds(
        corpus, tmp_path, monkeypatch):
    from kg import pipeline

    real = pipeline.extract_article

    def fragile(article, **kwargs):
        if "李强" in article.text:
            raise RuntimeError("rule blew up")
        return real(article, **kwargs)

    monkeypatch.setattr(pipeline, "extract_article", fragile)
    bad = write(corpus, "fragile.txt", OTHER)
    result = kg("build", corpus, "-o", tmp_path / "out")
    line = check(result, "extraction fails in one article", names=bad,
                 words="[fragile]: extraction failed (RuntimeError: rule blew up)")
    assert "the rest is built" in line
    assert article_ids(tmp_path / "out") == {"good"}


def test_path_that_does_not_exist_is_an_error(tmp_path):
    result = kg("build", tmp_path / "nope", "-o", tmp_path / "out")
    assert result.exit_code == CASES["path that does not exist"]
    assert result.stderr == f"error: {tmp_path / 'nope'}: no such file or folder; check the path\n"
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_unknown_encoding_is_an_error(corpus, tmp_path):
    result = kg("build", corpus, "-o", tmp_path / "out", "--encoding", "klingon")
    assert result.exit_code == CASES["unknown --encoding"]
    assert "unknown encoding 'klingon'" in result.stderr


def test_every_case_is_in_the_docs_table_with_its_exit_code():
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and cells[-1].isdigit():
            rows[cells[0]] = int(cells[-1])
    assert {case: rows.get(case) for case in CASES} == CASES
