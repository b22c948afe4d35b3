"""A turn that asks about a finding or a check, answered (issue 9).

"why is step 2 still flagged?", "does the Slack post really need an idempotency key?": such a
turn is a question, not a design change. It is answered from the previous turn's report and
from the rule documentation (`codes.CODES`, through `rule_help`), and the design stays as it
was. A turn that mixes questions with statements is design text: its statements count, and its
questions are answered from the report they give.

Advice is for the step asked about: a row of `answers.jsonl` for the finding's code and the
service's category ("Chat incoming webhooks take no idempotency key ..."), else for its role (a
datastore's statement timeout), else the code's own row. Each row's text is a template that
names the step's service, and the answer quotes the step as the Prover read it. Every code has
a row of its own, so no answer falls back to the bare rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from pydantic import BaseModel, ConfigDict

from workflow_prover.codes import CODES
from workflow_prover.report.render import quote
from workflow_prover.server.changes import CHECK_KINDS, counted, covers, words_of

Item = dict[str, Any]
_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n+")
_STEP = re.compile(r"\b(?:step|stage|node)\s+(\d{1,3})\b", re.IGNORECASE)
_MAX_LINES = 6


class AnswerRow(BaseModel):
    """A row of `answers.jsonl`: a word that names a check, or advice for a finding on one kind
    of service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["check_word", "advice"]
    pattern: str | None = None
    check: str | None = None
    code: str | None = None
    category: str | None = None  # advice for this service category only
    role: Literal["api", "datastore"] | None = None  # advice for this service role only
    text: str | None = None  # a jinja2 template: `service` is the step's service


def rule_help(code: str) -> tuple[str, str]:
    """The title and help of a finding code, as the rule documentation states them.

    The one place this module reads the codes' documentation, so it keeps working wherever
    the title and help come to be kept."""
    rule = CODES.get(code)
    return (rule.title, rule.help) if rule is not None else (code, "")


@dataclass(frozen=True)
class _Asked:
    """What a question names: its services and its steps, in words (None for none)."""

    services: str | None
    steps: str | None


_Advice = dict[tuple[str, str | None, str | None], Template]  # (code, category, role)


@dataclass(frozen=True)
class Answers:
    """The answer data, loaded once per server."""

    check_words: tuple[tuple[str, str], ...]
    advice: _Advice
    line: Template

    @classmethod
    def load(cls) -> Answers:
        raw = resources.files("workflow_prover.server").joinpath("answers.jsonl").read_text("utf-8")
        rows = [AnswerRow.model_validate(json.loads(line)) for line in raw.splitlines() if line]
        env = Environment(
            loader=PackageLoader("workflow_prover.server", "templates"),
            undefined=StrictUndefined,
            autoescape=False,
        )
        env.filters["quote"] = quote
        return cls(
            tuple((r.pattern or "", r.check or "") for r in rows if r.kind == "check_word"),
            {
                (r.code or "", r.category, r.role): env.from_string(r.text or "")
                for r in rows
                if r.kind == "advice"
            },
            env.get_template("explain.j2"),
        )

    def advice_for(self, code: str, category: str, role: str) -> Template | None:
        """The most specific advice: for the category, the role, else the code's own."""
        for key in ((code, category, None), (code, None, role), (code, None, None)):
            if key in self.advice:
                return self.advice[key]
        return None

    def asked(self, text: str) -> str:
        """The turn's questions (its sentences that end with '?'), joined; '' for none."""
        return " ".join(s.strip() for s in _SENTENCE.split(text) if s.strip().endswith("?"))

    def is_question(self, text: str) -> bool:
        """Every sentence of the turn asks (ends with '?'): "What happens on failure: it goes to
        a DLQ." opens like a question and is a statement, so the opening word does not count."""
        sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
        return bool(sentences) and all(s.endswith("?") for s in sentences)

    def answer(self, text: str, report: Item, turns: Sequence[str] = ()) -> list[str]:
        """Lines answering the question from the report it is about (`turns`: the session's
        redacted texts, to quote the sentences that cover a step)."""
        checks = self._checks(text)
        steps = _steps(text, report)
        services = _services(text, report) | {
            name for s in report.get("steps", []) if s["index"] in steps for name in s["services"]
        }
        findings = [f for f in report.get("findings", []) if counted(f)]
        about = [
            f
            for f in findings
            if (not checks or f["check"] in checks)
            and (
                not (steps or services)
                or f.get("step") in steps
                or f.get("service") in services
                or (f.get("step") is None and f.get("service") is None)  # said of every step
            )
        ]
        if about:
            named = [s for s in report.get("steps", []) if s["index"] in steps]
            asked = _Asked(
                ", ".join(sorted(services)) or None,
                ", ".join(
                    _where({"step": s["index"], "service": ", ".join(s["services"])}, report)
                    for s in named
                )
                or None,
            )
            return [self._explain(f, report, asked) for f in about[:_MAX_LINES]]
        return _passes(checks, steps, services, report, turns)

    def _checks(self, text: str) -> set[str]:
        low = text.lower()
        return {check for pattern, check in self.check_words if pattern in low}

    def _explain(self, f: Item, report: Item, asked: _Asked) -> str:
        """One finding explained for the step asked about (`asked`: what the question names,
        for a finding said of the whole design)."""
        title, help_text = rule_help(str(f["code"]))
        design_wide = f.get("step") is None and f.get("service") is None
        service = f.get("service") or (asked.services if design_wide else None)
        where = there = _where(f, report)
        if design_wide and asked.steps:
            where, there = f"the design (so {asked.steps} too)", asked.steps
        node: Item = next((s for s in report.get("services", []) if s["name"] == service), {})
        role = "datastore" if node.get("external") is False else "api"
        advice = self.advice_for(str(f["code"]), node.get("category", ""), role)
        step = next((s for s in report.get("steps", []) if s["index"] == f.get("step")), None)
        return self.line.render(
            code=f["code"],
            where=where,
            there=there,
            step_text=step.get("text", "") if step else "",
            title=title,
            help=help_text,
            advice=advice.render(service=service or "each service") if advice else "",
        ).strip()


def _passes(
    checks: set[str], steps: set[int], services: set[str], report: Item, turns: Sequence[str]
) -> list[str]:
    """No finding matches: say which check passes there, and on whose words."""
    if not steps and not services:
        return ["No open finding matches the question; the findings below are the open ones."]
    lines: list[str] = []
    for step in report.get("steps", []):
        if steps and step["index"] not in steps:
            continue
        if not steps and not set(step["services"]) & services:
            continue
        where = _where({"step": step["index"], "service": ", ".join(step["services"])}, report)
        for check in sorted(checks or CHECK_KINDS):
            said = [
                c
                for c in report.get("claims", [])
                if c["kind"] in CHECK_KINDS[check]
                and c["modality"] == "asserted"
                and any(covers(c, step["index"], name) for name in step["services"] or [None])
            ]
            if said:
                quoted = "; ".join(_quoted(c, turns) for c in said[:3])
                lines.append(f"{where} has no open {check} finding: it is covered by {quoted}.")
            else:
                lines.append(f"{where} has no open {check} finding.")
    return lines[:_MAX_LINES] or ["No step of the design matches the question."]


def _quoted(claim: Item, turns: Sequence[str]) -> str:
    turn = int(claim["evidence"][0].get("turn", 1))
    text = turns[turn - 1] if 0 < turn <= len(turns) else ""
    return f"turn {turn}: '{words_of(claim, text)}'"


def _steps(text: str, report: Item) -> set[int]:
    labels = {s.get("label") or s["index"]: s["index"] for s in report.get("steps", [])}
    return {labels[n] for n in (int(m) for m in _STEP.findall(text)) if n in labels}


def _services(text: str, report: Item) -> set[str]:
    """The services the question names ('the Google Sheet step' names Google Sheets)."""
    low = text.lower()
    names = {s["name"]: s["name"].lower() for s in report.get("services", [])}
    return {name for name, n in names.items() if n in low or n.removesuffix("s") in low}


def _where(f: Item, report: Item) -> str:
    labels = {s["index"]: s.get("label") or s["index"] for s in report.get("steps", [])}
    step, service = f.get("step"), f.get("service")
    if step:
        return f"Step {labels.get(step, step)}" + (f" ({service})" if service else "")
    return str(service or "the design")
