"""failure_handling: every step that can fail has somewhere for failed work to go (2.1)."""

from __future__ import annotations

from workflow_prover.checks.base import Check, claim_evidence, finding, outbound
from workflow_prover.graph.coverage import Coverage
from workflow_prover.graph.kinds import kind_table
from workflow_prover.models import CheckId, ClaimGraph, ClaimKind, Finding, StepNode

K = ClaimKind
_TERMINAL = (K.TERMINAL_PATH, K.COMPENSATION)


def evaluate(graph: ClaimGraph, cov: Coverage) -> list[Finding]:
    steps = [s for s in graph.steps if s.services]
    if not steps:
        return []
    if not cov.anywhere(kind_table().failure_handling):
        admitted = cov.admissions((K.ERROR_HANDLING, K.TERMINAL_PATH, K.RETRY, K.TRY_CATCH))
        admitted += cov.anywhere((K.NO_HANDLING,))
        evidence = claim_evidence(*admitted) or [s.evidence for s in steps]
        return [finding("NO_FAILURE_HANDLING", evidence=evidence)]
    findings: list[Finding] = []
    parked = _parked_deliveries(steps, cov)
    for step in steps:
        state = cov.state("terminal", step=step)
        if state is not None and state.kind in _TERMINAL:
            continue
        if step.index in parked:
            continue  # what fails after a delivery is parked where its work's failures go
        if state is not None and state.kind is K.SWALLOW:
            findings.append(
                finding("ERRORS_SWALLOWED", step=step, evidence=[step.evidence, state.evidence])
            )
            continue
        retry = cov.holds(K.RETRY, step=step) or cov.state("retry_policy", step=step)
        findings.append(
            finding(
                "STEP_WITHOUT_FAILURE_PATH",
                step=step,
                evidence=[step.evidence, *claim_evidence(retry)],
            )
        )
    return findings + _warnings(graph, cov)


def _parked_deliveries(steps: list[StepNode], cov: Coverage) -> set[int]:
    """The prose deliveries every step after which (up to the next delivery) has a terminal
    path. 'Square webhook -> loyalty-svc (failures to points_dlq) -> Klaviyo (to klaviyo_dlq)':
    the delivered event's failures are its work's, and each piece has somewhere to go. Only
    for a delivery told in prose: a schema's trigger node is a node with its own error
    settings ("nothing covers the webhook receipt" of an n8n Webhook node). One pass."""
    parked: set[int] = set()
    current: int | None = None  # the delivery whose work is being read
    covered = False
    seen = False
    for step in [*steps, None]:
        if step is None or step.inbound:
            if current is not None and seen and covered:
                parked.add(current)
            if step is None:
                break
            current = step.index if step.evidence.pointer is None else None
            covered, seen = True, False
            continue
        seen = True
        covered = covered and _terminal(cov, step)
    return parked


def _terminal(cov: Coverage, step: StepNode) -> bool:
    state = cov.state("terminal", step=step)
    return state is not None and state.kind in _TERMINAL


def _warnings(graph: ClaimGraph, cov: Coverage) -> list[Finding]:
    out: list[Finding] = []
    dlqs = cov.anywhere((K.TERMINAL_PATH,))
    if dlqs and not cov.anywhere((K.ALERTING, K.REPLAY)):
        out.append(finding("DLQ_UNMONITORED", evidence=claim_evidence(dlqs[0])))
    for step in outbound(graph):
        if cov.holds(K.TIMEOUT, step=step) is None:
            out.append(finding("NO_TIMEOUT", step=step, evidence=[step.evidence]))
    writes = [s for s in outbound(graph) if s.action == "write"]
    systems = {frozenset(s.services) for s in writes}
    if len(systems) >= 2 and not cov.anywhere((K.COMPENSATION,)):
        out.append(finding("NO_COMPENSATION", evidence=[s.evidence for s in writes]))
    return out


CHECK = Check(
    CheckId.FAILURE_HANDLING,
    "Every step that can fail has somewhere for failed work to go",
    evaluate,
)
