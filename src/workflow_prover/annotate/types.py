"""Plain data the NLP layer hands to the extractors (no spaCy types cross this line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


def small_number(text: str) -> int | None:
    """`text` as a step or list number: ASCII digits only, at most 4 of them.

    `str.isdigit` accepts superscripts ("²") that `int` refuses, and `int` refuses numbers
    over 4,300 digits; a step number is never that long, and a range "steps 2-99999999"
    must not expand to a hundred million steps.
    """
    if 0 < len(text) <= 4 and text.isascii() and text.isdigit():
        return int(text)
    return None


class Group(StrEnum):
    SERVICE = "service"
    VERB = "verb"
    CUE = "cue"
    CONTEXT = "context"
    TERM = "term"


@dataclass(slots=True, eq=False)
class Tok:
    """One token of the analysed (already redacted) text.

    Not frozen: a frozen dataclass pays for `object.__setattr__` on every field, and tokens
    are created by the hundred on every call. Nothing mutates them after `annotate`.
    """

    i: int
    text: str
    norm: str  # lower-cased, typo-corrected
    start: int  # character offsets into the analysed text
    end: int
    ws: str  # the whitespace that follows the token
    line: int  # 0-based line number
    line_start: bool  # first token on its line
    indent: int  # column of the first token of its line


@dataclass(slots=True)  # not frozen: cheaper to build; never mutated
class Mention:
    """A lexicon match over tokens [start, end), with the facts of the row that matched.

    Each group fills its own fields: services `service` and `vendor`; verbs `starts_run`;
    terms `category` and `filter`; ConText modifiers `direction`, `max_scope`, `reach`,
    `effect` and `kinds`; claim cues `requires`, `inverted`, `states_rate`, `value`,
    `mechanism_part`, `threat`, `absent` and `store_constraint`.
    """

    group: Group
    label: str  # verb label, claim kind, context label, term label, or service category
    rule: str  # the lexicon row id
    start: int
    end: int
    service: str = ""  # services: the canonical name
    vendor: str = ""  # services: the vendor, when one sells several products
    category: str = ""  # terms: the category a generic head or hint gives a service
    filter: str = ""  # terms (GENERAL_NOUN): api | write | read | database | all
    direction: str = ""  # context: FORWARD | BACKWARD | BIDIRECTIONAL | PSEUDO
    max_scope: int | None = None  # context: the scope's length in tokens
    reach: str = "clause"  # context: clause, or sentence ("a DLQ ... would be smart")
    effect: str = ""  # context: what the scope code does beyond the label (ContextRow.effect)
    kinds: tuple[str, ...] = ()  # context: the claim kinds it modifies (empty: every kind)
    requires: str = ""  # cues: what the sentence must also have (see CueRow.requires)
    inverted: bool = False  # cues: the cue names the harm ("nobody is texted twice")
    states_rate: bool = False  # cues: a rate, so a schedule is not the only pacing
    value: float | None = None  # cues: first number in the match
    mechanism_part: bool = False
    weak: bool = False  # services: "wise", "square" in lower case (see services.found)
    starts_run: bool = False  # verbs: starts the workflow, sends nothing ("trigger")
    threat: bool = False  # cues: the threat a dedupe answers ("a redelivered webhook")
    absent: bool = False  # cues: the mechanism is said to be absent ("unthrottled")
    store_constraint: bool = False  # cues: a uniqueness the named store enforces itself

    def __hash__(self) -> int:
        """The row and the span: the other fields follow from them (but `weak`, which rarely
        differs), and hashing all 17 fields cost a microsecond a mention, by the hundred."""
        return hash((self.rule, self.start, self.end))

    def overlaps(self, other: Mention) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Mention) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(slots=True)
class Annotation:
    """Everything the lexicons matched in one text, plus its tokens."""

    text: str
    toks: list[Tok]
    mentions: dict[Group, list[Mention]] = field(default_factory=dict)
    masked: list[tuple[int, int]] = field(default_factory=list)  # verdict names quoted in text

    def of(self, group: Group) -> list[Mention]:
        return self.mentions.get(group, [])


def longest_first(mentions: list[Mention]) -> list[Mention]:
    """Drop mentions overlapped by a longer one (earlier wins a tie), like filter_spans."""
    chosen: list[Mention] = []
    taken: set[int] = set()
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start, m.rule)):
        span = range(m.start, m.end)
        if taken.isdisjoint(span):
            chosen.append(m)
            taken.update(span)
    return sorted(chosen, key=lambda m: m.start)
