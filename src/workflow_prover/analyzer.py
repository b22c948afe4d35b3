"""The analyzer: text (or a conversation) in, Report out.

One `Analyzer` holds the lexicons, the spaCy pipeline, the secret scanner and the templates,
built once; `analyze` and `analyze_turns` are safe to call from several threads (the only
shared mutable state, spaCy's vocabulary, is guarded inside the pipeline). The module-level
functions use one Analyzer per process, built on first use, not at import.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from workflow_prover.extract.services import ServiceCatalog, ServiceInfo
from workflow_prover.extract.turn import TurnDraft, extract_turn
from workflow_prover.graph import build_graph
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import (
    ClaimGraph,
    ClaimOut,
    Report,
    ScopeOut,
    ServiceOut,
    StepOut,
)
from workflow_prover.nlp.pipeline import build_pipeline
from workflow_prover.render import Renderer
from workflow_prover.secrets import SecretScanner
from workflow_prover.verdict import decide


class Analyzer:
    def __init__(self, lexicons: Path | None = None) -> None:
        self.lexicons = load_lexicons(lexicons)
        self.pipeline = build_pipeline(self.lexicons)
        self.scanner = SecretScanner(self.lexicons.secrets)
        self.catalog = ServiceCatalog(self.lexicons)
        self.renderer = Renderer()

    def analyze(self, text: str, *, strict: bool = False) -> Report:
        """Analyse one description on its own."""
        return self.analyze_turns([text], strict=strict)

    def analyze_turns(self, turns: Sequence[str], *, strict: bool = False) -> Report:
        """Analyse a conversation as one design: later statements override earlier ones."""
        if isinstance(turns, str) or not all(isinstance(t, str) for t in turns):
            raise TypeError("turns must be a sequence of strings")
        drafts: list[TurnDraft] = []
        known: dict[str, ServiceInfo] = {}
        for number, text in enumerate(turns, start=1):
            drafts.append(self.turn(text, number, known))
            known = drafts[-1].view.aliases
        graph = build_graph(drafts)
        return self.report(graph, strict=strict)

    def turn(
        self, text: str, number: int = 1, known: dict[str, ServiceInfo] | None = None
    ) -> TurnDraft:
        redaction = self.scanner.redact(text)
        annotation = self.pipeline.annotate(redaction.text)
        return extract_turn(annotation, redaction, self.catalog, number, known)

    def redact(self, text: str) -> str:
        """The text with every literal secret replaced by `[REDACTED:<kind>]`."""
        return self.scanner.redact(text).text

    def report(self, graph: ClaimGraph, *, strict: bool = False) -> Report:
        decision = decide(graph, strict=strict)
        findings = self.renderer.with_messages(decision.findings)
        return Report(
            verdict=decision.verdict,
            message=self.renderer.message(decision.verdict, findings, graph),
            findings=findings,
            checks=decision.checks,
            steps=[
                StepOut(
                    index=s.index,
                    text=s.text,
                    action=s.action,
                    services=list(s.services),
                    inbound=s.inbound,
                    turn=s.turn,
                )
                for s in graph.steps
            ],
            services=[
                ServiceOut(name=s.name, category=s.category, external=s.external)
                for s in graph.services
            ],
            claims=[
                ClaimOut(
                    kind=c.kind,
                    modality=c.modality,
                    scope=ScopeOut(
                        target=c.scope.target,
                        steps=list(c.scope.steps),
                        services=list(c.scope.services),
                    ),
                    evidence=[c.evidence],
                )
                for c in graph.claims
            ],
            questions=self.renderer.questions(findings, graph),
            redactions=len(graph.secrets),
            strict=strict,
            turns=graph.turns,
        )


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


def analyze(text: str, *, strict: bool = False) -> Report:
    return default_analyzer().analyze(text, strict=strict)


def analyze_turns(turns: Sequence[str], *, strict: bool = False) -> Report:
    return default_analyzer().analyze_turns(turns, strict=strict)
