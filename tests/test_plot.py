import struct

import pytest
from conftest import build_sample_graph

from kg.network import to_networkx
from kg.plot import counts, write_plot

pytest.importorskip("matplotlib")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_counts_per_type_level_and_province():
    found = counts(to_networkx(build_sample_graph()))
    assert found["types"] == {"Person": 4, "Organization": 6, "Place": 7, "Initiative": 3}
    # 东南村党支部 (village), 许昌市委 and 许昌市人民政府 and 清远市委组织部 (prefecture)
    assert found["posts"] == {"prefecture": 3, "village": 1}
    assert found["initiatives"] == {"广东省": 2, "河南省": 1}


def test_plot_is_a_real_png(tmp_path):
    drawn = write_plot(to_networkx(build_sample_graph()), tmp_path / "sub" / "stats.png")
    data = drawn.path.read_bytes()
    width, height = _png_size(data)
    assert width > 1000 and height > 400 and len(data) > 20_000


def test_plot_of_an_empty_graph(tmp_path):
    import networkx as nx

    drawn = write_plot(nx.MultiDiGraph(), tmp_path / "empty.png")
    assert drawn.path.stat().st_size > 5_000


def test_unwritable_plot_path_is_an_output_error(tmp_path):
    from kg.errors import OutputError

    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot write the plot"):
        write_plot(to_networkx(build_sample_graph()), tmp_path / "file" / "x.png")


def test_kg_stats_plot(sample_ttl, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    out = tmp_path / "stats.png"
    result = CliRunner().invoke(app, ["stats", str(sample_ttl), "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output and out.stat().st_size > 20_000
