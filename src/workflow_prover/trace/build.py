"""Build the trace of one text from the analyzer's own reading of it (nothing read twice
differently: the session, graph and report are the ones `analyze` makes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow_prover.annotate.types import Group, Mention
from workflow_prover.graph.merge import build_graph
from workflow_prover.models import ClaimNode, Cue, Report, StepNode
from workflow_prover.trace.model import (
    ActionTrace,
    AdverbialTrace,
    BlockTrace,
    ClaimTrace,
    ClauseTrace,
    CueTrace,
    FindingTrace,
    MentionTrace,
    RoleTrace,
    ScopeTrace,
    StepTrace,
    TokenLine,
    Trace,
    UnreadTrace,
)

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer
    from workflow_prover.extract.layout.frames import Frame
    from workflow_prover.extract.reading import TextView

_GROUPS = (Group.SERVICE, Group.VERB, Group.CUE, Group.CONTEXT, Group.TERM)


def build_trace(analyzer: Analyzer, text: str) -> Trace:
    """Every stage of the reading of `text` (one turn), as the analyzer reads it."""
    session = analyzer.read_session([text])
    report = analyzer.report_session(session)
    readings = session.readings
    graph = build_graph([r.draft for r in readings], [r.structured.docs for r in readings])
    view = readings[0].draft.view
    return Trace(
        verdict=report.verdict.value,
        tokens=_tokens(view),
        mentions={group.value: _mentions(view, group) for group in _GROUPS},
        blocks=_blocks(view),
        clauses=[_clause(view, index) for index in range(len(view.lay.clauses))],
        steps=[_step(s) for s in graph.steps],
        claims=[_claim(c) for c in graph.claims],
        findings=_findings(report),
        unread=[UnreadTrace(text=u.text, reason=u.reason) for u in report.unread],
    )


def _tokens(view: TextView) -> list[TokenLine]:
    lines: dict[int, list[str]] = {}
    for tok in view.toks:
        if tok.text.strip():
            lines.setdefault(tok.line, []).append(tok.text)
    return [TokenLine(line=n + 1, tokens=toks) for n, toks in sorted(lines.items())]


def _mentions(view: TextView, group: Group) -> list[MentionTrace]:
    if group is Group.SERVICE:
        return [
            MentionTrace(
                text=view.text(m.start, m.end),
                label=m.info.category,
                rule=f"service.{m.info.role}",
                tokens=(m.start, m.end),
                note=m.info.name,
            )
            for m in view.services
        ]
    kept = set(view.cues)
    return [
        MentionTrace(
            text=view.text(m.start, m.end),
            label=m.label,
            rule=m.rule,
            tokens=(m.start, m.end),
            note=_note(view, m, kept),
        )
        for m in view.ann.of(group)
    ]


def _note(view: TextView, m: Mention, kept: set[Mention]) -> str:
    """Why the mention counts or not: a verb acts or is a noun; a cue is kept or dropped
    (its requirement not met); a ConText modifier's direction; a general noun's filter."""
    if m.group is Group.VERB:
        return "acts" if view.verbal(m) else "noun"
    if m.group is Group.CUE:
        return "kept" if m in kept else "dropped"
    if m.group is Group.CONTEXT:
        return m.direction
    return m.filter or m.category


def _blocks(view: TextView) -> list[BlockTrace]:
    blocks = view.lay.blocks
    if blocks is None:
        return []
    return [
        BlockTrace(line=n + 1, kind=kind, role=blocks.role(n), heading=blocks.headings.get(n))
        for n, kind in enumerate(blocks.kinds)
        if kind != "text" or blocks.role(n) != "design"
    ]


def _clause(view: TextView, index: int) -> ClauseTrace:
    clause = view.clause(index)
    frame = view.frame(index)
    return ClauseTrace(
        index=index,
        text=view.text(clause.start, clause.end),
        sentence=clause.sentence,
        item=clause.item,
        chain=clause.chain,
        segment=clause.segment,
        role=clause.role,
        trigger=clause.trigger,
        skipped=clause.skipped,
        adverbial=_adverbial(view, frame),
        actions=_actions(view, frame),
        roles=[
            RoleTrace(service=r.mention.info.name, role=r.role, word=r.word) for r in frame.roles
        ],
        via=list(dict.fromkeys(frame.via)),
    )


def _adverbial(view: TextView, frame: Frame) -> AdverbialTrace | None:
    adverbial = frame.adverbial
    if adverbial is None:
        return None
    text = view.text(adverbial.start, adverbial.end)
    return AdverbialTrace(kind=adverbial.kind, rule=adverbial.rule, text=text)


def _actions(view: TextView, frame: Frame) -> list[ActionTrace]:
    out: list[ActionTrace] = []
    for action in frame.actions:
        reading = view.read(action.verb)
        cues = [CueTrace(rule=c.rule, text=view.text(c.start, c.end)) for c in reading.cues]
        out.append(
            ActionTrace(
                verb=view.text(action.verb.start, action.verb.end),
                label=action.label,
                rule=action.verb.rule,
                joined=action.joined,
                modality=reading.modality,
                cues=cues,
            )
        )
    return out


def _step(step: StepNode) -> StepTrace:
    return StepTrace(
        index=step.index,
        text=step.text,
        action=step.action,
        services=list(step.services),
        inbound=step.inbound,
        label=step.label,
        rule=step.evidence.rule,
        via=list(step.evidence.via),
        pointer=step.evidence.pointer,
    )


def _claim(claim: ClaimNode) -> ClaimTrace:
    evidence, scope = claim.evidence, claim.scope
    return ClaimTrace(
        kind=claim.kind.value,
        modality=claim.modality,
        text=evidence.text,
        rule=evidence.rule,
        cue=_cue(evidence.cue),
        scope=ScopeTrace(
            target=scope.target.value,
            steps=list(scope.steps),
            services=list(scope.services),
            excluded_steps=list(scope.excluded_steps),
            excluded_services=list(scope.excluded_services),
            via=list(evidence.via),
        ),
        pointer=evidence.pointer,
    )


def _cue(cue: Cue | None) -> CueTrace | None:
    return None if cue is None else CueTrace(rule=cue.rule, text=cue.text)


def _findings(report: Report) -> list[FindingTrace]:
    return [
        FindingTrace(
            code=f.code,
            severity=f.severity,
            step=f.step,
            service=f.service,
            suppressed=f.suppressed,
            rules=list(dict.fromkeys(e.rule for e in f.evidence)),
        )
        for f in report.findings
    ]
