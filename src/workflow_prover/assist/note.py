"""What the message adds when part of the report rests on the assisted reading.

The message must not present the model's reading as the rules' own: a finding on a step only
the model found, and a mechanism counted only because the model read it, are named, with the
user's own words, from a template like every other sentence of the message.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from workflow_prover.models import Finding, Report

__all__ = ["with_note"]

_MAX_QUOTE = 90
_MAX_NAMED = 3


def with_note(report: Report) -> Report:
    """The report, its message followed by the note (unchanged when nothing is assisted)."""
    findings = _findings(report.findings)
    claims = [
        f"'{_quote(c.evidence[0].text)}'"
        for c in report.claims
        if c.modality == "asserted" and any(e.reader == "assist" for e in c.evidence)
    ][:_MAX_NAMED]
    if not findings and not claims:
        return report
    note = " ".join(_template().render(findings=findings, claims=claims).split())
    return report.model_copy(update={"message": f"{report.message} {note}"})


def _findings(findings: list[Finding]) -> list[str]:
    places: list[str] = []
    for f in findings:
        if f.suppressed or not any(e.reader == "assist" for e in f.evidence):
            continue
        place = f"step {f.step}" if f.step is not None else (f.service or "the design")
        if f.step is not None and f.service:
            place += f" ({f.service})"
        if place not in places:
            places.append(place)
    return places[:_MAX_NAMED]


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1].rstrip() + "…"


@cache
def _template() -> Template:
    env = Environment(
        loader=PackageLoader("workflow_prover.assist", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
    )
    return env.get_template("note.j2")
