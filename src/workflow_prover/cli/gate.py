"""Which reports fail the run: `--fail-on`, suppressions and the baseline.

A finding counts when it is neither suppressed nor recorded in the baseline. With
`--fail-on blocker` (the default) a report fails when its verdict fails and something still
counts towards it: a counted blocker, or no workflow at all (`UNDERSPECIFIED` has no finding a
baseline could hold). Without a baseline that is exactly "the verdict is neither
`WORKFLOW_PROVEN` nor `NOT_APPLICABLE`". `warning` fails on any counted finding too; `never`
fails nothing (the soft-fail of checkov and gitleaks: the report is still printed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from workflow_prover.models import Finding, Report

FailOn = Literal["blocker", "warning", "never"]
FAIL_ON: tuple[FailOn, ...] = ("blocker", "warning", "never")
PASSING_VERDICTS = frozenset({"WORKFLOW_PROVEN", "NOT_APPLICABLE"})
_NO_WORKFLOW = "UNDERSPECIFIED"


def counted(report: Report) -> list[Finding]:
    """The findings that count: neither suppressed nor recorded in the baseline."""
    return [f for f in report.findings if not f.suppressed and f.baseline_state != "unchanged"]


def fails(report: Report, fail_on: FailOn = "blocker") -> bool:
    if fail_on == "never":
        return False
    active = counted(report)
    if fail_on == "warning" and active:
        return True
    verdict = report.verdict.value
    if verdict in PASSING_VERDICTS:
        return False
    return verdict == _NO_WORKFLOW or any(f.severity == "blocker" for f in active)
