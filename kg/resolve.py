"""Resolve mentions into entities: which real place, organisation or person each names.

- Places: a gazetteer name with several candidates takes the one inside the place
  named right before it (a chain such as 鞍山市海城市) or inside a place already
  resolved in the article; a suffix-grammar name is looked up under the county
  or township before it. Keys are gazetteer ids where known, else parent + name.
- Context references: 该村, 市委, 州计生协会 take the prefix of the last place of
  that level named in the article (the first one after, if none before).
- Organisations are keyed by their canonical name plus their place's key.
- Persons are keyed per article here; `resolve_corpus` merges them across
  articles by name unless their anchors (the places of their posts) disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from kg.gazetteer import Gazetteer, load_gazetteer
from kg.model import Article, Entity, EntityType, Mention, PlaceLevel

REF_LEVELS = {
    "村": (PlaceLevel.VILLAGE, PlaceLevel.COMMUNITY),
    "镇": (PlaceLevel.TOWNSHIP,),
    "乡": (PlaceLevel.TOWNSHIP,),
    "区": (PlaceLevel.COUNTY,),
    "县": (PlaceLevel.COUNTY,),
    "市": (PlaceLevel.PREFECTURE, PlaceLevel.COUNTY),
    "州": (PlaceLevel.PREFECTURE,),
    "省": (PlaceLevel.PROVINCE,),
    "社区": (PlaceLevel.COMMUNITY,),
    "居": (PlaceLevel.COMMUNITY, PlaceLevel.RESIDENTIAL, PlaceLevel.VILLAGE),  # 居委会: 社区, 小区, 新村
    "街道": (PlaceLevel.TOWNSHIP,),
}
GAZETTEER_LEVELS = {str(PlaceLevel.TOWNSHIP), str(PlaceLevel.VILLAGE), str(PlaceLevel.COMMUNITY)}
PARTY_PREFIXES = ("中共", "共青团")  # 共青团大理州委, 中共东营区委: the place follows them
UPPER = (PlaceLevel.PROVINCE, PlaceLevel.PREFECTURE, PlaceLevel.COUNTY)


@dataclass
class Resolved:
    """Per-article resolution state: mention span -> entity key, and entity records."""

    key_of: dict[tuple[int, int, str], str] = field(default_factory=dict)
    entities: dict[str, dict] = field(default_factory=dict)
    place_parent: dict[str, tuple[str, int]] = field(default_factory=dict)  # child -> (parent, at)
    org_place: dict[str, str] = field(default_factory=dict)
    org_parent: dict[str, str] = field(default_factory=dict)

    def add(self, m: Mention, key: str, etype: EntityType, name: str, **attrs: str) -> str:
        self.key_of[(m.start, m.end, m.label)] = key
        rec = self.entities.setdefault(key, {"type": etype, "name": name, "aliases": set(),
                                             "attrs": {}, "spans": set()})
        rec["spans"].add((m.start, m.end))
        if m.text != rec["name"]:
            rec["aliases"].add(m.text)
        rec["attrs"].update({k: v for k, v in attrs.items() if v})
        return key

    def key(self, m: Mention) -> str | None:
        return self.key_of.get((m.start, m.end, m.label))


def resolve(article: Article, *, gazetteer: Gazetteer | None = None) -> tuple[Article, Resolved]:
    gaz = gazetteer or load_gazetteer()
    state = Resolved()
    places = [m for m in article.mentions if m.label is EntityType.PLACE and m.source != "reference"]
    _resolve_places(article, places, gaz, state)
    for m in article.mentions:
        if m.source == "reference" and m.label is EntityType.PLACE:
            _resolve_place_reference(article, m, state)
    for m in sorted(article.mentions, key=lambda m: (m.start, m.end)):  # parent bodies first
        if m.label is EntityType.ORGANIZATION:
            _resolve_org(article, m, state)
        elif m.label is EntityType.PERSON:
            state.add(m, f"Person|{m.text}|{article.id}", EntityType.PERSON, m.text)
        elif m.label is EntityType.INITIATIVE:
            name = m.attr("canonical") or m.text  # a later short mention joins the full name
            state.add(m, f"Initiative|{name}", EntityType.INITIATIVE, name,
                      category=m.attr("category"))
        elif m.label is EntityType.POST:
            state.add(m, f"Post|{m.text}", EntityType.POST, m.text)
    _mark_implied(article, state)
    entities = tuple(_entity(k, rec) for k, rec in sorted(state.entities.items()))
    return replace(article, entities=entities), state


def _mark_implied(article: Article, state: Resolved) -> None:
    """A party committee named only as the first part of a department's name (清远市委
    in 清远市委组织部) is implied, not mentioned: it stays in the graph as the parent
    body, and the extraction JSON leaves it out of the mentioned entities. (A body
    such as 许昌市公安局 in 许昌市公安局党委 is a real mention: posts belong to it.)"""
    orgs = [m for m in article.mentions if m.label is EntityType.ORGANIZATION]
    committees = {state.key(m) for m in orgs if m.source == "committee"}
    for key, rec in state.entities.items():
        if key in committees and rec["spans"] and all(
                any(o.start == s and o.end > e for o in orgs) for s, e in rec["spans"]):
            rec["attrs"]["implied"] = "1"


def _entity(key: str, rec: dict) -> Entity:
    return Entity(key, rec["type"], rec["name"], tuple(sorted(rec["aliases"] - {rec["name"]})),
                  tuple(sorted(rec["attrs"].items())), tuple(sorted(rec["spans"])))


# ---- places ---------------------------------------------------------------

def _resolve_places(article: Article, places: list[Mention], gaz: Gazetteer, state: Resolved) -> None:
    seen_divisions: list[str] = []  # resolved division ids, most recent last
    by_end: dict[int, tuple[str, str | None]] = {}  # mention end -> (key, division id)
    by_text: dict[str, tuple[str, str | None]] = {}
    for m in places:
        prev = by_end.get(m.start)
        if m.text in by_text and prev is None:
            key, div = by_text[m.text]
            state.add(m, key, EntityType.PLACE, state.entities[key]["name"])
        elif m.attr("candidates"):
            div = _pick_division(m, gaz, prev[1] if prev else None, seen_divisions)
            key = _add_division(m, gaz.get(div), gaz, state)
        else:
            key, div = _add_suffix_place(m, gaz, article, prev, seen_divisions, state)
        if prev is not None and prev[0] != key:
            state.place_parent.setdefault(key, (prev[0], m.start))
        if div:
            seen_divisions.append(div)
        by_end[m.end] = by_text[m.text] = (key, div)
    _zone_parents(article, places, state)
    _official_parents(gaz, state)
    _sentence_parents(article, places, state)


def _pick_division(m: Mention, gaz: Gazetteer, chain_div: str | None, seen: list[str]) -> str:
    ids = m.attr("candidates").split("|")
    if len(ids) == 1:
        return ids[0]
    for context in ([chain_div] if chain_div else []) + seen[::-1]:
        inside = [i for i in ids if gaz.is_within(i, context)]
        if inside:
            return inside[0]
    return ids[0]


def _add_division(m: Mention, div, gaz: Gazetteer, state: Resolved) -> str:
    return state.add(m, division_key(div, gaz), EntityType.PLACE, div.name, level=str(div.level),
                     division=div.id)


def division_key(div, gaz: Gazetteer) -> str:
    """Codes for county and above (stable across data vintages); below a county the
    ordinal ids shift between vintages, so the key spells the names under the county."""
    if div.level in UPPER:
        return f"Place|{div.id}"
    chain = gaz.chain(div.id)
    top = max(i for i, d in enumerate(chain) if d.level in UPPER)
    return "Place|" + chain[top].id + "/" + "/".join(d.name for d in chain[top + 1:])


@lru_cache(maxsize=1 << 16)
def _find_under(gaz: Gazetteer, name: str, anchor: str) -> tuple:
    """Memoised: find_under scans every descendant of the anchor (a province has ~100k);
    the same village names recur across the articles of a corpus."""
    return tuple(gaz.find_under(name, anchor))


def _add_suffix_place(m, gaz, article, prev, seen, state) -> tuple[str, str | None]:
    level = m.attr("level") or str(PlaceLevel.OTHER)
    name = m.attr("canonical") or m.text
    anchors = ([prev[1]] if prev and prev[1] else []) + seen[::-1]
    if level not in GAZETTEER_LEVELS:
        anchors = []  # compounds and landmarks are not in the gazetteer
    for anchor in anchors:
        hits = _find_under(gaz, name, anchor)
        if len(hits) == 1:
            div = hits[0]
            key = state.add(m, division_key(div, gaz), EntityType.PLACE, name, level=level,
                            division=div.id)
            if div.name != name:
                state.entities[key]["aliases"].add(div.name)
            return key, div.id
    parent = prev[0] if prev else ""
    key = f"Place|{parent}/{name}" if parent else f"Place|{article.source}#{name}"
    return state.add(m, key, EntityType.PLACE, name, level=level), None


def _zone_parents(article: Article, places: list[Mention], state: Resolved) -> None:
    """A zone or landmark lies in the place inside its name (芝山村|富硒生态产业园), else in
    the place written as its owner (小常村的|…产业园), else in the county whose short form
    opens its name (溧水|经济开发区 after 溧水区), else in the one county its sentence names
    (…已建成铜山战斗纪念馆…，成为…溧水区…)."""
    for z in places:
        zkey = state.key(z)
        if z.attr("level") != str(PlaceLevel.OTHER) or not zkey:
            continue
        inner = [p for p in places if z.start <= p.start and p.end < z.end and state.key(p)]
        if inner:  # the place written inside the name is more specific than the chain before it
            state.place_parent[zkey] = (state.key(max(inner, key=lambda p: p.end)), z.start)
            continue
        if zkey in state.place_parent or z.source == "region":
            continue  # (a region such as 东北地区 spans counties)
        parent = _possessor_place(article, z, places, state) or \
            _short_form_owner(z, places, state) or _sentence_county(article, z, places, state)
        if parent and parent != zkey:
            state.place_parent[zkey] = (parent, z.start)


def _possessor_place(article: Article, z: Mention, places: list[Mention], state: Resolved) -> str:
    """小常村的|食用菌现代农业产业园: the place written as its owner."""
    if not article.text.endswith("的", 0, z.start):
        return ""
    owners = [p for p in places if p.end == z.start - 1 and state.key(p)]
    return state.key(max(owners, key=lambda p: p.end - p.start)) or "" if owners else ""


def _short_form_owner(z: Mention, places: list[Mention], state: Resolved) -> str:
    for p in places:
        rec = state.entities.get(state.key(p) or "", {})
        name = rec.get("name", "")
        if rec and rec["attrs"].get("level") == str(PlaceLevel.COUNTY) and name[-1:] in "区县市" \
                and len(name) >= 3 and z.text.startswith(name[:-1]):
            return state.key(p) or ""
    return ""


def _sentence_county(article: Article, z: Mention, places: list[Mention], state: Resolved) -> str:
    return _one_in_sentence(article, z, places, state, str(PlaceLevel.COUNTY))


def _one_in_sentence(article: Article, m: Mention, places: list[Mention], state: Resolved,
                     level: str) -> str:
    """The key of the one place of `level` that the sentence of `m` names, if exactly one."""
    if not article.sentences:
        return ""
    sent = article.sentences[article.sentence_at(m.start)]
    found = {state.key(p) for p in places if sent.start <= p.start and p.end <= sent.end and
             state.key(p) and state.entities[state.key(p)]["attrs"].get("level") == level}
    return found.pop() or "" if len(found) == 1 else ""


def _sentence_parents(article: Article, places: list[Mention], state: Resolved) -> None:
    """花桥镇党员干部在沙星村搬运: a village with no parent stated or known lies in the one
    township its sentence names."""
    for m in places:
        key = state.key(m)
        if key and key not in state.place_parent and \
                state.entities[key]["attrs"].get("level") == str(PlaceLevel.VILLAGE):
            parent = _one_in_sentence(article, m, places, state, str(PlaceLevel.TOWNSHIP))
            if parent and parent != key:
                state.place_parent[key] = (parent, m.start)


def _official_parents(gaz: Gazetteer, state: Resolved) -> None:
    """Immediate parent = the nearest gazetteer ancestor that this article names."""
    named = {rec["attrs"].get("division"): key for key, rec in state.entities.items()
             if rec["type"] is EntityType.PLACE and rec["attrs"].get("division")}
    for div_id, key in named.items():
        if key in state.place_parent:
            continue
        for anc in reversed(gaz.chain(div_id)[:-1]):
            if anc.id in named:
                state.place_parent[key] = (named[anc.id], -1)
                break


# ---- organisations --------------------------------------------------------

def _resolve_place_reference(article: Article, m: Mention, state: Resolved) -> None:
    ref = m.attr("ref")
    target = _referent(article, m, ref, state)
    if target is not None:
        _attach(state, m, target[0])


def _resolve_org_reference(article: Article, m: Mention, state: Resolved) -> None:
    """该中心: the last organisation before it whose name ends with 中心."""
    head = m.attr("ref_head")
    for o in sorted(article.mentions, key=lambda x: x.start, reverse=True):
        key = state.key(o)
        if o.end <= m.start and o.label is EntityType.ORGANIZATION and key \
                and state.entities[key]["name"].endswith(head):
            _attach(state, m, key)
            return


def _attach(state: Resolved, m: Mention, key: str) -> None:
    """A reference is one more mention of an existing entity (no new name, no alias)."""
    state.key_of[(m.start, m.end, m.label)] = key
    state.entities[key]["spans"].add((m.start, m.end))


def _resolve_org(article: Article, m: Mention, state: Resolved) -> None:
    if m.source == "reference":
        _resolve_org_reference(article, m, state)
        return
    place_key, name = _org_place(article, m, state)
    name = "".join(ch for ch in name if ch not in "“”‘’")  # 村“两委” is named 村两委
    if not name:
        return  # a branch of a body that was not resolved
    if m.attr("ref") and not place_key:
        return  # 市委 with no city anywhere in the article: nothing to pin it to
    key = f"Organization|{name}@{place_key}" if place_key else f"Organization|{name}"
    state.add(m, key, EntityType.ORGANIZATION, name, category=m.attr("category"))
    if m.source == "branch":
        state.entities[key]["aliases"].discard(m.text)  # a bare 党支部 is no name of it
    if place_key:
        state.org_place.setdefault(key, place_key)
    parent_span = m.attr("parent_span")
    if parent_span:
        s, e = (int(x) for x in parent_span.split(":"))
        parent = state.key_of.get((s, e, EntityType.ORGANIZATION))
        if parent and parent != key:
            state.org_parent.setdefault(key, parent)
            if not place_key and parent in state.org_place:
                state.org_place.setdefault(key, state.org_place[parent])


def _org_place(article: Article, m: Mention, state: Resolved) -> tuple[str, str]:
    """(place key, canonical name) for an organisation mention."""
    ref = m.attr("ref")
    if m.attr("of_parent"):  # 许昌市公安局…的|党委: the parent body's name plus the head
        s, e = (int(x) for x in m.attr("parent_span").split(":"))
        parent = state.key_of.get((s, e, EntityType.ORGANIZATION))
        if parent is None:
            return "", ""
        return state.org_place.get(parent, ""), state.entities[parent]["name"] + m.text
    if m.attr("community"):
        return _community_township(state, m.text)
    if m.attr("place_span"):  # a body listed after another shares its place prefix
        s, e = (int(x) for x in m.attr("place_span").split(":"))
        return state.key_of.get((s, e, EntityType.PLACE), ""), m.attr("canonical")
    if ref:
        target = _referent(article, m, ref, state)
        if target is None:
            return "", m.text
        key, written = target
        if ref == "居":
            return key, state.entities[key]["name"] + m.text
        if m.source == "listed":
            return key, written + m.attr("canonical")
        rest = m.text[2:] if m.text.startswith("该") else m.text[1:]
        if m.source == "head" and m.text.startswith(ref) and m.text[:3] in ("村两委", "村委会", "村民委"):
            rest = m.text[1:]
        return key, written + rest
    inner = [p for p in article.mentions if p.label is EntityType.PLACE
             and m.start <= p.start and p.end <= m.end]
    opening = m.start + next((len(w) for w in PARTY_PREFIXES if m.text.startswith(w)), 0)
    chain = [p for p in inner if p.start == opening or any(q.end == p.start for q in inner)]
    name = m.attr("canonical") or m.text
    if chain:
        last = max(chain, key=lambda p: p.end)
        if m.text[last.end - m.start:last.end - m.start + 1] == last.text[-1]:
            # 史回镇|镇党委, 西石村|村委会: the level word said twice is said once
            name = m.text[:last.end - m.start] + m.text[last.end - m.start + 1:]
        return state.key(last) or "", name
    return "", name


def _community_township(state: Resolved, text: str) -> tuple[str, str]:
    """社区学校 with no place: the township whose own 社区 body the article named before
    (东平镇社区党群服务中心 makes 社区学校 东平镇社区学校); else nothing to pin it to."""
    found = ("", "")
    for org, place in state.org_place.items():
        rec = state.entities[place]
        prefix = rec["name"] + "社区"
        if rec["attrs"].get("level") == str(PlaceLevel.TOWNSHIP) and \
                state.entities[org]["name"].startswith(prefix):
            found = (place, rec["name"] + text)
    return found


def place_in_context(article: Article, state: Resolved, start: int, end: int, ref: str
                     ) -> str | None:
    """The key of the place of level `ref` (镇, 村 ...) that text at start:end refers to, as
    该镇 would: the last one before it, else the first after it in its paragraph."""
    probe = Mention(start, end, "", EntityType.PLACE)
    target = _referent(article, probe, ref, state) if ref else None
    return target[0] if target else None


def _referent(article: Article, m: Mention, ref: str, state: Resolved) -> tuple[str, str] | None:
    """The last place of the referenced level before `m` (else the first after), as written."""
    levels = {str(lv) for lv in REF_LEVELS[ref]}
    candidates = []
    for p in article.mentions:
        if p.label is not EntityType.PLACE or p.source == "reference":
            continue
        key = state.key(p)
        if key and state.entities[key]["attrs"].get("level") in levels \
                and _ends_like(state.entities[key]["name"], ref):
            candidates.append((p, key))
    before = [c for c in candidates if c[0].end <= m.start]
    # a reference may point forward (“…”，X村党支部书记Y说) but not past its paragraph
    after = [c for c in candidates
             if c[0].start >= m.end and _same_paragraph(article, m.start, c[0].start)]
    pick = before[-1] if before else (after[0] if after else None)
    if pick is None:
        return None
    p, key = pick
    return key, _written_form(p.text, ref, state.entities[key]["name"])


def _same_paragraph(article: Article, a: int, b: int) -> bool:
    if not article.sentences:
        return True
    return article.sentences[article.sentence_at(a)].paragraph == \
        article.sentences[article.sentence_at(b)].paragraph


def _ends_like(name: str, ref: str) -> bool:
    """市 refers to a city (许昌市, 瑞安市), 区 to a district, 州 to a 州; 村 to any village."""
    return name.endswith(ref) or ref in "村镇乡居"


def _written_form(text: str, ref: str, name: str) -> str:
    """The prefix as the text writes the place: 大理州 for 州, 许昌市 for 市."""
    if text.endswith(ref):
        return text
    if name.endswith(ref):
        return name
    return text + ref if len(text) == 2 else text
