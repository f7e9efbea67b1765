"""The data that flows through the pipeline: one `Article`, layered by each stage.

All offsets are half-open character offsets into `Article.text` (the normalised
text of that article). `Article.offsets` turns them back into character offsets
of the source file, so evidence always points into the file the user gave us.
Everything here is frozen: a stage returns a new article with `dataclasses.replace`.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    PERSON = "Person"
    PLACE = "Place"
    ORGANIZATION = "Organization"
    INITIATIVE = "Initiative"
    POST = "Post"


class PlaceLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    COMMUNITY = "community"
    RESIDENTIAL = "residential"
    OTHER = "other"


class OrgCategory(StrEnum):
    PARTY = "party"
    GOVERNMENT = "government"
    LEGISLATURE = "legislature"
    JUDICIAL = "judicial"
    PUBLIC_SECURITY = "public_security"
    SELF_GOVERNANCE = "self_governance"
    ENTERPRISE = "enterprise"
    PUBLIC_INSTITUTION = "public_institution"
    SOCIAL_ORGANIZATION = "social_organization"
    MEDIA = "media"
    OTHER = "other"


class InitiativeCategory(StrEnum):
    CAMPAIGN = "campaign"
    MECHANISM = "mechanism"
    MODEL = "model"
    PLATFORM = "platform"
    PROJECT = "project"
    POLICY_DOCUMENT = "policy_document"
    OTHER = "other"


class RelationType(StrEnum):
    HOLDS_POST = "holds_post"
    PART_OF = "part_of"
    LOCATED_IN = "located_in"
    SUB_ORGANIZATION_OF = "sub_organization_of"
    LAUNCHED = "launched"


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in a normalised text back to offsets in its source file.

    Stored as breakpoints: from normalised offset `norm[i]` on, source offset is
    `norm_offset + delta[i]` until the next breakpoint. Normalisation only deletes
    or replaces characters one-for-one, so a piecewise shift is exact.
    """

    norm: tuple[int, ...] = (0,)
    delta: tuple[int, ...] = (0,)

    def to_source(self, offset: int) -> int:
        i = bisect_right(self.norm, offset) - 1
        return offset + self.delta[max(i, 0)]

    def shifted(self, start: int) -> "OffsetMap":
        """The map for the slice of this text that begins at `start`."""
        i = max(bisect_right(self.norm, start) - 1, 0)
        norm = [0] + [n - start for n in self.norm[i + 1:]]
        delta = [d + start for d in self.delta[i:]]
        return OffsetMap(tuple(norm), tuple(delta))

    @staticmethod
    def identity(source_start: int = 0) -> "OffsetMap":
        return OffsetMap((0,), (source_start,))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int = 0


class _HasAttrs:
    """Type-specific details as sorted (key, value) pairs, read with `attr`."""

    attrs: tuple[tuple[str, str], ...]

    def attr(self, key: str, default: str = "") -> str:
        for k, v in self.attrs:
            if k == key:
                return v
        return default


@dataclass(frozen=True)
class Mention(_HasAttrs):
    """A candidate or accepted span of text naming something.

    `attrs` holds type-specific details as sorted (key, value) pairs, e.g.
    ("level", "village"), ("category", "party"), ("canonical", "许昌市委"),
    ("division", "441802") for a gazetteer code, ("past", "1") for a past post.
    `source` names the recogniser that proposed it (for debugging and ordering).
    """

    start: int
    end: int
    text: str
    label: EntityType
    source: str = ""
    attrs: tuple[tuple[str, str], ...] = ()

    def with_attrs(self, **updates: str) -> "Mention":
        merged = dict(self.attrs)
        merged.update({k: v for k, v in updates.items() if v is not None})
        return Mention(self.start, self.end, self.text, self.label, self.source,
                       tuple(sorted(merged.items())))


@dataclass(frozen=True)
class Entity(_HasAttrs):
    """A resolved real-world thing. `key` is its identity across articles and files.

    Keys look like "Place|广东省/清远市" or "Organization|清远市委组织部@Place|广东省/清远市";
    rdf.py mints IRIs from them and nowhere else.
    """

    key: str
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()
    spans: tuple[tuple[int, int], ...] = ()  # mentions in this article


@dataclass(frozen=True)
class Relation(_HasAttrs):
    """A fact between two entities (by key), with the evidence that supports it.

    `role` is the bare post for holds_post (书记); `title` the composed title
    (东南村党支部书记). `start`/`end` are the evidence span in the article text;
    `sentence` indexes `Article.sentences`.
    """

    type: RelationType
    subject: str
    object: str
    sentence: int
    start: int
    end: int
    role: str = ""
    title: str = ""
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Article:
    id: str
    source: str  # path of the source file as given (or corpus path + record id)
    text: str
    offsets: OffsetMap = field(default_factory=OffsetMap)
    title: str = ""
    byline: tuple[str, ...] = ()  # person names from 本报记者 X and (记者X)
    dateline: str = ""  # e.g. 本报北京2月7日电
    date: str = ""  # ISO date when known (from the record or the dateline)
    url: str = ""
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()

    def sentence_text(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start:s.end]

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence containing `offset` (or the last one before it)."""
        starts = [s.start for s in self.sentences]
        return max(bisect_right(starts, offset) - 1, 0)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source-file offsets of a span; the end maps through the last character
        so a character deleted right after the span is not pulled into it."""
        if end <= start:
            return self.offsets.to_source(start), self.offsets.to_source(start)
        return self.offsets.to_source(start), self.offsets.to_source(end - 1) + 1


@dataclass(frozen=True)
class Document:
    """One decoded input: a whole file, or one record of a .jsonl corpus."""

    id: str
    source: str  # the path as the user gave it (files inside folders: that file's path)
    text: str
    title: str = ""
    date: str = ""
    url: str = ""
    line: int = 0  # 1-based line in a .jsonl corpus, 0 for plain files


@dataclass(frozen=True)
class Problem:
    """Something skipped while reading or extracting; reported, never fatal."""

    source: str
    message: str
    line: int = 0
    article: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        if self.article:
            where += f" [{self.article}]"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Corpus:
    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
