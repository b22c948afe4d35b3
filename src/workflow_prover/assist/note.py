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
    assisted = [
        f
        for f in report.findings
        if not f.suppressed and any(e.reader == "assist" for e in f.evidence)
    ]
    places = _places(assisted)
    claims = [
        f"'{_quote(c.evidence[0].text)}'"
        for c in report.claims
        if c.modality == "asserted" and any(e.reader == "assist" for e in c.evidence)
    ][:_MAX_NAMED]
    if not places and not claims:
        return report
    text = _template().render(places=places, many=len(assisted) > 1, claims=claims)
    note = " ".join(text.split())
    return report.model_copy(update={"message": f"{report.message} {note}"})


def _places(assisted: list[Finding]) -> list[str]:
    """Where the findings resting on the assisted reading are: 'step 2 (NetSuite)', or a
    service named by no such step."""
    places: list[str] = []
    named: set[str] = set()
    for f in assisted:
        if f.step is not None:
            place = f"step {f.step}" + (f" ({f.service})" if f.service else "")
            named.add(f.service or "")
            places += [] if place in places else [place]
    for f in assisted:
        if f.step is None:
            place = f.service or "the design"
            places += [] if place in places or place in named else [place]
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
