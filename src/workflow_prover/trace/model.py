"""The trace as data: what `trace --format json` prints and the text template renders."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TokenLine(_Out):
    line: int  # 1-based
    tokens: list[str]


class MentionTrace(_Out):
    text: str
    label: str
    rule: str
    tokens: tuple[int, int]  # [start, end) token indices
    note: str = ""  # verbs: acts | noun; cues: kept | dropped; services: the canonical name


class BlockTrace(_Out):
    line: int  # 1-based
    kind: str  # heading | meta | table_header | table_sep | table_row | code | text
    role: str  # the section role (design, background, ...)
    heading: str | None = None


class CueTrace(_Out):
    rule: str
    text: str


class AdverbialTrace(_Out):
    kind: str  # trigger | condition | schedule
    rule: str
    text: str


class ActionTrace(_Out):
    verb: str
    label: str
    rule: str
    joined: str | None
    modality: str
    cues: list[CueTrace] = Field(default_factory=list)


class RoleTrace(_Out):
    service: str
    role: str
    word: str = ""


class ClauseTrace(_Out):
    index: int
    text: str
    sentence: int
    item: int | None = None
    chain: int | None = None
    segment: int = 0
    role: str = "design"
    trigger: bool = False
    skipped: bool = False
    adverbial: AdverbialTrace | None = None
    actions: list[ActionTrace] = Field(default_factory=list)
    roles: list[RoleTrace] = Field(default_factory=list)
    via: list[str] = Field(default_factory=list)


class StepTrace(_Out):
    index: int
    text: str
    action: str
    services: list[str]
    inbound: bool
    label: int | None
    rule: str
    via: list[str] = Field(default_factory=list)
    pointer: str | None = None  # the element's JSON pointer, for a step of a document


class ScopeTrace(_Out):
    target: str
    steps: list[int] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    excluded_steps: list[int] = Field(default_factory=list)  # "every step except the X post"
    excluded_services: list[str] = Field(default_factory=list)  # "all APIs but Mailgun"
    via: list[str] = Field(default_factory=list)


class ClaimTrace(_Out):
    kind: str
    modality: str
    text: str
    rule: str
    cue: CueTrace | None = None
    scope: ScopeTrace
    pointer: str | None = None  # the element's JSON pointer, for a claim of a document


class FindingTrace(_Out):
    code: str
    severity: str
    step: int | None
    service: str | None
    suppressed: bool
    rules: list[str] = Field(default_factory=list)  # the rules of its evidence


class UnreadTrace(_Out):
    text: str
    reason: str


class Trace(_Out):
    verdict: str
    tokens: list[TokenLine]
    mentions: dict[str, list[MentionTrace]]
    blocks: list[BlockTrace]
    clauses: list[ClauseTrace]
    steps: list[StepTrace]
    claims: list[ClaimTrace]
    findings: list[FindingTrace]
    unread: list[UnreadTrace] = Field(default_factory=list)
