"""Decide among proposed mentions: one documented order for every overlap.

Within one entity type, a mention that crosses or sits inside an accepted one is
dropped; candidates are taken longest first, then leftmost, then by proposer
trust (gazetteer over suffix grammar). Organisations are the exception: a name
inside a longer one is kept (许昌市公安局 in 许昌市公安局党委 is its parent body),
unless it is the longer name's tail (广播电视局 in 沈阳市文化旅游和广播电视局). Different types may nest (a
place inside an organisation name, a place inside a quoted initiative).
"""
from __future__ import annotations

from kg.model import EntityType, Mention

TRUST = {"gazetteer": 0, "national": 0, "named": 1, "committee": 1, "head": 1, "suffix": 2, "region": 2}


def decide(mentions: list[Mention]) -> list[Mention]:
    by_type: dict[EntityType, list[Mention]] = {}
    for m in mentions:
        by_type.setdefault(m.label, []).append(m)
    accepted: list[Mention] = []
    for label, group in by_type.items():
        accepted += _decide_one_type(label, group)
    return sorted(set(accepted), key=lambda m: (m.start, -m.end, m.label, m.text))


def _decide_one_type(label: EntityType, group: list[Mention]) -> list[Mention]:
    ranked = sorted(group, key=lambda m: (-(m.end - m.start), m.start, TRUST.get(m.source, 3)))
    kept: list[Mention] = []
    at: dict[int, list[Mention]] = {}  # character -> kept mentions over it
    for m in ranked:
        # only a kept mention that shares a character can conflict (`_conflicts`)
        near = {id(k): k for i in range(m.start, m.end) for k in at.get(i, ())}
        if any(_conflicts(label, m, k) for k in near.values()):
            continue
        kept.append(m)
        for i in range(m.start, m.end):
            at.setdefault(i, []).append(m)
    return kept


def _conflicts(label: EntityType, m: Mention, k: Mention) -> bool:
    if m.end <= k.start or k.end <= m.start:
        return False
    if (m.start, m.end) == (k.start, k.end):
        return True
    inside = k.start <= m.start and m.end <= k.end
    if label is EntityType.ORGANIZATION and inside and m.end == k.end and m.start > k.start:
        return True  # the tail of a longer name (…文化旅游和|广播电视局) is no body of its own
    if label is EntityType.ORGANIZATION and inside:
        return False  # nested bodies: parent organisation, or the place-named part
    if label is EntityType.PLACE and inside and k.attr("level") == "other" and m.attr("level") != "other":
        return False  # 永修县 inside 永修县有机硅产业园区: the zone's parent place
    return True
