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


# ---- bodies named through context, chains and quotes ----------------------------------

def orgs_of(text: str) -> set[str]:
    return names(article(text), EntityType.ORGANIZATION)


def test_a_one_character_verb_with_its_object_stays_inside_a_body_name():
    art = article("湖南省长沙市。长沙市万人助企办公室主任刘建国说。")
    assert ("刘建国", "主任", "长沙市万人助企办公室") in facts(art, RelationType.HOLDS_POST)


def test_a_reference_after_a_verb_of_asking_names_the_body_of_the_city():
    assert "长沙市供水公司" in orgs_of("湖南省长沙市。居民们主动找市供水公司反映问题。")


def test_a_village_name_the_recognisers_missed_is_no_reference_to_another_village():
    art = article("湖南省长沙市望城区白沙村。幸福村党支部书记刘建国说。")
    assert not facts(art, RelationType.HOLDS_POST)


def test_each_body_of_a_title_chain_takes_its_own_posts():
    art = article("四川省成都市武侯区。武侯区委常委、区政府副区长王建华说。")
    assert facts(art, RelationType.HOLDS_POST) == {("王建华", "常委", "武侯区委"),
                                                    ("王建华", "副区长", "武侯区政府")}


def test_a_charge_phrase_between_a_body_and_its_posts_keeps_them_the_bodys():
    art = article("四川省成都市。成都市公安局分管户政的党委委员、副局长王建华说。")
    assert facts(art, RelationType.HOLDS_POST) == {("王建华", "委员", "成都市公安局党委"),
                                                    ("王建华", "副局长", "成都市公安局")}
    assert ("成都市公安局党委", "成都市公安局") in facts(art, RelationType.SUB_ORGANIZATION_OF)


def test_该中心党支部_and_a_clause_opening_中心党支部_are_the_centres_branch():
    art = article("四川省成都市武侯区浆洗街道。浆洗街道便民服务中心很忙。该中心党支部书记、主任王建华说。"
                  "“服务好群众。”中心党支部书记刘建国说。")
    assert facts(art, RelationType.HOLDS_POST) == {
        ("王建华", "书记", "浆洗街道便民服务中心党支部"), ("王建华", "主任", "浆洗街道便民服务中心"),
        ("刘建国", "书记", "浆洗街道便民服务中心党支部")}


def test_community_bodies_take_the_township_whose_own_community_body_was_named():
    found = orgs_of("上海市闵行区七宝镇。七宝镇社区党群服务中心开放了。居民到社区学校、社区文化活动中心参加活动。"
                    "各社区服务中心也开放。")
    assert {"七宝镇社区学校", "七宝镇社区文化活动中心"} <= found
    assert not any(n.startswith("各") or n == "七宝镇社区服务中心" for n in found)


def test_a_forward_reference_does_not_leave_its_paragraph():
    far = extract_text("## 标题\n\n村“两委”推荐人选。\n\n湖南省长沙市望城区白沙村党支部书记刘建国说。")
    near = extract_text("## 标题\n\n“村‘两委’带头干。”湖南省长沙市望城区白沙村党支部书记刘建国说。")
    assert "白沙村两委" not in names(far.articles[0], EntityType.ORGANIZATION)
    assert "白沙村两委" in names(near.articles[0], EntityType.ORGANIZATION)


def test_quoted_names_with_a_body_word_are_bodies_not_programmes():
    art = article("湖南省长沙市望城区白沙街道。白沙街道组建“白沙义工”志愿服务队，引进社会组织“邻里汇”参与管理。"
                  "白沙街道以“五星”党支部创建为抓手。")
    assert {"白沙义工志愿服务队", "邻里汇"} <= names(art, EntityType.ORGANIZATION)
    assert ("白沙义工志愿服务队", "白沙街道") in facts(art, RelationType.LOCATED_IN)
    assert "五星党支部" not in names(art, EntityType.ORGANIZATION)
    assert names(art, EntityType.INITIATIVE) == {"五星"}


def test_a_body_founded_under_a_quoted_name_sits_in_the_founding_place():
    art = article("江西省吉安市永丰县以“校企合作”为主线，成立“新材料产业人才专班”，深入企业。")
    assert ("新材料产业人才专班", "永丰县") in facts(art, RelationType.LOCATED_IN)


def test_a_township_short_form_opens_a_body_name():
    art = article("湖南省长沙市望城区白沙街道。“欢迎大家。”白沙荷塘民宿负责人刘建国说。")
    assert ("白沙荷塘民宿", "白沙街道") in facts(art, RelationType.LOCATED_IN)
    assert ("刘建国", "负责人", "白沙荷塘民宿") in facts(art, RelationType.HOLDS_POST)


def test_a_residents_committee_listed_after_a_township_body_is_the_communitys():
    found = orgs_of("上海市宝山区大场镇。家住大场镇乐业社区的老人来访。我们和大场镇信访办、居委会干部一起走访。")
    assert "乐业社区居委会" in found and "大场镇居委会" not in found


def test_kinds_of_body_listed_before_等_and_a_collective_noun_are_no_bodies():
    assert not orgs_of("陕西省榆林市佳县木头峪村。重点盘活村委会、学校等公共资源。")


def test_the_next_body_of_a_title_chain_after_a_post():
    art = article("山西省太原市。太原市委常委、组织部部长王建华说。太原市供水公司总经理、党委书记刘建国说。")
    assert {("王建华", "部长", "太原市委组织部"), ("刘建国", "书记", "太原市供水公司党委")} <= \
        facts(art, RelationType.HOLDS_POST)
    assert ("太原市委组织部", "太原市委") in facts(art, RelationType.SUB_ORGANIZATION_OF)


def test_a_branch_after_a_party_body_and_post_is_not_a_place_body():
    assert "太原纪委" not in orgs_of("山西省太原市。太原煤气公司党委副书记、纪委书记刘建国说。")


def test_zones_and_landmarks_find_the_place_they_lie_in():
    art = article("江苏省南京市江宁区。江宁经济开发区党工委书记王建华说。在周边已建成汤山纪念馆等红色基地，"
                  "成为江宁区党员培训课堂。江宁区汤山街道龙尚村的富硒产业园很大。")
    assert {("江宁经济开发区", "江宁区"), ("汤山纪念馆", "江宁区"), ("富硒产业园", "龙尚村")} <= \
        facts(art, RelationType.PART_OF)


def test_a_zone_lies_in_the_place_inside_its_name_rather_than_the_chain_before_it():
    art = article("江苏省南京市江宁区汤山街道龙尚村富硒生态产业园")
    assert ("龙尚村富硒生态产业园", "龙尚村") in facts(art, RelationType.PART_OF)


def test_a_youth_league_committee_sits_in_its_place():
    art = article("云南省昆明市。共青团昆明市委开展活动。")
    assert ("共青团昆明市委", "昆明市") in facts(art, RelationType.LOCATED_IN)


def test_部门_after_a_ministry_name_is_departments_not_the_ministry():
    assert "民政部" not in orgs_of("全省各级民政部门积极行动。")


# ---- who launched a programme ---------------------------------------------------------

def test_the_body_written_as_owner_launched_it_not_the_participant():
    art = article("浙江省温州市鹿城区。鹿城区组织干部参加了温州市民政局的“邻里帮扶计划”。")
    assert facts(art, RelationType.LAUNCHED) == {("温州市民政局", "邻里帮扶计划")}


def test_a_participant_launches_nothing():
    art = article("浙江省温州市。温州市推行“周末讲堂”制度。刘建国每次参加“周末讲堂”活动都有收获。")
    assert facts(art, RelationType.LAUNCHED) == {("温州市", "周末讲堂")}


def test_a_speaker_reports_the_subject_after_the_speech_verb():
    art = article("浙江省温州市瑞安市。温州市委组织部副部长刘建国介绍，瑞安市推出“一码通办”机制。")
    assert facts(art, RelationType.LAUNCHED) == {("瑞安市", "一码通办")}


def test_a_branch_written_after_its_body_is_the_actor():
    art = article("四川省成都市武侯区浆洗街道。浆洗街道便民服务中心很忙。"
                  "中心党支部持续开展“岗位建功”主题活动。")
    assert facts(art, RelationType.LAUNCHED) == {("浆洗街道便民服务中心党支部", "岗位建功")}


# ---- posts whose body is the place in context ----------------------------------------

def test_a_post_that_names_its_level_belongs_to_the_place_of_that_level_in_context():
    art = article("在湖南省长沙市望城区白沙镇，副镇长刘建国正在梳理工作。刘建国作为副镇长，积极推动产业发展。")
    assert facts(art, RelationType.HOLDS_POST) == {("刘建国", "副镇长", "白沙镇")}


def test_a_post_with_no_level_and_no_body_gives_nothing():
    art = article("在湖南省长沙市望城区白沙镇，主任刘建国正在梳理工作。")
    assert not facts(art, RelationType.HOLDS_POST)


def test_a_title_chain_goes_on_through_a_post_that_names_its_level():
    art = article("湖南省长沙市望城区白沙镇荷花村，村党支部书记、村委会主任、村级河长刘建国带队巡河。")
    assert facts(art, RelationType.HOLDS_POST) == {
        ("刘建国", "书记", "荷花村党支部"), ("刘建国", "主任", "荷花村委会"), ("刘建国", "河长", "荷花村")}


def test_a_clause_opening_with_担任_takes_the_person_named_before_it():
    art = article("一纸通知，使刘建国来到湖南省长沙市望城区白沙镇荷花村，担任驻村第一书记。")
    assert facts(art, RelationType.HOLDS_POST) == {("刘建国", "第一书记", "荷花村")}


def test_nouns_joined_by_和_inside_one_name_make_one_body():
    art = article("四川省成都市。成都市文化旅游和广播电视局局长刘建国说。成都市公安局和交通局联合执法。")
    found = names(art, EntityType.ORGANIZATION)
    assert ("刘建国", "局长", "成都市文化旅游和广播电视局") in facts(art, RelationType.HOLDS_POST)
    assert "广播电视局" not in found and not any("公安局和" in n for n in found)


def test_a_kind_of_township_after_a_city_names_no_body_of_the_city():
    found = orgs_of("山西省长治市。长治市重点乡镇党委书记登台。在长治市，乡镇党委发挥作用。")
    assert not any("乡镇党委" in n or n.endswith("镇镇党委") for n in found)


def test_组织部门_is_no_department_of_the_city():
    assert "长治市组织部" not in orgs_of("山西省长治市。长治市组织部门随时随地了解干部。")


def test_the_body_that_issued_a_document_launched_it():
    art = article("山西省长治市平顺县。县长说的文件，是平顺县委组织部出台的《关于推进村级联建的指导意见》。")
    assert facts(art, RelationType.LAUNCHED) == {("平顺县委组织部", "关于推进村级联建的指导意见")}


def test_a_body_a_place_builds_named_by_its_head_alone_is_that_places():
    art = article("湖南省长沙市望城区白沙镇荷花村两委多方筹措资金建设党群服务中心，更好服务群众。"
                  "望城区以党建引领发展，推动企业组建党建联盟。")
    assert ("荷花村党群服务中心", "荷花村") in facts(art, RelationType.LOCATED_IN)
    assert not any(n.endswith("党建联盟") for n in names(art, EntityType.ORGANIZATION))


def test_a_body_named_with_its_place_is_found_again_without_it():
    art = article("山东省东营市。东营经济技术开发区稀土催化产业链党委举办座谈会。自成立以来，"
                  "稀土催化产业链党委通过举办“产业链圆桌会议”等活动解决困难。")
    body = next(e for e in art.entities if e.name == "东营经济技术开发区稀土催化产业链党委")
    assert len(body.spans) == 2
    assert facts(art, RelationType.LAUNCHED) == {("东营经济技术开发区稀土催化产业链党委", "产业链圆桌会议")}


def test_a_programme_with_no_actor_in_its_paragraph_is_the_headline_places():
    corpus = extract_text("## 黑龙江绥化市优化营商环境\n\n本报哈尔滨1月11日电（记者王梅）市民很满意。\n\n"
                          "与此同时，企业登记全部进入“企业开办一网通办”平台。\n")
    assert facts(corpus.articles[0], RelationType.LAUNCHED) == {("绥化市", "企业开办一网通办")}


def test_a_title_used_before_的_and_a_name_after_时任_or_a_verb_is_a_post():
    art = article("湖南省长沙市望城区白沙镇荷花村。时任白沙镇党委书记的刘建国带头干。"
                  "担任荷花村党支部书记的王建华说。镇党委书记的女儿李四来了。")
    rels = {(r.role, r.attr("past")) for r in art.relations if r.type is RelationType.HOLDS_POST}
    assert facts(art, RelationType.HOLDS_POST) == {("刘建国", "书记", "白沙镇党委"),
                                                    ("王建华", "书记", "荷花村党支部")}
    assert rels == {("书记", "1"), ("书记", "")}


def test_a_village_with_no_known_parent_lies_in_the_one_township_of_its_sentence():
    art = article("四川省广安市广安区。图为白沙镇党员干部在沙坪岭村搬运树木。")
    assert ("沙坪岭村", "白沙镇") in facts(art, RelationType.PART_OF)


@pytest.mark.parametrize("text, fact", [
    ("深圳市长王荣表示，要加快发展。", ("王荣", "市长", "深圳市")),
    ("财政部长楼继伟说，财政收入增长。", ("楼继伟", "部长", "财政部")),
])
def test_a_head_post_sharing_its_first_character_with_the_body_belongs_to_it(text, fact):
    assert fact in facts(article(text), RelationType.HOLDS_POST)


def test_a_longer_word_after_a_body_is_no_shared_head_post():
    art = article("国防部长期以来重视这项工作。")
    assert not [m for m in art.mentions if m.label is EntityType.POST]


def test_an_education_campaign_is_launched_only_by_the_subject_of_its_own_sentence():
    art = article("红星镇位于山区。红星镇党委在深入开展党史学习教育中走访群众。\n\n"
                  "第二批主题教育开展以来，成效明显。")
    launched = facts(art, RelationType.LAUNCHED)
    assert ("红星镇党委", "党史学习教育") in launched
    assert not [f for f in launched if f[1] == "第二批主题教育"]
