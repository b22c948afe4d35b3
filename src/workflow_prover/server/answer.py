"""The tool's text content (issue 9): the whole answer for clients that show the model only
the text, short enough to read in a chat. The structured content stays complete.

Leads with what changed since the last turn, then the verdict line, the steps as read (with
the text's own labels), each check's status, the blockers, warnings and accepted findings
(code, step, service, one line), the questions and the session note. Rendered from
`templates/answer.j2`; every text in it is the report's, already redacted.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from workflow_prover.report.render import quote

MAX_STEPS = 20
MAX_ITEMS = 12
MAX_QUESTIONS = 6

Item = dict[str, Any]


class AnswerText:
    """Renders the text content of one call; one per server (the template is compiled once)."""

    def __init__(self) -> None:
        env = Environment(
            loader=PackageLoader("workflow_prover.server", "templates"),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=False,
        )
        env.filters["quote"] = _quote
        env.filters["grouped"] = grouped
        env.filters["place"] = place
        self._template = env.get_template("answer.j2")

    def render(
        self,
        report: Item,
        note: str,
        *,
        changes: Item | None = None,
        answer: list[str] | None = None,
        resend: int | None = None,
        question_only: bool = False,
    ) -> str:
        labels = {s["index"]: s.get("label") or s["index"] for s in report.get("steps", [])}
        findings = [_labelled(f, labels) for f in report.get("findings", [])]
        shown = [f for f in findings if not f.get("suppressed", False)]
        text = self._template.render(
            report=report,
            note=note,
            changes=changes,
            worse=_worse(changes),
            answer=answer or [],
            question_only=question_only,
            resend=resend is not None,
            turn=resend or 0,
            blockers=[f for f in shown if f["severity"] == "blocker" and not f.get("accepted")],
            warnings=[f for f in shown if f["severity"] == "warning" and not f.get("accepted")],
            accepted=[f for f in shown if f.get("accepted")],
            max_steps=MAX_STEPS,
            max_items=MAX_ITEMS,
            max_questions=MAX_QUESTIONS,
        )
        return "\n".join(line.rstrip() for line in text.strip().splitlines())


def grouped(items: list[Item]) -> list[Item]:
    """Findings said by the same words, together: "NO_TIMEOUT on Step 1 (Kafka); ... (turn 3:
    '...')" names the sentence once."""
    out: list[Item] = []
    for x in items:
        what = f"{x['code']} on {place(x)}"
        if out and out[-1]["words"] == x.get("words", "") and out[-1]["turn"] == x.get("turn"):
            out[-1]["what"].append(what)
        else:
            out.append({"what": [what], "words": x.get("words", ""), "turn": x.get("turn")})
    return out


def place(x: Item) -> str:
    """'Step 4 (Slack)' with the text's own step number, the service, or the design."""
    if x.get("label"):
        return f"Step {x['label']}" + (f" ({x['service']})" if x.get("service") else "")
    return str(x.get("service") or "the design")


def _labelled(f: Item, labels: dict[int, int]) -> Item:
    step = f.get("step")
    return {**f, "label": labels.get(step, step) if step else None}


# Worst first; INSECURE_CREDENTIALS as the last check's verdict (a pasted secret also gives it,
# and its new SECRET_IN_TEXT finding says so).
_ORDER = (
    "UNDERSPECIFIED",
    "NOT_APPLICABLE",
    "HAPPY_PATH_BIAS",
    "NON_IDEMPOTENT",
    "MISSING_DLQ",
    "NO_BACKOFF",
    "INSECURE_CREDENTIALS",
    "WORKFLOW_PROVEN",
)


def _worse(changes: Item | None) -> Item | None:
    """A verdict that got worse: the first new blocker's words say which sentence did it."""
    if not changes or not changes.get("verdict_before"):
        return None
    before, after = changes["verdict_before"], changes["verdict"]
    if before not in _ORDER or after not in _ORDER:
        return None
    if _ORDER.index(after) >= _ORDER.index(before):
        return None
    said = [x for x in changes.get("findings_new", []) if x.get("words")]
    return said[0] if said else {"words": "", "turn": changes["turn"]}


def _quote(text: str, limit: int = 90) -> str:
    text = quote(str(text))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
