"""What a schema reader produces: steps, claims and issues, located by JSON pointer.

These are drafts: `graph.build_graph` numbers the steps among the prose ones, turns the claims'
step identities into step numbers, and makes evidence (redacted text) out of the spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind, Modality
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.locate import Loc, escape


@dataclass(frozen=True, slots=True)
class Span:
    """Where an element is: character offsets into the turn's text, and its JSON pointer."""

    start: int
    end: int
    pointer: str


@dataclass(frozen=True, slots=True)
class SchemaStep:
    ident: str  # stable within its document: a state path, a node name, a step id
    action: ActionKind
    services: tuple[ServiceInfo, ...]
    span: Span  # the element (evidence)
    title: Span  # its name (the step's text)
    rule: str
    inbound: bool = False


@dataclass(frozen=True, slots=True)
class SchemaClaim:
    kind: ClaimKind
    span: Span
    rule: str
    steps: tuple[str, ...] | None  # step identities; None: every step of the design
    modality: Modality = "asserted"
    group: str = ""  # claims of one group read as one clause (rivals decided by priority)
    value: float | None = None
    services: tuple[str, ...] = ()  # about the steps on these services (with `steps` None)


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """Something in a recognised document the reader could not use (a note, not a finding)."""

    span: Span
    message: str
    code: str = "SCHEMA_VALUE_IGNORED"  # the note's code (`codes.NOTES`)


@dataclass(frozen=True, slots=True, order=True)
class ProseSpan:
    """A span inside a recognised block that the prose reader reads: an n8n sticky note, a
    sentence given as a value. `json`: it is inside a JSON string (its escapes are read as the
    characters they stand for). `steps`: its steps count too (an item of a step list left to
    the prose reader); otherwise only its claims do (a note is about the workflow, its
    sentences are not steps)."""

    start: int
    end: int
    json: bool = False
    steps: bool = False


@dataclass(frozen=True, slots=True)
class SchemaDoc:
    format: str  # prover | asl | n8n
    start: int  # where the block starts: its steps are placed there, in their own order
    hidden: tuple[int, int]  # what the prose reader must not read
    steps: tuple[SchemaStep, ...]
    claims: tuple[SchemaClaim, ...]
    issues: tuple[SchemaIssue, ...] = ()
    workflow: str = ""  # which workflow of its block (a template's state machine), by pointer
    prose: tuple[ProseSpan, ...] = ()  # spans inside the block the prose reader reads

    @property
    def idents(self) -> frozenset[str]:
        return frozenset(s.ident for s in self.steps)


@dataclass
class Collector:
    """Helps a reader build a document: spans by pointer, and the lists it fills."""

    parsed: Parsed
    root: str = ""  # pointer of the format's root inside the parsed document
    steps: list[SchemaStep] = field(default_factory=list)
    claims: list[SchemaClaim] = field(default_factory=list)
    issues: list[SchemaIssue] = field(default_factory=list)
    prose: list[ProseSpan] = field(default_factory=list)

    def span(self, pointer: str, member: bool = True) -> Span:
        """The element at `pointer` (with its key when `member`), or its nearest ancestor."""
        probe = pointer
        loc = self.parsed.locs.get(probe)
        while loc is None and probe:
            probe = probe.rsplit("/", 1)[0]
            loc = self.parsed.locs.get(probe)
        if loc is None:
            loc = Loc(self.parsed.block.start, self.parsed.block.end)
        start = loc.member_start if member else loc.start
        return Span(start, loc.end, pointer)

    def key_span(self, pointer: str) -> Span:
        """A member's key up to its value (a state's or a step's name): the step's text."""
        loc = self.parsed.locs.get(pointer)
        if loc is None or loc.key_start is None:
            return self.span(pointer, member=False)
        return Span(loc.key_start, max(loc.key_start, loc.start), pointer)

    def claim(
        self,
        kind: ClaimKind,
        pointer: str,
        rule: str,
        steps: tuple[str, ...] | None,
        *,
        modality: Modality = "asserted",
        group: str = "",
        value: float | None = None,
        services: tuple[str, ...] = (),
    ) -> None:
        self.claims.append(
            SchemaClaim(
                kind, self.span(pointer), rule, steps, modality, group or pointer, value, services
            )
        )

    def issue(self, pointer: str, message: str, code: str = "SCHEMA_VALUE_IGNORED") -> None:
        self.issues.append(SchemaIssue(self.span(pointer), message, code))

    def line_span(self, pointer: str) -> Span:
        """A member from its key to the end of its first line (a short step title)."""
        span = self.span(pointer)
        line_end = self.parsed.source.find("\n", span.start, span.end)
        return Span(span.start, line_end if line_end >= 0 else span.end, pointer)

    def comment(self, pointer: str) -> str:
        """The YAML comment that ends the line of the element at `pointer` (its key's line, or
        its value's last line): `# TODO`, `# later`. '' when there is none (and in JSON); in
        Python code the same."""
        loc = self.parsed.locs.get(pointer)
        if loc is None or self.parsed.block.syntax == "json":
            return ""
        text = self.parsed.source
        for at in dict.fromkeys((loc.member_start, max(loc.end - 1, loc.start))):
            line_end = text.find("\n", at)
            line = text[at : line_end if line_end >= 0 else len(text)]
            hash_at = line.find(" #") if not line.startswith("#") else 0
            if hash_at >= 0:
                return line[hash_at:].lstrip(" #")
        return ""

    def read_as_prose(self, pointer: str, *, steps: bool = False, member: bool = False) -> None:
        """Let the prose reader read the element at `pointer`: a string without its quotes, or
        with `member` its key too, to the end of its line (its comment). With `steps`, its steps
        count too, and the line's list marker (`- `, `2:`) is read with it."""
        loc = self.parsed.locs.get(pointer)
        if loc is None or loc.end <= loc.start:
            return
        text = self.parsed.source
        if member or steps:
            start, end = loc.member_start if member else loc.start, loc.end
            if self.parsed.block.syntax == "yaml":  # with the list marker and the comment
                line_start = text.rfind("\n", 0, start) + 1
                if steps and _LIST_MARKER.fullmatch(text[line_start:start]):
                    start = line_start
                line_end = text.find("\n", loc.end)
                end = min(line_end if line_end >= 0 else len(text), self.parsed.block.end)
            self.prose.append(ProseSpan(start, max(end, loc.end), False, steps))
            return
        quoted = text[loc.start] in "\"'" and text[loc.end - 1] == text[loc.start]
        json_string = quoted and text[loc.start] == '"' and self.parsed.block.syntax == "json"
        start, end = (loc.start + 1, loc.end - 1) if quoted else (loc.start, loc.end)
        if end > start:
            self.prose.append(ProseSpan(start, end, json_string, steps))

    def doc(self, fmt: str, workflow: str = "") -> SchemaDoc:
        block = self.parsed.block
        return SchemaDoc(
            fmt,
            block.start,
            (block.outer_start, block.outer_end),
            tuple(self.steps),
            tuple(self.claims),
            tuple(self.issues),
            workflow,
            tuple(self.prose),
        )


_LIST_MARKER = re.compile(r"[ \t]*(?:[-*][ \t]+|\d+[.):][ \t]*)*")


def pointer(*parts: str | int) -> str:
    return "".join(f"/{escape(str(p))}" for p in parts)


def resolve(value: object, at: str) -> object:
    """The element of `value` at JSON pointer `at` (None when there is none)."""
    for token in at.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(token)
        elif (
            isinstance(value, list)
            and token.isascii()
            and token.isdigit()
            and int(token) < len(value)
        ):
            value = value[int(token)]
        else:
            return None
    return value


def walk(value: object, base: str) -> Iterator[tuple[str, str, object]]:
    """Every (pointer, key or index, value) element under `value`, in document order."""
    stack = list(reversed(_children(value, base)))
    seen = 0
    while stack and seen < 10_000:
        at, key, item = stack.pop()
        seen += 1
        yield at, key, item
        stack += reversed(_children(item, at))


def _children(node: object, here: str) -> list[tuple[str, str, object]]:
    if isinstance(node, dict):
        return [(f"{here}/{escape(str(k))}", str(k), v) for k, v in node.items()]
    if isinstance(node, list):
        return [(f"{here}/{i}", str(i), v) for i, v in enumerate(node)]
    return []
