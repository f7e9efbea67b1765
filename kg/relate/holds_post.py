"""holds_post: a person holds a post in an organisation (or a place).

Two patterns, both within one sentence:
- title before the name: [ORG|PLACE][modifier][POST](、|兼[POST])* NAME
  (魏都区委副书记、区长李淼 gives two facts);
- title after the name: NAME，是|任|担任 ORG 的 POST (崔刚，是…工作站的站长).
Which body a post belongs to: a government post after a party committee belongs
to the place's government (魏都区委…区长 -> 魏都区); a non-party post after a
party branch belongs to the branch's parent body (…协会党支部书记、副会长 ->
…协会). 原/时任/前任 mark a past post.
"""
from __future__ import annotations

from kg import lexicon
from kg.model import Article, EntityType, Mention, Relation, RelationType
from kg.resolve import Resolved

SEPARATORS = ("、", "兼", "和")
MODIFIERS = ("驻村", "新任", "现任", "原", "时任", "前任", "常务", "专职", "挂职", "派驻")
PAST = ("原", "时任", "前任")
COPULAS = ("是", "任", "担任", "现任", "系", "作为")
PARTY_BRANCHES = ("党支部", "党总支", "党总支部", "党委", "党组", "党工委", "支部")
PARTY_SEATS = ("委员", "成员", "常委")  # seats on a party body, not posts of its parent
BODY_TYPES = (EntityType.ORGANIZATION, EntityType.PLACE)


def holds_post(article: Article, state: Resolved) -> list[Relation]:
    index = _Index(article)
    out = []
    for person in index.of(EntityType.PERSON):
        pkey = state.key(person)
        if not pkey:
            continue
        for post, body, past in _title_before(article.text, person, index) + \
                _title_after(article.text, person, index):
            out.append(_relation(article, state, pkey, post, body, past, person))
    return [r for r in out if r is not None]


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
    posts, pos = [], person.start
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
    if not posts:
        return []
    posts.reverse()
    pos, past = posts[0].start, False
    for mod in MODIFIERS:
        if text.endswith(mod, 0, pos):
            past = mod in PAST
            pos -= len(mod)
            break
    body = index.ending(pos, BODY_TYPES)
    if body is None:
        return []
    return [(p, body, past) for p in posts]


def _title_after(text: str, person: Mention, index: _Index):
    """NAME，是 ORG 的 POST; or ORG 的 NAME POST (南京农业大学的潘根兴教授)."""
    post = index.starting(person.end, (EntityType.POST,))
    if post is not None and text.endswith("的", 0, person.start):
        body = index.ending(person.start - 1, BODY_TYPES)
        if body is not None:
            return [(post, body, False)]
    pos = person.end
    if text.startswith("，", pos):
        pos += 1
    cop = next((c for c in COPULAS if text.startswith(c, pos)), None)
    if cop is None:
        return []
    body = index.starting(pos + len(cop), BODY_TYPES)
    if body is None:
        return []
    pos = body.end + (1 if text.startswith("的", body.end) else 0)
    post = index.starting(pos, (EntityType.POST,))
    return [(post, body, False)] if post else []


def _relation(article, state: Resolved, pkey, post, body, past, person) -> Relation | None:
    bkey = state.key(body)
    if not bkey:
        return None
    bkey = _owning_body(state, bkey, post.text)
    name = state.entities[bkey]["name"]
    attrs = (("past", "1"),) if past else ()
    start = min(body.start, person.start)
    end = max(person.end, post.end)
    return Relation(RelationType.HOLDS_POST, pkey, bkey, article.sentence_at(start), start, end,
                    role=post.text, title=name + post.text, attrs=attrs)


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
