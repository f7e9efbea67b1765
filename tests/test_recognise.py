"""Recognisers on hand-built sentences: each row is one behaviour."""
from __future__ import annotations

import pytest

from kg.model import Article, EntityType, Sentence
from kg.recognise import recognise


def mentions(text: str, label: EntityType, byline: tuple[str, ...] = ()) -> list[str]:
    article = Article("t", "t.txt", text, sentences=(Sentence(0, len(text)),), byline=byline)
    return [m.text for m in recognise(article).mentions if m.label is label]


PLACES = [
    ("广东省清远市连山壮族瑶族自治县上帅镇东南村的议事亭", ["广东省", "清远市", "连山壮族瑶族自治县", "上帅镇", "东南村"]),
    ("冬日的连南瑶族自治县三江镇东和村环境优美", ["连南瑶族自治县", "三江镇", "东和村"]),  # 和 inside a chain stem
    ("浙江多措并举", ["浙江"]),  # province short form
    ("大理州弥渡县红岩镇", ["大理州", "弥渡县", "红岩镇"]),
    ("湘东区深化社区党建联建", ["湘东区"]),  # 深化社区 is a verb phrase, not a place
    ("全村三个村都是示范村", []),  # counts and generic words are not places
    ("把论坛开到项目现场和田间地头", []),  # 和|田间: a short form opening with a function word
    ("六户镇辖区内的村居党组织", ["六户镇"]),  # a phrase with 的 is no chain stem
    ("成了远近闻名的富裕社区", []),  # a describing adjective is no name
    ("先进村分别是张村村、东弄村三个村", ["张村村", "东弄村"]),  # jieba glued 村|村
    ("村支书周明、吴华、郑强等村干部参加会议", []),  # 等村干部: people, not villages
    ("巩固脱贫攻坚成果同乡村全面振兴有效衔接", []),  # 同|乡村: countryside, not 同乡村
    ("带领群众共建和美乡村。", []),
    ("周末去度假村，知青上山下乡，建设艺术村", []),  # common words that end in 村/乡
    ("党组织村是包凤村、敦木山村、三枝树村", ["包凤村", "敦木山村", "三枝树村"]),  # and 山|村
    ("美丽乡村建设", []),  # 乡村 is an ordinary word
    ("他在兴隆村驻村三年", ["兴隆村"]),  # so is 驻村
    ("他在大理石厂工作", []),  # a short form inside a longer word
]


@pytest.mark.parametrize("text,expected", PLACES)
def test_places_found_with_their_full_names(text, expected):
    assert mentions(text, EntityType.PLACE) == expected


ORGS = [
    ("该村党支部书记黄某说", ["该村党支部"]),
    ("许昌市公安局党委委员", ["许昌市公安局党委", "许昌市公安局"]),  # parent body kept
    ("清远市委组织部相关负责人说", ["清远市委组织部", "清远市委"]),
    ("记者从公安部获悉", ["公安部"]),
    ("清远市基层党组织", []),  # 党组 inside 党组织 is no head
    ("他当即召集村两委班子", ["村两委"]),
    ("村“两委”推荐人选", ["村“两委”"]),  # the head written in quotes
    ("引进社会组织“邻里汇”参与管理", ["邻里汇"]),  # a class noun before a quoted name
    ("全省各级民政部门", []),  # 部门 is no ministry
    ("苏州工业园区管委会主任", ["苏州工业园区管委会"]),  # a general organisation head
]


@pytest.mark.parametrize("text,expected", ORGS)
def test_organisations_start_at_a_place_or_a_reference(text, expected):
    assert mentions(text, EntityType.ORGANIZATION) == expected


PERSONS = [
    ("历任材料会计、成本会计、成本主管；", []),  # 成本|会计 is one word, not a name + post
    ("他将任职副董事长。", []),  # 任职 is an ordinary word before the post
    ("出版社科技专家顾问。", []),  # 顾问 is a post, not a name after 专家
    ("用心做好每一件关乎群众利益的事", []),  # 群众|利益: the cue ends inside a word
    ("他在村民家走访。", []),  # 家|走访: a common verb is no part of a name
    ("该村党支部书记黄家瑛说", ["黄家瑛"]),  # post before, speech cue after
    ("村民陆如献说", ["陆如献"]),  # person cue before
    ("参会的济南市人大代表杨薇羽把品牌建设作为突破点", ["杨薇羽"]),
    ("崔刚介绍，今年有近2000个大棚采用这项技术", ["崔刚"]),  # name before a speech cue
    ("少数干部宁愿待在山区", []),  # an ordinary word after a post
    ("今天小雨转多云", []),
]


@pytest.mark.parametrize("text,expected", PERSONS)
def test_persons_need_a_context_that_says_person(text, expected):
    assert mentions(text, EntityType.PERSON) == expected


CREDITS = [
    ("干部在沙星村搬运折断的树木。张国盛罗青山摄\n", ["张国盛", "罗青山"]),
    ("图由永修县有机硅产业和金和平摄（人民视觉）", ["金和平"]),
    ("本版责编：苏显龙赵晓曦何昭宇\n", ["苏显龙", "赵晓曦", "何昭宇"]),
    ("左下图：河道。\n\n林芯摄陈文相摄\n", ["林芯", "陈文相"]),  # two credits in a row
    ("他拍摄了照片。", []),
]


@pytest.mark.parametrize("text,expected", CREDITS)
def test_photo_and_editor_credits_name_persons(text, expected):
    assert mentions(text, EntityType.PERSON) == expected


def test_a_name_found_once_is_found_at_each_later_mention():
    text = "村民陆如献说，大家都认识他。后来陆如献又来了。"
    assert mentions(text, EntityType.PERSON) == ["陆如献", "陆如献"]


def test_byline_names_are_persons_wherever_they_appear():
    assert mentions("本报记者肖家鑫", EntityType.PERSON, byline=("肖家鑫",)) == ["肖家鑫"]


INITIATIVES = [
    ("推行居委会、业委会“五方联动”工作机制", ["五方联动"]),
    ("嘉兴市深入开展“指尖上的形式主义”专项治理", ["指尖上的形式主义"]),
    ("形成了“大事共商，小事互助”的良性互动局面", []),  # a slogan with a comma
    ("“村干部是我们的贴心人！”村民说", []),  # speech
    ("提出“清远市基层党组织书记‘十个思考’”", ["十个思考"]),  # the nested name only
    ("研究出台《激励干部担当作为若干措施》", ["激励干部担当作为若干措施"]),
    ("印发《关于实施村级联建的指导意见（试行）》", ["关于实施村级联建的指导意见（试行）"]),
    ("他爱读《红楼梦》，也玩《魔兽世界》", []),  # books and games are no documents
    ("私募投资基金监督管理条例、未成年人网络保护条例已公布", ["私募投资基金监督管理条例", "未成年人网络保护条例"]),
    ("通过“书记带领书记学”“书记提问书记答”等方式", ["书记带领书记学", "书记提问书记答"]),
    ("景宁县推行党建绩效离任评审制度", ["党建绩效离任评审制度"]),  # unquoted: verb + nouns + head
    ("各地健全综合考核机制", []),  # 健全 takes generic nouns
    ("同时推出村医参与养老服务激励机制，保证服务", ["村医参与养老服务激励机制"]),  # head inside a word
    ("该所荣获“全国巾帼文明岗”等荣誉称号", []),  # an honour
    ("突破“各自为战”传统模式", []),  # a practice left behind
    ("让“典型性经验”转化为普遍做法", []),  # a description, not a name
    ("美丽乡村建设、“三资”清理等工作得以推进", ["三资"]),  # 清理 is a campaign word
    ("红星镇党委在深入开展党史学习教育活动中", ["党史学习教育"]),  # an education campaign
    ("第三批主题教育开展以来，各地积极行动", ["第三批主题教育"]),
    ("推动学习教育走深走实", []),  # what is studied is not named
    ("主题教育领导小组办公室通报了问题", []),  # a body named after the campaign
]


@pytest.mark.parametrize("text,expected", INITIATIVES)
def test_initiatives_are_named_programmes_not_slogans(text, expected):
    assert mentions(text, EntityType.INITIATIVE) == expected


def test_posts_inside_organisation_names_are_not_posts():
    assert mentions("历城区草莓产业人大代表工作站的站长", EntityType.POST) == ["站长"]


def test_a_title_noun_right_before_a_name_is_a_post():
    from kg.recognise.person import propose_titles
    from kg.recognise.tokens import TokenIndex, tokenize
    from kg.model import EntityType, Mention

    text = "签证官江德力和村民谈话。"
    person = Mention(3, 6, "江德力", EntityType.PERSON, "crf")
    titles = propose_titles(text, [person], set(), TokenIndex(tokenize(text)))
    assert [(m.text, m.label) for m in titles] == [("签证官", EntityType.POST)]
    villager = Mention(8, 10, "村民", EntityType.PERSON, "crf")  # 和 before it is no title
    assert propose_titles(text, [villager], set(), TokenIndex(tokenize(text))) == []


def test_a_programme_named_once_is_found_at_each_later_mention_of_its_whole_name():
    text = "湖州市推行“周末无会”制度。“周末无会”执行以来，效果很好。收到一份“周末无会报告”。"
    assert mentions(text, EntityType.INITIATIVE) == ["周末无会", "周末无会"]


def test_an_unquoted_programme_is_found_again_without_its_head_word():
    text = "景宁县推行干部离任评审制度。她接受了组织部的干部离任评审。"
    assert mentions(text, EntityType.INITIATIVE) == ["干部离任评审制度", "干部离任评审"]


@pytest.mark.parametrize("text, name, expected", [
    ("市政府调研员李文斌参加会议。", "李文斌", ["调研员"]),  # a noun ending in 员, 3 chars on
    ("著名书法家欧阳中石题写了牌匾。", "欧阳中石", ["书法家"]),
    ("村里的党员张明带头捐款。", "张明", []),  # a member is not a post
])
def test_long_title_nouns_before_a_name_are_posts_members_are_not(text, name, expected):
    from kg.recognise.person import propose_titles
    from kg.recognise.tokens import TokenIndex, tokenize
    from kg.model import Mention

    tokens = TokenIndex(tokenize(text))
    start = text.index(name)
    person = Mention(start, start + len(name), name, EntityType.PERSON, "crf")
    assert [m.text for m in propose_titles(text, [person], set(), tokens)] == expected


def test_a_sure_crf_name_right_after_a_post_stands_with_a_rare_surname_or_in_latin():
    from kg.recognise.person_model import SURE_AFTER_POST, propose_learned_persons
    from kg.recognise.tokens import TokenIndex, tokenize
    from kg.model import Mention

    text = "比赛中选手Lyn发挥出色。"
    post = Mention(3, 5, "选手", EntityType.POST, "lexicon")
    tokens = TokenIndex(tokenize(text))
    found = propose_learned_persons(text, tokens, set(range(3, 5)), [], [post])
    assert [m.text for m in found] == ["Lyn"]
    assert propose_learned_persons(text, tokens, set(range(3, 5)), [], []) == []
    assert SURE_AFTER_POST > 0.7
