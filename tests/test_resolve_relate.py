"""Resolution and relations on hand-built articles: context, identity, title chains."""
from __future__ import annotations

import pytest

from kg.model import Article, EntityType, RelationType, Sentence
from kg.pipeline import extract_article, extract_text
from kg.segment import split_sentences


def article(text: str, *, aid: str = "a", source: str = "a.txt") -> Article:
    sents = tuple(Sentence(s, e) for s, e in split_sentences(text))
    return extract_article(Article(aid, source, text, sentences=sents))


def names(art: Article, etype: EntityType) -> set[str]:
    return {e.name for e in art.entities if e.type is etype}


def facts(art: Article, rtype: RelationType) -> set[tuple[str, ...]]:
    by_key = {e.key: e.name for e in art.entities}
    return {(by_key[r.subject], r.role, by_key[r.object]) if r.role else (by_key[r.subject], by_key[r.object])
            for r in art.relations if r.type is rtype}


def test_该村_resolves_to_the_last_village_named():
    art = article("在广东省清远市连山壮族瑶族自治县上帅镇东南村，该村党支部书记黄家瑛说。")
    assert "东南村党支部" in names(art, EntityType.ORGANIZATION)
    assert ("黄家瑛", "书记", "东南村党支部") in facts(art, RelationType.HOLDS_POST)


def test_市委_takes_the_prefix_of_the_city_of_the_article():
    art = article("河南省许昌市开展工作。当月，市委在全市部署。")
    assert "许昌市委" in names(art, EntityType.ORGANIZATION)


def test_short_form_joins_its_full_name():
    art = article("云南省大理白族自治州弥渡县。大理州种子管理站党支部书记杨银生说。")
    places = [e for e in art.entities if e.type is EntityType.PLACE and "大理" in e.name]
    assert len(places) == 1 and places[0].name == "大理白族自治州"


def test_title_chain_gives_one_fact_per_post():
    art = article("河南省许昌市魏都区委副书记、区长李淼说。")
    assert facts(art, RelationType.HOLDS_POST) == {("李淼", "副书记", "魏都区委"), ("李淼", "区长", "魏都区")}


def test_non_party_post_after_a_party_branch_belongs_to_the_parent_body():
    art = article("云南省大理州计生协会党支部书记、副会长杨立英说。")
    assert ("杨立英", "副会长", "大理州计生协会") in facts(art, RelationType.HOLDS_POST)


def test_past_posts_are_marked_past():
    art = article("河南省许昌市魏都区委原书记李某某说。")
    rels = [r for r in art.relations if r.type is RelationType.HOLDS_POST]
    assert rels and all(r.attr("past") == "1" for r in rels)


def test_place_chain_gives_immediate_parents_only():
    art = article("广东省清远市连山壮族瑶族自治县上帅镇东南村")
    assert facts(art, RelationType.PART_OF) == {
        ("清远市", "广东省"), ("连山壮族瑶族自治县", "清远市"), ("上帅镇", "连山壮族瑶族自治县"),
        ("东南村", "上帅镇")}


def test_sub_organisation_and_location_of_a_department():
    art = article("许昌市委组织部相关负责人介绍。")
    assert ("许昌市委组织部", "许昌市委") in facts(art, RelationType.SUB_ORGANIZATION_OF)
    assert ("许昌市委组织部", "许昌市") in facts(art, RelationType.LOCATED_IN)


def test_launch_actor_is_the_most_specific_place_of_the_subject_chain():
    art = article("浙江省湖州市吴兴区推出干部“积分制”考核管理。")
    assert ("吴兴区", "积分制") in facts(art, RelationType.LAUNCHED)


def test_place_of_filing_in_a_dateline_is_no_actor():
    corpus = extract_text("## 深化党建联建\n\n本报南昌2月7日电（记者周欢）江西萍乡市湘东区推行“五方联动”工作机制。")
    assert facts(corpus.articles[0], RelationType.LAUNCHED) == {("湘东区", "五方联动")}


def test_该中心_points_to_the_last_centre():
    art = article("上海市崇明区东平镇社区事务受理服务中心很忙。该中心受理事项很多。")
    centre = next(e for e in art.entities if e.name == "东平镇社区事务受理服务中心")
    assert len(centre.spans) == 2


def test_evidence_names_the_sentence_that_states_the_fact():
    art = article("第一句话。河南省许昌市魏都区委副书记、区长李淼说。")
    rel = next(r for r in art.relations if r.type is RelationType.HOLDS_POST)
    assert "李淼" in art.sentence_text(rel.sentence)


def test_one_person_node_across_articles_of_one_place():
    corpus = extract_text("## 一\n\n本报记者 王梅\n\n河南省许昌市魏都区委书记张三丰说。\n\n"
                          "## 二\n\n本报记者 王梅\n\n许昌市魏都区委书记张三丰表示。\n")
    keys = {e.key for a in corpus.articles for e in a.entities if e.name == "张三丰"}
    assert len(keys) == 1


def test_two_people_of_one_name_in_different_places_stay_two():
    corpus = extract_text("## 一\n\n本报记者 王梅\n\n广东省清远市委书记张三丰说。\n\n"
                          "## 二\n\n本报记者 王梅\n\n河南省许昌市委书记张三丰说。\n")
    keys = {e.key for a in corpus.articles for e in a.entities if e.name == "张三丰"}
    assert len(keys) == 2


@pytest.mark.parametrize("text", ["", "。", "a", "“", "该村", "市委书记", "《》", "\n\n\n"])
def test_extraction_never_raises_on_odd_text(text):
    corpus = extract_text(text)
    assert corpus.problems == ()


def test_新任_between_place_and_body_is_not_part_of_the_body():
    art = article("浙江省景宁县鹤溪街道新任党工委书记叶康说。")
    assert ("叶康", "书记", "鹤溪街道党工委") in facts(art, RelationType.HOLDS_POST)


def test_body_的_name_post_gives_a_post():
    art = article("江苏省南京市，南京农业大学的潘根兴教授带领学生。")
    assert ("潘根兴", "教授", "南京农业大学") in facts(art, RelationType.HOLDS_POST)


def test_a_titled_person_is_the_actor_not_the_body_of_the_title():
    art = article("河南省许昌市委政策研究室主任李密以“五星”党支部创建为抓手。")
    assert ("李密", "五星") in facts(art, RelationType.LAUNCHED)


def test_department_post_stays_with_the_department():
    art = article("河南省许昌市委政策研究室主任李密说。")
    assert ("李密", "主任", "许昌市委政策研究室") in facts(art, RelationType.HOLDS_POST)


def test_a_body_listed_after_another_shares_its_place():
    art = article("上海市宝山区罗泾镇社会事务办（老龄办）、司法所很忙。")
    assert {"罗泾镇社会事务办", "罗泾镇司法所"} <= names(art, EntityType.ORGANIZATION)


def test_a_reference_before_long_modifiers_is_resolved():
    art = article("云南省大理州。州农作物种子质量监督检测中心主任说。")
    assert "大理州农作物种子质量监督检测中心" in names(art, EntityType.ORGANIZATION)


def test_a_clause_between_a_body_and_a_head_is_no_name():
    art = article("阳山县七拱镇石角村两委多方筹措资金建设党群服务中心。")
    assert not any("筹措" in n for n in names(art, EntityType.ORGANIZATION))


def test_listed_stems_before_等村_are_villages():
    art = article("山东省东营市东营区六户镇。由武王村带头，联合神堂、小许、东辛集等村创建党群联合社。")
    assert {"神堂村", "小许村", "东辛集村"} <= names(art, EntityType.PLACE)
