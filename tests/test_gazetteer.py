"""Behaviour of the division gazetteer: chains, homonyms, suffix-tolerant matching."""
from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.gazetteer import (DATA_PATH, HEADER, Gazetteer, level_from_suffix, load_gazetteer,
                          strip_suffix)
from kg.model import PlaceLevel as L

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "scripts" / "build_gazetteer.py"

STRIP_SUFFIX = [
    ("广东省", "广东"),
    ("清远市", "清远"),
    ("大理白族自治州", "大理"),
    ("大理州", "大理"),
    ("连山壮族瑶族自治县", "连山"),
    ("景宁畲族自治县", "景宁"),
    ("景宁县", "景宁"),
    ("牛街彝族乡", "牛街"),
    ("牛街乡", "牛街"),
    ("广西壮族自治区", "广西"),
    ("新疆维吾尔自治区", "新疆"),
    ("伊犁哈萨克自治州", "伊犁"),
    ("内蒙古自治区", "内蒙古"),  # 蒙古 is not stripped: it would leave one character
    ("鄂伦春自治旗", "鄂伦春"),
    ("锡林郭勒盟", "锡林郭勒"),
    ("和田地区", "和田"),
    ("香港特别行政区", "香港"),
    ("东华门街道", "东华门"),
    ("南关社区", "南关"),
    ("东南村", "东南"),
    ("东南村委会", "东南"),
    ("陈旗鄂温克民族苏木", "陈旗鄂温克民族"),
    ("沛县", "沛县"),  # never down to one character
    ("广州", "广州"),
    ("嘉定", "嘉定"),
]

LEVEL_FROM_SUFFIX = [
    ("广东省", L.PROVINCE),
    ("广西壮族自治区", L.PROVINCE),
    ("北京市", L.PROVINCE),
    ("香港特别行政区", L.PROVINCE),
    ("大理白族自治州", L.PREFECTURE),
    ("大理州", L.PREFECTURE),
    ("锡林郭勒盟", L.PREFECTURE),
    ("和田地区", L.PREFECTURE),
    ("清远市", None),  # prefecture-level or county-level city
    ("英德市", None),
    ("弥渡县", L.COUNTY),
    ("连山壮族瑶族自治县", L.COUNTY),
    ("朝阳区", L.COUNTY),
    ("鄂伦春自治旗", L.COUNTY),
    ("上帅镇", L.TOWNSHIP),
    ("牛街彝族乡", L.TOWNSHIP),
    ("东华门街道", L.TOWNSHIP),
    ("陈旗鄂温克民族苏木", L.TOWNSHIP),
    ("东南村", L.VILLAGE),
    ("东山行政村", L.VILLAGE),
    ("李庄自然村", L.VILLAGE),
    ("巴彦嘎查", L.VILLAGE),
    ("南关社区", L.COMMUNITY),
    ("南关居委会", L.COMMUNITY),
    ("阳光小区", L.RESIDENTIAL),
    ("幸福新村", L.RESIDENTIAL),
    ("碧桂园花园", L.RESIDENTIAL),
    ("翠竹苑", L.RESIDENTIAL),
    ("村", None),
    ("行政村", None),
    ("旅游景区", None),
    ("统筹城乡", None),
    ("全县", None),
    ("张三", None),
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def one(divs):
    assert len(divs) == 1, divs
    return divs[0]


@pytest.mark.parametrize("name, stem", STRIP_SUFFIX)
def test_strip_suffix(name, stem):
    assert strip_suffix(name) == stem


@pytest.mark.parametrize("name, level", LEVEL_FROM_SUFFIX)
def test_level_from_suffix(name, level):
    assert level_from_suffix(name) == level


def test_chain_runs_province_prefecture_county(gaz):
    county = one(gaz.lookup("弥渡县"))
    chain = gaz.chain(county.id)
    assert [(d.name, d.level) for d in chain] == [
        ("云南省", L.PROVINCE), ("大理白族自治州", L.PREFECTURE), ("弥渡县", L.COUNTY)]
    assert [d.parent for d in chain] == [None, chain[0].id, chain[1].id]


def test_municipality_district_hangs_directly_under_province(gaz):
    assert [d.name for d in gaz.chain(one(gaz.lookup("嘉定区")).id)] == ["上海市", "嘉定区"]


def test_find_under_matches_乡_to_彝族乡(gaz):
    midu = one(gaz.lookup("弥渡县"))
    township = one(gaz.find_under("牛街乡", midu.id, levels={L.TOWNSHIP}))
    assert township.name == "牛街彝族乡"
    assert township.parent == midu.id


def test_find_under_matches_乡_to_镇(gaz):
    midu = one(gaz.lookup("弥渡县"))
    assert one(gaz.find_under("寅街乡", midu.id, levels={L.TOWNSHIP})).name == "寅街镇"


def test_find_under_matches_short_county_to_自治县(gaz):
    zhejiang = one(gaz.lookup("浙江省"))
    assert one(gaz.find_under("景宁县", zhejiang.id)).name == "景宁畲族自治县"


def test_find_under_ranks_exact_before_stem_matches(gaz):
    dali_city = one(gaz.lookup("大理市"))
    found = gaz.find_under("天井社区", dali_city.id)
    assert [(d.name, d.level) for d in found] == [
        ("天井社区", L.COMMUNITY), ("天井村", L.VILLAGE)]


def test_find_under_stem_match_keeps_the_suffix_level(gaz):
    beijing = one(gaz.lookup("北京市"))
    assert [d.name for d in gaz.find_under("朝阳区", beijing.id)] == ["朝阳区"]
    assert "朝阳村" in [d.name for d in gaz.find_under("朝阳村", beijing.id)]


def test_find_under_ignores_names_outside_the_ancestor(gaz):
    assert gaz.find_under("牛街乡", one(gaz.lookup("嘉定区")).id) == []


def test_village_found_under_its_township_though_common_nationwide(gaz):
    assert len(gaz.lookup("东南村")) > 50
    shangshuai = one(gaz.lookup("上帅镇"))
    village = one(gaz.find_under("东南村", shangshuai.id))
    assert village.level == L.VILLAGE
    assert [d.name for d in gaz.chain(village.id)] == [
        "广东省", "清远市", "连山壮族瑶族自治县", "上帅镇", "东南村"]


def test_county_homonyms_kept_apart_by_parent(gaz):
    chaoyang = gaz.lookup("朝阳区")
    assert [gaz.get(d.parent).name for d in chaoyang] == ["北京市", "长春市"]
    beijing, changchun = (one(gaz.lookup(n, levels={L.PROVINCE, L.PREFECTURE}))
                          for n in ("北京市", "长春市"))
    assert one(gaz.find_under("朝阳区", beijing.id)).id == chaoyang[0].id
    assert one(gaz.find_under("朝阳区", changchun.id)).id == chaoyang[1].id


def test_township_homonyms_resolve_inside_their_county(gaz):
    chengguan = gaz.lookup("城关镇")
    assert len(chengguan) > 50
    assert len({d.parent for d in chengguan}) == len(chengguan)
    for div in chengguan[:5]:
        assert one(gaz.find_under("城关镇", div.parent)).id == div.id


def test_lookup_ranks_higher_level_first(gaz):
    assert [(d.name, d.level) for d in gaz.lookup("大理")] == [
        ("大理白族自治州", L.PREFECTURE), ("大理市", L.COUNTY)]


def test_lookup_accepts_short_forms(gaz):
    assert one(gaz.lookup("大理州")).name == "大理白族自治州"
    assert one(gaz.lookup("广西")).name == "广西壮族自治区"
    assert one(gaz.lookup("连山县")).name == "连山壮族瑶族自治县"
    assert one(gaz.lookup("海南", levels={L.PROVINCE})).name == "海南省"


def test_lookup_keeps_hong_kong_macao_taiwan(gaz):
    assert one(gaz.lookup("香港")).id == "810000"
    assert one(gaz.lookup("澳门")).id == "820000"
    taipei = one(gaz.lookup("台北市"))
    assert taipei.parent == "710000"
    assert len(gaz.children(taipei.id)) == 12


def test_surface_forms_include_full_and_short_forms(gaz):
    forms = gaz.surface_forms()
    dali = one(gaz.lookup("大理白族自治州")).id
    lianshan = one(gaz.lookup("连山壮族瑶族自治县")).id
    assert forms["大理州"] == [dali]
    assert forms["大理"] == [dali]  # not 大理市: two-character county stems are left out
    assert forms["大理白族自治州"] == [dali]
    assert forms["连山县"] == [lianshan]
    assert forms["广东"] == forms["广东省"] == ["440000"]
    assert forms["清远"] == forms["清远市"] == ["441800"]
    assert forms["朝阳区"] == ["110105", "220104"]


@pytest.mark.parametrize("form", ["连山", "嘉定", "朝阳", "高新区", "来宾", "东区", "城区"])
def test_surface_forms_leave_out_common_words(gaz, form):
    assert form not in gaz.surface_forms()


def test_surface_forms_have_no_single_characters(gaz):
    assert min(len(form) for form in gaz.surface_forms()) >= 2


def test_short_name(gaz):
    assert gaz.short_name(one(gaz.lookup("大理白族自治州"))) == "大理"
    assert gaz.short_name(one(gaz.lookup("海南藏族自治州"))) == "海南州"
    midu = one(gaz.lookup("弥渡县"))
    assert gaz.short_name(one(gaz.find_under("牛街乡", midu.id, levels={L.TOWNSHIP}))) == "牛街"


def test_is_within_follows_ancestors_only(gaz):
    village = one(gaz.find_under("东南村", one(gaz.lookup("上帅镇")).id))
    assert gaz.is_within(village.id, "440000")
    assert gaz.is_within(village.id, village.id)
    assert not gaz.is_within("440000", village.id)
    assert not gaz.is_within(village.id, "530000")


def test_get_round_trips_ids_and_rejects_unknown(gaz):
    village = one(gaz.find_under("东南村", one(gaz.lookup("上帅镇")).id))
    for div in gaz.chain(village.id):
        assert gaz.get(div.id) == div
    for bad in ("999999", "441825-999", "441825-1", ""):
        assert bad not in gaz
        with pytest.raises(KeyError):
            gaz.get(bad)


def test_children_are_direct_only(gaz):
    midu = one(gaz.lookup("弥渡县"))
    kids = gaz.children(midu.id)
    assert kids and all(k.parent == midu.id and k.level == L.TOWNSHIP for k in kids)


def test_import_loads_nothing():
    code = "import kg.gazetteer as g; print(g.load_gazetteer.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "0"


def test_rows_out_of_order_are_reported(tmp_path):
    path = tmp_path / "bad.tsv.gz"
    rows = [HEADER, "110000\t\tprovince\t北京市\t北京", "110101-001\t110101\ttownship\tX街道\t"]
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    with pytest.raises(InputError, match="bad.tsv.gz:3"):
        load_gazetteer(path)


@pytest.mark.skipif(importlib.util.find_spec("jionlp") is None, reason="needs jionlp's data")
def test_build_is_deterministic_and_matches_committed_file(tmp_path):
    outs = [tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"]
    for out in outs:
        subprocess.run([sys.executable, str(BUILD), "--out", str(out)], check=True,
                       capture_output=True)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert outs[0].read_bytes() == DATA_PATH.read_bytes()


def test_ethnic_groups_lists_all_55_minorities():
    from kg.gazetteer import ETHNIC_GROUPS
    assert len(set(ETHNIC_GROUPS)) == 55 and all(g.endswith("族") for g in ETHNIC_GROUPS)


def _descendants(gaz, div_id):
    for child in gaz.children(div_id):
        yield child
        yield from _descendants(gaz, child.id)


def _find_under_by_scan(gaz, name, ancestor_id):
    """The rule find_under documents, applied to every descendant in turn."""
    from kg.gazetteer import _stem_level_codes
    from kg.model import PlaceLevel

    codes, stem = _stem_level_codes(name), strip_suffix(name)
    level_code = {str(level): code for code, level in enumerate(
        (PlaceLevel.PROVINCE, PlaceLevel.PREFECTURE, PlaceLevel.COUNTY, PlaceLevel.TOWNSHIP,
         PlaceLevel.VILLAGE, PlaceLevel.COMMUNITY))}
    exact, loose = [], []
    for div in _descendants(gaz, ancestor_id):
        if div.name == name or name in div.aliases:
            exact.append(div.id)
        elif ((codes is None or level_code[str(div.level)] in codes)
              and strip_suffix(div.name) == stem):
            loose.append(div.id)
    return exact, loose


@pytest.mark.parametrize("county,names", [
    ("弥渡县", ["牛街乡", "寅街乡", "寅街镇", "新街村", "新街", "弥城镇", "红岩村", "苴力村委会"]),
    ("大理市", ["天井社区", "天井村", "大理镇", "下关街道", "凤仪", "喜洲镇", "满江"]),
])
def test_find_under_equals_a_scan_of_every_descendant(gaz, county, names):
    anchor = one(gaz.lookup(county)).id
    for name in names:
        exact, loose = _find_under_by_scan(gaz, name, anchor)
        found = [d.id for d in gaz.find_under(name, anchor)]
        assert sorted(found) == sorted(exact + loose), name
        assert set(found[:len(exact)]) == set(exact), name
