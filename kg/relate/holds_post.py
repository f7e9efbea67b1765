"""holds_post: a person holds a post in an organisation (or a place).

Patterns within one sentence:
- title before the name: [ORG|PLACE][modifier][POST](、|兼[POST])* NAME
  (魏都区委副书记、区长李淼 gives two facts), where the chain may go on through
  further bodies (溧水区委常委、区政府副区长刘佳);
- title after the name: NAME，是|任|担任 ORG 的 POST (崔刚，是…工作站的站长);
- a clause that opens with 担任 after a person: 刘德耀来到兴隆村，担任驻村第一书记.
A post that names its level and has no body written (副镇长于涵, 驻村第一书记) belongs
to the place of that level in context, as 该镇 would.
Which body a post belongs to: a government post after a party committee belongs
to the place's government (魏都区委…区长 -> 魏都区); a non-party post after a
party branch belongs to the branch's parent body (…协会党支部书记、副会长 ->
…协会). 原/时任/前任 mark a past post.
"""
from __future__ import annotations

from kg import lexicon
from kg.model import Article, EntityType, Mention, Relation, RelationType
from kg.recognise.org_grammar import charge_phrase_start
from kg.resolve import Resolved, place_in_context

SEPARATORS = ("、", "兼", "和")
ELEMENT_SEPARATORS = ("、", "兼")  # between [BODY][POST] elements of one title chain
MODIFIERS = ("驻村", "新任", "现任", "原", "时任", "前任", "常务", "专职", "挂职", "派驻")
PAST = ("原", "时任", "前任", "原任", "曾任")
# what may open a title used before 的 and a name: 时任…书记的刘建国
ATTRIBUTIVE_MARKERS = ("时任", "现任", "原任", "曾任", "前任", "担任", "原", "任")
COPULAS = ("是", "任", "担任", "现任", "系", "作为")
PARTY_BRANCHES = ("党支部", "党总支", "党总支部", "党委", "党组", "党工委", "支部")
PARTY_SEATS = ("委员", "成员", "常委")  # seats on a party body, not posts of its parent
BODY_TYPES = (EntityType.ORGANIZATION, EntityType.PLACE)
CLAUSE_COPULAS = ("担任", "出任", "当选为")
LEVEL_CHARS = "省市州县区镇乡村"  # 镇长, 副县长: the level the post's place has
LEVEL_POSTS = {"第一书记": "村", "村长": "村"}
LEVEL_MODIFIERS = {f"{c}级": c for c in LEVEL_CHARS}  # 村级河长: the village's


def holds_post(article: Article, state: Resolved) -> list[Relation]:
    index = _Index(article)
    out = []
    for person in index.of(EntityType.PERSON):
        if state.key(person):
            found = _title_before(article.text, person, index) + \
                _title_after(article.text, person, index)
            out += [_relation(article, state, person, post, body, past)
                    for post, body, past in found]
    for person, post, body in _clause_away(article, index):
        if state.key(person):
            out.append(_relation(article, state, person, post, body, False))
    return [r for r in out if r is not None]


def level_of(post: str) -> str:
    """The place level a post implies when no body is written: 副镇长 -> 镇, 第一书记 -> 村."""
    bare = post.removeprefix("常务").removeprefix("副")
    if len(bare) == 2 and bare[1] == "长" and bare[0] in LEVEL_CHARS:
        return bare[0]
    return LEVEL_POSTS.get(bare, "")


class _Index:
    def __init__(self, article: Article):
        self.mentions = article.mentions
        self.by_end: dict[int, list[Mention]] = {}
        self.by_start: dict[int, list[Mention]] = {}
        for m in article.mentions:
            self.by_end.setdefault(m.end, []).append(m)
            self.by_start.setdefault(m.start, []).append(m)

    def of(self, label: EntityType) -> list[Mention]:
        return [m for m in self.mentions if m.label is label]

    def ending(self, pos: int, labels) -> Mention | None:
        hits = [m for m in self.by_end.get(pos, []) if m.label in labels]
        return min(hits, key=lambda m: m.start) if hits else None  # the longest

    def starting(self, pos: int, labels) -> Mention | None:
        hits = [m for m in self.by_start.get(pos, []) if m.label in labels]
        return max(hits, key=lambda m: m.end) if hits else None


def _title_before(text: str, person: Mention, index: _Index):
    """[BODY][POST](、POST)* NAME, or the same title used attributively before 的 after
    a verb or 时任/原 (时任白沙镇党委书记的刘建国, 担任村党支部书记的张三)."""
    end = person.start
    if index.ending(end, (EntityType.POST,)) is not None or not text.endswith("的", 0, end):
        return _title_chain(text, end, index)
    found = _title_chain(text, end - 1, index)
    if not found:
        return []
    first = min(b.start if isinstance(b, Mention) else p.start for p, b, _ in found)
    marker = next((m for m in ATTRIBUTIVE_MARKERS if text.endswith(m, 0, first)), None)
    if marker is None:
        return []
    return [(p, b, past or marker in PAST) for p, b, past in found]


def _title_chain(text: str, end: int, index: _Index):
    """[BODY][POST](、POST)* ending at `end`, where the chain may also go on through further
    [BODY][POST] elements (溧水区委常委、区政府副区长、…党工委书记刘佳)."""
    out, pos = [], end
    while True:
        posts, pos = _post_run(text, pos, index)
        if not posts:
            return out
        past, level = False, ""
        for mod in MODIFIERS + tuple(LEVEL_MODIFIERS):
            if text.endswith(mod, 0, pos):
                past, level = mod in PAST, LEVEL_MODIFIERS.get(mod, "")
                pos -= len(mod)
                break
        body = index.ending(pos, BODY_TYPES)
        if body is None and pos == posts[0].start:  # 深圳市|长, 国防部|长: one shared character
            body = index.ending(pos + 1, BODY_TYPES)
            body = body if body is not None and body.start < pos else None
        charged = charge_phrase_start(text, pos) if body is None else None
        if charged is not None:  # 县政府|分管农业的|副县长: the post is the body's
            body = index.ending(charged, BODY_TYPES)
        if body is None:  # 副镇长于涵, 村级河长: a post that names its level: the place in context
            out += [(p, level or None, past) for p in posts if level or level_of(p.text)]
            if not (level or any(level_of(p.text) for p in posts)):
                return out
        else:
            out += [(p, body, past) for p in posts]
            pos = body.start
        sep = next((s for s in ELEMENT_SEPARATORS if text.endswith(s, 0, pos)), None)
        if sep is None:
            return out
        pos -= len(sep)


def _post_run(text: str, pos: int, index: _Index) -> tuple[list[Mention], int]:
    """The posts POST(、|兼 POST)* ending at `pos`, in text order, and where they start."""
    posts = []
    while True:
        post = index.ending(pos, (EntityType.POST,))
        if post is None:
            break
        posts.append(post)
        pos = post.start
        sep = next((s for s in SEPARATORS if text.endswith(s, 0, pos)), None)
        if sep and index.ending(pos - len(sep), (EntityType.POST,)):
            pos -= len(sep)
            continue
        break
    posts.reverse()
    return posts, pos


def _title_after(text: str, person: Mention, index: _Index):
    """NAME，是 ORG 的 POST; or ORG 的 NAME POST (南京农业大学的潘根兴教授); or
    NAME 作为|担任 POST, a post that names its level (于涵作为副镇长)."""
    post = index.starting(person.end, (EntityType.POST,))
    if post is not None and text.endswith("的", 0, person.start):
        body = index.ending(person.start - 1, BODY_TYPES)
        if body is not None:
            return [(post, body, False)]
    pos = person.end
    if text.startswith("，", pos):
        pos += 1
    cop = next((c for c in COPULAS if text.startswith(c, pos)), None)
    return _cop_object(text, pos + len(cop), index) if cop else []


def _cop_object(text: str, pos: int, index: _Index):
    """[BODY][的] POST after a copula at `pos`, or a post naming its level with no body."""
    pos += next((len(m) for m in MODIFIERS if text.startswith(m, pos) and m not in PAST), 0)
    body = index.starting(pos, BODY_TYPES)
    if body is None:
        post = index.starting(pos, (EntityType.POST,))
        return [(post, None, False)] if post is not None and level_of(post.text) else []
    pos = body.end + (1 if text.startswith("的", body.end) else 0)
    post = index.starting(pos, (EntityType.POST,))
    return [(post, body, False)] if post else []


def _clause_away(article: Article, index: _Index):
    """刘德耀来到…兴隆村，担任驻村第一书记: a clause that opens with 担任 takes the person
    named last before it in the same sentence as its subject."""
    text = article.text
    for sent in article.sentences:
        for cop in CLAUSE_COPULAS:
            at = text.find("，" + cop, sent.start, sent.end)
            while at != -1:
                persons = [m for m in index.of(EntityType.PERSON)
                           if sent.start <= m.start and m.end <= at]
                if persons:
                    person = max(persons, key=lambda m: m.end)
                    for post, body, _ in _cop_object(text, at + 1 + len(cop), index):
                        yield person, post, body
                at = text.find("，" + cop, at + 1, sent.end)


def _relation(article, state: Resolved, person, post, body, past) -> Relation | None:
    """`body` is the body's mention, or None (or a level such as 村) for the place in context."""
    if body is None or isinstance(body, str):
        bkey = place_in_context(article, state, post.start, post.end, body or level_of(post.text))
        body = None
    else:
        bkey = state.key(body)
    if not bkey:
        return None
    bkey = _owning_body(state, bkey, post.text)
    name = state.entities[bkey]["name"]
    attrs = (("past", "1"),) if past else ()
    start = min(body.start if body is not None else post.start, person.start)
    end = max(person.end, post.end)
    return Relation(RelationType.HOLDS_POST, state.key(person), bkey, article.sentence_at(start),
                    start, end, role=post.text, title=name + post.text, attrs=attrs)


def _owning_body(state: Resolved, key: str, post: str) -> str:
    rec = state.entities[key]
    if rec["type"] is not EntityType.ORGANIZATION or rec["attrs"].get("category") != "party":
        return key
    kind = lexicon.posts().get(post, "generic")
    if kind == "government" and key in state.org_place and key not in state.org_parent:
        return state.org_place[key]  # 魏都区委 + 区长 -> 魏都区
    if kind != "party" and post not in PARTY_SEATS and key in state.org_parent \
            and rec["name"].endswith(PARTY_BRANCHES):
        return state.org_parent[key]  # 协会党支部 + 副会长 -> 协会
    return key
