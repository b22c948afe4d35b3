"""The analyzer: text (or a conversation) in, Report out.

One `Analyzer` holds the lexicons, the spaCy pipeline, the secret scanner and the templates,
built once; `analyze` and `analyze_turns` are safe to call from several threads (the only
shared mutable state, spaCy's vocabulary, is guarded inside the pipeline). The module-level
functions use one Analyzer per process, built on first use, not at import.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from workflow_prover.annotate.pipeline import build_pipeline
from workflow_prover.codes import CODES, UNSUPPRESSIBLE
from workflow_prover.extract.claims.cues import find_claims
from workflow_prover.extract.layout.blocks import SectionRoles
from workflow_prover.extract.services.catalog import ServiceCatalog, ServiceInfo
from workflow_prover.extract.turn import TurnDraft, extract_turn
from workflow_prover.graph.merge import build_graph
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import (
    Acceptance,
    ClaimGraph,
    Evidence,
    Note,
    Report,
)
from workflow_prover.normalize import Normalizer
from workflow_prover.report.positions import Placer
from workflow_prover.report.render import Renderer, step_labels
from workflow_prover.schemas import (
    FileLoader,
    ProseSpan,
    ServiceResolver,
    Structured,
    read_structured,
    unescape,
)
from workflow_prover.secrets import Redaction, SecretScanner
from workflow_prover.suppress import command_line_reason, find_markers
from workflow_prover.suppress import resolve as resolve_markers
from workflow_prover.verdict import decide

_NOT_NEWLINE = re.compile(r"[^\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str, always a lone one (hardening fault 8)


@dataclass(frozen=True)
class TurnReading:
    """One turn read: the prose draft, the structured documents, the turn's suppressions."""

    draft: TurnDraft
    structured: Structured = field(default_factory=Structured)
    suppress: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class SessionReading:
    """Every turn of a conversation read, with the suppressions and notes of all of them."""

    readings: tuple[TurnReading, ...]
    suppress: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


class Analyzer:
    def __init__(self, lexicons: Path | None = None) -> None:
        self.lexicons = load_lexicons(lexicons)
        self.pipeline = build_pipeline(self.lexicons)
        self.normalizer = Normalizer(self.lexicons.confusables)
        self.scanner = SecretScanner(
            self.lexicons.secrets, self.lexicons.credential_labels, self.normalizer
        )
        self.catalog = ServiceCatalog(self.lexicons)
        self.sections = SectionRoles(self.lexicons.sections)
        self.resolver = ServiceResolver(self.lexicons, self.catalog)
        self.renderer = Renderer()

    def analyze(
        self,
        text: str,
        *,
        strict: bool = False,
        ignore: Iterable[str] = (),
        workflow: str | None = None,
        files: FileLoader | None = None,
    ) -> Report:
        """Analyse one description on its own (`workflow`, `files`: see `analyze_turns`)."""
        return self.analyze_turns(
            [text], strict=strict, ignore=ignore, workflow=workflow, files=files
        )

    def workflows(self, text: str, files: FileLoader | None = None) -> tuple[str, ...]:
        """The workflows a text defines when it defines several (a template's state machines,
        by JSON pointer), each to be analysed on its own; () for a text that is one design."""
        return read_structured(text, self.resolver, files=files).workflows

    def analyze_turns(
        self,
        turns: Sequence[str],
        *,
        strict: bool = False,
        ignore: Iterable[str] = (),
        workflow: str | None = None,
        files: FileLoader | None = None,
        accept: Sequence[Acceptance] = (),
    ) -> Report:
        """Analyse a conversation as one design: later statements override earlier ones.

        `ignore`: finding codes suppressed by the caller (the CLI's `--ignore`); markers in the
        text suppress too, and their reason wins over the caller's. `workflow`: which of the
        `workflows` of a template to analyse (all together when None). `files`: reads a file a
        template refers to (`DefinitionUri`); without it, none is read.
        """
        session = self.read_session(turns, ignore=ignore, workflow=workflow, files=files)
        return self.report_session(session, strict=strict, accept=accept)

    def read_session(
        self,
        turns: Sequence[str],
        *,
        ignore: Iterable[str] = (),
        workflow: str | None = None,
        files: FileLoader | None = None,
    ) -> SessionReading:
        """Read every turn of a conversation, before the turns are merged (`analyze_turns`
        is this, then `report_session`; the assisted reading adds its items in between)."""
        if isinstance(turns, str) or not all(isinstance(t, str) for t in turns):
            raise TypeError("turns must be a sequence of strings")
        # No encoder takes a lone surrogate (spaCy hashes UTF-8): U+FFFD instead, one for one,
        # before anything reads the text, so every offset still points into the input.
        turns = [_SURROGATE.sub("\ufffd", t) for t in turns]
        suppress = {code: command_line_reason(code) for code in _checked(ignore)}
        readings: list[TurnReading] = []
        known: dict[str, ServiceInfo] = {}
        for number, text in enumerate(turns, start=1):
            readings.append(self.read_turn(text, number, known, workflow=workflow, files=files))
            known = readings[-1].draft.view.aliases
            suppress.update(readings[-1].suppress)
        notes = [note for r in readings for note in r.notes]
        return SessionReading(tuple(readings), suppress, notes)

    def report_session(
        self, session: SessionReading, *, strict: bool = False, accept: Sequence[Acceptance] = ()
    ) -> Report:
        """Merge the turns of a read session into one design and report on it (`accept`: risks
        the user accepts, see `verdict.decide`)."""
        readings = session.readings
        graph = build_graph([r.draft for r in readings], [r.structured.docs for r in readings])
        place = Placer.of([r.draft.redaction.original for r in readings])
        return self.report(
            graph,
            strict=strict,
            suppress=session.suppress,
            notes=session.notes,
            accept=accept,
            place=place,
        )

    def turn(
        self, text: str, number: int = 1, known: dict[str, ServiceInfo] | None = None
    ) -> TurnDraft:
        return self.read_turn(text, number, known).draft

    def read_turn(
        self,
        text: str,
        number: int = 1,
        known: dict[str, ServiceInfo] | None = None,
        *,
        workflow: str | None = None,
        files: FileLoader | None = None,
    ) -> TurnReading:
        """Read one turn: secrets, structured documents, ignore markers, then the prose.

        The prose reader sees the redacted text with the recognised documents and the markers
        blanked out (spaces of the same length), normalised (`normalize`): evidence maps back
        through both to the input.
        """
        redaction = self.scanner.redact(text)
        structured = read_structured(text, self.resolver, workflow=workflow, files=files)
        markers = find_markers(text)
        hidden = [*structured.hidden, *((m.start, m.end) for m in markers)]
        normal = self.normalizer.normalize(_blank(redaction, hidden, structured.prose))
        annotation = self.pipeline.annotate(normal.text)
        draft = extract_turn(
            annotation, redaction, normal, self.catalog, number, known, self.sections
        )
        draft = _claims_only(draft, [(p.start, p.end) for p in structured.prose if not p.steps])
        suppress, marker_notes = resolve_markers(markers, redaction, number)
        notes = [*_schema_notes(structured, redaction, number, text), *marker_notes]
        return TurnReading(draft, structured, suppress, notes)

    def redact(self, text: str) -> str:
        """The text with every literal secret replaced by `[REDACTED:<kind>]`."""
        return self.scanner.redact(text).text

    def report(
        self,
        graph: ClaimGraph,
        *,
        strict: bool = False,
        suppress: Mapping[str, str] | None = None,
        notes: Sequence[Note] = (),
        accept: Sequence[Acceptance] = (),
        place: Placer | None = None,
    ) -> Report:
        """The report on a graph; `place` (the turns' lines) puts a line and column on every
        evidence as the output models are built (none without it)."""
        place = place or Placer([])
        decision = decide(graph, strict=strict, suppress=suppress, accept=accept)
        findings = self.renderer.with_messages(decision.findings, step_labels(graph))
        return Report(
            verdict=decision.verdict,
            message=self.renderer.message(decision.verdict, findings, graph),
            findings=[place.finding(f) for f in findings],
            checks=decision.checks,
            # plain dicts: the Report's one validation builds the nested models (a model
            # constructed in Python per step and claim costs more than validating its dict)
            steps=[
                {
                    "index": s.index,
                    "text": s.text,
                    "action": s.action,
                    "services": list(s.services),
                    "inbound": s.inbound,
                    "turn": s.turn,
                    "label": s.label,
                }
                for s in graph.steps
            ],
            services=[
                {"name": s.name, "category": s.category, "external": s.external}
                for s in graph.services
            ],
            claims=[
                {
                    "kind": c.kind,
                    "modality": c.modality,
                    "scope": {
                        "target": c.scope.target,
                        "steps": list(c.scope.steps),
                        "services": list(c.scope.services),
                    },
                    "evidence": [place(c.evidence)],
                }
                for c in graph.claims
            ],
            questions=self.renderer.questions(findings, graph),
            redactions=len(graph.secrets),
            strict=strict,
            turns=graph.turns,
            notes=[place.note(n) for n in notes],
            unread=list(graph.unread),
        )


def _checked(codes: Iterable[str]) -> list[str]:
    out = list(codes)
    for code in out:
        if code not in CODES or code in UNSUPPRESSIBLE:
            raise ValueError(f"cannot ignore {code[:40]!r}: not a finding code that can be ignored")
    return out


def _blank(
    redaction: Redaction,
    spans: Sequence[tuple[int, int]],
    prose: Sequence[ProseSpan] = (),
) -> str:
    """The redacted text with the given spans of the original replaced by spaces, and the
    JSON strings of `prose` (read inside a hidden document) unescaped in place."""
    text = redaction.text
    for start, end in spans:
        lo = len(redaction.redacted_span(0, start))
        hi = len(redaction.redacted_span(0, end))
        text = text[:lo] + _NOT_NEWLINE.sub(" ", text[lo:hi]) + text[hi:]
    for span in prose:
        if span.json:
            lo = len(redaction.redacted_span(0, span.start))
            hi = len(redaction.redacted_span(0, span.end))
            text = text[:lo] + unescape(text[lo:hi]) + text[hi:]
    return text


def _claims_only(draft: TurnDraft, spans: Sequence[tuple[int, int]]) -> TurnDraft:
    """Prose inside a structured document (a sticky note) says what the design does, but its
    sentences are not steps: the document's own elements are. A line of it that speaks to the
    reader ("add your API key", "find your chat id") says how to set the workflow up, not what
    it does, and claims nothing."""
    if not spans:
        return draft
    toks, text = draft.view.toks, draft.normal.text

    def inside(token: int) -> bool:
        offset = draft.to_original(toks[token].start)
        return any(start <= offset < end for start, end in spans)

    def to_reader(token: int) -> bool:
        at = toks[token].start
        line = text[text.rfind("\n", 0, at) + 1 : (text.find("\n", at) + 1 or len(text) + 1) - 1]
        return bool(_SECOND_PERSON.search(line))

    steps = [step for step in draft.steps if not inside(step.start)]
    claims = draft.claims if len(steps) == len(draft.steps) else find_claims(draft.view, steps)
    claims = [c for c in claims if not (inside(c.start) and to_reader(c.start))]
    if len(steps) == len(draft.steps) and len(claims) == len(draft.claims):
        return draft
    return replace(draft, steps=steps, claims=claims)


_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)


def _schema_notes(structured: Structured, redaction: Redaction, turn: int, text: str) -> list[Note]:
    notes: list[Note] = []
    for error in structured.errors:
        end = text.find("\n", error.offset)
        end = len(text) if end < 0 else end
        evidence = Evidence(
            text=redaction.redacted_span(error.offset, end),
            start=error.offset,
            end=end,
            rule=f"schema.{error.block.syntax}.parse_error",
            turn=turn,
        )
        first_line = text.count("\n", 0, error.block.start) + 1
        message = (
            f"The {error.block.syntax.upper()} block starting on line {first_line} does not "
            f"parse ({error.describe()}); it was read as prose."
        )
        notes.append(Note(code="SCHEMA_PARSE_ERROR", message=message, evidence=(evidence,)))
    for doc in structured.docs:
        for issue in doc.issues:
            evidence = Evidence(
                text=redaction.redacted_span(issue.span.start, issue.span.end),
                start=issue.span.start,
                end=issue.span.end,
                rule=f"schema.{doc.format}.issue",
                turn=turn,
                pointer=issue.span.pointer,
            )
            message = f"{issue.span.pointer or '/'}: {issue.message}."
            notes.append(Note(code=issue.code, message=message, evidence=(evidence,)))
    if structured.workflows:
        names = ", ".join(structured.workflows[:5])
        message = (
            f"This text defines {len(structured.workflows)} workflows ({names}); they were read "
            "together as one design. The command line reports each on its own."
        )
        notes.append(Note(code="SCHEMA_SEVERAL_WORKFLOWS", message=message))
    return notes


_DEFAULT: Analyzer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_analyzer() -> Analyzer:
    """The process's shared Analyzer, built on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Analyzer()
    return _DEFAULT


def analyze(text: str, *, strict: bool = False, ignore: Iterable[str] = ()) -> Report:
    return default_analyzer().analyze(text, strict=strict, ignore=ignore)


def analyze_turns(
    turns: Sequence[str], *, strict: bool = False, ignore: Iterable[str] = ()
) -> Report:
    return default_analyzer().analyze_turns(turns, strict=strict, ignore=ignore)
