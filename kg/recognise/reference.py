"""Propose context references: words that point back to a place or body named before.

该村 / 该镇 / 同镇 / 区里 / 州里 refer to the last place of that level in the
article; 该中心 / 该站 / 该局 to the last organisation with that ending. They are
mentions with ("ref", ...) and no name of their own: resolve.py gives them the
key of what they point to, so facts stated through them reach the right node.
"""
from __future__ import annotations

import re

from kg.model import EntityType, Mention

PLACE_REF = re.compile(r"该(社区|街道|村|镇|乡|县|区|市|州|省)|同(村|镇|乡)|(村|镇|乡|县|区|市|州|省)里(?![程面])")
ORG_REF = re.compile(r"该(中心|站|局|院|校|所|办|委员会|协会|公司|合作社|支部|党委)")
# A bare head word opening a clause names the body in context when its party branch
# follows: “…。”中心党支部书记…, 协会党委… (a lone 中心 elsewhere is an ordinary word).
BARE_ORG_REF = re.compile(r"(?<![\u4e00-\u9fff])(中心|协会|公司|合作社)(?=党支部|党总支|党委)")
# 省里 is a reference, 省里程碑 is not; 该区域 and 该市场 are no places.
NOT_AFTER = {"区": "域间别块", "市": "场值民", "县": "城", "村": "民庄落干", "镇": "长", "所": "有以在谓属",
             "乡": "村亲"}  # 同乡村振兴 (with rural revitalisation), 同乡亲 (with the folks)


def propose_references(text: str) -> list[Mention]:
    out = []
    for m in PLACE_REF.finditer(text):
        ref = next(g for g in m.groups() if g)
        if text[m.end():m.end() + 1] in NOT_AFTER.get(ref[-1], "") and text[m.end():m.end() + 1]:
            continue
        if m.start() > 0 and m.group().endswith("里") and _glued(text, m.start()):
            continue
        out.append(Mention(m.start(), m.end(), m.group(), EntityType.PLACE, "reference",
                           (("ref", ref[-1] if ref not in ("社区", "街道") else ref),)))
    for m in ORG_REF.finditer(text):
        if text[m.end():m.end() + 1] in NOT_AFTER.get(m.group(1)[-1], "") and text[m.end():m.end() + 1]:
            continue
        out.append(Mention(m.start(), m.end(), m.group(), EntityType.ORGANIZATION, "reference",
                           (("ref_head", m.group(1)),)))
    for m in BARE_ORG_REF.finditer(text):
        out.append(Mention(m.start(), m.end(), m.group(), EntityType.ORGANIZATION, "reference",
                           (("ref_head", m.group(1)),)))
    return out


def org_reference_ending(text: str, end: int) -> tuple[int, int] | None:
    """The span of an organisation reference (该中心, a clause-opening 中心) ending at `end`."""
    for pattern in (ORG_REF, BARE_ORG_REF):
        for start in range(max(0, end - 4), end - 1):
            m = pattern.match(text, start)  # no end bound: the lookahead reads past `end`
            if m and m.end() == end:
                return m.start(), m.end()
    return None


def _glued(text: str, start: int) -> bool:
    """城市里, 农村里, 全县里: the character before makes it an ordinary word."""
    return text[start - 1] in "城农乡山全本各外郊"
